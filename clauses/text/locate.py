"""Find the document inside a file full of other things.

The document starts at its title (the last title line before the first
structural unit, so a covering circular is left out), else at its dateline or a
page-continuation marker, else at the prose paragraphs just before its first
structural unit. It ends at the news agency's line (据新华社, 新华社北京电,
（新华社北京10月21日电）) or where an unrelated article begins: a Markdown
heading that is not part of the document's structure, or a bare headline-like
line (no punctuation at all) after a finished sentence. Nothing after the end
becomes part of any unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .patterns import (
    AGENCY_LINE,
    CONTINUATION,
    DATELINE,
    DOC_NUMBER,
    SENTENCE_PUNCT,
    ends_sentence,
    is_structural,
    is_title,
)


@dataclass(frozen=True, slots=True)  # one per line of the file
class Line:
    start: int  # clean-text offsets, end exclusive, without the newline
    end: int
    text: str


def split_lines(text: str) -> list[Line]:
    lines = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


@dataclass
class Location:
    start: int  # clean offsets of the document region
    end: int
    title: str = ""
    title_line: Line | None = None
    dateline: Line | None = None
    date: date | None = None
    number: str = ""
    issuers: str = ""
    end_reason: str = ""  # agency line, unrelated article, end of file
    end_line: str = ""
    furniture_lines: list[Line] = field(default_factory=list)  # inside the region, to remove


def _parse_date(line: Line) -> date | None:
    m = DATELINE.match(line.text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _issuers(title: str) -> str:
    m = re.match(r"^(.{2,30}?)关于", title)
    return m.group(1).strip() if m else ""


def locate(text: str, markdown_heading_at: set[int] | frozenset = frozenset()) -> Location | None:
    """Locate the document in ``text``; None when it has no structural unit.

    ``markdown_heading_at`` holds the clean offsets of lines that were Markdown
    headings in the original (their marks are already stripped).
    """
    lines = split_lines(text)
    first = next((i for i, ln in enumerate(lines) if is_structural(ln.text)), None)
    if first is None:
        return None

    title_i = next((i for i in range(first - 1, -1, -1) if is_title(lines[i].text)), None)
    if title_i is not None:
        start_i = title_i
    else:
        marks = [
            i
            for i in range(first)
            if DATELINE.match(lines[i].text) or CONTINUATION.fullmatch(lines[i].text)
        ]
        if marks:
            start_i = marks[0]
        else:
            start_i = first
            while start_i > 0 and _is_prose(lines[start_i - 1].text):
                start_i -= 1

    end_i = len(lines)
    end_reason = "end of file"
    for i in range(first + 1, len(lines)):
        ln = lines[i]
        if AGENCY_LINE.match(ln.text):
            end_i, end_reason = i, "agency line"
            break
        # A headline ends the document only when no structural unit follows
        # it closely: a heading whose label was damaged ("伍、" for "二、")
        # is still followed by the document's clauses.
        headline = ln.start in markdown_heading_at and not is_structural(ln.text)
        headline = headline or (_is_bare_headline(ln.text) and ends_sentence(lines[i - 1].text))
        if headline and not any(is_structural(n.text) for n in lines[i + 1 : i + 1 + LOOKAHEAD]):
            end_i, end_reason = i, "unrelated article"
            break

    loc = Location(
        start=lines[start_i].start,
        end=lines[end_i - 1].end,
        end_reason=end_reason,
        end_line=lines[end_i].text if end_i < len(lines) else "",
    )
    if title_i is not None:
        loc.title_line = lines[title_i]
        loc.title = lines[title_i].text
        loc.issuers = _issuers(loc.title)
    # Date and number: the dateline inside the region, else a date line of the
    # covering circular before it; the document number anywhere before the body.
    head = lines[start_i:first]
    for ln in head:
        if DATELINE.match(ln.text):
            loc.dateline = loc.dateline or ln
            loc.furniture_lines.append(ln)
        elif CONTINUATION.fullmatch(ln.text):
            loc.furniture_lines.append(ln)
    if loc.dateline:
        loc.date = _parse_date(loc.dateline)
    else:
        for ln in lines[:start_i]:
            if d := _parse_date(ln):
                loc.date = d
    m = DOC_NUMBER.search(text, 0, lines[first].start)
    if m:
        loc.number = m.group(0)
    if not loc.issuers:
        for ln in lines[:start_i]:
            if "关于" in ln.text and is_title(ln.text):
                loc.issuers = _issuers(ln.text)
    return loc


#: How many lines after a headline are searched for the document's structure.
LOOKAHEAD = 3


def _is_prose(text: str) -> bool:
    return len(text) >= 15 and ends_sentence(text)


def _is_bare_headline(text: str) -> bool:
    """A short line with no punctuation at all that is not a structural unit."""
    return len(text) <= 40 and not SENTENCE_PUNCT.search(text) and not is_structural(text)
