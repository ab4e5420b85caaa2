"""The handout of a study set: HTML for print, .docx, PDF and a sign-in sheet.

A minimal local version of the agreed interface, so the study-set views and
their tests run; the handout builder's own version replaces this file. No
logic of the study sets lives here: :func:`studies.services.handout_for`
builds the :class:`Handout` from a set.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class HandoutUnavailable(Exception):
    """The handout cannot be made in this format here; the message says why."""


@dataclass(frozen=True)
class HandoutItem:
    """One clause of the handout, in order."""

    locator: str
    text: str
    source: str
    points: str
    questions: list[str]
    blanks: list[str]
    differences: list[tuple[str, str]]


@dataclass(frozen=True)
class Handout:
    title: str
    audience: str
    date: str
    place: str
    intro: str
    items: list[HandoutItem]


@dataclass(frozen=True)
class Options:
    points: bool = True
    pinyin: bool = False
    quiz: bool = False


def _quiz_text(text: str, blanks: list[str]) -> str:
    for blank in blanks:
        text = text.replace(blank, "＿" * len(blank))
    return text


def render_html(handout: Handout, options: Options, request=None) -> str:
    """The print view's full page (HTML)."""
    items = [
        {"item": item, "text": _quiz_text(item.text, item.blanks) if options.quiz else item.text}
        for item in handout.items
    ]
    return render_to_string(
        "studies/local_handout.html",
        {"handout": handout, "options": options, "items": items},
        request=request,
    )


def render_docx(handout: Handout, options: Options) -> bytes:
    """The handout as a Word document (.docx bytes)."""
    from docx import Document

    doc = Document()
    doc.add_heading(handout.title, level=1)
    meta = "　".join(p for p in (handout.audience, handout.date, handout.place) if p)
    if meta:
        doc.add_paragraph(meta)
    if handout.intro:
        doc.add_paragraph(handout.intro)
    for item in handout.items:
        doc.add_heading(item.locator, level=2)
        doc.add_paragraph(_quiz_text(item.text, item.blanks) if options.quiz else item.text)
        doc.add_paragraph(item.source)
        if options.points and item.points:
            doc.add_paragraph(item.points)
        for question in item.questions:
            doc.add_paragraph(question, style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_pdf(handout: Handout, options: Options) -> bytes:
    """The handout as PDF: not in this local version."""
    raise HandoutUnavailable(_("PDF handouts cannot be made on this server."))


def render_signin_sheet_html(handout: Handout, rows: int = 30, request=None) -> str:
    """The session's sign-in sheet (HTML): ``rows`` empty lines to sign."""
    return render_to_string(
        "studies/local_signin.html",
        {"handout": handout, "rows": range(1, rows + 1)},
        request=request,
    )
