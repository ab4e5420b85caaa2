"""Stage 3, find regions: ``regions.find_layout`` on real files and real snippets.

Plain pytest, no database. The corpus files are in ``fixtures/corpus`` (copies of
the shared corpus: pages/, laws/, govcn/, wild/); the seeds are the demo corpus.
Every file is fed as the pipeline makes it: decoded, then the character rules
(``cleanup.CHARACTER_RULES``, with ``convert_traditional`` for traditional script).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from clauses.text import cleanup
from clauses.text.decode import decode
from clauses.text.layout import CUT, FURNITURE, METADATA, TOC, Layout
from clauses.text.locate import locate
from clauses.text.patterns import CONTINUATION
from clauses.text.regions import find_layout, looks_structural, parse_date, structural_label
from clauses.text.textmap import MappedText

from .seeds import DEMO, FILES

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
PAGES = CORPUS / "pages"
LAWS = CORPUS / "laws"
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


# --- the character stage, as pipeline.prepare runs it -------------------------------


@cache
def clean_file(path: Path) -> tuple[str, frozenset[int]]:
    """(clean text, clean offsets of lines that were Markdown headings)."""
    original = decode(path.read_bytes()).text
    mt = MappedText.identity(original)
    script = cleanup.detect_script(original)
    for rule in cleanup.CHARACTER_RULES:
        if rule is cleanup.unify_punctuation and script == "traditional":
            mt, _ = cleanup.convert_traditional(mt)
        mt, _ = rule(mt)
    return mt.text, frozenset(_markdown_heading_lines(mt, original))


def _markdown_heading_lines(mt: MappedText, original: str) -> set[int]:
    found = set()
    pos = 0
    for line in mt.text.split("\n"):
        if line.strip():
            raw = mt.raw_offset(pos)
            line_start = original.rfind("\n", 0, raw) + 1
            if original[line_start:raw].lstrip(" \t\ufeff").startswith("#"):
                found.add(pos)
        pos += len(line) + 1
    return found


@cache
def layout_of(path: Path) -> Layout:
    clean, md = clean_file(path)
    return find_layout(clean, md)


def seed_path(name: str) -> Path:
    return DEMO / FILES[name]


def texts(layout: Layout, clean: str, name: str, kind: str | None = None) -> list[str]:
    return [
        clean[s.start : s.end]
        for s in layout.spans
        if s.name == name and (kind is None or s.kind == kind)
    ]


def han_in(layout: Layout, clean: str, kind: str) -> int:
    return sum(len(HAN.findall(clean[s.start : s.end])) for s in layout.spans if s.kind == kind)


def check_invariant(clean: str, layout: Layout) -> None:
    """Every non-blank character in exactly one body line or one span."""
    intervals = [(b.start, b.end, f"part {k}") for k, p in enumerate(layout.parts) for b in p.lines]
    intervals += [(s.start, s.end, f"{s.kind}:{s.name}") for s in layout.spans]
    intervals.sort()
    pos = 0
    for start, end, what in intervals:
        assert 0 <= start < end <= len(clean), (start, end, what)
        assert start >= pos, f"overlap at {start}: {what} {clean[start : start + 20]!r}"
        gap = clean[pos:start]
        assert not gap.strip(), f"uncovered text before {start}: {gap.strip()[:30]!r}"
        pos = end
    assert not clean[pos:].strip(), f"uncovered text at the end: {clean[pos:].strip()[:30]!r}"
    for p in layout.parts:
        for b in p.lines:
            assert clean[b.start : b.end] == b.text
    # The title is never body text or a table cell.
    if layout.title:
        for p in layout.parts:
            for b in p.lines:
                assert b.text != layout.title


def main_part(layout: Layout):
    return next(p for p in layout.parts if p.role == "main")


def articles(part) -> int:
    return sum(1 for b in part.lines if re.match(r"^第[一二三四五六七八九十百零]+条", b.text))


# --- the structural label predicate ------------------------------------------------------


@pytest.mark.parametrize(
    "line, kind",
    [
        ("第一编　总　　则", "part"),
        ("第二分编 合同", "part"),
        ("第一章　总　　则", "chapter"),
        ("第一节 立法权限", "section"),
        ("第二十九条　外国专利代理机构在中华人民共和国境内设立常驻代表机构", "article"),
        ("一、完善国家职业教育制度体系", "heading"),
        ("（一）健全国家职业教育制度框架。", "clause"),
        ("1. 完善现代职业教育制度。", "item"),
        ("25．营造尊重劳动、崇尚技能、鼓励创造的社会氛围。", "item"),
        ("1　总则", "outline"),
        ("1.1　编制目的及依据", "outline"),
        ("1.2.1　国家级（Ⅰ级）：两个以上省、自治区、直辖市出现粮食应急状态", "outline"),
        ("（1）统一领导、分级负责。", "paren_item"),
        ("①加强组织领导", "circled"),
        ("一是加强统筹协调", "shi"),
        ("——数量扩容布局扩展。", "bullet"),
        ("专栏1　重大工程", "box"),
    ],
)
def test_structural_label(line, kind):
    assert structural_label(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "2018年11月6日",
        "2.5万亿元的投入",
        "1",  # a table's row number
        "国务院办公厅",
        "产业工人是工人阶级的主体力量。",
        "第706号",
    ],
)
def test_not_structural(line):
    assert not looks_structural(line)


# --- furniture kinds, one test each, on real snippets ---------------------------------


def doc(*lines: str) -> str:
    """A small document around furniture or metadata lines under test."""
    return "\n\n".join(lines)


BODY = (
    "一、总体要求\n\n"
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。\n\n"
    "（一）健全国家职业教育制度框架。把握好正确的改革方向。"
)


def layout_and_clean(text: str) -> tuple[Layout, str]:
    layout = find_layout(text)
    check_invariant(text, layout)
    return layout, text


def test_furniture_info_table():
    # d07, gov.cn's 信息公开 table as innerText gives it.
    head = (
        "索 引 号：\t000014349/2019-00005\t主题分类：\t科技、教育\\教育\n"
        "发文机关：\t国务院\t成文日期：\t2019年01月24日\n"
        "标　　题：\t国务院关于印发国家职业教育改革实施方案的通知\n"
        "发文字号：\t国发〔2019〕4号\t发布日期：\t2019年02月13日\n"
        "主 题 词："
    )
    layout, clean = layout_and_clean(doc(head, "国家职业教育改革实施方案", BODY))
    assert len(texts(layout, clean, "info_table", FURNITURE)) == 1
    meta = layout.metadata
    assert meta["index_number"] == "000014349/2019-00005"
    assert meta["subject"] == "科技、教育\\教育"
    assert meta["issuers"] == "国务院"
    assert meta["number"] == "国发〔2019〕4号"
    assert meta["date"] == "2019-01-24"
    assert meta["published"] == "2019-02-13"
    assert layout.title == "国务院关于印发国家职业教育改革实施方案的通知"


def test_furniture_info_table_one_cell_a_line():
    # The same table when an extractor gives one cell per line.
    head = "标　　题：\n国务院关于做好当前和今后一个时期促进就业工作的若干意见\n发文字号：\n国发〔2018〕39号\n发布日期：\n2018年12月05日"
    layout, clean = layout_and_clean(doc(head, BODY))
    assert layout.metadata["number"] == "国发〔2018〕39号"
    assert layout.title == "国务院关于做好当前和今后一个时期促进就业工作的若干意见"


def test_furniture_qr_code():
    layout, clean = layout_and_clean(doc("国家粮食应急预案", BODY, "扫一扫在手机打开当前页"))
    assert texts(layout, clean, "qr_code") == ["扫一扫在手机打开当前页"]


@pytest.mark.parametrize(
    "line",
    ["【字体：大 中 小】", "字体：", "打印本页", "关闭窗口", "【字体：大 中 小】打印本页 关闭窗口"],
)
def test_furniture_page_tools(line):
    layout, clean = layout_and_clean(doc("国家粮食应急预案", line, BODY, line))
    assert texts(layout, clean, "page_tools") == [line, line]


def test_furniture_share_source_editor_breadcrumb_related():
    text = doc(
        "首页 > 政策 > 最新",
        "来源：新华网",
        "国家粮食应急预案",
        BODY,
        "责任编辑：张三",
        "分享到：",
        "相关链接",
    )
    layout, clean = layout_and_clean(text)
    assert texts(layout, clean, "breadcrumb") == ["首页 > 政策 > 最新"]
    assert texts(layout, clean, "source") == ["来源：新华网"]
    assert texts(layout, clean, "editor") == ["责任编辑：张三"]
    assert texts(layout, clean, "share") == ["分享到："]
    assert texts(layout, clean, "related_links") == ["相关链接"]
    assert han_in(layout, clean, CUT) == 0


def test_furniture_html_markup():
    # d12: a spam site's page starts with stray markup.
    head = '<strong id="xswso"><track id="xswso"></track></strong>\n<dd id="xswso"></dd>\n1. <th id="xswso"><track id="xswso"></track></th>'
    layout, clean = layout_and_clean(doc(head, "国家粮食应急预案", BODY))
    assert len(texts(layout, clean, "html_markup")) == 1  # merged: only blanks between
    assert main_part(layout).lines[0].text == "一、总体要求"


def test_furniture_markdown_marker():
    path = PAGES / "d02-gonghuifa-lawrefbook.txt"
    clean, _ = clean_file(path)
    assert texts(layout_of(path), clean, "markdown_marker") == ["<！-- INFO END -->"]


def test_furniture_masthead():
    path = seed_path("001")
    clean, _ = clean_file(path)
    mast = "".join(texts(layout_of(path), clean, "masthead"))
    for piece in ("辽源发布", "LIAO YUAN RI BAO", "总第9120期", "新闻热线", "出版物号"):
        assert piece in mast


@pytest.mark.parametrize(
    "line",
    [
        "工人日报  2024年10月24日  星期四  第3版  要闻",
        "2024年10月24日 星期四 工人日报 3",
        "人民日报 2024年10月22日 星期二 第4版 要闻",  # wild/w07
    ],
)
def test_furniture_running_head(line):
    body = BODY.replace("\n\n（一）", f"\n\n{line}\n\n（一）")
    layout, clean = layout_and_clean(doc("国家粮食应急预案", body))
    assert texts(layout, clean, "running_head") == [line]


@pytest.mark.parametrize(
    "marker", ["（上接第1版）", "（下转 第 3 版）", "（转第4版）", "（下转第 4 版）"]
)
def test_furniture_continuation_inside_a_line(marker):
    body = BODY.replace("把握好正确", f"把握好{marker}正确")
    layout, clean = layout_and_clean(doc("国家粮食应急预案", body))
    assert texts(layout, clean, "continuation") == [marker]
    last = [b.text for b in main_part(layout).lines][-2:]
    assert last == ["（一）健全国家职业教育制度框架。把握好", "正确的改革方向。"]


def test_furniture_continuation_line_in_seed():
    path = seed_path("000")
    clean, _ = clean_file(path)
    assert texts(layout_of(path), clean, "continuation") == ["（上接第1版）"]


def test_furniture_forum_chrome():
    path = PAGES / "d05-laodongfa1994-llgarden-forum.txt"
    clean, _ = clean_file(path)
    chrome = texts(layout_of(path), clean, "forum_chrome")
    assert chrome[0].startswith("马上注册") and chrome[0].endswith("x")


def test_furniture_authorized_release_and_lead_in():
    path = PAGES / "d12-jiejiari2025-trad-xinhua-repost.txt"
    clean, _ = clean_file(path)
    layout = layout_of(path)
    assert texts(layout, clean, "authorized_release") == ["受权发布丨"]
    assert texts(layout, clean, "lead_in") == [
        "国务院办公厅关于2025年部分节假日安排的通知，全文如下："
    ]
    assert texts(layout, clean, "source") == ["来源：新华网"]
    assert texts(layout, clean, "page_tools") == ["字体："]


def test_furniture_gbt9704_head_of_a_circular():
    # 002: 份号 and 发文机关标志 (GB/T 9704-2012 §7.2) before the 文号.
    path = seed_path("002")
    clean, _ = clean_file(path)
    layout = layout_of(path)
    assert texts(layout, clean, "copy_number") == ["004233"]
    assert texts(layout, clean, "issuer_mark") == ["中共中央文件"]


def test_toc():
    path = PAGES / "d08-liangshi-yingji-yuan-govcn.txt"
    clean, _ = clean_file(path)
    layout = layout_of(path)
    toc = [s for s in layout.spans if s.kind == TOC]
    toc_text = clean[toc[0].start : toc[-1].end]
    assert toc_text.startswith("目　　录") and toc_text.endswith("7　附则")
    plan = main_part(layout)
    assert plan.lines[0].text == "1　总则"
    # No heading twice: each outline label once in the body.
    labels = [b.text.split("　")[0] for b in plan.lines if structural_label(b.text) == "outline"]
    assert labels.count("1") == 1 and labels.count("6.4") == 1


def test_cut_after_agency_line_and_unrelated_article():
    # 000 ends at 据新华社, then an unrelated article.
    path = seed_path("000")
    clean, _ = clean_file(path)
    layout = layout_of(path)
    cuts = [s for s in layout.spans if s.kind == CUT]
    assert [s.name for s in cuts] == ["after_agency_line"]
    assert clean[cuts[0].start :].lstrip().startswith("中国知识产权发展获国际点赞")
    assert texts(layout, clean, "dateline") == ["据新华社"]


def test_cut_unrelated_article_after_headline():
    text = doc(
        "国家粮食应急预案",
        BODY,
        "抓项目就是抓发展 谋项目就是谋未来",
        "本报讯（记者 馨月）今年以来，龙山工业开发区坚持项目为王，全力推进项目建设。",
        "日前，记者在龙山工业开发区新领域现代纺织产业园建设施工现场看到，塔吊高耸。",
    )
    layout, clean = layout_and_clean(text)
    cut = "".join(texts(layout, clean, "unrelated_article", CUT))
    assert cut.startswith("抓项目就是抓发展") and "塔吊高耸" in cut


def test_cut_before_document():
    layout, clean = layout_and_clean(doc("热门推荐", "国家粮食应急预案", BODY))
    assert texts(layout, clean, "before_document", CUT) == ["热门推荐"]


# --- metadata fields, one test each ------------------------------------------------------


def test_metadata_title_over_two_lines():
    path = PAGES / "d10-cujin-jiuye-yijian-govcn.txt"
    clean, _ = clean_file(path)
    layout = layout_of(path)
    assert texts(layout, clean, "title", METADATA) == [
        "国务院关于做好当前和今后一个时期",
        "促进就业工作的若干意见",
    ]
    assert main_part(layout).title == "国务院关于做好当前和今后一个时期促进就业工作的若干意见"


def test_metadata_title_letter_spaced():
    path = PAGES / "d08-liangshi-yingji-yuan-govcn.txt"
    assert layout_of(path).parts[0].title == "国务院办公厅关于印发国家粮食应急预案的函"


@pytest.mark.parametrize("number", ["国发〔2019〕4号", "国办函〔2005〕57号", "中发〔2017〕14号"])
def test_metadata_number(number):
    layout, clean = layout_and_clean(
        doc("国务院关于印发国家职业教育改革", "实施方案的通知", number, BODY)
    )
    assert layout.metadata["number"] == number
    assert texts(layout, clean, "number") == [number]


def test_metadata_decree_number_and_signatory():
    text = doc(
        "中华人民共和国国务院令",
        "第706号",
        "《专利代理条例》已经2018年9月6日国务院第23次常务会议修订通过，现将修订后的《专利代理条例》公布，自2019年3月1日起施行。",
        "总理　李克强",
        "2018年11月6日",
        "专利代理条例",
        "（1991年3月4日中华人民共和国国务院令第76号发布　2018年9月6日国务院第23次常务会议修订通过）",
        "第一章　总　　则",
        "第一条　为了规范专利代理行为，制定本条例。",
    )
    layout, clean = layout_and_clean(text)
    assert [p.role for p in layout.parts] == ["covering", "main"]
    assert layout.title == "专利代理条例"
    assert layout.metadata["number"] == "国务院令第706号"
    assert layout.metadata["issuers"] == "国务院"
    assert layout.metadata["signatory"] == "总理 李克强"
    assert layout.metadata["date"] == "2018-11-06"
    assert len(layout.metadata["history"]) == 1


def test_metadata_issuers_from_closing():
    # 002: the 落款 typeset letter-spaced over two lines.
    path = seed_path("002")
    clean, _ = clean_file(path)
    layout = layout_of(path)
    assert texts(layout, clean, "issuers") == ["中共 中 央", "国 务 院"]
    assert layout.parts[0].role == "covering"
    assert layout.metadata["issuers"] == "中共中央、国务院"


def test_metadata_issuers_from_title():
    layout, _ = layout_and_clean(doc("中共中央国务院关于深化产业工人队伍建设改革的意见", BODY))
    assert layout.metadata["issuers"] == "中共中央、国务院"


def test_metadata_addressees():
    path = PAGES / "d11-jiejiari2014-trad-executivefront.txt"
    layout = layout_of(path)
    assert layout.metadata["addressees"] == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构"
    assert layout.metadata["issuers"] == "国务院办公厅"


@pytest.mark.parametrize(
    "line, iso",
    [
        ("2019年1月24日", "2019-01-24"),
        ("二〇〇五年六月十一日", "2005-06-11"),
        ("（2024年10月12日）", "2024-10-12"),
        ("（二〇二四年十月十二日）", "2024-10-12"),
        ("2018年12月31日", "2018-12-31"),
        ("二〇一八年十二月三十一日", "2018-12-31"),
    ],
)
def test_metadata_date(line, iso):
    assert parse_date(line) == iso
    layout, clean = layout_and_clean(doc("国家粮食应急预案", BODY, "国务院办公厅", line))
    assert layout.metadata["date"] == iso
    assert texts(layout, clean, "date") == [line]


def test_metadata_history_lawrefbook():
    path = PAGES / "d13-zhuanli-daili-tiaoli-lawrefbook.txt"
    meta = layout_of(path).metadata
    assert meta["history"] == [
        "1991年3月4日 中华人民共和国国务院令第76号发布",
        "2018年9月6日 国务院第23次常务会议修订通过",
        "2018年11月6日 中华人民共和国国务院令第706号公布",
        "2019年3月1日 施行",
    ]
    assert meta["date"] == "2018-11-06"  # promulgated, not in force


def test_metadata_history_parenthesised():
    path = PAGES / "d06-zhuanli-daili-tiaoli-govcn.txt"
    (history,) = layout_of(path).metadata["history"]
    assert history.startswith("（1991年3月4日") and history.endswith("修订通过）")


def test_metadata_attachments_and_note():
    path = PAGES / "d09-chuangxin-jucuo-tongzhi-fujian-govcn.txt"
    meta = layout_of(path).metadata
    assert meta["attachments"] == ["第二批支持创新相关改革举措推广清单"]
    assert meta["note"] == "（本文有删减）"


def test_metadata_attachment_list_over_lines():
    text = doc(
        "国务院关于印发两个规定的通知",
        BODY,
        "附件：1．文化体制改革中经营性文化事业单位转制为企业的规定",
        "2．进一步支持文化企业发展的规定",
        "国务院办公厅",
        "2018年12月18日",
        "（此件公开发布）",
    )
    layout, _ = layout_and_clean(text)
    assert layout.metadata["attachments"] == [
        "文化体制改革中经营性文化事业单位转制为企业的规定",
        "进一步支持文化企业发展的规定",
    ]
    assert layout.metadata["note"] == "（此件公开发布）"


def test_metadata_cc_and_printed():
    text = doc(
        "国家粮食应急预案",
        BODY,
        "国务院办公厅",
        "2005年6月11日",
        "抄送：中共中央办公厅，全国人大常委会办公厅，全国政协办公厅。",
        "国务院办公厅秘书局　2005年6月13日印发",
    )
    layout, _ = layout_and_clean(text)
    assert layout.metadata["cc"] == ["中共中央办公厅", "全国人大常委会办公厅", "全国政协办公厅"]
    assert layout.metadata["printed"] == "国务院办公厅秘书局2005年6月13日印发"


def test_metadata_printed_over_two_lines():
    path = seed_path("002")
    clean, _ = clean_file(path)
    layout = layout_of(path)
    assert layout.metadata["printed"] == "中共中央办公厅秘书局2017年4月15日印发"
    assert texts(layout, clean, "printed")[-1] == "2017年4月18日翻印"


def test_metadata_published_and_dateline():
    path = PAGES / "d12-jiejiari2025-trad-xinhua-repost.txt"
    meta = layout_of(path).metadata
    assert meta["published"] == "2024-11-13"
    assert meta["dateline"] == "新华社北京11月12日电"


def test_metadata_dateline_end_line():
    path = seed_path("001")
    assert layout_of(path).metadata["dateline"] == "新华社北京10月21日电"


# --- every corpus file -------------------------------------------------------------------

GOVCN_URLS = {
    "d06": "http://www.gov.cn/zhengce/content/2018-11/19/content_5341736.htm",
    "d07": "http://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm",
    "d08": "http://www.gov.cn/zhengce/content/2018-12/03/content_5345459.htm",
    "d09": "http://www.gov.cn/zhengce/content/2019-01/08/content_5355837.htm",
    "d10": "http://www.gov.cn/zhengce/content/2018-12/05/content_5345808.htm",
}

#: What each file is: title, 文号, issuers, date, roles of the parts, and
#: whether the file really holds unrelated text (Han in cuts allowed).
EXPECTED = {
    "d01": dict(
        title="中共中央国务院关于深化产业工人队伍建设改革的意见",
        issuers="中共中央、国务院",
        date="2024-10-12",
        roles=["main"],
    ),
    "d02": dict(title="中华人民共和国工会法", date="2021-12-24", roles=["main"], articles=58),
    "d03": dict(title="", roles=["main"]),
    "d04": dict(title="中华人民共和国劳动法", date="2018-12-29", roles=["main"], articles=107),
    "d05": dict(
        title="",
        number="中华人民共和国主席令第二十八号",
        issuers="全国人民代表大会常务委员会",
        date="1994-07-05",
        roles=["main"],
    ),
    "d06": dict(date="2018-11-06", roles=["covering", "main"], articles=32),
    "d07": dict(date="2019-01-24", roles=["covering", "main"]),
    "d08": dict(date="2005-06-11", roles=["covering", "main"]),
    "d09": dict(date="2018-12-23", roles=["main", "attachment"]),
    "d10": dict(date="2018-11-16", roles=["main"]),
    "d11": dict(title="", issuers="国务院办公厅", roles=["main"]),
    "d12": dict(
        title="国务院办公厅关于2025年部分节假日安排的通知", issuers="国务院办公厅", roles=["main"]
    ),
    "d13": dict(title="专利代理条例", date="2018-11-06", roles=["main"], articles=32),
    "cishan-2016": dict(
        title="中华人民共和国慈善法", date="2016-03-16", roles=["main"], articles=112
    ),
    "cishan-2023": dict(
        title="中华人民共和国慈善法", date="2023-12-29", roles=["main"], articles=125
    ),
    "jiuye-cujin-2015": dict(
        title="中华人民共和国就业促进法", date="2015-04-24", roles=["main"], articles=69
    ),
    "laodong-hetong-2012": dict(
        title="中华人民共和国劳动合同法", date="2012-12-28", roles=["main"], articles=98
    ),
    "lifa-2015": dict(
        title="中华人民共和国立法法", date="2015-03-15", roles=["main"], articles=105
    ),
    "lifa-2023": dict(
        title="中华人民共和国立法法", date="2023-03-13", roles=["main"], articles=120
    ),
    "000": dict(
        title="中共中央 国务院关于深化产业工人队伍建设改革的意见",
        issuers="中共中央、国务院",
        date="2024-10-12",
        roles=["main"],
        unrelated=True,
    ),
    "001": dict(
        title="中共中央 国务院关于深化产业工人队伍建设改革的意见",
        issuers="中共中央、国务院",
        date="2024-10-12",
        roles=["main"],
        unrelated=True,
    ),
    "002": dict(
        # Without a 信息公开 table the file is named after the plan the circular
        # issues (the circular's own title is metadata covering_title).
        title="新时期产业工人队伍建设改革方案",
        number="中发〔2017〕14号",
        issuers="中共中央、国务院",
        date="2017-04-14",
        roles=["covering", "main"],
    ),
    "003": dict(title="", roles=["main"]),
    "004": dict(
        title="中共中央国务院关于深化产业工人队伍建设改革的意见",
        issuers="中共中央、国务院",
        roles=["main"],
        unrelated=True,
    ),
}


def corpus_files() -> list[tuple[str, Path]]:
    files = [(p.name[:3], p) for p in sorted(PAGES.glob("d*.txt"))]
    files += [(p.stem, p) for p in sorted(LAWS.glob("*.md")) if p.stem != "SOURCES"]
    files += [(name, seed_path(name)) for name in sorted(FILES)]
    return files


@cache
def govcn_metadata() -> dict[str, dict]:
    rows = json.loads((CORPUS / "govcn" / "metadata.json").read_text())
    return {row["url"]: row for row in rows}


@pytest.mark.parametrize("name, path", corpus_files(), ids=[n for n, _ in corpus_files()])
def test_corpus_file(name, path):
    clean, _ = clean_file(path)
    layout = layout_of(path)
    check_invariant(clean, layout)
    expected = dict(EXPECTED[name])
    if name in GOVCN_URLS:  # the site's own fields
        row = govcn_metadata()[GOVCN_URLS[name]]
        expected.update(title=row["title"], issuers=row["issuers"], number=row["number"])
    meta = layout.metadata
    assert layout.title == expected["title"]
    assert meta.get("title", "") == expected["title"]
    assert meta.get("number", "") == expected.get("number", "")
    assert meta.get("issuers", "") == expected.get("issuers", "")
    assert meta.get("date") == expected.get("date")
    assert [p.role for p in layout.parts] == expected["roles"]
    assert [p.key for p in layout.parts if p.role == "main"] == [""]
    main = main_part(layout)
    assert main.lines, "the main part has body text"
    if "articles" in expected:
        assert articles(main) == expected["articles"]
    # No Han character is cut unless the file really has unrelated text.
    if expected.get("unrelated"):
        assert han_in(layout, clean, CUT) > 100
    else:
        assert han_in(layout, clean, CUT) == 0
    # Spans are sorted and named.
    assert layout.spans == sorted(layout.spans, key=lambda s: s.start)
    assert all(s.name for s in layout.spans)


def test_d06_decree_and_regulation():
    layout = layout_of(PAGES / "d06-zhuanli-daili-tiaoli-govcn.txt")
    cover, reg = layout.parts
    assert cover.key == "cover" and cover.title == "中华人民共和国国务院令"
    assert cover.lines[0].text.startswith("《专利代理条例》已经")
    assert reg.title == "专利代理条例" and reg.lines[0].text == "第一章　总　　则"
    assert layout.metadata["signatory"] == "总理 李克强"


def test_d07_circular_and_plan():
    layout = layout_of(PAGES / "d07-zhijiao-gaige-fangan-tongzhi-govcn.txt")
    cover, plan = layout.parts
    assert cover.title == "国务院关于印发国家职业教育改革实施方案的通知"
    assert [b.text for b in cover.lines] == [
        "现将《国家职业教育改革实施方案》印发给你们，请认真贯彻执行。"
    ]
    assert plan.title == "国家职业教育改革实施方案"
    assert plan.lines[0].text.startswith("职业教育与普通教育是两种不同教育类型")
    assert plan.lines[-1].text.startswith("国务院职业教育工作部际联席会议由")
    assert layout.metadata["note"] == "（此件公开发布）"
    assert layout.metadata["addressees"].startswith("各省、自治区、直辖市人民政府")


def test_d08_letter_and_plan_with_toc():
    layout = layout_of(PAGES / "d08-liangshi-yingji-yuan-govcn.txt")
    letter, plan = layout.parts
    assert letter.role == "covering" and plan.title == "国家粮食应急预案"
    assert plan.lines[-1].text == "7.3　本预案自印发之日起实施。"
    assert layout.metadata["issuers"] == "国务院办公厅"


def test_d09_notice_and_attachment_table():
    layout = layout_of(PAGES / "d09-chuangxin-jucuo-tongzhi-fujian-govcn.txt")
    notice, table = layout.parts
    assert notice.lines[-1].text.startswith("各省（区、市）人民政府要把推广")
    assert table.key == "att1" and table.label == "附件"
    assert table.title == "第二批支持创新相关改革举措推广清单"
    # One line per row: join_table_cells turned the copied cells into tab-separated rows.
    rows = [b.text.split("\t") for b in table.lines]
    assert rows[0] == ["序号", "改革举措", "主 要 内 容", "指导部门", "推广范围"]
    assert rows[-1][0] == "23" and rows[-1][-2:] == [
        "国家发展改革委、国务院国资委、审计署",
        "全国",
    ]
    assert "以地方立法形式建立推动改革创新的决策容错机制" in rows[-1]


def test_cishan_2023_repeated_title_is_metadata():
    path = LAWS / "cishan-2023.md"
    clean, _ = clean_file(path)
    layout = layout_of(path)
    assert texts(layout, clean, "title") == ["中华人民共和国慈善法", "中华人民共和国慈善法"]
    assert main_part(layout).lines[0].text == "第一章 总 则"


def test_wild_running_head_and_spaced_continuation():
    path = CORPUS / "wild" / "w07-running-header-000.txt"
    clean, _ = clean_file(path)
    layout = layout_of(path)
    check_invariant(clean, layout)
    assert texts(layout, clean, "running_head") == ["人民日报 2024年10月22日 星期二 第4版 要闻"]
    assert texts(layout, clean, "continuation") == ["（上接第1版）", "（下转第 4 版）"]


# --- the seeds keep their body text ------------------------------------------------------


def old_body_lines(clean: str, md: frozenset[int]) -> list[str]:
    """The body the old pipeline kept: locate.locate, then the edits pipeline.prepare
    made before remove_spaces_between_chinese (title, head furniture, continuation
    markers removed), as non-blank lines."""
    loc = locate(clean, md)
    edits: list[tuple[int, int]] = []
    if loc.title_line:
        edits.append((loc.title_line.start, loc.title_line.end))
    for ln in loc.furniture_lines:
        edits.append((ln.start, ln.end))
    for m in CONTINUATION.finditer(clean, loc.start, loc.end):
        if not any(a <= m.start() < b for a, b in edits):
            edits.append((m.start(), m.end()))
    edits.sort()
    pieces, pos = [], loc.start
    for a, b in edits:
        pieces.append(clean[pos:a])
        pos = b
    pieces.append(clean[pos : loc.end])
    body = "".join(pieces)
    return [ln.strip() for ln in body.split("\n") if ln.strip()]


def new_body_lines(clean: str, layout: Layout) -> list[str]:
    """The main part's body lines, fragments of one physical line joined."""
    out: list[str] = []
    last_line = None
    for b in main_part(layout).lines:
        line_no = clean.count("\n", 0, b.start)
        if line_no == last_line:
            out[-1] += b.text
        else:
            out.append(b.text)
        last_line = line_no
    return out


@pytest.mark.parametrize("name", sorted(FILES))
def test_seed_body_unchanged(name):
    clean, md = clean_file(seed_path(name))
    layout = layout_of(seed_path(name))
    check_invariant(clean, layout)
    assert new_body_lines(clean, layout) == old_body_lines(clean, md)


# --- scale (speed is measured by bench/regions.py, not asserted here) --------------------


def test_two_megabytes_of_corpus_keep_the_invariant():
    corpus = "\n\n".join(clean_file(path)[0] for _, path in corpus_files())
    text = corpus * max(1, 2_000_000 // len(corpus.encode()))
    check_invariant(text, find_layout(text))


def test_one_long_body_is_one_part_of_every_line():
    line = "（一）健全国家职业教育制度框架。把握好正确的改革方向，严把教学标准。\n"
    text = "国家粮食应急预案\n" + line * 40000
    layout = find_layout(text)
    check_invariant(text, layout)
    assert len(main_part(layout).lines) == 40000
