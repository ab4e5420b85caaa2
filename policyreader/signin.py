"""Sign-in throttling with django-axes: the backend, the client's address, the lockout page.

Settings (policyreader/settings.py): ``LOGIN_FAILURE_LIMIT`` failed attempts
for one username from one address lock that pair out for
``LOGIN_LOCKOUT_MINUTES``. The lockout answer is the sign-in page itself,
with a message in the user's language, status 429 and ``Retry-After``.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import ngettext


class ThrottledBackend(AxesStandaloneBackend):
    """Axes' check before the real backends, for sign-ins over the web.

    ``authenticate()`` without a request (a management command, the test
    client's ``login()``) is not a sign-in attempt from a client, and has no
    address to count it against: axes would refuse it with an error, this
    backend leaves it to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """The client's address: the proxy's last ``X-Forwarded-For`` entry behind a
    proxy (``SECURE_PROXY_SSL_HEADER`` set: the proxy appends the address it saw,
    so earlier entries may be forged), else ``REMOTE_ADDR``."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts for this account from your address. "
        "Sign-in is locked for %(minutes)s minute; try again then.",
        "Too many failed sign-in attempts for this account from your address. "
        "Sign-in is locked for %(minutes)s minutes; try again then.",
        minutes,
    ) % {"minutes": minutes}


def locked_out(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the sign-in page saying the pair is locked (429)."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    response = render(
        request,
        "registration/login.html",
        {"form": form, "next": next_url, "locked_out": lockout_message(minutes)},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
