"""A compact fingerprint of a text: a consistent sample of its character n-grams.

Framework-free. A document is identified among many by the n-grams its
canonical text shares with a new copy, without aligning the copy against
every document (see ``clauses.ingest.candidates``).

Shapes and units
----------------
* ``gram_hash(s)`` -- a non-negative 63-bit integer (it fits PostgreSQL's
  ``bigint``) for a string: its code points packed 21 bits each (the last
  three, for a gram), times an odd constant, modulo 2**63. Stable across
  processes and machines (unlike ``hash``), and plain arithmetic, so a
  5 MB text is fingerprinted in about a second.
* ``fingerprint(texts)`` -- the sorted list of distinct hashes of the
  :data:`N`-grams of the Han characters of ``texts`` (every other character
  is dropped first: punctuation, digits and spacing differ between copies)
  whose hash is 0 modulo :data:`SAMPLE`, i.e. about one distinct n-gram in
  :data:`SAMPLE`. The sample is *consistent*: an n-gram two texts share is
  kept in both or in neither, so the number of hashes two fingerprints share
  estimates the number of n-grams the texts share, divided by
  :data:`SAMPLE`. Only the :data:`MAX_GRAMS` smallest hashes are kept (a
  bottom-k sketch), so a fingerprint holds at most ``MAX_GRAMS`` integers
  whatever the size of the text; below its largest hash it is complete.
* ``containment(shared, mine, theirs)`` -- 0 … 1: the share of the smaller
  fingerprint found in the other (a partial copy is contained in its
  document), each counted below the smaller of the two largest hashes (see
  :func:`comparable_below`).
* ``title_variant(a, b)`` -- True when two titles differ only by characters
  OCR engines confuse (巾/中), a few at most.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from .collate import OCR_CONFUSABLE_PAIRS

#: n-gram length, in Han characters.
N = 4
#: About one distinct n-gram in SAMPLE is kept (a power of two: see fingerprint).
SAMPLE = 8
#: The largest fingerprint, in hashes (a 5 MB text has some 100,000 sampled grams).
MAX_GRAMS = 4096


#: Every run of characters that are not Han (CJK Unified Ideographs and their
#: Extension A: one UTF-16 code unit each), dropped before the n-grams are cut.
_NOT_HAN = re.compile("[^\u4e00-\u9fff\u3400-\u4dbf]+")


_MULTIPLIER = 0x9E3779B97F4A7C15  # odd: the packing is mixed, never collapsed
_MASK = (1 << 63) - 1


def gram_hash(gram: str) -> int:
    """A stable 63-bit hash of ``gram`` (fits a PostgreSQL bigint); see the
    module docstring. Strings longer than three characters are digested first."""
    if len(gram) > 3:
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big") >> 1
    packed = 0
    for ch in gram:
        packed = (packed << 21) | ord(ch)
    return (packed * _MULTIPLIER) & _MASK


def fingerprint(texts: Iterable[str]) -> list[int]:
    """The sampled n-gram hashes of ``texts`` (see the module docstring).

    Memory: one pass per text; the distinct sampled hashes only (at most a
    few times :data:`MAX_GRAMS` before trimming).
    """
    sampled: set[int] = set()
    mask = SAMPLE - 1
    for text in texts:
        # Han characters are single UTF-16 code units: four of them, big-endian,
        # are the 64-bit packing (a << 48 | b << 32 | c << 16 | d) itself.
        packed = _NOT_HAN.sub("", text).encode("utf-16-be")
        # The hash is the packing times an odd constant, so it is 0 modulo
        # SAMPLE (a power of two) exactly when the packing is, i.e. when the
        # gram's last code unit is: only those grams are hashed.
        lows = packed[1::2]
        for i in range(3, len(lows)):
            if lows[i] & mask == 0:
                value = int.from_bytes(packed[2 * i - 6 : 2 * i + 2], "big")
                sampled.add((value * _MULTIPLIER) & _MASK)
                if len(sampled) > 4 * MAX_GRAMS:
                    sampled = set(sorted(sampled)[:MAX_GRAMS])
    return sorted(sampled)[:MAX_GRAMS]


def comparable_below(mine: list[int], their_max: int | None) -> int:
    """The bound below which two bottom-k sketches are both complete: the
    smaller of their largest hashes (``their_max`` None: no sketch)."""
    if not mine or their_max is None:
        return -1
    return min(mine[-1], their_max)


def containment(shared: int, mine: int, theirs: int) -> float:
    """The share of the smaller fingerprint found in the other, 0 … 1."""
    smaller = min(mine, theirs)
    return shared / smaller if smaller else 0.0


#: At most one differing character per this many characters of the longer
#: title (and at least one) for two titles to be one title misread.
TITLE_VARIANT_SPAN = 10


def title_variant(a: str, b: str) -> bool:
    """True when titles ``a`` and ``b`` (normalized title keys) differ only as
    an OCR'd copy's do: of the same length, every differing character a pair
    OCR engines confuse (``clauses.text.collate.OCR_CONFUSABLE_PAIRS``: 巾/中,
    人/入, 己/已 …), at most one per :data:`TITLE_VARIANT_SPAN` characters.
    Equal titles are not variants of each other.

    Deliberately narrow: 湖北/河南, 上半年/下半年, 北京市/天津市 differ by as
    few characters, and are other documents; so is any other difference.
    """
    if a == b or len(a) != len(b):
        return False
    allowed = max(1, len(a) // TITLE_VARIANT_SPAN)
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(differing) <= allowed and all(
        frozenset(pair) in OCR_CONFUSABLE_PAIRS for pair in differing
    )
