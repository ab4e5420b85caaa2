"""Pages: documents, their canonical text, sources, units; import for editors."""

from __future__ import annotations

import base64
import bisect
import hashlib
import math
import re
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from policyreader.roles import has_role, role_required

from .export import document_export, relations_of
from .forms import DerivedFromForm, ImportForm, RelationForm
from .ingest import (
    KEPT_THRESHOLD,
    CutsError,
    SourceMeta,
    accounting_figures,
    choose,
    cut_passages,
    placement,
    preview_import,
    propose,
    read_prepared,
    refuse_duplicate,
    set_derived_from,
    shown_preview,
)
from .models import Document, DocumentRelation, ImportJob, Reading, Source, Unit
from .report import describe_report, region_name, scheme_description
from .report import part_name as _part_name
from .tasks import WORKER_COMMAND, WORKER_HINT_SECONDS, enqueue, waiting_for_a_worker
from .text.address import subdivisions
from .text.align import DOCUMENT_THRESHOLD
from .text.pipeline import IngestError
from .views_export import attachment

#: The document's metadata fields as a person reads them, in the order shown.
METADATA_LABELS = {
    "covering_title": gettext_lazy("Issued by the circular"),
    "number": gettext_lazy("Document number"),
    "issuers": gettext_lazy("Issuing bodies"),
    "date": gettext_lazy("Date of writing"),
    "addressees": gettext_lazy("Addressed to"),
    "history": gettext_lazy("Adoption and amendments"),
    "attachments": gettext_lazy("Attachments"),
    "signatory": gettext_lazy("Signed by"),
    "cc": gettext_lazy("Copies to"),
    "printed": gettext_lazy("Printed and issued"),
    "note": pgettext_lazy("metadata", "Note"),
    "published": gettext_lazy("Published"),
    "dateline": gettext_lazy("Dateline"),
    "subject": gettext_lazy("Subject"),
    "index_number": gettext_lazy("Index number"),
}

#: Region kinds of a source's original text, for the legend.
REGION_LABELS = {
    "reading": gettext_lazy("reading of a unit"),
    "metadata": gettext_lazy("metadata field"),
    "furniture": gettext_lazy("furniture (site chrome, newspaper furniture, markup)"),
    "toc": gettext_lazy("table of contents"),
    "cut": gettext_lazy("cut: outside the document"),
    "cleanup": gettext_lazy("removed by a clean-up rule"),
    "other": gettext_lazy("not assigned (white space)"),
}

XIANG = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
MU = re.compile(r"^(?:\d+[.．、]|[（(]\d+[）)]|[①-⑳])")


def metadata_rows(doc: Document) -> list[dict]:
    """The document's metadata as rows (label, value or values), in a fixed order;
    the document's own number, issuers and date where the metadata lacks them."""
    data = dict(doc.metadata or {})
    data.setdefault("number", doc.number)
    data.setdefault("issuers", doc.issuers)
    if doc.date:
        data.setdefault("date", doc.date.isoformat())
    rows = []
    for name, value in [
        *((k, data.get(k)) for k in METADATA_LABELS),
        *((k, v) for k, v in data.items() if k not in METADATA_LABELS and k != "title"),
    ]:
        if not value:
            continue
        values = [str(v) for v in value] if isinstance(value, list | tuple) else None
        rows.append(
            {
                "name": name,
                "label": METADATA_LABELS.get(name, name),
                "value": "" if values is not None else str(value),
                "values": values,
            }
        )
    return rows


def article_paragraphs(unit) -> list[dict]:
    """An article's lines: each 款, 项 （一） and 目 1. with its kind, its anchor
    (``u-a3-k1-x2``, a fragment of the document page) and its citation
    (第三条第一款第（二）项), from ``clauses.text.address``."""
    paragraphs = []
    article = unit.label or unit.key
    for sub in subdivisions(unit.canonical):
        kind = "mu" if sub.mu else "xiang" if sub.xiang else "kuan"
        paragraphs.append(
            {
                "kind": kind,
                "text": unit.canonical[sub.start : sub.end],
                "anchor": f"{unit.anchor}-{sub.anchor}",
                "cite": sub.cite(article),
            }
        )
    return paragraphs or [{"kind": "kuan", "text": "", "anchor": unit.anchor, "cite": article}]


def version_links(doc: Document) -> list[dict]:
    """Each relation of the document, said from its side: "later version of X",
    "earlier version of Y" (X has a later version), "supersedes" …, with the
    address of the two compared (the earlier one first) and the relation's pk."""
    links = []
    for r in relations_of(doc):
        other = r["document"]
        later = r["direction"] == "to"  # this document is the later one
        if r["kind"] == DocumentRelation.Kind.LATER_VERSION_OF:
            text = _("Later version of") if later else _("Earlier version of")
            compare_text = (
                _("compare with the earlier version")
                if later
                else _("compare with the later version")
            )
        elif r["kind"] == DocumentRelation.Kind.SUPERSEDES:
            text = _("Supersedes") if later else _("Superseded by")
            compare_text = _("compare")
        else:
            text = _("Builds on") if later else _("Built on by")
            compare_text = _("compare")
        pair = (other.slug, doc.slug) if later else (doc.slug, other.slug)
        links.append(
            {
                "text": text,
                "document": other,
                "kind": r["kind"],
                "pk": r["pk"],
                "compare_url": reverse("compare", args=pair),
                "compare_text": compare_text,
            }
        )
    return links


def coverage(covered: set[tuple[int, int]], units: list[Unit], sources: list[Source]) -> list[dict]:
    """Rows of the coverage grid: one per source, a cell per unit (covered or not).

    ``covered`` holds the (source id, unit id) pairs that have a reading.
    """
    return [
        {
            "source": s,
            "cells": [(u, (s.pk, u.pk) in covered) for u in units],
            "count": sum(1 for u in units if (s.pk, u.pk) in covered),
        }
        for s in sources
    ]


def _covered(readings) -> set[tuple[int, int]]:
    return set(readings.values_list("source_id", "unit_id"))


#: Above this many units, the home page gives a document's copies their unit
#: counts instead of a coverage grid (a cell per unit and copy).
HOME_GRID_MAX_UNITS = 400


@require_safe
def home(request):
    """The documents, a page at a time, with their copies and coverage grids:
    five queries in all (the count of documents, the page's documents, their
    units, sources and coverage), and one more for the copies' unit counts
    when a document is too long for a grid."""
    paginator = Paginator(
        Document.objects.with_counts().order_by("-date", "title", "pk"),
        settings.HOME_DOCUMENTS_PER_PAGE,
    )
    page = paginator.get_page(request.GET.get("page"))
    documents = list(page.object_list)
    ids = [d.pk for d in documents]
    gridded = [d.pk for d in documents if d.unit_count <= HOME_GRID_MAX_UNITS]
    units: dict[int, list[Unit]] = {d.pk: [] for d in documents}
    for u in (
        Unit.objects.in_order()
        .filter(document_id__in=gridded)
        .only("key", "label", "locator", "kind", "level", "ordinal", "order", "document_id")
    ):
        units[u.document_id].append(u)
    sources: dict[int, list[Source]] = {d.pk: [] for d in documents}
    for src in Source.objects.filter(document_id__in=ids).defer("original", "text"):
        sources[src.document_id].append(src)
    covered = _covered(Reading.objects.filter(unit__document_id__in=gridded))
    counts = (
        dict(
            Reading.objects.filter(source__document_id__in=ids)
            .exclude(unit__document_id__in=gridded)
            .order_by()
            .values("source_id")
            .annotate(n=Count("unit_id", distinct=True))
            .values_list("source_id", "n")
        )
        if len(gridded) < len(ids)
        else {}
    )
    grids = []
    for doc in documents:
        for obj in [*units[doc.pk], *sources[doc.pk]]:
            obj.document = doc  # their links need the slug: no query each
        if doc.pk in gridded:
            grid = coverage(covered, units[doc.pk], sources[doc.pk])
        else:
            grid = None
            for src in sources[doc.pk]:
                src.unit_count = counts.get(src.pk, 0)
        grids.append((doc, sources[doc.pk], units[doc.pk], grid))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clauses/home.html",
        {"grids": grids, "page": page, "query": query.urlencode()},
    )


def _page_of(units, asked_unit: str, asked_page: str, per_page: int) -> tuple[str, bool]:
    """The page number to show: the page of the unit whose key is ``asked_unit``
    (one query), else ``asked_page``; and whether ``asked_unit`` was unknown."""
    if not asked_unit:
        return asked_page, False
    order = units.filter(key=asked_unit).values_list("order", flat=True).first()
    if order is None:
        return asked_page, True
    return str(units.filter(order__lt=order).count() // per_page + 1), False


def copy_coverage(document: Document, sources: list[Source]) -> list[Source]:
    """Each copy's number of units (``source.unit_count``), for a document too
    long for a coverage grid: one query, whatever the number of units."""
    counts = dict(
        Reading.objects.filter(source__document=document)
        .order_by()
        .values("source_id")
        .annotate(n=Count("unit_id", distinct=True))
        .values_list("source_id", "n")
    )
    for src in sources:
        src.unit_count = counts.get(src.pk, 0)
    return sources


@require_safe
def document(request, slug):
    """A document: its metadata, copies, coverage and canonical text, the text
    ``DOCUMENT_UNITS_PER_PAGE`` units a page (``?page=``; ``?unit=<key>``: the
    page with that unit). The copies' coverage is for the whole document: a
    grid up to ``HOME_GRID_MAX_UNITS`` units, above that each copy's count.
    A fixed number of queries whatever the length (document, count, page of
    units, copies, coverage, relations, and the user's when signed in); with
    htmx (the pager), only the ``text`` fragment."""
    doc = get_object_or_404(Document, slug=slug)
    per_page = settings.DOCUMENT_UNITS_PER_PAGE
    all_units = doc.units.in_order()
    asked, unknown = _page_of(
        all_units, request.GET.get("unit", "").strip(), request.GET.get("page", ""), per_page
    )
    page = Paginator(all_units, per_page).get_page(asked)
    units = list(page.object_list)
    for unit in units:
        unit.document = doc
        if unit.kind == Unit.Kind.ARTICLE:
            unit.paragraphs = article_paragraphs(unit)
    base = reverse("document", args=[doc.slug])
    context = {
        "document": doc,
        "units": units,
        "page": page,
        "unit_count": page.paginator.count,
        "base_url": base,
        "previous_url": f"{base}?page={page.previous_page_number()}" if page.has_previous() else "",
        "next_url": f"{base}?page={page.next_page_number()}" if page.has_next() else "",
        "unknown_unit": request.GET.get("unit", "").strip() if unknown else "",
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        response = render(request, "clauses/document.html#text", context)
        patch_vary_headers(response, ("HX-Request",))
        return response
    sources = list(doc.sources.defer("original", "text"))
    if page.paginator.count <= HOME_GRID_MAX_UNITS:
        grid_units = (
            units
            if not page.has_other_pages()
            else list(
                all_units.only("key", "label", "locator", "kind", "level", "ordinal", "order")
            )
        )
        for unit in grid_units:
            unit.document = doc
        grid = coverage(_covered(Reading.objects.filter(unit__document=doc)), grid_units, sources)
    else:
        grid_units, grid = [], None
        copy_coverage(doc, sources)
    response = render(
        request,
        "clauses/document.html",
        {
            **context,
            "sources": sources,
            "grid_units": grid_units,
            "coverage": grid,
            "metadata_rows": metadata_rows(doc),
            "versions": version_links(doc),
            "relation_form": RelationForm(document=doc)
            if has_role(request.user, "editor")
            else None,
        },
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


#: A cut passage longer than this (characters) is not repeated in the list of
#: cuts: the list links to its page of the original text instead.
CUT_SHOWN_MAX_CHARS = 2000
#: Rows of the table of canonical readings an import changed, a page.
SOURCE_CHANGES_PER_PAGE = 100


def text_pages(text: str, per_page: int) -> list[tuple[int, int]]:
    """The pages of a copy's text: ``[(start, end)]``, character offsets (0-based,
    end exclusive) that cover ``text`` exactly, in order, each page ending at the
    end of the line in which its ``per_page``-th character falls, or after
    ``per_page`` characters when that line runs on for more than ``per_page``
    characters more (a file without line breaks still comes in bounded pages).
    One page, ``[(0, 0)]``, for an empty text."""
    pages, start = [], 0
    while start < len(text):
        cut = text.find("\n", start + per_page - 1, start + 2 * per_page)
        end = cut + 1 if cut >= 0 else min(len(text), start + per_page)
        pages.append((start, end))
        start = end
    return pages or [(0, 0)]


def _source_context(
    the_source: Source,
    derived_form: DerivedFromForm | None = None,
    query=None,
) -> dict:
    """The source page: its metadata, the import's report (its figures and
    counts for the whole file) and one page of its original text marked
    (``?page=``, ``SOURCE_CHARS_PER_PAGE`` characters a page, cut at line ends;
    ``?changes=``: the page of the table of changed canonical readings). A
    fixed number of queries whatever the length of the file."""
    query = query if query is not None else {}
    text = the_source.text
    pages = text_pages(text, settings.SOURCE_CHARS_PER_PAGE)
    page = Paginator(pages, 1).get_page(query.get("page"))
    start, end = page.object_list[0]
    valid = _valid_regions(text, the_source.regions)
    # The regions on this page, and from where the readings they hold may start.
    on_page = [r for r in valid if r["start"] < end and r["end"] > start] if valid else []
    low = min([start, *(r["start"] for r in on_page)])
    readings = list(
        the_source.readings.filter(raw_start__lt=end, raw_end__gt=low)
        .select_related("unit")
        .only(
            "raw_start",
            "raw_end",
            "position",
            "unit__key",
            "unit__label",
            "unit__locator",
        )
        .order_by("position")
    )
    # Each unit's address: reverse() once, the key put in (a reverse() per
    # reading of a long page costs more than the rest of the page).
    head, _key, tail = reverse("unit", args=[the_source.document.slug, "KEY"]).rpartition("KEY")
    for r in readings:
        r.unit.document = the_source.document
        r.unit.url = head + quote(r.unit.key, safe="") + tail
    marked = marked_text(text, valid, readings, start, end)
    kinds = {piece["kind"] for piece in marked}
    base = the_source.get_absolute_url()
    changes = _changes_of(the_source.report, the_source.document, query.get("changes"))
    changes_page = changes["page"].number if changes else 1

    def url(text_page: int, changes_page: int) -> str:
        """This page's address with another page of the text or of the changes."""
        pairs = [("page", text_page), ("changes", changes_page)]
        return base + (
            "?" + urlencode([(k, v) for k, v in pairs if v > 1])
            if any(v > 1 for _k, v in pairs)
            else ""
        )

    return {
        "document": the_source.document,
        "source": the_source,
        "readings": [r for r in readings if start <= r.raw_start < end or not start < end],
        "reading_count": the_source.readings.count(),
        "report": describe_report(the_source.report),
        "changes": changes,
        "marked": marked,
        "page": page,
        "text_start": start,
        "text_end": end,
        "base_url": base,
        "previous_url": url(page.previous_page_number(), changes_page)
        if page.has_previous()
        else "",
        "next_url": url(page.next_page_number(), changes_page) if page.has_next() else "",
        "previous_changes_url": url(page.number, changes_page - 1) if changes_page > 1 else "",
        "next_changes_url": url(page.number, changes_page + 1)
        if changes and changes["page"].has_next()
        else "",
        "legend": [(k, label) for k, label in REGION_LABELS.items() if k in kinds],
        "figures": accounting_figures(the_source.accounting) if the_source.accounting else None,
        "schemes": {
            _part_name(part): scheme_description(name)
            for part, name in ((the_source.accounting or {}).get("schemes") or {}).items()
        },
        "cuts": _cuts_shown(text, the_source.regions, pages, base),
        "derivatives": list(the_source.derivatives.order_by("siglum").only("siglum", "title")),
        "derived_form": derived_form or DerivedFromForm(source=the_source),
    }


def _cuts_shown(text: str, regions, pages: list[tuple[int, int]], base: str) -> list[dict]:
    """The cut passages, each with the page of the original text it starts on
    (``url``); the text of one longer than ``CUT_SHOWN_MAX_CHARS`` is not
    repeated (``text`` None): it is read on that page."""
    starts = [a for a, _b in pages]
    cuts = cut_passages(text, regions or [])
    for cut in cuts:
        n = bisect.bisect_right(starts, cut["start"])
        cut["length"] = cut["end"] - cut["start"]
        cut["url"] = f"{base}?page={n}#original-h" if n > 1 else f"{base}#original-h"
        if cut["length"] > CUT_SHOWN_MAX_CHARS:
            cut["text"] = None
    return cuts


def _changes_of(report, document, asked_page=None) -> dict | None:
    """The import's own record of what it did: the canonical texts it changed,
    the units it added and lacked. Units are named by their locators (the
    record keeps keys): ``{"changes": [{"unit", "name", "before", "after"}],
    "added": [(key, name)], "lacking": [(key, name)], "page", "count"}``;
    ``changes`` holds one page (``asked_page``) of ``SOURCE_CHANGES_PER_PAGE``
    changes, ``count`` their number in all. One query, for the names shown."""
    detail = None
    for entry in report or []:
        if isinstance(entry, dict) and entry.get("rule") == "canonical_changes":
            detail = dict(entry.get("detail") or {})
    if detail is None:
        return None
    every = [c for c in detail.get("changes") or [] if isinstance(c, dict)]
    page = Paginator(every, SOURCE_CHANGES_PER_PAGE).get_page(asked_page)
    shown = list(page.object_list)
    keys = {c.get("unit") for c in shown}
    for side in ("added", "lacking"):
        keys.update(detail.get(side) or [])
    names = {
        key: locator or label or key
        for key, locator, label in document.units.filter(
            key__in=[k for k in keys if isinstance(k, str)]
        ).values_list("key", "locator", "label")
    }
    detail["changes"] = [{**c, "name": names.get(c.get("unit"), c.get("unit"))} for c in shown]
    detail["count"] = len(every)
    detail["page"] = page
    for side in ("added", "lacking"):
        detail[side] = [(k, names.get(k, k)) for k in detail.get(side) or []]
    return detail


def _get_source(slug: str, siglum: str) -> Source:
    return get_object_or_404(
        Source.objects.select_related("document", "derived_from").defer("original"),
        document__slug=slug,
        siglum=siglum,
    )


@require_safe
def source(request, slug, siglum):
    the_source = _get_source(slug, siglum)
    context = _source_context(the_source, query=request.GET)
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        fragment = "changes" if htmx.target == "source-changes" else "original"
        response = render(request, f"clauses/source.html#{fragment}", context)
    else:
        response = render(request, "clauses/source.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@role_required("editor")
@require_POST
def source_derived_from(request, slug, siglum):
    """Editors say which copy of the same document a source was made from."""
    the_source = _get_source(slug, siglum)
    form = DerivedFromForm(request.POST, source=the_source)
    if form.is_valid():
        parent = form.cleaned_data["derived_from"]
        try:
            set_derived_from(the_source, parent, user=request.user)
        except IngestError as exc:
            form.add_error("derived_from", str(exc))
        else:
            if parent is None:
                text = _("Source %(siglum)s is now an independent copy.")
            else:
                text = _("Source %(siglum)s is now derived from %(parent)s: it does not vote.")
            messages.success(
                request, text % {"siglum": siglum, "parent": parent.siglum if parent else ""}
            )
            return redirect(the_source)
    response = render(
        request, "clauses/source.html", _source_context(the_source, form, query=request.GET)
    )
    response.status_code = 400
    return response


def _valid_regions(text: str, regions) -> list[dict]:
    """The stored regions that fit the text, in order, overlaps clipped."""
    valid = []
    end = 0
    for r in sorted(
        (r for r in regions or [] if isinstance(r, dict)),
        key=lambda r: (r.get("start", 0), r.get("end", 0)),
    ):
        try:
            start, stop = max(int(r["start"]), end), min(int(r["end"]), len(text))
        except (KeyError, TypeError, ValueError):
            continue
        if start >= stop:
            continue
        kind = r.get("kind") if r.get("kind") in REGION_LABELS else "other"
        valid.append({"kind": kind, "name": str(r.get("name") or ""), "start": start, "end": stop})
        end = stop
    return valid


def marked_text(
    text: str, regions, readings: list[Reading], start: int = 0, end=None
) -> list[dict]:
    """The original's characters ``start``–``end`` (0-based, end exclusive; the
    whole text by default) as consecutive pieces ``{kind, name, text, unit}``:
    every region marked, what lies between them ``other``; a region across a
    bound is cut there. A source imported before regions were recorded shows
    its readings' spans. The pieces' texts join to ``text[start:end]`` exactly.
    ``readings`` must hold those whose spans lie in the regions shown."""
    end = len(text) if end is None else min(end, len(text))
    valid = _valid_regions(text, regions)
    if not valid:
        spans = sorted((r.raw_start, r.raw_end) for r in readings)
        valid = _valid_regions(
            text, [{"kind": "reading", "name": "", "start": a, "end": b} for a, b in spans]
        )
    spans = sorted(((r.raw_start, r.raw_end, r.unit) for r in readings), key=lambda x: x[:2])
    starts = [span[0] for span in spans]
    pieces, at = [], start
    for r in valid:
        if r["end"] <= start or r["start"] >= end:
            continue
        lo, hi = max(r["start"], start), min(r["end"], end)
        if lo > at:
            pieces.append({"kind": "other", "name": "", "text": text[at:lo]})
        unit = None
        if r["kind"] == "reading" and spans:
            # The reading this region belongs to: the last one starting before
            # the region ends (a region holds the label, the reading's span not).
            i = bisect.bisect_left(starts, r["end"]) - 1
            if i >= 0 and spans[i][1] > r["start"]:
                unit = spans[i][2]
        label = REGION_LABELS[r["kind"]]
        named = region_name(r["name"]) if r["kind"] != "reading" else ""
        pieces.append(
            {
                **r,
                "text": text[lo:hi],
                "unit": unit,
                "label": label,
                "name_label": named,
            }
        )
        at = hi
    if at < end:
        pieces.append({"kind": "other", "name": "", "text": text[at:end]})
    return pieces


@require_safe
def source_original(request, slug, siglum):
    """The original file, byte for byte, as it was uploaded."""
    the_source = get_object_or_404(Source, document__slug=slug, siglum=siglum)
    response = HttpResponse(bytes(the_source.original), content_type="application/octet-stream")
    # RFC 6266 quoting: a Chinese name, or one with quotes, survives the header.
    name = the_source.filename or f"{slug}-{siglum}.txt"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_safe
def export_json(request, slug):
    doc = get_object_or_404(Document, slug=slug)
    response = JsonResponse(document_export(doc), json_dumps_params={"ensure_ascii": False})
    return attachment(response, doc, ".json")


PENDING_KEY = "import_pending"


def _hold_upload(request, data: bytes, filename: str, job: ImportJob | None = None) -> str:
    """Keep an uploaded file while the editor looks at its cuts or its preview;
    returns its SHA-256 checksum (hex). The file of a background preview stays
    in its ``job``, which the session names; a file previewed in the request
    (up to ``IMPORT_INLINE_BYTES``) goes in the session, base64-encoded (a
    4.5 MB file there had slowed every page of its user by 100 ms)."""
    checksum = hashlib.sha256(data).hexdigest()
    _forget_held(request)  # one upload held at a time: a newer one replaces it
    held = {"checksum": checksum, "filename": filename}
    if job is not None:
        held["job"] = job.pk
    else:
        held["data"] = base64.b64encode(data).decode("ascii")
    request.session[PENDING_KEY] = held
    return checksum


def _forget_held(request) -> None:
    """Drop the upload held for the editor (saved, or given up): from the
    session, and the file of the preview job that kept it."""
    held = request.session.pop(PENDING_KEY, None) or {}
    if held.get("job"):
        ImportJob.objects.filter(pk=held["job"], user=request.user).update(data=b"")


def _proposal_context(prepared) -> dict:
    """The proposal fragment: the documents, the one the import would follow, the
    accounting when too little of the file would be kept."""
    proposals = propose(prepared)
    figures = accounting_figures(prepared.accounting)
    low = figures["kept"] is not None and figures["kept"] < KEPT_THRESHOLD
    return {
        "proposals": proposals[:3],
        "chosen": choose(proposals),
        "figures": figures if low else None,
    }


def import_message(result) -> str:
    """The line that says what an import did (shown after it, in a message)."""
    src = result.source
    if result.relation is not None:
        other = (
            result.relation.to_document
            if result.relation.from_document == src.document
            else result.relation.from_document
        )
        if result.relation.from_document == src.document:
            text = _(
                "Created the document “%(title)s” with source %(siglum)s: "
                "a later version of “%(other)s”."
            )
        else:
            text = _(
                "Created the document “%(title)s” with source %(siglum)s: "
                "an earlier version of “%(other)s”."
            )
        return text % {"title": src.document.title, "siglum": src.siglum, "other": other.title}
    if result.similar is not None:  # set only where the document was created
        return _(
            "Created the document “%(title)s” with source %(siglum)s. “%(other)s” has "
            "nearly the same text (similarity %(sim)s) under another title: if this file is "
            "a copy of it, an administrator can delete the new document and the file be "
            "imported again into “%(other)s”."
        ) % {
            "title": src.document.title,
            "siglum": src.siglum,
            "other": result.similar.title,
            "sim": f"{result.similar_share:.0%}",
        }
    if result.created_document:
        return _("Created the document “%(title)s” with source %(siglum)s.") % {
            "title": src.document.title,
            "siglum": src.siglum,
        }
    return _("Imported source %(siglum)s into “%(title)s” (similarity %(sim)s).") % {
        "siglum": src.siglum,
        "title": src.document.title,
        "sim": f"{result.similarity:.0%}",
    }


def _job_options(form: ImportForm, request, mode: str) -> dict:
    """What a background import needs of the form: the source's metadata, the
    import's arguments, and the form's fields to show it again."""
    data = form.cleaned_data
    published = data["published"]
    derived = data["derived_from"] or data["derived_proposal"]
    shown = {
        k: v
        for k, v in request.POST.items()
        if k not in ("csrfmiddlewaretoken", "text", "confirm", "propose", "pending")
    }
    return {
        "mode": mode,
        "meta": {
            "siglum": data["siglum"],
            "title": data["title"],
            "document_title": data["document_title"],
            "kind": data["kind"],
            "publication": data["publication"],
            "published": published.isoformat() if published else None,
            "url": data["url"],
            "filename": data["filename"],
        },
        "document": data["document"].pk if data["document"] else None,
        "relation": data["relation"],
        "accept_cuts": bool(data["accept_cuts"]),
        "derived_from": derived.pk if derived else None,
        "form": shown,
        "pasted": not data["filename"] and not data.get("pending"),
    }


def _start_job(request, form: ImportForm, mode: str, hold: bool = False):
    """Write the job and hand it to the worker; show its progress page, or its
    end when it has ended already (a backend that runs tasks at once).
    ``hold``: the job (a preview) holds the uploaded file until it is saved."""
    job = ImportJob.objects.create_with_file(
        form.cleaned_data["data"],
        user=request.user,
        options=_job_options(form, request, mode),
        language=translation.get_language() or "",
    )
    if hold:
        _hold_upload(request, form.cleaned_data["data"], form.cleaned_data["filename"], job)
    job = enqueue(job)
    if job.status == ImportJob.Status.DONE and job.source_id:
        _forget_held(request)
        messages.success(request, job.message)
        return redirect(job.source)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return _from_job(request, job)
    return redirect("import_job", job.pk)


#: Below this similarity a copy's preview asks whether the text is another
#: version: the 2001 工会法 reached 84% with the 2021 law, clauses rewritten.
VERSION_HINT_SIMILARITY = 0.9


def _share(x: float) -> str:
    """``x`` (0.0–1.0) as a percentage to one decimal, rounded down: a copy that
    differs by one character of thousands shows 99.9%, never 100.0%."""
    return f"{math.floor(x * 1000 + 1e-9) / 10:.1f}%"  # 0.29 * 1000 is 289.99…


def _preview_context(preview, data: dict, pending: str) -> dict:
    """The preview section of the form, from what :meth:`Preview.shown` gives
    (stored by a job, or made in the request)."""
    preview = shown_preview(preview)  # a job's from before the lists were cut, too
    derived = preview["derived_proposal"]
    similarity = preview["similarity"]
    return {
        "result": preview,
        "pending": pending,
        "proposed": _proposed_source(derived),
        "derived_from": data.get("derived_from") or data.get("derived_proposal"),
        "similarity": f"{similarity:.0%}" if similarity is not None else "",
        "version_hint": not preview["created"]
        and similarity is not None
        and similarity < VERSION_HINT_SIMILARITY,
        "shares": {k: _share(derived[k]) for k in ("agreement", "consensus")} if derived else {},
    }


def _render_import(request, form, cuts=None, preview=None):
    meta_fields = [
        form[name]
        for name in ("siglum", "title", "kind", "publication", "published", "url", "derived_from")
    ]
    return render(
        request,
        "clauses/import.html",
        {
            "form": form,
            "meta_fields": meta_fields,
            "threshold": DOCUMENT_THRESHOLD,
            "cuts": cuts,
            "preview": preview,
        },
    )


def _job_or_404(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.defer("data"), pk=pk, user=request.user)


def _from_job(request, job: ImportJob):
    """The form again after a background preview: its fields, and the preview or
    the cuts the worker found (the file waits in the session)."""
    options = job.options
    pending = request.session.get(PENDING_KEY)
    result = options.get("result") or {}
    held = "" if options.get("pasted") else (pending or {}).get("checksum", "")
    fields = dict(options.get("form") or {})
    if options.get("pasted"):
        # A pasted text comes back in its box, as after a preview in the request
        # (the job keeps it until the preview is saved or given up).
        fields["text"] = ImportJob.objects.file_of(job.pk).decode("utf-8")
    else:
        fields["pending"] = held  # the file waits in the session
    # Bound, for the fields to show their values. The file or text may be gone
    # (a failed import keeps neither): that is no error of the form's.
    form = ImportForm(fields, pending=pending, require_data=False)
    form.is_valid()
    if "cuts" in result:
        return _render_import(request, form, cuts={**result["cuts"], "pending": held})
    if "preview" in result:
        preview = _preview_context(result["preview"], form.cleaned_data, held)
        return _render_import(request, form, preview=preview)
    form.add_error(None, job.message)
    return _render_import(request, form)


def _form_errors(form: ImportForm) -> list[str]:
    """Every error of an invalid form as a line: the form's own, then each field's
    with its label (“URL：…”)."""
    lines = [str(e) for e in form.non_field_errors()]
    colon = pgettext("label colon", ":")
    for name, errors in form.errors.items():
        if name != NON_FIELD_ERRORS:
            lines += [f"{form[name].label}{colon}{e}" for e in errors]
    return lines


def _proposal(request, form: ImportForm):
    """The ``proposal`` fragment for the file or text chosen: the form's errors
    when it is invalid (never a proposal made without them); else, first, the
    duplicate check (the file's checksum); then the documents it matches (in the
    request for a file up to ``IMPORT_INLINE_BYTES``, else later, in the
    background)."""
    context, errors = {}, []
    if not form.is_valid():
        errors = _form_errors(form)
    else:
        data = form.cleaned_data["data"]
        try:
            refuse_duplicate(hashlib.sha256(data).hexdigest(), form.cleaned_data["document"])
            if len(data) > settings.IMPORT_INLINE_BYTES:
                context = {"large": True}
            else:
                prepared = read_prepared(data, form.cleaned_data.get("filename", ""))
                context = _proposal_context(prepared)
        except IngestError as exc:
            errors = [str(exc)]
    return render(
        request,
        "clauses/import.html#proposal",
        {**context, "proposed": True, "errors": errors, "threshold": DOCUMENT_THRESHOLD},
    )


@role_required("editor")
@require_http_methods(["GET", "HEAD", "POST"])
def import_view(request):
    """Editors import a copy: upload or paste, pick the document or take the proposal.

    With htmx, choosing a file or leaving the text box asks the same view for a
    proposal (the ``proposal`` fragment); without JavaScript the form submits
    with "let the app propose" and the app uses its proposal. A file of which
    less than 90% of the Han characters would be kept is not saved: the form
    shows the figures and the cuts and asks for "accept the cuts" (an uploaded
    file waits in the session meanwhile). The preview runs in the request for
    a small file and in the background for one above ``IMPORT_INLINE_BYTES``;
    saving always runs in the background (``clauses.tasks``), behind a progress
    page.
    """
    if request.method == "GET" and request.GET.get("job"):
        try:
            job = _job_or_404(request, int(request.GET["job"]))
        except ValueError:
            return redirect("import")
        return _from_job(request, job)
    form = ImportForm(
        request.POST or None, request.FILES or None, pending=request.session.get(PENDING_KEY)
    )
    if request.method == "POST" and request.htmx and request.POST.get("propose"):
        return _proposal(request, form)
    if request.method == "POST" and request.POST.get("cancel"):
        _forget_held(request)
        messages.info(request, _("Import cancelled: nothing was saved."))
        return redirect("import")
    cuts = preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A pasted text comes back in its box; a file waits in the session.
        holds_file = bool(data["filename"] or data.get("pending"))
        if request.POST.get("confirm"):
            return _start_job(request, form, "import")
        if len(data["data"]) > settings.IMPORT_INLINE_BYTES:
            return _start_job(request, form, "preview", hold=holds_file)
        meta = SourceMeta.from_fields(data)
        kwargs = {
            **placement(data["document"], data["relation"]),
            "user": request.user,
            "accept_cuts": data["accept_cuts"],
            "derived_from": data["derived_from"] or data["derived_proposal"],
        }
        try:
            result = preview_import(data["data"], meta, **kwargs)
        except CutsError as exc:
            cuts = {
                "message": str(exc),
                "figures": accounting_figures(exc.accounting),
                "passages": exc.cuts,
                "pending": _hold_upload(request, data["data"], data["filename"])
                if holds_file
                else "",
            }
        except IngestError as exc:
            form.add_error(None, str(exc))
        else:
            pending = _hold_upload(request, data["data"], data["filename"]) if holds_file else ""
            preview = _preview_context(result.shown(), data, pending)
    return _render_import(request, form, cuts=cuts, preview=preview)


@role_required("editor")
@require_safe
def import_job(request, pk: int):
    """The progress of a background import: a bar that htmx refreshes every
    second (a link refreshes it without JavaScript). A finished import goes to
    its new source's page; a finished preview back to the form; a failure
    shows its reason."""
    job = _job_or_404(request, pk)
    finished = job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED)
    ended_with_cuts = "cuts" in (job.options.get("result") or {})
    if finished and (job.options.get("mode") == "preview" or ended_with_cuts):
        target = f"{reverse('import')}?job={job.pk}"
    elif job.status == ImportJob.Status.DONE and job.source_id:
        _forget_held(request)
        messages.success(request, job.message)
        target = job.source.get_absolute_url()
    else:
        target = None
    if target:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    template = "clauses/import_job.html#progress" if request.htmx else "clauses/import_job.html"
    context = {
        "job": job,
        "finished": finished,
        "no_worker": waiting_for_a_worker(job),
        "worker_wait": WORKER_HINT_SECONDS,
        "worker_command": WORKER_COMMAND,
    }
    return render(request, template, context)


def _proposed_source(proposal: dict | None) -> Source | None:
    if not proposal:
        return None
    return Source.objects.filter(pk=proposal["source"]).only("siglum", "title").first()
