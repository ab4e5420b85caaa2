"""Cut one part's body lines into units, by the scheme that explains them best.

``segment_part`` runs every scheme of ``schemes.SCHEMES`` on the lines and keeps
the one that labels the most lines (see ``schemes``); ties go to the earlier
scheme. Two engines run the schemes:

- the *outline* engine (``segment``), the 公文 numbering of the demo documents;
- the *hierarchy* engine (``segment_hierarchy``): headings nest by their rank
  in the scheme (编 > 分编 > 章 > 节; 1 > 1.1 > 1.1.1), text units (articles,
  clauses) hold their paragraphs and inner items, keys come from the labels.

Outline shapes recognised (punctuation already full width):
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

import re
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
from .schemes import CIRCLED, SCHEMES, Scheme, Shape, by_name

HEADING, PARAGRAPH, CLAUSE, ITEM = "heading", "paragraph", "clause", "item"
ARTICLE, ROW = "article", "row"


@dataclass(slots=True)  # thousands of them per scheme tried: no __dict__ each
class Segment:
    kind: str
    label: str  # normalized label: 六、 （十三） 12. —— or ""
    ordinal: int | None
    level: int  # 1 section heading, 2 sub-heading, 3 text unit
    parts: list[tuple[int, int]] = field(default_factory=list)  # clean spans of the text
    label_span: tuple[int, int] | None = None
    key: str = ""
    shape: str = ""  # the scheme shape that labelled it: section, clause, article …
    # seps[i] joins parts[i-1] and parts[i]; None while every joint is "" (most
    # segments: no list each).
    seps: list[str] | None = None
    parent: str = ""  # key of the enclosing unit ("" at the top of its part)
    label_path: tuple[str, ...] = ()  # labels from the top: ("第二章", "第二十三条")
    damaged: bool = False  # the label was read from its place in the sequence

    def text(self, clean: str) -> str:
        if not self.seps:
            return "".join(clean[a:b] for a, b in self.parts)
        out = [clean[self.parts[0][0] : self.parts[0][1]]]
        for sep, (a, b) in zip(self.seps, self.parts[1:], strict=True):
            out.append(sep)
            out.append(clean[a:b])
        return "".join(out)

    def append(self, start: int, end: int, sep: str = "") -> None:
        """Add the clean span ``[start, end)``, joined to the last one by ``sep``."""
        if sep or self.seps:
            if self.seps is None:
                self.seps = []
            self.seps.extend([""] * (len(self.parts) - 1 - len(self.seps)))
            self.seps.append(sep)
        self.parts.append((start, end))

    @property
    def span(self) -> tuple[int, int]:
        return self.parts[0][0], self.parts[-1][1]


PAREN_ARABIC = re.compile(r"^（(\d{1,2})）\s*")
# OCR's readings of clause numerals: （十一） as （+—）, （十二） as （+=）, （二十一） as
# （=+—）. Such a label is read from its place in the sequence (``_read_damaged``).
OCR_NUMERAL = {
    "+": "十",
    "＋": "十",
    "=": "二",
    "＝": "二",
    "—": "一",
    "-": "一",
    "－": "一",
    "─": "一",
    "ー": "一",
    "一": "一",
}
OCR_CLAUSE_LABEL = re.compile(r"^（\s*([一二三四五六七八九十+=＋＝—\-－─ー]{1,5})\s*）\s*")
CIRCLED_LABEL = re.compile(rf"^([{CIRCLED}])\s*")
BOX = re.compile(r"^专栏(\d{1,2}|[一二三四五六七八九十]{1,3})")


def _classify(
    line: Line, last_item: int | None, next_line: Line | None, after_open: bool = False
) -> tuple[str, str, int | None, int, int, str]:
    """(kind, label, ordinal, level, length of the label in the line, shape).

    ``after_open``: the line before left its sentence unfinished; a label whose
    numeral is damaged is then no label but the sentence going on (a PDF that
    broke "（财政⏎部、人力资源社会保障部负责）").
    """
    text = line.text
    if "\t" in text.strip("\t"):
        return ROW, "", None, 3, 0, "row"
    if m := SECTION_HEADING.match(text):
        if len(text) <= 60 and "。" not in text:
            return HEADING, f"{m.group(1)}、", chinese_numeral(m.group(1)), 1, m.end(), "section"
        # 一、元旦：1月1日放假，共1天。 A numbered sentence, not a heading.
        if (n := chinese_numeral(m.group(1))) is not None:
            return CLAUSE, f"{m.group(1)}、", n, 3, m.end(), "section_text"
    # A heading-shaped line with a label that is no numeral (OCR's 伍、 for
    # 二、), directly followed by a clause: a section heading, label as printed.
    damaged_ok = not after_open
    if (
        damaged_ok
        and (m := DAMAGED_HEADING.match(text))
        and len(text) <= 40
        and not TERMINAL_PUNCT.search(text)
    ):
        if next_line is not None and CLAUSE_LABEL.match(next_line.text):
            return HEADING, m.group(0), None, 1, m.end(), "section"
    if m := CLAUSE_LABEL.match(text):
        return CLAUSE, f"（{m.group(1)}）", chinese_numeral(m.group(1)), 3, m.end(), "clause"
    # A clause label with a damaged numeral is still a clause, label as printed.
    if (
        damaged_ok
        and (m := OCR_CLAUSE_LABEL.match(text) or DAMAGED_CLAUSE_LABEL.match(text))
        and len(text) > m.end() + 4
    ):
        return CLAUSE, f"（{m.group(1)}）", None, 3, m.end(), "clause"
    if m := ITEM_LABEL.match(text):
        n = int(m.group(1))
        # Only a plausible next number is an item label, not "2023." in prose.
        if last_item is None and n <= 3 or last_item is not None and n == last_item + 1:
            return ITEM, f"{n}.", n, 3, m.end(), "item"
    if m := PAREN_ARABIC.match(text):
        return ITEM, f"（{m.group(1)}）", int(m.group(1)), 3, m.end(), "paren_arabic"
    if m := CIRCLED_LABEL.match(text):
        return ITEM, m.group(1), CIRCLED.index(m.group(1)) + 1, 3, m.end(), "circled"
    if BULLET.match(text):
        return ITEM, "——", None, 3, 0, "bullet"
    if (m := BOX.match(text)) and len(text) <= 40 and not TERMINAL_PUNCT.search(text):
        return HEADING, m.group(0), None, 2, m.end(), "box"
    return PARAGRAPH, "", None, 3, 0, ""


def segment(clean: str, lines: list[Line]) -> tuple[list[Segment], list[RuleResult]]:
    """The outline engine: 一、 / （一） / 1. / （1） / ① / —— / 专栏, paragraphs, rows.

    ``lines``: the part's body lines (clean offsets). Returns the segments in
    order, keyed (``assign_keys``), and the two joining rules' counts.
    """
    joined = RuleResult("join_broken_lines")
    attached = RuleResult("attach_paragraph")
    segments: list[Segment] = []
    last_item: int | None = None
    for i, line in enumerate(lines):
        next_line = lines[i + 1] if i + 1 < len(lines) else None
        after_open = False
        if segments and segments[-1].kind not in (HEADING, ROW):
            a, b = segments[-1].parts[-1]
            after_open = not ends_sentence(clean[a:b])
        kind, label, ordinal, level, label_len, shape = _classify(
            line, last_item, next_line, after_open
        )
        if kind == ITEM and shape == "item" and ordinal is not None:
            last_item = ordinal
        if kind == PARAGRAPH and segments:
            prev = segments[-1]
            prev_text = clean[prev.parts[-1][0] : prev.parts[-1][1]]
            if prev.kind not in (HEADING, ROW) and not ends_sentence(prev_text):
                prev.append(line.start, line.end)
                joined.add(f"{prev_text[-6:]}⏎{line.text[:6]}")
                continue
            if prev.kind in (CLAUSE, ITEM):
                prev.append(line.start, line.end)
                attached.add(f"{line.text[:12]} → {prev.label or prev.kind}")
                continue
        seg = Segment(kind, label, ordinal, level, shape=shape)
        if label_len:
            seg.label_span = (line.start, line.start + label_len)
        body_start = line.start + label_len
        seg.parts.append((body_start, line.end))
        segments.append(seg)

    # A clause line that states no sentence and heads items or bullets is a sub-heading.
    for i, seg in enumerate(segments):
        if seg.kind == CLAUSE and i + 1 < len(segments):
            nxt = segments[i + 1]
            if (
                nxt.kind == ITEM
                and nxt.shape in ("item", "bullet")
                and not ends_sentence(seg.text(clean))
            ):
                seg.kind, seg.level = HEADING, 2
    damaged = _read_damaged(segments)
    assign_keys(segments, clean)
    return segments, [joined, attached, damaged]


def _read_damaged(segments: list[Segment]) -> RuleResult:
    """Give a clause label whose numeral OCR damaged its number from its place.

    Between （十） and （十二） comes （十一）: a run of damaged labels that exactly
    fills the gap between two sound ones takes the missing numbers; a lone
    damaged label after （十） whose look-alikes read as the next number
    (+— → 十一) takes it too. The label stays as printed; the unit is flagged.
    Counted as ``read_damaged_labels``.
    """
    result = RuleResult("read_damaged_labels")
    clauses = [s for s in segments if s.shape == "clause"]
    i = 0
    while i < len(clauses):
        if clauses[i].ordinal is not None:
            i += 1
            continue
        j = i
        while j < len(clauses) and clauses[j].ordinal is None:
            j += 1
        before = clauses[i - 1].ordinal if i else 0
        after = clauses[j].ordinal if j < len(clauses) else None
        run = clauses[i:j]
        if before is not None and after is not None and after - before - 1 == len(run):
            numbers = list(range(before + 1, after))
        else:
            numbers = []
            for k, seg in enumerate(run):
                inner = seg.label.strip("（）")
                read = chinese_numeral("".join(OCR_NUMERAL.get(ch, ch) for ch in inner))
                if read is None or before is None or read != before + 1 + k:
                    numbers = []
                    break
                numbers.append(read)
        for seg, n in zip(run, numbers, strict=False):
            seg.ordinal, seg.damaged = n, True
            result.add(seg.label, f"（{_han(n)}）")
        i = j
    return result


def _row_key(seg: Segment, clean: str) -> str:
    """r21 for a table row whose first cell is its number (序号 21), else ""."""
    first = clean[seg.parts[0][0] : seg.parts[0][1]].split("\t", 1)[0].strip()
    return f"r{int(first)}" if first.isdigit() and len(first) <= 4 else ""


def assign_keys(segments: list[Segment], clean: str = "") -> None:
    """Stable keys from labels: s3 (section), c13 or s3.c1 (clause or sub-heading),
    i12 (item), s1.p2 (paragraph), s1.c2.b1 (bullet), c3.n2 (（2） or ② item),
    box1 (专栏), r4 (table row), p1 (preamble); and each segment's parent key.

    Clauses numbered across sections get a key of their own (c13), so a copy
    that lacks a section heading still names them right; clauses numbered
    anew in each section are keyed within their section (s3.c1).
    """
    clause_numbers = [s.ordinal for s in segments if s.shape == "clause" and s.ordinal]
    continuous = all(b > a for a, b in zip(clause_numbers, clause_numbers[1:], strict=False))
    items = [s.ordinal for s in segments if s.shape == "item" and s.ordinal is not None]
    items_continuous = all(b > a for a, b in zip(items, items[1:], strict=False))
    section = sub = None
    holder = None  # key of the unit bullets and paragraphs hang under
    counters: dict[tuple[str, str], int] = {}
    used: set[str] = set()
    next_suffix: dict[str, int] = {}

    def counted(prefix: str, mark: str) -> str:
        n = counters.get((prefix, mark), 0) + 1
        counters[(prefix, mark)] = n
        return f"{prefix}.{mark}{n}" if prefix else f"{mark}{n}"

    for seg in segments:
        parent = sub or section or ""
        if seg.kind == HEADING and seg.level == 1:
            # A damaged label has no number: its key says so, and alignment
            # matches it to the canonical heading by its text.
            section, sub = (f"s{seg.ordinal}" if seg.ordinal else "s?"), None
            key = holder = section
            parent = ""
        elif seg.shape == "section_text":
            key = holder = f"s{seg.ordinal}"
            parent = ""
        elif seg.shape == "box":
            key = counted("", "box")
            sub = holder = key
            parent = section or ""
        elif seg.shape == "clause":  # a clause, or a sub-heading with a clause label
            number = seg.ordinal or "?"  # a damaged label: matched by its text
            key = f"c{number}" if continuous else f"{section or 's0'}.c{number}"
            holder = key
            parent = section or ""
            if seg.kind == HEADING:
                sub = key
        elif seg.shape == "item":
            key = (
                f"i{seg.ordinal}"
                if items_continuous
                else f"{sub or section or 's0'}.i{seg.ordinal}"
            )
        elif seg.shape in ("paren_arabic", "circled"):
            key = counted(holder or "", "n")
            parent = holder or ""
        elif seg.kind == ITEM:
            key = counted(holder or "", "b")
            parent = holder or ""
        elif seg.kind == ROW:
            key = _row_key(seg, clean) or counted("", "row")
        else:
            key = counted(section or "", "p")
            parent = section or ""
        # A damaged or repeated label must not steal another unit's key.
        seg.key = _unique(key, used, next_suffix)
        seg.parent = parent
    _label_paths(segments)


def _unique(key: str, used: set[str], next_suffix: dict[str, int]) -> str:
    """``key``, or ``key-2``, ``key-3`` … the first not in ``used`` (which it joins).
    ``next_suffix`` remembers where each base's count stands, so ten thousand
    repeats of one label cost ten thousand steps, not fifty million."""
    if key not in used:
        used.add(key)
        return key
    n = next_suffix.get(key, 2)
    while f"{key}-{n}" in used:
        n += 1
    next_suffix[key] = n + 1
    used.add(f"{key}-{n}")
    return f"{key}-{n}"


def _label_paths(segments: list[Segment]) -> None:
    """Each segment's chain of labels from the top, from the parent keys."""
    by_key = {s.key: s for s in segments}
    for seg in segments:
        parent = by_key.get(seg.parent)
        above = parent.label_path if parent else ()
        # An unlabelled paragraph is addressed by its parent's labels alone.
        seg.label_path = (*above, seg.label) if seg.label else above


# --- the hierarchy engine ---------------------------------------------------

#: Words after 第X条 that make it a cross-reference, not a label: 第三十六条规定的…
_CROSS_REFERENCE = re.compile(
    r"(?:规定|的|、第|至第|第[一二三四五六七八九十]+[款项]|和第|或者第|及第|所称|所列)"
)
_SENTENCE_END_BEFORE = "。；！？”’」』\u3000 \t"
#: A decimal label before a sentence (1.2.1　国家级……的情况。) starts a clause.
DECIMAL_CLAUSE = Shape("decimal_clause", re.compile(r"^$"), "unit", CLAUSE, "d{n}", sequence=False)


@dataclass
class _Match:
    shape: Shape
    rank: tuple[int, int]
    number: int | None
    label: str
    label_len: int
    key_number: str
    cross_reference: bool  # reads like 第三十六条规定的…: a label only as the next number


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_BACK_REFERENCE = re.compile(r"\(\?P=|\\\d")


def _any_shape(scheme: Scheme) -> re.Pattern[str] | None:
    """One pattern that matches a line where one of ``scheme``'s shapes does
    (their named groups made plain), so a line no shape labels costs one scan
    instead of one per shape; None for a scheme without shapes. ValueError for
    a shape the alternation would not read as alone (flags, back-references)."""
    patterns = []
    for shape in scheme.shapes:
        pattern = shape.pattern
        if pattern.flags != re.UNICODE or _BACK_REFERENCE.search(pattern.pattern):
            raise ValueError(f"not combinable: {pattern.pattern!r}")
        patterns.append(f"(?:{_NAMED_GROUP.sub('(?:', pattern.pattern)})")
    return re.compile("|".join(patterns)) if patterns else None


def _match_shape(scheme: Scheme, text: str) -> _Match | None:
    for index, shape in enumerate(scheme.shapes):
        m = shape.pattern.match(text)
        if not m:
            continue
        # 第三十六条规定的…: maybe a cross-reference at the start of a 款, unless
        # a space after the label shows it is one (第十二条　中华全国总工会…).
        spaced = m.group(0)[-1:].isspace()
        cross = (
            shape.name == "article" and not spaced and bool(_CROSS_REFERENCE.match(text, m.end()))
        )
        raw_n = m.groupdict().get("n") or ""
        if shape.name == "decimal":
            depth = raw_n.replace("．", ".").count(".") + 1
            key_number = raw_n.replace("．", ".")
            return _Match(
                shape, (index, depth), depth, m.group(0).strip(), m.end(), key_number, False
            )
        number = shape.numeral(m) if raw_n else None
        if raw_n and number is None:
            continue
        key_number = str(number) if number is not None else ""
        if m.groupdict().get("sub"):
            key_number += f"-{shape.number(m.group('sub'))}"
        return _Match(shape, (index, 0), number, m.group(0).strip(), m.end(), key_number, cross)
    return None


def _find_run_in(
    scheme: Scheme, text: str, expected: dict[str, int], after_title: bool = False
) -> int | None:
    """Offset (> 0) in ``text`` where a run-in label of the next expected number
    starts: after a sentence end, or (``after_title``) anywhere after a heading's
    title (第一章总则第一条……)."""
    best = None
    for shape in scheme.shapes:
        if not shape.run_in or shape.name not in expected:
            continue
        word = {"part": "编", "subpart": "分编", "chapter": "章", "section": "节"}.get(
            shape.name, "条"
        )
        target = f"第{_han(expected[shape.name] + 1)}{word}"
        at = text.find(target, 1)
        while at > 0:
            if (after_title or text[at - 1] in _SENTENCE_END_BEFORE) and not _CROSS_REFERENCE.match(
                text, at + len(target)
            ):
                best = at if best is None else min(best, at)
                break
            at = text.find(target, at + 1)
    return best


def _han(n: int) -> str:
    """A positive integer in Chinese numerals as laws number articles: 1 → 一,
    10 → 十, 23 → 二十三, 105 → 一百零五, 110 → 一百一十, 1010 → 一千零一十,
    1260 → 一千二百六十 (民法典 has 1,260 articles). From 10,000 on, Arabic
    digits (no law numbers that far). The inverse of
    :func:`clauses.text.schemes.han_number`."""
    digits = "零一二三四五六七八九"
    if n >= 10000:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    out, gap = "", False
    for value, unit in (
        (n // 1000, "千"),
        (n // 100 % 10, "百"),
        (n // 10 % 10, "十"),
        (n % 10, ""),
    ):
        if value:
            out += ("零" if gap else "") + digits[value] + unit
            gap = False
        elif out:
            gap = True
    return out


def _plausible(shape: Shape, number: int | None, last: int | None) -> bool:
    """A labelled number continues its sequence: the first one, the next one, or a
    small gap (a lacuna in a partial copy); never a step back."""
    if not shape.sequence or number is None or last is None:
        return True
    return last < number <= last + 10


def segment_hierarchy(
    scheme: Scheme, clean: str, lines: list[Line]
) -> tuple[list[Segment], list[RuleResult]]:
    """The hierarchy engine: headings nest by rank, text units hold paragraphs.

    ``lines``: the part's body lines (clean offsets, fragments allowed).
    Returns keyed segments in order and the counts of the joining rules
    (``join_broken_lines``, ``attach_paragraph``, ``split_run_in_labels``).
    """
    joined = RuleResult("join_broken_lines")
    attached = RuleResult("attach_paragraph")
    split = RuleResult("split_run_in_labels")
    disorder = RuleResult("labels_out_of_sequence")
    segments: list[Segment] = []
    headings: list[tuple[tuple[int, int], Segment]] = []  # the open headings, by rank
    current: Segment | None = None  # the open text unit
    last: dict[tuple[str, str], int] = {}  # (shape, parent key) -> last number
    expected: dict[str, int] = {}  # run-in shapes: last number seen
    counters: dict[tuple[str, str], int] = {}
    used: set[str] = set()
    sep = scheme.paragraph_separator

    def counted(prefix: str, mark: str) -> str:
        n = counters.get((prefix, mark), 0) + 1
        counters[(prefix, mark)] = n
        return f"{prefix}.{mark}{n}" if prefix else f"{mark}{n}"

    next_suffix: dict[str, int] = {}

    def unique(key: str) -> str:
        return _unique(key, used, next_suffix)

    def heading_key() -> str:
        return headings[-1][1].key if headings else ""

    def scope_of(match: _Match) -> str:
        """The key of the heading a new label of ``match``'s shape nests in."""
        if match.shape.role == "heading":
            for rank, seg in reversed(headings):
                if rank < match.rank:
                    return seg.key
            return ""
        return heading_key()

    any_shape = _any_shape(scheme)
    queue = [(ln.start, ln.end, ln.text) for ln in lines]
    queue.reverse()
    while queue:
        start, end, text = queue.pop()
        # A table row (cells separated by tabs) is never a label: 1\t三合一审判.
        if any_shape is None or not any_shape.match(text) or "\t" in text.strip("\t"):
            match = None
        else:
            match = _match_shape(scheme, text)
        if match:
            parent_key = scope_of(match) if match.shape.scope == "parent" else ""
            lastn = last.get((match.shape.name, parent_key))
            if match.cross_reference and match.number != (lastn or 0) + 1:
                match = None
            elif not _plausible(match.shape, match.number, lastn):
                # A step back that is no cross-reference, to a number not yet
                # used (第一条, 第三条, 第二条): a label out of sequence, kept as
                # a unit and reported, rather than glued into the one before.
                key = match.shape.key.format(n=match.key_number)
                if match.shape.run_in and match.shape.role == "unit" and key not in used:
                    disorder.add(f"{match.label} ← {lastn}")
                else:
                    match = None
        if match and match.shape.role == "heading":
            title = text[match.label_len :]
            limit = match.shape.max_heading_length
            if (limit and len(title) > limit) or TERMINAL_PUNCT.search(title):
                if match.shape.name == "decimal":
                    match.shape = DECIMAL_CLAUSE  # 1.2.1 with a sentence: a clause
                else:
                    # A run-in article after a heading's title: 第一章总则第一条…
                    cut = _find_run_in(
                        scheme, text, {"article": expected.get("article", 0)}, after_title=True
                    )
                    if cut and cut > match.label_len:
                        queue.append((start + cut, end, text[cut:]))
                        split.add(f"{text[max(0, cut - 6) : cut]}⏎{text[cut : cut + 6]}")
                        end, text = start + cut, text[:cut]
                    else:
                        match = None
        # A run-in label inside the rest of the line starts a new line.
        if match and match.shape.run_in or (current is not None and current.shape == "article"):
            exp = dict(expected)
            if match and match.shape.run_in and match.number is not None:
                exp[match.shape.name] = match.number
            cut = _find_run_in(scheme, text, exp)
            if cut:
                queue.append((start + cut, end, text[cut:]))
                split.add(f"{text[max(0, cut - 6) : cut]}⏎{text[cut : cut + 6]}")
                end, text = start + cut, text[:cut]
        if match is None or match.shape.role == "inner":
            is_inner = match is not None
            if current is not None:
                prev_text = clean[current.parts[-1][0] : current.parts[-1][1]]
                if not is_inner and not ends_sentence(prev_text):
                    current.append(start, end)
                    joined.add(f"{prev_text[-6:]}⏎{text[:6]}")
                elif sep:
                    current.append(start, end, sep)
                else:
                    current.append(start, end)
                    attached.add(f"{text[:12]} → {current.label or current.kind}")
                continue
            if segments and segments[-1].kind == PARAGRAPH:
                prev = segments[-1]
                prev_text = clean[prev.parts[-1][0] : prev.parts[-1][1]]
                if not ends_sentence(prev_text):
                    prev.append(start, end)
                    joined.add(f"{prev_text[-6:]}⏎{text[:6]}")
                    continue
            if "\t" in text.strip("\t"):
                seg = Segment(ROW, "", None, 3, shape="row")
                seg.parts.append((start, end))
                seg.key = unique(_row_key(seg, clean) or counted("", "row"))
                seg.parts.clear()
            else:
                seg = Segment(PARAGRAPH, "", None, 3, shape="")
                seg.key = unique(counted(heading_key(), "p"))
            seg.parent = heading_key()
            seg.parts.append((start, end))
            segments.append(seg)
            continue

        shape = match.shape
        parent_key = scope_of(match) if shape.scope == "parent" else ""
        if match.number is not None and shape.sequence:
            last[(shape.name, parent_key)] = match.number
        if shape.run_in and match.number is not None:
            expected[shape.name] = match.number
        body_start = start + match.label_len
        if shape.role == "heading":
            while headings and headings[-1][0] >= match.rank:
                headings.pop()
            # Headings below this one number anew under it (民法典: 第一章 again
            # in every 编 and 分编).
            for lower in scheme.shapes[match.rank[0] + 1 :]:
                if lower.role == "heading":
                    for k in [k for k in last if k[0] == lower.name]:
                        del last[k]
            scope_key = heading_key() if shape.scope == "parent" else ""
            key = shape.key.format(n=match.key_number)
            if shape.scope == "parent" and scope_key:
                key = f"{scope_key}.{key}"
            seg = Segment(HEADING, match.label, match.number, 1, shape=shape.name)
            seg.key = unique(key)
            seg.parent = heading_key()
            seg.label_span = (start, body_start)
            seg.parts.append((body_start, end))
            segments.append(seg)
            headings.append((match.rank, seg))
            current = None
            continue
        # A text unit: an article, a decimal clause, an item.
        holder = heading_key()
        if shape.scope == "parent" and current is not None and current.shape != shape.name:
            holder = current.key
        key = shape.key.format(n=match.key_number) if match.key_number else ""
        if not key:
            key = counted(holder, "b")
        elif shape.scope == "parent" and holder:
            key = f"{holder}.{key}"
        seg = Segment(shape.kind, match.label, match.number, 3, shape=shape.name)
        seg.key = unique(key)
        seg.parent = holder
        seg.label_span = (start, body_start)
        seg.parts.append((body_start, end))
        segments.append(seg)
        if shape.kind != ITEM or current is None:
            current = seg

    _levels(segments)
    _label_paths(segments)
    return segments, [joined, attached, split, disorder]


def _levels(segments: list[Segment]) -> None:
    """Heading levels 1… by depth (parent chain); text units one below the deepest
    heading, and never above 3, as the outline engine has it."""
    by_key = {s.key: s for s in segments}
    deepest = 0
    for seg in segments:
        if seg.kind == HEADING:
            depth, parent = 1, by_key.get(seg.parent)
            while parent is not None:
                depth += 1
                parent = by_key.get(parent.parent)
            seg.level = depth
            deepest = max(deepest, depth)
    for seg in segments:
        if seg.kind != HEADING:
            seg.level = max(3, deepest + 1)


# --- choosing the scheme ----------------------------------------------------


@dataclass
class SchemeResult:
    """What one scheme made of a part: its segments and how many lines it explained."""

    scheme: Scheme
    segments: list[Segment]
    results: list[RuleResult]
    explained: int  # labelled lines of the scheme's shapes
    lines: int
    shapes_used: set[str]

    @property
    def applies(self) -> bool:
        return not self.scheme.required or bool(self.scheme.required & self.shapes_used)


def run_scheme(scheme: Scheme, clean: str, lines: list[Line]) -> SchemeResult:
    if scheme.engine == "outline":
        segments, results = segment(clean, lines)
    else:
        segments, results = segment_hierarchy(scheme, clean, lines)
    used = {s.shape for s in segments if s.shape and s.label_span}
    explained = sum(1 for s in segments if s.label_span)
    if scheme.paragraph_separator:
        # Inner labels (a law's 项 and 目) are lines the scheme explains too.
        inner = [sh for sh in scheme.shapes if sh.role == "inner"]
        for s in segments:
            for a, _b in s.parts[1:]:
                if any(sh.pattern.match(clean, a) for sh in inner):
                    explained += 1
    return SchemeResult(scheme, segments, results, explained, len(lines), used)


#: Up to this many characters of clean text, :func:`segment_part` keeps the
#: best scheme's segments while the next schemes run rather than running the
#: best one again (some 6 ms of a 200 KB copy's 60 in ``pipeline.prepare``);
#: above it, memory comes first. Some 1 MB of UTF-8 Chinese.
KEEP_BEST_CHARS = 350_000


def segment_part(
    clean: str, lines: list[Line], schemes: tuple[Scheme, ...] = SCHEMES
) -> tuple[SchemeResult, list[SchemeResult]]:
    """Try every scheme on one part's body lines; the best first, then all tried.

    The best is the applicable scheme that explains the most lines; on equal
    figures the earlier scheme in ``schemes`` wins. Only the best keeps its
    segments; the others are returned with their figures alone. ``plain`` (paragraphs only)
    always applies and explains no line: the caller decides whether a part
    with no numbering at all is a document.

    Memory: a part of more than :data:`KEEP_BEST_CHARS` characters holds one
    scheme's segments at a time (a 5 MB file's weigh some 7 MB): the figures
    of each are kept, and the best scheme is run again at the end unless it
    was the last one run (segmenting is deterministic; the run costs some
    0.4 s on a 4 MB file). A smaller part keeps the best scheme's result so
    far instead of running it again (at most two schemes' segments at a time).
    A scheme without shapes (``plain``) runs only when no scheme before it
    applies: otherwise its figures are known (no line explained).
    """
    keep_best = len(clean) <= KEEP_BEST_CHARS
    best: int | None = None
    best_result: SchemeResult | None = None
    tried: list[SchemeResult] = []
    result: SchemeResult | None = None
    for n, scheme in enumerate(schemes):
        result = None  # not held while the next scheme runs
        if not scheme.shapes and best is not None:
            # A scheme without shapes (plain) labels no line, so it cannot
            # beat the best so far: its figures, without running it.
            tried.append(SchemeResult(scheme, [], [], 0, len(lines), set()))
            continue
        result = run_scheme(scheme, clean, lines)
        if result.applies and (best is None or result.explained > tried[best].explained):
            best = n
            best_result = result if keep_best else None
        tried.append(
            SchemeResult(scheme, [], [], result.explained, result.lines, result.shapes_used)
        )
    assert best is not None  # plain always applies
    if best != len(tried) - 1:
        result = None
        result = best_result or run_scheme(tried[best].scheme, clean, lines)
    return result, tried


__all__ = [
    "ARTICLE",
    "CLAUSE",
    "HEADING",
    "ITEM",
    "PARAGRAPH",
    "ROW",
    "SchemeResult",
    "Segment",
    "by_name",
    "run_scheme",
    "segment",
    "segment_hierarchy",
    "segment_part",
]
