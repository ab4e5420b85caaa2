"""Cut the located document into units: headings, clauses, items, paragraphs.

Shapes recognised (punctuation already full width):
- section headings ``一、`` … ``九、`` (level 1);
- clauses ``（一）`` … ``（二十七）``, numbered across sections in the 2024
  Opinion, restarting per section in the 2017 Plan; a clause line with no
  sentence of its own followed by numbered items or bullets is a sub-heading
  (level 2), as the 2017 Plan's ``（一）加强和改进……``;
- numbered items ``1.`` … ``25.`` and ``——`` bullets;
- unlabelled paragraphs: the preamble and the paragraphs of a section.

Two joining rules, each counted:
- ``join_broken_lines``: a line that continues a sentence left unfinished by a
  page or column break joins the line before it;
- ``attach_paragraph``: a finished paragraph with no label after a clause or
  item belongs to that clause (a copy's duplicated fragment stays in it: it is
  a real variant of that copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cleanup import RuleResult
from .locate import Line
from .patterns import (
    BULLET,
    CLAUSE_LABEL,
    DAMAGED_CLAUSE_LABEL,
    DAMAGED_HEADING,
    ITEM_LABEL,
    SECTION_HEADING,
    TERMINAL_PUNCT,
    chinese_numeral,
    ends_sentence,
)

HEADING, PARAGRAPH, CLAUSE, ITEM = "heading", "paragraph", "clause", "item"


@dataclass
class Segment:
    kind: str
    label: str  # normalized label: 六、 （十三） 12. —— or ""
    ordinal: int | None
    level: int  # 1 section heading, 2 sub-heading, 3 text unit
    parts: list[tuple[int, int]] = field(default_factory=list)  # clean spans of the text
    label_span: tuple[int, int] | None = None
    key: str = ""

    def text(self, clean: str) -> str:
        return "".join(clean[a:b] for a, b in self.parts)

    @property
    def span(self) -> tuple[int, int]:
        return self.parts[0][0], self.parts[-1][1]


def _classify(
    line: Line, last_item: int | None, next_line: Line | None
) -> tuple[str, str, int | None, int, int]:
    """(kind, label, ordinal, level, length of the label in the line)."""
    text = line.text
    if m := SECTION_HEADING.match(text):
        if len(text) <= 60 and "。" not in text:
            return HEADING, f"{m.group(1)}、", chinese_numeral(m.group(1)), 1, m.end()
    # A heading-shaped line with a label that is no numeral (OCR's 伍、 for
    # 二、), directly followed by a clause: a section heading, label as printed.
    if (m := DAMAGED_HEADING.match(text)) and len(text) <= 40 and not TERMINAL_PUNCT.search(text):
        if next_line is not None and CLAUSE_LABEL.match(next_line.text):
            return HEADING, m.group(0), None, 1, m.end()
    if m := CLAUSE_LABEL.match(text):
        return CLAUSE, f"（{m.group(1)}）", chinese_numeral(m.group(1)), 3, m.end()
    # A clause label with a damaged numeral is still a clause, label as printed.
    if (m := DAMAGED_CLAUSE_LABEL.match(text)) and len(text) > m.end() + 4:
        return CLAUSE, f"（{m.group(1)}）", None, 3, m.end()
    if m := ITEM_LABEL.match(text):
        n = int(m.group(1))
        # Only a plausible next number is an item label, not "2023." in prose.
        if last_item is None and n <= 3 or last_item is not None and n == last_item + 1:
            return ITEM, f"{n}.", n, 3, m.end()
    if BULLET.match(text):
        return ITEM, "——", None, 3, 0
    return PARAGRAPH, "", None, 3, 0


def segment(clean: str, lines: list[Line]) -> tuple[list[Segment], list[RuleResult]]:
    joined = RuleResult("join_broken_lines")
    attached = RuleResult("attach_paragraph")
    segments: list[Segment] = []
    last_item: int | None = None
    for i, line in enumerate(lines):
        next_line = lines[i + 1] if i + 1 < len(lines) else None
        kind, label, ordinal, level, label_len = _classify(line, last_item, next_line)
        if kind == ITEM and ordinal is not None:
            last_item = ordinal
        if kind == PARAGRAPH and segments:
            prev = segments[-1]
            prev_text = clean[prev.parts[-1][0] : prev.parts[-1][1]]
            if prev.kind != HEADING and not ends_sentence(prev_text):
                prev.parts.append((line.start, line.end))
                joined.add(f"{prev_text[-6:]}⏎{line.text[:6]}")
                continue
            if prev.kind in (CLAUSE, ITEM):
                prev.parts.append((line.start, line.end))
                attached.add(f"{line.text[:12]} → {prev.label or prev.kind}")
                continue
        seg = Segment(kind, label, ordinal, level)
        if label_len:
            seg.label_span = (line.start, line.start + label_len)
        body_start = line.start + label_len
        seg.parts.append((body_start, line.end))
        segments.append(seg)

    # A clause line that states no sentence and heads items or bullets is a sub-heading.
    for i, seg in enumerate(segments):
        if seg.kind == CLAUSE and i + 1 < len(segments):
            nxt = segments[i + 1]
            if nxt.kind == ITEM and not ends_sentence(seg.text(clean)):
                seg.kind, seg.level = HEADING, 2
    assign_keys(segments)
    return segments, [joined, attached]


def assign_keys(segments: list[Segment]) -> None:
    """Stable keys from labels: s3 (section), c13 or s3.c1 (clause or sub-heading),
    i12 (item), s1.p2 (paragraph), s1.c2.b1 (bullet), p1 (preamble).

    Clauses numbered across sections get a key of their own (c13), so a copy
    that lacks a section heading still names them right; clauses numbered
    anew in each section are keyed within their section (s3.c1).
    """
    clause_numbers = [s.ordinal for s in segments if s.label.startswith("（") and s.ordinal]
    continuous = all(b > a for a, b in zip(clause_numbers, clause_numbers[1:], strict=False))
    items = [s.ordinal for s in segments if s.kind == ITEM and s.ordinal is not None]
    items_continuous = all(b > a for a, b in zip(items, items[1:], strict=False))
    section = sub = None
    holder = None  # key of the unit bullets and paragraphs hang under
    counters: dict[tuple[str, str], int] = {}
    used: set[str] = set()

    def counted(prefix: str, mark: str) -> str:
        n = counters.get((prefix, mark), 0) + 1
        counters[(prefix, mark)] = n
        return f"{prefix}.{mark}{n}" if prefix else f"{mark}{n}"

    for seg in segments:
        if seg.kind == HEADING and seg.level == 1:
            # A damaged label has no number: its key says so, and alignment
            # matches it to the canonical heading by its text.
            section, sub = (f"s{seg.ordinal}" if seg.ordinal else "s?"), None
            key = holder = section
        elif seg.label.startswith("（"):  # a clause, or a sub-heading with a clause label
            number = seg.ordinal or "?"  # a damaged label: matched by its text
            key = f"c{number}" if continuous else f"{section or 's0'}.c{number}"
            holder = key
            if seg.kind == HEADING:
                sub = key
        elif seg.kind == ITEM and seg.ordinal is not None:
            key = (
                f"i{seg.ordinal}"
                if items_continuous
                else f"{sub or section or 's0'}.i{seg.ordinal}"
            )
        elif seg.kind == ITEM:
            key = counted(holder or "", "b")
        else:
            key = counted(section or "", "p")
        # A damaged or repeated label must not steal another unit's key.
        base, n = key, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        seg.key = key
