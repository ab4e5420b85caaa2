"""Roles: ``reader`` ⊂ ``annotator`` ⊂ ``editor``, stored as auth groups.

* reader -- reads, writes private notes;
* annotator -- also shared and public notes, replies, transcription-error flags;
* editor -- also imports, canonical decisions, flag decisions, tag renames.

Staff and superusers count as editors. The groups are created by a data
migration of ``annotations`` (0002_role_groups); :func:`assign_role` creates a
missing one (a test database flushed by a transactional test has none).

Every view that needs a role uses :func:`role_required`; templates use the
``has_role`` filter of ``annotations_tags``. One rule refuses (:func:`refuse`):

* nobody signed in -- to the sign-in page (an htmx request gets 401 with an
  ``HX-Redirect`` to it, so the whole page goes there, not a fragment);
* signed in without the role -- 403: the ``403.html`` page, in the user's
  language, naming the role needed (an htmx request gets the same sentence as
  plain text, which the notes panel shows);
* JSON addresses (``policyreader.errors.wants_json``) get ``{"error": ...}``
  with 401 or 403. The annotation API answers for itself (annotations/api.py).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import wants_json

ROLES = ("reader", "annotator", "editor")

#: The role names as people read them (the account page uses the same words).
ROLE_LABELS = {
    "reader": gettext_lazy("reader"),
    "annotator": gettext_lazy("annotator"),
    "editor": gettext_lazy("editor"),
}

_CACHE_ATTR = "_policyreader_roles"


def _check(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")


def user_roles(user) -> frozenset[str]:
    """Every role the user has, the implied ones included (one query, cached on the user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_staff or user.is_superuser:
        roles = frozenset(ROLES)
    else:
        names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        rank = max((ROLES.index(n) for n in names), default=-1)
        roles = frozenset(ROLES[: rank + 1])
    setattr(user, _CACHE_ATTR, roles)
    return roles


def has_role(user, role: str) -> bool:
    """True when ``user`` has ``role`` or a higher one (editor ⊇ annotator ⊇ reader)."""
    _check(role)
    return role in user_roles(user)


def highest_role(user) -> str | None:
    roles = user_roles(user)
    return next((r for r in reversed(ROLES) if r in roles), None)


def assign_role(user, role: str) -> None:
    """Put ``user`` in exactly the group of ``role`` (out of the other role groups)."""
    _check(role)
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(pk=group.pk))
    user.groups.add(group)
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_required(role: str):
    """View decorator: the signed-in user must have ``role`` (checked on the server).

    Without it the request is refused by :func:`refuse`: anonymous visitors go
    to the sign-in page, signed-in users get the 403 page naming ``role``.
    """
    _check(role)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if has_role(request.user, role):
                return view(request, *args, **kwargs)
            return refuse(request, role=role)

        wrapper.required_role = role
        return wrapper

    return decorator


def _sign_in_next(request) -> str:
    """Where the sign-in page sends the user back: this page (a GET), the page
    an htmx request came from, or the posted ``next`` when it is of this site."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path:
        return htmx.current_url_abs_path
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    posted = request.POST.get("next", "")
    if posted and url_has_allowed_host_and_scheme(
        posted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return posted
    return "/"


def refusal_message(role: str | None = None) -> str:
    """The sentence that says why a signed-in user is refused (in the active language)."""
    if role is None:
        return _("Your account may not do this.")
    return _("This needs the “%(role)s” role, which your account does not have.") % {
        "role": ROLE_LABELS[role]
    }


def refuse(request, *, role: str | None = None) -> HttpResponse:
    """The one answer to a request its user may not make.

    ``role`` is the role that would allow it (None when it is not a matter of
    role: someone else's note, say). Anonymous visitors are sent to sign in;
    signed-in users get 403 saying which role is needed.
    """
    if role is not None:
        _check(role)
    signed_in = request.user.is_authenticated
    htmx = bool(getattr(request, "htmx", False))
    if not signed_in:
        to_sign_in = redirect_to_login(_sign_in_next(request))
        if htmx:
            response = HttpResponse(
                _("Please sign in first."), status=401, content_type="text/plain; charset=utf-8"
            )
            response["HX-Redirect"] = to_sign_in.url
            return response
        if wants_json(request):
            return JsonResponse(
                {"error": _("Please sign in first.")},
                status=401,
                json_dumps_params={"ensure_ascii": False},
            )
        return to_sign_in
    message = refusal_message(role)
    if htmx:
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    if wants_json(request):
        return JsonResponse(
            {"error": message}, status=403, json_dumps_params={"ensure_ascii": False}
        )
    return render(
        request,
        "403.html",
        {"message": message, "role": role, "role_label": ROLE_LABELS.get(role)},
        status=403,
    )
