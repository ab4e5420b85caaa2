"""Downloads of a document's collation: TEI P5 and the apparatus as CSV.

Read like the document page: anyone who may read the document (anonymous
visitors too unless ``settings.ANONYMOUS_READ`` is off, which the middleware
enforces) may download them. Every download is an attachment named after the
document's title (:func:`attachment`).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from .export import download_name
from .export_tei import apparatus_csv, build_tei, load_collation
from .models import Document


def attachment(response: HttpResponse, document: Document, suffix: str) -> HttpResponse:
    """Mark ``response`` a download named after ``document``'s title + ``suffix``
    (RFC 6266; a Chinese name as RFC 5987 ``filename*=utf-8''…``)."""
    name = download_name(document.title, suffix, fallback=document.slug)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_safe
def export_tei(request, slug):
    """The collation as a TEI P5 file (``clauses.export_tei``): five queries."""
    document = get_object_or_404(Document, slug=slug)
    data = build_tei(*load_collation(document))
    response = HttpResponse(data, content_type="application/tei+xml; charset=utf-8")
    return attachment(response, document, ".tei.xml")


@require_safe
def apparatus_csv_view(request, slug):
    """The apparatus as CSV, one row per variant site and copy, UTF-8 with a BOM."""
    document = get_object_or_404(Document, slug=slug)
    text = apparatus_csv(*load_collation(document))
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    return attachment(response, document, ".apparatus.csv")
