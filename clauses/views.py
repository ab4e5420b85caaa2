"""Pages: documents, their canonical text, sources, units; import for editors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from annotations.roles import role_required

from .export import document_export
from .forms import ImportForm
from .ingest import SourceMeta, import_source, propose, read_prepared
from .models import Document, Reading, Source, Unit
from .report import describe_report
from .text.align import DOCUMENT_THRESHOLD
from .text.pipeline import IngestError


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


@require_GET
def home(request):
    """Every document with its copies and coverage grid: four queries in all."""
    documents = list(Document.objects.with_counts())
    units: dict[int, list[Unit]] = {d.pk: [] for d in documents}
    for u in Unit.objects.in_order().only(
        "key", "label", "kind", "level", "ordinal", "order", "document_id"
    ):
        units[u.document_id].append(u)
    sources: dict[int, list[Source]] = {d.pk: [] for d in documents}
    for src in Source.objects.defer("original", "text"):
        sources[src.document_id].append(src)
    covered = _covered(Reading.objects.all())
    grids = []
    for doc in documents:
        for obj in [*units[doc.pk], *sources[doc.pk]]:
            obj.document = doc  # their links need the slug: no query each
        grids.append(
            (doc, sources[doc.pk], units[doc.pk], coverage(covered, units[doc.pk], sources[doc.pk]))
        )
    return render(request, "clauses/home.html", {"grids": grids})


@require_GET
def document(request, slug):
    doc = get_object_or_404(Document, slug=slug)
    units = list(doc.units.in_order())
    sources = list(doc.sources.defer("original", "text"))
    return render(
        request,
        "clauses/document.html",
        {
            "document": doc,
            "units": units,
            "sources": sources,
            "coverage": coverage(
                _covered(Reading.objects.filter(unit__document=doc)), units, sources
            ),
        },
    )


@require_GET
def source(request, slug, siglum):
    the_source = get_object_or_404(
        Source.objects.select_related("document").defer("original"),
        document__slug=slug,
        siglum=siglum,
    )
    readings = list(the_source.readings.select_related("unit").order_by("position"))
    return render(
        request,
        "clauses/source.html",
        {
            "document": the_source.document,
            "source": the_source,
            "readings": readings,
            "report": describe_report(the_source.report),
        },
    )


@require_GET
def source_original(request, slug, siglum):
    """The original file, byte for byte, as it was uploaded."""
    the_source = get_object_or_404(Source, document__slug=slug, siglum=siglum)
    response = HttpResponse(bytes(the_source.original), content_type="application/octet-stream")
    # RFC 6266 quoting: a Chinese name, or one with quotes, survives the header.
    name = the_source.filename or f"{slug}-{siglum}.txt"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
def export_json(request, slug):
    doc = get_object_or_404(Document, slug=slug)
    return JsonResponse(document_export(doc), json_dumps_params={"ensure_ascii": False})


@role_required("editor")
@require_http_methods(["GET", "POST"])
def import_view(request):
    """Editors import a copy: upload or paste, pick the document or take the proposal.

    With htmx, choosing a file or pasting text asks the same view for a
    proposal (the ``proposal`` fragment); without JavaScript the form submits
    with "let the app propose" and the app uses its proposal.
    """
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.htmx and request.POST.get("propose"):
        proposals, error = [], None
        if form.is_valid():
            try:
                prepared = read_prepared(form.cleaned_data["data"])
                proposals = propose(prepared)[:3]
            except IngestError as exc:
                error = str(exc)
        else:
            error = " ".join(str(e) for e in form.non_field_errors())
        return render(
            request,
            "clauses/import.html#proposal",
            {
                "proposals": proposals,
                "proposed": True,
                "error": error,
                "threshold": DOCUMENT_THRESHOLD,
            },
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meta = SourceMeta(
            siglum=data["siglum"],
            title=data["title"],
            kind=data["kind"],
            publication=data["publication"],
            published=data["published"],
            url=data["url"],
            filename=data["filename"],
        )
        try:
            result = import_source(data["data"], meta, document=data["document"], user=request.user)
        except IngestError as exc:
            form.add_error(None, str(exc))
        else:
            src = result.source
            if result.created_document:
                messages.success(
                    request,
                    _("Created the document “%(title)s” with source %(siglum)s.")
                    % {"title": src.document.title, "siglum": src.siglum},
                )
            else:
                messages.success(
                    request,
                    _("Imported source %(siglum)s into “%(title)s” (similarity %(sim)s).")
                    % {
                        "siglum": src.siglum,
                        "title": src.document.title,
                        "sim": f"{result.similarity:.0%}",
                    },
                )
            return redirect(src)
    meta_fields = [
        form[name] for name in ("siglum", "title", "kind", "publication", "published", "url")
    ]
    return render(
        request,
        "clauses/import.html",
        {"form": form, "meta_fields": meta_fields, "threshold": DOCUMENT_THRESHOLD},
    )
