"""Editors' pages: a unit with its apparatus and decisions, the discrepancy queue,
source priority.

Every write view checks the ``editor`` role on the server, takes POST only and is
CSRF-protected (the middleware). A decision or a new priority re-collates
(``clauses.collation``): variant sites are rebuilt with new ids, so the queue
swaps a whole unit's rows after a decision, never one row alone.

The decision form is posted by the unit page, the queue and the reader's
panel: ``action``, ``text``, ``reason``, ``next`` (a local URL), and two
optional fields, ``origin`` ("queue" or "unit": which page to answer with, a
fragment under htmx, the whole page after bad input without it) and ``unit``
(the unit's key, to recover when the site was re-collated meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from annotations.models import Flag
from policyreader.errors import bad_request_response
from policyreader.roles import role_required

from .apparatus import (
    apparatus_note,
    canonical_segments,
    grouped_readings,
    lacuna_side,
    site_type_labels,
    source_segments,
)
from .citation import citation, number_history, revision_in, revision_number
from .collation import decide, priority_order, set_priority
from .forms import DecisionForm, PriorityForm
from .models import CanonicalChange, Document, SiteDecision, Unit, VariantSite
from .text.collate import diff_opcodes
from .views import article_paragraphs, version_links

ORIGINS = ("queue", "unit")
STATES = ("open", "decided")
CONTEXT_CHARS = 10  # canonical text shown on each side of a site in the queue
HISTORY_CONTEXT = 8  # equal characters kept on each side of a change in the history


# --- Redirects ------------------------------------------------------------------


def _safe_next(request) -> str | None:
    """The posted ``next``, when it is a URL of this site."""
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


# --- Presentation helpers -----------------------------------------------------


def shown(text: str) -> str:
    """A reading as a person reads it: the empty reading is an omission."""
    return text if text else _("(nothing)")


def annotate_site(site: VariantSite, canonical: str) -> VariantSite:
    """Attach what the templates show about a site (number, note, context...)."""
    site.number = site.index + 1
    site.note = apparatus_note(site, site.canonical_reading)
    site.groups = grouped_readings(site, site.canonical_reading)
    site.before = canonical[max(0, site.start - CONTEXT_CHARS) : site.start]
    site.after = canonical[site.end : site.end + CONTEXT_CHARS]
    site.cut_before = site.start > CONTEXT_CHARS
    site.cut_after = site.end + CONTEXT_CHARS < len(canonical)
    site.ocr = " ".join(f"{a}→{b}" for a, b in site.ocr_pairs)
    site.posted = None  # the rejected form's values, when this site's decision failed
    site.errors = []
    site.flag = None  # the confirmed flag that decided it, when one did
    return site


def annotate_sites(sites: list[VariantSite]) -> None:
    """``annotate_site`` for each site, and the flags behind their decisions (one query)."""
    for site in sites:
        annotate_site(site, site.unit.canonical)
    attach_flags(sites, {s.decision_id for s in sites})


def attach_flags(sites, decisions) -> None:
    """One query: the confirmed flag behind each decision that a flag made (a
    transcription error confirmed decides its site); ``site.flag`` then links to it."""
    ids = {d for d in decisions if d is not None}
    if not ids:
        return
    flag_of = dict(
        Flag.objects.filter(decision_id__in=ids)
        .order_by("decision_id", "pk")
        .values_list("decision_id", "pk")
    )
    for site in sites:
        pk = flag_of.get(site.decision_id)
        if pk is not None:
            site.flag = reverse("annotations:flag", args=[pk])


def differs_from_canonical(site: VariantSite, siglum: str) -> bool:
    """Python twin of ``VariantSite.objects.for_source(siglum)``."""
    return siglum in site.readings and site.readings[siglum] != site.canonical_reading


def change_runs(before: str, after: str, context: int = HISTORY_CONTEXT) -> list[tuple[str, str]]:
    """A change of canonical text as runs ``(kind, text)``: "equal" (trimmed to
    ``context`` characters around each change, the cut marked "…"), "del", "ins"."""
    runs: list[tuple[str, str]] = []
    ops = diff_opcodes(before, after)
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            text = before[i1:i2]
            first, last = n == 0, n == len(ops) - 1
            if first and last:
                pass
            elif first and len(text) > context:
                text = "…" + text[-context:]
            elif last and len(text) > context:
                text = text[:context] + "…"
            elif len(text) > 2 * context:
                text = text[:context] + "…" + text[-context:]
            runs.append(("equal", text))
            continue
        if i2 > i1:
            runs.append(("del", before[i1:i2]))
        if j2 > j1:
            runs.append(("ins", after[j1:j2]))
    return runs


# --- Unit page ----------------------------------------------------------------


def unit_context(request, the_unit: Unit) -> dict:
    """Everything the unit page shows. Seven queries, whatever the unit (one more
    when a flag decided a site, one more when the document has other versions)."""
    doc = the_unit.document
    readings = list(
        the_unit.readings.select_related("source")
        .defer("source__original")
        .order_by("source__priority", "source__siglum")
    )
    siblings = list(doc.units.in_order().only("key", "order", "label", "locator", "document_id"))
    for sibling in siblings:
        sibling.document = doc  # their URLs need the slug: no query each
    index = next(i for i, u in enumerate(siblings) if u.pk == the_unit.pk)
    decisions = {
        d.pk: d
        for d in SiteDecision.objects.filter(unit=the_unit, active=True).select_related(
            "decided_by"
        )
    }
    sites = [annotate_site(s, the_unit.canonical) for s in the_unit.sites.order_by("index")]
    attach_flags(sites, decisions)
    for site in sites:
        site.unit = the_unit  # no query per site for the unit
        if site.decision_id in decisions:
            site.decision = decisions[site.decision_id]
    labels = site_type_labels()
    sigla = {r.source_id: r.source.siglum for r in readings}
    for r in readings:
        r.source.document = doc
        g = r.source.siglum
        r.segments = source_segments(the_unit.canonical, sites, g)
        # Which end of the unit this copy lacks (the engine's lacuna sites).
        sides = [
            lacuna_side(s, g, len(the_unit.canonical))
            for s in sites
            if s.type == VariantSite.Type.LACUNA and s.readings.get(g) != s.canonical_reading
        ]
        r.lacuna = labels.get(sides[0], "") if sides and sides[0] else ""
        r.derived_from = sigla.get(r.source.derived_from_id, "")
    history = list(CanonicalChange.objects.filter(unit=the_unit).select_related("user"))
    versions = version_links(doc)
    if versions:
        # The unit of the same key in each other version: its permalink there.
        same = {
            u.document_id: u
            for u in Unit.objects.filter(
                key=the_unit.key, document__in=[v["document"] for v in versions]
            ).only("key", "label", "locator", "document_id")
        }
        for v in versions:
            v["unit"] = same.get(v["document"].pk)
            if v["unit"] is not None:
                v["unit"].document = v["document"]
    for change in history:
        change.runs = change_runs(change.before, change.after) if change.before else []
    latest = number_history(history)
    return {
        "document": doc,
        "unit": the_unit,
        "readings": readings,
        "sites": sites,
        "canonical_segments": canonical_segments(the_unit.canonical, sites),
        # An article's 款 / 项 / 目, each citable and linked in the document page.
        "subdivisions": article_paragraphs(the_unit) if the_unit.kind == "article" else [],
        "site_types": [(t, labels[t]) for t in VariantSite.Type.values],
        "unapplied": [d for d in decisions.values() if not d.applied],
        "history": history,
        "versions": versions,
        "previous": siblings[index - 1] if index else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "permalink": request.build_absolute_uri(the_unit.get_absolute_url()),
        "origin": "unit",
        "here": the_unit.get_absolute_url(),
        # The revision shown and cited: the current one unless ?rev= asks.
        "revision": revision_in(the_unit, history, latest),
        "citation": citation(request, the_unit, revision_in(the_unit, history, latest)),
    }


def _get_unit(slug: str, key: str) -> Unit:
    """The unit of document ``slug`` with ``key``; raises :class:`FormerKey`
    when the key is one a unit gave up for a fuller address (its URL leads to
    that unit), Http404 when there is none."""
    unit = Unit.objects.select_related("document").filter(document__slug=slug, key=key).first()
    if unit is not None:
        return unit
    document = get_object_or_404(Document.objects.only("former_keys"), slug=slug)
    pk = (document.former_keys or {}).get(key)
    moved = Unit.objects.filter(pk=pk, document=document).first() if isinstance(pk, int) else None
    if moved is None:
        raise Http404
    raise FormerKey(moved)


class FormerKey(Exception):
    """A unit asked for by the key it had before a fuller address: ``unit``."""

    def __init__(self, unit: Unit):
        super().__init__(unit.key)
        self.unit = unit


def _to_current_key(request, exc: FormerKey, view: str):
    """A permanent redirect to the unit's page (or ``cite.json``) under its
    key now, the query string kept (``?rev=N`` still names the revision)."""
    url = reverse(view, args=[exc.unit.document.slug, exc.unit.key])
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def _bad_revision(request, value: str, latest: int):
    return bad_request_response(
        request,
        _("This unit has no revision “%(rev)s”: its revisions are numbered 1 to %(latest)d.")
        % {"rev": value[:20], "latest": latest},
    )


@require_safe
def unit(request, slug, key):
    """A unit: canonical text, every reading marked, apparatus, history; for
    editors the decision forms at every site.

    ``?rev=N`` shows revision N of the canonical text (the text a citation
    names), with a note and a link when a later revision exists; a revision
    the unit does not have is a 400 that says which ones it has.
    """
    try:
        the_unit = _get_unit(slug, key)
    except FormerKey as exc:
        return _to_current_key(request, exc, "unit")
    context = unit_context(request, the_unit)
    if "rev" in request.GET:
        latest = context["revision"].latest
        number = revision_number(request.GET["rev"], latest)
        if number is None:
            return _bad_revision(request, request.GET["rev"], latest)
        shown = revision_in(the_unit, context["history"], latest, number)
        context["revision"] = shown
        context["citation"] = citation(request, the_unit, shown)
    return render(request, "clauses/unit.html", context)


@require_safe
def cite_json(request, slug, key):
    """``{"locator", "revision", "text", "url", "formats": {"gbt7714", "plain"}}``
    for the unit's current revision, or revision N with ``?rev=N`` (400 with
    ``{"error": …}`` for a revision the unit does not have). Two queries."""
    try:
        the_unit = _get_unit(slug, key)
    except FormerKey as exc:
        return _to_current_key(request, exc, "cite_json")
    history = list(
        CanonicalChange.objects.filter(unit=the_unit).only("pk", "after", "created", "unit_id")
    )
    latest = number_history(history)
    number = latest
    if "rev" in request.GET:
        number = revision_number(request.GET["rev"], latest)
        if number is None:
            return _bad_revision(request, request.GET["rev"], latest)
    found = citation(request, the_unit, revision_in(the_unit, history, latest, number))
    return JsonResponse(found, json_dumps_params={"ensure_ascii": False})


# --- Discrepancy queue --------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    type: str = ""
    source: str = ""
    state: str = ""

    @classmethod
    def parse(cls, query: QueryDict, sigla: list[str]) -> QueueFilters:
        """Filters from a query string; unknown values mean "all"."""
        type_ = query.get("type", "")
        source = query.get("source", "")
        state = query.get("state", "")
        return cls(
            type=type_ if type_ in VariantSite.Type.values else "",
            source=source if source in sigla else "",
            state=state if state in STATES else "",
        )

    def matches(self, site: VariantSite, skip: str = "") -> bool:
        if skip != "type" and self.type and site.type != self.type:
            return False
        if skip != "source" and self.source and not differs_from_canonical(site, self.source):
            return False
        if skip != "state" and self.state:
            decided = site.decision_id is not None
            if decided != (self.state == "decided"):
                return False
        return True

    def url(self, slug: str, **changes) -> str:
        values = {"type": self.type, "source": self.source, "state": self.state, **changes}
        query = urlencode({k: v for k, v in values.items() if v})
        return reverse("queue", args=[slug]) + (f"?{query}" if query else "")


@dataclass
class FacetLink:
    label: str
    count: int
    url: str
    current: bool


def _facets(slug: str, sites: list[VariantSite], filters: QueueFilters, sigla) -> dict:
    """Filter links with counts; each facet counts under the other two filters."""

    def facet(name: str, options, test) -> list[FacetLink]:
        pool = [s for s in sites if filters.matches(s, skip=name)]
        current = getattr(filters, name)
        links = [FacetLink(_("all"), len(pool), filters.url(slug, **{name: ""}), not current)]
        for value, label in options:
            count = sum(1 for s in pool if test(s, value))
            links.append(
                FacetLink(label, count, filters.url(slug, **{name: value}), current == value)
            )
        return links

    labels = site_type_labels()
    return {
        "type": facet(
            "type", [(t, labels[t]) for t in VariantSite.Type.values], lambda s, v: s.type == v
        ),
        "state": facet(
            "state",
            [("open", _("open")), ("decided", _("decided"))],
            lambda s, v: (s.decision_id is not None) == (v == "decided"),
        ),
        "source": facet("source", [(s, s) for s in sigla], differs_from_canonical),
    }


def queue_context(request, doc: Document, query: QueryDict, here: str) -> dict:
    """The queue of one document: four queries, whatever the number of sites
    (sources, sites, the flags behind decisions, decisions not applied)."""
    sources = list(
        doc.sources.only(
            "siglum", "priority", "title", "document_id", "kind", "published", "derived_from"
        )
    )
    sigla = priority_order(sources)
    filters = QueueFilters.parse(query, sigla)
    sites = list(VariantSite.objects.for_queue(doc))
    for site in sites:
        site.unit.document = doc
    groups: list[dict] = []
    by_unit: dict[int, dict] = {}
    for site in sites:
        group = by_unit.get(site.unit_id)
        if group is None:
            group = by_unit[site.unit_id] = {"unit": site.unit, "sites": []}
            groups.append(group)
        if filters.matches(site):
            group["sites"].append(site)
    unapplied = list(
        SiteDecision.objects.filter(unit__document=doc, active=True, applied=False)
        .select_related("unit", "decided_by")
        .order_by("unit__order", "decided_at")
    )
    for decision in unapplied:
        decision.unit.document = doc
    shown_groups = [g for g in groups if g["sites"]]
    page = Paginator(shown_groups, settings.QUEUE_UNITS_PER_PAGE).get_page(query.get("page"))
    # What the rows show is worked out for the page's sites alone (and, after a
    # decision, for the unit decided: see _answer).
    page_sites = [site for group in page.object_list for site in group["sites"]]
    annotate_sites(page_sites)
    return {
        "document": doc,
        "sources": sources,
        "filters": filters,
        "facets": _facets(doc.slug, sites, filters, sigla),
        "groups": page.object_list,
        "derived_sigla": {s.siglum for s in sources if s.derived_from_id},
        "page": page,
        "page_query": _without_page(query),
        "groups_by_unit": by_unit,
        "shown": sum(len(g["sites"]) for g in groups),
        "total": len(sites),
        "unapplied": unapplied,
        "priority_form": PriorityForm(sigla=sigla),
        "here": here,
        "origin": "queue",
    }


@role_required("editor")
@require_safe
def queue(request, slug):
    """Every variant site of a document in document order, filtered, decided in place."""
    doc = get_object_or_404(Document, slug=slug)
    context = queue_context(request, doc, request.GET, request.get_full_path())
    return render(request, "clauses/queue.html", context)


def _without_page(query: QueryDict) -> str:
    """The query string of the queue's filters, without its page number."""
    rest = query.copy()
    rest.pop("page", None)
    return rest.urlencode()


def _query_of(url: str) -> QueryDict:
    """The query string of a URL (the queue's filters, in the posted ``next``)."""
    return QueryDict(urlsplit(url).query)


def _queue_here(doc: Document, url: str | None) -> str:
    """``next`` when it is the queue of this document, else the plain queue."""
    queue_path = reverse("queue", args=[doc.slug])
    if url and urlsplit(url).path == queue_path:
        return url.split("#", 1)[0]
    return queue_path


# --- Deciding -----------------------------------------------------------------


def _answer(
    request,
    doc,
    the_unit,
    *,
    origin,
    next_url,
    site_pk=None,
    form=None,
    notice=None,
    decision=None,
    notice_level="success",
    status=200,
):
    """The page or fragment to answer a decision with (htmx), or after bad input.

    A fragment only for htmx requests from the queue or the unit page (``origin``);
    any other form (the reader's panel) gets the whole unit page."""
    fragment = bool(request.htmx and origin)
    if origin == "queue":
        here = _queue_here(doc, next_url)
        context = queue_context(request, doc, _query_of(here), here)
        group = context["groups_by_unit"].get(the_unit.pk, {"unit": the_unit, "sites": []})
        sites = group["sites"]
        annotate_sites([site for site in sites if not hasattr(site, "groups")])
        template = "clauses/queue.html#unit_rows" if fragment else "clauses/queue.html"
        context.update(group=group, notice=notice, oob=fragment)
        context["notice_level"] = notice_level
    else:
        the_unit = Unit.objects.select_related("document").get(pk=the_unit.pk)
        context = unit_context(request, the_unit)
        sites = context["sites"]
        template = "clauses/unit.html#unit_body" if fragment else "clauses/unit.html"
        # The notice goes beside the site the decision landed on, when there is one.
        landed = [s.pk for s in sites if decision is not None and s.decision_id == decision.pk]
        context.update(notice=notice, notice_site=landed[0] if landed else None)
        context["notice_level"] = notice_level
        if next_url:
            context["here"] = next_url.split("#", 1)[0]
    if form is not None:
        for site in sites:
            if site.pk == site_pk:
                site.posted = form.data
                site.errors = [e for errors in form.errors.values() for e in errors]
        if not fragment:  # a whole page opens at its top: say it there too
            context["form_errors"] = [e for errors in form.errors.values() for e in errors]
    return render(request, template, context, status=status)


def _lock_site(doc: Document, site_id: int) -> VariantSite | None:
    """The site, its unit locked until the end of the transaction; None when the
    site is not (or no longer) there."""
    unit_id = (
        VariantSite.objects.filter(pk=site_id, unit__document=doc)
        .values_list("unit_id", flat=True)
        .first()
    )
    if unit_id is None:
        return None
    list(Unit.objects.select_for_update().filter(pk=unit_id).values_list("pk", flat=True))
    return VariantSite.objects.select_related("unit").filter(pk=site_id).first()


@role_required("editor")
@require_POST
def decide_site(request, slug, site_id):
    """Record an editor's decision at a variant site: keep, choose, emend."""
    doc = get_object_or_404(Document, slug=slug)
    next_url = _safe_next(request)
    origin = request.POST.get("origin", "")
    origin = origin if origin in ORIGINS else ""
    with transaction.atomic():
        # The unit is locked before the site is read again: a decision made meanwhile
        # in the same unit (another editor, another tab) has rebuilt its sites.
        site = _lock_site(doc, site_id)
        form = DecisionForm(request.POST, site=site) if site is not None else None
        decision = None
        if form is not None and form.is_valid():
            data = form.cleaned_data
            decision = decide(site, data["action"], data["text"], data["reason"], request.user)
    if site is None:
        # Re-collation rebuilds a unit's sites: the page was older than the unit.
        the_unit = doc.units.filter(key=request.POST.get("unit", "")).first()
        if the_unit is None:
            raise Http404(_("No such variant site."))
        message = _(
            "The variant sites of %(unit)s have changed since the page was loaded: "
            "nothing was recorded. Look at them again."
        ) % {"unit": the_unit.label or the_unit.key}
        if request.htmx and origin:
            return _answer(
                request,
                doc,
                the_unit,
                origin=origin,
                next_url=next_url,
                notice=message,
                notice_level="warning",
                status=409,
            )
        messages.warning(request, message)
        return redirect(next_url or the_unit.get_absolute_url())

    the_unit = site.unit
    if decision is None:
        return _answer(
            request,
            doc,
            the_unit,
            origin=origin,
            next_url=next_url,
            site_pk=site.pk,
            form=form,
            status=400,
        )
    place = {"unit": the_unit.label or the_unit.key, "number": site.index + 1}
    if not decision.applied:
        message = (
            _(
                "The decision at %(unit)s #%(number)s was recorded but does not apply: "
                "the sources no longer read there what they read."
            )
            % place
        )
        level = messages.WARNING
    elif data["text"] == site.canonical_reading:
        message = _("Decision recorded at %(unit)s #%(number)s: “%(text)s” kept.") % {
            **place,
            "text": shown(data["text"]),
        }
        level = messages.SUCCESS
    else:
        message = _("Decision recorded at %(unit)s #%(number)s: “%(before)s” → “%(after)s”.") % {
            **place,
            "before": shown(site.canonical_reading),
            "after": shown(data["text"]),
        }
        level = messages.SUCCESS
    if request.htmx and origin:
        return _answer(
            request,
            doc,
            the_unit,
            origin=origin,
            next_url=next_url,
            notice=message,
            decision=decision,
        )
    messages.add_message(request, level, message)
    return redirect(next_url or the_unit.get_absolute_url())


# --- Source priority ----------------------------------------------------------


@role_required("editor")
@require_POST
def priority(request, slug):
    """Order the document's sources for breaking ties; every unit is re-collated."""
    doc = get_object_or_404(Document, slug=slug)
    sigla = priority_order(
        doc.sources.only("siglum", "priority", "kind", "published", "derived_from")
    )
    form = PriorityForm(request.POST, sigla=sigla)
    next_url = _safe_next(request) or reverse("queue", args=[slug])
    if not form.is_valid():
        here = _queue_here(doc, next_url)
        context = queue_context(request, doc, _query_of(here), here)
        context["priority_form"] = form
        return render(request, "clauses/queue.html", context, status=400)
    order = form.cleaned_data["order"]
    stats = set_priority(doc, order, request.user)
    messages.success(
        request,
        ngettext(
            "Source priority is now %(order)s: %(count)d canonical text changed.",
            "Source priority is now %(order)s: %(count)d canonical texts changed.",
            stats.changed,
        )
        % {"order": " > ".join(order), "count": stats.changed},
    )
    return redirect(next_url)


# --- History ------------------------------------------------------------------


@require_safe
def history(request, slug):
    """Every change of the document's canonical text, newest first, by pages of
    :data:`settings.HISTORY_CHANGES_PER_PAGE` (counted and cut in SQL)."""
    doc = get_object_or_404(Document, slug=slug)
    every = CanonicalChange.objects.filter(unit__document=doc)
    # A unit's first text (at the import that brought it) is no change to read about.
    first_texts = every.filter(before="").count()
    page = Paginator(
        every.exclude(before="").select_related("unit", "user").order_by("-created", "-pk"),
        settings.HISTORY_CHANGES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    changes = list(page.object_list)
    for change in changes:
        change.runs = change_runs(change.before, change.after)
        change.unit.document = doc  # its links need the slug: no query per change
    return render(
        request,
        "clauses/history.html",
        {"document": doc, "changes": changes, "first_texts": first_texts, "page": page},
    )
