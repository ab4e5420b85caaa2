"""Anchors of span notes in a unit's canonical text, and re-anchoring after it changes.

An anchor is the W3C TextQuoteSelector (``exact`` with ``prefix`` and
``suffix``) plus the TextPositionSelector (``start``, ``end``). When a note is
made, the selection is located in the canonical text (the position first,
then the quote, its context telling apart several occurrences). When the
canonical text later changes, a note re-anchors only where its quote *and*
its recorded context still stand together (see ``Realigner``); otherwise it
is marked orphaned and keeps the quote and context it was made on. It is
never moved to a guess, nor to the same words at another place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

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


#: Characters of recorded context next to the quote, on each side, that must
#: stand unchanged beside it for a note to stay (fewer when less was recorded).
NEAR_CONTEXT = 6
#: The share of each side of the recorded context that must still align with
#: the text on its side of the quote.
CONTEXT_SHARE = 0.5


def _side_scores(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[int, int]:
    """Characters of ``prefix`` and of ``suffix`` that agree with the text, outward from
    the match ``text[start:end]``."""
    before = 0
    for a, b in zip(reversed(text[:start]), reversed(prefix), strict=False):
        if a != b:
            break
        before += 1
    after = 0
    for a, b in zip(text[end:], suffix, strict=False):
        if a != b:
            break
        after += 1
    return before, after


def _near_ok(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    before, after = _side_scores(text, start, end, prefix, suffix)
    return before >= min(len(prefix), NEAR_CONTEXT) and after >= min(len(suffix), NEAR_CONTEXT)


class Realigner:
    """Re-anchoring against one new text: the quote must stay at its place.

    The place of a quote is its recorded window, ``prefix + exact + suffix``.
    It is aligned with the new text (difflib's longest common blocks, in
    order), and the quote stays only where

    * the alignment carries every character of the quote, in one piece, onto
      an exact occurrence of it (a quote whose place changed, while the same
      words stand elsewhere, is carried nowhere: its old context claims the
      place where it stood);
    * the ``NEAR_CONTEXT`` characters next to it on each side are still the
      recorded ones, and at least ``CONTEXT_SHARE`` of each recorded side
      still aligns on its side;
    * no other occurrence has recorded context as good around it.

    Otherwise the note is orphaned (the caller keeps its recorded anchor).
    """

    def __init__(self, text: str):
        self.text = text
        self.matcher = SequenceMatcher(None, "", text, autojunk=False)

    def find(self, exact: str, prefix: str = "", suffix: str = "") -> Anchor | None:
        text = self.text
        found = occurrences(text, exact)
        if not found:
            return None
        window = prefix + exact + suffix
        self.matcher.set_seq1(window)
        mapped: dict[int, int] = {}
        for a, b, size in self.matcher.get_matching_blocks():
            for k in range(size):
                mapped[a + k] = b + k
        q0, q1 = len(prefix), len(prefix) + len(exact)
        start = mapped.get(q0)
        if start is None or any(mapped.get(i) != start + i - q0 for i in range(q0, q1)):
            return None
        end = start + len(exact)
        if text[start:end] != exact or not _near_ok(text, start, end, prefix, suffix):
            return None
        before = sum(1 for i in range(q0) if i in mapped)
        after = sum(1 for i in range(q1, len(window)) if i in mapped)
        if before < CONTEXT_SHARE * len(prefix) or after < CONTEXT_SHARE * len(suffix):
            return None
        score = sum(_side_scores(text, start, end, prefix, suffix))
        for other in found:
            if other != start and _near_ok(text, other, other + len(exact), prefix, suffix):
                if sum(_side_scores(text, other, other + len(exact), prefix, suffix)) >= score:
                    return None  # as good a place elsewhere: never a guess
        return anchor_at(text, start, end)


def reanchor(text: str, exact: str, prefix: str = "", suffix: str = "") -> Anchor | None:
    """The strict rule after a change: the quote at its recorded place (its quote
    *and* its context), or nothing. See :class:`Realigner`."""
    return Realigner(text).find(exact, prefix, suffix)


def reanchor_notes(units: Iterable) -> int:
    """Re-anchor the span notes of ``units`` after their canonical text changed.

    Called by ``clauses.collation.recollate`` with the units whose text it
    changed (their ``canonical`` already the new text). A note whose quote
    still stands at its recorded place (:class:`Realigner`) keeps it, its
    position and context taken from the new text. Any other note becomes
    orphaned and keeps the quote, prefix, suffix and position it was made
    on; it is never moved to another place, even where its quote stands
    once elsewhere. An orphan whose place comes back (the change undone) is
    anchored again. Returns how many notes changed.
    """
    from .models import Note

    texts = {u.pk: u.canonical for u in units}
    if not texts:
        return 0
    # A Realigner indexes its whole text (difflib's b2j): built only for the
    # units that have span notes, not for every unit an import changed.
    aligners: dict[int, Realigner] = {}
    now = timezone.now()
    changed = []
    for note in (
        Note.objects.filter(unit_id__in=list(texts))
        .spans()
        .only("unit_id", "exact", "prefix", "suffix", "start", "end", "orphaned", "reanchored")
    ):
        aligner = aligners.get(note.unit_id)
        if aligner is None:
            aligner = aligners[note.unit_id] = Realigner(texts[note.unit_id])
        found = aligner.find(note.exact, note.prefix, note.suffix)
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
