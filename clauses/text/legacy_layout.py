"""Temporary: the old locate() as a Layout, until regions.find_layout lands."""

from __future__ import annotations

from .layout import CUT, FURNITURE, METADATA, BodyLine, Layout, Part, Span
from .locate import locate, split_lines
from .patterns import CONTINUATION


def find_layout(clean: str, markdown_heading_at=frozenset()) -> Layout:
    loc = locate(clean, markdown_heading_at)
    if loc is None:
        return Layout(parts=[], spans=[Span(CUT, "no_structure", 0, len(clean))], metadata={})
    spans: list[Span] = []
    if loc.start:
        spans.append(Span(CUT, "before_start", 0, loc.start))
    removed = []
    if loc.title_line:
        removed.append((loc.title_line.start, loc.title_line.end, METADATA, "title"))
    for ln in loc.furniture_lines:
        removed.append((ln.start, ln.end, FURNITURE, "dateline"))
    for m in CONTINUATION.finditer(clean, loc.start, loc.end):
        if not any(a <= m.start() < b for a, b, _, _ in removed):
            removed.append((m.start(), m.end(), FURNITURE, "continuation"))
    removed.sort()
    for a, b, kind, name in removed:
        spans.append(Span(kind, name, a, b, 0))
    if loc.end < len(clean):
        spans.append(Span(CUT, loc.end_reason.replace(" ", "_"), loc.end, len(clean)))
    body = []
    for ln in split_lines(clean[: loc.end]):
        if ln.end <= loc.start:
            continue
        pieces = [(max(ln.start, loc.start), ln.end)]
        for a, b, _, _ in removed:
            new = []
            for s, e in pieces:
                if b <= s or a >= e:
                    new.append((s, e))
                    continue
                if a > s:
                    new.append((s, a))
                if b < e:
                    new.append((b, e))
            pieces = new
        for s, e in pieces:
            if clean[s:e].strip():
                body.append(BodyLine(s, e, clean[s:e], ln.start in markdown_heading_at))
    meta = {}
    if loc.title:
        meta["title"] = loc.title
    if loc.number:
        meta["number"] = loc.number
    if loc.issuers:
        meta["issuers"] = loc.issuers
    if loc.date:
        meta["date"] = loc.date.isoformat()
    return Layout(parts=[Part("main", "", lines=body)], spans=spans, metadata=meta, title=loc.title)
