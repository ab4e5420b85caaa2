"""Versions compared clause by clause (新旧对照); relations between documents.

Reading follows the site's rule (``ANONYMOUS_READ``); corrections of the
pairing and relations are for editors.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from policyreader.errors import bad_request_response
from policyreader.roles import has_role, role_required

from .comparison import (
    ComparisonTooLarge,
    CorrectionError,
    paged_comparison,
    relate,
    relation_of,
    save_correction,
)
from .forms import ComparePickForm, CorrectionForm, RelationForm
from .models import ComparisonCorrection, Document
from .text.compare import SIMILARITY_THRESHOLD


def _relation_labels() -> dict[str, str]:
    # Translated at request time (the module-level dict would be translated once).
    return {
        "same": _("same"),
        "changed": _("changed"),
        "moved": _("moved"),
        "split": _("split"),
        "merged": _("merged"),
        "added": _("added"),
        "removed": _("removed"),
    }


def _documents(old: str, new: str) -> tuple[Document, Document]:
    return get_object_or_404(Document, slug=old), get_object_or_404(Document, slug=new)


@require_safe
def compare_pick(request):
    """Choose two documents to compare (GET ``old`` and ``new``): then their comparison."""
    if "new" in request.GET:
        form = ComparePickForm(request.GET)
        if form.is_valid():
            return redirect("compare", form.cleaned_data["old"].slug, form.cleaned_data["new"].slug)
        status = 400
    else:
        form = ComparePickForm(initial={"old": request.GET.get("old", "")})
        status = 200
    return render(request, "clauses/compare_pick.html", {"form": form}, status=status)


@require_safe
def compare(request, old, new):
    """The two documents side by side, unit by unit, ``COMPARE_ROWS_PER_PAGE``
    rows a page (``?page=``); ``?changes=1``: only the units whose text
    changed, were added or removed. The summary counts the whole comparison.
    An htmx request gets the rows alone (the filter and the pager swap them,
    with the editors' pairing form, which offers the units of the rows shown).
    A fixed number of queries whatever the length: the two documents, the
    corrections and their units' names, the digests of the two texts (the
    pairing comes from the cache when they are unchanged; else two more), and
    the units of the page's rows."""
    old_doc, new_doc = _documents(old, new)
    if old_doc.pk == new_doc.pk:
        return bad_request_response(request, _("Choose two different documents to compare."))
    try:
        comparison = paged_comparison(old_doc, new_doc)
    except ComparisonTooLarge as exc:
        return bad_request_response(request, exc.message)
    changes_only = request.GET.get("changes") == "1"
    labels = _relation_labels()
    page = Paginator(comparison.shown(changes_only), settings.COMPARE_ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows, old_units, new_units = comparison.rows(list(page.object_list))
    for row in rows:
        row.label = labels[row.relation]
    base = reverse("compare", args=[old_doc.slug, new_doc.slug])

    def page_url(n: int) -> str:
        query = urlencode(
            [
                (k, v)
                for k, v in (
                    ("changes", "1" if changes_only else ""),
                    ("page", str(n) if n > 1 else ""),
                )
                if v
            ]
        )
        return f"{base}?{query}" if query else base

    context = {
        "old": old_doc,
        "new": new_doc,
        "comparison": comparison,
        "rows": rows,
        "page": page,
        "shown_count": page.paginator.count,
        "previous_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": page_url(page.next_page_number()) if page.has_next() else "",
        "summary": [(r, labels[r], n) for r, n in comparison.summary],
        "changes_only": changes_only,
        "threshold": f"{SIMILARITY_THRESHOLD:.0%}",
        "corrections": comparison.corrections,
    }
    if has_role(request.user, "editor"):
        context["correction_form"] = CorrectionForm(old_units=old_units, new_units=new_units)
    template = "clauses/compare.html"
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        template += "#rows"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_safe
def compare_export(request, old, new):
    """``{"old", "new", "pairs": [{"old", "new", "relation", "similarity"}]}``."""
    old_doc, new_doc = _documents(old, new)
    try:
        pairs = paged_comparison(old_doc, new_doc).pairs  # the page's pairing, cached
    except ComparisonTooLarge as exc:
        return bad_request_response(request, exc.message)
    return JsonResponse(
        {"old": old_doc.slug, "new": new_doc.slug, "pairs": [p.as_json() for p in pairs]},
        json_dumps_params={"ensure_ascii": False},
    )


@role_required("editor")
@require_POST
def compare_correct(request, old, new):
    """An editor pairs units (``kind=pair``) or marks them without counterpart
    (``kind=unpair``): ``old`` and ``new`` are unit keys, repeated."""
    old_doc, new_doc = _documents(old, new)
    try:
        save_correction(
            old_doc,
            new_doc,
            request.POST.get("kind", ""),
            request.POST.getlist("old"),
            request.POST.getlist("new"),
            request.user,
        )
    except CorrectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The correction is saved: it is applied every time."))
    return redirect(_back(request, old_doc, new_doc))


@role_required("editor")
@require_POST
def compare_correction_delete(request, old, new, pk):
    old_doc, new_doc = _documents(old, new)
    correction = get_object_or_404(
        ComparisonCorrection, pk=pk, old_document=old_doc, new_document=new_doc
    )
    correction.delete()
    messages.success(request, _("The correction is removed: the automatic pairing applies."))
    return redirect(_back(request, old_doc, new_doc))


def _back(request, old_doc, new_doc) -> str:
    """The comparison's page the form was on: the filter and the page kept."""
    url = reverse("compare", args=[old_doc.slug, new_doc.slug])
    query = []
    if request.POST.get("changes") == "1":
        query.append(("changes", "1"))
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        query.append(("page", page))
    return url + ("?" + urlencode(query) if query else "")


@role_required("editor")
@require_POST
def document_relate(request, slug):
    """An editor relates the document to another: later version of, supersedes, builds on."""
    document = get_object_or_404(Document, slug=slug)
    form = RelationForm(request.POST, document=document)
    if form.is_valid():
        try:
            relate(document, form.cleaned_data["other"], form.cleaned_data["kind"], request.user)
        except CorrectionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The relation is saved."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(document.get_absolute_url() + "#versions")


@role_required("editor")
@require_POST
def document_relation_delete(request, slug, pk):
    document = get_object_or_404(Document, slug=slug)
    relation = relation_of(document, pk)
    if relation is None:
        messages.error(request, _("There is no such relation."))
    else:
        relation.delete()
        messages.success(request, _("The relation is removed."))
    return redirect(document.get_absolute_url() + "#versions")
