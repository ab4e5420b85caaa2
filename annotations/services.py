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

from .anchoring import Anchor, _context_score
from .models import ApiToken, Flag, Note, Tag, Visibility
from .roles import has_role


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


def _tags_for(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name)
        tags.append(tag)
    return tags


@transaction.atomic
def rename_tag(tag: Tag, new_name: str, user) -> Tag:
    """Editors rename a tag; a name taken by another tag must be merged instead."""
    if not has_role(user, "editor"):
        raise Refused(_("Only editors rename tags."))
    new_name = normalize_tag(new_name)
    if Tag.objects.filter(name__iexact=new_name).exclude(pk=tag.pk).exists():
        raise Invalid(
            _("A tag “%(tag)s” exists already: merge into it instead.") % {"tag": new_name}
        )
    tag.name = new_name
    tag.save(update_fields=["name"])
    return tag


@transaction.atomic
def merge_tags(tag: Tag, into: Tag, user) -> Tag:
    """Editors merge ``tag`` into ``into``: its notes get ``into``; ``tag`` is deleted."""
    if not has_role(user, "editor"):
        raise Refused(_("Only editors merge tags."))
    if tag.pk == into.pk:
        raise Invalid(_("A tag cannot be merged into itself."))
    Through = Note.tags.through
    have = set(Through.objects.filter(tag=into).values_list("note_id", flat=True))
    moving = Through.objects.filter(tag=tag)
    Through.objects.bulk_create(
        [
            Through(note_id=n, tag=into)
            for n in moving.values_list("note_id", flat=True)
            if n not in have
        ]
    )
    tag.delete()
    return into


# --- Notes ---------------------------------------------------------------------------


@transaction.atomic
def create_note(
    user,
    unit: Unit,
    *,
    body: str,
    visibility: str = Visibility.PRIVATE,
    tags: Iterable[str] = (),
    anchor: Anchor | None = None,
    parent: Note | None = None,
) -> Note:
    """A new note on ``unit`` (on a span of it with ``anchor``), or a reply to ``parent``."""
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
        unit, visibility, anchor = parent.unit, parent.visibility, None
    else:
        _check_visibility(user, visibility)
    if not body.strip() and not names:
        raise Invalid(_("The note is empty."))
    note = Note.objects.create(
        author=user,
        unit=unit,
        parent=parent,
        body=body,
        visibility=visibility,
        **(anchor.as_fields() if anchor else {}),
    )
    if names:
        note.tags.set(_tags_for(names))
    return note


_KEEP = object()


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
    """The author changes a note: text, visibility, tags (and, through the API, its anchor)."""
    if not Note.objects.editable_by(user).filter(pk=note.pk).exists():
        raise Refused(_("Only the author changes a note."))
    _check_body(body)
    names = parse_tags(tags) if tags is not None else None
    if visibility is not None and visibility != note.visibility:
        if note.parent_id:
            raise Invalid(_("A reply has the visibility of the note it answers."))
        _check_visibility(user, visibility)
        if visibility == Visibility.PRIVATE and note.replies.exists():
            raise Invalid(_("A note with replies cannot be made private."))
        note.visibility = visibility
        note.replies.update(visibility=visibility)
    if not body.strip() and not (names if names is not None else note.tags.exists()):
        raise Invalid(_("The note is empty."))
    note.body = body
    fields = ["body", "visibility", "modified"]
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
    if names is not None:
        note.tags.set(_tags_for(names))
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


def _check_reading(text: str, label: str) -> str:
    if len(text) > READING_MAX:
        raise Invalid(
            _("%(label)s is too long: at most %(max)s characters.")
            % {"label": label, "max": READING_MAX}
        )
    return text


@transaction.atomic
def create_flag(
    user, site: VariantSite, source: Source, *, proposed: str, comment: str = ""
) -> Flag:
    """An annotator flags ``source``'s reading at ``site`` as a transcription error."""
    if not has_role(user, "annotator"):
        raise Refused(_("Only annotators flag readings."))
    if source.document_id != site.unit.document_id or source.siglum not in site.readings:
        raise Invalid(
            _("Source %(siglum)s has no reading at this place.") % {"siglum": source.siglum}
        )
    reading = site.readings[source.siglum]
    proposed = _check_reading(proposed.strip(), _("The proposed reading"))
    _check_body(comment)
    if proposed == reading:
        raise Invalid(_("The proposed reading is the reading printed."))
    canonical = site.unit.canonical
    duplicate = Flag.objects.filter(
        author=user,
        unit_id=site.unit_id,
        source=source,
        reading=reading,
        position=site.start,
        state=Flag.State.OPEN,
    )
    if duplicate.exists():
        raise Invalid(_("You have flagged this reading already; the flag is open."))
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


@transaction.atomic
def decide_flag(
    flag: Flag,
    user,
    *,
    confirm: bool,
    reason: str,
    correction: str | None = None,
    set_canonical: bool = False,
) -> Flag:
    """An editor confirms or rejects a flag, with a reason.

    Confirming records the correct reading (the proposed one unless the
    editor gives another) and, with ``set_canonical``, makes it the canonical
    reading at the flag's current site through ``clauses.collation.decide``.
    """
    if not has_role(user, "editor"):
        raise Refused(_("Only editors decide on flags."))
    flag = Flag.objects.select_for_update().select_related("unit", "source").get(pk=flag.pk)
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
    else:
        correction = flag.proposed if correction is None else correction.strip()
        flag.correction = _check_reading(correction, _("The correct reading"))
        flag.state = Flag.State.CONFIRMED
        if set_canonical:
            site = find_site(flag)
            if site is None:
                raise Invalid(
                    _(
                        "This place is no longer a variant site: confirm without setting "
                        "the canonical reading, or decide on the unit's page."
                    )
                )
            if flag.correction == site.canonical_reading:
                action = SiteDecision.Action.KEEP
            elif flag.correction in site.readings.values():
                action = SiteDecision.Action.CHOOSE
            else:
                action = SiteDecision.Action.EMEND
            flag.decision = decide(site, action, flag.correction, reason, user)
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
