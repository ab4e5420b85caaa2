"""Align a new source's units to a document's canonical units.

Each pair of units gets a score: the similarity of their texts (Dice
coefficient over character bigrams), plus a bonus when their keys (derived
from labels) agree. The best order-preserving matching is found by dynamic
programming, so a missing heading, a partial copy or a damaged label does not
throw the rest off. Pairs below the thresholds never match; the units left
over are new to the document and are inserted in their place.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

LABEL_BONUS = 0.5
MIN_SIMILARITY_WITH_LABEL = 0.15  # same label: a weak textual likeness suffices
MIN_SIMILARITY_WITHOUT_LABEL = 0.45  # no label to go on: the text must carry it

# A source whose units reach less than this similarity with a document is a
# different text (the 2017 Plan reaches ~0.1 with the 2024 Opinion).
DOCUMENT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class AlignUnit:
    """What :func:`align` reads of a unit. Any object with these three fields
    aligns as one, so the import hands over its readings
    (``pipeline.UnitReading``) and canonical units (``ingest.PlacedUnit``) as
    they are, without a copy; this record is for the others (tests, tools)."""

    key: str
    heading: bool  # headings only align to headings
    text: str


def bigrams(text: str) -> frozenset[str]:
    """The distinct two-character slices of ``text``; a one-character text is
    its own bigram, an empty text has none."""
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    # A list comprehension (inlined since Python 3.12) is faster here than a
    # generator or map(str.__add__, text, text[1:]).
    return frozenset([text[i : i + 2] for i in range(len(text) - 1)])


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bigrams, 0 … 1."""
    return dice(bigrams(a), bigrams(b))


def dice(x: frozenset[str], y: frozenset[str]) -> float:
    if not x and not y:
        return 1.0
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _dice_at_least(x: frozenset[str], y: frozenset[str], floor: float) -> bool:
    """``dice(x, y) >= floor``, without intersecting the sets when their sizes
    alone rule it out: Dice is at most 2·min(|x|, |y|) / (|x| + |y|), and that
    bound is computed as :func:`dice` computes its value (one correctly
    rounded division), so the answer is exactly ``dice``'s."""
    nx, ny = len(x), len(y)
    if nx and ny and 2 * min(nx, ny) / (nx + ny) < floor:
        return False
    return dice(x, y) >= floor


@dataclass(frozen=True)
class Alignment:
    matches: list[int | None]  # per source unit: index of its canonical unit, or None
    similarities: list[float]  # per source unit: text similarity of its match (0 if none)
    # How much of the text the two share: the length-weighted mean similarity of
    # the matched units, over the source or over the canonical text, whichever
    # is higher (a partial copy covers little of a full document, and a full
    # copy little of a document known so far only from a partial one).
    document_similarity: float
    # Source units matched out of the canonical order (indexes into the source):
    # a transposition, such as two clauses printed the other way round.
    moved: frozenset[int] = frozenset()


#: A source unit the order-preserving matching leaves over is matched to a
#: canonical unit also left over, with the same last key component (its label:
#: ``c6`` of ``s3.c6``) and at least this similarity (Dice): the copy prints
#: that unit elsewhere (a transposition), it is not a new unit.
MOVED_MATCH = 0.8
#: Above this many unit pairs (source units × canonical units) the alignment
#: scores only candidate pairs (:func:`_sparse_align`) instead of every pair:
#: time and memory then grow with the units, not with their product.
DENSE_MAX_PAIRS = 40_000
#: Candidate pairs per source unit, besides those with the same key.
CANDIDATES_PER_UNIT = 8
#: A bigram found in more canonical units than this does not propose candidates.
RARE_BIGRAM = 16
#: A same-key pair at least this similar (Dice) is a unit's only candidate,
#: unless a canonical unit within STRONG_WINDOW positions is as similar.
STRONG_MATCH = 0.7
STRONG_WINDOW = 3
#: Canonical units whose bigram sets :func:`_sparse_align` keeps at a time.
GRAM_CACHE = 256


def align(source: Sequence[AlignUnit], canonical: Sequence[AlignUnit]) -> Alignment:
    """The best order-preserving matching of ``source`` units to ``canonical`` units.

    Exact dynamic programming over every pair up to :data:`DENSE_MAX_PAIRS`
    pairs (time and memory n × m); above it, the same objective over candidate
    pairs only (:func:`_sparse_align`: time about (n + m) log m, memory n + m).
    """
    n, m = len(source), len(canonical)
    if n * m > DENSE_MAX_PAIRS:
        return _sparse_align(source, canonical)
    src_grams = [bigrams(u.text) for u in source]
    can_grams = [bigrams(u.text) for u in canonical]

    def score(i: int, j: int) -> float | None:
        s, c = source[i], canonical[j]
        if s.heading != c.heading:
            return None
        sim = dice(src_grams[i], can_grams[j])
        if s.key == c.key and sim >= MIN_SIMILARITY_WITH_LABEL:
            return sim + LABEL_BONUS
        if sim >= MIN_SIMILARITY_WITHOUT_LABEL:
            return sim
        return None

    # best[i][j]: best total score aligning source[i:] with canonical[j:].
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    choice = [[0] * (m + 1) for _ in range(n + 1)]  # 0 skip source, 1 skip canonical, 2 match
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [(best[i + 1][j], 0), (best[i][j + 1], 1)]
            s = score(i, j)
            if s is not None:
                options.append((best[i + 1][j + 1] + s, 2))
            best[i][j], choice[i][j] = max(options)
    matches: list[int | None] = [None] * n
    sims = [0.0] * n
    i = j = 0
    while i < n and j < m:
        c = choice[i][j]
        if c == 2:
            matches[i] = j
            sims[i] = dice(src_grams[i], can_grams[j])
            i, j = i + 1, j + 1
        elif c == 1:
            j += 1
        else:
            i += 1
    return _alignment(source, canonical, matches, sims)


def _alignment(
    source: Sequence[AlignUnit],
    canonical: Sequence[AlignUnit],
    matches: list[int | None],
    sims: list[float],
) -> Alignment:
    moved = _pair_moved(source, canonical, matches, sims)
    src_total = sum(len(u.text) for u in source) or 1
    src_sim = sum(len(u.text) * s for u, s in zip(source, sims, strict=True)) / src_total
    can_total = sum(len(u.text) for u in canonical) or 1
    can_sim = (
        sum(len(canonical[j].text) * s for j, s in zip(matches, sims, strict=True) if j is not None)
        / can_total
    )
    return Alignment(matches, sims, max(src_sim, can_sim), moved)


def _label_of(key: str) -> str:
    """The last component of a unit key (``c6`` of ``s3.c6``, ``p2`` of ``p2``)."""
    return key.rsplit(".", 1)[-1]


def _pair_moved(
    source: Sequence[AlignUnit],
    canonical: Sequence[AlignUnit],
    matches: list[int | None],
    sims: list[float],
) -> frozenset[int]:
    """Match, in place in ``matches`` and ``sims``, the source units left over
    to canonical units left over that they repeat elsewhere (:data:`MOVED_MATCH`);
    returns the source indexes so matched. Each canonical unit is taken once,
    by its most similar source unit in source order. Cost: the units left over
    with a shared label, never the whole product."""
    taken = {j for j in matches if j is not None}
    free: dict[str, list[int]] = {}
    for j, unit in enumerate(canonical):
        if j not in taken:
            free.setdefault(_label_of(unit.key), []).append(j)
    if not free:
        return frozenset()
    moved: set[int] = set()
    for i, unit in enumerate(source):
        if matches[i] is not None or not (free_js := free.get(_label_of(unit.key))):
            continue
        grams = bigrams(unit.text)
        best: tuple[float, int] | None = None
        for j in free_js:
            if canonical[j].heading != unit.heading:
                continue
            sim = dice(grams, bigrams(canonical[j].text))
            if sim >= MOVED_MATCH and (best is None or sim > best[0]):
                best = (sim, j)
        if best is not None:
            sims[i], matches[i] = best
            free_js.remove(best[1])
            moved.add(i)
    return frozenset(moved)


def _int_bigrams(text: str) -> set[int]:
    """A text's bigrams as integers (two code points), for the candidate index."""
    codes = [ord(c) for c in text]
    return {(a << 21) | b for a, b in zip(codes, codes[1:], strict=False)}


class _GramCache:
    """``cache(j)``: the bigram set of ``canonical[j]``, the most recently used
    :data:`GRAM_CACHE` of them kept: the candidates of neighbouring source
    units are mostly the same units, and keeping every unit's set would weigh
    some ten times the text."""

    def __init__(self, canonical: Sequence[AlignUnit]):
        self.canonical = canonical
        self.grams: OrderedDict[int, frozenset[str]] = OrderedDict()

    def __call__(self, j: int) -> frozenset[str]:
        found = self.grams.get(j)
        if found is None:
            found = self.grams[j] = bigrams(self.canonical[j].text)
            if len(self.grams) > GRAM_CACHE:
                self.grams.popitem(last=False)
        else:
            self.grams.move_to_end(j)
        return found


class _Positions:
    """``positions.get(value)``: the 0-based indexes where ``value`` occurs in the
    sequence given, ascending, as a tuple (empty when it does not occur). Holds
    one integer per distinct value, and a list only for values that recur: a
    list per value weighed 1.6 MB a dictionary for a 15,000-unit document."""

    __slots__ = ("first", "more")

    def __init__(self, values: Iterable[str]):
        self.first: dict[str, int] = {}
        self.more: dict[str, list[int]] = {}
        for j, value in enumerate(values):
            if self.first.setdefault(value, j) != j:
                self.more.setdefault(value, []).append(j)

    def get(self, value: str) -> tuple[int, ...]:
        j = self.first.get(value)
        if j is None:
            return ()
        more = self.more.get(value)
        return (j, *more) if more else (j,)


def _candidates(
    source: Sequence[AlignUnit], canonical: Sequence[AlignUnit]
) -> tuple[list[list[int]], list[float | None]]:
    """Per source unit, the canonical units worth scoring (indexes, ascending),
    and the similarity of a :data:`STRONG_MATCH` (else None): the same key, the same
    text, and the :data:`CANDIDATES_PER_UNIT` sharing most of their rare bigrams
    (found in at most :data:`RARE_BIGRAM` canonical units).

    A unit whose one same-key canonical unit is a :data:`STRONG_MATCH` (Dice
    similarity), and more like it than any canonical unit within
    :data:`STRONG_WINDOW` positions, is not searched further: with the label
    bonus, no other pair can score as high, and most units of a copy are such. The others search
    the canonical units no unit matched so strongly (an alignment matches a
    unit once), through a rare-bigram index of those alone.
    """
    by_key = _Positions(u.key for u in canonical)
    by_text = _Positions(u.text for u in canonical)
    out: list[list[int]] = []
    strong: list[float | None] = []
    grams_of = _GramCache(canonical)

    for u in source:
        same_key = by_key.get(u.key)
        sim = None
        heading = u.heading
        if len(same_key) == 1 and canonical[same_key[0]].heading == heading:
            j = same_key[0]
            u_grams = bigrams(u.text)
            sim = dice(u_grams, grams_of(j))
            # Not when a unit nearby reads as much like it: positional keys
            # (p1, p2 …) shift by one when a copy has a paragraph more or less.
            if sim < STRONG_MATCH:
                sim = None
            else:
                for k in range(
                    max(0, j - STRONG_WINDOW), min(len(canonical), j + STRONG_WINDOW + 1)
                ):
                    if (
                        k != j
                        and canonical[k].heading == heading
                        and _dice_at_least(u_grams, grams_of(k), sim)
                    ):
                        sim = None
                        break
        strong.append(sim)
        out.append(list(same_key) if sim is not None else [])
    claimed = {c[0] for c, sim in zip(out, strong, strict=True) if sim is not None}
    postings: dict[int, list[int] | None] | None = None
    for i, u in enumerate(source):
        if strong[i] is not None:
            continue
        if postings is None:
            postings = _postings(canonical, claimed)
        found = set(by_key.get(u.key)) | set(by_text.get(u.text)[:RARE_BIGRAM])
        counts = Counter(chain.from_iterable(postings.get(g) or () for g in _int_bigrams(u.text)))
        best = heapq.nsmallest(CANDIDATES_PER_UNIT, counts, key=lambda j: (-counts[j], j))
        out[i] = sorted(found.union(best))
    return out, strong


def _postings(canonical: Sequence[AlignUnit], claimed: set[int]) -> dict[int, list[int] | None]:
    """The rare-bigram index of :func:`_candidates` over the canonical units not
    ``claimed``: per bigram (as an integer), the units holding it, or None once
    more than :data:`RARE_BIGRAM` do."""
    postings: dict[int, list[int] | None] = {}
    for j, u in enumerate(canonical):
        if j in claimed:
            continue
        for g in _int_bigrams(u.text):
            plist = postings.get(g, [])
            if plist is None:
                continue
            if len(plist) >= RARE_BIGRAM:
                postings[g] = None  # common: proposes nothing
                continue
            plist.append(j)
            postings[g] = plist
    return postings


def _sparse_align(source: Sequence[AlignUnit], canonical: Sequence[AlignUnit]) -> Alignment:
    """The alignment of :func:`align` over candidate pairs (:func:`_candidates`).

    The dynamic programme's best path is the heaviest chain of pairs strictly
    increasing in both indexes: found pair by pair in source order with a
    Fenwick tree of prefix maxima over the canonical index.
    """
    n, m = len(source), len(canonical)
    tree_value = [0.0] * (m + 1)
    tree_pair = [-1] * (m + 1)
    pairs: list[tuple[int, int, float]] = []  # (i, j, sim)
    back: list[int] = []  # per pair: the previous pair of its chain, or -1

    def best_before(j: int) -> tuple[float, int]:  # over canonical indexes < j
        value, pair, k = 0.0, -1, j
        while k > 0:
            if tree_value[k] > value:
                value, pair = tree_value[k], tree_pair[k]
            k -= k & -k
        return value, pair

    def record(j: int, value: float, pair: int) -> None:
        k = j + 1
        while k <= m:
            if value > tree_value[k]:
                tree_value[k], tree_pair[k] = value, pair
            k += k & -k

    grams_of = _GramCache(canonical)
    best_total, best_last = 0.0, -1
    candidates_of, strong = _candidates(source, canonical)
    for i, candidates in enumerate(candidates_of):
        s = source[i]
        heading, key, strong_sim = s.heading, s.key, strong[i]
        s_grams = bigrams(s.text) if strong_sim is None else frozenset()
        row = []
        for j in candidates:
            c = canonical[j]
            if heading != c.heading:
                continue
            if strong_sim is not None:
                sim = strong_sim
            else:
                sim = dice(s_grams, grams_of(j))
            if key == c.key and sim >= MIN_SIMILARITY_WITH_LABEL:
                score = sim + LABEL_BONUS
            elif sim >= MIN_SIMILARITY_WITHOUT_LABEL:
                score = sim
            else:
                continue
            value, previous = best_before(j)
            row.append((j, value + score, previous, sim))
        for j, value, previous, sim in row:  # after the row's queries: i strictly increases
            pairs.append((i, j, sim))
            back.append(previous)
            record(j, value, len(pairs) - 1)
            if value > best_total:
                best_total, best_last = value, len(pairs) - 1
    matches: list[int | None] = [None] * n
    sims = [0.0] * n
    k = best_last
    while k >= 0:
        i, j, sim = pairs[k]
        matches[i], sims[i] = j, sim
        k = back[k]
    return _alignment(source, canonical, matches, sims)


def natural_key(key: str) -> tuple:
    """``c9`` before ``c10``: a key's digit runs compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|\D+", key)
    )


def merge_order(
    canonical_keys: Sequence[str],
    source_keys: Sequence[str | None],
    new_keys: Sequence[str],
    rank: Callable[[str], object] | None = None,
) -> list[str]:
    """The canonical order after adding a source's new units.

    ``source_keys[i]`` is the canonical key source unit i matched, or None when
    it is new, in which case ``new_keys[i]`` is the key it will have. The result
    keeps the canonical order and the source's order: it merges the two chains
    (matched units are shared). Where neither says which comes first (a new
    unit and a canonical unit this source lacks, in the same gap), the one of
    lower ``rank`` goes first (by default the key, digits as numbers), so two
    copies inserting units into the same gap give the same order whichever is
    imported first.
    """
    rank = rank or natural_key
    source_chain = [m if m is not None else n for m, n in zip(source_keys, new_keys, strict=True)]
    successors: dict[str, list[str]] = {}
    indegree: dict[str, int] = {}
    for sequence in (list(canonical_keys), source_chain):
        for key in sequence:
            indegree.setdefault(key, 0)
        for a, b in zip(sequence, sequence[1:], strict=False):
            successors.setdefault(a, []).append(b)
            indegree[b] += 1
    # Kahn's algorithm, the lowest rank first among the units free to go.
    # Both chains agree (alignment keeps the canonical order), so there is no
    # cycle; at most two units are free at a time.
    ready = [(rank(k), i, k) for i, k in enumerate(indegree) if indegree[k] == 0]
    heapq.heapify(ready)
    index = {k: i for i, k in enumerate(indegree)}
    out: list[str] = []
    while ready:
        _rank, _i, key = heapq.heappop(ready)
        out.append(key)
        for nxt in successors.get(key, []):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (rank(nxt), index[nxt], nxt))
    if len(out) != len(indegree):  # a source out of canonical order: never expected
        raise ValueError("the source's order contradicts the canonical order")
    return out
