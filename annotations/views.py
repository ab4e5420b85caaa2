"""Pages and htmx fragments: notes, the per-unit notes panel, tags, flags, errata, the user page.

Each view starts from the ``visible_to`` query-set methods, so a note the
user may not read is a 404 everywhere; changing one needs the author (403
otherwise). Writes go through :mod:`annotations.services`.
"""

from __future__ import annotations

import csv
import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clauses.models import Document, Source, Unit, VariantSite
from policyreader.inputs import next_url
from policyreader.roles import has_role, highest_role, refuse, role_required

from .anchoring import occurrences
from .forms import (
    FlagDecisionForm,
    FlagForm,
    NoteEditForm,
    NoteForm,
    ReattachForm,
    ReplyForm,
    TagMergeForm,
    TagRenameForm,
    TokenForm,
)
from .models import ApiToken, Flag, Note, Tag, Visibility
from .services import (
    Duplicate,
    Invalid,
    Refused,
    create_flag,
    create_note,
    create_token,
    decide_flag,
    delete_note,
    may_reattach,
    merge_tag_into,
    reattach_note,
    rename_tag,
    revoke_token,
    standing_flag,
    update_note,
    withdraw_flag,
)

FILTERS = ("all", "mine", "shared")


# --- Helpers -------------------------------------------------------------------------


def _abilities(user) -> dict:
    return {
        "can_write": has_role(user, "reader"),
        "can_annotate": has_role(user, "annotator"),
        "is_editor": has_role(user, "editor"),
    }


def _which(request) -> str:
    value = request.GET.get("filter") or request.POST.get("filter") or "all"
    return value if value in FILTERS else "all"


def _with_trigger(response: HttpResponse, unit: Unit, user) -> HttpResponse:
    """``HX-Trigger-After-Settle: notes-changed`` with the unit's new note count (for badges)."""
    count = Note.objects.visible_to(user).of_unit(unit).top_level().count()
    response["HX-Trigger-After-Settle"] = json.dumps(
        {"notes-changed": {"unit": unit.key, "count": count}}, ensure_ascii=True
    )
    return response


def _unit_or_404(slug: str, key: str) -> Unit:
    return get_object_or_404(Unit.objects.select_related("document"), document__slug=slug, key=key)


def _visible_note_or_404(request, pk: int) -> Note:
    return get_object_or_404(Note.objects.visible_to(request.user).for_display(request.user), pk=pk)


def _note_fragment(request, note: Note, **extra) -> HttpResponse:
    partial = "reply" if note.parent_id else "note"
    context = {"note": note, "reply": note, **_abilities(request.user), **extra}
    return render(request, f"annotations/unit_notes.html#{partial}", context)


def highlight(text: str, notes) -> list[dict]:
    """Segments of ``text``, each with the ids of the span notes covering it."""
    spans = [(n.start, n.end, n.pk) for n in notes if n.is_span and not n.orphaned]
    cuts = sorted({0, len(text), *(s for s, _e, _p in spans), *(e for _s, e, _p in spans)})
    segments = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        ids = [pk for s, e, pk in spans if s <= a and b <= e]
        segments.append({"text": text[a:b], "notes": ids, "ids": " ".join(map(str, ids))})
    return segments


# --- The per-unit notes panel -----------------------------------------------------------


def _panel_context(request, unit: Unit, which: str, form=None) -> dict:
    user = request.user
    notes = list(
        Note.objects.visible_to(user)
        .of_unit(unit)
        .top_level()
        .matching(which, user)
        .for_display(user)
        .order_by("start", "created", "pk")
    )
    abilities = _abilities(user)
    if form is None and abilities["can_write"]:
        form = NoteForm(user=user, unit=unit)
    return {
        "document": unit.document,
        "unit": unit,
        "notes": notes,
        "filter": which,
        "filters": [("all", _("All")), ("mine", _("Mine")), ("shared", _("Shared"))],
        "form": form,
        "panel_url": reverse("annotations:unit_notes", args=[unit.document.slug, unit.key]),
        **abilities,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def unit_notes(request, slug, key):
    """The notes of one unit: a page, or (htmx) the ``panel`` fragment for a side panel.

    GET lists the notes the user may read (``?filter=mine|shared|all``); POST
    writes a new note (on a span when the hidden selector fields are set).
    """
    unit = _unit_or_404(slug, key)
    which = _which(request)
    if request.method == "POST":
        if not has_role(request.user, "reader"):
            return refuse(request, role="reader")
        form = NoteForm(request.POST, user=request.user, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                create_note(
                    request.user,
                    unit,
                    body=data["body"],
                    visibility=data["visibility"],
                    tags=data["tags"],
                    anchor=data["anchor"],
                )
            except (Invalid, Refused) as exc:
                form.add_error(None, str(exc))
            else:
                if request.htmx:
                    context = _panel_context(request, unit, which)
                    response = render(request, "annotations/unit_notes.html#panel", context)
                    return _with_trigger(response, unit, request.user)
                messages.success(request, _("Your note is saved."))
                return redirect(f"{request.path}?{urlencode({'filter': which})}")
        context = _panel_context(request, unit, which, form=form)
    else:
        context = _panel_context(request, unit, which)
    if request.htmx:
        return render(request, "annotations/unit_notes.html#panel", context)
    context["segments"] = highlight(unit.canonical, context["notes"])
    text = unit.canonical
    context["sites"] = [
        {
            "site": site,
            "before": text[max(0, site.start - 10) : site.start],
            "after": text[site.end : site.end + 10],
            "readings": sorted(site.readings.items()),
        }
        for site in VariantSite.objects.filter(unit=unit).order_by("index")
    ]
    context["sources"] = {
        s.siglum: s for s in Source.objects.filter(document=unit.document).only("siglum", "title")
    }
    return render(request, "annotations/unit_notes.html", context)


@require_safe
def note_anchors(request, slug):
    """For the reader: per unit, the note count and the anchored spans the user may read."""
    document = get_object_or_404(Document, slug=slug)
    notes = (
        Note.objects.visible_to(request.user)
        .of_document(document)
        .matching(_which(request), request.user)
    )
    units: dict[str, dict] = {}
    for key, n in notes.top_level().count_by_unit().items():
        units[key] = {"count": n, "spans": []}
    rows = (
        notes.top_level()
        .spans()
        .filter(orphaned=False)
        .values("pk", "unit__key", "start", "end", "exact", "author_id", "visibility")
    )
    uid = request.user.pk if request.user.is_authenticated else None
    for r in rows.order_by("unit__key", "start", "pk"):
        units.setdefault(r["unit__key"], {"count": 0, "spans": []})["spans"].append(
            {
                "id": r["pk"],
                "start": r["start"],
                "end": r["end"],
                "exact": r["exact"],
                "mine": r["author_id"] == uid,
                "visibility": r["visibility"],
            }
        )
    return JsonResponse(
        {"document": slug, "units": units}, json_dumps_params={"ensure_ascii": False}
    )


# --- Single notes: show, edit, delete, reply ---------------------------------------------


@require_safe
def note(request, pk):
    the_note = _visible_note_or_404(request, pk)
    if request.htmx:
        return _note_fragment(request, the_note)
    context = {
        "note": the_note,
        # A reply is visible only where its parent is (NoteQuerySet.visible_to).
        "parent": the_note.parent,
        "document": the_note.unit.document,
        "unit": the_note.unit,
        **_abilities(request.user),
    }
    return render(request, "annotations/note.html", context)


@role_required("reader")
@require_http_methods(["GET", "HEAD", "POST"])
def note_edit(request, pk):
    the_note = _visible_note_or_404(request, pk)
    if the_note.author_id != request.user.pk:
        return refuse(request)
    form = NoteEditForm(request.POST or None, user=request.user, note=the_note)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_note(
                the_note,
                request.user,
                body=data["body"],
                visibility=data["visibility"],
                tags=data["tags"],
            )
        except (Invalid, Refused) as exc:
            form.add_error(None, str(exc))
        else:
            fresh = _visible_note_or_404(request, pk)
            if request.htmx:
                return _with_trigger(_note_fragment(request, fresh), fresh.unit, request.user)
            messages.success(request, _("Your note is saved."))
            return redirect(next_url(request, fresh.get_absolute_url()))
    context = {"note": the_note, "form": form, **_abilities(request.user)}
    if request.htmx:
        return render(request, "annotations/unit_notes.html#edit-form", context)
    return render(request, "annotations/note_edit.html", context)


def _occurrence_choices(text: str, exact: str) -> list[dict]:
    """Every occurrence of ``exact`` in ``text``, with a little context to tell them apart."""
    return [
        {
            "start": i,
            "before": text[max(0, i - 12) : i],
            "exact": exact,
            "after": text[i + len(exact) : i + len(exact) + 12],
        }
        for i in occurrences(text, exact)
    ]


@role_required("reader")
@require_http_methods(["GET", "HEAD", "POST"])
def note_reattach(request, pk):
    """Re-attach an orphaned note by hand: choose the span of the unit's text it is about.

    Editors (for notes they may read) and the note's author; a form that
    works without JavaScript: the text to attach to, and which occurrence.
    """
    the_note = _visible_note_or_404(request, pk)
    if not may_reattach(the_note, request.user):
        return refuse(request)
    form = ReattachForm(request.POST or None, note=the_note)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reattach_note(
                    the_note,
                    request.user,
                    exact=form.cleaned_data["exact"],
                    start=form.cleaned_data["start"],
                )
            except (Invalid, Refused) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The note is attached to its new place."))
                return redirect(next_url(request, the_note.get_absolute_url()))
        status = 400
    text = the_note.unit.canonical
    wanted = (form["exact"].value() or "") if form.is_bound else the_note.exact
    return render(
        request,
        "annotations/note_reattach.html",
        {
            "note": the_note,
            "unit": the_note.unit,
            "document": the_note.unit.document,
            "form": form,
            "choices": _occurrence_choices(text, wanted) if wanted else [],
            "wanted": wanted,
            **_abilities(request.user),
        },
        status=status,
    )


@role_required("reader")
@require_POST
def note_delete(request, pk):
    the_note = _visible_note_or_404(request, pk)
    if the_note.author_id != request.user.pk:
        return refuse(request)
    unit = the_note.unit
    delete_note(the_note, request.user)
    if request.htmx:
        return _with_trigger(HttpResponse(""), unit, request.user)
    messages.success(request, _("The note is deleted."))
    return redirect(
        next_url(request, reverse("annotations:unit_notes", args=[unit.document.slug, unit.key]))
    )


@role_required("annotator")
@require_POST
def note_reply(request, pk):
    parent = _visible_note_or_404(request, pk)
    form = ReplyForm(request.POST, parent=parent)
    error = None
    if form.is_valid():
        try:
            create_note(request.user, parent.unit, body=form.cleaned_data["body"], parent=parent)
        except (Invalid, Refused) as exc:
            error = str(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        fresh = _visible_note_or_404(request, pk)
        response = _note_fragment(
            request, fresh, reply_error=error, reply_form=form if error else None
        )
        return _with_trigger(response, fresh.unit, request.user)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your reply is saved."))
    return redirect(next_url(request, parent.get_absolute_url()))


# --- The notes list ---------------------------------------------------------------------


@require_safe
def notes(request):
    """Every note the user may read, filtered by tag, author, document, visibility and text."""
    user = request.user
    qs = Note.objects.visible_to(user)
    filters = {
        "tag": request.GET.get("tag", "").strip(),
        "author": request.GET.get("author", "").strip(),
        "document": request.GET.get("document", "").strip(),
        "visibility": request.GET.get("visibility", "").strip(),
        "q": request.GET.get("q", "").strip(),
    }
    if filters["tag"]:
        qs = qs.filter(tags__name__iexact=filters["tag"])
    if filters["author"]:
        qs = qs.filter(author__username=filters["author"])
    if filters["document"]:
        qs = qs.filter(unit__document__slug=filters["document"])
    if filters["visibility"] in Visibility.values:
        qs = qs.filter(visibility=filters["visibility"])
    if filters["q"]:
        qs = qs.filter(Q(body__icontains=filters["q"]) | Q(exact__icontains=filters["q"]))
    qs = (
        qs.select_related("author", "unit__document", "parent__author")
        .prefetch_related("tags")
        .order_by("-created", "-pk")
    )
    page = Paginator(qs, settings.NOTES_PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "annotations/notes.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode(query),
            "documents": Document.objects.only("slug", "title"),
            "visibilities": Visibility.choices,
            **_abilities(user),
        },
    )


# --- Tags -----------------------------------------------------------------------------------


@require_safe
def tags(request):
    tag_list = Tag.objects.visible_to(request.user).order_by("-note_count", "name")
    return render(request, "annotations/tags.html", {"tags": tag_list})


@require_safe
def tag_suggestions(request):
    """Autocomplete: tags the user can see that start with (or contain) the last typed one.

    ``?tags=a, b, c`` (the tag field's value): ``<option>`` elements for a
    ``<datalist>`` whose values complete the last tag (htmx), or a JSON list
    of names with ``?q=``.
    """
    raw = next((request.GET[k] for k in ("tags", "tag", "into", "q") if k in request.GET), "")
    head, _sep, last = raw.rpartition(",")
    last = last.strip()
    qs = Tag.objects.visible_to(request.user)
    if last:
        qs = qs.filter(name__icontains=last)
    names = list(qs.order_by("-note_count", "name").values_list("name", flat=True)[:12])
    if not request.htmx:
        return JsonResponse({"tags": names}, json_dumps_params={"ensure_ascii": False})
    prefix = f"{head.strip()}, " if head.strip() else ""
    return render(
        request,
        "annotations/tags.html#options",
        {"options": [prefix + n for n in names]},
    )


def _form_errors(form) -> str:
    return " ".join(f"{form[f].label}: {e}" for f, errors in form.errors.items() for e in errors)


def _visible_tag_or_404(request, name) -> Tag:
    """The tag of that name on a note the user may read (the public one first)."""
    tag = (
        Tag.objects.nameable_by(request.user)
        .visible_to(request.user)
        .filter(name__iexact=name)
        .order_by(F("owner").asc(nulls_first=True), "pk")
        .first()
    )
    if tag is None:
        raise Http404
    return tag


@require_safe
def tag(request, name):
    """One tag: its notes across documents (those the user may read)."""
    the_tag = _visible_tag_or_404(request, name)
    qs = (
        # By name: a note the user may read carries only public tags and the
        # user's own (Tag), so this shows nobody's private tag.
        Note.objects.visible_to(request.user)
        .filter(tags__name__iexact=the_tag.name)
        .distinct()
        .select_related("author", "unit__document", "parent__author")
        .prefetch_related("tags")
        .order_by("unit__document__title", "unit__order", "created", "pk")
    )
    page = Paginator(qs, settings.NOTES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "annotations/tag.html",
        {
            "tag": the_tag,
            "page": page,
            "rename_form": TagRenameForm(initial={"name": the_tag.name}),
            "merge_form": TagMergeForm(),
            **_abilities(request.user),
        },
    )


@role_required("editor")
@require_POST
def tag_rename(request, name):
    the_tag = _visible_tag_or_404(request, name)
    form = TagRenameForm(request.POST)
    if form.is_valid():
        try:
            rename_tag(the_tag, form.cleaned_data["name"], request.user)
        except (Invalid, Refused) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The tag is renamed."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(the_tag.get_absolute_url())


@role_required("editor")
@require_POST
def tag_merge(request, name):
    the_tag = _visible_tag_or_404(request, name)
    form = TagMergeForm(request.POST)
    if form.is_valid():
        name = the_tag.name
        try:
            into = merge_tag_into(the_tag, form.cleaned_data["into"], request.user)
        except (Invalid, Refused) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("“%(a)s” is merged into “%(b)s”.") % {"a": name, "b": into.name}
            )
            return redirect(into.get_absolute_url())
    else:
        messages.error(request, _form_errors(form))
    return redirect(the_tag.get_absolute_url())


# --- Transcription-error flags ----------------------------------------------------------


@role_required("annotator")
@require_http_methods(["GET", "HEAD", "POST"])
def flag_create(request, slug, site_id):
    """The flag form for one source's reading at a variant site (``?source=<siglum>``)."""
    site = get_object_or_404(
        VariantSite.objects.select_related("unit__document"),
        pk=site_id,
        unit__document__slug=slug,
    )
    siglum = request.GET.get("source") or request.POST.get("source") or ""
    source = get_object_or_404(
        Source.objects.defer("original", "text"), document=site.unit.document, siglum=siglum
    )
    if siglum not in site.readings:
        raise Http404
    form = FlagForm(request.POST or None, initial={"proposed": site.canonical_reading})
    # A place flagged already (open or confirmed) is not flagged twice: say so at once.
    duplicate = standing_flag(site, source) if request.method != "POST" else None
    if request.method == "POST" and form.is_valid():
        try:
            flag = create_flag(
                request.user,
                site,
                source,
                proposed=form.cleaned_data["proposed"],
                comment=form.cleaned_data["comment"],
            )
        except Duplicate as exc:
            form.add_error(None, str(exc))
            duplicate = exc.flag
        except (Invalid, Refused) as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                return render(request, "annotations/flag_form.html#done", {"flag": flag})
            messages.success(request, _("Your flag is sent to the editors."))
            return redirect(
                reverse("annotations:unit_notes", args=[slug, site.unit.key]) + "#variants"
            )
    unit = site.unit
    context = {
        "form": form,
        "site": site,
        "unit": unit,
        "document": unit.document,
        "source": source,
        "reading": site.readings[siglum],
        "duplicate": duplicate,
        "before": unit.canonical[max(0, site.start - 12) : site.start],
        "after": unit.canonical[site.end : site.end + 12],
        "action": reverse("annotations:flag_create", args=[slug, site.pk])
        + "?"
        + urlencode({"source": siglum}),
    }
    if request.htmx:
        return render(request, "annotations/flag_form.html#form", context)
    return render(request, "annotations/flag_form.html", context)


def _flag_filters(request) -> dict:
    return {
        "state": request.GET.get("state", "open"),
        "source": request.GET.get("source", "").strip(),
        "document": request.GET.get("document", "").strip(),
    }


@role_required("editor")
@require_safe
def flags(request):
    """The editors' queue of flags, by state, source siglum and document."""
    filters = _flag_filters(request)
    qs = Flag.objects.visible_to(request.user).with_related()
    if filters["state"] in Flag.State.values:
        qs = qs.filter(state=filters["state"])
    if filters["source"]:
        qs = qs.filter(source__siglum=filters["source"])
    if filters["document"]:
        qs = qs.filter(unit__document__slug=filters["document"])
    qs = qs.order_by("created", "pk") if filters["state"] == "open" else qs
    page = Paginator(qs, settings.FLAGS_PER_PAGE).get_page(request.GET.get("page"))
    sigla = sorted(set(Source.objects.values_list("siglum", flat=True)))
    return render(
        request,
        "annotations/flags.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "states": Flag.State.choices,
            "sigla": sigla,
            "documents": Document.objects.only("slug", "title"),
            "is_editor": True,
        },
    )


@login_required
@require_safe
def flag(request, pk):
    the_flag = get_object_or_404(Flag.objects.visible_to(request.user).with_related(), pk=pk)
    return render(
        request,
        "annotations/flag.html",
        {"flag": the_flag, "form": FlagDecisionForm(flag=the_flag), **_abilities(request.user)},
    )


@role_required("editor")
@require_POST
def flag_decide(request, pk):
    the_flag = get_object_or_404(Flag.objects.with_related(), pk=pk)
    form = FlagDecisionForm(request.POST, flag=the_flag)
    if form.is_valid():
        data = form.cleaned_data
        try:
            the_flag = decide_flag(
                the_flag,
                request.user,
                confirm=data["action"] == "confirm",
                reason=data["reason"],
                correction=data["correction"],
            )
        except Invalid as exc:
            form.add_error(None, str(exc))
        else:
            the_flag = Flag.objects.with_related().get(pk=the_flag.pk)
            if not request.htmx:
                messages.success(request, _("The flag is decided."))
                return redirect(next_url(request, reverse("annotations:flags")))
            form = FlagDecisionForm(flag=the_flag)
    if request.htmx:
        return render(
            request,
            "annotations/flags.html#row",
            {"flag": the_flag, "form": form, "is_editor": True},
        )
    return render(
        request,
        "annotations/flag.html",
        {"flag": the_flag, "form": form, **_abilities(request.user)},
    )


@role_required("annotator")
@require_POST
def flag_withdraw(request, pk):
    the_flag = get_object_or_404(Flag, pk=pk)
    try:
        withdraw_flag(the_flag, request.user)
    except Refused:
        return refuse(request)
    messages.success(request, _("Your flag is withdrawn."))
    return redirect(next_url(request, reverse("annotations:account")))


def _errata(slug, siglum):
    source = get_object_or_404(
        Source.objects.select_related("document").defer("original", "text"),
        document__slug=slug,
        siglum=siglum,
    )
    rows = (
        Flag.objects.confirmed()
        .filter(source=source)
        .select_related("unit", "decided_by", "author")
        .order_by("unit__order", "position", "pk")
    )
    return source, rows


@require_safe
def errata(request, slug, siglum):
    """The confirmed transcription errors of one source."""
    source, rows = _errata(slug, siglum)
    return render(
        request,
        "annotations/errata.html",
        {"source": source, "document": source.document, "flags": rows},
    )


@require_safe
def errata_csv(request, slug, siglum):
    source, rows = _errata(slug, siglum)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{siglum}-errata.csv"'
    response.write("\ufeff")  # spreadsheet programs read the CSV as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            "document",
            "source",
            "unit",
            "label",
            "printed",
            "correct",
            "context_before",
            "context_after",
            "reason",
            "confirmed_by",
            "confirmed_at",
        ]
    )
    for f in rows:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    slug,
                    siglum,
                    f.unit.key,
                    f.unit.label,
                    f.reading,
                    f.correction,
                    f.before,
                    f.after,
                    f.reason,
                    f.decided_by.get_username() if f.decided_by else "",
                    f.decided_at.isoformat() if f.decided_at else "",
                )
            ]
        )
    return response


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


# --- The user's page --------------------------------------------------------------------


@login_required
@require_safe
def account(request):
    return _account_page(request)


def _account_page(request, *, new_token=None, token_form=None, status=200):
    user = request.user
    counts = dict(
        Note.objects.filter(author=user)
        .values_list("visibility")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return render(
        request,
        "accounts/user.html",
        {
            "role": highest_role(user),
            "counts": [(v, label, counts.get(v, 0)) for v, label in Visibility.choices],
            "recent": Note.objects.filter(author=user)
            .select_related("unit__document")
            .order_by("-created")[:10],
            "my_flags": Flag.objects.filter(author=user).with_related()[:20],
            "tokens": ApiToken.objects.filter(user=user),
            "token_form": token_form or TokenForm(),
            "new_token": new_token,
            **_abilities(user),
        },
        status=status,
    )


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, token_form=form, status=400)
    token, raw = create_token(request.user, form.cleaned_data["name"])
    # Shown once, in this response; only the digest is kept.
    return _account_page(request, new_token={"token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(token, request.user)
    messages.success(request, format_html(_("The token “{}” is revoked."), token.name))
    return redirect("annotations:account")
