"""The handout's three forms (print view, DOCX, WeasyPrint PDF) and the sign-in
sheet, rendered for real and read back: lxml for the HTML, python-docx for the
DOCX, pdfminer.six for the PDF. No database."""

import io
import re
import sys
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from docx.oxml.ns import qn
from lxml import html as lxml_html
from pdfminer.high_level import extract_text

from studies import handout as handout_module
from studies.handout import (
    Handout,
    HandoutItem,
    HandoutUnavailable,
    Options,
    render_docx,
    render_html,
    render_pdf,
    render_signin_sheet_html,
)
from studies.handout_layout import HandoutError

ONE = (
    "持续强化产业工人队伍思想政治工作。坚持不懈用习近平新时代中国特色社会主义思想凝心铸魂，"
    "推动党的创新理论在产业工人中落地生根，结合实际做好网上思想政治引领，持续抓好主题宣传教育，"
    "开展普遍轮训。"
)
THREE = (
    "大力弘扬劳模精神、劳动精神、工匠精神。做实“中国梦·劳动美”主题宣传教育。"
    "深入开展“劳模工匠进校园”行动，在职业学校(含技工院校，下同)开设“劳模工匠大讲堂”。"
)
FIVE = (
    "完善企业民主管理制度。健全以职工代表大会为基本形式的企事业单位民主管理制度，"
    "涉及产业工人切身利益的重大事项必须依法依章程经职工代表大会审议通过。"
)
SOURCE = "中共中央 国务院关于深化产业工人队伍建设改革的意见，2024年10月12日"
HOSTILE = "<script>alert('x')</script>&amp;"


def sample() -> Handout:
    return Handout(
        title="深化产业工人队伍建设改革 · 学习材料",
        audience="基层工会主席、职工代表",
        date="2025年3月14日",
        place="市总工会三楼报告厅",
        intro="本次学习选取《意见》三条。\n请学员带笔。",
        items=[
            HandoutItem(
                "二、（一）",
                ONE,
                SOURCE,
                "凝心铸魂是首要任务。\n结合本单位实际说明普遍轮训。",
                ["本单位的职工思想政治工作有哪些好做法？", "网上思想政治引领从哪里做起？"],
                ["习近平新时代中国特色社会主义思想", "普遍轮训"],
                [],
            ),
            HandoutItem(
                "二、（三）",
                THREE,
                SOURCE,
                "三种精神。",
                ["“劳模工匠大讲堂”可以请谁来讲？"],
                ["劳模精神、劳动精神、工匠精神"],
                [("equal", "纳入"), ("del", "思政课"), ("ins", "大思政课工作体系")],
            ),
            HandoutItem(
                "三、（五）",
                FIVE,
                SOURCE,
                "",
                ["哪些事项必须经职工代表大会审议通过？"],
                ["职工代表大会"],
                [],
            ),
        ],
    )


def squash(text: str) -> str:
    """Text without white space (PDF text breaks lines anywhere)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def tree(page: str):
    return lxml_html.fromstring(page)


# --- Print view ---------------------------------------------------------------


def test_print_view_trainers_copy():
    page = render_html(sample(), Options())
    doc = tree(page)
    assert doc.findtext(".//title") == "深化产业工人队伍建设改革 · 学习材料"
    assert doc.xpath("string(//h1)") == "深化产业工人队伍建设改革 · 学习材料"
    meta = [squash(d.text_content()) for d in doc.xpath("//dl[@class='sheet-meta']/div")]
    assert meta == ["对象基层工会主席、职工代表", "时间2025年3月14日", "地点市总工会三楼报告厅"]
    assert doc.xpath("string(//p[@class='copy-kind'])") == "讲师用"
    assert [p.text for p in doc.xpath("//section[@class='intro']/p")] == [
        "本次学习选取《意见》三条。",
        "请学员带笔。",
    ]
    clauses = doc.xpath("//section[@class='clause']")
    assert [c.xpath("string(.//h2)") for c in clauses] == ["二、（一）", "二、（三）", "三、（五）"]
    assert [c.xpath("string(.//div[@class='clause-text'])").strip() for c in clauses] == [
        ONE,
        THREE,
        FIVE,
    ]
    assert clauses[0].xpath("string(.//p[@class='clause-source'])") == SOURCE
    points = clauses[0].xpath(".//aside[@class='points']")[0]
    assert points.xpath("string(h3)") == "讲解要点"
    assert [p.text for p in points.xpath("p")] == [
        "凝心铸魂是首要任务。",
        "结合本单位实际说明普遍轮训。",
    ]
    assert not clauses[2].xpath(".//aside")  # no points: no box
    questions = [squash(li.xpath("string(p)")) for li in doc.xpath("//div[@class='questions']//li")]
    assert questions == [
        "1.本单位的职工思想政治工作有哪些好做法？",
        "2.网上思想政治引领从哪里做起？",
        "3.“劳模工匠大讲堂”可以请谁来讲？",
        "4.哪些事项必须经职工代表大会审议通过？",
    ]
    assert doc.xpath("string(//div[@class='questions']/h3)") == "讨论题"
    # Ruled space to answer in: three lines a question.
    assert len(doc.xpath("//div[@class='answer-lines']/span")) == 12
    changes = clauses[1].xpath(".//div[@class='clause-changes']")[0]
    assert changes.xpath("string(h3)") == "差异"
    assert changes.xpath("string(.//del)") == "思政课"
    assert changes.xpath("string(.//ins)") == "大思政课工作体系"
    assert not doc.xpath("//section[@class='answer-key']")
    assert not doc.xpath("//ruby")
    # Stylesheets, the print button's script, and the toolbar (screen only).
    assert doc.xpath("//link[@rel='stylesheet']/@href") == [
        "/static/css/print.css",
        "/static/css/handout.css",
    ]
    assert doc.xpath("//script/@src") == ["/static/js/handout.js"]
    toolbar = doc.xpath("//nav[@class='handout-toolbar']")[0]
    assert toolbar.xpath("button[@data-print]/@hidden") == [""]
    assert [a.text for a in toolbar.xpath(".//a")][:2] == ["讲师用", "学员用"]


def test_print_view_keeps_to_the_content_security_policy():
    page = render_html(sample(), Options(pinyin=True, quiz=True))
    doc = tree(page)
    assert not doc.xpath("//*[@style]")
    assert not doc.xpath("//script[not(@src)]")
    assert not [a for el in doc.iter() for a in el.attrib if a.startswith("on")]


def test_participants_copy_has_no_talking_points():
    page = render_html(sample(), Options(points=False))
    doc = tree(page)
    assert not doc.xpath("//aside[@class='points']")
    assert "讲解要点" not in page
    assert "凝心铸魂是首要任务" not in page
    assert doc.xpath("string(//p[@class='copy-kind'])") == "学员用"
    assert len(doc.xpath("//div[@class='questions']//li")) == 4


def test_quiz_gaps_and_answer_key():
    page = render_html(sample(), Options(points=False, quiz=True))
    doc = tree(page)
    gaps = doc.xpath("//span[@class='gap']")
    # 职工代表大会 occurs twice in 三、（五）: both are gaps.
    assert [g.get("data-gap") for g in gaps] == ["1", "2", "3", "4", "5"]
    assert [g.xpath("string(span[@class='gap-no'])") for g in gaps] == [
        "(1)",
        "(2)",
        "(3)",
        "(4)",
        "(5)",
    ]
    # Each gap is as wide as its phrase.
    widths = [len(g.xpath("string(span[@class='gap-fill'])")) for g in gaps]
    assert widths == [16, 4, 14, 6, 6]
    first = doc.xpath("string(//section[@class='clause'][1]//div[@class='clause-text'])")
    assert "习近平新时代中国特色社会主义思想" not in first
    assert "普遍轮训" not in first
    key = doc.xpath("//section[@class='answer-key']")[0]
    assert key.xpath("string(h2)") == "填空题 · 答案"
    answers = [
        (
            li.xpath("string(span[@class='answer-no'])"),
            li.xpath("string(span[@class='answer-text'])"),
        )
        for li in key.xpath(".//li")
    ]
    assert answers == [
        ("(1)", "习近平新时代中国特色社会主义思想"),
        ("(2)", "普遍轮训"),
        ("(3)", "劳模精神、劳动精神、工匠精神"),
        ("(4)", "职工代表大会"),
        ("(5)", "职工代表大会"),
    ]
    # The key starts a page of its own (print.css).
    css = (Path(settings.BASE_DIR) / "static/css/print.css").read_text()
    assert re.search(r"\.answer-key\s*\{[^}]*break-before:\s*page", css)
    assert "填空题：请在编号的空格处填写缺少的词语" in page


def test_quiz_with_a_missing_blank_raises_a_translated_error():
    bad = Handout("t", items=[HandoutItem("三、（五）", FIVE, blanks=["厂务公开"])])
    for render in (render_html, render_docx, render_pdf):
        with pytest.raises(HandoutError) as info:
            render(bad, Options(quiz=True))
        assert (
            info.value.translated(translation.gettext)
            == "填空词“厂务公开”不在 三、（五） 的文本中。"
        )


def test_pinyin_ruby_over_han_characters_only():
    item = HandoutItem("第一条", "银行行长重新强调：2024年（含技工院校）A。")
    doc = tree(render_html(Handout("t", items=[item]), Options(pinyin=True)))
    text = doc.xpath("//div[@class='clause-text']/p")[0]
    rubies = text.xpath("ruby")
    pairs = [(r.text, r.findtext("rt")) for r in rubies]
    assert pairs[:6] == [
        ("银", "yín"),
        ("行", "háng"),
        ("行", "háng"),
        ("长", "zhǎng"),
        ("重", "chóng"),
        ("新", "xīn"),
    ]
    assert all(len(base) == 1 for base, _ in pairs)
    bases = "".join(base for base, _ in pairs)
    assert bases == "银行行长重新强调年含技工院校"
    # Without the readings, the paragraph is the clause, character for character.
    for rt in text.xpath(".//rt"):
        rt.getparent().remove(rt) if rt.tail is None else None
    assert "".join(text.itertext()) == item.text
    assert doc.xpath("//body/@class") == ["handout with-pinyin"]


def test_hostile_text_is_escaped_everywhere():
    item = HandoutItem(
        HOSTILE, "甲" + HOSTILE, HOSTILE, HOSTILE, [HOSTILE], [HOSTILE], [("ins", HOSTILE)]
    )
    evil = Handout(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, [item])
    for options in (Options(), Options(quiz=True, pinyin=True)):
        page = render_html(evil, options)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;amp;" in page
        doc = tree(page)
        assert doc.xpath("//script/@src") == ["/static/js/handout.js"]
        assert doc.xpath("string(//h1)") == HOSTILE
    sheet = render_signin_sheet_html(evil)
    assert "<script>alert" not in sheet
    assert tree(sheet).xpath("string(//h1)") == HOSTILE
    # DOCX: plain runs, the characters kept as text.
    document = docx.Document(io.BytesIO(render_docx(evil, Options())))
    texts = [p.text for p in document.paragraphs]
    assert HOSTILE in texts and "甲" + HOSTILE in texts


def test_toolbar_links_toggle_options_and_keep_the_query():
    request = RequestFactory().get("/studies/7/handout/", {"set": "7", "pinyin": "1"})
    doc = tree(render_html(sample(), Options.from_query(request.GET), request))
    links = {a.text.rstrip(" ✓"): a.get("href") for a in doc.xpath("//nav//a")}
    assert links["学员用"] == "?set=7&pinyin=1&points=0&quiz=0"
    assert links["拼音"] == "?set=7&pinyin=0&points=1&quiz=0"  # on: the link turns it off
    assert links["填空练习"] == "?set=7&pinyin=1&points=1&quiz=1"
    pressed = doc.xpath("//nav//a[@aria-pressed='true']")
    assert [a.text for a in pressed] == ["拼音 ✓"]
    extra = render_html(sample(), Options(), links=[("DOCX", "/x.docx"), ("PDF", "/x.pdf")])
    assert tree(extra).xpath("//nav//a[@href='/x.pdf']/text()") == ["PDF"]


# --- Sign-in sheet --------------------------------------------------------------


def test_signin_sheet():
    page = render_signin_sheet_html(sample(), rows=12)
    doc = tree(page)
    assert doc.xpath("string(//h1)") == "深化产业工人队伍建设改革 · 学习材料"
    assert doc.xpath("string(//p[@class='signin-kind'])") == "签到表"
    assert [th.text for th in doc.xpath("//thead//th")] == [
        "序号",
        "姓名",
        "单位",
        "联系电话",
        "签名",
    ]
    rows = doc.xpath("//tbody/tr")
    assert len(rows) == 12
    assert [r.xpath("string(td[1])") for r in rows] == [str(n) for n in range(1, 13)]
    assert all(not "".join(td.itertext()).strip() for r in rows for td in r.xpath("td")[1:])
    meta = [squash(d.text_content()) for d in doc.xpath("//dl[@class='sheet-meta']/div")]
    assert meta == ["时间2025年3月14日", "地点市总工会三楼报告厅"]
    assert "/static/css/print.css" in page
    assert len(tree(render_signin_sheet_html(sample())).xpath("//tbody/tr")) == 30


# --- DOCX -----------------------------------------------------------------------


def read_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def test_docx_headings_text_and_numbered_questions():
    document = read_docx(render_docx(sample(), Options()))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "深化产业工人队伍建设改革 · 学习材料") in paragraphs
    assert [t for s, t in paragraphs if s == "Heading 2"] == [
        "二、（一）",
        "二、（三）",
        "三、（五）",
    ]
    assert [t for s, t in paragraphs if s == "Clause Text"] == [ONE, THREE, FIVE]
    assert [t for s, t in paragraphs if s == "List Number"] == [
        "本单位的职工思想政治工作有哪些好做法？",
        "网上思想政治引领从哪里做起？",
        "“劳模工匠大讲堂”可以请谁来讲？",
        "哪些事项必须经职工代表大会审议通过？",
    ]
    # Word's numbered list: the style carries the numbering.
    assert document.styles["List Number"].element.find(".//" + qn("w:numPr")) is not None
    headings3 = [t for s, t in paragraphs if s == "Heading 3"]
    assert headings3 == ["讲解要点", "讨论题", "差异", "讲解要点", "讨论题", "讨论题"]
    assert [t for s, t in paragraphs if s == "Talking Points"] == [
        "凝心铸魂是首要任务。",
        "结合本单位实际说明普遍轮训。",
        "三种精神。",
    ]
    assert paragraphs[0] == ("Normal", "讲师用")
    assert "对象：基层工会主席、职工代表" in paragraphs[2][1]
    assert sum(1 for s, _ in paragraphs if s == "Answer Line") == 12
    # Deleted and inserted runs of the differences.
    changes = next(
        p for p in document.paragraphs if "思政课" in p.text and p.style.name == "Normal"
    )
    assert [(r.text, bool(r.font.strike), bool(r.font.underline)) for r in changes.runs] == [
        ("纳入", False, False),
        ("思政课", True, False),
        ("大思政课工作体系", False, True),
    ]
    # Page numbers: PAGE and NUMPAGES fields in the footer.
    footer = document.sections[0].footer._element
    assert [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))] == ["PAGE", "NUMPAGES"]
    assert round(document.sections[0].page_width.mm) == 210


def test_docx_east_asian_fonts():
    document = read_docx(render_docx(sample(), Options()))

    def fonts(style_name):
        r_fonts = document.styles[style_name].element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        return {k.split("}")[1]: v for k, v in r_fonts.attrib.items()}

    assert fonts("Normal")["eastAsia"] == "宋体"
    for level in (1, 2, 3):
        heading = fonts(f"Heading {level}")
        assert heading["eastAsia"] == "黑体"
        assert not {"asciiTheme", "eastAsiaTheme", "hAnsiTheme"} & heading.keys()
    assert fonts("Talking Points")["eastAsia"] == "楷体"
    lang = document.styles["Normal"].element.find(qn("w:rPr") + "/" + qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_docx_participants_copy_and_quiz():
    document = read_docx(render_docx(sample(), Options(points=False, quiz=True)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Normal", "学员用")
    assert not [t for s, t in paragraphs if s == "Talking Points"]
    clause_texts = [t for s, t in paragraphs if s == "Clause Text"]
    assert clause_texts[0] == ONE.replace(
        "习近平新时代中国特色社会主义思想", "＿" * 8 + "(1)" + "＿" * 8
    ).replace("普遍轮训", "＿＿(2)＿＿")
    assert "＿＿＿(4)＿＿＿" in clause_texts[2]
    # The answer key follows a page break.
    index = next(i for i, (s, t) in enumerate(paragraphs) if t == "填空题 · 答案")
    assert paragraphs[index][0] == "Heading 2"
    breaks = document.paragraphs[index - 1]._p.findall(".//" + qn("w:br"))
    assert [b.get(qn("w:type")) for b in breaks] == ["page"]
    answers = [t for _, t in paragraphs[index + 1 :]]
    assert answers == [
        "(1) 习近平新时代中国特色社会主义思想\u3000二、（一）",
        "(2) 普遍轮训\u3000二、（一）",
        "(3) 劳模精神、劳动精神、工匠精神\u3000二、（三）",
        "(4) 职工代表大会\u3000三、（五）",
        "(5) 职工代表大会\u3000三、（五）",
    ]


def test_docx_pinyin_as_word_ruby():
    item = HandoutItem("第一条", "银行行长：2024年。")
    document = read_docx(render_docx(Handout("t", items=[item]), Options(pinyin=True)))
    paragraph = next(p for p in document.paragraphs if p.style.name == "Clause Text")
    rubies = paragraph._p.findall(".//" + qn("w:ruby"))
    pairs = [
        (
            "".join(t.text for t in r.find(qn("w:rubyBase")).iter(qn("w:t"))),
            "".join(t.text for t in r.find(qn("w:rt")).iter(qn("w:t"))),
        )
        for r in rubies
    ]
    assert pairs == [("银", "yín"), ("行", "háng"), ("行", "háng"), ("长", "zhǎng"), ("年", "nián")]
    # Read in document order, bases and plain runs give back the text exactly.
    text = "".join(
        t.text for t in paragraph._p.iter(qn("w:t")) if t.getparent().getparent().tag != qn("w:rt")
    )
    assert text == item.text
    props = rubies[0].find(qn("w:rubyPr"))
    assert props.find(qn("w:lid")).get(qn("w:val")) == "zh-CN"


# --- PDF (WeasyPrint) -------------------------------------------------------------


def pdf_pages(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return [
        "".join(el.get_text() for el in page if isinstance(el, LTTextContainer))
        for page in extract_pages(io.BytesIO(data))
    ]


def pdf_fonts(data: bytes) -> list[dict]:
    """Each font the PDF's pages use: its name, whether its program is
    embedded (FontFile, FontFile2 or FontFile3) and whether it has ToUnicode."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    found = {}
    for page in PDFPage.create_pages(document):
        for font in (resolve1(page.resources.get("Font")) or {}).values():
            font = resolve1(font)
            descriptor_owner = font
            if "DescendantFonts" in font:
                descriptor_owner = resolve1(resolve1(font["DescendantFonts"])[0])
            descriptor = resolve1(descriptor_owner.get("FontDescriptor")) or {}
            name = str(resolve1(font.get("BaseFont")))
            found[name] = {
                "name": name,
                "embedded": any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3")),
                "to_unicode": "ToUnicode" in font,
            }
    return list(found.values())


def test_pdf_text_is_extractable_chinese():
    data = render_pdf(sample(), Options())
    assert data.startswith(b"%PDF-")
    text = extract_text(io.BytesIO(data))
    flat = squash(text)
    assert "深化产业工人队伍建设改革·学习材料" in flat
    for clause in (ONE, THREE, FIVE):
        assert squash(clause) in flat
    for heading in ("讲解要点", "讨论题", "凝心铸魂是首要任务。", "“劳模工匠大讲堂”可以请谁来讲？"):
        assert heading in flat
    assert "1.本单位的职工思想政治工作有哪些好做法？" in flat
    # No toolbar in the PDF; page numbers from @page.
    assert "打印" not in flat and "拼音" not in flat
    pages = pdf_pages(data)
    assert len(pages) >= 2
    assert f"1 / {len(pages)}" in pages[0]
    assert f"{len(pages)} / {len(pages)}" in pages[-1]
    # The fonts are embedded, with a ToUnicode map each (what makes the text
    # above extractable), and one of them is the Chinese font.
    fonts = pdf_fonts(data)
    assert fonts and all(f["embedded"] and f["to_unicode"] for f in fonts), fonts
    assert any("CJK" in f["name"] for f in fonts), fonts


def test_pdf_participants_quiz_answer_key_on_last_page():
    data = render_pdf(sample(), Options(points=False, quiz=True))
    pages = [squash(p) for p in pdf_pages(data)]
    assert not any("讲解要点" in p for p in pages)
    assert "填空题·答案" in pages[-1]
    assert all("填空题·答案" not in p for p in pages[:-1])
    assert "(1)习近平新时代中国特色社会主义思想" in pages[-1]
    assert "(4)职工代表大会" in pages[-1]
    body = "".join(pages[:-1])
    assert "习近平新时代中国特色社会主义思想" not in body
    assert "(1)" in body and "(4)" in body


def test_pdf_pinyin_readings_are_in_the_text():
    item = HandoutItem("第一条", "银行行长重新强调。")
    flat = squash(
        extract_text(io.BytesIO(render_pdf(Handout("t", items=[item]), Options(pinyin=True))))
    )
    # Each reading sits on a line above its character: the readings come out
    # as a line of their own, the clause whole after it.
    assert "yínhánghángzhǎngchóngxīnqiángdiào银行行长重新强调。" in flat


def test_pdf_without_a_chinese_font_says_what_to_install(monkeypatch):
    monkeypatch.setattr(handout_module, "chinese_font_families", lambda: [])
    with pytest.raises(HandoutUnavailable, match="fonts-noto-cjk") as info:
        render_pdf(sample(), Options())
    assert "中文字体" in str(info.value)


def test_pdf_without_weasyprint_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails
    with pytest.raises(HandoutUnavailable, match="WeasyPrint") as info:
        render_pdf(sample(), Options())
    assert "pip install -r requirements.txt" in str(info.value)


def test_chinese_fonts_found_through_fontconfig(monkeypatch):
    families = handout_module.chinese_font_families()
    assert any("CJK" in f or "Hei" in f or "Song" in f for f in families), families
    monkeypatch.setattr(handout_module.shutil, "which", lambda name: None)
    assert handout_module.chinese_font_families() == []
