"""From uploaded bytes to units with readings: decode, clean, locate, segment.

``prepare(data)`` runs every step and returns a ``PreparedSource``: the decoded
original (kept exactly), what each rule did, and the units found, each with its
normalized text and the exact span of the original it came from. Plain Python:
no database, no Django.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from . import cleanup
from .cleanup import RuleResult
from .formats import extract
from .layout import CLEANUP, CUT, FURNITURE, METADATA, READING, TOC, Layout
from .locate import Line, split_lines
from .messages import TextError, gettext_noop
from .regions import find_layout
from .segment import HEADING, Segment, segment_part
from .textmap import MappedText


class IngestError(TextError):
    """The file cannot become a source; the message says why, for a person
    (``messages.TextError``: a translatable template and its parameters)."""


@dataclass(frozen=True, slots=True)  # one per unit, held through the import
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
    parent: str = ""  # key of the enclosing unit in this source ("" at the top)
    path: tuple[str, ...] = ()  # labels from the top: ("第二章", "第二十三条")
    part: str = ""  # the part's key: "" main, "cover", "att1" …
    damaged_label: bool = False  # the label was read from its place in the sequence
    start: int = -1  # raw offset where the unit begins: its label, else its text

    @property
    def heading(self) -> bool:
        """A heading (``align.AlignUnit``'s field: a reading aligns as one)."""
        return self.kind == HEADING


class Regions(Sequence):
    """Every region of an original, in order, held compactly: each region is a
    dict ``{"kind", "name", "start", "end"}`` (raw offsets, 0-based characters
    of the original, end exclusive) when read, and a kind, a name (shared
    strings: the names of reading regions are the units' keys) and two 64-bit
    offsets when held, some 32 bytes a region instead of some 330 as dicts (a
    4 MB copy has 15,000 regions, held through the import).

    A sequence of dicts: indexing and iterating build fresh dicts, so changing
    one changes nothing held; ``regions[i] = {...}`` and :meth:`append` do.
    Equal to a list of the same dicts.
    """

    __slots__ = ("_bounds", "_kinds", "_names")

    def __init__(self, regions: Iterable[dict] = ()):
        self._kinds: list[str] = []
        self._names: list[str] = []
        self._bounds = array("q")  # start, end of each region in turn
        for region in regions:
            self.append(region)

    def add(self, kind: str, name: str, start: int, end: int) -> None:
        """Append the region ``[start, end)`` of ``kind`` named ``name``."""
        self._kinds.append(kind)
        self._names.append(name)
        self._bounds.append(start)
        self._bounds.append(end)

    def append(self, region: dict) -> None:
        self.add(region["kind"], region["name"], region["start"], region["end"])

    def extend_last(self, end: int) -> None:
        """Move the last region's end to ``end``."""
        self._bounds[-1] = end

    def spans(self) -> Iterator[tuple[str, str, int, int]]:
        """Each region as ``(kind, name, start, end)``, without building dicts."""
        bounds = self._bounds
        for i, (kind, name) in enumerate(zip(self._kinds, self._names, strict=True)):
            yield kind, name, bounds[2 * i], bounds[2 * i + 1]

    def last(self) -> tuple[str, str, int, int]:
        """The last region as ``(kind, name, start, end)``; IndexError when none."""
        return self._kinds[-1], self._names[-1], self._bounds[-2], self._bounds[-1]

    def __len__(self) -> int:
        return len(self._kinds)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]  # negative indexes; IndexError out of range
        start, end = self._bounds[2 * i], self._bounds[2 * i + 1]
        return {"kind": self._kinds[i], "name": self._names[i], "start": start, "end": end}

    def __setitem__(self, index: int, region: dict) -> None:
        i = range(len(self))[index]
        self._kinds[i], self._names[i] = region["kind"], region["name"]
        self._bounds[2 * i], self._bounds[2 * i + 1] = region["start"], region["end"]

    def __iter__(self) -> Iterator[dict]:
        for kind, name, start, end in self.spans():
            yield {"kind": kind, "name": name, "start": start, "end": end}

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"Regions({list(self)!r})"


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
    format: str = "text"  # text, html, docx, pdf: what the original bytes were
    metadata: dict = field(default_factory=dict)  # typed fields, see layout.METADATA_FIELDS
    # Every region of ``original``: {"kind", "name", "start", "end"}, raw
    # offsets (0-based characters of ``original``, end exclusive), in order;
    # ``prepare`` gives them as ``Regions`` (compact), a plain list does too.
    regions: Sequence[dict] = field(default_factory=list)
    # Where the file's Han characters went: {"han": {kind: n, ..., "total": n},
    # "kept": share of non-furniture Han in readings + metadata (0..1)}.
    accounting: dict = field(default_factory=dict)
    schemes: dict = field(default_factory=dict)  # part key -> name of the scheme chosen


_BLANK = re.compile(r"\s+")
_RUNS = re.compile(rb"(.)\1*", re.DOTALL)  # runs of one byte value
# Han characters as the accounting counts them: the unified ideographs and their
# extensions, and the look-alikes a file may carry in their place (CJK radicals
# supplement, Kangxi radicals, compatibility ideographs), which
# fold_lookalike_ideographs turns into unified ones.
_HAN_CLASS = (
    "\u2e80-\u2eff\u2f00-\u2fdf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
_HAN_RUN_CHARS = re.compile(f"[{_HAN_CLASS}]")
_HAN_RUN = re.compile(f"[{_HAN_CLASS}]+")

#: Below this share of the file's non-furniture Han characters in readings and
#: metadata, an import asks before it goes through (issue 7).
KEPT_THRESHOLD = 0.9


def _visible_length(text: str) -> int:
    return len(_BLANK.sub("", text))


def prepare(data: bytes, filename: str = "") -> PreparedSource:
    """Run every stage on ``data``: decode → normalize → find regions → segment.

    ``data``: the file's bytes, plain text in any encoding ``decode`` knows,
    or HTML, .docx or a PDF with a text layer (``formats.extract``; the file
    name only breaks ties). ``original`` is then the extracted text, and
    every raw offset points into it.

    Returns a ``PreparedSource``. Raises ``IngestError`` (or ``DecodeError``)
    with a message for a person when the bytes are no text or the text is no
    document; never returns a source that silently lost text: every
    character of the decoded file is accounted for in ``regions``.
    """
    decoded = extract(data, filename)
    original = decoded.text
    report: list[RuleResult] = []
    checksum = hashlib.sha256(data).hexdigest()

    decode_result = RuleResult("decode", count=len(original))
    decode_result.detail = {
        "format": decoded.format,
        "encoding": decoded.encoding,
        "bytes": len(data),
    }
    report.append(decode_result)

    # Stage 2: normalize, character by character.
    mt = MappedText.identity(original)
    script = cleanup.detect_script(original)
    for rule in cleanup.CHARACTER_RULES:
        if rule is cleanup.unify_punctuation and script == "traditional":
            mt, result = cleanup.convert_traditional(mt)
            report.append(result)
        mt, result = rule(mt)
        report.append(result)

    # Stage 3: regions.
    md_lines = frozenset(_markdown_heading_lines(mt, original))
    layout = find_layout(mt.text, md_lines)
    report += _region_results(mt.text, layout)

    # Stage 4: segment each part by the scheme that explains it best.
    units: list[UnitReading] = []
    schemes: dict[str, str] = {}
    accountant = _Accountant(original)
    for span in layout.spans:
        accountant.mark_clean(mt, span.start, span.end, span.kind, span.name)
    parts = [part for part in layout.parts if part.lines]
    for n, part in enumerate(parts):
        part_mt = _keep_only(mt, part.lines)
        part.lines = []  # the part's text lives on in part_mt: memory stays bounded
        if n == len(parts) - 1:
            mt = None  # every part has its own text now: the whole clean text goes
        part_mt, spaces = cleanup.remove_spaces_between_chinese(part_mt)
        report.append(spaces)
        lines = split_lines(part_mt.text)
        best, tried = segment_part(part_mt.text, lines)
        line_count = len(lines)
        del lines
        if best.explained == 0 and part.role == "main" and not _is_document(layout):
            raise IngestError(
                gettext_noop(
                    "No document structure found: no scheme explains this text "
                    "(%(figures)s of %(lines)s lines labelled), and it has no title, "
                    "document number or issuing body. Is this a policy document?"
                ),
                figures=_scheme_figures(tried),
                lines=line_count,
            )
        schemes[part.key] = best.scheme.name
        scheme_result = RuleResult("segment_by_scheme", count=len(best.segments))
        scheme_result.detail = {
            "part": part.key or "main",
            "role": part.role,
            "scheme": best.scheme.name,
            "lines": line_count,
            "explained": {r.scheme.name: r.explained for r in tried if r.applies},
        }
        scheme_result.examples = [best.scheme.description]
        report.append(scheme_result)
        report += best.results
        segments, best.segments = best.segments, []
        for i, seg in enumerate(segments):
            segments[i] = None  # each segment goes as its reading comes
            reading = _reading(part_mt, original, seg, part.key)
            units.append(reading)
            # Readings are one region kind; which unit a span belongs to is
            # in the readings' own raw spans.
            for a, b in seg.parts:
                accountant.mark_clean(part_mt, a, b, READING, "")
            if seg.label_span:
                accountant.mark_clean(part_mt, *seg.label_span, READING, "")
            for a, b in seg.parts:
                accountant.fill_gaps(part_mt, a, b, READING, "")
            if seg.label_span:
                accountant.fill_gaps(part_mt, *seg.label_span, READING, "")
    part_mt = best = None  # the last part's clean text: its readings have it
    if not units:
        raise IngestError(
            gettext_noop(
                "No document found in this file: no title, no document number and no "
                "numbered structure (一、, （一）, 第一条 …); what it holds is site furniture "
                "or text outside a document. Is this a policy document?"
            )
        )
    accountant.mark_rest(CLEANUP, "cleanup")
    regions, accounting = accountant.finish()
    regions = _name_readings(regions, units)
    report.append(_accounting_result(accounting))

    metadata = dict(layout.metadata)
    title = layout.title or metadata.get("title", "")
    return PreparedSource(
        original=original,
        encoding=decoded.encoding,
        checksum=checksum,
        script=script,
        title=title,
        date=_iso_date(metadata.get("date")),
        number=metadata.get("number", ""),
        issuers=metadata.get("issuers", ""),
        units=units,
        report=[r.as_dict() for r in report if r.count or r.rule in ALWAYS_REPORTED],
        metadata=metadata,
        regions=regions,
        accounting=accounting,
        schemes=schemes,
        format=decoded.format,
    )


ALWAYS_REPORTED = {"decode", "cut_before_start", "cut_after_end", "accounting"}


def _is_document(layout: Layout) -> bool:
    """Does the file say it is an official document, without any numbering?"""
    meta = layout.metadata
    return bool(layout.title or meta.get("number") or meta.get("issuers"))


def _scheme_figures(tried) -> str:
    return ", ".join(f"{r.scheme.name} {r.explained}" for r in tried if r.scheme.shapes)


def _keep_only(mt: MappedText, lines) -> MappedText:
    """The part's body lines alone: everything else deleted, line breaks kept.

    A gap between two body fragments of one line (a continuation marker cut out
    of a sentence) is deleted outright, so the sentence reads on; a gap that
    held a line break becomes one line break.
    """
    edits = []
    pos = 0
    text = mt.text
    for ln in lines:
        if ln.start > pos:
            gap = "\n" if pos and "\n" in text[pos : ln.start] else ""
            edits.append((pos, ln.start, gap))
        pos = ln.end
    if pos < len(text):
        edits.append((pos, len(text), ""))
    return mt.edit(edits)


def _iso_date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _region_results(clean: str, layout: Layout) -> list[RuleResult]:
    """One report entry per kind of span found: furniture, metadata, toc, cuts."""
    by_kind: dict[str, RuleResult] = {}
    names = {
        FURNITURE: "remove_furniture",
        METADATA: "metadata",
        TOC: "table_of_contents",
        CUT: "cut",
    }
    for span in layout.spans:
        rule = names.get(span.kind, span.kind)
        result = by_kind.setdefault(rule, RuleResult(rule))
        text = " ".join(clean[span.start : span.end].split())
        result.add(f"{span.name}: {text[:40]}")
        # Han characters per name: what a cut or a furniture rule took.
        han = result.detail.setdefault("han", {})
        han[span.name] = han.get(span.name, 0) + len(_HAN_RUN_CHARS.findall(text))
    parts = RuleResult("find_parts", count=len(layout.parts))
    parts.examples = [
        f"{p.role} {p.label or p.key or ''} {p.title[:30]}".strip() for p in layout.parts
    ]
    return [*by_kind.values(), parts]


class _Accountant:
    """Where every character of the decoded original went.

    One byte per original character (0: not yet placed), so a 5 MB file
    costs 5 MB here; categories are (kind, name) pairs numbered from 1.
    """

    def __init__(self, original: str):
        self.original = original
        self.cells = bytearray(len(original))
        self.codes: dict[tuple[str, str], int] = {}

    def _code(self, kind: str, name: str) -> int:
        code = self.codes.get((kind, name))
        if code is None:
            if len(self.codes) >= 240:
                name = "…"  # more names than a byte holds: merged, never lost
                code = self.codes.get((kind, name))
                if code is not None:
                    return code
            code = self.codes[(kind, name)] = len(self.codes) + 1
        return code

    def mark_clean(self, mt: MappedText, start: int, end: int, kind: str, name: str) -> None:
        """Place the original characters that clean ``[start, end)`` came from."""
        code = self._code(kind, name)
        fill = bytes([code])
        for a, b in mt.raw_pieces(start, end):
            self.cells[a:b] = fill * (b - a)

    def fill_gaps(self, mt: MappedText, start: int, end: int, kind: str, name: str) -> None:
        """Characters a clean-up rule deleted *inside* clean ``[start, end)`` (a
        gloss inside a sentence) belong to it, as a reading's raw span has them;
        characters another region already holds stay with it."""
        code = bytes([self._code(kind, name)])
        a, b = mt.raw_span(start, end)
        self.cells[a:b] = self.cells[a:b].replace(b"\x00", code)

    def mark_rest(self, kind: str, name: str) -> None:
        """Everything not placed yet: removed by a clean-up rule (or white space)."""
        code = self._code(kind, name)
        self.cells = self.cells.replace(b"\x00", bytes([code]))

    def finish(self) -> tuple[Regions, dict]:
        names = {code: key for key, code in self.codes.items()}
        regions = Regions()
        cells, original = self.cells, self.original
        for run in _RUNS.finditer(cells):
            pos, end = run.span()
            kind, name = names[cells[pos]]
            last = regions.last() if regions else None
            if last and last[0] == kind and last[1] == name:
                regions.extend_last(end)
            elif last and end - pos < 4096 and original[pos:end].isspace():
                # White space between two regions belongs to the one before.
                regions.extend_last(end)
            else:
                regions.add(kind, name, pos, end)
        han: dict[str, int] = {k: 0 for k in (READING, METADATA, FURNITURE, TOC, CUT, CLEANUP)}
        for kind, _name, start, end in regions.spans():
            han[kind] += sum(m.end() - m.start() for m in _HAN_RUN.finditer(original, start, end))
        total = sum(han.values())
        placed = han[READING] + han[METADATA] + han[CUT]
        kept = (han[READING] + han[METADATA]) / placed if placed else 1.0
        return regions, {
            "han": {**han, "total": total},
            "kept": round(kept, 4),
            "needs_confirmation": kept < KEPT_THRESHOLD,
        }


def _name_readings(regions: Regions, units: list[UnitReading]) -> Regions:
    """Split reading regions at unit boundaries; each piece is named by its unit's
    key, so the source page links every passage to its own unit."""
    starts = sorted((u.start, u.key) for u in units)
    at = [a for a, _ in starts]
    out = Regions()
    for kind, name, a, b in regions.spans():
        if kind != READING:
            out.add(kind, name, a, b)
            continue
        lo, hi = bisect_right(at, a), bisect_left(at, b)
        cuts = [a, *(x for x in at[lo:hi] if a < x < b), b]
        for x, y in zip(cuts, cuts[1:], strict=False):
            k = bisect_right(at, x) - 1
            name = starts[k][1] if k >= 0 else ""
            last = out.last() if out else None
            if last and last[0] == READING and last[1] == name:
                out.extend_last(y)
            else:
                out.add(READING, name, x, y)
    return out


def _accounting_result(accounting: dict) -> RuleResult:
    result = RuleResult("accounting", count=accounting["han"]["total"])
    result.detail = dict(accounting)
    return result


def _reading(mt: MappedText, original: str, seg: Segment, part: str) -> UnitReading:
    text = seg.text(mt.text)
    start, end = seg.span
    raw_start, raw_end = mt.raw_span(start, end)
    label_raw = ""
    unit_start = raw_start
    if seg.label_span:
        a, b = mt.raw_span(*seg.label_span)
        label_raw = original[a:b]
        unit_start = min(a, raw_start)

    def prefixed(key: str) -> str:
        return f"{part}.{key}" if part and key else key

    return UnitReading(
        key=prefixed(seg.key),
        kind=seg.kind,
        label=seg.label,
        ordinal=seg.ordinal,
        level=seg.level,
        text=text,
        raw_start=raw_start,
        raw_end=raw_end,
        label_raw=label_raw,
        parent=prefixed(seg.parent),
        path=seg.label_path,
        part=part,
        damaged_label=seg.damaged,
        start=unit_start,
    )


def _markdown_heading_lines(mt: MappedText, original: str) -> set[int]:
    """Clean offsets of lines that were Markdown headings in the original."""
    found: set[int] = set()
    if "#" not in original:  # no heading mark anywhere: no line to map back
        return found
    for ln in split_lines(mt.text):
        raw = mt.raw_offset(ln.start)
        line_start = original.rfind("\n", 0, raw) + 1
        if original[line_start:raw].lstrip(" \t\ufeff").startswith("#"):
            found.add(ln.start)
    return found


__all__ = ["IngestError", "Line", "PreparedSource", "Regions", "UnitReading", "prepare"]
