"""The handout (学习材料) of a study set (学习专题) in three forms, from one layout.

The studies app builds a ``Handout`` (its clauses as ``HandoutItem``) and calls:

- ``render_html(handout, options, request)`` — the print view, a whole page
  (print stylesheet, page numbers; a small toolbar on screen only);
- ``render_docx(handout, options)`` — a Word/WPS document to edit (bytes);
- ``render_pdf(handout, options)`` — a PDF made on the server by WeasyPrint
  (bytes), or ``HandoutUnavailable`` when WeasyPrint or a Chinese font is
  missing on this machine;
- ``render_signin_sheet_html(handout, rows)`` — the session's sign-in sheet.

All four lay the handout out with ``studies.handout_layout.build``, which
raises ``HandoutError`` (a ``ValueError`` with ``.translated(gettext)``) when
the quiz is on and a blank is not in its clause: the caller shows that message
and renders nothing.

``Options`` are the reader's choices: ``points`` (the trainer's copy, with the
talking points; off: the participants' copy), ``pinyin`` (readings above the
characters) and ``quiz`` (fill-in-the-blank gaps and an answer key on a last
page). ``Options.from_query(request.GET)`` reads them from ``?points=1&pinyin=0
&quiz=0`` — the query the print view's toolbar links use.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext, pgettext

from studies.handout_layout import HandoutError, Layout, build

__all__ = [
    "Handout",
    "HandoutError",
    "HandoutItem",
    "HandoutUnavailable",
    "Options",
    "render_docx",
    "render_html",
    "render_pdf",
    "render_signin_sheet_html",
]

PRINT_CSS = "css/print.css"


@dataclass(frozen=True)
class HandoutItem:
    """One clause of the handout, in order.

    ``locator``: where it stands in its document (二、（一） or 第二十三条).
    ``text``: the unit's canonical text, or the span of it the item names.
    ``source``: one line naming the document ("title, 文号, date").
    ``points``: talking points (讲解要点), plain text, newlines between
    paragraphs ("" when none). ``questions``: discussion questions (讨论题) in
    order. ``blanks``: phrases of ``text`` to blank out in the quiz, in order.
    ``differences``: ``(kind, text)`` runs, kind "equal", "del" or "ins", to
    show how the clause changed ([] for none).
    """

    locator: str
    text: str
    source: str = ""
    points: str = ""
    questions: list[str] = field(default_factory=list)
    blanks: list[str] = field(default_factory=list)
    differences: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Handout:
    """A study set's handout: its title block (title, audience, date and place
    as the trainer wrote them), an introduction (plain text) and its clauses."""

    title: str
    audience: str = ""
    date: str = ""
    place: str = ""
    intro: str = ""
    items: list[HandoutItem] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    """What a copy shows: talking points (trainer's copy), pinyin, the quiz."""

    points: bool = True
    pinyin: bool = False
    quiz: bool = False

    NAMES = ("points", "pinyin", "quiz")

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Options:
        """Options from a query (``request.GET``): ``1``/``true``/``on`` is
        on, ``0``/``false``/``off``/empty is off, anything else or a missing
        name keeps the default."""
        values = {}
        for name in cls.NAMES:
            raw = (query.get(name) or "").strip().lower() if name in query else None
            if raw in ("1", "true", "on", "yes"):
                values[name] = True
            elif raw in ("0", "false", "off", "no", ""):
                values[name] = False
        return cls(**values)

    def query(self, **changes: bool) -> dict[str, str]:
        """These options (with ``changes``) as query parameters, "1" or "0"."""
        merged = {name: changes.get(name, getattr(self, name)) for name in self.NAMES}
        return {name: "1" if on else "0" for name, on in merged.items()}


class HandoutUnavailable(Exception):
    """The PDF cannot be made on this machine; the message (in the user's
    language) names what is missing and how to install it."""


# --- HTML ---------------------------------------------------------------------


def _toolbar(options: Options, request, links: Sequence[tuple[str, str]]) -> dict:
    """The screen toolbar: option toggles as links keeping the rest of the
    query, and the caller's extra links (downloads, the sign-in sheet)."""
    base = request.GET.copy() if request is not None else QueryDict(mutable=True)

    def href(**changes: bool) -> str:
        query = base.copy()
        for name, value in options.query(**changes).items():
            query[name] = value
        return "?" + query.urlencode()

    return {
        "copies": [
            (pgettext("handout", "Trainer's copy"), href(points=True), options.points),
            (pgettext("handout", "Participants' copy"), href(points=False), not options.points),
        ],
        "toggles": [
            (pgettext("handout", "Pinyin"), href(pinyin=not options.pinyin), options.pinyin),
            (pgettext("handout", "Quiz"), href(quiz=not options.quiz), options.quiz),
        ],
        "links": list(links),
    }


def _context(layout: Layout, for_pdf: bool) -> dict:
    return {"layout": layout, "for_pdf": for_pdf}


def render_html(
    handout: Handout,
    options: Options,
    request=None,
    *,
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """The print view: a whole HTML page (``templates/studies/handout.html``
    with ``static/css/print.css``). On screen a toolbar (hidden in print) has a
    print button and the option toggles as links (``?points=&pinyin=&quiz=``,
    other query parameters kept from ``request``), then ``links``: the
    caller's ``(label, url)`` pairs, e.g. the DOCX and PDF downloads.
    Raises ``HandoutError`` for a blank that is not in its clause."""
    layout = build(handout, options)
    context = _context(layout, for_pdf=False) | {"toolbar": _toolbar(options, request, links)}
    return render_to_string("studies/handout.html", context, request=request)


def render_signin_sheet_html(handout: Handout, rows: int = 30, request=None) -> str:
    """The sign-in sheet (签到表) of a session: the set's title, date and place,
    then a table 序号 / 姓名 / 单位 / 联系电话 / 签名 with ``rows`` numbered
    empty rows (at least 1, at most 500). A whole HTML page for printing."""
    rows = max(1, min(int(rows), 500))
    context = {"handout": handout, "rows": range(1, rows + 1)}
    return render_to_string("studies/handout_signin.html", context, request=request)


# --- PDF ----------------------------------------------------------------------


def chinese_font_families() -> list[str]:
    """The font families fontconfig has for Chinese (``fc-list :lang=zh
    family``), sorted; [] when there are none or fontconfig's ``fc-list`` is
    not installed. Fontconfig is what WeasyPrint (through Pango) finds fonts
    with, so this is the list it can use."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    families = {name.strip() for line in out.splitlines() for name in line.split(",")}
    return sorted(f for f in families if f)


def _weasyprint():
    """WeasyPrint's HTML and CSS classes, or HandoutUnavailable naming what is
    missing (the package, or the Pango libraries it loads when imported)."""
    try:
        from weasyprint import CSS, HTML
    except ImportError as exc:
        raise HandoutUnavailable(
            gettext(
                "PDF needs WeasyPrint, which is not installed: install the requirements "
                "(pip install -r requirements.txt). (%(error)s)"
            )
            % {"error": exc}
        ) from exc
    except OSError as exc:  # cffi could not load libpango / libfontconfig
        raise HandoutUnavailable(
            gettext(
                "PDF needs the Pango libraries WeasyPrint uses: install libpango-1.0-0 and "
                "libpangoft2-1.0-0. (%(error)s)"
            )
            % {"error": exc}
        ) from exc
    return HTML, CSS


def render_pdf(handout: Handout, options: Options) -> bytes:
    """The handout as a PDF made with WeasyPrint from the print view's markup
    and ``print.css`` (A4, page numbers, fonts embedded and subset, the text
    extractable). Raises ``HandoutUnavailable`` when WeasyPrint or its Pango
    libraries cannot be loaded, or fontconfig knows no Chinese font (Debian:
    fonts-noto-cjk); ``HandoutError`` for a blank that is not in its clause."""
    layout = build(handout, options)
    HTML, CSS = _weasyprint()
    if not chinese_font_families():
        raise HandoutUnavailable(
            gettext(
                "PDF needs a Chinese font, and fontconfig (fc-list :lang=zh) finds none: "
                "install fonts-noto-cjk."
            )
        )
    css_path = finders.find(PRINT_CSS)
    html = render_to_string("studies/handout.html", _context(layout, for_pdf=True))
    document = HTML(string=html, base_url=None)
    return document.write_pdf(stylesheets=[CSS(filename=css_path)])


# --- DOCX ---------------------------------------------------------------------


def render_docx(handout: Handout, options: Options) -> bytes:
    """The handout as a .docx for Word or WPS (see ``studies.handout_docx``).
    Raises ``HandoutError`` for a blank that is not in its clause."""
    from studies.handout_docx import write_docx

    return write_docx(build(handout, options))
