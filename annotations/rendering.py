"""Notes are Markdown; what reaches the page has been through the nh3 sanitizer.

Markdown lets raw HTML through, so the sanitizer is what makes a note safe:
it keeps a small set of text tags, links only to http(s) and mailto with
``rel="nofollow noopener noreferrer"``, and drops everything else
(``<script>`` and ``<style>`` with their content, event handlers,
``javascript:`` URLs, ``<iframe>``, ``style`` attributes, images).
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitized HTML, safe to put in a page."""
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables", "nl2br"])
    # Headings inside a note are demoted below the page's own (h1–h3 → h4–h6).
    for level, to in (("h1", "h4"), ("h2", "h5"), ("h3", "h6")):
        html = html.replace(f"<{level}>", f"<{to}>").replace(f"</{level}>", f"</{to}>")
    return mark_safe(sanitize(html))  # noqa: S308 -- sanitized just above
