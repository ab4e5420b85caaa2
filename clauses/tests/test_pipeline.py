"""Locating, segmenting and the whole pipeline on the five seeds (no database)."""

import re

import pytest

from clauses.text.locate import locate
from clauses.text.patterns import chinese_numeral
from clauses.text.pipeline import IngestError, prepare

from .seeds import prepared

HEADINGS = ["一", "二", "三", "四", "五", "六", "七", "八", "九"]


def keys(p, kind=None):
    return [u.key for u in p.units if kind is None or u.kind == kind]


def clause_keys(first, last):
    return [f"c{n}" for n in range(first, last + 1)]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("九", 9), ("十", 10), ("十三", 13), ("二十", 20), ("二十七", 27), ("九十九", 99)],
)
def test_chinese_numerals(numeral, value):
    assert chinese_numeral(numeral) == value


@pytest.mark.parametrize("damaged", ["十十", "一十一十", "一二", "", "二十十"])
def test_malformed_numerals_are_not_numbers(damaged):
    assert chinese_numeral(damaged) is None


def test_a_malformed_numeral_label_is_a_damaged_label_not_a_crash():
    p = prepare(
        "十十、总体要求\n（十一十）坚持以习近平新时代中国特色社会主义思想为指导。\n".encode()
    )
    assert [(u.key, u.label) for u in p.units] == [("s?", "十十、"), ("c?", "（十一十）")]


def test_000_starts_at_section_two_and_has_every_clause():
    p = prepared("000")
    assert keys(p, "heading") == [f"s{n}" for n in range(2, 10)]
    assert keys(p, "clause") == clause_keys(1, 27)
    assert keys(p, "paragraph") == []
    assert p.title == "中共中央 国务院关于深化产业工人队伍建设改革的意见"
    assert str(p.date) == "2024-10-12"


def test_001_has_preamble_two_paragraphs_no_heading_six():
    p = prepared("001")
    assert keys(p, "paragraph") == ["p1", "s1.p1", "s1.p2"]
    assert keys(p, "heading") == ["s1", "s2", "s3", "s4", "s5", "s7", "s8", "s9"]
    assert keys(p, "clause") == clause_keys(1, 27)


def test_003_has_everything_in_simplified_script():
    p = prepared("003")
    assert p.script == "traditional"
    assert keys(p, "paragraph") == ["p1", "s1.p1", "s1.p2"]
    assert keys(p, "heading") == [f"s{n}" for n in range(1, 10)]
    assert keys(p, "clause") == clause_keys(1, 27)
    first = p.units[0]
    assert first.text.startswith("产业工人是工人阶级的主体力量，")
    assert p.original[first.raw_start : first.raw_end].startswith("產業工人是(shi)工人階級的(de)")


def test_004_starts_at_clause_six_and_keeps_its_duplicated_fragment():
    p = prepared("004")
    assert keys(p, "heading") == [f"s{n}" for n in range(4, 10)]
    assert keys(p, "clause") == clause_keys(6, 27)
    c15 = next(u for u in p.units if u.key == "c15")
    assert c15.text.endswith("违法侵权行为。行为。")
    assert "中帼" in "".join(u.text for u in p.units)  # OCR errors are variants, not fixed


def test_2017_plan_structure():
    p = prepared("002")
    items = [u for u in p.units if u.kind == "item" and u.label != "——"]
    assert [u.label for u in items] == [f"{n}." for n in range(1, 26)]
    bullets = [u for u in p.units if u.label == "——"]
    assert len(bullets) == 4
    subheadings = [u for u in p.units if u.kind == "heading" and u.level == 2]
    assert [u.label for u in subheadings] == [
        "（二）",
        "（一）",
        "（二）",
        "（三）",
        "（四）",
        "（五）",
    ]
    assert keys(p, "heading")[:2] == ["s1", "s1.c2"]
    assert p.title == "新时期产业工人队伍建设改革方案"
    assert p.number == "中发〔2017〕14号"
    assert p.issuers == "中共中央、国务院"
    # The covering circular is a part of its own, before the plan.
    assert p.units[0].key == "cover.p1" and p.units[0].part == "cover"
    assert p.units[0].text.startswith("现将《新时期产业工人队伍建设改革方案》印发给你们")
    assert p.metadata["covering_title"].endswith("的通知")


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_nothing_foreign_survives_into_a_reading(name):
    text = "".join(u.label + u.text for u in prepared(name).units)
    assert not re.search(r"[（(][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔù ]+[)）]", text.replace("（PCT）", ""))
    assert "#" not in text and "🚸" not in text
    for foreign in [
        "国际保护知识产权协会",
        "龙山",
        "经开区",
        "巨灾",
        "秘书局",
        "辽源",
        "新华社",
        "上接第",
        "翻印",
    ]:
        assert foreign not in text, foreign


HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_not_one_character_of_the_document_is_lost(name):
    """Every Han character of the original that the accounting places in a
    reading is in a label or a reading, in order, once glosses are gone and
    script unified; and nothing between the first and the last unit is cut."""
    from clauses.text.cleanup import convert_traditional, remove_pinyin_glosses
    from clauses.text.textmap import MappedText

    p = prepared(name)
    in_readings = "".join(
        p.original[r["start"] : r["end"]] for r in p.regions if r["kind"] == "reading"
    )
    # Glosses inside a sentence belong to its reading's span; the rule removes them.
    region = remove_pinyin_glosses(MappedText.identity(in_readings))[0]
    if p.script == "traditional":
        region = convert_traditional(region)[0]
    expected = "".join(HAN.findall(region.text))
    got = "".join("".join(HAN.findall(u.label + u.text)) for u in p.units)
    assert got == expected
    first = p.units[0].raw_start - len(p.units[0].label_raw)
    last = p.units[-1].raw_end
    cut = [r for r in p.regions if r["kind"] == "cut" and first < r["start"] < last]
    assert not cut
    han = p.accounting["han"]
    assert han["total"] == len(HAN.findall(p.original))
    assert sum(v for k, v in han.items() if k != "total") == han["total"]


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_raw_spans_point_into_the_original(name):
    p = prepared(name)
    for u in p.units:
        raw = p.original[u.raw_start : u.raw_end]
        assert HAN.findall(raw)[:1] == HAN.findall(u.text)[:1] or p.script == "traditional"
        assert u.raw_start < u.raw_end


def test_report_says_what_each_rule_did():
    rules = {r["rule"]: r for r in prepared("003").report}
    assert rules["remove_pinyin_glosses"]["detail"]["glosses"] > 2000
    assert rules["convert_traditional"]["count"] > 1000
    rules = {r["rule"]: r for r in prepared("001").report}
    assert rules["strip_markdown_marks"]["count"] == 13
    assert rules["metadata"]["examples"][-1] == "dateline: （新华社北京10月21日电）"
    assert rules["cut"]["detail"]["han"]["after_agency_line"] > 2000
    assert rules["remove_furniture"]["examples"][0].startswith("masthead: 辽源发布")
    assert rules["join_broken_lines"]["count"] == 2
    assert rules["segment_by_scheme"]["detail"]["scheme"] == "outline"
    assert rules["accounting"]["detail"]["needs_confirmation"]
    rules = {r["rule"]: r for r in prepared("004").report}
    assert rules["attach_paragraph"]["count"] == 1
    assert rules["remove_furniture"]["examples"][-1] == "continuation: （上接第1版）"


def test_a_page_continuation_marker_inside_a_clause_is_removed_and_the_lines_joined():
    text = (
        "（一）持续强化产业工人队伍思想政治工作。坚持不懈用习近平新时代\n（下转第2版）\n"
        "中国特色社会主义思想凝心铸魂。\n（二）加强产业工人队伍党建工作。"
    )
    p = prepare(text.encode())
    assert [u.text for u in p.units] == [
        "持续强化产业工人队伍思想政治工作。坚持不懈用习近平新时代中国特色社会主义思想凝心铸魂。",
        "加强产业工人队伍党建工作。",
    ]


def test_windows_line_endings_gb18030_markdown_and_emoji_in_the_wild():
    text = "## 二、强化思想政治引领\r\n(一)持续强化产业(🚸)工人队伍思想政治工作。\r\n(二)加强党建工作。\r\n"
    p = prepare(text.encode("gb18030"))
    assert p.encoding == "gb18030"
    assert [(u.key, u.text) for u in p.units] == [
        ("s2", "强化思想政治引领"),
        ("c1", "持续强化产业工人队伍思想政治工作。"),
        ("c2", "加强党建工作。"),
    ]


def test_a_news_article_has_no_structure():
    article = "中国知识产权发展获国际点赞\n\n知识产权是创新的重要载体，保护知识产权就是保护创新。\n"
    with pytest.raises(IngestError, match="No document structure"):
        prepare(article.encode())


def test_locate_prefers_the_document_title_over_a_covering_circular():
    text = (
        "中共中央 国务院关于印发《新时期产业工人队伍建设改革方案》的通知\n"
        "各省、自治区、直辖市党委和人民政府：\n"
        "新时期产业工人队伍建设改革方案\n"
        "习近平总书记高度重视工人阶级。\n一、总体要求\n"
    )
    loc = locate(text)
    assert loc.title == "新时期产业工人队伍建设改革方案"
    assert text[loc.start :].startswith("新时期产业工人")


def test_damaged_labels_stay_units_with_their_label_as_printed():
    """OCR damage to a numeral must not end the document or merge two clauses."""
    text = (
        "## 中共中央 国务院关于深化产业工人队伍建设改革的意见\n"
        "（2024劳10月12日）\n"
        "## 伍、强化思想政治引领，团结引导产业工人坚定不移听党话跟党走\n"
        "（一）持续强化产业工人队伍思想政治工作。坚持不懈用习近平新时代中国特色社会主义思想凝心铸魂。\n"
        "（技）加强产业工人队伍党建工作。加强企业党组织建设。\n"
        "（二劳三）吸引更多青年加入产业工人队伍。加强政策支持和就业指导。\n"
    )
    p = prepare(text.encode())
    assert [(u.key, u.label) for u in p.units] == [
        ("s?", "伍、"),
        ("c1", "（一）"),
        ("c?", "（技）"),
        ("c?-2", "（二劳三）"),
    ]
    assert str(p.date) == "2024-10-12"
    assert p.accounting["han"]["cut"] == 0


def test_a_markdown_headline_followed_by_prose_still_ends_the_document():
    text = (
        "（一）持续强化产业工人队伍思想政治工作。\n（二）加强产业工人队伍党建工作。\n"
        "## 龙山区：项目建设如火如荼\n本报讯 今年以来，龙山工业开发区坚持项目为王。\n"
    )
    p = prepare(text.encode())
    assert [u.key for u in p.units] == ["c1", "c2"]
    cut = {r["rule"]: r for r in p.report}["cut"]
    assert cut["examples"][0].startswith("unrelated_article: 龙山区")


def test_units_of_measure_are_text_not_junk():
    text = "（一）住房面积（㎡）不低于标准，室温(℃)保持稳定(🚸)，编号(№)。\n（二）其他。\n"
    p = prepare(text.encode())
    assert p.units[0].text == "住房面积（㎡）不低于标准，室温（℃）保持稳定，编号（№）。"


def test_a_nul_byte_deep_in_a_file_is_refused():
    from clauses.text.decode import DecodeError

    data = ("（一）加强党建工作。\n" * 3000).encode() + b"\x00" + "（二）其他。\n".encode()
    with pytest.raises(DecodeError, match="NUL"):
        prepare(data)


def test_thousands_of_new_units_in_one_copy():
    """The canonical order is built without recursion."""
    from clauses.text.align import merge_order

    keys = [f"p{i}" for i in range(5000)]
    assert merge_order([], [None] * 5000, keys) == keys
