"""The shapes of lines in a Chinese policy document, after clean-up.

Punctuation is already unified to full width here, so one pattern per shape.
"""

from __future__ import annotations

import re

NUMERALS = "一二三四五六七八九十"

SECTION_HEADING = re.compile(rf"^([{NUMERALS}]{{1,3}})、")
# A clause label whose numeral was damaged by OCR: （二劳三） for （二十三）,
# （技） for （二）. Only taken as a label at the start of a clause-long line
# (see segment._classify).
DAMAGED_CLAUSE_LABEL = re.compile(r"^（\s*([\u4e00-\u9fff]{1,4})\s*）\s*")
# Any short label before 、: a section heading whose numeral was damaged.
DAMAGED_HEADING = re.compile(r"^([^\s\d，。、；：（）]{1,3})、")
CLAUSE_LABEL = re.compile(rf"^（\s*([{NUMERALS}]{{1,4}})\s*）\s*")
ITEM_LABEL = re.compile(r"^(\d{1,2})[.．](?!\d)\s*")
BULLET = re.compile(r"^——")

# 年, 月 and 日 may be damaged (（2024劳10月12日）): the digits carry the date.
DATELINE = re.compile(
    r"^（?(\d{4})[年\u4e00-\u9fff](\d{1,2})[月\u4e00-\u9fff](\d{1,2})[日\u4e00-\u9fff]）?$"
)
CONTINUATION = re.compile(rf"（[上下\u4e00-\u9fff][接转]第?[\d{NUMERALS}]+版）")
AGENCY_LINE = re.compile(
    r"^(?:据新华社|新华社北京电|（新华社[^）]{0,16}电）|据新华社[^，。]{0,16}电)$"
)
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}〔\d{4}〕\d{1,4}号")
DOC_TYPES = "意见|方案|通知|决定|规划|纲要|办法|条例|规定|决议|通告|公报"
TITLE = re.compile(rf"^.{{4,70}}(?:{DOC_TYPES})》?$")

TERMINAL = "。！？；…"
CLOSERS = "”’」』）》"
SENTENCE_PUNCT = re.compile("[。！？；，、：]")
TERMINAL_PUNCT = re.compile("[。！？；]")


_NUMERAL = re.compile(r"^(?:([一二三四五六七八九])?(十))?([一二三四五六七八九])?$")


def chinese_numeral(s: str) -> int | None:
    """一 → 1, 十 → 10, 十三 → 13, 二十 → 20, 二十七 → 27; None for what is not
    a numeral of that form (十十, 一十一十: OCR damage), so the label counts as
    damaged rather than as a wrong number."""
    m = _NUMERAL.match(s)
    if not s or not m or (m.group(1) and not m.group(2)):
        return None
    digits = {ch: i for i, ch in enumerate("一二三四五六七八九", start=1)}
    tens = (digits[m.group(1)] if m.group(1) else 1) if m.group(2) else 0
    return tens * 10 + (digits[m.group(3)] if m.group(3) else 0)


def ends_sentence(text: str) -> bool:
    """Does the text end a sentence (。！？；…, possibly before a closing quote)?"""
    stripped = text.rstrip(CLOSERS + " ")
    return bool(stripped) and stripped[-1] in TERMINAL


def is_title(line: str) -> bool:
    return (
        bool(TITLE.match(line))
        and not any(ch in line for ch in "。！？；")
        and not (SECTION_HEADING.match(line) or CLAUSE_LABEL.match(line))
    )


def is_structural(line: str) -> bool:
    return bool(SECTION_HEADING.match(line) or CLAUSE_LABEL.match(line) or ITEM_LABEL.match(line))
