"""From uploaded bytes to units with readings: decode, clean, locate, segment.

``prepare(data)`` runs every step and returns a ``PreparedSource``: the decoded
original (kept exactly), what each rule did, and the units found, each with its
normalized text and the exact span of the original it came from. Plain Python:
no database, no Django.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from . import cleanup
from .cleanup import RuleResult
from .decode import decode
from .locate import Line, locate, split_lines
from .patterns import CONTINUATION
from .segment import Segment, segment
from .textmap import MappedText


class IngestError(ValueError):
    """The file cannot become a source; the message says why, for a person."""


@dataclass(frozen=True)
class UnitReading:
    key: str
    kind: str
    label: str
    ordinal: int | None
    level: int
    text: str  # normalized, without the label
    raw_start: int  # span of the decoded original, without the label
    raw_end: int
    label_raw: str  # the label as printed


@dataclass
class PreparedSource:
    original: str  # the decoded file, exactly
    encoding: str
    checksum: str
    script: str
    title: str
    date: date | None
    number: str
    issuers: str
    units: list[UnitReading]
    report: list[dict] = field(default_factory=list)


_BLANK = re.compile(r"\s+")


def _visible_length(text: str) -> int:
    return len(_BLANK.sub("", text))


def prepare(data: bytes) -> PreparedSource:
    decoded = decode(data)
    original = decoded.text
    report: list[RuleResult] = []
    checksum = hashlib.sha256(data).hexdigest()

    decode_result = RuleResult("decode", count=len(original))
    decode_result.detail = {"encoding": decoded.encoding, "bytes": len(data)}
    report.append(decode_result)

    mt = MappedText.identity(original)
    script = cleanup.detect_script(original)
    for rule in cleanup.CHARACTER_RULES:
        if rule is cleanup.unify_punctuation and script == "traditional":
            mt, result = cleanup.convert_traditional(mt)
            report.append(result)
        mt, result = rule(mt)
        report.append(result)

    md_lines = _markdown_heading_lines(mt, original)
    loc = locate(mt.text, md_lines)
    if loc is None:
        raise IngestError(
            "No document structure found: no section headings (一、), clauses (（一）) "
            "or numbered items (1.). Is this a policy document?"
        )

    before = RuleResult("cut_before_start", count=_visible_length(mt.text[: loc.start]))
    before.examples = [ln.text[:30] for ln in split_lines(mt.text[: loc.start])][:5]
    after = RuleResult("cut_after_end", count=_visible_length(mt.text[loc.end :]))
    after.detail = {"reason": loc.end_reason, "line": loc.end_line}
    after.examples = [ln.text[:30] for ln in split_lines(mt.text[loc.end :])][:5]
    report += [before, after]

    # Title, dateline and continuation markers are furniture, not units.
    furniture = RuleResult("remove_furniture")
    edits: list[tuple[int, int, str]] = []
    if loc.title_line:
        edits.append((loc.title_line.start, loc.title_line.end, ""))
        furniture.add(f"title: {loc.title}")
    for ln in loc.furniture_lines:
        edits.append((ln.start, ln.end, ""))
        furniture.add(ln.text)
    for m in CONTINUATION.finditer(mt.text, loc.start, loc.end):
        if not any(a <= m.start() < b for a, b, _ in edits):
            edits.append((m.start(), m.end(), ""))
            furniture.add(m.group(0))
    edits.sort()
    mt = mt.edit([(0, loc.start, "")] + edits + [(loc.end, len(mt.text), "")])
    report.append(furniture)

    mt, spaces = cleanup.remove_spaces_between_chinese(mt)
    report.append(spaces)

    lines = split_lines(mt.text)
    segments, seg_results = segment(mt.text, lines)
    report += seg_results
    if not any(s.label for s in segments):
        raise IngestError(
            "No document structure found: no section headings, clauses or numbered items."
        )
    units = [_reading(mt, original, s) for s in segments]
    return PreparedSource(
        original=original,
        encoding=decoded.encoding,
        checksum=checksum,
        script=script,
        title=loc.title,
        date=loc.date,
        number=loc.number,
        issuers=loc.issuers,
        units=units,
        report=[r.as_dict() for r in report if r.count or r.rule in ALWAYS_REPORTED],
    )


ALWAYS_REPORTED = {"decode", "cut_before_start", "cut_after_end"}


def _reading(mt: MappedText, original: str, seg: Segment) -> UnitReading:
    text = seg.text(mt.text)
    start, end = seg.span
    raw_start, raw_end = mt.raw_span(start, end)
    label_raw = ""
    if seg.label_span:
        a, b = mt.raw_span(*seg.label_span)
        label_raw = original[a:b]
    return UnitReading(
        key=seg.key,
        kind=seg.kind,
        label=seg.label,
        ordinal=seg.ordinal,
        level=seg.level,
        text=text,
        raw_start=raw_start,
        raw_end=raw_end,
        label_raw=label_raw,
    )


def _markdown_heading_lines(mt: MappedText, original: str) -> set[int]:
    """Clean offsets of lines that were Markdown headings in the original."""
    found = set()
    for ln in split_lines(mt.text):
        raw = mt.raw_offset(ln.start)
        line_start = original.rfind("\n", 0, raw) + 1
        if original[line_start:raw].lstrip(" \t\ufeff").startswith("#"):
            found.add(ln.start)
    return found


__all__ = ["IngestError", "Line", "PreparedSource", "UnitReading", "prepare"]
