"""Writes to study sets, the JSON shape of a set, and the handout built from a set.

Every write that touches several rows is one function under
``transaction.atomic``; every check of input raises :class:`Invalid` with a
message in the active language before anything is written. Offsets are
0-based character offsets (Python ``str`` indices) into a unit's canonical text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from annotations.models import Visibility
from clauses.models import DocumentRelation, Unit
from clauses.views_editor import change_runs
from policyreader.roles import has_role

from .handout import Handout, HandoutItem
from .models import AUTHOR_ROLE, StudyItem, StudySet

#: Longest title, audience and place (characters): the model's max_length.
SHORT_MAX = 200
#: Longest introduction or talking points (characters).
LONG_MAX = 10_000
#: Longest discussion question and most questions per item.
QUESTION_MAX = 500
QUESTIONS_MAX = 30
#: Longest blank (a phrase of the text) and most blanks per item.
BLANK_MAX = 100
BLANKS_MAX = 50
#: Most items in one set.
ITEMS_MAX = 300


class Invalid(ValueError):
    """Input that cannot be stored; the message (translated) says why."""


class Refused(PermissionError):
    """The user may not do this; the message (translated) says why."""


# --- Checks (no database) --------------------------------------------------------------


def _where(number: int | None) -> str:
    return _("Item %(n)s: ") % {"n": number} if number else ""


def check_text(value, name: str, maximum: int, *, required: bool = False) -> str:
    """``value`` as text of at most ``maximum`` characters; ``name`` is the field's
    name as people read it (translated). Raises :class:`Invalid`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be text.") % {"field": name})
    if required and not value.strip():
        raise Invalid(_("%(field)s is required.") % {"field": name})
    if len(value) > maximum:
        raise Invalid(
            _("%(field)s is too long: at most %(max)s characters.")
            % {"field": name, "max": maximum}
        )
    return value


def check_phrases(value, name: str, maximum: int, count: int, number=None) -> list[str]:
    """A list of non-empty strings, each at most ``maximum`` characters, at most
    ``count`` of them. Raises :class:`Invalid` naming item ``number`` (1-based)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(_where(number) + _("%(field)s must be a list of texts.") % {"field": name})
    if len(value) > count:
        raise Invalid(
            _where(number) + _("at most %(max)s %(field)s.") % {"field": name, "max": count}
        )
    for v in value:
        if not v.strip():
            raise Invalid(_where(number) + _("%(field)s may not be empty.") % {"field": name})
        if len(v) > maximum:
            raise Invalid(
                _where(number)
                + _("each of the %(field)s has at most %(max)s characters.")
                % {"field": name, "max": maximum}
            )
    return list(value)


def check_span(canonical: str, start, end, number=None) -> tuple[int | None, int | None]:
    """``(start, end)``, 0-based character offsets with ``0 <= start < end <=
    len(canonical)``, or ``(None, None)`` for the whole unit. Raises :class:`Invalid`."""
    if start is None and end is None:
        return None, None
    if (
        start is None
        or end is None
        or isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        raise Invalid(_where(number) + _("start and end must both be whole numbers."))
    if not 0 <= start < end <= len(canonical):
        raise Invalid(
            _where(number)
            + _("the span %(start)s–%(end)s is not within the unit's text (%(length)s characters).")
            % {"start": start, "end": end, "length": len(canonical)}
        )
    return start, end


def check_blanks(blanks: list[str], text: str, number=None) -> list[str]:
    """Each blank must occur in ``text`` (the item's text). Raises :class:`Invalid`."""
    for blank in blanks:
        if blank not in text:
            raise Invalid(
                _where(number)
                + _("the blank “%(blank)s” does not occur in the text.") % {"blank": blank}
            )
    return blanks


def lines(text: str) -> list[str]:
    """A textarea's non-empty lines, stripped (one question or blank a line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def check_visibility(value) -> str:
    if value is None:
        return Visibility.PRIVATE
    if value not in Visibility.values:
        raise Invalid(
            _("visibility must be one of: %(choices)s.") % {"choices": ", ".join(Visibility.values)}
        )
    return value


def check_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Invalid(_("The date must be written YYYY-MM-DD."))
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("The date must be written YYYY-MM-DD.")) from None


# --- Creating -------------------------------------------------------------------------------


@dataclass
class ItemSpec:
    """One item as given: the unit, the span (0-based offsets, or None) and the trainer's words."""

    unit: Unit
    start: int | None = None
    end: int | None = None
    points: str = ""
    questions: list[str] = field(default_factory=list)
    blanks: list[str] = field(default_factory=list)
    show_differences: bool = False
    show_changes: bool = False


def _bool(value, name: str, number: int) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(_where(number) + _("%(field)s must be true or false.") % {"field": name})
    return value


def parse_set_json(data) -> tuple[dict, list[dict]]:
    """The header fields and the raw items of a JSON body (see ``create_from_json``)."""
    if not isinstance(data, dict):
        raise Invalid(_("Send a JSON object."))
    header = {
        "title": check_text(data.get("title"), _("The title"), SHORT_MAX, required=True).strip(),
        "audience": check_text(data.get("audience"), _("The audience"), SHORT_MAX),
        "place": check_text(data.get("place"), _("The place"), SHORT_MAX),
        "intro": check_text(data.get("intro"), _("The introduction"), LONG_MAX),
        "visibility": check_visibility(data.get("visibility")),
        "date": check_date(data.get("date")),
    }
    items = data.get("items", [])
    if items is None:
        items = []
    if not isinstance(items, list):
        raise Invalid(_("items must be a list."))
    if len(items) > ITEMS_MAX:
        raise Invalid(_("A set has at most %(max)s items.") % {"max": ITEMS_MAX})
    return header, items


def resolve_items(raw_items: list) -> list[ItemSpec]:
    """Check each raw item (a dict: ``document`` slug, ``unit`` key, optional
    ``start``/``end``, ``points``, ``questions``, ``blanks``, ``show_differences``,
    ``show_changes``) and find its unit (one query). Raises :class:`Invalid`."""
    wanted = []
    for n, raw in enumerate(raw_items, 1):
        if not isinstance(raw, dict):
            raise Invalid(_where(n) + _("each item must be a JSON object."))
        slug, key = raw.get("document"), raw.get("unit")
        if not isinstance(slug, str) or not slug or not isinstance(key, str) or not key:
            raise Invalid(_where(n) + _("name the document (its slug) and the unit (its key)."))
        wanted.append((slug, key))
    units = {}
    if wanted:
        query = Q()
        for slug, key in set(wanted):
            query |= Q(document__slug=slug, key=key)
        units = {
            (u.document.slug, u.key): u
            for u in Unit.objects.filter(query).select_related("document")
        }
    specs = []
    for n, (raw, pair) in enumerate(zip(raw_items, wanted, strict=True), 1):
        unit = units.get(pair)
        if unit is None:
            raise Invalid(
                _where(n)
                + _("there is no unit “%(key)s” in a document “%(slug)s”.")
                % {"key": pair[1], "slug": pair[0]}
            )
        start, end = check_span(unit.canonical, raw.get("start"), raw.get("end"), n)
        text = unit.canonical if start is None else unit.canonical[start:end]
        points = raw.get("points")
        if points is not None and not isinstance(points, str):
            raise Invalid(_where(n) + _("%(field)s must be text.") % {"field": _("talking points")})
        if points and len(points) > LONG_MAX:
            raise Invalid(
                _where(n)
                + _("%(field)s is too long: at most %(max)s characters.")
                % {"field": _("talking points"), "max": LONG_MAX}
            )
        questions = check_phrases(
            raw.get("questions"), _("discussion questions"), QUESTION_MAX, QUESTIONS_MAX, n
        )
        blanks = check_phrases(raw.get("blanks"), _("blanks"), BLANK_MAX, BLANKS_MAX, n)
        specs.append(
            ItemSpec(
                unit=unit,
                start=start,
                end=end,
                points=points or "",
                questions=questions,
                blanks=check_blanks(blanks, text, n),
                show_differences=_bool(raw.get("show_differences"), "show_differences", n),
                show_changes=_bool(raw.get("show_changes"), "show_changes", n),
            )
        )
    return specs


def check_author(user) -> None:
    if not has_role(user, AUTHOR_ROLE):
        raise Refused(_("Making study sets needs the annotator role."))


@transaction.atomic
def create_set(owner, header: dict, specs: list[ItemSpec]) -> StudySet:
    """A new set owned by ``owner`` with ``header`` (title, audience, date, place,
    intro, visibility) and the items in order. Raises :class:`Refused`."""
    check_author(owner)
    study_set = StudySet.objects.create(owner=owner, **header)
    StudyItem.objects.bulk_create(
        StudyItem(
            study_set=study_set,
            position=i,
            unit=s.unit,
            start=s.start,
            end=s.end,
            points=s.points,
            questions=s.questions,
            blanks=s.blanks,
            show_differences=s.show_differences,
            show_changes=s.show_changes,
        )
        for i, s in enumerate(specs)
    )
    return study_set


@transaction.atomic
def create_from_json(owner, data) -> StudySet:
    """The API's create: ``data`` is the parsed JSON body, ``{"title", "visibility",
    "audience", "date", "place", "intro", "items": [{"document", "unit", "start",
    "end", "points", "questions", "blanks", "show_differences", "show_changes"}]}``
    (only ``title`` is required; unknown members are ignored, so a set's own JSON
    may be posted back). Checks everything first; writes nothing on
    :class:`Invalid` or :class:`Refused`."""
    check_author(owner)
    header, raw_items = parse_set_json(data)
    return create_set(owner, header, resolve_items(raw_items))


# --- Changing ------------------------------------------------------------------------------


def editable(study_set: StudySet, user) -> bool:
    return StudySet.objects.editable_by(user).filter(pk=study_set.pk).exists()


@transaction.atomic
def add_item(study_set: StudySet, unit: Unit, start=None, end=None) -> StudyItem:
    """Append ``unit`` (or its span ``[start, end)``) to the set. Raises :class:`Invalid`."""
    start, end = check_span(unit.canonical, start, end)
    StudySet.objects.select_for_update().filter(pk=study_set.pk).first()
    last = study_set.items.aggregate(m=Max("position"))["m"]
    if last is not None and last + 1 >= ITEMS_MAX:
        raise Invalid(_("A set has at most %(max)s items.") % {"max": ITEMS_MAX})
    item = StudyItem.objects.create(
        study_set=study_set,
        unit=unit,
        start=start,
        end=end,
        position=0 if last is None else last + 1,
    )
    StudySet.objects.filter(pk=study_set.pk).update(modified=timezone.now())
    return item


@transaction.atomic
def new_set_with(owner, unit: Unit, start=None, end=None) -> StudySet:
    """A new private set, titled after the unit's document, holding this one unit."""
    check_author(owner)
    start, end = check_span(unit.canonical, start, end)
    title = _("Study of %(title)s") % {"title": unit.document.title}
    return create_set(
        owner,
        {"title": title[:SHORT_MAX], "visibility": Visibility.PRIVATE},
        [ItemSpec(unit=unit, start=start, end=end)],
    )


def update_item(item: StudyItem, *, points: str, questions, blanks, start, end, **flags) -> None:
    """Change an item's words, span and display choices; checks first (blanks
    against the new span's text). Raises :class:`Invalid`."""
    start, end = check_span(item.unit.canonical, start, end)
    text = item.unit.canonical if start is None else item.unit.canonical[start:end]
    item.points = check_text(points, _("The talking points"), LONG_MAX)
    item.questions = check_phrases(
        questions, _("discussion questions"), QUESTION_MAX, QUESTIONS_MAX
    )
    item.blanks = check_blanks(check_phrases(blanks, _("blanks"), BLANK_MAX, BLANKS_MAX), text)
    item.start, item.end = start, end
    item.show_differences = bool(flags.get("show_differences"))
    item.show_changes = bool(flags.get("show_changes"))
    with transaction.atomic():
        item.save()
        StudySet.objects.filter(pk=item.study_set_id).update(modified=timezone.now())


@transaction.atomic
def reorder(study_set: StudySet, ids: list[int]) -> None:
    """Put the set's items in the order of ``ids`` (item primary keys, every item
    once). Raises :class:`Invalid` when ``ids`` is not exactly the set's items."""
    StudySet.objects.select_for_update().filter(pk=study_set.pk).first()
    items = {i.pk: i for i in study_set.items.all()}
    if sorted(ids) != sorted(items):
        raise Invalid(_("The order must name every item of the set once; reload the page."))
    for position, pk in enumerate(ids):
        items[pk].position = position
    StudyItem.objects.bulk_update(items.values(), ["position"])
    StudySet.objects.filter(pk=study_set.pk).update(modified=timezone.now())


def move_item(item: StudyItem, step: int) -> None:
    """Move ``item`` one place up (``step`` -1) or down (+1); nothing at either end."""
    ids = list(item.study_set.items.order_by("position", "pk").values_list("pk", flat=True))
    i = ids.index(item.pk)
    j = i + step
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    reorder(item.study_set, ids)


@transaction.atomic
def remove_item(item: StudyItem) -> None:
    """Remove ``item`` and close the gap in the positions."""
    study_set = item.study_set
    item.delete()
    ids = list(study_set.items.order_by("position", "pk").values_list("pk", flat=True))
    reorder(study_set, ids)


def update_header(study_set: StudySet, user, **fields) -> None:
    """Change the header; only the owner may change ``visibility``. Raises :class:`Refused`."""
    if fields.get("visibility", study_set.visibility) != study_set.visibility:
        if not study_set.is_owned_by(user):
            raise Refused(_("Only the owner may change who can see the set."))
    for name, value in fields.items():
        setattr(study_set, name, value)
    study_set.save()


@transaction.atomic
def duplicate(study_set: StudySet, user) -> StudySet:
    """A private copy owned by ``user``, “Copy of …”, with every item; no colleagues."""
    check_author(user)
    title = (_("Copy of %(title)s") % {"title": study_set.title})[:SHORT_MAX]
    header = {
        "title": title,
        "audience": study_set.audience,
        "date": study_set.date,
        "place": study_set.place,
        "intro": study_set.intro,
        "visibility": Visibility.PRIVATE,
    }
    specs = [
        ItemSpec(
            unit=i.unit,
            start=i.start,
            end=i.end,
            points=i.points,
            questions=list(i.questions),
            blanks=list(i.blanks),
            show_differences=i.show_differences,
            show_changes=i.show_changes,
        )
        for i in study_set.items.select_related("unit").order_by("position", "pk")
    ]
    copy = create_set(user, header, specs)
    return copy


def add_editor(study_set: StudySet, actor, username: str) -> None:
    """Let the colleague ``username`` edit the set (the owner only). Raises
    :class:`Refused` or :class:`Invalid` (unknown user, the owner, no annotator role)."""
    if not study_set.is_owned_by(actor):
        raise Refused(_("Only the owner may choose who edits the set."))
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise Invalid(_("There is no user “%(name)s”.") % {"name": username.strip()})
    if user.pk == study_set.owner_id:
        raise Invalid(_("The owner edits the set already."))
    if not has_role(user, AUTHOR_ROLE):
        raise Invalid(
            _("%(name)s does not have the annotator role, which editing a study set needs.")
            % {"name": user.get_username()}
        )
    study_set.editors.add(user)


def remove_editor(study_set: StudySet, actor, user_id: int) -> None:
    if not study_set.is_owned_by(actor):
        raise Refused(_("Only the owner may choose who edits the set."))
    study_set.editors.remove(user_id)


# --- Reading ---------------------------------------------------------------------------------


def items_for_display(study_set: StudySet) -> list[StudyItem]:
    """The set's items in order, each with its unit and document loaded and
    ``locator`` set. One query."""
    items = list(study_set.items.order_by("position", "pk").select_related("unit__document"))
    for item in items:
        item.locator = locator(item.unit)
    return items


def locator(unit: Unit) -> str:
    """The unit's citation locator (``Unit.locator``, made at import by
    clauses.citation: 二、（一）, （十三）, 第二十三条); its label, then its key, for a
    unit imported before locators existed."""
    return unit.locator or unit.label or unit.key


def source_line(document) -> str:
    """《title》，文号，date (the date as the active language writes dates)."""
    parts = [f"《{document.title}》"]
    if document.number:
        parts.append(document.number)
    if document.date:
        parts.append(formats.date_format(document.date, "DATE_FORMAT"))
    return "，".join(parts)


def variant_runs(unit: Unit, sites, start: int, end: int) -> list[tuple[str, str]]:
    """The text ``[start, end)`` of ``unit`` as runs: ``("equal", text)`` between
    variant sites, ``("variant", canonical reading)`` at a site, followed by
    ``("readings", "B：纵向；C：∧")`` naming each copy that reads otherwise (∧ for
    an omission). The ``equal`` and ``variant`` runs together are exactly the text."""
    runs: list[tuple[str, str]] = []
    text = unit.canonical
    pos = start
    for site in sorted(sites, key=lambda s: s.start):
        if site.start < start or site.end > end:
            continue
        if site.start > pos:
            runs.append(("equal", text[pos : site.start]))
        runs.append(("variant", text[site.start : site.end]))
        others = [
            f"{siglum}：{reading or '∧'}"
            for siglum, reading in sorted(site.readings.items())
            if reading != site.canonical_reading
        ]
        if others:
            runs.append(("readings", "；".join(others)))
        pos = max(pos, site.end)
    if pos < end:
        runs.append(("equal", text[pos:end]))
    return runs


def _previous_units(items: list[StudyItem]) -> dict[int, Unit]:
    """``{unit id: the unit of the same key in the previous version of its document}``
    for the items that ask for the change (two queries at most)."""
    wanted = [i.unit for i in items if i.show_changes]
    if not wanted:
        return {}
    relations = DocumentRelation.objects.filter(
        from_document_id__in={u.document_id for u in wanted},
        kind=DocumentRelation.Kind.LATER_VERSION_OF,
    ).values_list("from_document_id", "to_document_id")
    previous_doc = dict(relations)
    if not previous_doc:
        return {}
    candidates = {
        (u.document_id, u.key): u
        for u in Unit.objects.filter(
            document_id__in=previous_doc.values(), key__in={u.key for u in wanted}
        ).only("document_id", "key", "canonical")
    }
    out = {}
    for unit in wanted:
        prev = candidates.get((previous_doc.get(unit.document_id), unit.key))
        if prev is not None:
            out[unit.pk] = prev
    return out


def handout_for(study_set: StudySet) -> Handout:
    """The handout of ``study_set`` for :mod:`studies.handout`: the header and each
    item's locator, text, source line, points, questions, blanks and, when asked
    for, the differences (the change from the previous version when the item asks
    for it and one is known, else the copies' variant sites when asked for, else
    none). Three to five queries, whatever the number of items."""
    items = items_for_display(study_set)
    sites: dict[int, list] = {}
    if any(i.show_differences for i in items):
        from clauses.models import VariantSite

        for site in VariantSite.objects.filter(
            unit_id__in={i.unit_id for i in items if i.show_differences}
        ).order_by("unit_id", "index"):
            sites.setdefault(site.unit_id, []).append(site)
    previous = _previous_units(items)
    out = []
    for item in items:
        unit = item.unit
        start = 0 if item.start is None else item.start
        end = len(unit.canonical) if item.end is None else item.end
        differences: list[tuple[str, str]] = []
        if item.show_changes and unit.pk in previous and item.start is None:
            differences = change_runs(previous[unit.pk].canonical, unit.canonical)
        elif item.show_differences:
            differences = variant_runs(unit, sites.get(unit.pk, []), start, end)
        out.append(
            HandoutItem(
                locator=item.locator,
                text=item.text,
                source=source_line(unit.document),
                points=item.points,
                questions=list(item.questions),
                blanks=list(item.blanks),
                differences=differences,
            )
        )
    return Handout(
        title=study_set.title,
        audience=study_set.audience,
        date=formats.date_format(study_set.date, "DATE_FORMAT") if study_set.date else "",
        place=study_set.place,
        intro=study_set.intro,
        items=out,
    )


def as_json(study_set: StudySet, request) -> dict:
    """The set in the API's shape (what ``create_from_json`` accepts) plus ``id``,
    ``url`` and, per item, its ``locator`` and ``text``."""
    items = []
    for item in items_for_display(study_set):
        data = {
            "document": item.unit.document.slug,
            "unit": item.unit.key,
            "locator": item.locator,
            "text": item.text,
            "points": item.points,
            "questions": list(item.questions),
            "blanks": list(item.blanks),
            "show_differences": item.show_differences,
            "show_changes": item.show_changes,
        }
        if item.start is not None:
            data["start"], data["end"] = item.start, item.end
        items.append(data)
    return {
        "id": study_set.pk,
        "url": request.build_absolute_uri(study_set.get_absolute_url()),
        "title": study_set.title,
        "visibility": study_set.visibility,
        "audience": study_set.audience,
        "date": study_set.date.isoformat() if study_set.date else None,
        "place": study_set.place,
        "intro": study_set.intro,
        "items": items,
    }
