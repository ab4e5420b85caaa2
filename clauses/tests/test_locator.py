"""Locators (clauses.text.locator) and citation lines (clauses.text.cite): no database.

The property over the whole corpus (unique locators, no key) is checked on the
imported documents, in test_citation.py."""

from datetime import date
from pathlib import Path

import pytest

from clauses.text.address import subdivisions
from clauses.text.cite import Citable, gbt7714, issuers_list, plain
from clauses.text.locator import Node, cover_name, family, locators, part_of_key
from clauses.text.pipeline import prepare

DEMO = Path(__file__).parents[1] / "demo"
CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def of_prepared(p):
    """Locators of a prepared file's units, by key (the tree of one copy)."""
    nodes = [Node(u.key, u.parent or None, u.kind, u.label, u.part, u.text) for u in p.units]
    return locators(nodes, cover_name(p.metadata.get("covering_title") or "", p.title))


@pytest.fixture(scope="module")
def plan2017():
    return of_prepared(prepare(next(DEMO.glob("002_*")).read_bytes()))


@pytest.fixture(scope="module")
def opinion2024():
    return of_prepared(prepare(next(DEMO.glob("001_*")).read_bytes()))


def test_the_two_clauses_one_of_the_2017_plan_cite_apart(plan2017):
    assert plan2017["s1.c1"] == "一、（一）"
    assert plan2017["s2.c1"] == "二、（一）"
    assert plan2017["s3.c1"] == "三、（一）"
    # A label only section 二 has is prefixed too: its family restarts.
    assert plan2017["s2.c5"] == "二、（五）"
    # Items numbered 1–25 across the plan stand alone; bullets are counted.
    assert plan2017["i1"] == "1." and plan2017["i25"] == "25."
    assert plan2017["s1.c2.b2"] == "一、（二）第2段"
    # The preamble, and the covering circular that issues the plan.
    assert plan2017["p1"] == "序言第1段"
    assert plan2017["cover.p1"] == "通知第1段"


def test_the_2024_opinion_numbers_its_clauses_across_sections(opinion2024):
    assert opinion2024["c13"] == "（十三）"
    assert opinion2024["c1"] == "（一）"
    assert opinion2024["s2"] == "二、"
    assert opinion2024["p1"] == "序言第1段"
    assert opinion2024["s1.p2"] == "一、第2段"


def test_a_law_cites_articles_alone_and_its_paragraphs_inside_them():
    p = prepare((CORPUS / "laws" / "cishan-2016.md").read_bytes())
    found = of_prepared(p)
    assert found["a23"] == "第二十三条"
    assert found["ch3"] == "第三章"
    a3 = next(u for u in p.units if u.key == "a3")
    cites = [s.cite(found["a3"]) for s in subdivisions(a3.text)]
    assert cites[0] == "第三条"
    assert cites[2] == "第三条第一款第（二）项"
    # The first article with a second 款: cited as 第N条第二款.
    two = next(
        (u, sub)
        for u in p.units
        if u.kind == "article"
        for sub in subdivisions(u.text)
        if sub.kuan == 2 and not sub.xiang
    )
    unit, sub = two
    assert sub.cite(found[unit.key]) == f"{unit.label}第二款"
    assert found[unit.key] == unit.label


def test_a_code_whose_chapters_restart_in_each_book_prefixes_them():
    nodes = [
        Node(1, None, "heading", "第一编"),
        Node(2, 1, "heading", "第一章"),
        Node(3, 2, "article", "第一条"),
        Node(4, None, "heading", "第二编"),
        Node(5, 4, "heading", "第一分编"),
        Node(6, 5, "heading", "第一章"),
        Node(7, 6, "article", "第二条"),
        Node(8, None, "heading", "第三编"),
        Node(9, 8, "heading", "第一分编"),
        Node(10, 9, "heading", "第一章"),
        Node(11, 10, "article", "第三条"),
    ]
    found = locators(nodes)
    assert found[2] == "第一编第一章"
    assert found[6] == "第二编第一分编第一章"
    assert found[10] == "第三编第一分编第一章"
    assert found[7] == "第二条"


def test_plain_text_paragraphs_attachments_and_table_rows():
    nodes = [
        Node("p1", None, "paragraph", ""),
        Node("p2", None, "paragraph", ""),
        Node("att1.p1", None, "paragraph", "", "att1"),
        Node("att1.i1", None, "item", "1.", "att1"),
        Node("att2.row1", None, "row", "", "att2", "序号\t名称"),
        Node("att2.r7", None, "row", "", "att2", "7\t某某"),
    ]
    found = locators(nodes)
    assert found["p1"] == "正文第1段" and found["p2"] == "正文第2段"
    assert found["att1.p1"] == "附件1第1段"
    assert found["att1.i1"] == "附件1 1."  # never 附件11.
    assert found["att2.row1"] == "附件2表格第1行"
    assert found["att2.r7"] == "附件2序号7"


def test_what_still_collides_is_told_apart_by_its_place():
    nodes = [
        Node(1, None, "heading", "一、"),
        Node(2, 1, "clause", "（三）"),
        Node(3, 1, "clause", "（三）"),
        Node(4, 1, "clause", "（三）"),
    ]
    found = locators(nodes)
    assert [found[i] for i in (2, 3, 4)] == ["一、（三）", "一、（三）第2处", "一、（三）第3处"]


def test_a_parent_cycle_does_not_hang():
    found = locators([Node(1, 2, "clause", "（一）"), Node(2, 1, "clause", "（一）")])
    assert len(set(found.values())) == 2


def test_helpers():
    assert part_of_key("cover.p1") == "cover" and part_of_key("att12.s1.c2") == "att12"
    assert part_of_key("s1.c2") == "" and part_of_key("attic") == ""
    assert family("（二十三）") == "（#）" and family("第十条之一") == "第#条之#"
    assert cover_name("国务院关于印发…的通知") == "通知"
    assert cover_name("", "国务院关于印发某方案的通知") == "通知"
    assert cover_name("") == "印发文件"


CITED = Citable(
    issuers="国务院",
    title="国务院关于印发某方案的通知",
    number="国发〔2019〕4号",
    issued=date(2019, 1, 24),
    locator="二、（一）",
    revision=2,
    url="https://example.org/documents/s/u/s2.c1/?rev=2",
    accessed=date(2026, 11, 30),
)


def test_gbt7714_of_an_official_document():
    assert gbt7714(CITED) == (
        "国务院. 国务院关于印发某方案的通知: 国发〔2019〕4号[EB/OL]. "
        "2019: 二、（一）(2019-01-24)[2026-11-30]. "
        "https://example.org/documents/s/u/s2.c1/?rev=2."
    )


def test_gbt7714_leaves_out_what_is_not_known_and_lists_at_most_three_bodies():
    bare = Citable("", "某意见", "", None, "（三）", 1, "https://h/x/?rev=1", date(2026, 1, 2))
    assert gbt7714(bare) == "某意见[EB/OL]. （三）[2026-01-02]. https://h/x/?rev=1."
    many = Citable("甲、乙、丙、丁", "某意见", "", None, "", 1, "u", date(2026, 1, 2))
    assert gbt7714(many).startswith("甲, 乙, 丙, 等. 某意见")
    assert issuers_list("中共中央 国务院") == ["中共中央", "国务院"]


def test_plain_citation():
    assert plain(CITED) == (
        "国务院《国务院关于印发某方案的通知》（国发〔2019〕4号，2019年1月24日）二、（一），"
        "本站文本第2版，https://example.org/documents/s/u/s2.c1/?rev=2，2026年11月30日访问。"
    )
