"""The reader: the canonical text and up to four copies side by side, unit by unit.

One view, ``read``, for ``/documents/<slug>/read/``. Query parameters:

- ``s`` (repeatable): the sigla of the copies to show, 1–4, in priority order;
  default: the first four by ``Source.priority, siglum``;
- ``view=apparatus``: the canonical text with a numbered critical apparatus
  instead of the parallel columns;
- ``orig=1``: each copy as printed (``label_raw + raw``) instead of normalized;
- ``punct=0``: hide punctuation-only differences;
- ``diff=1``: only the units where a shown copy differs;
- ``notes=mine|shared``: which readers' notes to count and highlight
  (default: all the user may read; signed-in users only).

It runs a fixed number of SQL queries (document, sources, units, readings,
sites, the notes the user may read) whatever the size of the document, plus
the session, the user and their roles when signed in, and groups in Python.
With htmx it renders only the ``body`` fragment of ``clauses/read.html``.

Notes: each row has the count of its unit's notes and a link to the unit's
notes panel (loaded beside the table by htmx); span notes are highlighted
in the canonical text (``mark.an-span``, nested inside the site spans). The
canonical text of a row is an element whose text is exactly the unit's
canonical text (site numbers and gap glyphs are CSS), so a selection in it
anchors a new note (``static/js/annotations.js``).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, npgettext, pgettext
from django.views.decorators.http import require_GET

from annotations.models import Note
from annotations.roles import has_role

from .apparatus import apparatus_note, canonical_segments, source_segments
from .models import Document, Reading, Unit, VariantSite

MAX_COLUMNS = 4
NOTE_FILTERS = ("all", "mine", "shared")
# Overview shades: a unit's disagreement score (characters that differ, summed
# over the shown copies) from which each shade step starts.
SHADE_STEPS = (1, 3, 7, 15)
_PLACEHOLDER = "999999999"
# An empty canonical span (a copy adds text there): the caret is CSS, so the
# canonical element's text stays exactly the canonical text.
GAP = '<span class="gap" aria-hidden="true"></span>'
OMITTED = '<span class="gap" aria-hidden="true">∧</span>'  # a copy leaves the text out


def mark_labels() -> dict[str, str]:
    """The names of the marks, as the legend, tooltips and panel show them."""
    return {
        "substitution": pgettext("reader", "substitution"),
        "omission": pgettext("reader", "omission"),
        "addition": pgettext("reader", "addition"),
        "transposition": pgettext("reader", "transposition"),
        "punctuation": pgettext("reader", "punctuation only"),
    }


def _shade(score: float) -> int:
    return sum(1 for step in SHADE_STEPS if score >= step)


def _choose_sources(requested: list[str], sources: list) -> tuple[list, list[str]]:
    """The sources to show, in priority order, and messages about the request."""
    notes: list[str] = []
    by_siglum = {s.siglum: s for s in sources}
    wanted: list[str] = []
    unknown: list[str] = []
    for siglum in requested:
        siglum = siglum.strip()
        if not siglum or siglum in wanted:
            continue
        if siglum in by_siglum:
            wanted.append(siglum)
        else:
            unknown.append(siglum)
    if unknown:
        notes.append(
            pgettext("reader", "No copy with the siglum %(sigla)s: ignored.")
            % {"sigla": " ".join(unknown)}
        )
    if len(wanted) > MAX_COLUMNS:
        wanted_in_order = [s.siglum for s in sources if s.siglum in wanted]
        notes.append(
            pgettext("reader", "At most %(max)d copies fit side by side: showing %(sigla)s.")
            % {"max": MAX_COLUMNS, "sigla": " ".join(wanted_in_order[:MAX_COLUMNS])}
        )
        wanted = wanted_in_order[:MAX_COLUMNS]
    if not wanted:
        return sources[:MAX_COLUMNS], notes
    return [s for s in sources if s.siglum in wanted], notes


def _visible_notes(user, document, which: str) -> tuple[dict, dict]:
    """One query: per unit id, the number of top-level notes ``user`` may read
    (narrowed by ``which``) and the anchored spans among them as (start, end, id)."""
    counts: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int, int]]] = {}
    rows = (
        Note.objects.visible_to(user)
        .of_document(document)
        .top_level()
        .matching(which, user)
        .order_by("start", "pk")
        .values_list("unit_id", "pk", "start", "end", "orphaned", "exact")
    )
    for unit_id, pk, start, end, orphaned, exact in rows:
        counts[unit_id] = counts.get(unit_id, 0) + 1
        if exact and not orphaned and start is not None and end is not None and start < end:
            spans.setdefault(unit_id, []).append((start, end, pk))
    return counts, spans


def _query(params: dict, **changes) -> str:
    merged = {**params, **changes}
    pairs = []
    for key, value in merged.items():
        if isinstance(value, list):
            pairs.extend((key, v) for v in value)
        elif value:
            pairs.append((key, value))
    return "?" + urlencode(pairs) if pairs else "?"


@require_GET
def read(request, slug):
    document = get_object_or_404(Document, slug=slug)
    get = request.GET
    view = "apparatus" if get.get("view") == "apparatus" else "parallel"
    orig = get.get("orig") == "1" and view == "parallel"
    hide_punct = get.get("punct") == "0"
    only_diff = get.get("diff") == "1"
    requested = get.getlist("s")
    user = request.user
    signed_in = user.is_authenticated
    note_filter = get.get("notes", "all") if signed_in else "all"
    if note_filter not in NOTE_FILTERS:
        note_filter = "all"
    can_write = has_role(user, "reader")
    can_annotate = has_role(user, "annotator")

    source_qs = (
        document.sources.defer("original") if orig else document.sources.defer("original", "text")
    )
    all_sources = list(source_qs)
    shown, notes = _choose_sources(requested, all_sources)
    shown_sigla = [s.siglum for s in shown]
    siglum_of = {s.pk: s.siglum for s in all_sources}

    units = list(
        Unit.objects.filter(document=document)
        .order_by("order")
        .only("key", "kind", "label", "level", "order", "canonical")
    )
    readings_qs = Reading.objects.filter(source_id__in=[s.pk for s in shown])
    covered: dict[int, dict[str, str]] = {}  # unit id -> {siglum: raw text or ""}
    if orig:
        texts = {s.pk: s.text for s in shown}
        for unit_id, source_id, label_raw, start, end in readings_qs.values_list(
            "unit_id", "source_id", "label_raw", "raw_start", "raw_end"
        ):
            covered.setdefault(unit_id, {})[siglum_of[source_id]] = (
                label_raw + texts[source_id][start:end]
            )
    else:
        for unit_id, source_id in readings_qs.values_list("unit_id", "source_id"):
            covered.setdefault(unit_id, {})[siglum_of[source_id]] = ""
    sites_by_unit: dict[int, list[VariantSite]] = {}
    for site in VariantSite.objects.filter(unit__document=document).order_by("unit_id", "index"):
        sites_by_unit.setdefault(site.unit_id, []).append(site)
    note_counts, note_spans = _visible_notes(user, document, note_filter)

    labels = mark_labels()
    ocr_label = pgettext("reader", "likely OCR error")
    no_difference = pgettext("reader", "no difference")
    params = {
        "s": requested and shown_sigla,
        "view": "apparatus" if view == "apparatus" else "",
        "orig": "1" if orig else "",
        "punct": "0" if hide_punct else "",
        "diff": "1" if only_diff else "",
        "notes": "" if note_filter == "all" else note_filter,
    }
    unit_url = reverse("unit", args=[document.slug, _PLACEHOLDER])
    notes_url = reverse("annotations:unit_notes", args=[document.slug, _PLACEHOLDER])
    panel_query = "?" + urlencode({"filter": note_filter})
    all_units_query = _query(params, diff="")

    rows = []
    overview = []
    for unit in units:
        sites = sites_by_unit.get(unit.pk, [])
        have = covered.get(unit.pk, {})
        # The sites where a shown copy that has the unit differs from the canonical text.
        info = {}
        score = 0.0
        for site in sites:
            if hide_punct and site.type == VariantSite.Type.PUNCTUATION:
                continue
            lemma = site.canonical_reading
            differing = [
                g for g in shown_sigla if g in have and site.readings.get(g, lemma) != lemma
            ]
            if not differing:
                continue
            info[site.pk] = {"note": apparatus_note(site, lemma), "differing": differing}
            weight = 0.5 if site.type == VariantSite.Type.PUNCTUATION else 1.0
            for g in differing:
                score += weight * max(1, len(lemma), len(site.readings[g]))
        shown_row = bool(info) or not only_diff
        key = unit.key
        overview.append(
            {
                "key": key,
                "label": unit.label or key,
                "shade": _shade(score),
                "title": f"{unit.label or key} · "
                + (
                    npgettext("reader", "%(n)d difference", "%(n)d differences", len(info))
                    % {"n": len(info)}
                    if info
                    else no_difference
                ),
                "heading": unit.kind == Unit.Kind.HEADING,
                "href": f"#r-{key}" if shown_row else f"{all_units_query}#r-{key}",
                "has": [g in have for g in shown_sigla],
            }
        )
        if not shown_row:
            continue

        decided = any(site.decision_id is not None for site in sites)
        canon = _canonical_html(
            key, canonical_segments(unit.canonical, sites), info, view, note_spans.get(unit.pk)
        )
        cells = []
        if view == "parallel":
            for g in shown_sigla:
                if g not in have:
                    cells.append({"g": g, "absent": True, "raw": "", "html": ""})
                elif orig:
                    cells.append({"g": g, "absent": False, "raw": have[g], "html": ""})
                else:
                    html = _source_html(unit, sites, g, info, labels, ocr_label)
                    cells.append({"g": g, "absent": False, "raw": "", "html": html})

        row = {
            "key": key,
            "label": unit.label,
            "kind": unit.kind,
            "level": unit.level,
            # Keys of damaged labels hold "?": quoted as reverse() would.
            "url": unit_url.replace(_PLACEHOLDER, quote(key, safe="")),
            "notes_url": notes_url.replace(_PLACEHOLDER, quote(key, safe="")) + panel_query,
            "nn": note_counts.get(unit.pk, 0),
            "canon": canon,
            "decided": decided,
            "cells": cells,
        }
        if view == "apparatus":
            row["notes"] = [
                {
                    "n": site.index + 1,
                    "note": apparatus_note(site, site.canonical_reading, shown_sigla),
                    "ocr": site.likely_ocr,
                    "decided": site.decision_id is not None,
                }
                for site in sites
                if site.pk in info
            ]
        rows.append(row)

    columns = [
        {
            "source": s,
            "siglum": s.siglum,
            "url": s.get_absolute_url(),
            "errata_url": reverse("annotations:errata", args=[document.slug, s.siglum]),
        }
        for s in shown
    ]
    overview_html = _overview_html(overview, shown_sigla)
    shown_set = set(shown_sigla)
    choices = [
        {
            "siglum": s.siglum,
            "title": s.title,
            "checked": s.siglum in shown_set,
            # Four are shown: the others wait until one is unchecked.
            "disabled": len(shown) >= MAX_COLUMNS and s.siglum not in shown_set,
        }
        for s in all_sources
    ]
    decide_url = reverse("decide_site", args=[document.slug, int(_PLACEHOLDER)])
    flag_url = reverse("annotations:flag_create", args=[document.slug, int(_PLACEHOLDER)])

    context = {
        "document": document,
        "view": view,
        "orig": orig,
        "hide_punct": hide_punct,
        "only_diff": only_diff,
        "columns": columns,
        "ncols": len(columns) + 1,
        "choices": choices,
        "rows": rows,
        "overview": overview_html,
        "unit_count": len(units),
        "notes": notes,
        "labels": labels,
        "read_url": reverse("read", args=[document.slug]),
        "parallel_query": _query(params, view=""),
        "apparatus_query": _query(params, view="apparatus", orig=""),
        "all_units_query": all_units_query,
        "decide_url": decide_url.replace(_PLACEHOLDER, "{id}"),
        "flag_url": flag_url.replace(_PLACEHOLDER, "{id}"),
        "hidden_count": len(units) - len(rows),
        "note_filter": note_filter,
        "note_filters": [
            (value, label, _query(params, notes="" if value == "all" else value))
            for value, label in (
                ("all", gettext("All")),
                ("mine", gettext("Mine")),
                ("shared", gettext("Shared")),
            )
        ]
        if signed_in
        else [],
        "anchors_url": reverse("annotations:note_anchors", args=[document.slug]),
        "can_write": can_write,
        "can_annotate": can_annotate,
        "notes_label": gettext("Notes"),
        # On each row's canonical text: the hooks of static/js/annotations.js.
        "ctext_attrs": mark_safe(
            f' data-note-highlights data-select-label="{escape(gettext("Add a note"))}"'
            + (" data-notes-open" if can_write else "")
        ),
    }
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    template = "clauses/read.html#body" if fragment else "clauses/read.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _overview_html(overview: list[dict], sigla: list[str]) -> str:
    """The overview strip's rows: a cell per unit shaded by disagreement (a link
    to the unit's row), then a row per shown copy marking the units it lacks."""
    out = ['<div class="ov-row ov-diff"><span class="ov-g" aria-hidden="true">±</span>']
    for c in overview:
        title = escape(c["title"])
        heading = " h" if c["heading"] else ""
        out.append(
            f'<a class="ov-c d{c["shade"]}{heading}" href="{escape(c["href"])}" '
            f'data-key="{escape(c["key"])}" title="{title}">'
            f'<span class="visually-hidden">{title}</span></a>'
        )
    out.append("</div>")
    absent = pgettext("reader", "not in this copy")
    for i, g in enumerate(sigla):
        g = escape(g)
        missing = " ".join(escape(c["label"]) for c in overview if not c["has"][i]) or "—"
        summary = pgettext("reader", "Units not in copy %(g)s:") % {"g": g}
        out.append(
            f'<div class="ov-row ov-src"><span class="ov-g siglum" aria-hidden="true">{g}</span>'
            f'<span class="visually-hidden">{summary} {missing}</span>'
        )
        for c in overview:
            if c["has"][i]:
                out.append('<span class="ov-c"></span>')
            else:
                label = escape(c["label"])
                out.append(f'<span class="ov-c miss" title="{g} · {label} · {absent}"></span>')
        out.append("</div>")
    return mark_safe("".join(out))  # every piece is escaped above


def _canonical_html(key: str, segments, info: dict, view: str, spans=None) -> str:
    """The canonical text, each shown site's span numbered (linked to its note in
    the apparatus view), span notes highlighted. Built here rather than in the
    template: it is the inner loop of the page.

    The numbers are ``data-n`` attributes shown by CSS, not text: the element's
    text is exactly the canonical text, as note anchors need. A note's
    highlight is cut at the site spans, so the markup nests.
    """
    out = []
    pos = 0
    for seg in segments:
        site = seg.site
        text = _with_notes(seg.text, pos, spans) if spans else escape(seg.text)
        pos += len(seg.text)
        if site is None or site.pk not in info:
            out.append(text)
            continue
        n = seg.number
        classes = "cs"
        if site.decision_id is not None:
            classes += " cs-decided"
        if not seg.text:
            classes += " cs-empty"
            text = GAP
        if view == "apparatus":
            out.append(
                f'<span class="{classes}" id="s-{key}-{n}">{text}'
                f'<sup class="sn"><a href="#n-{key}-{n}" data-n="{n}" aria-label="{n}"></a></sup>'
                "</span>"
            )
        else:
            out.append(
                f'<span class="{classes}" id="s-{key}-{n}" title="{escape(info[site.pk]["note"])}">'
                f'{text}<sup class="sn" data-n="{n}"></sup></span>'
            )
    return mark_safe("".join(out))  # every piece is escaped above


def _with_notes(text: str, offset: int, spans: list[tuple[int, int, int]]) -> str:
    """``text`` (at ``offset`` in the canonical text), escaped, the parts under
    span notes in ``mark.an-span[data-notes="<ids>"]``."""
    end = offset + len(text)
    inside = [span for span in spans if span[0] < end and span[1] > offset]
    if not inside:
        return escape(text)
    cuts = sorted({offset, end, *(c for s, e, _pk in inside for c in (s, e) if offset < c < end)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = escape(text[a - offset : b - offset])
        ids = " ".join(str(pk) for s, e, pk in inside if s <= a and b <= e)
        out.append(f'<mark class="an-span" data-notes="{ids}">{piece}</mark>' if ids else piece)
    return "".join(out)


def _source_html(unit, sites, siglum: str, info: dict, labels: dict, ocr_label: str) -> str:
    """A copy's text with a focusable mark, and its tooltip, at each site where it differs."""
    out = []
    for seg in source_segments(unit.canonical, sites, siglum):
        site = seg.site
        if site is None or site.pk not in info or not seg.mark:
            out.append(escape(seg.text))
            continue
        # A punctuation-only site is a punctuation mark whatever the copy does there
        # (a left-out comma is not an omission of text).
        mark = "punctuation" if site.type == VariantSite.Type.PUNCTUATION else seg.mark
        label = escape(labels[mark])
        text = escape(seg.text)
        tid = f"t{site.pk}-{siglum}"
        shown = text or f'{OMITTED}<span class="visually-hidden">{label}</span>'
        ocr = f' <span class="tip-ocr">{escape(ocr_label)}</span>' if site.likely_ocr else ""
        out.append(
            f'<button type="button" class="mk mk-{mark}" data-site="{site.pk}" '
            f'data-n="{seg.number}" data-r="{text}" aria-describedby="{tid}">{shown}'
            f'<span class="tip" role="tooltip" id="{tid}"><span class="tip-type">{label} '
            f'{seg.number}</span> <span class="tip-note">{escape(info[site.pk]["note"])}</span>'
            f"{ocr}</span></button>"
        )
    return mark_safe("".join(out))  # every piece is escaped above
