"""Addresses inside an article: 款 (paragraphs), 项 （一） and 目 1.

A law's article (条) is one unit; its reading keeps each 款 and each 项 / 目 on a
line of its own ("\\n" between them, see ``schemes.LAW``). This module finds
them again, for citation: 第二十三条第二款第（三）项. The rule is the one the
立法法 (2023) art. 65 states: "款不编序号，项的序号用中文数字加括号依次表述，目的
序号用阿拉伯数字依次表述"; a 项 belongs to the 款 that introduces it (the line
before the first （一）), a 目 to its 项.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schemes import han_number

_XIANG = re.compile(r"^（([一二三四五六七八九十]{1,3})）")
_MU = re.compile(r"^(\d{1,2})[.．、](?!\d)")


@dataclass(frozen=True)
class Subdivision:
    """One line of an article: its 款 number (1-based), and its 项 / 目 label.

    ``start`` / ``end``: 0-based character offsets of the line in the article
    text (end exclusive, without the line break).
    """

    kuan: int
    xiang: str  # （三） as printed, or ""
    mu: str  # 2. as printed, or ""
    start: int
    end: int

    def cite(self, article: str) -> str:
        """第二十三条第二款第（三）项第2目; the article label as given."""
        out = f"{article}第{_han(self.kuan)}款" if self.kuan > 1 or self.xiang else article
        if self.xiang:
            out += f"第{self.xiang}项"
        if self.mu:
            out += f"第{self.mu.rstrip('.．、')}目"
        return out

    @property
    def anchor(self) -> str:
        """k2-x3-m1: a fragment id for the line, stable while the text is."""
        out = f"k{self.kuan}"
        if self.xiang:
            out += f"-x{han_number(self.xiang.strip('（）')) or 0}"
        if self.mu:
            out += f"-m{self.mu.rstrip('.．、')}"
        return out


def subdivisions(text: str) -> list[Subdivision]:
    """Every line of an article's text with its 款 / 项 / 目, in order."""
    out: list[Subdivision] = []
    kuan, xiang, pos = 0, "", 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line:
            continue
        if m := _XIANG.match(line):
            xiang = m.group(0)
            out.append(Subdivision(max(kuan, 1), xiang, "", start, end))
        elif (m := _MU.match(line)) and xiang:
            out.append(Subdivision(max(kuan, 1), xiang, m.group(0), start, end))
        else:
            kuan, xiang = kuan + 1, ""
            out.append(Subdivision(kuan, "", "", start, end))
    return out


def cite_at(article: str, text: str, offset: int) -> str:
    """The address of character ``offset`` (0-based) of an article's text."""
    for sub in subdivisions(text):
        if sub.start <= offset <= sub.end:
            return sub.cite(article)
    return article


def _han(n: int) -> str:
    from .segment import _han as han

    return han(n)
