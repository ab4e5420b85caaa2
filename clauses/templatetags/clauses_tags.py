"""``{% load clauses_tags %}``: DOM ids from unit keys, the site-type vocabulary, labels.

- ``{{ unit.key|domid:"q" }}``: the one way to make an element id (or an
  ``#id`` selector) from a unit key: valid and unique for any key
  (``s1.p2`` → ``q-s1_dp2``; see ``clauses.apparatus.dom_id``).
- ``{{ site.type|site_label }}``: a site type's name (``tie``, ``begins``,
  ``ends`` too); ``{% include "clauses/_site_type.html" with type=… tie=… %}``
  renders it as a chip in the one colour scheme of ``static/css/app.css``.
- ``{{ unit|shown_label }}``: the label to print before a unit's text: none
  when the text already starts with it (the bullets "——" of a plan).
- ``{{ source.url|web_link }}``: the URL when it may be a link (http or
  https), else "" (a stored ``javascript:`` URL is shown as text, never linked).
- ``{{ figures.total|grouped }}``: a count with its thousands grouped by commas
  (4,319), in every language, as the import report's sentences print counts.
"""

from urllib.parse import urlsplit

from django import template

from ..apparatus import dom_id, site_type_labels

register = template.Library()


@register.filter
def domid(key, prefix: str = "") -> str:
    return dom_id(str(key), prefix)


@register.filter
def site_label(site_type: str) -> str:
    return site_type_labels().get(site_type, site_type)


def label_to_show(label: str, text: str) -> str:
    return "" if not label or text.startswith(label) else label


@register.filter
def shown_label(unit) -> str:
    return label_to_show(unit.label, unit.canonical)


@register.filter
def grouped(value) -> str:
    """``value`` (an integer, or what ``int()`` takes) as ``f"{n:,}"``; "" for None."""
    return "" if value is None else f"{int(value):,}"


@register.filter
def web_link(url) -> str:
    """``url`` when its scheme is http or https (case-insensitive, surrounding
    white space ignored) and it names a host, else "": what a page may put in
    an ``href``. Browsers strip tabs and newlines inside a URL and leading
    control characters, so a URL holding any character below U+0021 is refused."""
    text = str(url or "").strip()
    if not text or any(ord(c) < 0x21 for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return text


@register.filter
def change_runs(before: str, after: str) -> list[tuple[str, str]]:
    """A canonical text's change as runs ``(kind, text)`` — "equal" (shortened
    around the changes), "del", "ins" — as the history page shows it."""
    from clauses.views_editor import change_runs as runs

    return runs(before or "", after or "")
