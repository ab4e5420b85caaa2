"""Readers' notes, tags, transcription-error flags and personal API tokens.

Who may see what is decided here, once, by the ``visible_to`` query-set
methods; every page, fragment, list, export and API response starts from
them. Writes live in :mod:`annotations.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clauses.models import (
    Searchable,
    SiteDecision,
    Source,
    Unit,
    containing_phrase,
    search_manager,
)


class Visibility(models.TextChoices):
    PRIVATE = "private", _("private")
    SHARED = "shared", _("shared")
    PUBLIC = "public", _("public")


OPEN_TO_OTHERS = (Visibility.SHARED, Visibility.PUBLIC)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class TagQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tags of at least one note ``user`` may see, with ``note_count`` of those notes."""
        return self.filter(notes__in=Note.objects.visible_to(user)).annotate(
            note_count=Count("notes", distinct=True)
        )

    def public(self):
        """Tags whose names are known to all: used on a shared or public note."""
        return self.filter(owner__isnull=True)

    def nameable_by(self, user):
        """The tags whose names ``user`` may use, look up and be told about: the
        public ones and their own private ones, never another user's private tag."""
        if not _signed_in(user):
            return self.public()
        return self.filter(Q(owner__isnull=True) | Q(owner=user))

    def named(self, name: str, user):
        """The tag called ``name`` (in any case) as ``user`` knows it: their own private
        one first, else the public one; None when there is neither."""
        rows = self.nameable_by(user).filter(name__iexact=name)
        return rows.order_by(models.F("owner").asc(nulls_last=True), "pk").first()


class Tag(models.Model):
    """A free tag; its name is unique, without regard to case, in its namespace.

    A tag is private (``owner`` set) until it is used on a shared or public
    note; then it is public (``owner`` empty), and stays so. A user's private
    tags are theirs alone: another user never sees, adopts or collides with
    their names (``TagQuerySet.nameable_by``). A public tag may share its name
    with a user's private tag made before; that user's names are merged into
    the public tag as soon as they use it on a shared note (services).
    """

    name = models.CharField(_("name"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="private_tags",
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), condition=Q(owner__isnull=True), name="unique_public_tag_name_ci"
            ),
            models.UniqueConstraint(
                "owner",
                Lower("name"),
                condition=Q(owner__isnull=False),
                name="unique_private_tag_name_ci",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("annotations:tag", args=[self.name])

    @property
    def is_public(self) -> bool:
        return self.owner_id is None


class NoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Notes ``user`` may read: their own, shared ones when signed in, public ones.

        A reply is readable only where its parent is.
        """
        if not _signed_in(user):
            return self.filter(visibility=Visibility.PUBLIC).filter(
                Q(parent__isnull=True) | Q(parent__visibility=Visibility.PUBLIC)
            )
        own = Q(author=user) | Q(visibility__in=OPEN_TO_OTHERS)
        parent = (
            Q(parent__isnull=True)
            | Q(parent__author=user)
            | Q(parent__visibility__in=OPEN_TO_OTHERS)
        )
        return self.filter(own & parent)

    def containing(self, phrase: str):
        """Notes whose body contains the folded ``phrase`` (``clauses.models.containing_phrase``).
        Chain it after :meth:`visible_to`: it says nothing about who may read."""
        return containing_phrase(self, phrase)

    def editable_by(self, user):
        """Notes ``user`` may change or delete: only their own."""
        if not _signed_in(user):
            return self.none()
        return self.filter(author=user)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def of_document(self, document):
        return self.filter(unit__document=document)

    def of_unit(self, unit):
        return self.filter(unit=unit)

    def spans(self):
        return self.exclude(exact="")

    def matching(self, which: str, user):
        """The reader's filter: ``mine``, ``shared`` (not private) or ``all``."""
        if which == "mine":
            return self.filter(author=user) if _signed_in(user) else self.none()
        if which == "shared":
            return self.filter(visibility__in=OPEN_TO_OTHERS)
        return self

    def for_display(self, user):
        """Author, unit, document and tags, and the replies ``user`` may read, prefetched."""
        replies = (
            Note.objects.visible_to(user)
            .select_related("author")
            .prefetch_related("tags")
            .order_by("created", "pk")
        )
        return self.select_related("author", "unit__document").prefetch_related(
            "tags", Prefetch("replies", queryset=replies, to_attr="visible_replies")
        )

    def count_by_unit(self) -> dict[str, int]:
        """``{unit key: number of notes}``."""
        rows = self.values("unit__key").annotate(n=Count("pk")).order_by()
        return {r["unit__key"]: r["n"] for r in rows}


class Note(Searchable):
    """A note on a whole unit, or on a span of its canonical text.

    The span's anchor is the W3C TextQuoteSelector (``exact``, ``prefix``,
    ``suffix``) and TextPositionSelector (``start``, ``end``) in the unit's
    canonical text. When that text changes the note re-anchors only on a
    single exact match of its quote; otherwise it is ``orphaned`` and keeps
    the quote and context it was made on.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="notes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(_("note"), blank=True)  # Markdown
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="notes")
    exact = models.TextField(blank=True)
    prefix = models.TextField(blank=True)
    suffix = models.TextField(blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    orphaned = models.BooleanField(default=False)
    # When re-anchoring last moved the span (its quote found once, elsewhere).
    reanchored = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = search_manager(NoteQuerySet)

    class Meta:
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["unit", "visibility"]),
            models.Index(fields=["author", "created"]),
            GinIndex(fields=["grams"], name="note_grams_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(exact="", start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, start__lte=models.F("end")),
                name="note_anchor_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.key} #{self.pk} ({self.visibility})"

    def get_absolute_url(self) -> str:
        return reverse("annotations:note", args=[self.pk])

    @property
    def is_span(self) -> bool:
        return bool(self.exact)

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def was_edited(self) -> bool:
        return (self.modified - self.created).total_seconds() > 5

    @property
    def replies_allowed(self) -> bool:
        return self.parent_id is None and self.visibility in OPEN_TO_OTHERS


class FlagQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Flags are shared: every signed-in user reads them; confirmed ones are public."""
        if _signed_in(user):
            return self
        return self.filter(state=Flag.State.CONFIRMED)

    def with_related(self):
        return self.select_related(
            "unit__document", "source", "author", "decided_by", "decision"
        ).defer("source__original", "source__text")

    def confirmed(self):
        return self.filter(state=Flag.State.CONFIRMED)

    def through_decisions(self, decision_ids) -> dict[int, Flag]:
        """``{SiteDecision pk: the confirmed flag that made it}``, for the queue's
        “decided through flag N” (one query)."""
        rows = self.confirmed().filter(decision_id__in=list(decision_ids)).order_by("pk")
        return {f.decision_id: f for f in rows.only("pk", "decision_id", "source_id", "unit_id")}


class Flag(models.Model):
    """An annotator's report: source X prints *reading* here; it should read *proposed*.

    Variant sites are rebuilt on every re-collation, so the flag keeps what it
    needs to find its site again: the unit, the source, the printed reading,
    every source's reading at the site and a little canonical context (as
    ``clauses.text.collate.make_override`` does).
    """

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="flags")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="flags")
    reading = models.TextField(_("printed reading"), blank=True)
    proposed = models.TextField(_("proposed reading"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    site_readings = models.JSONField(default=dict)  # {siglum: reading} when flagged
    canonical_reading = models.TextField(blank=True)  # the canonical text at the site then
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)  # the site's start then
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags",
    )
    created = models.DateTimeField(auto_now_add=True)
    correction = models.TextField(_("correct reading"), blank=True)  # as confirmed
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flag_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        SiteDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["state", "source"])]

    def __str__(self) -> str:
        return f"{self.source.siglum} {self.unit.key}: {self.reading!r} → {self.proposed!r}"

    def get_absolute_url(self) -> str:
        return reverse("annotations:flag", args=[self.pk])

    @property
    def visibility(self) -> str:
        return Visibility.PUBLIC if self.state == self.State.CONFIRMED else Visibility.SHARED


class ApiToken(models.Model):
    """A personal token for the annotation API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # the first characters, to recognise it
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.hint}…)"
