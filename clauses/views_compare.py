"""Versions compared clause by clause (新旧对照); relations between documents.

Reading follows the site's rule (``ANONYMOUS_READ``); corrections of the
pairing and relations are for editors.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from policyreader.errors import bad_request_response
from policyreader.roles import has_role, role_required

from .comparison import CorrectionError, compare_documents, relate, relation_of, save_correction
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


def _named(comparison) -> list[ComparisonCorrection]:
    """The comparison's corrections, each with ``old_names`` / ``new_names``:
    its units' locators (keys stay in URLs only)."""
    names = {}
    for side, units in (("old", comparison.old_units), ("new", comparison.new_units)):
        names[side] = {u.key: u.locator or u.label or u.key for u in units}
    for c in comparison.corrections:
        c.old_names = [names["old"].get(k, k) for k in c.old_keys]
        c.new_names = [names["new"].get(k, k) for k in c.new_keys]
    return comparison.corrections


@require_safe
def compare(request, old, new):
    """The two documents side by side, unit by unit; ``?changes=1``: only the
    units whose text changed, were added or removed. An htmx request gets the
    rows alone (the filter swaps them)."""
    old_doc, new_doc = _documents(old, new)
    if old_doc.pk == new_doc.pk:
        return bad_request_response(request, _("Choose two different documents to compare."))
    comparison = compare_documents(old_doc, new_doc)
    changes_only = request.GET.get("changes") == "1"
    labels = _relation_labels()
    rows = comparison.rows(changes_only=changes_only)
    for row in rows:
        row.label = labels[row.relation]
    context = {
        "old": old_doc,
        "new": new_doc,
        "comparison": comparison,
        "rows": rows,
        "summary": [(r, labels[r], n) for r, n in comparison.summary],
        "changes_only": changes_only,
        "threshold": f"{SIMILARITY_THRESHOLD:.0%}",
        "corrections": _named(comparison),
    }
    if has_role(request.user, "editor"):
        context["correction_form"] = CorrectionForm(
            old_units=comparison.old_units, new_units=comparison.new_units
        )
    template = "clauses/compare.html"
    if request.htmx and not request.htmx.boosted:
        template += "#rows"
    return render(request, template, context)


@require_safe
def compare_export(request, old, new):
    """``{"old", "new", "pairs": [{"old", "new", "relation", "similarity"}]}``."""
    old_doc, new_doc = _documents(old, new)
    return JsonResponse(
        compare_documents(old_doc, new_doc).as_json(), json_dumps_params={"ensure_ascii": False}
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
    url = reverse("compare", args=[old_doc.slug, new_doc.slug])
    return url + ("?changes=1" if request.POST.get("changes") == "1" else "")


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
