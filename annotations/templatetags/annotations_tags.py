"""``{% load annotations_tags %}``: roles, Markdown, small display helpers."""

from django import template

from policyreader.roles import has_role as _has_role

from ..rendering import render_markdown

register = template.Library()


@register.filter
def has_role(user, role: str) -> bool:
    """``{% if user|has_role:"editor" %}``"""
    return _has_role(user, role)


@register.filter
def markdown(text: str):
    """A note's Markdown, rendered and sanitized (nh3)."""
    return render_markdown(text)
