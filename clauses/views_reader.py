"""The reader: the canonical text and any number of copies side by side, unit by unit.

One view, ``read``, for ``/documents/<slug>/read/``, in the queue's shape
(``views_editor``): the query string is parsed once into ``ReaderOptions``,
``reader_context`` builds what ``clauses/read.html`` shows, and the markup is
the template's (``{% partialdef %}`` fragments). Query parameters:

- ``s`` (repeatable): the sigla of the copies to show side by side, any number,
  shown in priority order; default: the first ``DEFAULT_COLUMNS``;
- ``view=apparatus``: the canonical text with a numbered critical apparatus
  that lists every copy's reading, whichever copies are picked;
- ``orig=1``: each copy as printed (``label_raw + raw``) instead of normalized;
- ``punct=0``: hide punctuation-only differences;
- ``diff=1``: only the units where a shown copy differs;
- ``from``/``to``: unit keys, the first and last unit to read (a range);
- ``notes=mine|shared``: which readers' notes to count and highlight
  (default: all the user may read; signed-in users only);
- ``page``: the page of rows to show, ``READER_UNITS_PER_PAGE`` rows a page
  (a bad number: the first page, or the last when beyond it);
- ``unit``: a unit's key: show the page with that unit (or with the first row
  after it when it is not shown), whatever ``page`` says.

It runs a fixed number of SQL queries (document, sources, units, readings,
sites, the notes the user may read, the confirmed transcription-error flags)
whatever the size of the document and the number of copies, plus the session,
the user and their roles when signed in, and groups in Python. With htmx it
renders only the ``body`` fragment of ``clauses/read.html``.

The canonical text of a row is an element whose text is exactly the unit's
canonical text (site numbers and gap glyphs are CSS), so a selection in it
anchors a new note (``static/js/annotations.js``). Element ids made from unit
keys all come from ``apparatus.dom_id`` (the ``domid`` template filter).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext, npgettext, pgettext
from django.views.decorators.http import require_safe

from annotations.models import Flag, Note
from policyreader.roles import has_role

from .apparatus import (
    apparatus_note,
    canonical_segments,
    dom_id,
    lacuna_side,
    site_type_labels,
    source_segments,
)
from .models import Document, Reading, Source, Unit, VariantSite
from .templatetags.clauses_tags import label_to_show

DEFAULT_COLUMNS = 4  # copies side by side when none is picked
NOTE_FILTERS = ("all", "mine", "shared")
# Overview shades: a unit's disagreement score (characters that differ, summed
# over the shown copies) from which each shade step starts.
SHADE_STEPS = (1, 3, 7, 15)
# At most this many cells in the overview strip: above, each cell stands for a
# run of consecutive units.
OVERVIEW_MAX_CELLS = 500
# Above this many cells the strip's cells stand 1 px apart on narrow screens,
# above the second none at any width (reader.css): a fixed 2 px gap a cell
# made a long law's strip wider than a phone.
OVERVIEW_DENSE = 60
OVERVIEW_PACKED = 120
# At most this many units in each of the range's lists: above, they list the
# headings and the first (or last) unit of each page.
RANGE_MAX_OPTIONS = 1000
_PLACEHOLDER = "999999999"


# --- Options ------------------------------------------------------------------


@dataclass(frozen=True)
class ReaderOptions:
    """What the query string asks for, parsed once; unknown values mean the default."""

    view: str = "parallel"  # or "apparatus"
    orig: bool = False
    hide_punct: bool = False
    only_diff: bool = False
    sigla: tuple[str, ...] = ()  # as asked (``s``), not yet checked
    notes: str = "all"
    start: str = ""  # ``from``: the first unit's key
    end: str = ""  # ``to``: the last unit's key
    page: str = ""  # the page of rows, as asked
    unit: str = ""  # a unit whose page to show

    @classmethod
    def parse(cls, query: QueryDict, signed_in: bool) -> ReaderOptions:
        view = "apparatus" if query.get("view") == "apparatus" else "parallel"
        notes = query.get("notes", "all") if signed_in else "all"
        sigla: list[str] = []
        for siglum in query.getlist("s"):
            siglum = siglum.strip()
            if siglum and siglum not in sigla:
                sigla.append(siglum)
        return cls(
            view=view,
            orig=query.get("orig") == "1" and view == "parallel",
            hide_punct=query.get("punct") == "0",
            only_diff=query.get("diff") == "1",
            sigla=tuple(sigla),
            notes=notes if notes in NOTE_FILTERS else "all",
            start=query.get("from", "").strip(),
            end=query.get("to", "").strip(),
            page=query.get("page", "").strip(),
            unit=query.get("unit", "").strip(),
        )

    def query(self, **changes) -> str:
        """This state's query string (``?…``), with ``changes``."""
        o = replace(self, **changes)
        pairs = [("s", g) for g in o.sigla]
        if o.view == "apparatus":
            pairs.append(("view", "apparatus"))
        if o.orig:
            pairs.append(("orig", "1"))
        if o.hide_punct:
            pairs.append(("punct", "0"))
        if o.only_diff:
            pairs.append(("diff", "1"))
        if o.start:
            pairs.append(("from", o.start))
        if o.end:
            pairs.append(("to", o.end))
        if o.notes != "all":
            pairs.append(("notes", o.notes))
        if o.page and o.page != "1":
            pairs.append(("page", o.page))
        if o.unit:
            pairs.append(("unit", o.unit))
        return "?" + urlencode(pairs) if pairs else "?"


def choose_sources(options: ReaderOptions, sources: list) -> tuple[list, list[str]]:
    """The copies to show side by side, in priority order, and messages about the request."""
    known = {s.siglum for s in sources}
    unknown = [g for g in options.sigla if g not in known]
    messages = []
    if unknown:
        messages.append(
            pgettext("reader", "No copy with the siglum %(sigla)s: ignored.")
            % {"sigla": " ".join(unknown)}
        )
    wanted = set(options.sigla) & known
    if not wanted:
        return sources[:DEFAULT_COLUMNS], messages
    return [s for s in sources if s.siglum in wanted], messages


def choose_range(options: ReaderOptions, units: list) -> tuple[int, int, list[str]]:
    """The indexes of the first and last unit to read, and messages about the request."""
    index = {u.key: i for i, u in enumerate(units)}
    messages = []
    for key in (options.start, options.end):
        if key and key not in index:
            messages.append(
                pgettext("reader", "No unit with the key %(key)s: ignored.") % {"key": key}
            )
    first = index.get(options.start, 0)
    last = index.get(options.end, len(units) - 1)
    if first > last:
        first, last = last, first
    return first, last, messages


# --- Queries --------------------------------------------------------------------


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


def _confirmed_errors(document) -> dict[tuple[int, int], list[tuple[str, str, int]]]:
    """One query: the confirmed transcription errors, per (unit id, source id):
    (the reading printed, its correction, the flag's id)."""
    errors: dict[tuple[int, int], list[tuple[str, str, int]]] = {}
    rows = (
        Flag.objects.confirmed()
        .filter(unit__document=document)
        .values_list("unit_id", "source_id", "reading", "correction", "proposed", "pk")
    )
    for unit_id, source_id, reading, correction, proposed, pk in rows:
        errors.setdefault((unit_id, source_id), []).append((reading, correction or proposed, pk))
    return errors


# --- Building the page ------------------------------------------------------------


def _shade(score: float) -> int:
    return sum(1 for step in SHADE_STEPS if score >= step)


def _note_pieces(text: str, offset: int, spans) -> list[dict] | None:
    """``text`` (at ``offset`` in the canonical text) cut where span notes begin
    and end: ``[{"text", "ids"}]``, or None when no note touches it."""
    if not spans:
        return None
    end = offset + len(text)
    inside = [span for span in spans if span[0] < end and span[1] > offset]
    if not inside:
        return None
    cuts = sorted({offset, end, *(c for s, e, _pk in inside for c in (s, e) if offset < c < end)})
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        ids = " ".join(str(pk) for s, e, pk in inside if s <= a and b <= e)
        pieces.append({"text": text[a - offset : b - offset], "ids": ids})
    return pieces


def _overview_cells(units: list[dict], no_difference: str) -> list[dict]:
    """The overview strip's cells: a cell per unit, or, above ``OVERVIEW_MAX_CELLS``
    units, a cell per run of consecutive units (the darkest shade of the run,
    the differences summed, a link to its first unit, a copy missing when it
    lacks one of them)."""
    if not units:
        return []
    size = -(-len(units) // OVERVIEW_MAX_CELLS)
    cells = []
    for k in range(0, len(units), size):
        run = units[k : k + size]
        head = run[0]
        n = sum(o["n"] for o in run)
        label = head["label"] if len(run) == 1 else f"{head['label']}–{run[-1]['label']}"
        title = (
            npgettext("reader", "%(n)d difference", "%(n)d differences", n) % {"n": n}
            if n
            else no_difference
        )
        cells.append(
            {
                "key": head["key"],
                "label": label,
                "shade": max(o["shade"] for o in run),
                "title": f"{label} · {title}",
                "heading": head["heading"] and len(run) == 1,
                "href": head["href"],
                "has": [all(has) for has in zip(*(o["has"] for o in run), strict=True)],
                "out": all(o["out"] for o in run),
            }
        )
    return cells


def _range_choices(units: list, per_page: int) -> tuple[list, list]:
    """The units the range's two lists offer: every unit, or, above
    ``RANGE_MAX_OPTIONS``, the headings and the first unit of each page (``from``),
    and the units just before them and the last unit (``to``)."""
    if len(units) <= RANGE_MAX_OPTIONS:
        return units, units
    starts = sorted(
        {0, *range(0, len(units), per_page)}
        | {i for i, u in enumerate(units) if u.kind == Unit.Kind.HEADING}
    )
    if len(starts) > RANGE_MAX_OPTIONS:
        starts = list(range(0, len(units), per_page))
    ends = [i - 1 for i in starts if i > 0] + [len(units) - 1]
    return [units[i] for i in starts], [units[i] for i in ends]


class _Builder:
    """The pieces of one unit's row: its canonical text and each copy's text."""

    def __init__(self, labels, info, errors, key, flag_url):
        self.flag_url = flag_url  # a flag's page, "{id}" for its id
        self.labels = labels
        self.info = info  # {site id: {"note"}}: the sites shown
        self.errors = errors
        self.key = key  # the unit's key as an id (dom_id)

    def canonical(self, unit, sites, spans) -> list[dict]:
        """The canonical text as pieces: plain text (with note highlights) and
        each shown site's span, numbered."""
        out = []
        pos = 0
        info = self.info
        for seg in canonical_segments(unit.canonical, sites):
            site = seg.site
            piece = {"text": seg.text, "notes": _note_pieces(seg.text, pos, spans)}
            pos += len(seg.text)
            if site is not None and site.pk in info:
                piece.update(
                    site=True,
                    n=seg.number,
                    id=f"s-{self.key}-{seg.number}",
                    nid=f"n-{self.key}-{seg.number}",
                    note=info[site.pk]["note"],
                    decided=site.decision_id is not None,
                    tie=site.tie,
                    type=site.type,
                )
            out.append(piece)
        return out

    def copy(self, unit, sites, siglum: str, source_id: int, gid: str) -> list[dict]:
        """A copy's text as pieces: plain text, and a mark at each shown site
        where it differs (with its tooltip, and a confirmed error's correction)."""
        out = []
        info = self.info
        labels = self.labels
        errors = self.errors.get((unit.pk, source_id), ())
        for seg in source_segments(unit.canonical, sites, siglum):
            site = seg.site
            if site is None or site.pk not in info or not seg.mark:
                out.append({"text": seg.text})
                continue
            # A punctuation-only site is a punctuation mark whatever the copy does
            # there (a left-out comma is not an omission of text).
            mark = "punctuation" if site.type == VariantSite.Type.PUNCTUATION else seg.mark
            side = lacuna_side(site, siglum, len(unit.canonical)) if mark == "lacuna" else ""
            error = next(
                (
                    {"correction": c, "url": self.flag_url.replace("{id}", str(pk))}
                    for r, c, pk in errors
                    if r == seg.text
                ),
                None,
            )
            out.append(
                {
                    "text": seg.text,
                    "mark": mark,
                    "label": labels[mark],
                    "side": labels[side] if side else "",
                    "site": site.pk,
                    "n": seg.number,
                    "tid": f"t{site.pk}-{gid}",
                    "note": info[site.pk]["note"],
                    "ocr": site.likely_ocr,
                    "tie": site.tie,
                    "error": error,
                }
            )
        return out


def _row_cache_keys(rows: list[dict], options: ReaderOptions, request) -> None:
    """A cache key for each rendered row: a digest of everything the row's markup
    is made of (the row's own data, the view, the language, who may write), so
    a second view of an unchanged row is not rendered again, and any change to
    its text, sites, notes or options makes another key. The template caches
    the fragment with Django's cache framework (``{% cache %}``)."""
    shared = (
        get_language(),
        options.view,
        options.orig,
        options.notes,
        has_role(request.user, "reader"),  # can_write: the note-taking attributes
    )
    for row in rows:
        row["cache_key"] = hashlib.blake2b(repr((shared, row)).encode(), digest_size=16).hexdigest()


def reader_context(request, document: Document, options: ReaderOptions) -> dict:
    """Everything ``clauses/read.html`` shows: seven queries, whatever the data."""
    user = request.user
    all_sources = list(document.sources.for_reader(with_text=options.orig))
    shown, messages = choose_sources(options, all_sources)
    if options.sigla:
        options = replace(options, sigla=tuple(s.siglum for s in shown))
    shown_sigla = [s.siglum for s in shown]
    siglum_of = {s.pk: s.siglum for s in all_sources}
    pk_of = {s.siglum: s.pk for s in all_sources}
    by_pk = {s.pk: s for s in all_sources}

    units = list(Unit.objects.for_reader(document))
    first, last, range_messages = choose_range(options, units) if units else (0, -1, [])
    messages += range_messages
    ranged = bool(units) and (first > 0 or last < len(units) - 1)

    covered: dict[int, set[str]] = {}  # unit id -> sigla of every copy that has it
    printed: dict[tuple[int, str], str] = {}  # (unit id, siglum) -> the text as printed
    if options.orig:
        texts = {s.pk: s.text for s in shown}
        for unit_id, source_id, label_raw, start, end in Reading.objects.spans(list(by_pk)):
            siglum = siglum_of[source_id]
            covered.setdefault(unit_id, set()).add(siglum)
            if source_id in texts:
                printed[unit_id, siglum] = label_raw + texts[source_id][start:end]
    else:
        for unit_id, source_id in Reading.objects.coverage(list(by_pk)):
            covered.setdefault(unit_id, set()).add(siglum_of[source_id])
    sites_by_unit: dict[int, list[VariantSite]] = {}
    for site in VariantSite.objects.of_document(document):
        sites_by_unit.setdefault(site.unit_id, []).append(site)
    note_counts, note_spans = _visible_notes(user, document, options.notes)
    errors = _confirmed_errors(document)

    labels = site_type_labels()
    apparatus = options.view == "apparatus"
    # The copies whose differences count: those side by side, or every copy in
    # the apparatus, which always lists every copy's reading.
    counted = [s.siglum for s in all_sources] if apparatus else shown_sigla
    unit_url = reverse("unit", args=[document.slug, _PLACEHOLDER])
    notes_url = reverse("annotations:unit_notes", args=[document.slug, _PLACEHOLDER])
    panel_query = "?" + urlencode({"filter": options.notes})
    gids = {g: dom_id(g) for g in shown_sigla}
    no_difference = pgettext("reader", "no difference")
    flag_url = reverse("annotations:flag", args=[int(_PLACEHOLDER)]).replace(_PLACEHOLDER, "{id}")

    # Which sites of each unit a counted copy differs at, its score, whether it is shown.
    infos: list[dict] = []
    scores: list[float] = []
    shown_idx: list[int] = []  # the indexes of the units shown, in order
    for i, unit in enumerate(units):
        have = covered.get(unit.pk, set())
        # The sites where a counted copy that has the unit differs from the canonical text.
        info = {}
        score = 0.0
        for site in sites_by_unit.get(unit.pk, ()):
            if options.hide_punct and site.type == VariantSite.Type.PUNCTUATION:
                continue
            lemma = site.canonical_reading
            readings = site.readings
            differing = [g for g in counted if g in have and readings.get(g, lemma) != lemma]
            if not differing:
                continue
            info[site.pk] = site  # its apparatus note only when its row is shown
            weight = 0.5 if site.type == VariantSite.Type.PUNCTUATION else 1.0
            for g in differing:
                score += weight * max(1, len(lemma), len(readings[g]))
        infos.append(info)
        scores.append(score)
        if first <= i <= last and (bool(info) or not options.only_diff):
            shown_idx.append(i)

    # The page of rows: ``unit`` names a unit to show, else ``page`` a page.
    per_page = settings.READER_UNITS_PER_PAGE
    asked_page = options.page
    if options.unit:
        at = next((i for i, u in enumerate(units) if u.key == options.unit), None)
        if at is None:
            messages.append(
                pgettext("reader", "No unit with the key %(key)s: ignored.") % {"key": options.unit}
            )
        else:
            pos = bisect.bisect_left(shown_idx, at)
            asked_page = str(min(pos, max(len(shown_idx) - 1, 0)) // per_page + 1)
    page = Paginator(shown_idx, per_page).get_page(asked_page)
    options = replace(options, page=str(page.number), unit="")
    on_page = set(page.object_list)
    page_of = {i: n // per_page + 1 for n, i in enumerate(shown_idx)}
    full_query = options.query(only_diff=False, start="", end="", page="")
    page_queries: dict[int, str] = {}
    full_queries: dict[int, str] = {}

    def href_of(i: int, rid: str) -> str:
        """A link to unit ``i``'s row: on this page, another, or in the whole text."""
        if i in on_page:
            return f"#{rid}"
        if i in page_of:
            n = page_of[i]
            if n not in page_queries:
                page_queries[n] = options.query(page=str(n))
            return f"{page_queries[n]}#{rid}"
        n = i // per_page + 1  # every unit is shown in the whole text
        if n not in full_queries:
            full_queries[n] = options.query(only_diff=False, start="", end="", page=str(n))
        return f"{full_queries[n]}#{rid}"

    rows = []
    overview = []
    for i, unit in enumerate(units):
        info = infos[i]
        have = covered.get(unit.pk, set())
        key = unit.key
        rid = dom_id(key, "r")
        label = unit.locator or unit.label
        overview.append(
            {
                "key": key,
                "label": label,
                "shade": _shade(scores[i]),
                "n": len(info),
                "heading": unit.kind == Unit.Kind.HEADING,
                "href": href_of(i, rid),
                "has": [g in have for g in shown_sigla],
                "out": not first <= i <= last,
            }
        )
    for i in page.object_list:
        unit = units[i]
        info = {
            pk: {"note": apparatus_note(site, site.canonical_reading)}
            for pk, site in infos[i].items()
        }
        sites = sites_by_unit.get(unit.pk, [])
        have = covered.get(unit.pk, set())
        key = unit.key
        rid = dom_id(key, "r")
        build = _Builder(labels, info, errors, dom_id(key), flag_url)
        row = {
            "key": key,
            "id": rid,
            "label": label_to_show(unit.label, unit.canonical),
            "locator": unit.locator or unit.label,  # what the unit is named by
            "kind": unit.kind,
            "level": unit.level,
            # Keys of damaged labels hold "?": quoted as reverse() would.
            "url": unit_url.replace(_PLACEHOLDER, quote(key, safe="")),
            "notes_url": notes_url.replace(_PLACEHOLDER, quote(key, safe="")) + panel_query,
            "nn": note_counts.get(unit.pk, 0),
            "canon": build.canonical(unit, sites, note_spans.get(unit.pk)),
            "decided": any(site.decision_id is not None for site in sites),
            "diff": bool(info),
        }
        if apparatus:
            row["notes"] = [
                {
                    "n": site.index + 1,
                    "id": f"n-{build.key}-{site.index + 1}",
                    "back": f"s-{build.key}-{site.index + 1}",
                    "note": info[site.pk]["note"],
                    "type": site.type,
                    "ocr": site.likely_ocr,
                    "tie": site.tie,
                    "decided": site.decision_id is not None,
                    "errors": [
                        {
                            "g": g,
                            "reading": r,
                            "correction": c,
                            "url": flag_url.replace("{id}", str(pk)),
                        }
                        for g in counted
                        for r, c, pk in errors.get((unit.pk, pk_of[g]), ())
                        if site.readings.get(g) == r and r != site.canonical_reading
                    ],
                }
                for site in sites
                if site.pk in info
            ]
        else:
            cells = []
            for source in shown:
                g = source.siglum
                if g not in have:
                    cells.append({"g": g, "absent": True})
                elif options.orig:
                    cells.append({"g": g, "raw": printed.get((unit.pk, g), "")})
                else:
                    cells.append({"g": g, "segs": build.copy(unit, sites, g, source.pk, gids[g])})
            row["cells"] = cells
        rows.append(row)
    _row_cache_keys(rows, options, request)
    overview = _overview_cells(overview, no_difference)
    range_from, range_to = _range_choices(units, per_page)
    range_first = units[first] if units else None
    range_last = units[last] if units else None
    if range_first is not None and range_first not in range_from:
        range_from = sorted([*range_from, range_first], key=lambda u: u.order)
    if range_last is not None and range_last not in range_to:
        range_to = sorted([*range_to, range_last], key=lambda u: u.order)

    shown_set = set(shown_sigla)
    read_url = reverse("read", args=[document.slug])
    derived = {s.pk: by_pk.get(s.derived_from_id) for s in all_sources if s.derived_from_id}

    def witness(s: Source) -> dict:
        parent = derived.get(s.pk)
        return {
            "source": s,
            "siglum": s.siglum,
            "gid": dom_id(s.siglum),
            "url": s.get_absolute_url(),
            "errata_url": reverse("annotations:errata", args=[document.slug, s.siglum]),
            "derived_from": parent.siglum if parent else "",
            "checked": s.siglum in shown_set,
            # The same page without this copy (when another one stays).
            "hide_query": options.query(sigla=tuple(g for g in shown_sigla if g != s.siglum))
            if s.siglum in shown_set and len(shown_sigla) > 1
            else "",
        }

    witnesses = [witness(s) for s in all_sources]
    columns = [w for w in witnesses if w["checked"]]
    signed_in = user.is_authenticated
    return {
        "document": document,
        "options": options,
        "view": options.view,
        "orig": options.orig,
        "hide_punct": options.hide_punct,
        "only_diff": options.only_diff,
        "columns": columns,
        "ncols": len(columns) + 1,
        "witnesses": witnesses,
        "rows": rows,
        "overview": overview,
        "overview_density": (
            "packed"
            if len(overview) > OVERVIEW_PACKED
            else "dense"
            if len(overview) > OVERVIEW_DENSE
            else ""
        ),
        "overview_rows": [
            {
                "g": c["siglum"],
                "cells": [(o["has"][i], o["label"]) for o in overview],
                "missing": " ".join(o["label"] for o in overview if not o["has"][i]) or "—",
            }
            for i, c in enumerate(columns)
        ],
        "unit_count": len(units),
        "units": units,
        "range_from": range_from,
        "range_to": range_to,
        "page": page,
        "shown_count": len(shown_idx),
        "page_first": units[page.object_list[0]] if page.object_list else None,
        "previous_query": options.query(page=str(page.previous_page_number()))
        if page.has_previous()
        else "",
        "next_query": options.query(page=str(page.next_page_number())) if page.has_next() else "",
        "range": {
            "on": ranged,
            "first": units[first] if units else None,
            "last": units[last] if units else None,
        },
        "notes": messages,
        "labels": labels,
        "site_types": [(t, labels[t]) for t in ("substitution", "omission", "addition")]
        + [(t, labels[t]) for t in ("transposition", "punctuation", "lacuna")],
        "read_url": read_url,
        "parallel_query": options.query(view="parallel"),
        "apparatus_query": options.query(view="apparatus", orig=False),
        # Every unit, from the first unit of this page on.
        "all_units_query": options.query(
            only_diff=False,
            page="",
            unit=units[page.object_list[0]].key if page.number > 1 else "",
        ),
        "full_query": full_query,
        "hidden_count": (last - first + 1) - len(rows) if units else 0,
        "range_count": last - first + 1 if units else 0,
        "note_filter": options.notes,
        "note_filters": [
            (value, label, options.query(notes=value))
            for value, label in (
                ("all", gettext("All")),
                ("mine", gettext("Mine")),
                ("shared", gettext("Shared")),
            )
        ]
        if signed_in
        else [],
        "decide_url": reverse("decide_site", args=[document.slug, int(_PLACEHOLDER)]).replace(
            _PLACEHOLDER, "{id}"
        ),
        "flag_url": reverse(
            "annotations:flag_create", args=[document.slug, int(_PLACEHOLDER)]
        ).replace(_PLACEHOLDER, "{id}"),
        "anchors_url": reverse("annotations:note_anchors", args=[document.slug]),
        "flag_page_url": flag_url,
        "can_write": has_role(user, "reader"),
        "can_annotate": has_role(user, "annotator"),
        "notes_label": gettext("Notes"),
        "add_note_label": gettext("Add a note"),
        "canonical_label": pgettext("reader", "Canonical"),
        "absent_label": pgettext("reader", "not in this copy"),
        "ocr_label": pgettext("reader", "likely OCR error"),
    }


@require_safe
def read(request, slug):
    document = get_object_or_404(Document, slug=slug)
    options = ReaderOptions.parse(request.GET, request.user.is_authenticated)
    context = reader_context(request, document, options)
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    template = "clauses/read.html#body" if fragment else "clauses/read.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
