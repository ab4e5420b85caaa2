"""formats.extract: .html, .docx, .pdf and plain text, sniffed from the content."""

import io
import json
from pathlib import Path

import pytest

from clauses.text.decode import DecodeError
from clauses.text.formats import extract, sniff

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
GOVCN = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "govcn"
if not GOVCN.is_dir():
    GOVCN = Path("/work/shared/corpus/govcn")


# --- HTML ---------------------------------------------------------------------


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>关于深化改革的意见_中国政府网</title>
<style>p { color: red }</style><script>var title = "不是正文";</script></head>
<body><div class="nav">首页 &gt; 政策</div>
<table><tr><td><b>发文机关：</b></td><td>国务院</td></tr>
<tr><td><b>发文字号：</b></td><td>国发〔2024〕1号</td></tr></table>
<div id="content"><p>一、总体要求</p><p>（一）指导思想。坚持<span>以人民</span>为中心。</p>
<p>第一行<br>第二行<br/>第三行</p>
<p>&emsp;&emsp;缩进的段落</p><div style="display:none">隐藏的文字</div>
<!-- 注释 --></div></body></html>"""


def test_html_main_text_title_first_tables_as_rows():
    got = extract(PAGE.encode("utf-8"), "page.html")
    assert (got.format, got.encoding) == ("html", "utf-8")
    lines = got.text.split("\n")
    assert lines[0] == "关于深化改革的意见_中国政府网"
    assert "发文机关：\t国务院" in lines
    assert "发文字号：\t国发〔2024〕1号" in lines
    assert "（一）指导思想。坚持以人民为中心。" in lines
    assert lines[lines.index("第一行") : lines.index("第一行") + 3] == [
        "第一行",
        "第二行",
        "第三行",
    ]
    assert "\u2003\u2003缩进的段落" in lines  # &emsp; kept: a later rule trims it
    for junk in ("不是正文", "color", "隐藏", "注释"):
        assert junk not in got.text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("一、总体要求", "gbk"),
        ("一、總體要求", "big5"),
        ("一、总体要求", "utf-16"),
    ],
)
def test_html_in_other_encodings(text, encoding):
    page = (
        f"<html><head><title>意見</title></head><body><p>{text}</p><p>（一）堅持</p></body></html>"
    )
    got = extract(page.encode(encoding), "page.htm")
    assert got.format == "html"
    assert got.text.split("\n")[1] == text


def test_html_is_sniffed_from_content_without_a_name():
    assert sniff(PAGE.encode("utf-8")) == "html"
    assert sniff("一、总体要求\n<这不是HTML>".encode()) == "text"


def _govcn():
    return json.loads((GOVCN / "metadata.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(not GOVCN.is_dir(), reason="shared corpus not present")
def test_all_govcn_pages_extract_with_title_number_and_issuers():
    pages = _govcn()
    assert len(pages) == 58
    for meta in pages:
        got = extract((GOVCN / meta["file"]).read_bytes(), meta["file"])
        assert got.format == "html", meta["file"]
        lines = got.text.split("\n")
        assert lines[0].strip(), meta["file"]  # the page title, its own line
        for field in ("title", "number"):
            if meta.get(field):
                assert any(meta[field] in line for line in lines), (meta["file"], field)
        for issuer in (meta.get("issuers") or "").split():
            assert any(issuer in line for line in lines), (meta["file"], issuer)


# --- Word ---------------------------------------------------------------------------


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("国务院关于深化改革的意见")
    document.add_paragraph("一、总体要求")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "发文机关"
    table.cell(0, 1).text = "国务院"
    table.cell(0, 2).text = "国发〔2024〕1号"
    merged = table.cell(1, 0).merge(table.cell(1, 2))
    merged.text = "合并的单元格"
    document.add_paragraph("（一）指导思想。坚持以人民为中心。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_and_tables_in_order():
    got = extract(_docx(), "")
    assert got.format == "docx"
    assert got.text.split("\n") == [
        "国务院关于深化改革的意见",
        "一、总体要求",
        "发文机关\t国务院\t国发〔2024〕1号",
        "合并的单元格",
        "（一）指导思想。坚持以人民为中心。",
    ]


def test_a_zip_that_is_not_word_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(DecodeError, match="ZIP"):
        extract(out.getvalue(), "a.docx")


# --- PDF -------------------------------------------------------------------------------


def test_pdf_text_layer_in_reading_order():
    got = extract((FIXTURES / "text-layer.pdf").read_bytes(), "x.pdf")
    assert got.format == "pdf"
    lines = [ln for ln in got.text.split("\n") if ln.strip()]
    assert lines[0] == "国务院关于深化产业工人队伍建设改革的意见"
    assert lines.index("一、总体要求") < lines.index("二、主要举措")
    assert "（二）主要目标。产业⼯⼈队伍建设改革取得成效。" in lines  # folded later, by cleanup
    assert "（三）加强技能培训。确保60%以上用于一线职工教育和培训。" in lines


def test_a_scanned_pdf_is_refused_saying_so():
    with pytest.raises(DecodeError, match="no text layer.*scanned"):
        extract((FIXTURES / "scanned.pdf").read_bytes(), "scan.pdf")


def test_a_broken_pdf_is_refused():
    with pytest.raises(DecodeError):
        extract(b"%PDF-1.7\nnot really a pdf", "x.pdf")


# --- plain text -----------------------------------------------------------------------


def test_plain_text_goes_through_decode():
    got = extract("一、总体要求\n（一）指导思想".encode("gbk"), "a.txt")
    assert (got.format, got.encoding, got.text) == (
        "text",
        "gb18030",
        "一、总体要求\n（一）指导思想",
    )
