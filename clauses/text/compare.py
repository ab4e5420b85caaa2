"""Two versions of a document compared unit by unit (新旧对照).

Framework-free: :func:`compare` takes two plain sequences of units, each a
``(key, label, text)`` triple in document order, and returns the pairs, each
with its relation and similarity. :func:`diff_sides` gives the characters a
pair deleted and inserted, for the del/ins marks.

The algorithm
-------------
1. **Similarity matrix.** Every old unit against every new one, in C
   (``rapidfuzz.process.cdist`` with ``LCSseq.similarity``): the length of
   the longest common subsequence ``L`` (in characters, white space removed).
   From it, ``similarity = 2L / (len(old) + len(new))`` (the Indel ratio, 0.0
   to 1.0) and ``containment = L / len(shorter)``.
2. **In-order pairing.** The candidate pairs are those at or above
   :data:`SIMILARITY_THRESHOLD`, and those where the shorter text (of
   :data:`CONTAINED_MIN_CHARS` characters or more) is :data:`CONTAINED` found
   in the longer (an article much extended or cut down); the order-preserving alignment of greatest
   total similarity among them (a heaviest increasing subsequence, LCS-like,
   over the candidates only: ``O(k log n)`` for ``k`` candidates) pairs units
   that kept their order. Order is thus the tie-break between equally similar
   units (boilerplate articles, repeated headings).
3. **Out-of-order pairing.** Units left over are paired greedily, most
   similar first (then nearest in relative position), still above the
   threshold: an article moved elsewhere.
4. **Splits and merges.** An old unit whose text is spread over a run of
   consecutive new units (each of them at least :data:`CONTAINMENT` contained
   in it, none paired elsewhere) is *split* when the run's joined text
   resembles it more than its best single partner did, by
   :data:`GROUP_GAIN`, and at least to the threshold; *merged* is the same
   with old and new swapped.
5. **Relations.** One old and one new unit: ``same`` when their texts are
   equal (white space aside), their labels equal, and the pair lies on the
   longest in-order chain of all 1:1 pairs; ``moved`` when the texts are
   equal but the label differs (renumbered: 第十条 → 第十二条) or the pair is
   out of order (not on that chain); ``changed`` when the texts differ (wherever
   the pair lies). One old, several new: ``split``; several old, one new:
   ``merged``; a unit without counterpart: ``added`` or ``removed``.

Editors' corrections come in as ``fixed`` groups, taken as they are and
kept out of the automatic pairing.

The pairs come back in the new document's order; a removed unit stands
after the pair of the nearest old unit before it that has a counterpart
(at the start when there is none).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from .collate import diff_opcodes

#: Below this similarity (2·LCS / total length, 0.0–1.0) two units are not
#: paired by themselves: each is listed without counterpart. Unrelated policy
#: texts share many characters (的, 和, 发展, 建设…); 0.5 keeps them apart while
#: an article rewritten in half of its wording is still found.
SIMILARITY_THRESHOLD = 0.5
#: A unit is part of another when this share of the shorter one's characters
#: (its LCS with the longer one) is found in the longer one.
CONTAINMENT = 0.8
#: An article extended or cut down much is still paired with its other
#: version when this share of the shorter text is found in the longer one
#: (and the shorter has at least :data:`CONTAINED_MIN_CHARS` characters),
#: whatever the similarity.
CONTAINED = 0.9
CONTAINED_MIN_CHARS = 20
#: A split or merge must raise the similarity of the best single pair by this much.
GROUP_GAIN = 0.1

RELATIONS = ("same", "changed", "moved", "split", "merged", "added", "removed")


@dataclass(frozen=True)
class CompareUnit:
    """One unit of a version: its key, its label as printed (may be empty), its text."""

    key: str
    label: str
    text: str


@dataclass
class Pair:
    """Old units and new units that correspond (either side may be empty).

    ``old``/``new`` are the units' keys in document order; ``relation`` is one
    of :data:`RELATIONS`; ``similarity`` is 2·LCS / total length of the joined
    texts (white space removed), 0.0 for added and removed units; ``fixed`` is
    true when an editor's correction made it.
    """

    old: tuple[str, ...]
    new: tuple[str, ...]
    relation: str
    similarity: float
    fixed: bool = False
    in_order: bool = field(default=True, repr=False)

    def as_json(self) -> dict:
        return {
            "old": list(self.old),
            "new": list(self.new),
            "relation": self.relation,
            "similarity": round(self.similarity, 3),
        }


def _squeeze(text: str) -> str:
    return "".join(text.split())


def similarity(a: str, b: str) -> float:
    """2·LCS / (len a + len b) of the two texts, white space removed (0.0–1.0;
    1.0 for two empty texts)."""
    a, b = _squeeze(a), _squeeze(b)
    if not a and not b:
        return 1.0
    return fuzz.ratio(a, b) / 100.0


def _as_units(units: Sequence) -> list[CompareUnit]:
    return [u if isinstance(u, CompareUnit) else CompareUnit(*u) for u in units]


def _heaviest_chain(cands: list[tuple[int, int, float]], width: int) -> list[tuple[int, int]]:
    """The chain of (i, j) strictly increasing in both, of greatest total weight.

    ``cands`` are (i, j, weight) sorted by i; a Fenwick tree over j holds the
    best chain ending before each j: O(k log width)."""
    size = width + 1
    tree_val = [0.0] * (size + 1)
    tree_at = [-1] * (size + 1)
    best_val: list[float] = [0.0] * len(cands)
    back: list[int] = [-1] * len(cands)

    def query(j: int) -> tuple[float, int]:  # best over positions < j (1-based j)
        val, at = 0.0, -1
        while j > 0:
            if tree_val[j] > val:
                val, at = tree_val[j], tree_at[j]
            j -= j & -j
        return val, at

    def update(j: int, val: float, at: int) -> None:
        while j <= size:
            if val > tree_val[j]:
                tree_val[j], tree_at[j] = val, at
            j += j & -j

    k = 0
    while k < len(cands):
        end = k
        while end < len(cands) and cands[end][0] == cands[k][0]:
            end += 1
        for t in range(k, end):  # queries before updates: one i, one pair at most
            _i, j, w = cands[t]
            val, at = query(j + 1)
            best_val[t], back[t] = val + w, at
        for t in range(k, end):
            update(cands[t][1] + 2, best_val[t], t)
        k = end
    if not cands:
        return []
    t = max(range(len(cands)), key=lambda x: (best_val[x], -x))
    chain = []
    while t != -1:
        chain.append((cands[t][0], cands[t][1]))
        t = back[t]
    return chain[::-1]


def _longest_in_order(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The longest chain of pairs increasing in both coordinates (ties: the first)."""
    ordered = sorted(pairs)
    return set(
        _heaviest_chain(
            [(i, j, 1.0) for i, j in ordered], max((j for _, j in pairs), default=0) + 1
        )
    )


def _runs(indices: Sequence[int]) -> list[list[int]]:
    """Maximal runs of consecutive integers in a sorted sequence."""
    runs: list[list[int]] = []
    for x in indices:
        if runs and runs[-1][-1] == x - 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return runs


def _groups(
    lcs: np.ndarray,
    big: list[str],
    small: list[str],
    partner_of_big: dict[int, int],
    owner_of_small: dict[int, int],
    free_big: set[int],
) -> list[tuple[int, list[int]]]:
    """Runs of consecutive ``small`` units that together are one ``big`` unit.

    ``lcs[b, s]`` is the LCS length of big unit b and small unit s. A small
    unit may join b's run when it is free or b's own partner
    (``partner_of_big``); ``owner_of_small`` maps paired small units to their
    big partner. Returns (b, run) for each accepted group."""
    big_len = np.array([max(len(t), 1) for t in big], dtype=np.float64)
    small_len = np.array([max(len(t), 1) for t in small], dtype=np.float64)
    contained = (lcs / small_len[None, :] >= CONTAINMENT) & (small_len[None, :] < big_len[:, None])
    rows = np.nonzero(contained.sum(axis=1) >= 2)[0]
    taken: set[int] = set()
    groups = []
    for b in rows.tolist():
        if b not in free_big:
            continue
        own = partner_of_big.get(b)
        allowed = [
            s
            for s in np.nonzero(contained[b])[0].tolist()
            if s not in taken and (owner_of_small.get(s) is None or s == own)
        ]
        single = similarity(big[b], small[own]) if own is not None else 0.0
        best = None
        for run in _runs(allowed):
            if len(run) < 2 or (own is not None and own not in run):
                continue
            score = similarity(big[b], "".join(small[s] for s in run))
            if score >= SIMILARITY_THRESHOLD and score >= single + GROUP_GAIN:
                if best is None or score > best[0]:
                    best = (score, run)
        if best is not None:
            groups.append((b, best[1]))
            taken.update(best[1])
    return groups


def compare(
    old: Sequence,
    new: Sequence,
    fixed: Sequence[tuple[Sequence[str], Sequence[str]]] = (),
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[Pair]:
    """Pair the units of ``old`` with those of ``new`` (see the module docstring).

    ``old`` and ``new`` are sequences of :class:`CompareUnit` or
    ``(key, label, text)`` tuples, in document order, keys unique within each.
    ``fixed`` holds editors' corrections, each ``(old keys, new keys)``: a
    group to take as it is (one side empty: those units have no
    counterpart); unknown keys are ignored, and a unit in two corrections
    keeps the first. Returns every unit of both sides exactly once, in the
    new document's order (module docstring). Cost: one C similarity matrix
    (``len(old) × len(new)``), then O(k log n) over the ``k`` candidate pairs.
    """
    olds, news = _as_units(old), _as_units(new)
    o_text = [_squeeze(u.text) for u in olds]
    n_text = [_squeeze(u.text) for u in news]
    o_index = {u.key: i for i, u in enumerate(olds)}
    n_index = {u.key: j for j, u in enumerate(news)}

    groups: list[tuple[list[int], list[int], bool]] = []  # (old idx, new idx, fixed)
    used_o: set[int] = set()
    used_n: set[int] = set()
    for old_keys, new_keys in fixed:
        oi = sorted({o_index[k] for k in old_keys if k in o_index} - used_o)
        nj = sorted({n_index[k] for k in new_keys if k in n_index} - used_n)
        if not oi and not nj:
            continue
        groups.append((oi, nj, True))
        used_o.update(oi)
        used_n.update(nj)

    free_o = [i for i in range(len(olds)) if i not in used_o]
    free_n = [j for j in range(len(news)) if j not in used_n]
    pairs: dict[int, int] = {}  # old index -> new index, automatic 1:1
    if free_o and free_n:
        lcs = process.cdist(
            [o_text[i] for i in free_o],
            [n_text[j] for j in free_n],
            scorer=LCSseq.similarity,
            dtype=np.int32,
            workers=-1,  # every core: the matrix is the cost of a long comparison
        ).astype(np.float64)
        o_len = np.array([len(o_text[i]) for i in free_o], dtype=np.float64)
        n_len = np.array([len(n_text[j]) for j in free_n], dtype=np.float64)
        total = o_len[:, None] + n_len[None, :]
        ratio = np.divide(2 * lcs, total, out=np.ones_like(lcs), where=total > 0)
        # Candidates: similar enough, or one text (long enough) inside the other.
        shorter = np.minimum(o_len[:, None], n_len[None, :])
        inside = (shorter >= CONTAINED_MIN_CHARS) & (lcs >= CONTAINED * np.maximum(shorter, 1))
        # In order: the heaviest increasing chain over the candidates.
        ci, cj = np.nonzero((ratio >= threshold) | inside)
        cands = [(int(a), int(b), float(ratio[a, b])) for a, b in zip(ci, cj, strict=True)]
        for a, b in _heaviest_chain(cands, len(free_n)):
            pairs[a] = b
        # Out of order: greedily, most similar first, then nearest in position.
        paired_b = set(pairs.values())
        rest = [(a, b, w) for a, b, w in cands if a not in pairs and b not in paired_b]
        rest.sort(key=lambda c: (-c[2], abs(c[0] / len(free_o) - c[1] / len(free_n)), c[0]))
        for a, b, _w in rest:
            if a not in pairs and b not in paired_b:
                pairs[a] = b
                paired_b.add(b)
        # Splits (one old, a run of new) and merges (a run of old, one new).
        owner_new = {b: a for a, b in pairs.items()}
        free_old_local = set(range(len(free_o)))
        o_local = [o_text[i] for i in free_o]
        n_local = [n_text[j] for j in free_n]
        in_groups_n: set[int] = set()
        for a, run in _groups(lcs, o_local, n_local, pairs, owner_new, free_old_local):
            pairs.pop(a, None)
            for b in run:
                owner_new.pop(b, None)
            groups.append(([free_o[a]], [free_n[b] for b in run], False))
            used_o.add(free_o[a])
            used_n.update(free_n[b] for b in run)
            in_groups_n.update(run)
        partner_new = {b: a for a, b in pairs.items()}
        free_new_local = set(range(len(free_n))) - in_groups_n
        owner_old = {a: b for a, b in pairs.items() if free_o[a] not in used_o}
        for b, run in _groups(lcs.T, n_local, o_local, partner_new, owner_old, free_new_local):
            if any(free_o[a] in used_o for a in run):
                continue
            for a in run:
                pairs.pop(a, None)
            groups.append(([free_o[a] for a in run], [free_n[b]], False))
            used_o.update(free_o[a] for a in run)
            used_n.add(free_n[b])
    for a, b in pairs.items():
        groups.append(([free_o[a]], [free_n[b]], False))
        used_o.add(free_o[a])
        used_n.add(free_n[b])
    groups += [([i], [], False) for i in range(len(olds)) if i not in used_o]
    groups += [([], [j], False) for j in range(len(news)) if j not in used_n]

    # Which 1:1 pairs keep their order: the longest in-order chain of all pairs.
    ones = [(g[0][0], g[1][0]) for g in groups if len(g[0]) == 1 and len(g[1]) == 1]
    in_order = _longest_in_order(ones)
    # Where removed units go: after the nearest earlier old unit that has a
    # counterpart in order, or that is in a split or merge (by old index).
    anchors = sorted(
        [(a, b) for a, b in in_order]
        + [(max(g[0]), max(g[1])) for g in groups if g[0] and g[1] and len(g[0]) + len(g[1]) > 2]
    )
    anchor_old = [a for a, _b in anchors]

    out: list[tuple[tuple, Pair]] = []
    for oi, nj, is_fixed in groups:
        old_joined = "".join(o_text[i] for i in oi)
        new_joined = "".join(n_text[j] for j in nj)
        if oi and nj:
            sim = similarity(old_joined, new_joined)
            if len(oi) == 1 and len(nj) == 1:
                ordered = (oi[0], nj[0]) in in_order
                if old_joined != new_joined:
                    relation = "changed"
                elif ordered and olds[oi[0]].label == news[nj[0]].label:
                    relation = "same"
                else:
                    relation = "moved"
            else:
                ordered = True
                relation = "split" if len(oi) == 1 else "merged" if len(nj) == 1 else "changed"
            key = (nj[0], 0, oi[0])
        elif nj:
            sim, relation, ordered = 0.0, "added", True
            key = (nj[0], 0, -1)
        else:
            sim, relation, ordered = 0.0, "removed", True
            at = bisect_left(anchor_old, oi[0]) - 1
            key = (anchors[at][1] if at >= 0 else -1, 1, oi[0])
        pair = Pair(
            old=tuple(olds[i].key for i in oi),
            new=tuple(news[j].key for j in nj),
            relation=relation,
            similarity=sim,
            fixed=is_fixed,
            in_order=ordered,
        )
        out.append((key, pair))
    out.sort(key=lambda kp: kp[0])
    return [p for _k, p in out]


def diff_sides(
    old_texts: Sequence[str], new_texts: Sequence[str]
) -> tuple[list[list[tuple[str, str]]], list[list[tuple[str, str]]]]:
    """The characters a pair kept, deleted and inserted, cut back to its units.

    The old units' texts joined are diffed against the new units' joined
    (``clauses.text.collate.diff_opcodes``, the collation engine's own diff).
    Returns (old side, new side): for each unit, its text as segments
    ``(kind, text)``, kind ``same``/``del`` on the old side and
    ``same``/``ins`` on the new; each unit's segments join back to its text
    exactly (nothing lost or added, white space included).
    """
    a, b = "".join(old_texts), "".join(new_texts)
    old_marks: list[tuple[int, int, str]] = []
    new_marks: list[tuple[int, int, str]] = []
    for tag, i1, i2, j1, j2 in diff_opcodes(a, b):
        if tag == "equal":
            old_marks.append((i1, i2, "same"))
            new_marks.append((j1, j2, "same"))
        else:
            if i2 > i1:
                old_marks.append((i1, i2, "del"))
            if j2 > j1:
                new_marks.append((j1, j2, "ins"))
    return _cut(a, old_marks, old_texts), _cut(b, new_marks, new_texts)


def _cut(
    joined: str, marks: list[tuple[int, int, str]], texts: Sequence[str]
) -> list[list[tuple[str, str]]]:
    """Marked spans of ``joined`` cut at the boundaries of ``texts`` (its parts)."""
    out: list[list[tuple[str, str]]] = []
    start = 0
    for text in texts:
        end = start + len(text)
        segments: list[tuple[str, str]] = []
        for s, e, kind in marks:
            lo, hi = max(s, start), min(e, end)
            if lo < hi:
                if segments and segments[-1][0] == kind:
                    segments[-1] = (kind, segments[-1][1] + joined[lo:hi])
                else:
                    segments.append((kind, joined[lo:hi]))
        out.append(segments)
        start = end
    return out
