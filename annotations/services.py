"""Every write of the annotations app: notes, tags, flags, tokens.

Views, the API and the management command call these functions; each checks
the user's right to do it again (the views check first, to answer with the
right page), validates, and writes in one transaction. ``Invalid`` carries a
message for the user (a form error, or the API's 400); ``Refused`` means the
user may not do this (403).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clauses.collation import decide
from clauses.models import SiteDecision, Source, Unit, VariantSite
from clauses.text.collate import OVERRIDE_CONTEXT
from clauses.text.search import index_fields
from policyreader.roles import has_role

from .anchoring import Anchor, _context_score, anchor_at, occurrences
from .models import OPEN_TO_OTHERS, ApiToken, Flag, Note, Tag, Visibility


class Invalid(ValueError):
    """Bad input: the message says what, for the person who sent it."""


class Refused(PermissionError):
    """The user may not do this."""


TAG_MAX = 40
TAGS_PER_NOTE = 20
READING_MAX = 500
TOKEN_PREFIX = "pr_"
_TAG_SPLIT = re.compile(r"[,，、;；\n]+")


def body_limit() -> int:
    return settings.ANNOTATION_BODY_MAX_CHARS


# --- Visibility and roles ----------------------------------------------------------


def allowed_visibilities(user) -> list[str]:
    """Readers write private notes; annotators and editors any."""
    if has_role(user, "annotator"):
        return [v.value for v in Visibility]
    if has_role(user, "reader"):
        return [Visibility.PRIVATE.value]
    return []


def _check_visibility(user, visibility: str) -> None:
    if visibility not in Visibility.values:
        raise Invalid(
            _("Unknown visibility “%(v)s”: use private, shared or public.") % {"v": visibility}
        )
    if visibility not in allowed_visibilities(user):
        raise Refused(_("Your role may not write %(v)s notes.") % {"v": visibility})


#: How widely a note is read, narrowest first.
_REACH = {Visibility.PRIVATE: 0, Visibility.SHARED: 1, Visibility.PUBLIC: 2}


def reply_visibilities(user, parent: Note) -> list[str]:
    """What a reply to ``parent`` may be: shared or public, as the user's role allows,
    never wider than ``parent`` itself."""
    reach = _REACH.get(parent.visibility, 0)
    return [v for v in allowed_visibilities(user) if v in OPEN_TO_OTHERS and _REACH[v] <= reach]


def _check_reply_visibility(user, visibility: str, parent: Note) -> None:
    """A reply's visibility is its own; it is set by its author, within ``parent``'s."""
    _check_visibility(user, visibility)
    if visibility not in OPEN_TO_OTHERS:
        raise Invalid(_("A reply is shared or public."))
    if _REACH[visibility] > _REACH.get(parent.visibility, 0):
        raise Invalid(_("A reply cannot be read more widely than the note it answers."))


def _check_body(body: str) -> None:
    if len(body) > body_limit():
        raise Invalid(
            _("The note is too long: %(n)s characters, at most %(max)s.")
            % {"n": len(body), "max": body_limit()}
        )


# --- Tags ----------------------------------------------------------------------------


def normalize_tag(name: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed; ``Invalid`` when unusable."""
    name = " ".join(unicodedata.normalize("NFKC", name).split())
    name = name.lstrip("#")
    if not name:
        raise Invalid(_("A tag cannot be empty."))
    if len(name) > TAG_MAX:
        raise Invalid(
            _("A tag has at most %(max)s characters: “%(tag)s”.") % {"max": TAG_MAX, "tag": name}
        )
    if "/" in name:
        raise Invalid(_("A tag cannot contain “/”: “%(tag)s”.") % {"tag": name})
    return name


def parse_tags(text: str | Iterable[str]) -> list[str]:
    """Tag names from a comma-separated string (，、; too) or a list, deduplicated."""
    parts = _TAG_SPLIT.split(text) if isinstance(text, str) else list(text)
    names, seen = [], set()
    for part in parts:
        if not isinstance(part, str):
            raise Invalid(_("A tag must be text."))
        if not part.strip():
            continue
        name = normalize_tag(part)
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    if len(names) > TAGS_PER_NOTE:
        raise Invalid(_("At most %(max)s tags per note.") % {"max": TAGS_PER_NOTE})
    return names


def _move_notes(tag: Tag, into: Tag) -> None:
    """Every note tagged ``tag`` is tagged ``into`` instead; ``tag`` is deleted."""
    Through = Note.tags.through
    have = set(Through.objects.filter(tag=into).values_list("note_id", flat=True))
    Through.objects.bulk_create(
        [
            Through(note_id=n, tag=into)
            for n in Through.objects.filter(tag=tag).values_list("note_id", flat=True)
            if n not in have
        ]
    )
    tag.delete()


def _publish(tag: Tag) -> Tag:
    """``tag`` used on a shared or public note: its name becomes public.

    A public tag of that name already there takes its notes (its spelling is
    known to all already); else the private tag becomes public itself.
    """
    if tag.owner_id is None:
        return tag
    public = Tag.objects.public().filter(name__iexact=tag.name).first()
    if public is not None:
        _move_notes(tag, public)
        return public
    tag.owner = None
    tag.save(update_fields=["owner"])
    return tag


def _tags_for(names: list[str], user, *, public: bool) -> list[Tag]:
    """The tags called ``names`` for a note of ``user``'s.

    Only names ``user`` may know are looked up: their own private tags, then
    the public ones (``TagQuerySet.named``); another user's private tag of
    the same name is neither adopted nor revealed. A new name makes a private
    tag of ``user``'s, or a public one for a shared or public note, whose
    tags are all public (``_publish``).
    """
    tags = []
    for name in names:
        tag = Tag.objects.named(name, user)
        if tag is None:
            tag = Tag.objects.create(name=name, owner=None if public else user)
        elif public:
            tag = _publish(tag)
        tags.append(tag)
    return tags


def _publish_tags_of(note: Note) -> None:
    """A note made shared or public: its private tags become public (``_publish``)."""
    for tag in list(note.tags.filter(owner__isnull=False)):
        _publish(tag)  # the note (and the owner's other notes) keep it, public now


def _same_namespace(tag: Tag):
    """The tags whose names a tag's name must differ from: public tags for a public
    tag, its owner's private tags for a private one."""
    if tag.owner_id is None:
        return Tag.objects.public()
    return Tag.objects.filter(owner_id=tag.owner_id)


@transaction.atomic
def rename_tag(tag: Tag, new_name: str, user) -> Tag:
    """Editors rename a tag they may name; a name taken by another tag they may name
    must be merged instead. Another user's private tag is no obstacle, and is
    never mentioned: names are per user until used on a shared note."""
    if not has_role(user, "editor"):
        raise Refused(_("Only editors rename tags."))
    if not Tag.objects.nameable_by(user).filter(pk=tag.pk).exists():
        raise Refused(_("No such tag."))
    new_name = normalize_tag(new_name)
    if _same_namespace(tag).filter(name__iexact=new_name).exclude(pk=tag.pk).exists():
        raise Invalid(
            _("A tag “%(tag)s” exists already: merge into it instead.") % {"tag": new_name}
        )
    tag.name = new_name
    tag.save(update_fields=["name"])
    return tag


@transaction.atomic
def merge_tags(tag: Tag, into: Tag, user) -> Tag:
    """Editors merge ``tag`` into ``into``: its notes get ``into``; ``tag`` is deleted.

    Both must be tags the editor may name. Merging a public tag into the
    editor's own private one makes that one public (it is on shared notes now).
    """
    if not has_role(user, "editor"):
        raise Refused(_("Only editors merge tags."))
    nameable = Tag.objects.nameable_by(user)
    if not nameable.filter(pk=tag.pk).exists() or not nameable.filter(pk=into.pk).exists():
        raise Refused(_("No such tag."))
    if tag.pk == into.pk:
        raise Invalid(_("A tag cannot be merged into itself."))
    if tag.owner_id is None and into.owner_id is not None:
        into = _publish(into)
        if into.pk == tag.pk:
            return into  # the editor's private tag of that name was merged into it
    _move_notes(tag, into)
    return into


@transaction.atomic
def merge_tag_into(tag: Tag, into_name: str, user) -> Tag:
    """Merge ``tag`` into the tag called ``into_name`` as ``user`` knows it (the public
    one for a public tag, else their own first). A name only another user has
    privately is answered like a name nobody has."""
    name = " ".join(unicodedata.normalize("NFKC", into_name).split()).lstrip("#")
    nameable = Tag.objects.nameable_by(user).filter(name__iexact=name)
    into = None
    if tag.owner_id is None:
        into = nameable.filter(owner__isnull=True).first()
    into = into or Tag.objects.named(name, user)
    if into is None:
        raise Invalid(_("There is no tag with that name."))
    return merge_tags(tag, into, user)


# --- Notes ---------------------------------------------------------------------------


@transaction.atomic
def create_note(
    user,
    unit: Unit,
    *,
    body: str,
    visibility: str | None = None,
    tags: Iterable[str] = (),
    anchor: Anchor | None = None,
    parent: Note | None = None,
) -> Note:
    """A new note on ``unit`` (on a span of it with ``anchor``), or a reply to ``parent``.

    A note is private unless ``visibility`` says otherwise; a reply has the
    visibility of ``parent`` unless its author chooses a narrower one. Either
    way the reply's visibility is its own from then on: changing the parent's
    never changes it (``update_note``).
    """
    if not has_role(user, "reader"):
        raise Refused(_("Sign in with a reader's account to write notes."))
    names = parse_tags(tags)
    _check_body(body)
    if parent is not None:
        if not has_role(user, "annotator"):
            raise Refused(_("Only annotators reply to notes."))
        if not Note.objects.visible_to(user).filter(pk=parent.pk).exists():
            raise Refused(_("No such note."))
        if not parent.replies_allowed:
            raise Invalid(_("Only shared and public notes take replies, one level deep."))
        visibility = parent.visibility if visibility is None else visibility
        _check_reply_visibility(user, visibility, parent)
        unit, anchor = parent.unit, None
    else:
        visibility = Visibility.PRIVATE if visibility is None else visibility
        _check_visibility(user, visibility)
    if not body.strip() and not names:
        raise Invalid(_("The note is empty."))
    note = Note.objects.create(
        author=user,
        unit=unit,
        parent=parent,
        body=body,
        visibility=visibility,
        **_search_fields(body),
        **(anchor.as_fields() if anchor else {}),
    )
    if names:
        public = note.visibility in OPEN_TO_OTHERS
        note.tags.set(_tags_for(names, user, public=public))
    return note


_KEEP = object()


def _search_fields(body: str) -> dict[str, str]:
    """``folded`` and ``grams`` of a note's body, for search (``clauses.text.search``)."""
    folded, grams = index_fields(body)
    return {"folded": folded, "grams": grams}


@transaction.atomic
def update_note(
    note: Note,
    user,
    *,
    body: str,
    visibility: str | None = None,
    tags: Iterable[str] | None = None,
    anchor=_KEEP,
    unit: Unit | None = None,
) -> Note:
    """The author changes a note: text, visibility, tags (and, through the API, its anchor).

    Each note's visibility is its own: making a note wider or narrower leaves
    the replies to it, other people's words, as their authors set them. (A
    reader sees a reply only where they see its parent too: ``visible_to``.)
    """
    if not Note.objects.editable_by(user).filter(pk=note.pk).exists():
        raise Refused(_("Only the author changes a note."))
    _check_body(body)
    names = parse_tags(tags) if tags is not None else None
    if visibility is not None and visibility != note.visibility:
        if note.parent_id:
            _check_reply_visibility(user, visibility, note.parent)
        else:
            _check_visibility(user, visibility)
            if visibility == Visibility.PRIVATE and note.replies.exists():
                raise Invalid(_("A note with replies cannot be made private."))
        note.visibility = visibility
    if not body.strip() and not (names if names is not None else note.tags.exists()):
        raise Invalid(_("The note is empty."))
    note.body = body
    for name, value in _search_fields(body).items():
        setattr(note, name, value)
    fields = ["body", "visibility", "modified", "folded", "grams"]
    if unit is not None and unit.pk != note.unit_id:
        if note.parent_id or note.replies.exists():
            raise Invalid(_("A note in a conversation stays on its unit."))
        note.unit = unit
        fields.append("unit")
    if anchor is not _KEEP:
        if note.parent_id and anchor is not None:
            raise Invalid(_("A reply is not anchored to a span."))
        values = anchor.as_fields() if anchor else dict.fromkeys(("start", "end"))
        if not anchor:
            values.update(exact="", prefix="", suffix="")
        for k, v in values.items():
            setattr(note, k, v)
        note.orphaned = False
        fields += ["exact", "prefix", "suffix", "start", "end", "orphaned"]
    note.save(update_fields=fields)
    public = note.visibility in OPEN_TO_OTHERS
    if names is not None:
        note.tags.set(_tags_for(names, user, public=public))
    elif public:
        _publish_tags_of(note)
    return note


def may_reattach(note: Note, user) -> bool:
    """Editors re-attach orphaned notes they may read; an author their own."""
    return has_role(user, "editor") or (has_role(user, "reader") and note.author_id == user.pk)


@transaction.atomic
def reattach_note(note: Note, user, *, exact: str, start: int | None = None) -> Note:
    """An editor (or the author) re-attaches an orphaned span note by hand.

    The new span is ``exact`` in the unit's current canonical text: at
    ``start`` when given, else its only occurrence. The note's quote, context
    and position become the new span's; it is no longer orphaned.
    """
    if not Note.objects.visible_to(user).filter(pk=note.pk).exists():
        raise Refused(_("No such note."))
    if not may_reattach(note, user):
        raise Refused(_("Only editors and the note's author re-attach a note."))
    unit = Unit.objects.select_for_update().get(pk=note.unit_id)  # the text cannot change now
    note = Note.objects.select_for_update().get(pk=note.pk)
    if not note.orphaned:
        raise Invalid(_("This note is not orphaned: it is attached to its place already."))
    text = unit.canonical
    if not exact:
        raise Invalid(_("Give the text to attach the note to."))
    found = occurrences(text, exact)
    if start is None and found and exact == note.exact:
        # The note's own quote, found again only elsewhere: a person must say
        # which place is meant, never the app by default (the other 和谐 of a
        # clause is not where the note was made).
        raise Invalid(_("Choose the place in the unit's text where this note belongs."))
    if start is None:
        if not found:
            raise Invalid(_("“%(text)s” is not in this unit's text.") % {"text": exact})
        if len(found) > 1:
            raise Invalid(
                _("“%(text)s” occurs %(n)s times in this unit's text: choose one.")
                % {"text": exact, "n": len(found)}
            )
        start = found[0]
    elif start not in found:
        raise Invalid(
            _("The unit's text does not read “%(text)s” there (any more): look again.")
            % {"text": exact}
        )
    for k, v in anchor_at(text, start, start + len(exact)).as_fields().items():
        setattr(note, k, v)
    note.orphaned = False
    note.reanchored = timezone.now()
    fields = ["exact", "prefix", "suffix", "start", "end", "orphaned", "reanchored", "modified"]
    note.save(update_fields=fields)
    return note


@transaction.atomic
def delete_note(note: Note, user) -> None:
    """The author deletes a note (and the replies to it)."""
    if not Note.objects.editable_by(user).filter(pk=note.pk).exists():
        raise Refused(_("Only the author deletes a note."))
    note.delete()


# --- Flags ---------------------------------------------------------------------------


def _site_score(flag: Flag, site: VariantSite, canonical: str) -> tuple:
    agree = sum(1 for k, v in flag.site_readings.items() if site.readings.get(k) == v)
    context = _context_score(canonical, site.start, site.end, flag.before, flag.after)
    return (agree, context, -abs(site.start - flag.position))


def find_site(flag: Flag) -> VariantSite | None:
    """The flag's variant site in the current collation, or None when it is gone.

    Candidates are the unit's sites where the flagged source still has the
    flagged reading; the best agrees with most of the other sources'
    readings then, then with the canonical context, then lies nearest.
    """
    siglum = flag.source.siglum
    candidates = [
        s
        for s in VariantSite.objects.filter(unit_id=flag.unit_id)
        if siglum in s.readings and s.readings[siglum] == flag.reading
    ]
    if not candidates:
        return None
    canonical = flag.unit.canonical
    return max(candidates, key=lambda s: _site_score(flag, s, canonical))


def confirmed_errors_at(sites: Iterable[VariantSite]) -> dict[int, dict[str, Flag]]:
    """The confirmed transcription errors at ``sites``: ``{site pk: {siglum: flag}}``.

    For the reader and the unit page, which mark a copy's reading as a
    confirmed error. Two queries for any number of sites (the flags of their
    units, the units' canonical texts); each flag goes to the site
    :func:`find_site` would take it to.
    """
    sites = list(sites)
    by_unit: dict[int, list[VariantSite]] = {}
    for site in sites:
        by_unit.setdefault(site.unit_id, []).append(site)
    if not by_unit:
        return {}
    texts = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "canonical"))
    found: dict[int, dict[str, Flag]] = {}
    for flag in (
        Flag.objects.confirmed()
        .filter(unit_id__in=list(by_unit))
        .select_related("source", "decision")
        .defer("source__original", "source__text")
        .order_by("decided_at", "pk")
    ):
        siglum = flag.source.siglum
        candidates = [
            s for s in by_unit[flag.unit_id] if s.readings.get(siglum, None) == flag.reading
        ]
        if candidates:
            text = texts[flag.unit_id]
            site = max(candidates, key=lambda s: _site_score(flag, s, text))
            found.setdefault(site.pk, {})[siglum] = flag
    return found


def _check_reading(text: str, label: str) -> str:
    if len(text) > READING_MAX:
        raise Invalid(
            _("%(label)s is too long: at most %(max)s characters.")
            % {"label": label, "max": READING_MAX}
        )
    return text


class Duplicate(Invalid):
    """The place is flagged already: ``flag`` is the first flag, to link to."""

    def __init__(self, message: str, flag: Flag):
        super().__init__(message)
        self.flag = flag


#: A flag in these states stands for its place: a second one is refused.
STANDING = (Flag.State.OPEN, Flag.State.CONFIRMED)


def standing_flag(site: VariantSite, source: Source) -> Flag | None:
    """The open or confirmed flag on ``source``'s reading at ``site``, if there is one.

    Flags keep no site id (sites are rebuilt by every re-collation): a flag
    stands on this site when it has the same unit, source and printed
    reading and :func:`find_site` takes it to this site.
    """
    reading = site.readings.get(source.siglum)
    for flag in (
        Flag.objects.filter(
            unit_id=site.unit_id, source=source, reading=reading, state__in=STANDING
        )
        .select_related("unit", "source")
        .order_by("created", "pk")
    ):
        found = find_site(flag)
        if found is not None and found.pk == site.pk:
            return flag
    return None


@transaction.atomic
def create_flag(
    user, site: VariantSite, source: Source, *, proposed: str, comment: str = ""
) -> Flag:
    """An annotator flags ``source``'s reading at ``site`` as a transcription error.

    One open or confirmed flag per site, source and reading: a second is
    refused with :class:`Duplicate`, which names the first. (A rejected flag
    does not stand in the way: the place may be flagged again, with new
    arguments.)
    """
    if not has_role(user, "annotator"):
        raise Refused(_("Only annotators flag readings."))
    if source.document_id != site.unit.document_id or source.siglum not in site.readings:
        raise Invalid(
            _("Source %(siglum)s has no reading at this place.") % {"siglum": source.siglum}
        )
    # Two annotators flagging the same place at once: the unit's lock orders them.
    Unit.objects.select_for_update().filter(pk=site.unit_id).values_list("pk", flat=True).first()
    reading = site.readings[source.siglum]
    proposed = _check_reading(proposed.strip(), _("The proposed reading"))
    _check_body(comment)
    if proposed == reading:
        raise Invalid(_("The proposed reading is the reading printed."))
    first = standing_flag(site, source)
    if first is not None:
        if first.state == Flag.State.CONFIRMED:
            message = _(
                "This reading of %(siglum)s is confirmed as an error already: flag #%(pk)s."
            )
        else:
            message = _("This reading of %(siglum)s is flagged already: flag #%(pk)s is open.")
        raise Duplicate(message % {"siglum": source.siglum, "pk": first.pk}, first)
    canonical = site.unit.canonical
    return Flag.objects.create(
        unit_id=site.unit_id,
        source=source,
        reading=reading,
        proposed=proposed,
        comment=comment,
        site_readings=dict(sorted(site.readings.items())),
        canonical_reading=canonical[site.start : site.end],
        before=canonical[max(0, site.start - OVERRIDE_CONTEXT) : site.start],
        after=canonical[site.end : site.end + OVERRIDE_CONTEXT],
        position=site.start,
        author=user,
    )


def decision_action(site: VariantSite, text: str) -> str:
    """The decision that makes ``text`` the canonical reading at ``site``: keep the
    canonical reading, choose a source's, or emend (as the queue's form records it)."""
    if text == site.canonical_reading:
        return SiteDecision.Action.KEEP
    if text in site.readings.values():
        return SiteDecision.Action.CHOOSE
    return SiteDecision.Action.EMEND


@transaction.atomic
def decide_flag(
    flag: Flag,
    user,
    *,
    confirm: bool,
    reason: str,
    correction: str | None = None,
) -> Flag:
    """An editor confirms or rejects an open flag, with a reason.

    Confirming records the correct reading (the proposed one unless the
    editor gives another) and decides the flag's variant site in the same
    transaction, through ``clauses.collation.decide`` (as the queue does):
    the correct reading is kept when it is the canonical one, chosen when a
    source reads it, emended otherwise. ``flag.decision`` links the two; the
    queue reads it back as ``SiteDecision.flags``. A flag whose place is no
    longer a variant site cannot be confirmed (nothing is written).
    """
    if not has_role(user, "editor"):
        raise Refused(_("Only editors decide on flags."))
    # The unit first, then the flag: the order clauses.collation.decide locks in.
    Unit.objects.select_for_update().filter(pk=flag.unit_id).values_list("pk", flat=True).first()
    flag = Flag.objects.select_for_update().select_related("unit", "source").get(pk=flag.pk)
    if flag.state != Flag.State.OPEN:
        raise Invalid(
            _("Flag #%(pk)s is decided already (%(state)s).")
            % {"pk": flag.pk, "state": flag.get_state_display()}
        )
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Give a reason."))
    _check_body(reason)
    flag.reason = reason
    flag.decided_by = user
    flag.decided_at = timezone.now()
    if not confirm:
        flag.state = Flag.State.REJECTED
        flag.correction = ""
        flag.decision = None
        flag.save()
        return flag
    correction = flag.proposed if correction is None else correction.strip()
    correction = _check_reading(correction, _("The correct reading"))
    if "\n" in correction or "\r" in correction:
        raise Invalid(_("The correct reading is one line of text."))
    if correction == flag.reading:
        raise Invalid(_("The correct reading is the reading printed: reject the flag instead."))
    site = find_site(flag)
    if site is None:
        raise Invalid(
            _(
                "%(siglum)s no longer reads “%(reading)s” at a variant site of this unit, "
                "so confirming cannot decide the place: reject the flag, or decide on the "
                "unit's page."
            )
            % {"siglum": flag.source.siglum, "reading": flag.reading or "—"}
        )
    flag.correction = correction
    flag.state = Flag.State.CONFIRMED
    flag.decision = decide(site, decision_action(site, correction), correction, reason, user)
    flag.save()
    return flag


@transaction.atomic
def withdraw_flag(flag: Flag, user) -> None:
    """Its author withdraws an open flag."""
    if flag.author_id != getattr(user, "pk", None) or flag.state != Flag.State.OPEN:
        raise Refused(_("Only its author withdraws a flag, while it is open."))
    flag.delete()


# --- API tokens ----------------------------------------------------------------------


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new personal token; the raw value is returned once and never stored."""
    if not (user and user.is_authenticated):
        raise Refused(_("Sign in first."))
    name = name.strip()[:60] or _("API token")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=token_digest(raw), hint=raw[:10])
    return token, raw


def user_for_token(raw: str):
    """The active user whose token this is, or None."""
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw.strip())).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user


def revoke_token(token: ApiToken, user) -> None:
    if token.user_id != user.pk:
        raise Refused(_("Not your token."))
    token.delete()
