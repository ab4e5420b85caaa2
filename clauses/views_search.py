"""Search pages: ``/search/`` (HTML, htmx-enhanced) and ``/search.json``.

Both read the same parameters, checked once by ``clauses.search.SearchRequest``:
``q`` (the phrase), ``document`` (a slug), ``kind`` (canonical, reading or
note), ``source_kind`` (a ``Source.Kind``), ``page``; the JSON also ``limit``
(1–100, default :data:`JSON_LIMIT`). Bad input: a 400 with the message in the
user's language (``{"error": …}`` for the JSON, the page with the message for
HTML); never a 500. Everyone may search (the texts are public); notes are the
ones the user may read (``clauses.search``).

Queries: the three counts (one per kind of text searched), at most one query
per kind for the page's rows, the document list (HTML), and the session's.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .models import Document, Source
from .search import KINDS, READING, BadSearch, Hits, SearchRequest

HITS_PER_PAGE = 20
JSON_LIMIT = 20
MAX_LIMIT = 100


def _whole_number(value: str | None, default: int, name: str, most: int | None = None) -> int:
    """A parameter that must be a whole number from 1 (to ``most``); BadSearch otherwise."""
    if value in (None, ""):
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise BadSearch(
            _("“%(name)s” must be a whole number from 1, not “%(value)s”.")
            % {"name": name, "value": value[:20]}
        )
    number = int(value)
    if most is not None and number > most:
        raise BadSearch(
            _("“%(name)s” is at most %(most)s, not %(value)s.")
            % {"name": name, "most": most, "value": number}
        )
    return number


def _sections(hits) -> list[dict]:
    """A page's hits for the template: by kind (in rank order), then by document;
    readings of one unit that read alike around the match are one row with
    several sigla."""
    sections: list[dict] = []
    for hit in hits:
        if not sections or sections[-1]["kind"] != hit.kind:
            sections.append({"kind": hit.kind, "label": KINDS[hit.kind], "documents": []})
        documents = sections[-1]["documents"]
        if not documents or documents[-1]["document"].pk != hit.document.pk:
            documents.append({"document": hit.document, "rows": []})
        rows = documents[-1]["rows"]
        last = rows[-1] if rows else None
        if (
            hit.kind == READING
            and last is not None
            and last["hit"].unit.pk == hit.unit.pk
            and last["hit"].pieces == hit.pieces
        ):
            last["copies"].append(hit)
            continue
        rows.append({"hit": hit, "copies": [hit] if hit.kind == READING else []})
    return sections


@require_safe
def search(request):
    """``/search/?q=…``: hits in context, ranked, grouped, filterable, paged."""
    context = {
        "documents": Document.objects.only("slug", "title", "date"),
        "kinds": list(KINDS.items()),
        "source_kinds": Source.Kind.choices,
        "form": {k: request.GET.get(k, "") for k in ("q", "document", "kind", "source_kind")},
    }
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    status = 200
    if "q" in request.GET or any(request.GET.get(k) for k in ("document", "kind", "source_kind")):
        try:
            search_request = SearchRequest.parse(request.GET)
        except BadSearch as error:
            context["error"] = str(error)
            status = 200 if fragment else 400  # htmx swaps no 4xx answer
        else:
            hits = Hits(search_request, request.user)
            page = Paginator(hits, HITS_PER_PAGE).get_page(request.GET.get("page"))
            context.update(
                search=search_request,
                page=page,
                counts=[
                    (k, KINDS[k], n, search_request.query(kind=k)) for k, n in hits.counts().items()
                ],
                total=hits.count(),
                sections=_sections(page.object_list),
                query=search_request.query(),
            )
    template = "clauses/search.html#results" if fragment else "clauses/search.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_safe
def search_json(request):
    """``/search.json?q=…``: ``{"query", "phrase", "total", "counts", "page", "limit",
    "hits": [{"document", "unit", "locator", "kind", "siglum", "snippet", "marks",
    "matches", "url"}]}``; ``total`` counts every hit, ``hits`` is the page's."""
    try:
        search_request = SearchRequest.parse(request.GET)
        page = _whole_number(request.GET.get("page"), 1, "page")
        limit = _whole_number(request.GET.get("limit"), JSON_LIMIT, "limit", MAX_LIMIT)
    except BadSearch as error:
        return JsonResponse(
            {"error": str(error)}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    hits = Hits(search_request, request.user)
    rows = hits[(page - 1) * limit : page * limit]
    return JsonResponse(
        {
            "query": search_request.q,
            "phrase": search_request.phrase,
            "total": hits.count(),
            "counts": hits.counts(),
            "page": page,
            "limit": limit,
            "hits": [hit.as_json() for hit in rows],
        },
        json_dumps_params={"ensure_ascii": False},
    )
