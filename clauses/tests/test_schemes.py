"""Declared schemes and the segmenter, on real snippets of the corpus (no database).

Snippets are copied from ../shared/corpus (laws/, pages/), as the pipeline sees
them after clean-up: punctuation full width, spaces between Han removed.
"""

import pytest

from clauses.text.locate import split_lines
from clauses.text.schemes import SCHEMES, han_number
from clauses.text.segment import _han, segment_part


def seg(text):
    best, tried = segment_part(text, split_lines(text))
    return best, {r.scheme.name: r.explained for r in tried}


LAW = """第一章总则
第一条为保障工会在国家政治、经济和社会生活中的地位，根据宪法，制定本法。
第二条工会是中国共产党领导的职工自愿结合的工人阶级群众组织。
中华全国总工会及其各工会组织代表职工的利益，依法维护职工的合法权益。
第二章工会组织
第一节一般规定
第三条慈善活动，是指以捐赠财产等方式，自愿开展的下列公益活动：
（一）扶贫、济困；
（二）扶老、救孤、恤病、助残、优抚；
1.具体情形由国务院规定。
第四条依照本法第三条规定的，适用本法。
第三十六条规定的工作时间，不适用本条。
"""


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("十", 10), ("二十三", 23), ("一百零一", 101), ("一百二十", 120), ("两百", 200)],
)
def test_han_numbers(numeral, value):
    assert han_number(numeral) == value
    if numeral != "两百":
        assert _han(value) == numeral


def test_han_numerals_round_trip_to_ten_thousand():
    """Articles are found by their next number written out: 第一千条 follows
    第九百九十九条 (a law of 999 articles or more used to fail with an IndexError)."""
    for value in range(1, 10000):
        assert han_number(_han(value)) == value, value
    assert [_han(v) for v in (110, 1000, 1001, 1010, 1100, 1260, 2005)] == [
        "一百一十",
        "一千",
        "一千零一",
        "一千零一十",
        "一千一百",
        "一千二百六十",
        "二千零五",
    ]


def test_a_law_of_more_than_a_thousand_articles():
    text = "中华人民共和国某某法\n" + "\n".join(
        f"第{_han(k)}条 本条规定第{k}项事务的办理。" for k in range(1, 1301)
    )
    best, _figures = seg(text)
    assert best.scheme.name == "law"
    articles = [s for s in best.segments if s.kind == "article"]
    assert len(articles) == 1300
    assert articles[-1].label_path[-1] == "第一千三百条"
    assert articles[-1].key == "a1300"


@pytest.mark.parametrize("bad", ["", "一一", "十十", "零", "百十百", "第一"])
def test_malformed_han_numbers(bad):
    assert han_number(bad) is None


def test_a_law_is_read_as_chapters_sections_and_articles():
    best, figures = seg(LAW)
    assert best.scheme.name == "law"
    assert figures["law"] > figures["outline"]
    units = {s.key: s for s in best.segments}
    assert list(units) == ["ch1", "a1", "a2", "ch2", "ch2.s1", "a3", "a4"]
    assert [units[k].level for k in ("ch1", "ch2", "ch2.s1", "a3")] == [1, 1, 2, 3]
    assert units["a3"].parent == "ch2.s1"
    assert units["a3"].label_path == ("第二章", "第一节", "第三条")
    assert units["a3"].kind == "article"
    # 款 and 项 and 目 stay inside the article, a line each.
    assert units["a2"].text(LAW).split("\n")[1].startswith("中华全国总工会")
    assert units["a3"].text(LAW).split("\n")[1:] == [
        "（一）扶贫、济困；",
        "（二）扶老、救孤、恤病、助残、优抚；",
        "1.具体情形由国务院规定。",
    ]
    # A paragraph that starts with a cross-reference is no article.
    assert units["a4"].text(LAW).endswith("第三十六条规定的工作时间，不适用本条。")


def test_articles_run_together_on_one_line_are_split():
    # d05: a forum paste, the whole law on one line.
    text = "第一章总则第一条为了保护劳动者的合法权益，制定本法。第二条在中华人民共和国境内的企业，适用本法。第三条劳动者享有平等就业的权利。"
    best, _ = seg(text)
    assert [s.key for s in best.segments] == ["ch1", "a1", "a2", "a3"]
    assert best.segments[0].text(text) == "总则"
    split = next(r for r in best.results if r.rule == "split_run_in_labels")
    assert split.count == 3


def test_a_cross_reference_after_a_sentence_end_is_not_split():
    text = "第一条为了保护劳动者，制定本法。第二条规定的情形除外。\n第二条在境内适用本法。"
    best, _ = seg(text)
    assert [s.key for s in best.segments] == ["a1", "a2"]
    assert best.segments[0].text(text).endswith("第二条规定的情形除外。")


def test_an_article_broken_across_blank_lines_is_joined():
    # d04, 第三十七条 as LawRefBook has it.
    text = "第三十七条对实行计件工作的劳动者，用人单位应当合理确定其劳动\n\n定额和计件报酬标准。\n第三十八条用人单位应当保证劳动者每周至少休息一日。"
    best, _ = seg(text)
    assert (
        best.segments[0].text(text)
        == "对实行计件工作的劳动者，用人单位应当合理确定其劳动定额和计件报酬标准。"
    )


DECIMAL = """1　总则
1.1　编制目的及依据
为了有效监测和控制各类突发公共事件，制定本预案。
1.2　等级划分
1.2.1　国家级（Ⅰ级）：两个以上省、自治区、直辖市出现粮食应急状态的情况。
1.4　工作原则
（1）统一领导、分级负责。在国务院统一领导下各负其责。
（2）科学监测、预防为主。要提高防范突发公共事件的意识。
2　组织机构和职责
5月1日起施行。
"""


def test_a_decimal_outline_nests_by_depth():
    best, _ = seg(DECIMAL)
    assert best.scheme.name == "decimal"
    units = {s.key: s for s in best.segments}
    assert units["d1"].kind == "heading" and units["d1"].level == 1
    assert units["d1.1"].parent == "d1" and units["d1.1"].level == 2
    assert units["d1.1.p1"].parent == "d1.1"
    # 1.2.1 with a sentence is a clause, not a heading.
    assert units["d1.2.1"].kind == "clause" and units["d1.2.1"].parent == "d1.2"
    assert units["d1.4.i2"].label == "（2）" and units["d1.4.i2"].parent == "d1.4"
    # A date at the start of a line is no decimal label.
    assert "d5" not in units and units["d2.p1"].text(DECIMAL) == "5月1日起施行。"


def test_numbered_sentences_are_units_not_headings():
    # d11, the 2014 holiday notice: 一、 … 七、 are whole sentences.
    text = "各省、自治区、直辖市人民政府：\n一、元旦：1月1日放假1天。\n二、春节：1月31日至2月6日放假调休，共7天。\n"
    best, _ = seg(text)
    assert best.scheme.name == "outline"
    assert [(s.key, s.kind) for s in best.segments] == [
        ("p1", "paragraph"),
        ("s1", "clause"),
        ("s2", "clause"),
    ]


def test_rows_circled_items_and_boxes():
    text = "一、推广清单\n序号\t改革举措\t推广范围\n1\t三合一审判\t全国\n（一）加强组织领导。\n①建立机制。\n②完善制度。\n专栏1重大工程\n"
    best, _ = seg(text)
    units = {s.key: s for s in best.segments}
    assert units["row1"].kind == "row" and units["row1"].text(text) == "序号\t改革举措\t推广范围"
    assert units["r1"].text(text) == "1\t三合一审判\t全国"
    assert units["c1.n1"].label == "①" and units["c1.n2"].parent == "c1"
    assert units["box1"].kind == "heading"


def test_a_text_with_no_numbering_is_plain_paragraphs():
    text = "国务院同意你省的请示。\n请认真组织实施。\n"
    best, figures = seg(text)
    assert best.scheme.name == "plain" and best.explained == 0
    assert [s.key for s in best.segments] == ["p1", "p2"]


def test_every_scheme_is_declared_with_a_description():
    assert [s.name for s in SCHEMES] == ["outline", "law", "decimal", "plain"]
    assert all(s.description for s in SCHEMES)


def test_ocr_damaged_clause_labels_are_read_from_their_place():
    # wild/w06: 004 with （十一）（十二）（二十一） as OCR read them.
    text = (
        "（十）加强产业工人技能培训。\n（+—）促进产业工人知识更新和学历提升。\n"
        "（+=）畅通产业工人向上发展通道。\n（十三）完善技能导向的激励机制。\n"
        "（二十）加强制造业人才支持。\n（=+—）稳定制造业产业工人队伍。\n"
    )
    best, _ = seg(text)
    units = [(s.key, s.label, s.ordinal, s.damaged) for s in best.segments]
    assert units == [
        ("c10", "（十）", 10, False),
        ("c11", "（+—）", 11, True),
        ("c12", "（+=）", 12, True),
        ("c13", "（十三）", 13, False),
        ("c20", "（二十）", 20, False),
        ("c21", "（=+—）", 21, True),
    ]
    damaged = next(r for r in best.results if r.rule == "read_damaged_labels")
    assert damaged.count == 3 and damaged.examples[0] == "（+—） → （十一）"


def test_a_damaged_label_that_fits_no_place_stays_unnumbered():
    text = (
        "（一）持续强化思想政治工作。\n（技）加强产业工人队伍党建工作。\n（二劳三）吸引更多青年。\n"
    )
    best, _ = seg(text)
    assert [(s.key, s.damaged) for s in best.segments] == [
        ("c1", False),
        ("c?", False),
        ("c?-2", False),
    ]


def test_a_line_broken_inside_a_parenthesis_is_no_damaged_heading():
    # A PDF broke the responsibility note of a clause: "（财政⏎部、人力资源…负责）".
    text = "（三）加大支持力度。资金由失业保险基金列支。（财政\n部、人力资源社会保障部负责）\n（四）其他。\n"
    best, _ = seg(text)
    assert [s.key for s in best.segments] == ["c3", "c4"]
    assert best.segments[0].text(text).endswith("（财政部、人力资源社会保障部负责）")


def test_a_table_row_is_never_a_decimal_label():
    text = "1　总则\n序号\t任务\t责任单位\n1\t建立统一的数据平台\t国家发展改革委\n"
    best, _ = seg(text)
    assert [(s.key, s.kind) for s in best.segments] == [
        ("d1", "heading"),
        ("row1", "row"),
        ("r1", "row"),
    ]
