"""Other formats people download: the text of .html, .docx and .pdf files.

``extract(data, filename)`` sniffs the bytes (the file name only breaks ties)
and returns the text a reader sees, which every later stage works on: raw
spans of readings point into ``Extracted.text``. Plain text goes through
``decode()`` unchanged.

- HTML (.html, .htm): lxml's HTML parser (libxml2; tolerant of the broken
  markup of real pages), never regular expressions. The page ``<title>`` is
  the first line of its own; scripts, styles and hidden elements are dropped;
  block elements and ``<br>`` break lines; a table row is one line with its
  cells separated by tabs (a cell that holds blocks or tables of its own is
  read as blocks). White space collapses as a browser's ``innerText`` does:
  runs of ASCII spaces, tabs and line breaks become one space, while
  U+3000 and NBSP, which the page typed on purpose, stay.
- Word (.docx): python-docx; body paragraphs and tables in document order,
  a table row as one line with tab-separated cells.
- PDF: pdfminer.six, whose layout analysis keeps the reading order of CJK
  text lines (pypdf's extract_text follows the content stream, which often
  interleaves columns and headers). A PDF without a text layer (a scan) is
  refused with a message that says so. Kangxi radicals that PDF fonts emit
  (⼯⼈) are left as they are: cleanup.fold_lookalike_ideographs folds them.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from .decode import DecodeError, decode
from .messages import gettext_noop

logger = logging.getLogger(__name__)


class FormatError(DecodeError):
    """A .html, .docx or .pdf file whose text cannot be read; the message says why."""


@dataclass(frozen=True)
class Extracted:
    text: str
    format: str  # text, html, docx, pdf
    encoding: str  # the decoding of the bytes (text, html), or the format's own ("docx", "pdf")


def sniff(data: bytes, filename: str = "") -> str:
    """'pdf', 'docx', 'html' or 'text', from the content; the name only breaks ties."""
    name = filename.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "text"  # decode() refuses it, naming a ZIP archive
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    # UTF-16 pages: look at the ASCII bytes only.
    if head[:1] in (b"\xff", b"\xfe") or b"\x00" in head[:8]:
        head = head.replace(b"\x00", b"").lstrip(b"\xff\xfe")
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower():
        return "html"
    if name.endswith((".html", ".htm", ".xhtml")) and b"<" in head[:200]:
        return "html"
    return "text"


def extract(data: bytes, filename: str = "") -> Extracted:
    """The text of ``data`` and what it was; raises DecodeError with a reason."""
    kind = sniff(data, filename)
    if kind == "pdf":
        return Extracted(pdf_text(data), "pdf", "pdf")
    if kind == "docx":
        return Extracted(docx_text(data), "docx", "docx")
    decoded = decode(data)
    if kind == "html":
        return Extracted(html_text(decoded.text), "html", decoded.encoding)
    return Extracted(decoded.text, "text", decoded.encoding)


# --- HTML ---------------------------------------------------------------------

# Elements whose content is never shown as text.
_DROPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
# Elements that start and end a line (HTML's block-level and table elements).
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr",
    "ul", "option", "legend",
}  # fmt: skip
_CELLS = {"td", "th"}
_COLLAPSIBLE = " \t\n\r\f"


class _Lines:
    """Collects text into lines the way innerText does, more or less."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []

    def text(self, s: str, pre: bool = False) -> None:
        if not s:
            return
        if pre:
            parts = s.split("\n")
            self.current.append(parts[0])
            for part in parts[1:]:
                self.newline(force=True)
                self.current.append(part)
            return
        collapsed = []
        space = False
        for ch in s:
            if ch in _COLLAPSIBLE:
                space = True
                continue
            if space:
                collapsed.append(" ")
                space = False
            collapsed.append(ch)
        if space:
            collapsed.append(" ")
        self.current.append("".join(collapsed))

    def tab(self) -> None:
        self.current.append("\t")

    def newline(self, force: bool = False) -> None:
        line = "".join(self.current)
        self.current = []
        # Collapsible spaces at a line's edges are not shown; tabs between
        # cells and U+3000 / NBSP are.
        line = line.strip(" ")
        while " \t" in line or "\t " in line:
            line = line.replace(" \t", "\t").replace("\t ", "\t")
        if line.strip(" \t") or force:
            # A block's edge ends a line of text; only <br> makes a blank line.
            self.lines.append(line)

    def result(self) -> str:
        self.newline()
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines)


def _hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _has_blocks(el) -> bool:
    return any(
        isinstance(d.tag, str) and (d.tag.lower() in _BLOCKS or d.tag.lower() == "br")
        for d in el.iterdescendants()
    )


def _walk(el, out: _Lines, pre: bool = False) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag:  # a comment or processing instruction: only its tail is text
        out.text(el.tail or "", pre)
        return
    if tag in _DROPPED or _hidden(el):
        out.text(el.tail or "", pre)
        return
    pre = pre or tag in ("pre", "textarea", "listing", "plaintext")
    if tag == "br":
        out.newline(force=True)
    elif tag in _BLOCKS:
        out.newline()
    elif tag in _CELLS:
        if _has_blocks(el):
            out.newline()
        elif out.current and "".join(out.current).strip(" "):
            out.tab()
        elif el.getprevious() is not None:
            out.tab()  # an empty cell before keeps the columns apart
    out.text(el.text or "", pre)
    for child in el:
        _walk(child, out, pre)
    if tag in _BLOCKS or (tag in _CELLS and _has_blocks(el)):
        out.newline()
    out.text(el.tail or "", pre)


def html_text(html: str) -> str:
    """The visible text of an HTML page: ``<title>`` first, then the body, line by line."""
    import lxml.html
    from lxml import etree

    if not html.strip():
        raise FormatError(gettext_noop("The HTML file is empty."))
    try:
        # lxml refuses str input that declares its own encoding; the text is decoded already.
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        # The parser's own words are English and for developers: logged, not shown.
        logger.info("lxml could not parse an HTML file: %s", exc)
        raise FormatError(
            gettext_noop("The HTML file is damaged or is not HTML: its text cannot be read.")
        ) from exc
    out = _Lines()
    title = root.find(".//title")
    if title is not None and (title.text_content() or "").strip():
        out.text(title.text_content())
        out.newline()
    body = root.find("body")
    _walk(body if body is not None else root, out)
    text = out.result()
    if not text.strip():
        raise FormatError(gettext_noop("The HTML page shows no text."))
    return text


def _parser():
    import lxml.html

    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


# --- Word -------------------------------------------------------------------------


def _cell_text(cell) -> str:
    return " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def docx_text(data: bytes) -> str:
    """Paragraphs and tables of a .docx body, in document order.

    A table row is one line, its cells separated by tabs; a cell merged across
    columns is read once.
    """
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds on a broken package
        logger.info("python-docx could not open a .docx file: %s", exc)
        raise FormatError(
            gettext_noop(
                "The Word file is damaged or is not a .docx file: its text cannot be read."
            )
        ) from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(_cell_text(cell))
                lines.append("\t".join(cells))
    text = "\n".join(lines)
    if not text.strip():
        raise FormatError(gettext_noop("The Word file holds no text."))
    return text


# --- PDF --------------------------------------------------------------------------

# pdfminer logs a warning for every font it cannot measure; the import report
# says what matters.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _draws_text(data: bytes) -> bool:
    """Does any page of the PDF use a font (text drawn without a text layer we
    can read), rather than images alone (a scan)?"""
    from pdfminer.pdfpage import PDFPage

    try:
        return any(
            (page.resources or {}).get("Font") for page in PDFPage.get_pages(io.BytesIO(data))
        )
    except Exception:  # a damaged file: the caller's message stands
        return False


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page by page, in reading order (pdfminer.six)."""
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = extract_text(io.BytesIO(data), laparams=LAParams())
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise FormatError(
            gettext_noop("The PDF is protected by a password: its text cannot be read.")
        ) from exc
    except (PDFSyntaxError, ValueError, TypeError, KeyError) as exc:
        # pdfminer's words ("No /Root object! - Is this really a PDF?") are English
        # and for developers: logged, not shown.
        logger.info("pdfminer could not read a PDF file: %s", exc)
        raise FormatError(
            gettext_noop("The PDF file is damaged or is not a PDF: its text cannot be read.")
        ) from exc
    # Pages are separated by form feeds: each stays, on a line of its own, so
    # the regions stage can tell a page's running head and number from text.
    text = text.replace("\x0c", "\n\x0c\n")
    text = "".join(ch for ch in text if ch in "\t\n\x0c" or ch >= " ")
    visible = "".join(text.split())
    if not visible and _draws_text(data):
        raise FormatError(
            gettext_noop(
                "The PDF draws text, but its fonts do not say which characters they are "
                "(no Unicode map), so its text cannot be read. Import a .docx, .html or "
                ".txt copy instead."
            )
        )
    if not visible:
        raise FormatError(
            gettext_noop(
                "The PDF has no text layer: it is a scanned image. Run OCR on it "
                "(or import a .docx, .html or .txt copy) and import the result."
            )
        )
    if visible.count("(cid:") * 6 > len(visible) / 2:
        raise FormatError(
            gettext_noop(
                "The PDF's fonts do not say which characters they draw, so its text cannot be "
                "read. Import a .docx, .html or .txt copy instead."
            )
        )
    return text.rstrip("\n") + "\n"
