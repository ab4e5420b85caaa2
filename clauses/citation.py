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
from typing import NamedTuple

from django.db import transaction
from django.db.models.functions import Substr
from django.utils import timezone

from .bulk import update_rows
from .models import CanonicalChange, Document, Unit
from .text.cite import Citable, gbt7714, plain
from .text.locator import unit_locators


class _Located(NamedTuple):
    """What ``unit_locators`` reads of a unit (``canonical``: its first 12 characters)."""

    pk: int
    parent_id: int | None
    kind: str
    label: str
    key: str
    canonical: str


@transaction.atomic
def refresh_locators(document: Document) -> int:
    """Compute every unit's locator of ``document`` from its tree and store the
    ones that changed (one query to read, then ``update_rows``). Returns how many changed."""
    # Tuples, not model instances, and of the canonical text only what a
    # locator reads (a table row's first 12 characters): a 4 MB document has
    # some 15,000 units.
    units = list(
        Unit.objects.filter(document=document)
        .in_order()
        .annotate(head=Substr("canonical", 1, 12))
        .values_list("pk", "parent_id", "kind", "label", "key", "head", "locator", named=True)
    )
    found = unit_locators(
        (_Located(u.pk, u.parent_id, u.kind, u.label, u.key, u.head) for u in units),
        (document.metadata or {}).get("covering_title") or "",
        document.title,
    )
    changed = [(u.pk, found[u.pk]) for u in units if u.locator != found[u.pk]]
    update_rows(Unit, ["locator"], changed)
    return len(changed)


@dataclass(frozen=True)
class Revision:
    """Revision ``number`` (1-based) of a unit's canonical ``text``, ``latest``
    being the number of its current revision; ``change``: the
    ``CanonicalChange`` that made it (None for a unit without history, whose
    one revision is its current text)."""

    number: int
    text: str
    latest: int
    change: CanonicalChange | None = None

    @property
    def is_current(self) -> bool:
        return self.number == self.latest


def number_history(history: list[CanonicalChange]) -> int:
    """Give each change of a unit's history (newest first, as ``CanonicalChange``
    orders them: ``-created, -pk``) its revision number as ``change.revision``;
    returns the number of the current revision (1 for a unit without history)."""
    latest = len(history)
    for i, change in enumerate(history):
        change.revision = latest - i
    return max(latest, 1)


def revision_number(value: str, latest: int) -> int | None:
    """``?rev=`` as a revision number: digits from 1 to ``latest``, else None."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    number = int(value)
    return number if 1 <= number <= latest else None


def revision_in(
    unit: Unit, history: list[CanonicalChange], latest: int, number: int | None = None
) -> Revision:
    """Revision ``number`` (default: the current one) of ``unit``, from its
    history numbered by :func:`number_history`; ``number`` must be valid
    (:func:`revision_number`). No query."""
    number = latest if number is None else number
    if not history or number == latest:
        change = history[0] if history else None
        return Revision(number, unit.canonical, latest, change)
    change = history[latest - number]
    return Revision(number, change.after, latest, change)


def revision_url(unit: Unit, number: int) -> str:
    """The unit page's path at revision ``number``: ``/documents/<slug>/u/<key>/?rev=N``."""
    return f"{unit.get_absolute_url()}?rev={number}"


def citation(request, unit: Unit, revision: Revision) -> dict:
    """What ``cite.json`` answers and the unit page's cite box shows:
    ``{"locator", "revision", "text", "url", "formats": {"gbt7714", "plain"}}``;
    the URL is absolute and names the revision, the access date is today
    (the server's local date). No query (the unit's document is loaded)."""
    document = unit.document
    url = request.build_absolute_uri(revision_url(unit, revision.number))
    cited = Citable(
        issuers=document.issuers,
        title=document.title,
        number=document.number,
        issued=document.date,
        locator=unit.locator or unit.label,
        revision=revision.number,
        url=url,
        accessed=timezone.localdate(),
    )
    return {
        "locator": cited.locator,
        "revision": revision.number,
        "text": revision.text,
        "url": url,
        "formats": {"gbt7714": gbt7714(cited), "plain": plain(cited)},
    }
