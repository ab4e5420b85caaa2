"""Anchors of span notes in a unit's canonical text, and re-anchoring after it changes.

An anchor is the W3C TextQuoteSelector (``exact`` with ``prefix`` and
``suffix``) plus the TextPositionSelector (``start``, ``end``). When a note is
made, the selection is located in the canonical text (the position first,
then the quote, its context telling apart several occurrences). When the
canonical text later changes, a note re-anchors only where its quote occurs
exactly once in the unit's new text; otherwise it is marked orphaned and
keeps the quote and context it was made on. It is never moved to a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

#: Characters of context kept on each side of a quote.
CONTEXT = 32


@dataclass(frozen=True)
class Anchor:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int

    def as_fields(self) -> dict:
        return {
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "start": self.start,
            "end": self.end,
        }


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """The anchor of ``text[start:end]``, with its context."""
    return Anchor(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
    )


def occurrences(text: str, exact: str) -> list[int]:
    """Start offsets of every occurrence of ``exact`` in ``text``, overlapping ones too."""
    if not exact:
        return []
    found, i = [], text.find(exact)
    while i != -1:
        found.append(i)
        i = text.find(exact, i + 1)
    return found


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the given context agree with the text around a match."""
    score = 0
    before = text[:start]
    for a, b in zip(reversed(before), reversed(prefix), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(text[end:], suffix, strict=False):
        if a != b:
            break
        score += 1
    return score


def locate(
    text: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Anchor | None:
    """Where a new selection lies in ``text``, or None when its quote is not there.

    The position wins when it holds the quote; otherwise the occurrence whose
    context agrees best, then the one nearest the given position.
    """
    if start is not None and end is not None and 0 <= start < end <= len(text):
        if not exact or text[start:end] == exact:
            return anchor_at(text, start, end)
    if not exact:
        return None
    found = occurrences(text, exact)
    if not found:
        return None
    hint = start if start is not None else 0
    best = max(
        found,
        key=lambda i: (_context_score(text, i, i + len(exact), prefix, suffix), -abs(i - hint)),
    )
    return anchor_at(text, best, best + len(exact))


def reanchor(text: str, exact: str) -> Anchor | None:
    """The strict rule after a change: the quote's single occurrence, or nothing."""
    found = occurrences(text, exact)
    if len(found) != 1:
        return None
    return anchor_at(text, found[0], found[0] + len(exact))


def reanchor_notes(units: Iterable) -> int:
    """Re-anchor the span notes of ``units`` after their canonical text changed.

    Called by ``clauses.collation.recollate`` with the units whose text it
    changed (their ``canonical`` already the new text). A note whose quote
    occurs once keeps it (moved if need be, context refreshed); any other
    note becomes orphaned, keeping the anchor it was made on. Orphans whose
    quote is back exactly once are anchored again. Returns how many notes
    changed.
    """
    from .models import Note

    texts = {u.pk: u.canonical for u in units}
    if not texts:
        return 0
    now = timezone.now()
    changed = []
    for note in (
        Note.objects.filter(unit_id__in=list(texts))
        .spans()
        .only("unit_id", "exact", "prefix", "suffix", "start", "end", "orphaned", "reanchored")
    ):
        found = reanchor(texts[note.unit_id], note.exact)
        if found is None:
            if not note.orphaned:
                note.orphaned = True
                changed.append(note)
            continue
        fields = found.as_fields()
        if note.orphaned or any(getattr(note, k) != v for k, v in fields.items()):
            moved = note.orphaned or (note.start, note.end) != (found.start, found.end)
            for k, v in fields.items():
                setattr(note, k, v)
            note.orphaned = False
            if moved:
                note.reanchored = now
            changed.append(note)
    Note.objects.bulk_update(
        changed, ["exact", "prefix", "suffix", "start", "end", "orphaned", "reanchored"]
    )
    return len(changed)
