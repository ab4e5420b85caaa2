"""Citations that hold: each unit's locator, and the revisions of its canonical text.

- Locators (``Unit.locator``: 二、（一）, 第二十三条, 序言第2段) are computed by
  ``clauses.text.locator`` from the unit tree and stored by
  :func:`refresh_locators`, which every import calls once its units are placed.
- Revisions: every change of a unit's canonical text is a ``CanonicalChange``
  row (written by ``clauses.collation.recollate``, the one function that
  writes ``Unit.canonical``); revision *N* of a unit is the text after its
  *N*-th change, in the order they were made (1 = the first import). A
  citation names its revision, so the text it points to cannot change under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .bulk import update_rows
from .models import CanonicalChange, Document, Unit
from .text.locator import unit_locators


@transaction.atomic
def refresh_locators(document: Document) -> int:
    """Compute every unit's locator of ``document`` from its tree and store the
    ones that changed (one query to read, one UPDATE). Returns how many changed."""
    units = list(
        Unit.objects.filter(document=document)
        .in_order()
        .only("pk", "parent_id", "kind", "label", "key", "canonical", "locator")
    )
    found = unit_locators(
        units, (document.metadata or {}).get("covering_title") or "", document.title
    )
    changed = [(u.pk, found[u.pk]) for u in units if u.locator != found[u.pk]]
    update_rows(Unit, ["locator"], changed)
    return len(changed)


@dataclass(frozen=True)
class Revision:
    """Revision ``number`` (1-based) of a unit's canonical ``text``; ``change``
    is the ``CanonicalChange`` that made it (None for a unit without history,
    whose one revision is its current text); ``latest``: the number of the
    unit's current revision."""

    number: int
    text: str
    latest: int
    change: CanonicalChange | None = None

    @property
    def is_current(self) -> bool:
        return self.number == self.latest


def changes_in_order(unit: Unit):
    """The unit's canonical changes, oldest first: revision 1, 2, …"""
    return CanonicalChange.objects.filter(unit=unit).order_by("created", "pk")


def revision_count(unit: Unit) -> int:
    """The number of the unit's current revision (at least 1)."""
    return max(CanonicalChange.objects.filter(unit=unit).count(), 1)


def number_history(history: list[CanonicalChange]) -> int:
    """Give each change of a unit's history (newest first, as ``CanonicalChange``
    orders them) its revision number as ``change.revision``; returns the latest."""
    latest = len(history)
    for i, change in enumerate(history):
        change.revision = latest - i
    return max(latest, 1)


def revision_of(unit: Unit, number: int) -> Revision | None:
    """Revision ``number`` (1-based) of the unit, or None when it has no such
    revision. One query."""
    changes = list(changes_in_order(unit).select_related("user"))
    if not changes:
        return Revision(1, unit.canonical, 1) if number == 1 else None
    if not 1 <= number <= len(changes):
        return None
    change = changes[number - 1]
    return Revision(number, change.after, len(changes), change)


def current_revision(unit: Unit, latest: int) -> Revision:
    """The revision the unit reads now (``latest`` from :func:`revision_count`)."""
    return Revision(latest, unit.canonical, latest)
