from itertools import permutations
from pathlib import Path

import pytest

from clauses.text import align as align_module
from clauses.text.align import AlignUnit, align, merge_order, similarity

from .seeds import prepared


def units(name):
    return [AlignUnit(u.key, u.kind == "heading", u.text) for u in prepared(name).units]


def test_similarity_is_a_dice_coefficient_of_bigrams():
    assert similarity("互相贯通", "互相贯通") == 1.0
    assert similarity("互相贯通", "互通互转") == 0.0
    assert round(similarity("安全健康权益", "健康安全权益"), 2) == 0.6


def test_a_copy_missing_a_heading_aligns_everything_else_by_label():
    a = align(units("001"), units("000"))
    src = [u.key for u in prepared("001").units]
    matched = {src[i] for i, j in enumerate(a.matches) if j is not None}
    assert matched == set(src) - {"p1", "s1", "s1.p1", "s1.p2"}
    assert a.document_similarity > 0.9


def test_damaged_labels_align_by_text():
    canon = units("000")
    damaged = [
        AlignUnit("p9" if u.key == "c13" else u.key, u.heading, u.text) for u in units("004")
    ]
    a = align(damaged, canon)
    i = [u.key for u in damaged].index("p9")
    assert canon[a.matches[i]].key == "c13"


def test_the_2017_plan_is_not_the_2024_opinion():
    assert align(units("002"), units("003")).document_similarity < 0.1
    assert align(units("003"), units("002")).document_similarity < 0.1


def test_merge_order_does_not_depend_on_import_order():
    """Whatever the order of the four copies, the canonical order is the same."""
    results = set()
    for order in permutations(["000", "001", "003", "004"]):
        canon: list[str] = []
        texts: dict[str, AlignUnit] = {}
        for name in order:
            src = units(name)
            current = [texts[k] for k in canon]
            a = align(src, current)
            matched = [current[j].key if j is not None else None for j in a.matches]
            new_keys = [u.key for u in src]
            canon = merge_order(canon, matched, new_keys)
            for u, m in zip(src, matched, strict=True):
                texts.setdefault(m or u.key, u)
        results.add(tuple(canon))
    assert len(results) == 1
    (canon,) = results
    assert canon[:5] == ("p1", "s1", "s1.p1", "s1.p2", "s2")
    assert canon[canon.index("c13") + 1] == "s6"
    assert len(canon) == 39


CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
#: Pairs of real texts: copies of one document, two versions of a law, and
#: two different documents (the 2017 Plan against the 2024 Opinion).
PAIRS = [
    ("seed:001", "seed:000"),
    ("seed:004", "seed:000"),
    ("seed:002", "seed:003"),
    ("laws/lifa-2023.md", "laws/lifa-2015.md"),
    ("laws/cishan-2023.md", "laws/cishan-2016.md"),
    ("pages/d03-gonghuifa2001-psjzj.txt", "pages/d02-gonghuifa-lawrefbook.txt"),
    ("pages/d13-zhuanli-daili-tiaoli-lawrefbook.txt", "pages/d06-zhuanli-daili-tiaoli-govcn.txt"),
]


def _units_of(name):
    if name.startswith("seed:"):
        return units(name[5:])
    from clauses.text.pipeline import prepare

    p = prepare((CORPUS / name).read_bytes(), name)
    return [AlignUnit(u.key, u.kind == "heading", u.text) for u in p.units]


@pytest.mark.parametrize(("source", "canonical"), PAIRS)
def test_the_sparse_alignment_of_long_texts_finds_the_exact_one(source, canonical):
    """Above DENSE_MAX_PAIRS the alignment scores candidate pairs only (and
    takes a same-label pair of ≥ STRONG_MATCH similarity as a unit's only
    candidate): on real pairs it finds what scoring every pair finds."""
    s, c = _units_of(source), _units_of(canonical)
    dense = _dense(s, c)
    sparse = align_module._sparse_align(s, c)
    assert sparse.matches == dense.matches
    assert sparse.document_similarity == pytest.approx(dense.document_similarity)


def _dense(s, c):
    saved = align_module.DENSE_MAX_PAIRS
    align_module.DENSE_MAX_PAIRS = len(s) * len(c)
    try:
        return align_module.align(s, c)
    finally:
        align_module.DENSE_MAX_PAIRS = saved


def test_a_varied_long_copy_aligns_unit_for_unit():
    """A copy of some 700 units, each with a character changed, aligns each
    unit to its own (the sparse path, with the strong same-label shortcut),
    and a unit whose label was lost still finds its text."""
    canon = [
        AlignUnit(
            f"c{i}", False, "".join(chr(0x4E00 + (i * 131 + k * 7) % 5000) for k in range(60))
        )
        for i in range(700)
    ]
    copy = [AlignUnit(u.key, u.heading, u.text[:30] + "某" + u.text[31:]) for u in canon]
    copy[350] = AlignUnit("p1", False, copy[350].text)  # its label lost
    a = align(copy, canon)
    assert a.matches == list(range(700))


FUZZED = [
    "seed:000",
    "laws/lifa-2023.md",
    "pages/d08-liangshi-yingji-yuan-govcn.txt",
    "laws/cishan-2016.md",
]


def _perturbed(units, rng):
    """A copy of ``units`` with one to four of the damages copies show: a unit
    dropped, two swapped, one doubled, one edited, a label lost to its
    neighbour's, positional keys shifted by a paragraph more."""
    src = [[u.key, u.heading, u.text] for u in units]
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["drop", "swap", "dup", "edit", "relabel", "insert"])
        i = rng.randrange(len(src) - 1)
        if op == "drop":
            del src[i]
        elif op == "swap":
            src[i], src[i + 1] = src[i + 1], src[i]
        elif op == "dup":
            src.insert(i, list(src[i]))
        elif op == "edit":
            text = list(src[i][2])
            for _ in range(max(1, len(text) // 5)):
                if text:
                    text[rng.randrange(len(text))] = "某"
            src[i][2] = "".join(text)
        elif op == "relabel":
            src[i][0] = src[i + 1][0]
        else:  # a paragraph more: the keys after it, in its run, move one up
            keys = [k for k, _h, _t in src]
            for k in range(len(src) - 1, i, -1):
                if not src[k][1] and not src[k - 1][1]:
                    src[k][0] = keys[k - 1]
            src.insert(i + 1, [keys[i] + "x", False, "（本段为新增内容）"])
    return [AlignUnit(k, h, t) for k, h, t in src]


@pytest.mark.parametrize("name", FUZZED)
def test_the_sparse_alignment_pairs_what_the_exact_one_pairs_on_damaged_copies(name):
    """Forty damaged copies of each of four real texts: every unit that scoring
    every pair matches with a unit of the same text, the sparse alignment (with
    its same-label shortcut) matches with a unit of that text too. (Where two
    units are swapped, the exact score may prefer pairing each with the
    other's unit, which the sparse alignment need not copy.)"""
    import random
    import zlib

    canon = _units_of(name)
    rng = random.Random(zlib.crc32(name.encode()))
    wrong = []
    for _trial in range(40):
        copy = _perturbed(canon, rng)
        sparse = align_module._sparse_align(copy, canon)
        dense = _dense(copy, canon)
        for i, (x, y) in enumerate(zip(sparse.matches, dense.matches, strict=True)):
            if y is not None and canon[y].text == copy[i].text:
                if x is None or canon[x].text != copy[i].text:
                    wrong.append((copy[i].key, copy[i].text[:12]))
    assert wrong == []
