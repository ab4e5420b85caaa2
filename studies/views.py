"""Study sets: the list, a set's page with its edit forms, the handout in three
formats, the sign-in sheet, "add to study set" from any unit, and the JSON API.

Who may do what (checked here, on the server, for every address):

* reading a set (its page, print view, .docx, .pdf, sign-in sheet, JSON) --
  whoever ``StudySet.objects.visible_to`` lets see it; for anyone else the set
  does not exist: 404, never 403, so a private set's existence is not told;
* creating, adding to, duplicating -- signed-in users with the annotator role
  (``models.AUTHOR_ROLE``): the role that may share and publish notes, since
  a study set is made to be handed to a class;
* changing items and the header -- the owner and the colleagues the owner
  named, with that role (anonymous visitors are sent to sign in, others get
  the 403 page); choosing the visibility, the colleagues, deleting -- the owner.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from annotations.api import ApiError
from annotations.api import authenticate as api_authenticate
from annotations.models import Visibility
from clauses.models import Unit
from policyreader.errors import bad_request_response
from policyreader.inputs import UnreadableInput, loads_json, next_url
from policyreader.roles import has_role, refuse, role_required

from . import handout as builder
from .forms import AddForm, EditorForm, ItemForm, ReorderForm, StudySetForm
from .handout_layout import HandoutError
from .models import AUTHOR_ROLE, StudyItem, StudySet
from .services import (
    Invalid,
    Refused,
    add_editor,
    add_item,
    as_json,
    create_from_json,
    create_set,
    duplicate,
    handout_for,
    items_for_display,
    move_item,
    new_set_with,
    remove_editor,
    remove_item,
    reorder,
    update_header,
    update_item,
)

#: Sets on one page of the list.
PER_PAGE = 20


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


# --- Guards ----------------------------------------------------------------------------------


def with_set(need: str = "read"):
    """View decorator: load the set named by ``pk`` as ``request.user`` may have it.

    ``need`` is ``read`` (visible: else 404), ``edit`` (owner or named colleague
    with the annotator role) or ``own`` (the owner). A set the user may read but
    not change is refused (sign-in for anonymous visitors, else 403); one they
    may not read is 404. The view gets the set as its second argument.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            study_set = get_object_or_404(
                StudySet.objects.visible_to(request.user).select_related("owner"), pk=pk
            )
            if need != "read":
                if not request.user.is_authenticated:
                    return refuse(request)
                if not has_role(request.user, AUTHOR_ROLE):
                    return refuse(request, role=AUTHOR_ROLE)
                allowed = (
                    study_set.is_owned_by(request.user)
                    if need == "own"
                    else StudySet.objects.editable_by(request.user).filter(pk=pk).exists()
                )
                if not allowed:
                    return refuse(request)
            return view(request, study_set, *args, **kwargs)

        return wrapper

    return decorator


def _item(study_set: StudySet, item_pk: int) -> StudyItem:
    return get_object_or_404(
        StudyItem.objects.select_related("unit__document", "study_set"),
        pk=item_pk,
        study_set=study_set,
    )


# --- The list and the API's create ------------------------------------------------------------


@login_not_required  # the API answers 401 itself; the list follows ANONYMOUS_READ below
@csrf_exempt  # a session POST is CSRF-checked in annotations.api.authenticate
def studies(request):
    """``GET``: the sets the user may read, paged. ``POST``: the API's create (JSON)."""
    if request.method == "POST":
        return api_create(request)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    if not settings.ANONYMOUS_READ and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    which = request.GET.get("which", "all")
    qs = StudySet.objects.visible_to(request.user).for_list()
    if which == "mine" and request.user.is_authenticated:
        qs = qs.filter(owner=request.user)
    elif which == "editable" and request.user.is_authenticated:
        qs = qs.filter(editors=request.user)
    else:
        which = "all"
    page = Paginator(qs.order_by("-modified", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "studies/list.html",
        {
            "page": page,
            "which": which,
            "can_create": has_role(request.user, AUTHOR_ROLE),
        },
    )


def api_create(request) -> JsonResponse:
    """``POST /studies/`` with a JSON body (see ``services.create_from_json``): 201
    ``{"id", "url"}``; 400 ``{"error"}`` writing nothing; 401 without a user;
    403 without the annotator role or the CSRF token of a session."""
    try:
        user = api_authenticate(request)
    except ApiError as exc:
        if exc.status == 401:
            return _json({"error": _("Sign in or send a valid token.")}, 401)
        return _json({"error": _("The CSRF check failed: reload the page and try again.")}, 403)
    if not user.is_authenticated:
        return _json({"error": _("Sign in or send a valid token.")}, 401)
    if not has_role(user, AUTHOR_ROLE):
        return _json({"error": _("Making study sets needs the annotator role.")}, 403)
    try:
        data = loads_json(request.body)
        study_set = create_from_json(user, data)
    except (UnreadableInput, Invalid) as exc:
        return _json({"error": str(exc)}, 400)
    except Refused as exc:
        return _json({"error": str(exc)}, 403)
    url = request.build_absolute_uri(study_set.get_absolute_url())
    response = _json({"id": study_set.pk, "url": url}, 201)
    response["Location"] = url
    return response


@login_not_required  # answers 404 or the JSON itself; a bearer token may name the user
@require_safe
def study_json(request, pk):
    """``GET /studies/<id>.json``: the set in the API's shape, plus id and url."""
    try:
        user = api_authenticate(request)
    except ApiError:
        return _json({"error": _("Sign in or send a valid token.")}, 401)
    study_set = StudySet.objects.visible_to(user).filter(pk=pk).first()
    if study_set is None:
        return _json({"error": _("Not found.")}, 404)
    return _json(as_json(study_set, request))


# --- Creating and adding --------------------------------------------------------------------


@role_required(AUTHOR_ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def study_new(request):
    form = StudySetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        study_set = create_set(request.user, form.cleaned_data, [])
        messages.success(request, _("The study set is made. Add units from any document."))
        return redirect(study_set)
    return render(request, "studies/new.html", {"form": form}, status=400 if form.errors else 200)


def _add_context(request, form, unit, added=None, error=None) -> dict:
    return {
        "unit": unit,
        "st_document": unit.document.slug if unit else "",
        "st_unit": unit.key if unit else "",
        "st_start": form["start"].value() if form is not None else "",
        "st_end": form["end"].value() if form is not None else "",
        "st_next": next_url(request, ""),
        "added": added,
        "error": error,
    }


@role_required(AUTHOR_ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def study_add(request):
    """Add a unit (``document``, ``unit``, optional ``start``/``end``) to one of the
    user's sets (``set``: its id, or ``new``). GET shows the form (the fragment
    for htmx); POST adds and goes back to ``next`` (htmx: a fragment saying so)."""
    form = AddForm(request.POST if request.method == "POST" else request.GET)
    form.is_valid()
    data = form.cleaned_data
    unit = None
    if "document" in data and "unit" in data:
        unit = (
            Unit.objects.select_related("document")
            .filter(document__slug=data["document"], key=data["unit"])
            .first()
        )
    if unit is None:
        return bad_request_response(request, _("There is no such unit."))
    template = "studies/_add_to_set.html" if request.htmx else "studies/add.html"
    if request.method != "POST":
        return render(request, template, _add_context(request, form, unit))
    if form.errors:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return render(request, template, _add_context(request, form, unit, error=error), status=400)
    try:
        if data["set"] == "new":
            study_set = new_set_with(request.user, unit, data.get("start"), data.get("end"))
        else:
            study_set = get_object_or_404(
                StudySet.objects.editable_by(request.user), pk=data["set"]
            )
            add_item(study_set, unit, data.get("start"), data.get("end"))
    except Invalid as exc:
        return render(
            request, template, _add_context(request, form, unit, error=str(exc)), status=400
        )
    if request.htmx:
        return render(request, template, _add_context(request, form, unit, added=study_set))
    messages.success(request, _("Added to the study set “%(title)s”.") % {"title": study_set.title})
    return redirect(next_url(request, study_set.get_absolute_url()))


# --- A set's page and its edits --------------------------------------------------------------


def _detail_context(request, study_set: StudySet, **extra) -> dict:
    items = items_for_display(study_set)
    can_edit = StudySet.objects.editable_by(request.user).filter(pk=study_set.pk).exists()
    is_owner = study_set.is_owned_by(request.user)
    if can_edit:
        forms_by_item = extra.pop("item_forms", {})
        for item in items:
            item.form = forms_by_item.get(item.pk) or ItemForm(item=item)
    context = {
        "set": study_set,
        "items": items,
        "can_edit": can_edit,
        "is_owner": is_owner,
        "can_duplicate": has_role(request.user, AUTHOR_ROLE),
        "editors": list(study_set.editors.order_by("username")) if can_edit else [],
        "form": StudySetForm(instance=study_set, owner_may_publish=is_owner) if can_edit else None,
        "editor_form": EditorForm() if is_owner else None,
        "visibility_label": Visibility(study_set.visibility).label,
    }
    context.update(extra)
    return context


@require_safe
@with_set("read")
def study_detail(request, study_set):
    """The set: header, items with their text and locator; edit forms for who may edit."""
    return render(request, "studies/detail.html", _detail_context(request, study_set))


@require_http_methods(["GET", "HEAD", "POST"])
@with_set("edit")
def study_edit(request, study_set):
    """The header form (on the set's page); POST saves it."""
    is_owner = study_set.is_owned_by(request.user)
    form = StudySetForm(request.POST or None, instance=study_set, owner_may_publish=is_owner)
    if request.method == "POST" and form.is_valid():
        try:  # the form has set the instance's fields already: compare with the stored set
            stored = StudySet.objects.get(pk=study_set.pk)
            update_header(stored, request.user, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The study set is saved."))
            return redirect(study_set)
    study_set.refresh_from_db()
    context = _detail_context(request, study_set)
    context["form"] = form
    context["open_header"] = True
    return render(request, "studies/detail.html", context, status=400 if form.errors else 200)


@require_POST
@with_set("own")
def study_editors(request, study_set):
    """Add a colleague (``username``) who may edit, or remove one (``remove``: user id)."""
    try:
        if request.POST.get("remove", "").isdigit():
            remove_editor(study_set, request.user, int(request.POST["remove"]))
            messages.success(request, _("The colleague may no longer edit this set."))
        else:
            form = EditorForm(request.POST)
            if not form.is_valid():
                # The field's own message: empty, or longer than any user name.
                raise Invalid(" ".join(form.errors["username"]))
            add_editor(study_set, request.user, form.cleaned_data["username"])
            messages.success(request, _("The colleague may now edit this set."))
    except Invalid as exc:
        context = _detail_context(request, study_set, editor_error=str(exc))
        return render(request, "studies/detail.html", context, status=400)
    return redirect(study_set.get_absolute_url() + "#st-editors")


@require_POST
@with_set("own")
def study_delete(request, study_set):
    study_set.delete()
    messages.success(request, _("The study set is deleted."))
    return redirect("studies:list")


@require_POST
@with_set("read")
def study_duplicate(request, study_set):
    """A private copy for the user to adapt (“Copy of …”)."""
    if not request.user.is_authenticated:
        return refuse(request)
    if not has_role(request.user, AUTHOR_ROLE):
        return refuse(request, role=AUTHOR_ROLE)
    copy = duplicate(study_set, request.user)
    messages.success(request, _("This is your copy; only you can see it."))
    return redirect(copy)


def _items_answer(request, study_set, error: str | None = None, status: int = 200):
    """After a change of order or a removal: the items fragment (htmx) or the page."""
    if request.htmx:
        context = _detail_context(request, study_set, items_error=error)
        return render(request, "studies/detail.html#items", context, status=status)
    if error:
        messages.error(request, error)
    return redirect(study_set.get_absolute_url() + "#st-items")


@require_POST
@with_set("edit")
def study_reorder(request, study_set):
    """The new order (``order``: item ids, comma-separated) from drag and drop."""
    form = ReorderForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("The order could not be read; reload the page."))
        reorder(study_set, form.cleaned_data["order"])
    except Invalid as exc:
        return _items_answer(request, study_set, str(exc), status=400)
    return _items_answer(request, study_set)


@require_POST
@with_set("edit")
def item_move(request, study_set, item_pk):
    """Move an item one place ``direction=up`` or ``down`` (buttons: no JavaScript needed)."""
    item = _item(study_set, item_pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _items_answer(request, study_set, _("Move up or down."), status=400)
    move_item(item, -1 if direction == "up" else 1)
    return _items_answer(request, study_set)


@require_POST
@with_set("edit")
def item_remove(request, study_set, item_pk):
    remove_item(_item(study_set, item_pk))
    if not request.htmx:
        messages.success(request, _("The item is removed from the set."))
    return _items_answer(request, study_set)


@require_http_methods(["GET", "HEAD", "POST"])
@with_set("edit")
def item_edit(request, study_set, item_pk):
    """An item's talking points, questions, blanks, span and display choices."""
    item = _item(study_set, item_pk)
    form = ItemForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_item(item, **data)
        except Invalid as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                context = _detail_context(request, study_set, saved=item.pk)
                return render(request, "studies/detail.html#items", context)
            messages.success(request, _("The item is saved."))
            return redirect(study_set.get_absolute_url() + f"#item-{item.pk}")
    context = _detail_context(request, study_set, item_forms={item.pk: form}, open_item=item.pk)
    status = 400 if form.errors else 200
    if request.htmx:
        return render(request, "studies/detail.html#items", context, status=status)
    return render(request, "studies/detail.html", context, status=status)


# --- The handout ----------------------------------------------------------------------------


def _options(request) -> builder.Options:
    """``?points=0|1&pinyin=0|1&quiz=0|1``; raises :class:`Invalid` for another value."""
    values = {}
    defaults = builder.Options()
    for name in ("points", "pinyin", "quiz"):
        raw = request.GET.get(name)
        if raw is None or raw == "":
            values[name] = getattr(defaults, name)
        elif raw in ("0", "1"):
            values[name] = raw == "1"
        else:
            raise Invalid(
                _("“%(name)s” must be 0 or 1, not “%(value)s”.") % {"name": name, "value": raw[:20]}
            )
    return builder.Options(**values)


def _handout_links(study_set, options: builder.Options) -> list[tuple[str, str]]:
    """The print view's toolbar links: the set, the same handout as Word and
    PDF (same options), the sign-in sheet."""
    query = "?" + "&".join(f"{k}={v}" for k, v in options.query().items())
    return [
        (_("Back to the study set"), study_set.get_absolute_url()),
        (_("Word (.docx)"), reverse("studies:docx", args=[study_set.pk]) + query),
        (_("PDF"), reverse("studies:pdf", args=[study_set.pk]) + query),
        (_("Sign-in sheet"), reverse("studies:signin", args=[study_set.pk])),
    ]


def _handout_filename(study_set, options: builder.Options, kind: str) -> str:
    """学习专题标题（讲师用）.docx: the trainer's and the participants' copies
    (and the quiz) are told apart by name once downloaded."""
    parts = [
        pgettext("handout", "Trainer's copy")
        if options.points
        else pgettext("handout", "Participants' copy")
    ]
    if options.quiz:
        parts.append(pgettext("handout", "quiz"))
    return f"{study_set.title}（{'，'.join(parts)}）.{kind}"


def handout_view(kind: str):
    def view(request, study_set):
        try:
            options = _options(request)
        except Invalid as exc:
            return bad_request_response(request, str(exc))
        handout = handout_for(study_set)
        try:
            if kind == "html":
                links = _handout_links(study_set, options)
                return HttpResponse(
                    builder.render_html(handout, options, request=request, links=links)
                )
            if kind == "docx":
                data = builder.render_docx(handout, options)
                content_type = (
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                )
            else:
                try:
                    data = builder.render_pdf(handout, options)
                except builder.HandoutUnavailable as exc:
                    context = {
                        "set": study_set,
                        "message": str(exc),
                        "query": request.GET.urlencode(),
                    }
                    return render(request, "studies/unavailable.html", context, status=503)
                content_type = "application/pdf"
        except HandoutError as exc:
            # A blank no longer in its clause (the canonical text changed by a
            # decision after the item was saved): say which, change nothing.
            return bad_request_response(request, exc.translated(_))
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=_handout_filename(study_set, options, kind)
        )
        return response

    view.__name__ = f"study_{kind}"
    return require_safe(with_set("read")(view))


study_print = handout_view("html")
study_docx = handout_view("docx")
study_pdf = handout_view("pdf")


@require_safe
@with_set("read")
def study_signin(request, study_set):
    """The session's sign-in sheet (one click from the set's page)."""
    return HttpResponse(builder.render_signin_sheet_html(handout_for(study_set), request=request))
