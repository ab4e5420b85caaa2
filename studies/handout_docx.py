"""The handout as a Word document (.docx), for a trainer to edit in Word or WPS.

Written with python-docx from the same ``Layout`` as the print view
(``studies.handout_layout``): the title as Heading 1, each clause's locator as
Heading 2, 讲解要点 / 讨论题 / 修改之处 as Heading 3, the clause's text in a
paragraph style of its own ("Clause Text", 15 pt, two-character first-line
indent), the discussion questions in Word's numbered list style ("List
Number", so numbering runs on across the document as in the print view), ruled
lines to write answers in, page numbers in the footer, and the answer key after
a page break.

Chinese fonts: Word picks the font of a Chinese character from the run's
``w:rFonts/@w:eastAsia``, which python-docx's ``font.name`` does not set; every
style used here gets it through oxml (宋体 for the text, 黑体 for headings,
楷体 for the talking points), with the theme-font attributes of the default
template removed (they would win over it), and the East Asian language set to
zh-CN.

Pinyin: real Word ruby (``w:ruby``, what Word's and WPS's 拼音指南 write), one
per Han character, so the readings stay above their characters when the text
is edited or reflowed. (python-docx's ``paragraph.text`` does not see text
inside ``w:ruby``; Word and WPS show it.)

Quiz gaps are plain text, ``＿＿(1)＿＿`` (``Piece.gap_text``): easy to edit.
"""

from __future__ import annotations

import io

from django.utils.translation import pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from studies.handout_layout import Block, Layout, Piece

SONG = "宋体"  # SimSun: body text
HEI = "黑体"  # SimHei: headings
KAI = "楷体"  # KaiTi: the trainer's talking points
LATIN = "Times New Roman"
LATIN_SANS = "Arial"

TEXT_PT = 15  # 小三: the clauses
BODY_PT = 12  # 小四: everything else
RUBY_PT = 7.5
RED = RGBColor(0xA1, 0x25, 0x1B)
GREY = RGBColor(0x55, 0x55, 0x55)

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr_parent, east_asian: str, latin: str = LATIN) -> None:
    """Give an element with a ``w:rPr`` (a style's or a run's ``_element``)
    the fonts ``latin`` (ascii, hAnsi) and ``east_asian`` (eastAsia), dropping
    theme fonts that would override them."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def set_east_asian_language(style) -> None:
    """Mark ``style``'s East Asian text as Simplified Chinese (zh-CN)."""
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(document) -> None:
    """Set the document's styles: fonts, sizes, colours, spacing."""
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element, SONG)
    set_east_asian_language(normal)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.3

    for name, size in (("Heading 1", 20), ("Heading 2", 15), ("Heading 3", 12)):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
        set_fonts(style.element, HEI, LATIN_SANS)
        style.paragraph_format.space_before = Pt(14 if name != "Heading 3" else 8)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Heading 2"].font.color.rgb = RED

    from docx.enum.style import WD_STYLE_TYPE

    text = styles.add_style("Clause Text", WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = normal
    text.font.size = Pt(TEXT_PT)
    text.paragraph_format.first_line_indent = Pt(TEXT_PT * 2)
    text.paragraph_format.line_spacing = 1.6
    text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    points = styles.add_style("Talking Points", WD_STYLE_TYPE.PARAGRAPH)
    points.base_style = normal
    points.font.size = Pt(12.5)
    set_fonts(points.element, KAI)
    points.paragraph_format.left_indent = Mm(6)

    small = styles.add_style("Source Line", WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal
    small.font.size = Pt(9.5)
    small.font.color.rgb = GREY
    set_fonts(small.element, HEI, LATIN_SANS)
    small.paragraph_format.keep_with_next = True

    lines = styles.add_style("Answer Line", WD_STYLE_TYPE.PARAGRAPH)
    lines.base_style = normal
    lines.paragraph_format.left_indent = Mm(8)
    lines.paragraph_format.space_after = Pt(0)
    lines.paragraph_format.line_spacing = Pt(26)

    numbered = styles["List Number"]
    numbered.font.size = Pt(13)


def _bottom_rule(paragraph) -> None:
    """A thin rule under ``paragraph`` (a line to write on)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "999999")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _ruby_run(paragraph, base: str, reading: str, size_pt: float) -> None:
    """Append a Word ruby (w:ruby: rubyPr, rt, rubyBase) for ``base`` with
    ``reading`` above it, both in half-points as Word writes them."""
    run = paragraph.add_run()
    ruby = OxmlElement("w:ruby")
    props = OxmlElement("w:rubyPr")
    for tag, value in (
        ("w:rubyAlign", "center"),
        ("w:hps", str(round(RUBY_PT * 2))),
        ("w:hpsRaise", str(round(size_pt * 2) - 2)),
        ("w:hpsBaseText", str(round(size_pt * 2))),
        ("w:lid", "zh-CN"),
    ):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        props.append(el)
    ruby.append(props)
    for tag, text, size in (("w:rt", reading, RUBY_PT), ("w:rubyBase", base, size_pt)):
        holder = OxmlElement(tag)
        inner = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        fonts = OxmlElement("w:rFonts")
        fonts.set(qn("w:ascii"), LATIN)
        fonts.set(qn("w:hAnsi"), LATIN)
        fonts.set(qn("w:eastAsia"), SONG)
        rpr.append(fonts)
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(round(size * 2)))
        rpr.append(sz)
        inner.append(rpr)
        t = OxmlElement("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        inner.append(t)
        holder.append(inner)
        ruby.append(holder)
    run._r.append(ruby)


def _pieces(paragraph, pieces: list[Piece]) -> None:
    for piece in pieces:
        if piece.gap:
            run = paragraph.add_run(piece.gap_text)
            run.font.color.rgb = RED
        elif piece.ruby:
            for ruby in piece.ruby:
                if ruby.reading:
                    _ruby_run(paragraph, ruby.base, ruby.reading, TEXT_PT)
                else:
                    paragraph.add_run(ruby.base)
        else:
            paragraph.add_run(piece.text)


def _page_number_footer(section) -> None:
    """Centre "page / pages" (Word fields PAGE and NUMPAGES) in the footer."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, instr in enumerate(("PAGE", "NUMPAGES")):
        if index:
            paragraph.add_run(" / ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instr)
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "1"
        run.append(t)
        field.append(run)
        paragraph._p.append(field)


def _block(document, block: Block, labels: dict[str, str]) -> None:
    document.add_heading(block.locator, level=2)
    if block.source:
        document.add_paragraph(block.source, style="Source Line")
    for pieces in block.paragraphs:
        _pieces(document.add_paragraph(style="Clause Text"), pieces)
    if block.differences:
        document.add_heading(labels["changes"], level=3)
        if block.shows_changes:
            document.add_paragraph(labels["changes_legend"], style="Source Line")
        if block.shows_variants:
            document.add_paragraph(labels["variants_legend"], style="Source Line")
        paragraph = document.add_paragraph()
        for kind, text in block.differences:
            run = paragraph.add_run(text)
            if kind == "del":
                run.font.strike = True
                run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x12)
            elif kind == "ins":
                run.font.underline = True
                run.font.color.rgb = RGBColor(0x1D, 0x5A, 0x2A)
            elif kind == "variant":  # a variant site's canonical reading
                run.font.bold = True
                run.font.underline = True
            elif kind == "readings":  # what the other copies read there
                run.text = f"〔{text}〕"
                run.font.size = Pt(10)
                run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    if block.points:
        document.add_heading(labels["points"], level=3)
        for text in block.points:
            document.add_paragraph(text, style="Talking Points")
    if block.questions:
        document.add_heading(labels["questions"], level=3)
        for question in block.questions:
            document.add_paragraph(question.text, style="List Number")
            for _ in range(3):
                _bottom_rule(document.add_paragraph(style="Answer Line"))


def write_docx(layout: Layout) -> bytes:
    """``layout`` as the bytes of a .docx (A4, see the module's notes)."""
    labels = {
        "points": pgettext("handout", "Talking points"),
        "questions": pgettext("handout", "Discussion questions"),
        "changes": pgettext("handout", "Differences"),
        "changes_legend": pgettext(
            "handout",
            "Compared with the previous version: struck through is removed, underlined is added.",
        ),
        "variants_legend": pgettext(
            "handout",
            "In bold, the adopted reading; in 〔 〕, what other copies read there "
            "(copy: reading; ∧ omitted).",
        ),
    }
    document = Document()
    _styles(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(22)
    section.left_margin = section.right_margin = Mm(22)
    _page_number_footer(section)

    core = document.core_properties
    core.title = layout.title
    core.language = "zh-CN"

    kind = document.add_paragraph()
    kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = kind.add_run(
        pgettext("handout", "Trainer's copy")
        if layout.points
        else pgettext("handout", "Participants' copy")
    )
    run.font.color.rgb = RED
    run.font.size = Pt(10)
    document.add_heading(layout.title, level=1)
    meta = [
        (pgettext("handout", "Audience"), layout.audience),
        (pgettext("handout", "Date"), layout.date),
        (pgettext("handout", "Place"), layout.place),
    ]
    meta = [(label, value) for label, value in meta if value]
    if meta:
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for index, (label, value) in enumerate(meta):
            if index:
                line.add_run("\u3000\u3000")
            label_run = line.add_run(label + "：")
            label_run.font.color.rgb = GREY
            line.add_run(value)
    for text in layout.intro:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)

    if layout.quiz and layout.answers:
        document.add_paragraph(
            pgettext(
                "handout",
                "Fill in the blanks: write the missing words in the numbered gaps; "
                "the answers are on the last page.",
            )
        )

    for block in layout.blocks:
        _block(document, block, labels)

    if layout.quiz and layout.answers:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(
            pgettext("handout", "Fill in the blanks") + " · " + pgettext("handout", "Answers"),
            level=2,
        )
        for answer in layout.answers:
            paragraph = document.add_paragraph()
            number = paragraph.add_run(f"({answer.number}) ")
            number.font.color.rgb = RED
            paragraph.add_run(answer.text)
            where = paragraph.add_run("\u3000" + answer.locator)
            where.font.size = Pt(9)
            where.font.color.rgb = GREY

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
