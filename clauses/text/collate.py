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

import string
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import rjieba

__all__ = [
    "MERGE_GAP",
    "WORD_SNAP_MAX",
    "OCR_CONFUSABLE_GROUPS",
    "OCR_CONFUSABLE_PAIRS",
    "SITE_TYPES",
    "VariantSite",
    "Override",
    "Consensus",
    "ConsensusResult",
    "collate",
    "apply",
    "consensus",
    "classify",
    "diff_opcodes",
    "is_punctuation",
    "make_override",
    "ocr_pairs",
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

SITE_TYPES = ("punctuation", "transposition", "addition", "omission", "substitution")

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

_EXTRA_PUNCT = frozenset("～〜·・•﹏￥°‧")


def is_punctuation(ch: str) -> bool:
    """True for one ASCII or CJK/Unicode punctuation character (。，、“”（）《》…—)."""
    if len(ch) != 1:
        return bool(ch) and all(is_punctuation(c) for c in ch)
    if ch in string.punctuation or ch in _EXTRA_PUNCT:
        return True
    return unicodedata.category(ch).startswith("P")


def _strip_punct(s: str) -> str:
    return "".join(c for c in s if not (is_punctuation(c) or c.isspace()))


# ---------------------------------------------------------------------------
# Data classes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantSite:
    """One place of variation, as a span ``[start, end)`` of the canonical text."""

    start: int
    end: int
    readings: dict[str, str]
    type: str
    likely_ocr: bool = False
    #: (canonical char, source char) pairs of OCR-confusable characters found.
    ocr_pairs: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "readings": dict(self.readings),
            "likely_ocr": self.likely_ocr,
            "ocr_pairs": [list(p) for p in self.ocr_pairs],
        }


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


def _matching_blocks(a: str, b: str) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        # common prefix
        p = 0
        while alo + p < ahi and blo + p < bhi and a[alo + p] == b[blo + p]:
            p += 1
        if p:
            out.append((alo, blo, p))
            alo += p
            blo += p
        # common suffix
        s = 0
        while ahi - s > alo and bhi - s > blo and a[ahi - 1 - s] == b[bhi - 1 - s]:
            s += 1
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
            e = 0
            while i + e < ahi and j + e < bhi and a[i + e] == b[j + e]:
                e += 1
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
    """One source aligned to the canonical text; cuts readings of spans."""

    __slots__ = ("b", "ops", "starts")

    def __init__(self, a: str, b: str):
        self.b = b
        self.ops = diff_opcodes(a, b)
        self.starts = [o[1] for o in self.ops]

    def touched(self) -> Iterable[tuple[int, int]]:
        for tag, i1, i2, _, _ in self.ops:
            if tag != "equal":
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
        return j2 if q >= i2 else None

    def cut(self, p: int, q: int) -> str | None:
        lo, hi = self.lo(p), self.hi(q)
        if lo is None or hi is None:
            return None
        return self.b[lo:hi]


def _align_all(canonical: str, readings: Mapping[str, str]) -> dict[str, _Alignment]:
    by_text: dict[str, _Alignment] = {}
    out = {}
    for sig in sorted(readings):
        text = readings[sig]
        if text not in by_text:
            by_text[text] = _Alignment(canonical, text)
        out[sig] = by_text[text]
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
            if frozenset((x, y)) not in OCR_CONFUSABLE_PAIRS:
                return None
            pairs.append((x, y))
    return tuple(pairs)


def _is_swap(c: str, r: str) -> bool:
    return len(c) >= 2 and r != c and len(r) == len(c) and Counter(r) == Counter(c)


def classify(canonical_reading: str, readings: Mapping[str, str]) -> str:
    """Type of a site, looking at the readings that differ from the canonical one.

    Precedence (first rule that holds wins):

    1. ``punctuation`` -- every differing reading equals the canonical reading
       once punctuation (and white space) is removed from both (``、`` vs ``，``,
       a dropped ``，``).
    2. ``transposition`` -- every differing reading is a permutation of the
       canonical reading (same multiset of characters): ``安全健康`` vs
       ``健康安全``.
    3. ``addition`` -- the canonical span is empty (sources add text there).
    4. ``omission`` -- every differing reading is the empty string.
    5. ``substitution`` -- anything else (including mixed sites).
    """
    c = canonical_reading
    diff = [r for r in readings.values() if r != c]
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


def _make_site(canonical: str, start: int, end: int, readings: dict[str, str]) -> VariantSite:
    """Type the site and look for OCR confusions.

    ``likely_ocr`` is set on a substitution site when some source's reading
    differs from the canonical reading -- or from another source's reading,
    since the consensus may have gone a third way (巾帼 / 中帼 under a
    canonical 中高级) -- only by OCR-confusable characters
    (:data:`OCR_CONFUSABLE_GROUPS`).  ``ocr_pairs`` lists the pairs found,
    canonical character first when the canonical reading is involved.
    """
    c = canonical[start:end]
    typ = classify(c, readings)
    found: set[tuple[str, str]] = set()
    if typ == "substitution":
        others = sorted(set(readings.values()) - {c})
        for k, x in enumerate([c] + others):
            for y in others[k:]:
                pairs = ocr_pairs(x, y)
                if pairs:
                    found.update(pairs)
    return VariantSite(
        start=start,
        end=end,
        readings=readings,
        type=typ,
        likely_ocr=bool(found),
        ocr_pairs=tuple(sorted(found)),
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


def _snap(canonical: str, spans: list[list[int]], aligns, sigla) -> list[list[int]]:
    """Step 4: widen sites over a neighbour character that recurs in them."""
    n = len(canonical)
    out = []
    for idx, (s, e) in enumerate(spans):
        c = canonical[s:e]
        reads = _cut_all(aligns, sigla, s, e)
        if c and all(reads.values()):
            pool = c + "".join(r for r in reads.values() if r != c)
            lo_lim = spans[idx - 1][1] if idx else 0
            hi_lim = spans[idx + 1][0] if idx + 1 < len(spans) else n
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
        out.append([s, e])
    return _merge([(s, e) for s, e in out])


def _straddling_words(text: str) -> dict[int, tuple[int, int]]:
    """For each position p between two characters, the shortest word of the
    text that straddles it (starts before p, ends after p), as (start, end).

    Words come from jieba's search mode (横向, 发展 and 横向发展), so the
    finest word wins.
    """
    best: dict[int, tuple[int, int]] = {}
    for _, a, b in rjieba.tokenize(text, mode="search"):
        for p in range(a + 1, b):
            if p not in best or b - a < best[p][1] - best[p][0]:
                best[p] = (a, b)
    return best


def _snap_to_words(canonical: str, spans: list[list[int]], aligns, sigla) -> list[list[int]]:
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
        if e > s and all(_cut_all(aligns, sigla, s, e).values()):
            if words is None:
                words = _straddling_words(canonical)
            lo_lim = out[-1][1] if out else 0
            hi_lim = spans[idx + 1][0] if idx + 1 < len(spans) else n
            left, right = words.get(s), words.get(e)
            if left and s - left[0] <= WORD_SNAP_MAX and left[0] >= lo_lim:
                s = left[0]
            if right and right[1] - e <= WORD_SNAP_MAX and right[1] <= hi_lim:
                e = right[1]
        out.append([s, e])
    return _merge([(s, e) for s, e in out])


def _wordish(ch: str) -> bool:
    return not (is_punctuation(ch) or ch.isspace())


def _sites(
    canonical: str, readings: Mapping[str, str]
) -> tuple[list[VariantSite], dict[str, _Alignment]]:
    sigla = sorted(readings)
    aligns = _align_all(canonical, readings)
    intervals = []
    for al in {id(a): a for a in aligns.values()}.values():
        intervals.extend(al.touched())
    if not intervals:
        return [], aligns
    spans = _snap_to_words(
        canonical, _snap(canonical, _merge(intervals), aligns, sigla), aligns, sigla
    )
    sites = [_make_site(canonical, s, e, _cut_all(aligns, sigla, s, e)) for s, e in spans]
    return sites, aligns


def collate(canonical: str, readings: Mapping[str, str]) -> list[VariantSite]:
    """Variant sites of *readings* against *canonical*, sorted, non-overlapping.

    Every site holds the reading of every source; ``apply(canonical, sites,
    sig)`` rebuilds ``readings[sig]`` exactly.  A single source identical to
    the canonical text gives no sites.
    """
    return _sites(canonical, readings)[0]


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


def rank_sigla(sigla: Iterable[str], priority: Iterable[str] | None = None) -> list[str]:
    """Sigla in tie-breaking order: *priority* first (in its order), then the rest sorted."""
    sigla = set(sigla)
    ranked = []
    for s in priority or ():
        if s in sigla and s not in ranked:
            ranked.append(s)
    ranked.extend(sorted(sigla - set(ranked)))
    return ranked


def _majority(site: VariantSite, rank: Mapping[str, int]) -> str:
    counts = Counter(site.readings.values())
    first: dict[str, int] = {}
    for sig, r in site.readings.items():
        first[r] = min(first.get(r, len(rank)), rank[sig])
    return min(counts, key=lambda r: (-counts[r], first[r]))


def _majority_text(base: str, sites: list[VariantSite], rank: Mapping[str, int]) -> str:
    out = []
    pos = 0
    for s in sites:
        out.append(base[pos : s.start])
        out.append(_majority(s, rank))
        pos = s.end
    out.append(base[pos:])
    return "".join(out)


def consensus(
    readings: Mapping[str, str],
    priority: list[str] | None = None,
    overrides: Iterable[Override | Mapping] | None = None,
) -> Consensus:
    """The canonical text by consensus, collated against its sources.

    1. Base: the reading of the highest-priority source (first sorted siglum
       without a priority list).
    2. Collate the sources against the base; at every site take the reading
       held by most sources, ties going to the reading of the best-ranked
       source (:func:`rank_sigla`); rebuild.  Repeat against the result until
       it no longer changes (at most :data:`MAX_CONSENSUS_ROUNDS` rounds).
    3. Apply the editors' *overrides* (see :class:`Override`): each is matched
       to the site whose sources still read what they read when the decision
       was made; the canonical span there becomes ``override.text``.  An
       override that matches no site is returned in ``unapplied``, never
       dropped.  When two overrides claim overlapping
       spans the later one in the list wins and the earlier is unapplied.
    4. Collate the sources against the final text.
    """
    ovs = [o if isinstance(o, Override) else Override.from_dict(o) for o in (overrides or [])]
    if not readings:
        return Consensus(text="", sites=[], applied=[], unapplied=list(ovs), majority_text="")
    ranked = rank_sigla(readings, priority)
    rank = {s: i for i, s in enumerate(ranked)}
    text = readings[ranked[0]]
    seen = {text}
    sites: list[VariantSite] | None = None
    for _ in range(MAX_CONSENSUS_ROUNDS):
        round_sites = collate(text, readings)
        new = _majority_text(text, round_sites, rank)
        if new == text:
            sites = round_sites  # already collated against the final text
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
        text, applied, unapplied = _apply_overrides(majority, readings, ovs)
    if sites is None or text != majority:
        sites = collate(text, readings)
    return Consensus(
        text=text, sites=sites, applied=applied, unapplied=unapplied, majority_text=majority
    )


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
    o: Override, text: str, readings: Mapping[str, str], cache: dict
) -> tuple[int, int] | None:
    common = tuple(sorted(set(o.readings) & set(readings)))
    if not common:
        return None
    if common not in cache:
        sub = {s: readings[s] for s in common}
        cache[common] = _sites(text, sub)
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


def _apply_overrides(text: str, readings: Mapping[str, str], ovs: list[Override]):
    cache: dict = {}
    claims: list[tuple[int, int, int]] = []  # (start, end, index in ovs)
    unapplied_idx: set[int] = set()
    for idx, o in enumerate(ovs):
        span = _override_span(o, text, readings, cache)
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
