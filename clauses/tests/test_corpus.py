"""Every file of the real corpus, imported by the whole pipeline and read back.

The files are ../shared/corpus/{pages,laws} copied into fixtures/corpus (their
SOURCES.md says what each is). For each: the scheme chosen, the unit counts
and labels, the title, the metadata, and whole-file accounting: every Han
character of the file is in a reading, a metadata field, named furniture or
the table of contents; nothing is cut from a complete document.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from clauses.text.pipeline import prepare

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
HAN = re.compile("[\u4e00-\u9fff]")


def load(folder: str, name: str):
    path = next((CORPUS / folder).glob(f"{name}*"))
    return prepare(path.read_bytes())


def articles(p):
    return [u for u in p.units if u.kind == "article"]


def article_numbers(p):
    return [u.ordinal for u in articles(p)]


def kinds(p):
    return Counter(u.kind for u in p.units)


LAWS = {
    # file: (title, chapters, articles, history lines)
    "cishan-2016": ("中华人民共和国慈善法", 12, 112, 1),
    "cishan-2023": ("中华人民共和国慈善法", 13, 125, 2),
    "jiuye-cujin-2015": ("中华人民共和国就业促进法", 9, 69, 2),
    "laodong-hetong-2012": ("中华人民共和国劳动合同法", 11, 98, 2),
    "lifa-2015": ("中华人民共和国立法法", 13, 105, 2),
    "lifa-2023": ("中华人民共和国立法法", 13, 120, 3),
}


@pytest.mark.parametrize("name", sorted(LAWS))
def test_laws_read_as_chapters_and_articles(name):
    title, headings, count, history = LAWS[name]
    p = load("laws", name)
    assert p.schemes[""] == "law"
    assert p.title == title
    assert article_numbers(p) == list(range(1, count + 1))
    assert kinds(p)["heading"] == headings
    assert [u.key for u in articles(p)] == [f"a{n}" for n in range(1, count + 1)]
    assert len(p.metadata["history"]) == history
    # Every article hangs under its chapter (or section), with the path of labels.
    first = articles(p)[0]
    assert first.parent == "ch1" and first.path == ("第一章", "第一条")
    assert p.accounting["han"]["cut"] == 0
    assert p.accounting["kept"] == 1.0


def test_a_law_keeps_its_paragraphs_and_items_inside_the_article():
    p = load("laws", "cishan-2016")
    a3 = next(u for u in p.units if u.key == "a3")
    lines = a3.text.split("\n")
    assert lines[0].startswith("本法所称慈善活动")
    assert lines[1:] == [
        "（一）扶贫、济困；",
        "（二）扶老、救孤、恤病、助残、优抚；",
        "（三）救助自然灾害、事故灾难和公共卫生事件等突发事件造成的损害；",
        "（四）促进教育、科学、文化、卫生、体育等事业的发展；",
        "（五）防治污染和其他公害，保护和改善生态环境；",
        "（六）符合本法规定的其他公益活动。",
    ]


def test_the_2023_law_has_sections_under_its_chapters():
    p = load("laws", "lifa-2023")
    keys = [u.key for u in p.units if u.kind == "heading"]
    assert "ch2.s1" in keys and "ch2.s5" in keys
    section = next(u for u in p.units if u.key == "ch2.s1")
    assert section.parent == "ch2" and section.level == 2
    assert next(u for u in p.units if u.key == "a10").path[:2] == ("第二章", "第一节")


def han_of(p, kind):
    return p.accounting["han"][kind]


def assert_nothing_lost(p):
    han = p.accounting["han"]
    assert han["total"] == len(HAN.findall(p.original))
    placed = sum(v for k, v in han.items() if k != "total")
    assert placed == han["total"]
    # Every region is a span of the original, in order, without overlap.
    pos = 0
    for region in p.regions:
        assert region["start"] >= pos and region["end"] > region["start"]
        pos = region["end"]


@pytest.mark.parametrize(
    "name",
    [f.name.split("-")[0] for f in sorted((CORPUS / "pages").glob("d*.txt"))],
)
def test_every_page_is_accounted_for(name):
    p = load("pages", name)
    assert_nothing_lost(p)


# pages/: what each file is, as SOURCES.md describes it.
PAGES = {
    # name: (scheme of the main part, title, 文号, issuers, date, {kind: count} of the whole file)
    "d02": ("law", "中华人民共和国工会法", "", "", "2021-12-24", {"heading": 7, "article": 58}),
    "d03": ("law", "", "", "", "None", {"heading": 1, "article": 6}),
    "d04": ("law", "中华人民共和国劳动法", "", "", "2018-12-29", {"heading": 13, "article": 107}),
    "d05": (
        "law",
        "",
        "中华人民共和国主席令第二十八号",
        "全国人民代表大会常务委员会",
        "1994-07-05",
        {"heading": 1, "article": 7},
    ),
    "d06": ("law", "专利代理条例", "国令第706号", "国务院", "2018-11-06", {"article": 32}),
    "d07": (
        "outline",
        "国务院关于印发国家职业教育改革实施方案的通知",
        "国发〔2019〕4号",
        "国务院",
        "2019-01-24",
        {"heading": 7, "clause": 20},
    ),
    "d08": (
        "decimal",
        "国务院办公厅关于印发国家粮食应急预案的函",
        "国办函〔2005〕57号",
        "国务院办公厅",
        "2005-06-11",
        {},
    ),
    "d09": (
        "outline",
        "国务院办公厅关于推广第二批支持创新相关改革举措的通知",
        "国办发〔2018〕126号",
        "国务院办公厅",
        "2018-12-23",
        {"clause": 5, "row": 18},
    ),
    "d10": (
        "outline",
        "国务院关于做好当前和今后一个时期促进就业工作的若干意见",
        "国发〔2018〕39号",
        "国务院",
        "2018-11-16",
        {"heading": 5, "clause": 15},
    ),
    "d11": ("outline", "", "", "国务院办公厅", "None", {"clause": 7}),
    "d13": ("law", "专利代理条例", "", "", "2018-11-06", {"heading": 5, "article": 32}),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_read_right(name):
    scheme, title, number, issuers, when, counts = PAGES[name]
    p = load("pages", name)
    assert p.schemes[""] == scheme
    assert p.title == title
    assert p.number == number
    assert p.metadata.get("issuers", "") == issuers
    assert str(p.date) == when
    for kind, n in counts.items():
        assert kinds(p)[kind] == n, kind
    assert p.accounting["han"]["cut"] == 0
    # Titles are never body text.
    if title:
        assert all(not u.text.startswith(title) for u in p.units)


def test_d06_decree_and_regulation():
    p = load("pages", "d06")
    assert p.schemes == {"cover": "plain", "": "law"}
    assert p.units[0].key == "cover.p1" and "公布" in p.units[0].text
    assert p.metadata["history"][0].startswith("（1991年3月4日")
    assert p.metadata["signatory"] == "总理 李克强"
    assert article_numbers(p) == list(range(1, 33))
    # The 信息公开 table and the QR line are furniture, not text.
    names = {r["name"] for r in p.regions if r["kind"] == "furniture"}
    assert {"info_table", "qr_code"} <= names


def test_d08_plan_numbers_decimally_and_its_toc_is_no_heading():
    p = load("pages", "d08")
    keys = [u.key for u in p.units]
    assert "d1" in keys and "d1.1" in keys and "d2.1.3.i13" in keys
    assert not any("-2" in k for k in keys)  # the 目录 made no second set of headings
    assert p.accounting["han"]["toc"] > 100
    clause = next(u for u in p.units if u.key == "d1.2.1")
    assert clause.kind == "clause" and clause.parent == "d1.2"


def test_d09_table_rows_keep_their_cells_in_order():
    p = load("pages", "d09")
    rows = {u.key: u for u in p.units if u.kind == "row"}
    assert rows["att1.row1"].text.split("\t") == [
        "序号",
        "改革举措",
        "主要内容",
        "指导部门",
        "推广范围",
    ]
    cells = rows["att1.r23"].text.split("\t")
    assert cells[0] == "23" and cells[1] == "以地方立法形式建立推动改革创新的决策容错机制"
    assert cells[-1] == "全国"
    assert rows["att1.r1"].parent == "att1.s1"


def test_d05_a_forum_paste_is_split_into_articles():
    p = load("pages", "d05")
    assert [u.key for u in p.units] == ["ch1"] + [f"a{n}" for n in range(1, 8)]
    assert p.metadata["history"]
    furniture = {r["name"] for r in p.regions if r["kind"] == "furniture"}
    assert "forum_chrome" in furniture


GOVCN = json.loads((CORPUS / "govcn" / "metadata.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", GOVCN, ids=[r["file"] for r in GOVCN])
def test_every_govcn_page_imports_with_the_sites_own_fields(row):
    path = CORPUS / "govcn" / row["file"]
    p = prepare(path.read_bytes(), row["file"])
    assert p.format == "html"
    assert p.title == row["title"]
    assert p.metadata.get("issuers") == row["issuers"]
    assert p.number == row["number"]
    assert p.accounting["han"]["cut"] == 0
    assert_nothing_lost(p)
    text = "\n".join(u.text for u in p.units)
    for furniture in ("扫一扫在手机打开当前页", "索引号", "索 引 号", "政府信息公开专栏"):
        assert furniture not in text
    assert not text.startswith(row["title"])


WILD = {
    # damaged copy: the seed it must read exactly like
    "w01-opencc-zhe-taiwan-2017plan": "002",
    "w04-kangxi-radicals-pdf-000": "000",
    "w05-emspace-indent-000": "000",
    "w06-ocr-label-numerals-004": "004",
    "w07-running-header-000": "000",
    "w10-fullwidth-digits-000": "000",
}


@pytest.mark.parametrize("name", sorted(WILD))
def test_a_damaged_copy_reads_like_its_seed(name):
    from .seeds import prepared

    damaged = load("wild", name)
    clean = prepared(WILD[name])
    assert [(u.key, u.text) for u in damaged.units] == [(u.key, u.text) for u in clean.units]


def test_ocr_damaged_labels_are_kept_as_printed_and_flagged():
    p = load("wild", "w06")
    damaged = [(u.key, u.label) for u in p.units if u.damaged_label]
    assert damaged == [("c11", "（+—）"), ("c12", "（+=）"), ("c21", "（=+—）")]


# fixtures/made: files a reviewer made to break the import (issue 7 review).
MADE = CORPUS.parent / "made"


def made(name):
    return prepare((MADE / name).read_bytes(), name)


def test_a_code_with_parts_subparts_and_chapters_that_restart():
    """民法典's layout: 编 / 分编 / 章, 第一章 again in every 编 and 分编, a 目录."""
    p = made("mfd2.txt")
    assert p.title == "中华人民共和国民法典"
    headings = [(u.key, u.parent) for u in p.units if u.kind == "heading"]
    assert headings == [
        ("b1", ""),
        ("b1.ch1", "b1"),
        ("b1.ch2", "b1"),
        ("b2", ""),
        ("b2.f1", "b2"),
        ("b2.f1.ch1", "b2.f1"),
    ]
    assert article_numbers(p) == [1, 2, 3, 4, 5, 6]
    a5 = next(u for u in p.units if u.key == "a5")
    assert a5.path == ("第二编", "第一分编", "第一章", "第五条")
    assert p.accounting["han"]["toc"] > 30  # the 目录 made no headings
    assert not any("第二章" in u.text or "第二编" in u.text for u in articles(p))


def test_an_article_out_of_sequence_stays_an_article_and_is_reported():
    p = made("law-ooo.txt")
    assert [u.key for u in articles(p)] == ["a1", "a3", "a2", "a4", "a5", "a6"]
    rules = {r["rule"]: r for r in p.report}
    assert rules["labels_out_of_sequence"]["examples"] == ["第二条 ← 3"]
    # Cross-references at the start of a 款 are text.
    a5 = next(u for u in p.units if u.key == "a5")
    assert "\n第三十六条规定的罚款" in a5.text or "第三十六条规定的罚款" in a5.text


def test_a_docx_table_before_the_closing_is_the_documents():
    p = made("notice-table.docx")
    assert p.format == "docx"
    assert [u.key for u in p.units if u.kind == "row"] == ["row1", "r1", "r2"]
    assert p.metadata["date"] == "2024-03-05" and p.metadata["issuers"] == "国务院办公厅"
    assert p.accounting["han"]["cut"] == 0


def test_a_docx_attachment_table_keeps_its_rows_as_rows():
    p = made("notice-table2.docx")
    rows = [u for u in p.units if u.part == "att1"]
    assert [u.kind for u in rows] == ["row", "row", "row"]


def test_a_printed_pdf_loses_its_running_heads_and_page_numbers():
    p = made("d10-chromium.pdf")
    assert p.format == "pdf" and p.number == "国发〔2018〕39号"
    names = [r["name"] for r in p.regions if r["kind"] == "furniture"]
    assert names.count("page_number") >= 3 and "running_head" in names
    text = "".join(u.text for u in p.units)
    assert "国务院文件" not in text
    c8 = next(u for u in p.units if u.key == "c8")
    assert "可在参保地申请" in c8.text
    assert [u.key for u in p.units if u.kind == "clause"] == [f"c{n}" for n in range(1, 16)]


def test_a_pdf_whose_fonts_have_no_unicode_map_is_refused_for_that_reason():
    from clauses.text.decode import DecodeError

    with pytest.raises(DecodeError, match="no Unicode map"):
        made("d10.pdf")


def test_lookalike_radicals_count_as_han_characters():
    from .seeds import prepared

    damaged = load("wild", "w04")
    assert damaged.accounting["han"]["total"] == prepared("000").accounting["han"]["total"]


def test_taiwan_vocabulary_is_named_word_by_word_without_noise():
    def vocabulary(name):
        p = load("wild", name)
        entry = next(r for r in p.report if r["rule"] == "convert_traditional")
        assert entry["detail"]["orthography"] == "Taiwan"
        return entry["detail"].get("vocabulary", [])

    # w01 differs from the 2017 Plan by 著/着 alone: nothing to name.
    assert vocabulary("w01") == []
    named = vocabulary("w03-control")
    assert "型别 → 类型 ×1" in named and "网路 → 网络 ×6" in named
    assert all(len(item.split(" → ")[0]) >= 2 for item in named)
