"""``{% load studies_tags %}``: the user's study sets for the "add to study set" form."""

from urllib.parse import urlencode

from django import template

from policyreader.roles import has_role

from ..models import AUTHOR_ROLE, StudySet

register = template.Library()

_CACHE_ATTR = "_studies_editable_sets"


@register.simple_tag(takes_context=True)
def my_study_sets(context) -> list:
    """The sets the signed-in user may add to (id and title), newest first; one query
    per request however many forms a page shows (cached on the request). Empty
    for users without the annotator role."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not has_role(user, AUTHOR_ROLE):
        return []
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            StudySet.objects.editable_by(user).order_by("-modified", "-pk").only("pk", "title")
        )
        setattr(request, _CACHE_ATTR, cached)
    return cached


@register.filter
def may_study(user) -> bool:
    """``{% if user|may_study %}``: the user may make and fill study sets."""
    return has_role(user, AUTHOR_ROLE)


@register.simple_tag
def add_query(document, unit, start=None, end=None, next_url="", anchor="") -> str:
    """The query string of the "add to study set" address for a unit (or the span
    ``[start, end)``, 0-based character offsets), coming back to ``next_url#anchor``."""
    params = {"document": document or "", "unit": unit or ""}
    if start not in (None, "") and end not in (None, ""):
        params["start"], params["end"] = start, end
    if next_url:
        params["next"] = f"{next_url}#{anchor}" if anchor else next_url
    return "?" + urlencode(params)
