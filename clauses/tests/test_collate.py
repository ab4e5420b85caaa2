"""Tests of the collation engine (clauses/text/collate.py).

Plain pytest + hypothesis; no Django, no database:
    .venv/bin/python -m pytest clauses/tests/test_collate.py -p no:django -q
"""

from __future__ import annotations

import dataclasses
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clauses.text.collate import (
    MERGE_GAP,
    OCR_CONFUSABLE_PAIRS,
    SITE_TYPES,
    Override,
    VariantSite,
    apply,
    classify,
    collate,
    consensus,
    diff_opcodes,
    is_punctuation,
    make_override,
    rank_keys,
    rank_sigla,
)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def check_sites(canonical: str, readings: dict[str, str], sites: list[VariantSite]) -> None:
    """The invariants every collation must satisfy."""
    prev_end, prev_lacuna = -1, False
    for s in sites:
        assert 0 <= s.start <= s.end <= len(canonical)
        lacuna = s.type == "lacuna"
        if lacuna or prev_lacuna:  # a lacuna may touch its neighbour
            assert s.start >= prev_end, f"sites overlap: {sites}"
        else:
            assert s.start > prev_end, f"sites overlap or touch: {sites}"
        prev_end, prev_lacuna = s.end, lacuna
        assert set(s.readings) == set(readings)
        lemma = canonical[s.start : s.end]
        assert any(r != lemma for r in s.readings.values()), "site without a difference"
        assert s.type in set(SITE_TYPES)
        assert s.type == classify(lemma, s.readings, bool(s.lacunae))
        assert lacuna == bool(s.lacunae)
        for side in s.lacunae.values():
            assert (side == "begins" and s.start == 0) or (
                side == "ends" and s.end == len(canonical)
            )
        if s.likely_ocr:
            assert s.type == "substitution"
    for sig, text in readings.items():
        assert apply(canonical, sites, sig) == text, sig


def spans(canonical: str, sites: list[VariantSite]) -> list[tuple[str, dict[str, str], str]]:
    return [(canonical[s.start : s.end], s.readings, s.type) for s in sites]


# ---------------------------------------------------------------------------
# real snippets
# ---------------------------------------------------------------------------

C13 = (
    "推进学历教育学习成果、非学历教育学习成果、职业技能等级学分转换互认，"
    "建立学习成果互相贯通机制，完善产业工人技能等级认定"
)


def test_clause_13_three_readings_are_one_phrase_site():
    readings = {
        "000": C13,
        "001": C13.replace("互相贯通", "互通"),
        "004": C13.replace("互相贯通", "互通互转"),
    }
    sites = collate(C13, readings)
    check_sites(C13, readings, sites)
    assert spans(C13, sites) == [
        ("互相贯通", {"000": "互相贯通", "001": "互通", "004": "互通互转"}, "substitution")
    ]
    start = C13.index("互相贯通")
    assert (sites[0].start, sites[0].end) == (start, start + 4)


def test_clause_13_as_canonical_the_other_way_round():
    canon = C13.replace("互相贯通", "互通互转")
    readings = {"A": canon, "B": C13}
    sites = collate(canon, readings)
    check_sites(canon, readings, sites)
    assert spans(canon, sites) == [("互通互转", {"A": "互通互转", "B": "互相贯通"}, "substitution")]


C16 = "（十六）有效维护产业工人安全健康权益。压实企业安全生产责任，实施高危行业领域从业人员安全技能提升专项行动"


def test_clause_16_swap_is_one_transposition_site():
    readings = {"000": C16, "001": C16, "004": C16.replace("安全健康", "健康安全")}
    sites = collate(C16, readings)
    check_sites(C16, readings, sites)
    assert spans(C16, sites) == [
        ("安全健康", {"000": "安全健康", "001": "安全健康", "004": "健康安全"}, "transposition")
    ]
    assert sites[0].likely_ocr is False


def test_ocr_confusion_jinguo():
    canon = "举办大国工匠创新交流大会。加强巾帼工匠培养，充分发挥作用。"
    readings = {"000": canon, "001": canon, "004": canon.replace("巾帼", "中帼")}
    sites = collate(canon, readings)
    check_sites(canon, readings, sites)
    assert len(sites) == 1
    s = sites[0]
    assert canon[s.start : s.end] == "巾帼"  # the word, not the character
    assert s.readings == {"000": "巾帼", "001": "巾帼", "004": "中帼"}
    assert s.type == "substitution"
    assert s.likely_ocr is True
    assert s.ocr_pairs == (("巾", "中"),)


def test_ocr_needs_every_differing_char_confusable():
    canon = "已经完成土地确权"
    sites = collate(canon, {"A": canon, "B": "己经完成士地确权"})
    assert [(s.likely_ocr, s.ocr_pairs) for s in sites] == [
        (True, (("已", "己"),)),
        (True, (("土", "士"),)),
    ]
    sites = collate(canon, {"A": canon, "B": "己经完成国地确权"})  # 土/国 is not OCR
    assert [s.likely_ocr for s in sites] == [True, False]


def test_ocr_table_is_symmetric_groups():
    assert frozenset("巾中") in OCR_CONFUSABLE_PAIRS
    assert frozenset("戌戍") in OCR_CONFUSABLE_PAIRS
    assert frozenset("千于") in OCR_CONFUSABLE_PAIRS
    assert frozenset("甲申") in OCR_CONFUSABLE_PAIRS
    assert frozenset("工人") not in OCR_CONFUSABLE_PAIRS


def test_punctuation_site():
    canon = "学历教育学习成果、非学历教育学习成果、职业技能"
    readings = {"A": canon, "B": canon.replace("成果、非", "成果，非")}
    sites = collate(canon, readings)
    check_sites(canon, readings, sites)
    assert spans(canon, sites) == [("、", {"A": "、", "B": "，"}, "punctuation")]


def test_dropped_comma_is_punctuation_not_omission():
    canon = "实现培训信息与就业、社会保障信息互联互通，服务事项一网通办。"
    readings = {"000": canon, "004": canon.replace("互通，服务", "互通服务")}
    sites = collate(canon, readings)
    assert spans(canon, sites) == [("，", {"000": "，", "004": ""}, "punctuation")]


def test_omission_and_addition():
    canon = "发挥职工代表大会对企业安全生产工作的监督作用。"
    omit = canon.replace("工作的监督", "工作监督")
    readings = {"000": canon, "004": omit}
    sites = collate(canon, readings)
    check_sites(canon, readings, sites)
    assert spans(canon, sites) == [("的", {"000": "的", "004": ""}, "omission")]
    # the other way round the same difference is an addition at a point
    sites = collate(omit, readings)
    check_sites(omit, readings, sites)
    assert spans(omit, sites) == [("", {"000": "的", "004": ""}, "addition")]
    assert sites[0].start == sites[0].end == omit.index("监督")


def test_insertion_slides_to_the_word_it_repeats():
    canon = "社会保障信息互通，服务"
    readings = {"A": canon, "B": "社会保障信息互联互通，服务"}
    sites = collate(canon, readings)
    check_sites(canon, readings, sites)
    assert [(s.start, s.end, s.readings["B"], s.type) for s in sites] == [
        (6, 6, "互联", "addition")
    ]


def test_mixed_omission_and_substitution_is_substitution():
    canon = "不断提高产业工人素质"
    readings = {"A": canon, "B": "提高产业工人素质", "C": "持续提高产业工人素质"}
    sites = collate(canon, readings)
    check_sites(canon, readings, sites)
    assert spans(canon, sites) == [("不断", {"A": "不断", "B": "", "C": "持续"}, "substitution")]


def test_merge_gap_one_equal_char_merges_two_do_not():
    assert MERGE_GAP == 2
    # Rare characters that form no word, so only the merge gap decides.
    canon = "丌亍丨丶丿乀乁乂乚乛"
    one = {"A": canon, "B": "丌木丨水丿乀乁乂乚乛"}  # 亍→木, 丶→水: one 丨 between
    sites = collate(canon, one)
    check_sites(canon, one, sites)
    assert spans(canon, sites) == [("亍丨丶", {"A": "亍丨丶", "B": "木丨水"}, "substitution")]
    two = {"A": canon, "B": "丌木丨丶火乀乁乂乚乛"}  # 亍→木, 丿→火: 丨丶 between
    sites = collate(canon, two)
    check_sites(canon, two, sites)
    assert [canon[s.start : s.end] for s in sites] == ["亍", "丿"]


def test_differences_of_different_sources_merge():
    canon = "加快建设制造强国的骨干力量"
    readings = {"A": canon, "B": "加快建成制造强国的骨干力量", "C": "加快建设智造强国的骨干力量"}
    sites = collate(canon, readings)
    check_sites(canon, readings, sites)
    # 设→成 and 制→智 touch; the site grows to the words 建设 and 制造.
    assert spans(canon, sites) == [
        ("建设制造", {"A": "建设制造", "B": "建成制造", "C": "建设智造"}, "substitution"),
    ]


def test_single_source_and_agreeing_sources_have_no_sites():
    assert collate("产业工人", {"A": "产业工人"}) == []
    assert collate("产业工人", {"A": "产业工人", "B": "产业工人"}) == []
    assert collate("产业工人", {}) == []
    res = consensus({"A": "产业工人"})
    assert (res.text, res.sites) == ("产业工人", [])


def test_empty_reading_is_an_omission_of_everything():
    readings = {"A": "产业工人", "B": ""}
    sites = collate("产业工人", readings)
    check_sites("产业工人", readings, sites)
    assert spans("产业工人", sites) == [("产业工人", {"A": "产业工人", "B": ""}, "omission")]
    readings = {"A": "", "B": ""}
    assert collate("", readings) == []


def test_classify_precedence():
    assert classify("、", {"A": "，"}) == "punctuation"
    assert classify("安全，健康", {"A": "安全健康"}) == "punctuation"
    assert classify("安全健康", {"A": "健康安全", "B": "全安康健"}) == "transposition"
    assert classify("安全健康", {"A": "健康安全", "B": "安全"}) == "substitution"
    assert classify("", {"A": "党的"}) == "addition"
    assert classify("党的", {"A": "", "B": "党的"}) == "omission"
    assert classify("党的", {"A": "", "B": "党"}) == "substitution"


def test_is_punctuation():
    for ch in "，。：；（）、“”《》…—！？,.:;()!?\"'-":
        assert is_punctuation(ch), ch
    for ch in "中a1　 ":
        assert not is_punctuation(ch), ch


def test_as_dict_is_json_ready():
    canon = "加强巾帼工匠培养"
    (site,) = collate(canon, {"A": canon, "B": "加强中帼工匠培养"})
    d = site.as_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == {
        "start": 2,
        "end": 4,
        "type": "substitution",
        "readings": {"A": "巾帼", "B": "中帼"},
        "likely_ocr": True,
        "ocr_pairs": [["巾", "中"]],
    }


def test_diff_opcodes_cover_both_strings():
    a = "建立健全各级协调劳动关系三方委员会"
    b = "建立各级协调劳动关系三方机制委员会"
    ops = diff_opcodes(a, b)
    i = j = 0
    out = []
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (i, j)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        out.append(b[j1:j2])
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    assert "".join(out) == b
    assert [o[0] for o in ops] == ["equal", "delete", "equal", "insert", "equal"]


# ---------------------------------------------------------------------------
# consensus and overrides
# ---------------------------------------------------------------------------


def test_consensus_majority_of_three():
    a = "加强中帼工匠培养，充分发挥作用。"
    b = "加强巾帼工匠培养，充分发挥作用。"
    res = consensus({"004": a, "000": b, "001": b})
    assert res.text == b
    assert spans(res.text, res.sites) == [
        ("巾帼", {"000": "巾帼", "001": "巾帼", "004": "中帼"}, "substitution")
    ]
    assert res.applied == [] and res.unapplied == []


def test_consensus_tie_broken_by_priority():
    x = "推进学历教育学习成果互相贯通机制"
    y = "推进学历教育学习成果互通机制"
    assert consensus({"A": x, "B": y}, priority=["B"]).text == y
    assert consensus({"A": x, "B": y}, priority=["Z", "B", "A"]).text == y
    assert consensus({"A": x, "B": y}, priority=["A"]).text == x
    three = {"A": "甲乙丙", "B": "甲丁丙", "C": "甲戊丙"}
    assert consensus(three, priority=["C"]).text == "甲戊丙"
    assert consensus(three, priority=["B", "C"]).text == "甲丁丙"
    # rank keys: equal keys are equally authoritative
    keys = {"A": (1, 0), "B": (0, 5), "C": (1, 0)}
    assert consensus(three, priority=keys).text == "甲丁丙"


def test_a_tie_is_marked_and_decided_by_content_not_sigla():
    x = "推进学历教育学习成果互相贯通机制"
    y = "推进学历教育学习成果互通机制"
    for sigla in (("A", "B"), ("B", "A"), ("Z", "a")):
        res = consensus({sigla[0]: x, sigla[1]: y})
        assert res.text == x  # the longer reading: an omission never wins a tie
        assert [s.tie for s in res.sites] == [True]
    # equal rank keys are a tie too; a better key is not
    assert consensus({"A": x, "B": y}, priority={"A": 1, "B": 1}).sites[0].tie
    res = consensus({"A": x, "B": y}, priority={"A": 2, "B": 1})
    assert res.text == y and not res.sites[0].tie
    # a majority is not a tie
    assert not consensus({"A": x, "B": y, "C": y}).sites[0].tie


def test_supporters_compared_best_first():
    """Two against two: the side with the better-ranked best supporter wins;
    when those are equal, the next ones decide."""
    x, y = "加强中高级工匠培养", "加强巾帼工匠培养"
    readings = {"A": x, "B": y, "C": x, "D": y}
    official, paper, web = (0,), (1,), (2,)
    res = consensus(readings, priority={"A": paper, "B": official, "C": web, "D": web})
    assert res.text == y and not res.sites[0].tie
    res = consensus(readings, priority={"A": paper, "B": paper, "C": paper, "D": web})
    assert res.text == x and not res.sites[0].tie


def test_derived_copies_do_not_vote():
    x, y = "加强中高级工匠培养", "加强巾帼工匠培养"
    readings = {"A": x, "B": y, "C": y}
    assert consensus(readings).text == y
    res = consensus(readings, voters=["A", "B"], priority=["A"])
    assert res.text == x  # C, made from B, does not vote: A and B tie, A ranks first
    assert res.sites[0].readings == {"A": "中高级", "B": "巾帼", "C": "巾帼"}  # C is collated
    # a unit only derived copies have still gets a text
    assert consensus({"C": y}, voters=["A"]).text == y


def test_consensus_mixes_majorities_site_by_site():
    readings = {
        "A": "深化产业工人队伍建设改革，团结引导产业工人",
        "B": "深化产业工人队伍建设改革，团结带领产业工人",
        "C": "推动产业工人队伍建设改革，团结带领产业工人",
    }
    res = consensus(readings, priority=["C"])
    assert res.text == "深化产业工人队伍建设改革，团结带领产业工人"
    assert spans(res.text, res.sites) == [
        ("深化", {"A": "深化", "B": "深化", "C": "推动"}, "substitution"),
        ("带领", {"A": "引导", "B": "带领", "C": "带领"}, "substitution"),
    ]


def test_rank_sigla():
    assert rank_sigla(["b", "a", "c"], ["c", "x"]) == ["c", "a", "b"]
    assert rank_sigla(["b", "a"]) == ["a", "b"]
    assert rank_keys(["b", "a"]) == {"a": (1,), "b": (1,)}  # unranked: equal
    assert rank_keys(["b", "a"], {"b": (3, "x")}) == {"a": (1,), "b": (0, (3, "x"))}


# ---------------------------------------------------------------------------
# transpositions and lacunae
# ---------------------------------------------------------------------------

SPIRIT = "大力弘扬劳模精神、劳动精神、工匠精神，营造劳动光荣的社会风尚。"


def test_swapped_phrases_are_one_transposition():
    swapped = SPIRIT.replace("劳动精神、工匠精神", "工匠精神、劳动精神")
    readings = {"A": SPIRIT, "B": SPIRIT, "C": swapped}
    res = consensus(readings)
    assert res.text == SPIRIT
    check_sites(SPIRIT, readings, res.sites)
    (site,) = res.sites
    assert site.type == "transposition"
    assert "劳动精神、工匠" in SPIRIT[site.start : site.end]


S1 = "加强产业工人职业技能培训。完善技能人才评价制度。"
S2 = "强化产业工人权益保障。"


def test_swapped_sentences_are_one_transposition():
    canon = "总体上，" + S1 + S2 + "推进改革。"
    swapped = "总体上，" + S2 + S1 + "推进改革。"
    readings = {"A": canon, "B": canon, "C": swapped}
    res = consensus(readings)
    assert res.text == canon
    check_sites(canon, readings, res.sites)
    assert [s.type for s in res.sites] == ["transposition"]
    # the other way round (the swapped order in the majority) too
    res = consensus({"A": swapped, "B": swapped, "C": canon})
    assert res.text == swapped and [s.type for s in res.sites] == ["transposition"]


def test_two_separate_swaps_stay_two_sites():
    canon = "有效维护产业工人安全健康权益，" + S1 + "压实企业安全生产责任，实施专项行动。"
    other = canon.replace("安全健康", "健康安全").replace("压实企业", "企业压实")
    readings = {"A": canon, "B": canon, "C": other}
    res = consensus(readings)
    check_sites(canon, readings, res.sites)
    assert [s.type for s in res.sites] == ["transposition", "transposition"]


FULL = (
    "健全社会支持体系。加大对产业工人队伍建设改革的宣传力度，营造浓厚社会氛围。"
    "建立产业工人队伍数据统计、调查、监测体系。加强产业工人队伍建设改革课题研究。"
)


def test_copy_that_ends_inside_a_unit_is_a_lacuna():
    part = FULL[:30]
    readings = {"A": FULL, "B": FULL.replace("课题", "专题"), "P": part}
    res = consensus(readings, priority=["P", "B"], edges={"P": "end"})
    # the lacuna does not vote: A and B tie on 课题/专题, B ranks next after P
    assert res.text == FULL.replace("课题", "专题")
    check_sites(res.text, readings, res.sites)
    lac = res.sites[-1]
    assert lac.type == "lacuna" and lac.lacunae == {"P": "ends"}
    assert (lac.start, lac.end) == (30, len(res.text)) and lac.readings["P"] == ""
    assert lac.tie is False
    # without edges the same copy is no lacuna (and P, ranked first, votes)
    assert all(s.type != "lacuna" for s in consensus(readings, priority=["P", "B"]).sites)


def test_copy_that_begins_inside_a_unit_is_a_lacuna():
    part = FULL[12:].replace("监测", "监控")
    readings = {"A": FULL, "B": FULL, "P": part}
    res = consensus(readings, edges={"P": "start"})
    assert res.text == FULL
    check_sites(FULL, readings, res.sites)
    assert [(s.type, s.lacunae) for s in res.sites] == [
        ("lacuna", {"P": "begins"}),
        ("substitution", {}),
    ]
    assert (res.sites[0].start, res.sites[0].end) == (0, 12)
    assert res.sites[1].readings["P"] == "监控"  # the copy still reads where it has text


def test_lacuna_needs_a_real_gap_and_an_edge():
    # a copy that lacks only 2 characters at its end: an omission
    readings = {"A": FULL, "P": FULL[:-2]}
    assert [s.type for s in consensus(readings, edges={"P": "end"}).sites] == ["omission"]
    # the only reading of a copy that begins and ends inside the unit: two lacunae
    readings = {"A": FULL, "B": FULL, "P": FULL[10:40]}
    res = consensus(readings, edges={"P": "both"})
    check_sites(FULL, readings, res.sites)
    assert [(s.start, s.end, s.lacunae) for s in res.sites] == [
        (0, 10, {"P": "begins"}),
        (40, len(FULL), {"P": "ends"}),
    ]
    assert res.sites[0].as_dict()["lacunae"] == {"P": "begins"}


BASE = "要加强中帼工匠培养，充分发挥作用。"
FIXED = "要加强巾帼工匠培养，充分发挥作用。"


def _ocr_override():
    readings = {"A": BASE, "B": BASE, "C": FIXED}
    res = consensus(readings)
    assert res.text == BASE
    (site,) = res.sites
    return readings, make_override(res.text, site, "巾帼")


def test_override_applied_and_survives_recollation():
    readings, o = _ocr_override()
    assert o.readings == {"A": "中帼", "B": "中帼", "C": "巾帼"}
    assert (o.before, o.after, o.position) == ("要加强", "工匠培养，充分发", 3)
    res = consensus(readings, overrides=[o])
    assert res.text == FIXED
    assert res.majority_text == BASE
    assert res.applied == [o] and res.unapplied == []
    assert spans(res.text, res.sites) == [
        ("巾帼", {"A": "中帼", "B": "中帼", "C": "巾帼"}, "substitution")
    ]
    # an override recorded from the overridden result keeps working
    o2 = make_override(res.text, res.sites[0], "巾帼")
    again = consensus(readings, overrides=[o2])
    assert again.text == FIXED and again.applied == [o2]
    # stored as JSON, loaded back as a dict
    again = consensus(readings, overrides=[json.loads(json.dumps(o.as_dict()))])
    assert again.text == FIXED and len(again.applied) == 1


def test_override_survives_a_new_source_that_shifts_and_widens_sites():
    readings, o = _ocr_override()
    readings["D"] = "各地要加强中国工匠培养，充分发挥作用。"
    res = consensus(readings, overrides=[o])
    assert res.applied == [o] and res.unapplied == []
    assert res.text == FIXED
    assert spans(res.text, res.sites) == [
        ("", {"A": "", "B": "", "C": "", "D": "各地"}, "addition"),
        ("巾帼", {"A": "中帼", "B": "中帼", "C": "巾帼", "D": "中国"}, "substitution"),
    ]
    # a decision taken on the wide site still applies once D is gone again
    wide = make_override(res.text, res.sites[1], "巾帼")
    del readings["D"]
    res = consensus(readings, overrides=[wide])
    assert res.text == FIXED and res.applied == [wide]


def test_override_unapplied_when_its_site_vanished():
    readings, o = _ocr_override()
    del readings["C"]  # the only source that read 巾 is withdrawn
    res = consensus(readings, overrides=[o])
    assert res.text == BASE
    assert res.applied == [] and res.unapplied == [o]
    # a source corrected on re-import: all agree, the site is gone too
    res = consensus({"A": BASE, "B": BASE, "C": BASE}, overrides=[o])
    assert res.unapplied == [o] and res.sites == []


def test_override_emendation_and_conflict():
    readings, o = _ocr_override()
    (site,) = consensus(readings).sites
    emend = make_override(BASE, site, "巾帼英雄之")  # typed by the editor
    res = consensus(readings, overrides=[emend])
    assert res.text == "要加强巾帼英雄之工匠培养，充分发挥作用。"
    check_sites(res.text, readings, res.sites)
    # two decisions on one site: the later one wins, the earlier is reported
    res = consensus(readings, overrides=[emend, o])
    assert res.text == FIXED
    assert res.applied == [o] and res.unapplied == [emend]


def test_override_with_no_common_source_is_unapplied():
    o = Override(readings={"X": "中"}, text="巾")
    res = consensus({"A": BASE, "B": FIXED}, overrides=[o])
    assert res.unapplied == [o] and res.text == BASE


# ---------------------------------------------------------------------------
# property tests
# ---------------------------------------------------------------------------

ALPHABET = "产业工人中巾已己安全健康的和互通，。、；（）“”"

edit_op = st.tuples(
    st.sampled_from(["sub", "del", "ins", "swap", "delrun"]),
    st.integers(0, 10_000),
    st.text(ALPHABET, min_size=1, max_size=3),
)


def apply_edits(text: str, edits) -> str:
    for op, pos, chars in edits:
        i = pos % (len(text) + 1)
        if op == "sub":
            text = text[:i] + chars + text[i + 1 :]
        elif op == "del":
            text = text[:i] + text[i + 1 :]
        elif op == "delrun":
            text = text[:i] + text[i + len(chars) + 2 :]
        elif op == "ins":
            text = text[:i] + chars + text[i:]
        else:  # swap two adjacent pieces
            k = len(chars)
            text = text[:i] + text[i + k : i + 2 * k] + text[i : i + k] + text[i + 2 * k :]
    return text


@st.composite
def unit(draw):
    canonical = draw(st.text(ALPHABET, max_size=40))
    n = draw(st.integers(1, 5))
    sigla = draw(
        st.lists(
            st.sampled_from(["A", "B", "C", "001", "003", "004", "x"]),  # ⊂ SIGLA
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    readings = {}
    for sig in sigla:
        if draw(st.integers(0, 9)) == 0:
            readings[sig] = draw(st.text(ALPHABET, max_size=30))  # unrelated text
        else:
            readings[sig] = apply_edits(canonical, draw(st.lists(edit_op, max_size=5)))
    return canonical, readings


def permuted(d: dict, seed: int) -> dict:
    items = list(d.items())
    random.Random(seed).shuffle(items)
    return dict(items)


@settings(max_examples=400, deadline=None)
@given(unit())
def test_property_rebuild_sorted_and_typed(u):
    canonical, readings = u
    check_sites(canonical, readings, collate(canonical, readings))


@settings(max_examples=200, deadline=None)
@given(unit(), st.integers(0, 1000))
def test_property_order_independent(u, seed):
    canonical, readings = u
    sites = collate(canonical, readings)
    again = collate(canonical, permuted(readings, seed))
    assert again == sites
    assert [list(s.readings) for s in again] == [sorted(s.readings) for s in sites]
    res = consensus(readings)
    res2 = consensus(permuted(readings, seed + 1))
    assert (res.text, res.sites) == (res2.text, res2.sites)


@settings(max_examples=200, deadline=None)
@given(unit())
def test_property_consensus_sites_rebuild_every_source(u):
    _, readings = u
    res = consensus(readings)
    check_sites(res.text, readings, res.sites)
    if len(set(readings.values())) == 1:
        assert res.text == next(iter(readings.values())) and res.sites == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(ALPHABET, max_size=40), st.text(ALPHABET, max_size=40), st.permutations(["A", "B", "C"])
)
def test_property_two_agreeing_sources_win(x, y, sigla):
    readings = {sigla[0]: y, sigla[1]: x, sigla[2]: x}
    res = consensus(readings)
    assert res.text == x
    check_sites(x, readings, res.sites)


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, max_size=40), st.text(ALPHABET, max_size=40))
def test_property_tie_goes_to_priority(x, y):
    readings = {"A": x, "B": y}
    assert consensus(readings, priority=["B", "A"]).text == y
    assert consensus(readings, priority=["A"]).text == x
    # no priority: the same text whatever the sigla
    assert consensus(readings).text == consensus({"B": x, "A": y}).text


SIGLA = ["A", "B", "C", "001", "003", "004", "x", "Q"]


@settings(max_examples=200, deadline=None)
@given(unit(), st.permutations(SIGLA), st.integers(0, 3))
def test_property_sigla_never_decide(u, names, edge_count):
    """Renaming the sources changes nothing but the names: text, sites, ties."""
    _, readings = u
    rename = dict(zip(SIGLA, names, strict=True))
    edges = {s: "end" for s in sorted(readings)[:edge_count]}
    res = consensus(readings, edges=edges)
    other = consensus(
        {rename[s]: t for s, t in readings.items()},
        edges={rename[s]: e for s, e in edges.items()},
    )
    assert other.text == res.text
    assert [(s.start, s.end, s.type, s.tie) for s in other.sites] == [
        (s.start, s.end, s.type, s.tie) for s in res.sites
    ]
    for a, b in zip(res.sites, other.sites, strict=True):
        assert b.readings == {rename[s]: r for s, r in a.readings.items()}
    check_sites(res.text, readings, res.sites)


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, max_size=60), st.text(ALPHABET, max_size=60))
def test_property_diff_opcodes_rebuild(a, b):
    out = []
    i = j = 0
    for tag, i1, i2, j1, j2 in diff_opcodes(a, b):
        assert (i1, j1) == (i, j)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2] and i2 > i1
        out.append(b[j1:j2])
        i, j = i2, j2
    assert (i, j) == (len(a), len(b)) and "".join(out) == b


@settings(max_examples=100, deadline=None)
@given(unit(), st.integers(0, 1000))
def test_property_override_of_any_site_is_applied(u, seed):
    _, readings = u
    res = consensus(readings)
    if not res.sites:
        return
    rng = random.Random(seed)
    site = rng.choice(res.sites)
    choice = rng.choice(sorted(set(site.readings.values())))
    o = make_override(res.text, site, choice)
    got = consensus(readings, overrides=[o])
    assert got.applied == [o] and got.unapplied == []
    assert got.text == res.text[: site.start] + choice + res.text[site.end :]
    check_sites(got.text, readings, got.sites)


# ---------------------------------------------------------------------------
# size
# ---------------------------------------------------------------------------

BIG_ALPHABET = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学"
    "法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外"
    "，。、；："
)


def synthetic(n: int, sources: int, seed: int = 7) -> tuple[str, dict[str, str]]:
    rng = random.Random(seed)
    base = "".join(rng.choice(BIG_ALPHABET) for _ in range(n))
    readings = {}
    for k in range(sources):
        s = list(base)
        for _ in range(n // 100):  # ~1% edits
            i = rng.randrange(len(s))
            r = rng.random()
            if r < 0.4:
                s[i] = rng.choice(BIG_ALPHABET)
            elif r < 0.7:
                del s[i]
            else:
                s.insert(i, rng.choice(BIG_ALPHABET))
        readings[f"S{k}"] = "".join(s)
    return base, readings


def test_30k_chars_5_sources_collates():
    base, readings = synthetic(30_000, 5)
    sites = collate(base, readings)
    check_sites(base, readings, sites)
    assert len(sites) > 500
    res = consensus(readings)
    check_sites(res.text, readings, res.sites)


def test_ocr_between_two_sources_when_consensus_went_a_third_way():
    # clause (二十二): 000/001 中高级, 003 巾帼, 004 中帼 (OCR of 巾帼)
    c = "持续办好大国工匠创新交流大会暨大国工匠论坛。加强中高级工匠培养，充分发挥作用。"
    readings = {
        "000": c,
        "001": c,
        "003": c.replace("中高级", "巾帼"),
        "004": c.replace("中高级", "中帼"),
    }
    res = consensus(readings)
    assert res.text == c
    assert spans(c, res.sites) == [
        ("中高级", {"000": "中高级", "001": "中高级", "003": "巾帼", "004": "中帼"}, "substitution")
    ]
    assert res.sites[0].likely_ocr is True
    assert res.sites[0].ocr_pairs == (("中", "巾"),)  # sorted readings: 中帼 before 巾帼
    # without the 巾帼 copy nothing is OCR-like
    del readings["003"]
    assert [s.likely_ocr for s in consensus(readings).sites] == [False]


# --- one more witness merged into the stored sites (add_witness) ---------------

from clauses.text import collate as E  # noqa: E402

#: The characters the random cases below draw from.
RANDOM_HAN = "的一是在不了有和人这中大为上国我以要时来用们生到作地于出就分对成会可也发展建设改革"


def _vary(rng: random.Random, text: str, most: int, deletions: float = 0.0) -> str:
    """``text`` with up to ``most`` random characters replaced from
    :data:`RANDOM_HAN`, or deleted (a share ``deletions`` of the time)."""
    chars = list(text)
    for _ in range(rng.randint(0, most)):
        i = rng.randrange(len(chars))
        if not deletions or rng.random() < 1 - deletions:
            chars[i] = rng.choice(RANDOM_HAN)
        else:
            del chars[i]
    return "".join(chars)


def _merge_case(readings, new, reading, priority=None, edges=None):
    """The consensus of ``readings``, ``new`` reading ``reading`` merged into it
    (None where the engine leaves it to the full consensus), and the full
    consensus of them all."""
    before = E.consensus(readings, priority, edges=edges)
    got = E.add_witness(
        before.text,
        before.sites,
        new,
        reading,
        readings=readings,
        voters=[*readings, new],
        priority=priority,
        edges=edges,
    )
    after = E.consensus({**readings, new: reading}, priority, edges=edges)
    return before, got, after


def test_add_witness_equals_the_full_consensus_where_the_text_stays():
    readings = {
        "A": "坚持以人民为中心的发展思想，推进巾帼建功行动",
        "B": "坚持以人民为中心的发展思想，推进中帼建功行动",
        "C": "坚持以人民为中心的发展思想，推进巾帼建功行动",
    }
    before, got, after = _merge_case(readings, "D", "坚持以人民为核心的发展理念，推进巾帼建功行动")
    assert after.text == before.text
    assert got == after.sites
    assert {s.readings["D"] for s in got} >= {"核心", "理念"}


class _Watched(dict):
    """Readings that record whether anything read them."""

    read = False

    def _seen(self):
        type(self).read = True

    def __getitem__(self, key):
        self._seen()
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._seen()
        return super().get(key, default)

    def items(self):
        self._seen()
        return super().items()

    def __iter__(self):
        self._seen()
        return super().__iter__()


def test_add_witness_does_not_read_the_other_readings_of_a_site_it_agrees_with():
    readings = {
        "A": "坚持以人民为中心的发展思想，推进巾帼建功行动",
        "B": "坚持以人民为中心的发展思想，推进中帼建功行动",
        "C": "坚持以人民为中心的发展思想，推进巾帼建功行动",
    }
    before = E.consensus(readings)
    (site,) = before.sites  # 巾帼 / 中帼, no tie
    watched = dataclasses.replace(site, readings=_Watched(site.readings))
    _Watched.read = False
    (got,) = E.add_witness(
        before.text, [watched], "D", readings["A"], readings=readings, voters=[*readings, "D"]
    )
    assert got.readings.get("D") == "巾帼"
    assert not _Watched.read  # the site is stored in place: only D's reading is asked for
    # Read in full, it is the full consensus's site, in siglum order.
    after = E.consensus({**readings, "D": readings["A"]})
    assert list(got.readings.items()) == list(after.sites[0].readings.items())
    assert got == after.sites[0]
    assert _Watched.read


def test_add_witness_leaves_a_vote_it_would_win_to_the_full_consensus():
    readings = {
        "A": "推进巾帼建功行动",
        "B": "推进中帼建功行动",
        "C": "推进巾帼建功行动",
        "D": "推进中帼建功行动",
    }
    before = E.consensus(readings)
    assert before.text == "推进中帼建功行动"  # 2 : 2, a tie broken by the content
    assert before.sites[0].tie
    got = E.add_witness(
        before.text,
        before.sites,
        "E",
        "推进巾帼建功行动",
        readings=readings,
        voters=[*readings, "E"],
    )
    assert got is None  # 3 : 2 for 巾帼: the canonical text changes, in full
    assert E.consensus({**readings, "E": "推进巾帼建功行动"}).text == "推进巾帼建功行动"
    # one more 中帼 settles the tie the other way, and is merged
    got = E.add_witness(
        before.text,
        before.sites,
        "E",
        "推进中帼建功行动",
        readings=readings,
        voters=[*readings, "E"],
    )
    assert got == E.consensus({**readings, "E": "推进中帼建功行动"}).sites
    assert not got[0].tie


def test_add_witness_leaves_a_transposition_to_the_full_consensus():
    readings = {"A": "弘扬劳动精神、工匠精神和劳模精神", "B": "弘扬劳动精神、工匠精神和劳模精神"}
    before = E.consensus(readings)
    assert (
        E.add_witness(
            before.text,
            before.sites,
            "C",
            "弘扬工匠精神、劳动精神和劳模精神",
            readings=readings,
            voters=["A", "B", "C"],
        )
        is None
    )


def test_add_witness_rebuilds_every_witness_exactly():
    """Random copies: wherever it answers, the merged sites rebuild every old
    and the new witness, hold the canonical reading, and do not overlap; and
    the canonical text is the full consensus's."""
    rng = random.Random(11)
    answered = 0
    for _ in range(600):
        base = "".join(rng.choice(RANDOM_HAN + "，") for _ in range(rng.randint(8, 60)))

        def vary(text):
            return _vary(rng, text, 2, deletions=0.4)

        readings = {f"S{k}": vary(base) for k in range(rng.randint(2, 7))}
        new = vary(base)
        before, got, after = _merge_case(readings, "X", new)
        if got is None:
            continue
        answered += 1
        assert after.text == before.text
        for sig, text in {**readings, "X": new}.items():
            assert E.apply(before.text, got, sig) == text
        ends = [(s.start, s.end) for s in got]
        assert ends == sorted(ends)
        assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))
        for site in got:
            assert set(site.readings) == {*readings, "X"}
            assert before.text[site.start : site.end] in site.readings.values() or site.tie
    assert answered > 300


def test_add_witness_keeps_a_lacuna_site_and_its_near_neighbour_apart():
    """A stored lacuna site and a stored site within MERGE_GAP of it, which the
    new copy does not reach: both are kept, each with its own readings (the
    merge kept the first alone, and S02's 系业 was lost)."""
    tail = "设地为管能地国能善到务对业服养业队有策要工业中作加才政能机会障作革进服"
    end = "障才系会职制体善中有体政系分是会进要质队设对和要策革会推国职服以革了业不革。"
    head = "培技服和了不展设一不制不体保这进也机人完伍们职制作度职工要地大社度可改到为了"
    readings = {
        "S00": head + "个在业" + tail + end,
        "S01": "个在业" + tail + end,  # begins inside the unit
        "S02": head + "个系业" + tail,  # ends inside it
        "S05": head + "个在业" + tail + end,
    }
    edges = {"S01": "start", "S02": "end"}
    new = (
        head + "个在业设地为一能地国能善到务对业服养业队有策要工业中作加才政到机会障作革进服" + end
    )
    before, got, after = _merge_case(readings, "S03", new, edges=edges)
    assert [(s.start, s.type) for s in before.sites][:2] == [(0, "lacuna"), (39, "substitution")]
    for sig, text in {**readings, "S03": new}.items():
        assert E.apply(before.text, got, sig) == text, sig
    assert got == after.sites


def test_add_witness_rebuilds_partial_copies_exactly():
    """As above with copies that begin or end inside the unit (lacuna sites):
    wherever it answers, every witness is rebuilt exactly."""
    rng = random.Random(23)
    answered = 0
    for _ in range(800):
        base = "".join(rng.choice(RANDOM_HAN + "，") for _ in range(rng.randint(20, 70)))

        def vary(text):
            return _vary(rng, text, 3)

        readings, edges = {}, {}
        for k in range(rng.randint(2, 6)):
            text, side = vary(base), rng.choice(["", "", "start", "end"])
            if side == "start":
                text = text[rng.randint(3, len(text) // 2) :]
            elif side == "end":
                text = text[: rng.randint(len(text) // 2, len(text) - 3)]
            readings[f"S{k}"] = text
            if side:
                edges[f"S{k}"] = side
        new = vary(base)
        before, got, _after = _merge_case(readings, "X", new, edges=edges)
        if got is None:
            continue
        answered += 1
        for sig, text in {**readings, "X": new}.items():
            assert E.apply(before.text, got, sig) == text
    assert answered > 120


def test_new_site_is_the_dataclass_built_field_by_field():
    """``new_site`` skips the frozen dataclass's ``__init__`` for speed: it
    must set every field (one added to VariantSite must be added there) and
    give an instance equal to, and behaving as, the dataclass's own."""
    args = dict(
        start=3,
        end=5,
        readings={"A": "巾帼", "B": "中帼"},
        type="substitution",
        likely_ocr=True,
        ocr_pairs=(("巾", "中"),),
        tie=True,
        lacunae={"C": "ends"},
    )
    fast = E.new_site(**args)
    slow = VariantSite(**args)
    assert type(fast) is VariantSite
    assert vars(fast) == vars(slow)
    assert list(vars(fast)) == [f.name for f in dataclasses.fields(VariantSite)]
    assert fast == slow and repr(fast) == repr(slow) and fast.as_dict() == slow.as_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.tie = False
