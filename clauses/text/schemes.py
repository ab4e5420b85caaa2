"""Structure schemes: the numbering systems of Chinese official documents, as data.

A scheme is a small grammar: an ordered list of label *shapes* (a pattern with
a numeral, the role the labelled line plays, its unit kind and key), plus the
shapes that must occur for the scheme to apply at all. The segmenter
(``segment.segment_part``) tries every scheme on a part's body lines and keeps
the one that explains the most lines (labelled lines of the scheme's shapes,
in a plausible sequence); the import report says which, with every scheme's
figure.

Sources of the shapes:
- laws and regulations: 编、分编、章、节、条、款、项、目 as the 立法法 (2023) art. 65
  describes them: "编、章、节、条的序号用中文数字依次表述，款不编序号，项的序号用
  中文数字加括号依次表述，目的序号用阿拉伯数字依次表述";
- 公文 (GB/T 9704-2012 §7.3.3): 结构层次序数 "一、" "（一）" "1." "（1）";
- contingency plans (预案) and standards: decimal outlines 1 / 1.1 / 1.1.1;
- plans and opinions in practice: "——" bullets, ① circled numbers, 专栏 boxes.

Roles:
- ``heading``: the line is a heading unit (its text is the heading's title);
- ``unit``: the line starts a text unit (an article 条, a clause, an item);
- ``inner``: the line stays inside the current unit, on a line of its own (a
  law's 项 （一） and 目 1. inside an article); keys address it with the unit;
- ``row``: a table row, cells separated by tabs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .messages import gettext_noop

HAN_NUMERALS = "零〇一二三四五六七八九十百千两"
_HAN_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def han_number(s: str) -> int | None:
    """A Chinese numeral as an integer: 一 → 1, 十三 → 13, 二十 → 20, 一百零五 → 105,
    一百二十 → 120; None when ``s`` is not a well-formed numeral below 10,000."""
    if not s or any(ch not in HAN_NUMERALS for ch in s):
        return None
    total, current = 0, None
    units = {"十": 10, "百": 100, "千": 1000}
    last_unit = 10000
    for ch in s:
        if ch in units:
            unit = units[ch]
            if unit >= last_unit:
                return None
            total += (current if current is not None else 1) * unit
            current, last_unit = None, unit
        else:
            if current:  # two digits in a row: 一一 is no numeral (零 holds a place)
                return None
            current = _HAN_DIGITS[ch]
    if current is not None:
        total += current
    return total or None


def arabic_number(s: str) -> int | None:
    return int(s) if s.isdigit() else None


def circled_number(s: str) -> int | None:
    return CIRCLED.index(s) + 1 if s in CIRCLED else None


@dataclass(frozen=True)
class Shape:
    """One kind of label: what it looks like and what the line it starts is.

    ``pattern`` matches at the start of a line; its group ``n`` is the numeral
    (absent for bullets) and its match end is where the label ends. ``key`` is
    a format string with ``{n}`` (the number); ``scope`` says whether the key
    stands alone (``global``: article numbers run through a whole law) or is
    prefixed by the key of the heading above (``parent``). ``sequence``: the
    numeral must continue the previous label of the same shape (n = last + 1,
    or a small gap for a lacuna, or restart at 1 under a new parent), else the
    line is prose that happens to start with a number. ``run_in``: the label
    may also start inside a line, after a sentence end or a space (a forum
    paste with a whole law on one line).
    """

    name: str
    pattern: re.Pattern[str]
    role: str  # heading | unit | inner | row
    kind: str  # the unit kind: heading, article, clause, item, paragraph, row
    key: str = ""
    scope: str = "global"
    number: Callable[[str], int | None] = han_number
    sequence: bool = True
    run_in: bool = False
    max_heading_length: int = 0  # a heading longer than this is text, not a heading

    def numeral(self, m: re.Match[str]) -> int | None:
        try:
            return self.number(m.group("n"))
        except IndexError:
            return None


@dataclass(frozen=True)
class Scheme:
    """A numbering system: shapes tried in order, and which must occur."""

    name: str
    description: str
    shapes: tuple[Shape, ...]
    required: frozenset[str] = field(default_factory=frozenset)  # shape names
    paragraph_separator: str = ""  # joins the 款 of one unit ("\n" in laws)
    engine: str = "hierarchy"  # hierarchy (segment.py's generic one) or outline


_SP = r"[ \t\u3000]*"
HN = rf"[{HAN_NUMERALS}]{{1,8}}"
_SUB = r"(?:之(?P<sub>[一二三四五六七八九十]))?"  # 第十条之一
# 1.1　编制目的 / 1.1编制目的; never a date or a count (5月1日, 3个, 10项).
_GAP = r"[ \t\u3000]+|(?![年月日号时点个项条名次万亿元岁])(?=[\u4e00-\u9fff])"

LAW = Scheme(
    name="law",
    description=gettext_noop(
        "law or regulation: 编 / 分编 / 章 / 节 headings, articles 第X条 holding "
        "their 款, 项 （一） and 目 1."
    ),
    shapes=(
        Shape(
            "part",
            re.compile(rf"^第(?P<n>{HN})编{_SP}"),
            "heading",
            "heading",
            "b{n}",
            max_heading_length=40,
            run_in=True,
        ),
        Shape(
            "subpart",
            re.compile(rf"^第(?P<n>{HN})分编{_SP}"),
            "heading",
            "heading",
            "f{n}",
            scope="parent",
            max_heading_length=40,
            run_in=True,
        ),
        Shape(
            "chapter",
            re.compile(rf"^第(?P<n>{HN})章{_SP}"),
            "heading",
            "heading",
            "ch{n}",
            scope="parent",  # b2.f1.ch1 in a code whose chapters restart in each 编
            max_heading_length=40,
            run_in=True,
        ),
        Shape(
            "section",
            re.compile(rf"^第(?P<n>{HN})节{_SP}"),
            "heading",
            "heading",
            "s{n}",
            scope="parent",
            max_heading_length=40,
            run_in=True,
        ),
        Shape(
            "article",
            re.compile(rf"^第(?P<n>{HN})条{_SUB}{_SP}"),
            "unit",
            "article",
            "a{n}",
            run_in=True,
        ),
        Shape("xiang", re.compile(rf"^（(?P<n>{HN})）{_SP}"), "inner", "item", sequence=False),
        Shape(
            "mu",
            re.compile(r"^(?P<n>\d{1,2})[.．、](?!\d)" + _SP),
            "inner",
            "item",
            number=arabic_number,
            sequence=False,
        ),
    ),
    required=frozenset({"article"}),
    paragraph_separator="\n",
)

DECIMAL = Scheme(
    name="decimal",
    description=gettext_noop(
        "decimal outline (预案, standards): 1 / 1.1 / 1.1.1 headings or clauses, （1） items"
    ),
    shapes=(
        Shape(
            "decimal",
            re.compile(rf"^(?P<n>\d{{1,2}}(?:[.．]\d{{1,2}}){{0,3}})(?:{_GAP})"),
            "heading",
            "heading",
            "d{n}",
            number=lambda s: 1,
            sequence=False,
            max_heading_length=30,
        ),
        Shape(
            "paren_arabic",
            re.compile(r"^（(?P<n>\d{1,2})）" + _SP),
            "unit",
            "item",
            "i{n}",
            scope="parent",
            number=arabic_number,
            sequence=False,
        ),
        Shape(
            "circled",
            re.compile(rf"^(?P<n>[{CIRCLED}]){_SP}"),
            "unit",
            "item",
            "i{n}",
            scope="parent",
            number=circled_number,
            sequence=False,
        ),
    ),
    required=frozenset({"decimal"}),
)

#: 公文 outline (GB/T 9704 §7.3.3) as the demo documents use it: handled by
#: segment.py's outline engine, which keeps the demo corpus's keys exactly.
OUTLINE = Scheme(
    name="outline",
    description=gettext_noop(
        "公文 outline: 一、 sections, （一） clauses, 1. items, （1） and ① items, "
        "—— bullets, 专栏 boxes"
    ),
    shapes=(
        Shape(
            "section",
            re.compile(rf"^(?P<n>[{HAN_NUMERALS}]{{1,3}})、"),
            "heading",
            "heading",
            "s{n}",
        ),
        Shape(
            "clause",
            re.compile(rf"^（{_SP}(?P<n>[{HAN_NUMERALS}]{{1,4}}){_SP}）"),
            "unit",
            "clause",
            "c{n}",
        ),
        Shape(
            "item",
            re.compile(r"^(?P<n>\d{1,2})[.．](?!\d)"),
            "unit",
            "item",
            "i{n}",
            number=arabic_number,
        ),
        Shape(
            "paren_arabic",
            re.compile(r"^（(?P<n>\d{1,2})）"),
            "unit",
            "item",
            "n{n}",
            scope="parent",
            number=arabic_number,
            sequence=False,
        ),
        Shape(
            "circled",
            re.compile(rf"^(?P<n>[{CIRCLED}])"),
            "unit",
            "item",
            "n{n}",
            scope="parent",
            number=circled_number,
            sequence=False,
        ),
        Shape("bullet", re.compile(r"^——"), "unit", "item", sequence=False),
        Shape(
            "box",
            re.compile(r"^专栏(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})"),
            "heading",
            "heading",
            "box{n}",
            number=lambda s: int(s) if s.isdigit() else han_number(s),
            sequence=False,
        ),
    ),
    required=frozenset({"section", "section_text", "clause", "item", "paren_arabic", "circled"}),
    engine="outline",
)

#: Paragraphs only: a letter, a 批复, a short notice with no numbering.
PLAIN = Scheme(
    name="plain",
    description=gettext_noop("paragraphs only (a letter, a reply 批复, a short notice)"),
    shapes=(),
)

#: Tried in this order; on equal figures the earlier one wins.
SCHEMES: tuple[Scheme, ...] = (OUTLINE, LAW, DECIMAL, PLAIN)

TABLE_ROW = re.compile(r"\t")


def by_name(name: str) -> Scheme:
    for scheme in SCHEMES:
        if scheme.name == name:
            return scheme
    raise KeyError(name)
