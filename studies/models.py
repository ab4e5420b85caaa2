"""Study sets (学习专题): a trainer's ordered selection of units for a session.

Who may see a set is decided here, once, by ``StudySetQuerySet.visible_to``;
who may change it by ``editable_by``. The visibility words are the notes'
(:class:`annotations.models.Visibility`). Writes live in :mod:`studies.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from annotations.models import OPEN_TO_OTHERS, Visibility
from clauses.models import Unit
from policyreader.roles import has_role

#: The role that may create, edit and duplicate study sets: a set is made to be handed
#: to a class (shared or public), and sharing and publishing notes is the annotator's.
AUTHOR_ROLE = "annotator"


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class StudySetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sets ``user`` may read: their own, those they may edit, colleagues' shared
        and public ones when signed in; only public ones for anonymous visitors."""
        if not _signed_in(user):
            return self.filter(visibility=Visibility.PUBLIC)
        return self.filter(
            Q(owner=user)
            | Q(visibility__in=OPEN_TO_OTHERS)
            | Q(pk__in=StudySet.editors.through.objects.filter(user=user).values("studyset_id"))
        )

    def editable_by(self, user):
        """Sets ``user`` may change (items, header): the owner's and the named
        colleagues', as long as they hold the author role."""
        if not _signed_in(user) or not has_role(user, AUTHOR_ROLE):
            return self.none()
        return self.filter(
            Q(owner=user)
            | Q(pk__in=StudySet.editors.through.objects.filter(user=user).values("studyset_id"))
        )

    def for_list(self):
        return self.select_related("owner").annotate(item_count=models.Count("items"))


class StudySet(models.Model):
    """A session's study set: header fields and an ordered list of items."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_sets"
    )
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    date = models.DateField(_("date of the session"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="editable_study_sets",
        verbose_name=_("colleagues who may edit"),
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = StudySetQuerySet.as_manager()

    class Meta:
        ordering = ["-modified", "-pk"]
        indexes = [models.Index(fields=["owner", "modified"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("studies:detail", args=[self.pk])

    def is_owned_by(self, user) -> bool:
        return _signed_in(user) and self.owner_id == user.pk


class StudyItem(models.Model):
    """One item of a set: a unit, or the span ``[start, end)`` of its canonical text
    (0-based character offsets), with the trainer's talking points, discussion
    questions and quiz blanks (phrases of the item's text)."""

    study_set = models.ForeignKey(StudySet, on_delete=models.CASCADE, related_name="items")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="study_items")
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)  # 0-based order in the set
    points = models.TextField(_("talking points"), blank=True)
    questions = models.JSONField(_("discussion questions"), default=list, blank=True)
    blanks = models.JSONField(_("blanks"), default=list, blank=True)
    show_differences = models.BooleanField(_("show the differences between copies"), default=False)
    show_changes = models.BooleanField(
        _("show the change from the previous version"), default=False
    )

    class Meta:
        ordering = ["study_set", "position", "pk"]
        indexes = [models.Index(fields=["study_set", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, start__lt=models.F("end")),
                name="study_item_span_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.study_set_id}#{self.position} {self.unit_id}"

    @property
    def is_span(self) -> bool:
        return self.start is not None

    @property
    def text(self) -> str:
        """The item's text: the unit's canonical text, or the span of it."""
        if self.start is None:
            return self.unit.canonical
        return self.unit.canonical[self.start : self.end]
