from itertools import permutations

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
