"""Roles: ``reader`` ⊂ ``annotator`` ⊂ ``editor``, stored as auth groups.

* reader -- reads, writes private notes;
* annotator -- also shared and public notes, replies, transcription-error flags;
* editor -- also imports, canonical decisions, flag decisions, tag renames.

Staff and superusers count as editors. The groups are created by a data
migration; :func:`assign_role` creates a missing one (a test database flushed
by a transactional test has none).

Views use :func:`role_required`; templates the ``has_role`` filter of
``annotations_tags``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _

ROLES = ("reader", "annotator", "editor")

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


def role_required(role: str, *, raise_exception: bool = False):
    """View decorator: the signed-in user must have ``role`` (checked on the server).

    Without it a page request is redirected to the sign-in page (which says
    when the account cannot open the page), like ``login_required``; an htmx
    request gets a 403 with a short plain-text message (and, when nobody is
    signed in, an ``HX-Redirect`` to the sign-in page); with
    ``raise_exception=True`` every refusal is a 403.
    """
    _check(role)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if has_role(request.user, role):
                return view(request, *args, **kwargs)
            return refuse(request, raise_exception=raise_exception)

        wrapper.required_role = role
        return wrapper

    return decorator


def refuse(request, *, raise_exception: bool = False):
    """The response for a request whose user may not do this."""
    signed_in = request.user.is_authenticated
    if getattr(request, "htmx", False):
        response = HttpResponse(
            _("Your account may not do this.") if signed_in else _("Please sign in first."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
        if not signed_in:
            current = request.htmx.current_url_abs_path or request.get_full_path()
            response["HX-Redirect"] = redirect_to_login(current).url
        return response
    if raise_exception:
        raise PermissionDenied
    return redirect_to_login(request.get_full_path())
