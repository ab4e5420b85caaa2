"""Collation of one unit (a clause or paragraph) across its witnesses.

Framework-free: plain Python, no Django, no third-party packages.

Vocabulary
----------
* *canonical*: the current text of the unit (the base every site refers to).
* *readings*: ``{siglum: text}`` -- the normalized text of the unit in each
  source (witness) that covers it.
* *site*: a span ``[start, end)`` of the canonical text (``start == end`` for a
  pure insertion point) where at least one source differs.  A site carries the
  reading of **every** covering source at that span: the empty string for an
  omission, the canonical span itself for a source that agrees.

How sites are built (see :func:`collate`)
-----------------------------------------
1. Each source is aligned character by character against the canonical text
   (:func:`diff_opcodes`: unique common k-gram anchors + longest increasing
   chain, Myers O(ND) diff inside the small gaps between anchors; close to
   linear on texts that are mostly equal).  Pure insertions/deletions are slid
   to their leftmost equivalent position, and "delete X, keep Y, insert X"
   (or the mirror) is collapsed into one replacement ``XY -> YX`` so a swap is
   one difference, not two.
2. Every non-equal opcode of every source marks a canonical interval as
   *touched* (an insertion marks the point where it happens).
3. Touched intervals of all sources are merged when fewer than
   :data:`MERGE_GAP` equal characters separate them.
4. Sites whose readings are all non-empty are widened over a neighbouring
   character that recurs inside the site's readings (``互`` in
   ``互相贯通 / 互通 / 互通互转``) -- at most :data:`WORD_SNAP_MAX` per side.
5. A site inside a word grows to the whole word of the canonical text
   (jieba's segmentation, via rjieba): ``横 / 纵`` becomes ``横向 / 纵向``.
6. Each site's readings are cut out of each source through that source's
   alignment; the site is typed (see :func:`classify`).

Sites are typed by :func:`classify` (punctuation > transposition > addition >
omission > substitution) and substitution sites are checked for OCR
confusions (:data:`OCR_CONFUSABLE_GROUPS`).

:func:`consensus` builds the canonical text by majority (ties: editor-set
priority) and applies editors' :class:`Override` decisions, which identify a
site by what the sources read there, so they survive re-collation and new
sources; an override whose site is gone is reported, never dropped.

Everything is sorted by siglum internally: no result depends on the insertion
order of a dict.
"""

from __future__ import annotations

import hashlib
import string
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

import rjieba

__all__ = [
    "MERGE_GAP",
    "WORD_SNAP_MAX",
    "OCR_CONFUSABLE_GROUPS",
    "OCR_CONFUSABLE_PAIRS",
    "SITE_TYPES",
    "VariantSite",
    "new_site",
    "Override",
    "AlignmentCache",
    "Consensus",
    "ConsensusResult",
    "collate",
    "add_witness",
    "keeps_base",
    "apply",
    "consensus",
    "classify",
    "diff_opcodes",
    "is_punctuation",
    "make_override",
    "ocr_pairs",
    "rank_keys",
    "rank_sigla",
]

# ---------------------------------------------------------------------------
# Tunable constants
# ---------------------------------------------------------------------------

#: Two touched regions are merged into one site when fewer than MERGE_GAP
#: equal characters separate them.  With 2, a single shared character between
#: two differences does not split a site: in Chinese a lone equal character
#: inside a changed stretch is nearly always a chance match (的, 和, or the 通
#: of 互相贯通 / 互通互转) and a reader sees the whole stretch as one variant,
#: whereas two or more equal characters (a typical word) are a real point of
#: agreement.  Gap 0 (touching regions, or an insertion at the edge of a
#: deletion) must always merge, so the value must stay >= 1.
MERGE_GAP = 2

#: How many equal characters a site may be widened by on each side so that it
#: reads as a phrase (see :func:`collate`, step 4).
WORD_SNAP_MAX = 2

#: Longest stretch (on each side) that a swap ``XY -> YX`` may span for the
#: aligner to report it as one transposition rather than a deletion plus an
#: insertion.
TRANSPOSE_MAX = 12

#: Longest canonical span (characters) that swapped phrases or sentences may
#: cover to be joined into one transposition site (see :func:`_join_swaps`),
#: and how many neighbouring sites such a join may take in.
TRANSPOSE_SPAN = 400
TRANSPOSE_SITES = 12

#: A copy that begins or ends inside a unit lacks at least this many of its
#: characters (fewer is an omission), see :func:`_edge_alignment`.
LACUNA_MIN = 4

#: Characters of a reading's edge looked up in the canonical text to find
#: where a partial copy begins or ends, and how many occurrences are tried.
LACUNA_PROBE = 6
LACUNA_CANDIDATES = 4

#: Characters of canonical context recorded on each side of an override.
OVERRIDE_CONTEXT = 8

#: Consensus is recomputed against its own result at most this many times.
MAX_CONSENSUS_ROUNDS = 4

#: Myers' diff gives up beyond this many edits in one gap between anchors and
#: reports the whole gap as one replacement (two unrelated stretches of text).
MYERS_MAX_D = 400

#: Gaps this small (len(a) + len(b)) go straight to Myers without anchoring.
_SMALL_GAP = 64

#: k-gram sizes tried, largest first, when anchoring a gap.
_ANCHOR_K = (8, 4, 2, 1)

SITE_TYPES = ("lacuna", "punctuation", "transposition", "addition", "omission", "substitution")

#: Groups of characters that OCR engines confuse with one another.  Every two
#: characters of one group form a confusable pair.
OCR_CONFUSABLE_GROUPS: tuple[str, ...] = (
    "巾中",
    "己已巳",
    "未末",
    "土士",
    "日曰",
    "人入",
    "天夭",
    "戊戌戍",
    "大太犬",
    "王玉",
    "千干于",
    "刀力",
    "八人",
    "田由甲申",
)

OCR_CONFUSABLE_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset((x, y)) for g in OCR_CONFUSABLE_GROUPS for x in g for y in g if x != y
)

#: ``{character: the characters it forms a confusable pair with}``, the pairs
#: of :data:`OCR_CONFUSABLE_PAIRS` looked up without building a frozenset.
_CONFUSABLE_WITH: dict[str, frozenset[str]] = {
    x: frozenset(y for pair in OCR_CONFUSABLE_PAIRS if x in pair for y in pair if y != x)
    for pair in OCR_CONFUSABLE_PAIRS
    for x in pair
}

_EXTRA_PUNCT = frozenset("～〜·・•﹏￥°‧")


def is_punctuation(ch: str) -> bool:
    """True for one ASCII or CJK/Unicode punctuation character (。，、“”（）《》…—)."""
    if len(ch) != 1:
        return bool(ch) and all(is_punctuation(c) for c in ch)
    if ch in string.punctuation or ch in _EXTRA_PUNCT:
        return True
    return unicodedata.category(ch).startswith("P")


class _PunctSpaceTable(dict):
    """A ``str.translate`` table that deletes punctuation (:func:`is_punctuation`)
    and white space: ``{code point: None}`` for those, ``{code point: code
    point}`` for any other character; each character is decided once, when a
    text first holds it."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = None if is_punctuation(ch) or ch.isspace() else code
        self[code] = kept
        return kept


_PUNCT_SPACE = _PunctSpaceTable()


def _strip_punct(s: str) -> str:
    """*s* without its punctuation and white space characters."""
    return s.translate(_PUNCT_SPACE)


# ---------------------------------------------------------------------------
# Data classes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantSite:
    """One place of variation, as a span ``[start, end)`` of the canonical text.

    * ``readings`` -- ``{siglum: text}`` of every source at the span (``""``
      for a source that has nothing there).
    * ``type`` -- one of :data:`SITE_TYPES` (see :func:`classify`).
    * ``tie`` -- the consensus could not choose here: the best readings have
      as many votes as each other from equally authoritative sources (see
      :func:`consensus`); the canonical reading was then chosen by the
      content rule and an editor should decide.
    * ``lacunae`` -- on a ``lacuna`` site, ``{siglum: side}`` for every copy
      that lacks the span because it begins or ends inside the unit: side
      ``"begins"`` (the copy begins after the span, at *end*: "copy begins
      here"; the site starts at 0) or ``"ends"`` (the copy ends before it, at
      *start*: "copy ends here"; the site ends at the end of the unit).  Such
      a copy reads ``""`` there when it lacks the whole span.
    """

    start: int
    end: int
    readings: dict[str, str]
    type: str
    likely_ocr: bool = False
    #: (canonical char, source char) pairs of OCR-confusable characters found.
    ocr_pairs: tuple[tuple[str, str], ...] = ()
    tie: bool = False
    lacunae: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = {
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "readings": dict(self.readings),
            "likely_ocr": self.likely_ocr,
            "ocr_pairs": [list(p) for p in self.ocr_pairs],
        }
        if self.tie:
            d["tie"] = True
        if self.lacunae:
            d["lacunae"] = dict(self.lacunae)
        return d


@dataclass(frozen=True)
class Override:
    """An editor's decision at one site: "here the canonical reading is *text*".

    A site is identified by what the sources read there, not by offsets
    (offsets move whenever a source is added or the consensus changes):

    * ``readings`` -- ``{siglum: reading}`` of the site when the decision was
      made (usually every source, as in :attr:`VariantSite.readings`);
    * ``before`` / ``after`` -- a few characters of canonical text around the
      site, and ``position`` -- the site's start offset at decision time; both
      are used only to choose between several candidate sites (the same
      variant twice in one unit): best context first, then nearest position.

    ``text`` is the chosen reading: one source's reading or an emendation.
    Build one with :func:`make_override`; store it with :meth:`as_dict`.
    """

    readings: dict[str, str]
    text: str
    before: str = ""
    after: str = ""
    position: int = -1
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "readings": dict(self.readings),
            "text": self.text,
            "before": self.before,
            "after": self.after,
            "position": self.position,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Override:
        return cls(
            readings=dict(d["readings"]),
            text=d["text"],
            before=d.get("before", ""),
            after=d.get("after", ""),
            position=int(d.get("position", -1)),
            note=d.get("note", ""),
        )


@dataclass(frozen=True)
class Consensus:
    """Result of :func:`consensus`."""

    text: str
    sites: list[VariantSite]
    applied: list[Override] = field(default_factory=list)
    unapplied: list[Override] = field(default_factory=list)
    #: text chosen by majority alone, before overrides were applied
    majority_text: str = ""


ConsensusResult = Consensus  # the name used in the design notes


def new_site(
    start: int,
    end: int,
    readings: Mapping[str, str],
    type: str,
    likely_ocr: bool,
    ocr_pairs: tuple[tuple[str, str], ...],
    tie: bool,
    lacunae: dict[str, str],
) -> VariantSite:
    """``VariantSite(start, end, readings, type, likely_ocr, ocr_pairs, tie,
    lacunae)``, every field given, built without the frozen dataclass's
    ``__init__`` (which sets each field through ``object.__setattr__``) in
    about a third of its time: an import reads, and the merge engine
    rebuilds, every stored site of every unit it touches (thousands). The
    instance is the dataclass's own in every field and behaviour (equality,
    repr, :meth:`VariantSite.as_dict`); a test checks that it sets every
    field."""
    site = object.__new__(VariantSite)
    fields = site.__dict__  # in the dataclass's field order, as its __init__ sets them
    fields["start"] = start
    fields["end"] = end
    fields["readings"] = readings
    fields["type"] = type
    fields["likely_ocr"] = likely_ocr
    fields["ocr_pairs"] = ocr_pairs
    fields["tie"] = tie
    fields["lacunae"] = lacunae
    return site


def make_override(
    canonical: str, site: VariantSite, text: str, context: int = OVERRIDE_CONTEXT, note: str = ""
) -> Override:
    """Record the decision "at *site* of *canonical*, read *text*"."""
    return Override(
        readings=dict(sorted(site.readings.items())),
        text=text,
        before=canonical[max(0, site.start - context) : site.start],
        after=canonical[site.end : site.end + context],
        position=site.start,
        note=note,
    )


# ---------------------------------------------------------------------------
# Character alignment (diff)
# ---------------------------------------------------------------------------


def _myers_blocks(a: str, b: str, max_d: int) -> list[tuple[int, int, int]] | None:
    """Matching blocks ``(i, j, size)`` of a shortest edit script, or None if
    more than *max_d* edits are needed.  O((N+M)D) time."""
    n, m = len(a), len(b)
    limit = min(n + m, max_d)
    off = limit + 1
    v = [0] * (2 * limit + 3)
    trace: list[list[int]] = []
    for d in range(limit + 1):
        trace.append(v[:])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                x = v[off + k + 1]
            else:
                x = v[off + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            v[off + k] = x
            if x >= n and y >= m:
                return _myers_backtrack(trace, off, n, m, d)
    return None


def _myers_backtrack(trace, off, n, m, dmax):
    blocks = []
    x, y = n, m
    for d in range(dmax, 0, -1):
        v = trace[d]
        k = x - y
        if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
            pk = k + 1
        else:
            pk = k - 1
        px = v[off + pk]
        py = px - pk
        if pk == k + 1:  # came down: insertion of b[py]
            mx, my = px, py + 1
        else:  # came right: deletion of a[px]
            mx, my = px + 1, py
        if x > mx:
            blocks.append((mx, my, x - mx))
        x, y = px, py
    if x > 0:
        blocks.append((0, 0, x))
    blocks.reverse()
    return blocks


def _lis(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of *pairs* (sorted by i) with strictly increasing j."""
    tails: list[int] = []  # j of the last pair of the best chain of each length
    tail_idx: list[int] = []
    prev = [-1] * len(pairs)
    for idx, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(idx)
        else:
            tails[pos] = j
            tail_idx[pos] = idx
        prev[idx] = tail_idx[pos - 1] if pos else -1
    out = []
    idx = tail_idx[-1] if tail_idx else -1
    while idx >= 0:
        out.append(pairs[idx])
        idx = prev[idx]
    out.reverse()
    return out


def _anchors(a, alo, ahi, b, blo, bhi, k):
    """Chain of (i, j) where the k-gram is unique in both ranges."""
    ca = Counter([a[i : i + k] for i in range(alo, ahi - k + 1)])
    grams_b = [b[j : j + k] for j in range(blo, bhi - k + 1)]
    cb = Counter(grams_b)
    pos_b = {g: j for j, g in enumerate(grams_b, blo)}
    # sample non-overlapping k-grams of a; each match is extended afterwards
    pairs = [
        (i, pos_b[g])
        for i in range(alo, ahi - k + 1, k)
        if ca[g := a[i : i + k]] == 1 and cb.get(g) == 1
    ]
    return _lis(pairs) if pairs else []


def _common_run(a: str, i: int, b: str, j: int, limit: int) -> int:
    """Length of the common prefix of ``a[i:i + limit]`` and ``b[j:j + limit]``
    (characters), found by comparing slices -- doubling, then halving -- so
    a long equal stretch costs a few string comparisons, not a Python step a
    character."""
    lo, step = 0, 16  # a[i:i + lo] == b[j:j + lo]
    while True:
        hi = min(lo + step, limit)
        if a[i + lo : i + hi] != b[j + lo : j + hi]:
            break
        if hi == limit:
            return limit
        lo, step = hi, step * 2
    while hi - lo > 1:  # ... and a[i:i + hi] != b[j:j + hi]
        mid = (lo + hi) // 2
        if a[i + lo : i + mid] == b[j + lo : j + mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _common_tail(a: str, i: int, b: str, j: int, limit: int) -> int:
    """Length of the common suffix of ``a[i - limit:i]`` and ``b[j - limit:j]``
    (characters), as :func:`_common_run` finds a prefix."""
    lo, step = 0, 16  # a[i - lo:i] == b[j - lo:j]
    while True:
        hi = min(lo + step, limit)
        if a[i - hi : i - lo] != b[j - hi : j - lo]:
            break
        if hi == limit:
            return limit
        lo, step = hi, step * 2
    while hi - lo > 1:  # ... and a[i - hi:i] != b[j - hi:j]
        mid = (lo + hi) // 2
        if a[i - mid : i - lo] == b[j - mid : j - lo]:
            lo = mid
        else:
            hi = mid
    return lo


def _matching_blocks(a: str, b: str) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        p = _common_run(a, alo, b, blo, min(ahi - alo, bhi - blo))
        if p:
            out.append((alo, blo, p))
            alo += p
            blo += p
        s = _common_tail(a, ahi, b, bhi, min(ahi - alo, bhi - blo))
        if s:
            out.append((ahi - s, bhi - s, s))
            ahi -= s
            bhi -= s
        n, m = ahi - alo, bhi - blo
        if n == 0 or m == 0:
            continue
        chain = []
        if n + m > _SMALL_GAP:
            for k in _ANCHOR_K:
                if k <= min(n, m):
                    chain = _anchors(a, alo, ahi, b, blo, bhi, k)
                    if chain:
                        break
        if not chain:
            blocks = _myers_blocks(a[alo:ahi], b[blo:bhi], MYERS_MAX_D)
            if blocks:
                out.extend((alo + i, blo + j, size) for i, j, size in blocks)
            continue
        pa, pb = alo, blo
        for i, j in chain:
            if i < pa or j < pb:
                continue
            stack.append((pa, i, pb, j))
            e = _common_run(a, i, b, j, min(ahi - i, bhi - j))
            out.append((i, j, e))
            pa, pb = i + e, j + e
        stack.append((pa, ahi, pb, bhi))
    out.sort()
    return out


def _slide_left(ops: list[list], a: str, b: str) -> list[list]:
    """Move each pure insertion/deletion to its leftmost equivalent position."""
    t = 1
    while t < len(ops):
        op = ops[t]
        prev = ops[t - 1]
        if op[0] in ("delete", "insert") and prev[0] == "equal":
            while True:
                plen = prev[2] - prev[1]
                if plen == 0 or (plen == 1 and t - 1 > 0):
                    break
                if op[0] == "delete":
                    if a[prev[2] - 1] != a[op[2] - 1]:
                        break
                    op[1] -= 1
                    op[2] -= 1
                else:
                    if b[prev[4] - 1] != b[op[4] - 1]:
                        break
                    op[3] -= 1
                    op[4] -= 1
                prev[2] -= 1
                prev[4] -= 1
                if op[0] == "delete":
                    op[3] = op[4] = prev[4]
                else:
                    op[1] = op[2] = prev[2]
                if t + 1 < len(ops):
                    nxt = ops[t + 1]
                    nxt[1] -= 1
                    nxt[3] -= 1
                else:
                    ops.append(["equal", op[2], op[2] + 1, op[4], op[4] + 1])
            if prev[2] == prev[1]:
                del ops[t - 1]
                continue
        t += 1
    return ops


def _collapse_swaps(ops: list[list], a: str, b: str) -> list[list]:
    """``delete X, equal Y, insert X`` (or the mirror) -> ``replace XY by YX``."""
    out: list[list] = []
    t = 0
    while t < len(ops):
        if t + 2 < len(ops):
            o1, o2, o3 = ops[t], ops[t + 1], ops[t + 2]
            if (
                o2[0] == "equal"
                and 0 < o2[2] - o2[1] <= TRANSPOSE_MAX
                and {o1[0], o3[0]} == {"delete", "insert"}
            ):
                x1 = a[o1[1] : o1[2]] if o1[0] == "delete" else b[o1[3] : o1[4]]
                x3 = a[o3[1] : o3[2]] if o3[0] == "delete" else b[o3[3] : o3[4]]
                if x1 == x3 and 0 < len(x1) <= TRANSPOSE_MAX:
                    out.append(["replace", o1[1], o3[2], o1[3], o3[4]])
                    t += 3
                    continue
        out.append(ops[t])
        t += 1
    return out


def diff_opcodes(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes turning *a* (canonical) into *b* (a source).

    Tags: ``equal``, ``replace``, ``delete``, ``insert``; the opcodes cover
    both strings contiguously.  Deterministic; near-linear when the strings
    share long stretches.
    """
    if a == b:  # what the general path gives, without its work (most copies agree)
        return [("equal", 0, len(a), 0, len(b))] if a else []
    blocks = _matching_blocks(a, b)
    ops: list[list] = []
    i = j = 0
    for bi, bj, size in blocks + [(len(a), len(b), 0)]:
        if size == 0 and (bi, bj) != (len(a), len(b)):
            continue
        if i < bi or j < bj:
            tag = "replace" if i < bi and j < bj else ("delete" if i < bi else "insert")
            ops.append([tag, i, bi, j, bj])
        if size:
            if ops and ops[-1][0] == "equal" and ops[-1][2] == bi and ops[-1][4] == bj:
                ops[-1][2] += size
                ops[-1][4] += size
            else:
                ops.append(["equal", bi, bi + size, bj, bj + size])
        i, j = bi + size, bj + size
    ops = _slide_left(ops, a, b)
    ops = _collapse_swaps(ops, a, b)
    return [tuple(o) for o in ops]  # type: ignore[misc]


class _Alignment:
    """One source aligned to the canonical text; cuts readings of spans.

    ``ops`` are :func:`diff_opcodes` opcodes plus, for a copy that begins or
    ends inside the unit, ``("lacuna", i1, i2, j, j)``: canonical ``[i1, i2)``
    is text the copy does not have because it begins after it (``i1 == 0``) or
    ends before it (``i2 == len(canonical)``).  ``lacunae`` lists them as
    ``(start, end, side)`` with side ``"begins"`` (the copy begins at *end*) or
    ``"ends"`` (the copy ends at *start*).
    """

    __slots__ = ("b", "ops", "starts", "lacunae")

    def __init__(self, a: str, b: str, ops=None):
        self.b = b
        self.ops = diff_opcodes(a, b) if ops is None else ops
        self.starts = [o[1] for o in self.ops]
        self.lacunae = [
            (i1, i2, "begins" if i1 == 0 else "ends")
            for tag, i1, i2, _, _ in self.ops
            if tag == "lacuna"
        ]

    def touched(self) -> Iterable[tuple[int, int]]:
        for tag, i1, i2, _, _ in self.ops:
            if tag != "equal" and tag != "lacuna":
                yield i1, i2

    def lo(self, p: int) -> int | None:
        """Source offset of canonical offset *p*, before any insertion at *p*."""
        ops = self.ops
        k = bisect_left(self.starts, p)
        if k < len(ops) and ops[k][1] == p:
            return ops[k][3]
        if k == 0:
            return 0
        tag, i1, i2, j1, j2 = ops[k - 1]
        if tag == "equal":
            return j1 + (p - i1)
        if j1 == j2:  # inside a deletion or a lacuna: the copy has nothing there
            return j1
        return j2 if p >= i2 else None

    def hi(self, q: int) -> int | None:
        """Source offset of canonical offset *q*, after any insertion at *q*."""
        ops = self.ops
        k = bisect_right(self.starts, q) - 1
        if k < 0:
            return 0
        tag, i1, i2, j1, j2 = ops[k]
        if i1 == q:
            return j1 if tag != "insert" else j2
        if tag == "equal":
            return j1 + (q - i1)
        if j1 == j2:
            return j1
        return j2 if q >= i2 else None

    def cut(self, p: int, q: int) -> str | None:
        lo, hi = self.lo(p), self.hi(q)
        if lo is None or hi is None:
            return None
        return self.b[lo:hi]

    def lacking(self, p: int, q: int) -> str | None:
        """The side of the lacuna that ``[p, q)`` meets, or None."""
        for s, e, side in self.lacunae:
            if p < e and s < q or (p == q and s <= p <= e):
                return side
        return None


def _cost(ops) -> int:
    """Characters an alignment does not match (a replacement counts its longer side)."""
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def _occurrences(text: str, probe: str, limit: int) -> list[int]:
    out = []
    k = text.find(probe)
    while k >= 0 and len(out) < limit:
        out.append(k)
        k = text.find(probe, k + 1)
    return out


def _edge_alignment(a: str, b: str, edge: str) -> _Alignment:
    """Align a reading that may begin (``edge`` ``"start"``), end (``"end"``) or
    both (``"both"``) inside the unit: the copy covers canonical ``[p, q)``.

    Candidate edges are where the first (last) :data:`LACUNA_PROBE` characters
    of the reading occur in the canonical text (at most :data:`LACUNA_CANDIDATES`
    each), and the unit's own edges.  The candidate whose alignment leaves the
    fewest characters unmatched wins, the unit's own edges on equal cost; a
    lacuna shorter than :data:`LACUNA_MIN` characters is an omission, not a
    lacuna.
    """
    n, m = len(a), len(b)
    full = diff_opcodes(a, b)
    if not b or not full:
        return _Alignment(a, b, full)
    begins, ends = [0], [n]
    for off in (0, LACUNA_PROBE):  # a variant in the first characters: probe further in
        if edge in ("start", "both") and m >= off + LACUNA_PROBE:
            probe = b[off : off + LACUNA_PROBE]
            begins += [k - off for k in _occurrences(a, probe, LACUNA_CANDIDATES) if k >= off]
        if edge in ("end", "both") and m >= off + LACUNA_PROBE:
            probe = b[m - off - LACUNA_PROBE : m - off]
            ends += [k + LACUNA_PROBE + off for k in _occurrences(a, probe, LACUNA_CANDIDATES)]
    # an alignment that already ends (begins) with a long deletion
    if full[0][0] == "delete":
        begins.append(full[0][2])
    if full[-1][0] == "delete":
        ends.append(full[-1][1])
    best = (_cost(full), 0, 0, n, full)
    for p in sorted(set(begins)):
        if 0 < p < LACUNA_MIN:
            continue
        for q in sorted(set(ends)):
            if (p, q) == (0, n) or q - p < 1 or q > n or (0 < n - q < LACUNA_MIN):
                continue
            inner = diff_opcodes(a[p:q], b)
            cost = _cost(inner)
            if (cost, p + n - q) < best[:2]:
                best = (cost, p + n - q, p, q, inner)
    _, _, p, q, inner = best
    if (p, q) == (0, n):
        return _Alignment(a, b, full)
    ops = [("lacuna", 0, p, 0, 0)] if p else []
    ops += [(tag, i1 + p, i2 + p, j1, j2) for tag, i1, i2, j1, j2 in inner]
    if q < n:
        ops.append(("lacuna", q, n, m, m))
    return _Alignment(a, b, ops)


class AlignmentCache:
    """Alignments of readings to the texts a unit was collated against, kept
    between collations, so that a new copy costs one alignment, not N.

    An alignment is a pure function of (base text, reading text, edge), so a
    collation with a cache gives exactly the result of one without.  Keys are
    digests: ``{"bases": {digest(base): {edge + ":" + digest(reading): ops}}}``
    is the JSON form (:meth:`as_json`), ``ops`` as :func:`diff_opcodes` gives
    them (lists of ``[tag, i1, i2, j1, j2]``, canonical and reading offsets in
    characters).  :meth:`as_json` keeps only the entries the last collation
    used (its bases and its readings), so the cache of a unit holds at most a
    few bases × its distinct readings.
    """

    def __init__(self, data: Mapping | None = None):
        bases = (data or {}).get("bases") or {}
        self._bases: dict[str, dict[str, list]] = {
            b: dict(entries) for b, entries in bases.items() if isinstance(entries, Mapping)
        }
        self._used: dict[str, dict[str, list]] = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()

    def get(self, base: str, text: str, edge: str) -> list | None:
        b, key = self.digest(base), f"{edge}:{self.digest(text)}"
        ops = self._bases.get(b, {}).get(key)
        if ops is None:
            return None
        self.hits += 1
        self._used.setdefault(b, {})[key] = ops
        return [tuple(o) for o in ops]

    def put(self, base: str, text: str, edge: str, ops: list) -> None:
        self.misses += 1
        b, key = self.digest(base), f"{edge}:{self.digest(text)}"
        entry = [list(o) for o in ops]
        self._bases.setdefault(b, {})[key] = entry
        self._used.setdefault(b, {})[key] = entry

    def as_json(self) -> dict:
        """The entries the collations since loading used (see the class docstring)."""
        return {"bases": self._used}


def _align_all(
    canonical: str,
    readings: Mapping[str, str],
    edges: Mapping[str, str] | None = None,
    cache: AlignmentCache | None = None,
) -> dict[str, _Alignment]:
    by_text: dict[tuple[str, str], _Alignment] = {}
    out = {}
    for sig in sorted(readings):
        text = readings[sig]
        edge = (edges or {}).get(sig, "")
        if (text, edge) not in by_text:
            ops = cache.get(canonical, text, edge) if cache is not None else None
            if ops is not None:
                by_text[text, edge] = _Alignment(canonical, text, ops)
            else:
                if edge:
                    al = _edge_alignment(canonical, text, edge)
                else:
                    al = _Alignment(canonical, text)
                if cache is not None:
                    cache.put(canonical, text, edge, al.ops)
                by_text[text, edge] = al
        out[sig] = by_text[text, edge]
    return out


# ---------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------


def ocr_pairs(canonical_reading: str, reading: str) -> tuple[tuple[str, str], ...] | None:
    """The confusable pairs if *reading* differs from *canonical_reading* only
    by OCR-confusable characters (same length), else None."""
    if len(reading) != len(canonical_reading) or reading == canonical_reading:
        return None
    pairs = []
    for x, y in zip(canonical_reading, reading, strict=True):
        if x != y:
            if y not in _CONFUSABLE_WITH.get(x, ()):
                return None
            pairs.append((x, y))
    return tuple(pairs)


def _is_swap(c: str, r: str) -> bool:
    """Is *r* another order of the characters of *c* (two or more)?"""
    return len(c) >= 2 and r != c and len(r) == len(c) and sorted(r) == sorted(c)


def classify(canonical_reading: str, readings: Mapping[str, str], lacuna: bool = False) -> str:
    """Type of a site, looking at the readings that differ from the canonical one.

    Precedence (first rule that holds wins):

    0. ``lacuna`` -- *lacuna* is true: some copy lacks the span because it
       begins or ends inside the unit (decided by the alignment, see
       :func:`collate`, not by the readings).
    1. ``punctuation`` -- every differing reading equals the canonical reading
       once punctuation (and white space) is removed from both (``、`` vs ``，``,
       a dropped ``，``).
    2. ``transposition`` -- every differing reading is a permutation of the
       canonical reading (same multiset of characters): ``安全健康`` vs
       ``健康安全``, two swapped phrases or sentences.
    3. ``addition`` -- the canonical span is empty (sources add text there).
    4. ``omission`` -- every differing reading is the empty string.
    5. ``substitution`` -- anything else (including mixed sites).
    """
    if lacuna:
        return "lacuna"
    c = canonical_reading
    # Each distinct differing reading once: the rules depend on its text alone.
    diff = set(readings.values())
    diff.discard(c)
    if not diff:
        return "substitution"
    stripped = _strip_punct(c)
    if all(_strip_punct(r) == stripped for r in diff):
        return "punctuation"
    if all(_is_swap(c, r) for r in diff):
        return "transposition"
    if c == "":
        return "addition"
    if all(r == "" for r in diff):
        return "omission"
    return "substitution"


def _make_site(
    canonical: str,
    start: int,
    end: int,
    readings: dict[str, str],
    lacunae: dict[str, str] | None = None,
    tie: bool = False,
) -> VariantSite:
    """Type the site and look for OCR confusions.

    ``likely_ocr`` is set on a substitution site when some source's reading
    differs from the canonical reading -- or from another source's reading,
    since the consensus may have gone a third way (巾帼 / 中帼 under a
    canonical 中高级) -- only by OCR-confusable characters
    (:data:`OCR_CONFUSABLE_GROUPS`).  ``ocr_pairs`` lists the pairs found,
    canonical character first when the canonical reading is involved.
    """
    c = canonical[start:end]
    typ = classify(c, readings, bool(lacunae))
    found: set[tuple[str, str]] = set()
    if typ == "substitution":
        others = sorted(set(readings.values()) - {c})
        for k, x in enumerate([c] + others):
            if _CONFUSABLE_WITH.keys().isdisjoint(x):
                continue  # no character of x is confusable: no reading differs from it by such
            for y in others[k:]:
                pairs = ocr_pairs(x, y)
                if pairs:
                    found.update(pairs)
    return new_site(
        start,
        end,
        readings,
        typ,
        bool(found),
        tuple(sorted(found)),
        tie,
        dict(sorted(lacunae.items())) if lacunae else {},
    )


def _merge(intervals: list[tuple[int, int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for s, e in sorted(intervals):
        if merged and s - merged[-1][1] < MERGE_GAP:
            if e > merged[-1][1]:
                merged[-1][1] = e
        else:
            merged.append([s, e])
    return merged


def _cut_all(aligns: Mapping[str, _Alignment], sigla: list[str], p: int, q: int) -> dict[str, str]:
    out = {}
    for sig in sigla:
        r = aligns[sig].cut(p, q)
        if r is None:  # cannot happen at site boundaries; guard anyway
            raise AssertionError(f"site boundary {p}-{q} inside a difference of {sig}")
        out[sig] = r
    return out


class _Cuts:
    """Every source's reading of canonical spans, in time proportional to the
    sources that differ near the span (not to all of them).

    A source none of whose differences (non-equal opcodes, as canonical
    intervals) meets or touches ``[p, q]``, and that has no lacuna, is aligned
    by equal opcodes over the whole span, so it reads ``canonical[p:q]``
    exactly; only the others are cut through their alignments. Sources with
    the same text share one alignment (see :func:`_align_all`) and are cut once.
    The result equals :func:`_cut_all`'s.
    """

    __slots__ = ("canonical", "sigla", "groups", "starts", "intervals", "longest", "always")

    def __init__(self, canonical: str, aligns: Mapping[str, _Alignment], sigla: list[str]):
        self.canonical = canonical
        self.sigla = sigla
        groups: dict[int, tuple[_Alignment, list[str]]] = {}
        for sig in sigla:
            groups.setdefault(id(aligns[sig]), (aligns[sig], []))[1].append(sig)
        self.groups = list(groups.values())
        intervals = sorted(
            (a, b, k) for k, (al, _) in enumerate(self.groups) for a, b in al.touched()
        )
        self.intervals = intervals
        self.starts = [a for a, _, _ in intervals]
        self.longest = max((b - a for a, b, _ in intervals), default=0)
        self.always = [k for k, (al, _) in enumerate(self.groups) if al.lacunae]

    def involved(self, p: int, q: int) -> list[int]:
        """Groups with a difference meeting or touching ``[p, q]`` (or a lacuna)."""
        out = set(self.always)
        intervals = self.intervals
        for i in range(bisect_left(self.starts, p - self.longest), bisect_right(self.starts, q)):
            a, b, k = intervals[i]
            if b >= p:
                out.add(k)
        return sorted(out)

    def cut(self, k: int, p: int, q: int) -> str:
        al, sigla = self.groups[k]
        r = al.cut(p, q)
        if r is None:  # cannot happen at site boundaries; guard anyway
            raise AssertionError(f"site boundary {p}-{q} inside a difference of {sigla[0]}")
        return r

    def all(self, p: int, q: int) -> dict[str, str]:
        """``{siglum: reading of [p, q)}`` for every source, as :func:`_cut_all`."""
        c = self.canonical[p:q]
        out = dict.fromkeys(self.sigla, c)
        for k in self.involved(p, q):
            r = self.cut(k, p, q)
            if r != c:
                for sig in self.groups[k][1]:
                    out[sig] = r
        return out


def _snap(canonical: str, spans: list[list[int]], cuts: _Cuts) -> list[list[int]]:
    """Step 4: widen sites over a neighbour character that recurs in them."""
    n = len(canonical)
    out = []
    for idx, (s, e) in enumerate(spans):
        lo_lim = spans[idx - 1][1] if idx else 0
        hi_lim = spans[idx + 1][0] if idx + 1 < len(spans) else n
        out.append(list(_snap_span(canonical, s, e, cuts.all(s, e), lo_lim, hi_lim)))
    return _merge([(s, e) for s, e in out])


def _snap_span(
    canonical: str, s: int, e: int, reads: Mapping[str, str], lo_lim: int, hi_lim: int
) -> tuple[int, int]:
    """Step 4 for one site ``[s, e)`` whose readings are *reads*: widened by at
    most :data:`WORD_SNAP_MAX` characters a side, within ``[lo_lim, hi_lim]``,
    over neighbours that recur in the canonical span or a differing reading.
    Sites with an empty reading (omissions, additions) stay as they are."""
    c = canonical[s:e]
    distinct = set(reads.values())  # order and repeats do not matter to `in pool`
    if c and "" not in distinct:
        pool = c + "".join(distinct)
        for _ in range(WORD_SNAP_MAX):
            if s > lo_lim and _wordish(canonical[s - 1]) and canonical[s - 1] in pool:
                s -= 1
            else:
                break
        for _ in range(WORD_SNAP_MAX):
            if e < hi_lim and _wordish(canonical[e]) and canonical[e] in pool:
                e += 1
            else:
                break
    return s, e


def _straddling_words(text: str, at: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """For each position p between two characters, the shortest word of the
    text that straddles it (starts before p, ends after p), as (start, end);
    with *at*, for those positions only (the same words there: the text is
    segmented whole either way).

    Words come from jieba's search mode (横向, 发展 and 横向发展), so the
    finest word wins (the first of the shortest, in jieba's order).
    """
    best: dict[int, tuple[int, int]] = {}
    words = rjieba.tokenize(text, mode="search")
    if at is not None:
        wanted = set(at)
        for _, a, b in words:
            if b - a > 1:
                for p in wanted:
                    if a < p < b and (p not in best or b - a < best[p][1] - best[p][0]):
                        best[p] = (a, b)
        return best
    for _, a, b in words:
        for p in range(a + 1, b):
            if p not in best or b - a < best[p][1] - best[p][0]:
                best[p] = (a, b)
    return best


def _snap_to_words(canonical: str, spans: list[list[int]], cuts: _Cuts) -> list[list[int]]:
    """Step 5: a site inside a word grows to the whole word, as a reader sees it.

    Only sites whose every reading is non-empty (a changed word, not an
    omission or an addition) grow, by at most :data:`WORD_SNAP_MAX` characters
    a side, to the shortest word of the canonical text (jieba) that straddles
    their edge: ``横 / 纵`` becomes ``横向 / 纵向``. Growing over text every
    source shares keeps every reading exact.
    """
    if not spans:
        return spans
    words = None
    n = len(canonical)
    out: list[list[int]] = []
    for idx, (s, e) in enumerate(spans):
        if e > s and all(cuts.all(s, e).values()):
            if words is None:
                words = _straddling_words(canonical)
            lo_lim = out[-1][1] if out else 0
            hi_lim = spans[idx + 1][0] if idx + 1 < len(spans) else n
            s, e = _word_span(words, s, e, lo_lim, hi_lim)
        out.append([s, e])
    return _merge([(s, e) for s, e in out])


def _word_span(
    words: Mapping[int, tuple[int, int]], s: int, e: int, lo_lim: int, hi_lim: int
) -> tuple[int, int]:
    """Step 5 for one site ``[s, e)`` (all readings non-empty): each edge that
    falls inside a word (*words*, from :func:`_straddling_words`) moves to
    that word's edge when it is at most :data:`WORD_SNAP_MAX` characters away
    and within ``[lo_lim, hi_lim]``."""
    left, right = words.get(s), words.get(e)
    if left and s - left[0] <= WORD_SNAP_MAX and left[0] >= lo_lim:
        s = left[0]
    if right and right[1] - e <= WORD_SNAP_MAX and right[1] <= hi_lim:
        e = right[1]
    return s, e


def _wordish(ch: str) -> bool:
    return not (is_punctuation(ch) or ch.isspace())


def _swapped(c: str, r: str) -> bool:
    """Is *r* the canonical span *c* with two pieces swapped around a middle,
    ``L X M Y R`` -> ``L Y M X R`` (X, Y non-empty; M, L, R possibly empty)?"""
    if len(c) != len(r) or c == r or Counter(c) != Counter(r):
        return False
    p = common_prefix(c, r)
    s = common_suffix(c, r)
    # the common edges may belong to X or Y (精神 ends both phrases of
    # 劳动精神、工匠精神): try giving back up to 4 characters on each side
    for pl in range(min(p, 4), -1, -1):
        for sl in range(min(s, 4), -1, -1):
            lo, hi = p - pl, len(c) - s + sl
            if hi - lo < 2:
                continue
            cc, rr = c[lo:hi], r[lo:hi]
            n = len(cc)
            heads = [k for k in range(1, n) if cc[:k] == rr[n - k :]]
            if not heads:
                continue
            tails = [k for k in range(1, n) if cc[n - k :] == rr[:k]]
            for lx in heads:
                for ly in tails:
                    if lx + ly <= n and cc[lx : n - ly] == rr[ly : n - lx]:
                        return True
    return False


def _join_swaps(
    canonical: str, spans: list[list[int]], aligns, cuts: _Cuts | None = None
) -> list[list[int]]:
    """Join a run of neighbouring sites into one when a source's reading over
    the run is the canonical span with two phrases or sentences swapped.

    The aligner sees ``劳动精神、工匠精神 / 工匠精神、劳动精神`` as two
    substitutions (劳动/工匠 and 工匠/劳动), and two swapped sentences as an
    omission and an addition; taken together the run is balanced (the source
    has the same characters as the canonical text) and :func:`_swapped` holds.
    Runs are found in linear time per source: a running signed character
    count (hashed) is equal before and after a balanced run.  A run spans at
    most :data:`TRANSPOSE_SITES` sites and :data:`TRANSPOSE_SPAN` characters.
    """
    n = len(spans)
    if n < 2:
        return spans
    joins: list[tuple[int, int]] = []  # (first, last) site index of a run
    if cuts is not None:
        _join_swaps_sparse(canonical, spans, cuts, joins)
    for al in {id(a): a for a in aligns.values()}.values() if cuts is None else ():
        if al.lacunae:
            continue
        acc = 0
        prefix = [0]
        for s, e in spans:
            r = al.cut(s, e) or ""
            c = canonical[s:e]
            if r != c:
                for ch in r:
                    acc += hash(ch)
                for ch in c:
                    acc -= hash(ch)
            prefix.append(acc)
        last: dict[int, int] = {}
        nxt = [0] * (n + 1)
        for k in range(n, -1, -1):
            nxt[k] = last.get(prefix[k], -1)
            last[prefix[k]] = k
        for i in range(n):
            if prefix[i + 1] == prefix[i]:
                continue  # this site alone is balanced
            m = nxt[i]
            if m < 0 or m - i > TRANSPOSE_SITES:
                continue
            p, q = spans[i][0], spans[m - 1][1]
            if q - p > TRANSPOSE_SPAN:
                continue
            r = al.cut(p, q)
            if r is not None and _swapped(canonical[p:q], r):
                joins.append((i, m - 1))
    if not joins:
        return spans
    joins.sort()
    end_of = list(range(n))  # the last site index each site is joined up to
    for i, j in joins:
        end_of[i] = max(end_of[i], j)
    out: list[list[int]] = []
    i = 0
    while i < n:
        j = end_of[i]
        k = i
        while k <= j:  # runs that overlap join
            j = max(j, end_of[k])
            k += 1
        out.append([spans[i][0], spans[j][1]])
        i = j + 1
    return out


def _join_swaps_sparse(
    canonical: str, spans: list[list[int]], cuts: _Cuts, joins: list[tuple[int, int]]
) -> None:
    """:func:`_join_swaps`' runs, found from the sites where each source differs
    (``cuts``) rather than from all sites: the running count changes only
    there, so the same runs are found, in time proportional to the differences."""
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    where: dict[int, set[int]] = {}  # group -> indexes of the spans its differences meet
    for a, b, k in cuts.intervals:
        lo = max(bisect_left(ends, a) - 1, 0)
        for i in range(lo, min(bisect_right(starts, b) + 1, len(spans))):
            if starts[i] <= b and a <= ends[i]:
                where.setdefault(k, set()).add(i)
    for k, indexes in where.items():
        al = cuts.groups[k][0]
        if al.lacunae:
            continue
        deltas = []  # (span index, change of the running count), non-zero only
        for i in sorted(indexes):
            s, e = spans[i]
            r = al.cut(s, e) or ""
            c = canonical[s:e]
            if r != c:
                d = 0
                for ch in r:
                    d += hash(ch)
                for ch in c:
                    d -= hash(ch)
                if d:
                    deltas.append((i, d))
        # values[t]: the running count before deltas[t] (after all of them at the end)
        values = [0]
        for _, d in deltas:
            values.append(values[-1] + d)
        for t, (i, _) in enumerate(deltas):
            m = -1
            for u in range(t + 1, len(deltas) + 1):
                candidate = deltas[u - 1][0] + 1
                if candidate - i > TRANSPOSE_SITES:
                    break
                if values[u] == values[t]:
                    m = candidate
                    break
            if m < 0:
                continue
            p, q = spans[i][0], spans[m - 1][1]
            if q - p > TRANSPOSE_SPAN:
                continue
            r = al.cut(p, q)
            if r is not None and _swapped(canonical[p:q], r):
                joins.append((i, m - 1))


class _Collation:
    """Readings aligned to a canonical text and cut into site spans.

    ``spans`` are the places where sources differ (steps 1-5 of the module
    docstring, then swapped phrases joined); they are what the consensus votes
    on.  :meth:`sites` then makes each lacuna (the text a copy lacks because
    it begins or ends inside the unit) one site of type ``lacuna``, absorbing
    the spans it overlaps.
    """

    def __init__(
        self,
        canonical: str,
        readings: Mapping[str, str],
        edges: Mapping[str, str] | None,
        cache: AlignmentCache | None = None,
    ):
        self.canonical = canonical
        self.sigla = sorted(readings)
        self._cuts: dict[tuple[int, int], dict[str, str]] = {}
        self.aligns = _align_all(canonical, readings, edges, cache)
        intervals = []
        unique = {id(a): a for a in self.aligns.values()}.values()
        for al in unique:
            intervals.extend(al.touched())
        self.lacunose = {sig: al for sig, al in self.aligns.items() if al.lacunae}
        spans: list[list[int]] = []
        self._all = cuts = _Cuts(canonical, self.aligns, self.sigla)
        if intervals:
            spans = _snap(canonical, _merge(intervals), cuts)
            spans = _snap_to_words(canonical, spans, cuts)
            spans = _join_swaps(canonical, spans, self.aligns, cuts)
        self.spans = spans

    def readings(self, p: int, q: int) -> dict[str, str]:
        got = self._cuts.get((p, q))
        if got is None:
            got = self._cuts[p, q] = self._all.all(p, q)
        return got

    def lacking(self, p: int, q: int) -> dict[str, str]:
        """``{siglum: side}`` of the copies with a lacuna that ``[p, q)`` meets."""
        if not self.lacunose:
            return {}
        out = {}
        for sig, al in self.lacunose.items():
            side = al.lacking(p, q)
            if side:
                out[sig] = side
        return out

    def vote_spans(self) -> list[tuple[int, int, dict[str, str], dict[str, str]]]:
        """``(start, end, readings, lacking)`` of every span voted on."""
        return [(s, e, self.readings(s, e), self.lacking(s, e)) for s, e in self.spans]

    def display_spans(self) -> list[tuple[int, int, bool]]:
        """Site spans with each lacuna made one site: ``(start, end, is_lacuna)``."""
        if not self.lacunose:
            return [(s, e, False) for s, e in self.spans]
        marks = [(s, e, False) for s, e in self.spans]
        for al in {id(a): a for a in self.lacunose.values()}.values():
            marks.extend((s, e, True) for s, e, _ in al.lacunae)
        out: list[list] = []
        for s, e, lac in sorted(marks):
            if out and (s < out[-1][1] or (s == out[-1][1] and (lac or out[-1][2]))):
                out[-1][1] = max(out[-1][1], e)
                out[-1][2] = out[-1][2] or lac
            else:
                out.append([s, e, lac])
        return [(s, e, lac) for s, e, lac in out]

    def sites(self, ties: list[tuple[int, int]] | None = None) -> list[VariantSite]:
        """The variant sites; *ties* are vote spans the consensus could not decide."""
        out = []
        ties = ties or []
        for s, e, lac in self.display_spans():
            tie = bool(ties) and any(_spans_clash((s, e), t) for t in ties)
            lacunae = self.lacking(s, e) if lac else None
            out.append(_make_site(self.canonical, s, e, self.readings(s, e), lacunae, tie))
        return out


def _sites(
    canonical: str, readings: Mapping[str, str], edges: Mapping[str, str] | None = None
) -> tuple[list[VariantSite], dict[str, _Alignment]]:
    col = _Collation(canonical, readings, edges)
    return col.sites(), col.aligns


def collate(
    canonical: str, readings: Mapping[str, str], edges: Mapping[str, str] | None = None
) -> list[VariantSite]:
    """Variant sites of *readings* against *canonical*, sorted, non-overlapping.

    *edges* (optional) ``{siglum: "start" | "end" | "both"}`` names the
    readings that are the first (``"start"``), last (``"end"``) or only
    (``"both"``) reading of their copy: such a copy may begin or end inside
    this unit, and the text it lacks there becomes a ``lacuna`` site (see
    :class:`VariantSite`), not an omission.

    Every site holds the reading of every source; ``apply(canonical, sites,
    sig)`` rebuilds ``readings[sig]`` exactly.  A single source identical to
    the canonical text gives no sites.  Lacuna sites may touch a neighbouring
    site; other sites never touch.
    """
    return _sites(canonical, readings, edges)[0]


def apply(canonical: str, sites: Iterable[VariantSite], siglum: str) -> str:
    """Rebuild the text of *siglum* from the canonical text and the sites.

    At a site that lacks *siglum* the canonical span is kept.
    """
    out = []
    pos = 0
    for s in sorted(sites, key=lambda x: (x.start, x.end)):
        out.append(canonical[pos : s.start])
        out.append(s.readings.get(siglum, canonical[s.start : s.end]))
        pos = s.end
    out.append(canonical[pos:])
    return "".join(out)


# ---------------------------------------------------------------------------
# Consensus
# ---------------------------------------------------------------------------

#: The rank key of a source nobody ranked: after every ranked one.
_UNRANKED = (1,)


def rank_keys(
    sigla: Iterable[str], priority: Sequence[str] | Mapping[str, object] | None = None
) -> dict[str, tuple]:
    """``{siglum: key}``: lower keys are more authoritative, equal keys equally so.

    *priority* is either a mapping ``{siglum: key}`` (any comparable values,
    e.g. ``(kind rank, date, editor priority)`` from the database), or a
    sequence of sigla, best first (each its own rank).  A siglum it does not
    name ranks after every named one, equal with the other unnamed ones: a
    siglum itself never breaks a tie.
    """
    if priority is None:
        return dict.fromkeys(sigla, _UNRANKED)
    if not isinstance(priority, Mapping):
        order: dict[str, int] = {}
        for s in priority:
            order.setdefault(s, len(order))
        priority = order
    return {s: ((0, priority[s]) if s in priority else _UNRANKED) for s in sigla}


def rank_sigla(
    sigla: Iterable[str], priority: Sequence[str] | Mapping[str, object] | None = None
) -> list[str]:
    """Sigla most authoritative first, for display (equal ranks by siglum).

    Never used to break a tie: see :func:`consensus`."""
    keys = rank_keys(sigla, priority)
    return sorted(keys, key=lambda s: (keys[s], s))


def _content_key(r: str) -> tuple:
    """Last resort between equally supported readings: the longer one (an
    omission never wins a tie), then the smaller in code-point order.  Depends
    on the text alone, so never on sigla or import order."""
    return (-len(r), r)


def _vote(
    readings: Mapping[str, str],
    lacking: Mapping[str, str],
    voters: frozenset[str],
    keys: Mapping[str, tuple],
    current: str,
) -> tuple[str, bool]:
    """The reading chosen at one span, and whether it was a tie.

    The votes are those of *voters* that do not lack the span (a lacuna never
    votes); when none is left, every copy that does not lack it votes; when
    none is left either, *current* stays.  Readings are ranked by votes, then
    by their supporters' rank keys compared best first (an official copy
    outranks a newspaper, an earlier publication a later one, ...).  Readings
    still equal are a tie, and the site is marked ``tie`` for an editor: the
    reading of the text voted on (*current*) stays if it is one of them, so
    that two copies tying throughout a unit give one copy's text, not a
    mixture; otherwise the one nearest to all the voters' readings (fewest
    differing characters in total, by votes) is taken, then
    :func:`_content_key`.
    """
    present = [s for s in readings if s not in lacking] if lacking else list(readings)
    voting = [s for s in present if s in voters] or present
    if not voting:
        return current, False
    support: dict[str, list] = {}  # reading -> its voters' rank keys, in voting order
    for s in voting:
        r = readings[s]
        ks = support.get(r)
        if ks is None:
            support[r] = [keys[s]]
        else:
            ks.append(keys[s])
    if len(support) == 1:  # every voter reads alike
        return next(iter(support)), False
    first = keys[voting[0]]
    if all(keys[s] == first for s in voting):
        # Equally authoritative voters (the usual case): the votes alone rank
        # the readings (the order of the tied ones does not matter below).
        most = max(map(len, support.values()))
        tied = [r for r, ks in support.items() if len(ks) == most]
    else:
        ranked = sorted((-len(ks), sorted(ks), r) for r, ks in support.items())
        best = ranked[0]
        tied = [x[2] for x in ranked if x[:2] == best[:2]]
    if len(tied) == 1:
        return tied[0], False
    if current in tied:
        # The reading of the text voted on stays: the rounds start from one
        # copy's whole reading (_base), so a unit where two copies tie
        # throughout reads as one of them, not a mixture no copy has.
        return current, True

    # Still equal: the reading nearest to the voters' readings (fewest
    # characters differing, in total), then the content alone.
    def spread(r: str) -> int:
        return sum(len(ks) * _cost(diff_opcodes(r, x)) for x, ks in support.items() if x != r)

    return min(tied, key=lambda r: (spread(r), _content_key(r))), True


def _majority_text(
    col: _Collation, voters: frozenset[str], keys: Mapping[str, tuple]
) -> tuple[str, list[tuple[int, int]]]:
    """The text chosen span by span, and the spans that were ties."""
    base = col.canonical
    out = []
    ties = []
    pos = 0
    for s, e, reads, lacking in col.vote_spans():
        out.append(base[pos:s])
        chosen, tie = _vote(reads, lacking, voters, keys, base[s:e])
        out.append(chosen)
        if tie:
            ties.append((s, e))
        pos = e
    out.append(base[pos:])
    return "".join(out), ties


def consensus(
    readings: Mapping[str, str],
    priority: Sequence[str] | Mapping[str, object] | None = None,
    overrides: Iterable[Override | Mapping] | None = None,
    *,
    voters: Iterable[str] | None = None,
    edges: Mapping[str, str] | None = None,
    cache: AlignmentCache | None = None,
) -> Consensus:
    """The canonical text by consensus, collated against its sources.

    *readings* ``{siglum: text}``; *priority* ranks the sources (see
    :func:`rank_keys`: a mapping of rank keys, or sigla best first);
    *voters* the sigla whose readings vote (default: all; a derived copy, made
    from another copy, is collated and shown but does not vote); *edges* the
    readings with which a copy may begin or end (see :func:`collate`);
    *cache* (an :class:`AlignmentCache`, optional) the alignments kept from
    the unit's last collation: only readings it lacks are aligned, and the
    result is the same as without it.

    1. Base: a voter's reading, preferring one that is not at a copy's edge,
       then the reading most voters hold, then the most authoritative voter's,
       then :func:`_content_key` (:func:`_base`).
    2. Collate the sources against the base; at every site take the reading
       held by most voters (:func:`_vote`: then the best-ranked supporters,
       then the content; a copy's lacuna never votes); rebuild.  Repeat
       against the result until it no longer changes (at most
       :data:`MAX_CONSENSUS_ROUNDS` rounds).  Nothing here depends on the
       sigla or on the order of *readings*: the same sources under other
       sigla give the same text and sites.
    3. Apply the editors' *overrides* (see :class:`Override`): each is matched
       to the site whose sources still read what they read when the decision
       was made; the canonical span there becomes ``override.text``.  An
       override that matches no site is returned in ``unapplied``, never
       dropped.  When two overrides claim overlapping
       spans the later one in the list wins and the earlier is unapplied.
    4. Collate the sources against the final text; a site is marked ``tie``
       when it meets a span where the vote was a tie.
    """
    ovs = [o if isinstance(o, Override) else Override.from_dict(o) for o in (overrides or [])]
    if not readings:
        return Consensus(text="", sites=[], applied=[], unapplied=list(ovs), majority_text="")
    edges = {s: e for s, e in (edges or {}).items() if s in readings and e}
    keys = rank_keys(readings, priority)
    vote = frozenset(readings if voters is None else set(voters) & set(readings))
    if not vote:
        vote = frozenset(readings)
    text = readings[_base(vote, readings, edges, keys)]
    seen = {text}
    col: _Collation | None = None
    ties: list[tuple[int, int]] = []
    for _ in range(MAX_CONSENSUS_ROUNDS):
        round_col = _Collation(text, readings, edges, cache)
        new, ties = _majority_text(round_col, vote, keys)
        if new == text:
            col = round_col  # already collated against the final text
            break
        if new in seen:  # oscillation: settle deterministically
            text = min(new, text)
            break
        seen.add(new)
        text = new
    majority = text

    applied: list[Override] = []
    unapplied: list[Override] = []
    if ovs:
        text, applied, unapplied = _apply_overrides(majority, readings, ovs, edges)
    if col is None or text != majority:
        col = _Collation(text, readings, edges, cache)
        _, ties = _majority_text(col, vote, keys)
    sites = col.sites(ties)
    return Consensus(
        text=text, sites=sites, applied=applied, unapplied=unapplied, majority_text=majority
    )


def _base(
    vote: frozenset[str],
    readings: Mapping[str, str],
    edges: Mapping[str, str],
    keys: Mapping[str, tuple],
) -> str:
    """The siglum whose reading the consensus rounds start from (:func:`consensus`,
    step 1): a voter not at its copy's edge before one that is, then the
    reading most voters hold, then the most authoritative, then
    :func:`_content_key`. Depends on the readings and the keys alone."""
    sigla = list(vote)
    texts = [readings[s] for s in sigla]
    held = _votes(texts)
    if _alike(vote, edges, keys):
        # The rank is the reading's votes alone: the first voter of the best reading.
        return sigla[texts.index(_most_held(held))]
    # The voters of the best rank, in the order of *vote*, each rank computed
    # once; the content key only among them (the same first minimum results
    # as min() over the full key).
    best: tuple | None = None
    chosen: list[str] = []
    for s, r in zip(sigla, texts, strict=True):
        rank = (s in edges, -held[r], keys[s])
        if best is None or rank < best:
            best, chosen = rank, [s]
        elif rank == best:
            chosen.append(s)
    return min(chosen, key=lambda s: _content_key(readings[s]))


def _votes(texts: Iterable[str]) -> dict[str, int]:
    """``{reading: how many of texts}``."""
    held: dict[str, int] = {}
    for r in texts:
        held[r] = held.get(r, 0) + 1
    return held


def _alike(vote: frozenset[str], edges: Mapping[str, str], keys: Mapping[str, tuple]) -> bool:
    """Are the voters *vote* alike to :func:`_base` (none at its copy's edge,
    all equally authoritative: the usual case)? Then only votes rank readings."""
    if not vote or not vote.isdisjoint(edges):
        return False
    first = keys[next(iter(vote))]
    return all(keys[s] == first for s in vote)


def _most_held(held: Mapping[str, int]) -> str:
    """:func:`_base`'s reading among voters :func:`_alike`, from ``{reading:
    votes}``: the most held, then :func:`_content_key`."""
    top = max(held.values())
    # min() by _content_key, the key built inline: (-len(r), r), unique a reading
    return min((-len(r), r) for r, votes in held.items() if votes == top)[1]


def common_suffix(x: str, y: str) -> int:
    """Length of the longest common suffix of x and y."""
    n = 0
    while n < len(x) and n < len(y) and x[-1 - n] == y[-1 - n]:
        n += 1
    return n


def common_prefix(x: str, y: str) -> int:
    """Length of the longest common prefix of x and y."""
    n = 0
    while n < len(x) and n < len(y) and x[n] == y[n]:
        n += 1
    return n


#: An override may match a run of up to this many neighbouring sites (the
#: decision was taken on a site that has since split in two or three).
_MAX_RUN = 3


def _override_span(
    o: Override, text: str, readings: Mapping[str, str], cache: dict, edges: Mapping[str, str]
) -> tuple[int, int] | None:
    common = tuple(sorted(set(o.readings) & set(readings)))
    if not common:
        return None
    if common not in cache:
        sub = {s: readings[s] for s in common}
        cache[common] = _sites(text, sub, {k: v for k, v in edges.items() if k in sub})
    sites, aligns = cache[common]
    target = {s: o.readings[s] for s in common}
    probe = common[0]
    n = len(text)
    candidates: set[tuple[int, int]] = set()
    for i in range(len(sites)):
        lo_lim = sites[i - 1].end if i else 0
        for run in range(1, _MAX_RUN + 1):
            if i + run > len(sites):
                break
            p, q = sites[i].start, sites[i + run - 1].end
            hi_lim = sites[i + run].start if i + run < len(sites) else n
            cur = aligns[probe].cut(p, q)
            want = target[probe]
            if cur is None or len(cur) > len(want):
                break
            # the override's span may also reach over equal text on either side
            off = want.find(cur)
            while off >= 0:
                p2, q2 = p - off, q + (len(want) - off - len(cur))
                if lo_lim <= p2 and q2 <= hi_lim:
                    got = {s: aligns[s].cut(p2, q2) for s in common}
                    if got == target:
                        candidates.add((p2, q2))
                off = want.find(cur, off + 1)
    if not candidates:
        return None

    def score(span):
        p, q = span
        return common_suffix(text[:p], o.before) + common_prefix(text[q:], o.after)

    def rank(span):
        far = abs(span[0] - o.position) if o.position >= 0 else 0
        return (-score(span), far, span)

    return min(candidates, key=rank)


def _spans_clash(x: tuple[int, int], y: tuple[int, int]) -> bool:
    """Do two canonical spans (possibly empty insertion points) overlap?"""
    (a, b), (c, d) = x, y
    if a < d and c < b:
        return True
    if a == b:
        return c <= a <= d
    if c == d:
        return a <= c <= b
    return False


def _apply_overrides(
    text: str, readings: Mapping[str, str], ovs: list[Override], edges: Mapping[str, str]
):
    cache: dict = {}
    claims: list[tuple[int, int, int]] = []  # (start, end, index in ovs)
    unapplied_idx: set[int] = set()
    for idx, o in enumerate(ovs):
        span = _override_span(o, text, readings, cache, edges)
        if span is None:
            unapplied_idx.add(idx)
            continue
        p, q = span
        # later decisions win over earlier ones that claim an overlapping span
        keep = []
        for c in claims:
            overlap = _spans_clash((c[0], c[1]), (p, q))
            if overlap:
                unapplied_idx.add(c[2])
            else:
                keep.append(c)
        claims = keep + [(p, q, idx)]
    out = text
    for p, q, idx in sorted(claims, reverse=True):
        out = out[:p] + ovs[idx].text + out[q:]
    applied = [o for i, o in enumerate(ovs) if i not in unapplied_idx]
    unapplied = [o for i, o in enumerate(ovs) if i in unapplied_idx]
    return out, applied, unapplied


# ---------------------------------------------------------------------------
# One more witness, merged into a unit's sites
# ---------------------------------------------------------------------------


def add_witness(
    canonical: str,
    sites: Sequence[VariantSite],
    siglum: str,
    reading: str,
    *,
    readings: Mapping[str, str],
    voters: Iterable[str],
    priority: Mapping[str, object] | None = None,
    edges: Mapping[str, str] | None = None,
) -> list[VariantSite] | None:
    """The sites of a unit once one more witness is collated into them, or None
    where that takes a full :func:`consensus`.

    *canonical* and *sites* are the unit's stored collation (sites sorted, each
    with the reading of every covering witness, :func:`consensus`'s output)
    of *readings* ``{siglum: text}``, the witnesses already collated;
    *siglum* / *reading* the new witness, a whole reading (not at its copy's
    edge); *voters*, *priority* and *edges* as for :func:`consensus`, over
    the old and new sigla.

    The new reading is aligned once, to the canonical text. Where it agrees
    with the canonical text, each site takes it as one more vote for the
    canonical reading (a site that was not a tie stays none; a tie is voted
    again). Where it differs, its differences are merged with the stored sites
    they meet or come within :data:`MERGE_GAP` characters of, snapped as
    :func:`collate` does (steps 4 and 5), and voted on; every old witness's
    reading of a merged span is rebuilt from the stored sites it covers, so
    nothing is re-aligned.

    Returns None -- the caller collates the unit in full -- when the new
    reading would change the canonical text (it wins a vote) or ties a vote
    where it differs (a tie keeps the reading of the text the consensus
    rounds vote on, which the full consensus must say), when it would
    make another reading than the canonical text the consensus's base
    (:func:`consensus`, step 1: the rounds would start elsewhere), when it
    meets a lacuna site, when two of its differences hold the same
    characters (a transposition, which :func:`collate` joins into one site), when no witness
    covered the unit before, or when a span cannot be cut. So the canonical
    text never changes here, and every witness's text is still rebuilt
    exactly by :func:`apply`.
    """
    covering = sorted(set(readings) - {siglum})
    if not covering:
        return None
    sigla = covering + [siglum]
    order = sorted(sigla)  # the readings of a merged span, in siglum order
    keys = rank_keys(sigla, priority)
    vote = frozenset(set(voters) & set(sigla)) or frozenset(sigla)
    edges = {s: e for s, e in (edges or {}).items() if s in readings and e}
    if not keeps_base(readings, siglum, reading, canonical, voters, priority, edges):
        return None  # the consensus rounds would start from another reading
    stored = sorted(sites, key=_SPAN)
    al = _Alignment(canonical, reading)
    changes = [op for op in al.ops if op[0] != "equal"]
    if _holds_swap(canonical, reading, changes):
        return None

    def gained(site: VariantSite, start: int, end: int) -> VariantSite | None:
        """``site`` (kept as ``[start, end)``) where the new witness reads the
        lemma: one more vote for it. A site that was no tie stays none, and its
        other readings are not read (:class:`WithLemma`); a tie is voted again
        (None: the lemma loses, or a lacuna, which the full collation settles)."""
        lemma = canonical[start:end]
        if not site.tie:
            readings = WithLemma(site.readings, siglum, lemma)
            return new_site(
                site.start,
                site.end,
                readings,
                site.type,
                site.likely_ocr,
                site.ocr_pairs,
                False,
                site.lacunae,
            )
        if site.type == "lacuna":
            return None
        readings = dict(site.readings)
        readings[siglum] = lemma
        chosen, tie = _vote(readings, {}, vote, keys, canonical[site.start : site.end])
        if chosen != lemma:
            return None
        return _replace_site(site, readings, tie)

    if not changes:
        out = []
        for site in stored:
            kept = gained(site, site.start, site.end)
            if kept is None:
                return None
            out.append(kept)
        return out

    # Stored sites and the new copy's differences, merged as collate merges
    # raw spans; then each group the new copy is in is snapped with every
    # witness's reading of it: over neighbours its readings hold (step 4), and
    # to whole words (step 5) at the edges the new copy gives it -- an edge a
    # stored site gives already ends a word, and may not grow to a longer one
    # (培养 to 人才培养).
    n = len(canonical)
    group_reads: dict[tuple, dict[str, str] | None] = {}

    def reads_of(g: list) -> dict[str, str] | None:
        """:func:`_group_readings` of ``g``, once per span and members (steps 4,
        5 and the vote ask for a group that neither step moved)."""
        key = (g[0], g[1], *g[2])
        if key not in group_reads:
            group_reads[key] = _group_readings(canonical, stored, g, order, siglum, al)
        return group_reads[key]

    def merge(groups: list[list]) -> list[list]:
        out: list[list] = []
        for g in sorted(groups, key=_SPAN_ITEMS):
            if out and g[0] - out[-1][1] < MERGE_GAP:
                last = out[-1]
                last[1] = max(last[1], g[1])
                last[2] = last[2] + g[2]
                last[3] = last[3] or g[3]
            else:
                out.append(g)
        return out

    groups = merge(
        [[x.start, x.end, [k], False] for k, x in enumerate(stored)]
        + [[i1, i2, [], True] for _, i1, i2, _, _ in changes]
    )  # [start, end, stored indexes, new?]
    words = None
    for step in (4, 5):
        moved = False
        for idx, g in enumerate(groups):
            if not g[3]:
                continue
            lo_lim = groups[idx - 1][1] if idx else 0
            hi_lim = groups[idx + 1][0] if idx + 1 < len(groups) else n
            reads = reads_of(g)
            if reads is None:
                return None
            if step == 4:
                s, e = _snap_span(canonical, g[0], g[1], reads, lo_lim, hi_lim)
            elif g[1] > g[0] and all(reads.values()):
                if words is None:  # the edges of this group and the new ones after it
                    asked = [p for h in groups[idx:] if h[3] for p in h[:2]]
                    words = _straddling_words(canonical, at=asked)
                s, e = _word_span(words, g[0], g[1], lo_lim, hi_lim)
            else:
                continue
            if s != g[0] and (step == 4 or not any(stored[k].start == g[0] for k in g[2])):
                g[0], moved = s, True
            if e != g[1] and (step == 4 or not any(stored[k].end == g[1] for k in g[2])):
                g[1], moved = e, True
        if moved:  # else the groups are merged already
            groups = merge(groups)

    out = []
    for g in groups:
        start, end, members, new = g
        if not new:
            # Stored sites the new copy does not reach: each kept as stored,
            # with its own span. Two of them may lie within MERGE_GAP of each
            # other (a lacuna site beside another, which the full collation
            # keeps apart), and keeping the first alone lost the other's
            # readings.
            for k in sorted(members, key=lambda k: stored[k].start):
                kept = gained(stored[k], stored[k].start, stored[k].end)
                if kept is None:
                    return None
                out.append(kept)
            continue
        if any(stored[k].type == "lacuna" for k in members):
            return None
        readings = reads_of(g)
        if readings is None:
            return None
        chosen, tie = _vote(readings, {}, vote, keys, canonical[start:end])
        if chosen != canonical[start:end] or tie:
            return None  # the canonical text changes, or a tie the rounds' base decides
        if all(r == chosen for r in readings.values()):  # chosen: the canonical span
            continue  # the new witness's difference snapped away (cannot happen; guard)
        out.append(_make_site(canonical, start, end, readings, None, tie))
    return out


#: Sort keys: a site's span ``(start, end)``; a group's (its first two items).
_SPAN = attrgetter("start", "end")
_SPAN_ITEMS = itemgetter(0, 1)


class WithLemma(Mapping[str, str]):
    """A stored site's readings once one more witness reads its lemma: the
    mapping ``base`` (``{siglum: text}``) with ``{siglum: lemma}`` on top,
    iterated in siglum order, as :func:`_replace_site` orders readings.

    ``base`` is read only when a reading other than ``siglum``'s is asked
    for: a caller that stores the site in place (``readings || {siglum:
    lemma}`` in SQL) reads ``get(siglum)`` alone, so a site the new witness
    agrees with costs the same whatever the number of witnesses. ``base``
    may itself parse lazily (``clauses.collation``'s stored readings).
    """

    __slots__ = ("base", "siglum", "lemma", "_whole")

    def __init__(self, base: Mapping[str, str], siglum: str, lemma: str):
        self.base, self.siglum, self.lemma, self._whole = base, siglum, lemma, None

    def _dict(self) -> dict[str, str]:
        if self._whole is None:
            whole = dict(self.base)
            whole[self.siglum] = self.lemma
            self._whole = dict(sorted(whole.items()))
        return self._whole

    def __getitem__(self, key: str) -> str:
        return self.lemma if key == self.siglum else self.base[key]

    def get(self, key: str, default=None):
        return self.lemma if key == self.siglum else self.base.get(key, default)

    def __contains__(self, key) -> bool:
        return key == self.siglum or key in self.base

    def __iter__(self):
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __repr__(self) -> str:
        return repr(self._dict())


def keeps_base(
    readings: Mapping[str, str],
    siglum: str,
    reading: str,
    canonical: str,
    voters: Iterable[str],
    priority: Mapping[str, object] | None = None,
    edges: Mapping[str, str] | None = None,
) -> bool:
    """Does :func:`consensus` start its rounds from the same reading once
    *siglum* reads *reading* beside *readings* (or from *canonical*, the text
    the rounds ended at, which they would then keep)? Arguments as for
    :func:`add_witness`; False when *readings* holds no other witness."""
    covering = set(readings) - {siglum}
    if not covering:
        return False
    voters = set(voters)
    sigla = covering | {siglum}
    edges = {s: e for s, e in (edges or {}).items() if s in sigla and e}
    old = frozenset(voters & covering) or frozenset(covering)
    new = frozenset(voters & sigla) or frozenset(sigla)
    if priority is None and siglum in new and new == old | {siglum} and new.isdisjoint(edges):
        # The usual case: only votes rank readings (no voter at an edge, and
        # no priority: every rank key is the same), and the new one is one more
        # vote for *reading*. Then the base stays (True) unless *reading* gets
        # more votes than it, or as many and comes first by _content_key.
        held = _votes([readings[s] for s in old])
        before = _most_held(held)
        if reading == before:
            return True
        votes, top = held.get(reading, 0) + 1, held[before]
        wins = votes > top or (votes == top and _content_key(reading) < _content_key(before))
        return not wins or reading == canonical
    with_new = {**readings, siglum: reading}
    keys = rank_keys(with_new, priority)
    before = readings[_base(old, readings, edges, keys)]
    after = with_new[_base(new, with_new, edges, keys)]
    return after == before or after == canonical


def _replace_site(site: VariantSite, readings: Mapping[str, str], tie: bool) -> VariantSite:
    """*site* with *readings* (one more witness reading the canonical span) and
    *tie*; the readings in siglum order (a :class:`WithLemma` is kept as it is:
    it iterates in that order)."""
    return new_site(
        site.start,
        site.end,
        readings if isinstance(readings, WithLemma) else dict(sorted(readings.items())),
        site.type,
        site.likely_ocr,
        site.ocr_pairs,
        tie,
        site.lacunae,
    )


def _group_readings(
    canonical: str,
    stored: Sequence[VariantSite],
    group: list,
    order: list[str],
    siglum: str,
    al: _Alignment,
) -> dict[str, str] | None:
    """Every witness's reading of a merged span ``[group[0], group[1])``, as
    ``{siglum: text}`` in the order of *order* (every siglum, sorted: the old
    witnesses and the new one, *siglum*): the old witnesses' rebuilt from the
    stored sites inside it (``group[2]``, indexes into *stored*), the new
    one's cut through its alignment *al*. None if the span's edges fall
    inside one of the new witness's differences."""
    start, end = group[0], group[1]
    cut = al.cut(start, end)
    if cut is None:
        return None
    lemma = canonical[start:end]
    # Each stored site's readings are copied to a plain dict once (a stored
    # one parses its JSON here), then looked up once a witness.
    members = group[2]
    if len(members) == 1:  # most merged spans hold one stored site
        site = stored[members[0]]
        held = dict(site.readings.items())
        before, after = canonical[start : site.start], canonical[site.end : end]
        if before or after:  # each distinct reading widened once
            whole = {r: before + r + after for r in set(held.values())}
            held = {sig: whole[r] for sig, r in held.items()}
        # A witness the site does not hold reads the lemma. The site holds no
        # other sigla, mostly: then the readings go in place at C speed.
        out = dict.fromkeys(order, lemma)
        out.update(held)
        if len(out) > len(order):
            out = {sig: held.get(sig, lemma) for sig in order}
        out[siglum] = cut
        return out
    if not members:
        out = dict.fromkeys(order, lemma)
        out[siglum] = cut
        return out
    inside = [stored[k] for k in sorted(members, key=lambda k: stored[k].start)]
    maps = [dict(site.readings.items()) for site in inside]
    built: dict[tuple, str] = {}  # most witnesses read the span alike: built once
    out = {}
    for sig in order:
        if sig == siglum:
            out[sig] = cut
            continue
        held_by = tuple([m.get(sig) for m in maps])
        text = built.get(held_by)
        if text is None:
            parts, pos = [], start
            for site, r in zip(inside, held_by, strict=True):
                parts.append(canonical[pos : site.start])
                parts.append(canonical[site.start : site.end] if r is None else r)
                pos = site.end
            parts.append(canonical[pos:end])
            text = built[held_by] = "".join(parts)
        out[sig] = text
    return out


def _holds_swap(canonical: str, reading: str, changes: list) -> bool:
    """Do two differences of an alignment exchange the same characters (what
    one deletes or replaces, the other inserts)? Then :func:`collate` may join
    them into one transposition site."""
    if len(changes) < 2:
        return False
    # each side's characters as a multiset: sorted, joined
    taken = ["".join(sorted(canonical[i1:i2])) for _, i1, i2, _, _ in changes]
    given = ["".join(sorted(reading[j1:j2])) for _, _, _, j1, j2 in changes]
    for a, put in enumerate(given):
        if not put:
            continue
        for b, out in enumerate(taken):
            if a != b and out and out == put:
                return True
    return False
