"""Clean-up rules: each one named, counted, and explainable to a user.

A rule takes a ``MappedText`` and returns the cleaned ``MappedText`` and a list
of the changes it made, as (before, after) pairs. Nothing is deleted that a rule
cannot name: a parenthesis stays unless it is provably a pinyin gloss of the
character before it, or holds nothing but emoji and symbols.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat

from .textmap import MappedText

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014\u00b7"


@dataclass
class RuleResult:
    rule: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    detail: dict = field(default_factory=dict)

    MAX_EXAMPLES = 5

    def add(self, before: str, after: str = "") -> None:
        self.count += 1
        if len(self.examples) < self.MAX_EXAMPLES:
            self.examples.append(f"{before} → {after}" if after else before)

    def as_dict(self) -> dict:
        data = {"rule": self.rule, "count": self.count, "examples": self.examples}
        if self.detail:
            data["detail"] = self.detail
        return data


Rule = Callable[[MappedText], tuple[MappedText, RuleResult]]


def _context(text: str, start: int, end: int, width: int = 3) -> str:
    return text[max(0, start - width) : end + width]


# --- invisible characters -------------------------------------------------

_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]+")


def strip_invisible(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Byte-order marks, zero-width spaces and joiners, soft hyphens."""
    result = RuleResult("strip_invisible")
    edits = []
    for m in _INVISIBLE.finditer(mt.text):
        edits.append((m.start(), m.end(), ""))
        for ch in m.group(0):
            result.add(f"U+{ord(ch):04X} {unicodedata.name(ch, '')}")
    return (mt.edit(edits) if edits else mt), result


_CR = re.compile(r"\r\n?")


def normalize_line_endings(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Windows (CR LF) and old Mac (CR) line endings become LF."""
    result = RuleResult("normalize_line_endings")
    new, changes = mt.sub(_CR, lambda m: "\n")
    result.count = len(changes)
    return new, result


# --- pinyin glosses ---------------------------------------------------------

_TONE_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_HAN_CHAR = re.compile(f"[{HAN}]")
_ONE_GLOSS = re.compile(rf"[(（][ \t]*([a-zA-Z{_TONE_LETTERS}]+)([1-5]?)[ \t]*[)）]")


def _plain_syllable(s: str) -> str:
    """Lower case, tone marks removed; ü, v and u: all written 'v'."""
    s = unicodedata.normalize("NFD", s.lower())
    s = s.replace("u\u0308", "v")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s


@cache
def readings_of(char: str) -> frozenset[str]:
    """Every reading pypinyin knows for ``char``, without tones (ü as v)."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    if not found:
        return frozenset()
    plain = {_plain_syllable(r) for r in found[0]}
    # Glosses in the wild write ü as u (lu for 绿); accept that spelling too.
    plain |= {p.replace("v", "u") for p in plain}
    return frozenset(plain)


@cache
def is_plausible_gloss(char: str, gloss: str) -> bool:
    syllable = _plain_syllable(gloss)
    readings = readings_of(char)
    return syllable in readings or syllable.replace("v", "u") in readings


def remove_pinyin_glosses(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """``工(gong)(gong)人`` → ``工人``; only where the gloss is a reading of the character.

    Runs of glosses after one character are removed up to the first one that is
    not a reading of it; real parentheticals such as ``(PCT)`` never follow a
    Han character with a reading of that character.
    """
    result = RuleResult("remove_pinyin_glosses")
    text = mt.text
    # Runs as two arrays, not a list of tuples: a scrape can hold half a
    # million glosses.
    run_starts, run_ends = array("q"), array("q")
    glosses = 0
    char = ""
    run_end = -1  # end of the run being extended, if any
    for g in _ONE_GLOSS.finditer(text):
        start = g.start()
        if start != run_end:  # not the next gloss of the same character
            if not (start and _HAN_CHAR.match(text, start - 1)):
                continue
            char = text[start - 1]
        if not is_plausible_gloss(char, g.group(1)):
            run_end = -1
            continue
        glosses += 1
        if start == run_end:
            run_ends[-1] = g.end()
        else:
            run_starts.append(start)
            run_ends.append(g.end())
        run_end = g.end()
    for start, end in zip(run_starts[: result.MAX_EXAMPLES], run_ends, strict=False):
        result.add(text[start - 1 : end], text[start - 1])
    result.count = len(run_starts)
    if glosses:
        result.detail["glosses"] = glosses
    if not run_starts:
        return mt, result
    return mt.edit(zip(run_starts, run_ends, repeat(""))), result


# --- junk in parentheses ------------------------------------------------------

_PAREN = re.compile(r"[(（]([^()（）\n]{1,12})[)）]")


def _is_junk_char(ch: str) -> bool:
    """Emoji and pictographs (and the joiners and selectors that build them).

    Not every symbol: units of measure (㎡, ℃, °) and letterlike signs (№) are
    text, and stay.
    """
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF  # emoji, pictographs, playing cards, mahjong
        or 0x2600 <= cp <= 0x27BF  # miscellaneous symbols, dingbats
        or 0x2B00 <= cp <= 0x2BFF  # arrows and shapes used as emoji (⬆, ⭐)
        or ch in "\ufe0f\ufe0e\u200d\u20e3 "
    )


def remove_junk_parentheticals(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """``(🚸)``: parentheses holding nothing but emoji or pictographic symbols."""
    result = RuleResult("remove_junk_parentheticals")

    def repl(m: re.Match[str]) -> str | None:
        inner = m.group(1)
        if inner.strip() and all(_is_junk_char(ch) for ch in inner):
            return ""
        return None

    new, changes = mt.sub(_PAREN, repl)
    for before, _after in changes:
        result.add(before, "∅")
    return new, result


# --- Markdown -----------------------------------------------------------------

_MD_HEADING = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+")


def strip_markdown_marks(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Markdown heading marks (``## 四、…``) at the start of a line."""
    result = RuleResult("strip_markdown_marks")
    new, changes = mt.sub(_MD_HEADING, lambda m: "")
    for before, _ in changes:
        result.add(before.strip())
    return new, result


# --- script -------------------------------------------------------------------


@cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


_BASIC_HAN = re.compile("[\u4e00-\u9fff]+")


def detect_script(text: str) -> str:
    """'traditional' when converting to simplified changes a fair share of the Han text."""
    sample = "".join(_BASIC_HAN.findall(text, 0, 100000))[:20000]
    if not sample:
        return "simplified"
    to_simp = _converter("t2s").convert(sample)
    to_trad = _converter("s2t").convert(sample)
    trad_only = sum(1 for a, b in zip(sample, to_simp, strict=False) if a != b)
    simp_only = sum(1 for a, b in zip(sample, to_trad, strict=False) if a != b)
    return (
        "traditional" if trad_only > simp_only and trad_only / len(sample) > 0.03 else "simplified"
    )


def convert_traditional(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Traditional → simplified with OpenCC (t2s), character for character.

    OpenCC converts phrase by phrase; where a phrase conversion would change a
    line's length the line is converted character by character instead, so
    every simplified character still points at its traditional original.
    """
    result = RuleResult("convert_traditional")
    t2s = _converter("t2s")
    lines = mt.text.split("\n")
    out = []
    for line in lines:
        new = t2s.convert(line)
        if len(new) != len(line):
            new = "".join(c if len(c := t2s.convert(ch)) == 1 else ch for ch in line)
        out.append(new)
    new_text = "\n".join(out)
    changed = 0
    for a, b in zip(mt.text, new_text, strict=True):
        if a != b:
            changed += 1
            if len(result.examples) < result.MAX_EXAMPLES and f"{a} → {b}" not in result.examples:
                result.examples.append(f"{a} → {b}")
    result.count = changed
    return mt.translate_same_length(new_text), result


# --- punctuation ----------------------------------------------------------------

HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_HALF = re.compile(r"[,;:!?]")
_HALF_PARENS = re.compile(r"\(([^()\n]*)\)")
_CJK_CHAR = re.compile(f"[{HAN}{CJK_PUNCT}]")


def unify_punctuation(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Half-width twins (, ; : ( ) ! ?) become full-width in Chinese text.

    They are the same mark typed two ways, so they never count as differences.
    A mark between two ASCII letters or digits (``10:30``, ``1,000``,
    ``http://``) is left alone. Real differences between marks (、 against ，)
    are not touched.
    """
    result = RuleResult("unify_punctuation")
    text = mt.text
    # Only the positions that change are collected: a list of every character
    # would cost ~80 bytes per Han character.
    changes: dict[int, str] = {}
    for m in _HALF_PARENS.finditer(text):
        inner = m.group(1)
        before = text[m.start() - 1 : m.start()]
        after = text[m.end() : m.end() + 1]
        if _CJK_CHAR.search(inner) or _CJK_CHAR.match(before) or _CJK_CHAR.match(after):
            changes[m.start()] = "（"
            changes[m.end() - 1] = "）"
    for m in _HALF.finditer(text):
        i = m.start()
        left = text[i - 1] if i else ""
        right = text[i + 1] if i + 1 < len(text) else ""
        if left.isascii() and left.isalnum() and right.isascii() and right.isalnum():
            continue
        if m.group(0) == ":" and text.startswith("//", i + 1):
            continue
        changes[i] = HALF_TO_FULL[m.group(0)]
    if not changes:
        return mt, result
    pieces, pos = [], 0
    counts: dict[str, int] = {}
    for i in sorted(changes):
        pieces.append(text[pos:i])
        pieces.append(changes[i])
        counts[text[i]] = counts.get(text[i], 0) + 1
        pos = i + 1
    pieces.append(text[pos:])
    result.count = len(changes)
    result.examples = [f"{k} → {HALF_TO_FULL[k]} ×{v}" for k, v in sorted(counts.items())]
    return mt.translate_same_length("".join(pieces)), result


# --- white space ------------------------------------------------------------------

_LINE_EDGES = re.compile(r"(?m)^[ \t\u3000\u00a0]+|[ \t\u3000\u00a0]+$")
_INNER_SPACE = re.compile(f"(?<=[{HAN}{CJK_PUNCT}])[ \t\u3000\u00a0]+(?=[{HAN}{CJK_PUNCT}])")


def trim_line_edges(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """White space at the start and end of lines."""
    result = RuleResult("trim_line_edges")
    new, changes = mt.sub(_LINE_EDGES, lambda m: "")
    result.count = len(changes)
    return new, result


def remove_spaces_between_chinese(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Spaces between two Chinese characters or marks: ``（一） 构建`` → ``（一）构建``.

    Chinese is written without spaces; a space between Han characters is an
    artefact of typesetting or OCR.
    """
    result = RuleResult("remove_spaces_between_chinese")
    text = mt.text
    edits = []
    for m in _INNER_SPACE.finditer(text):
        edits.append((m.start(), m.end(), ""))
        result.add(_context(text, m.start(), m.end()).replace(" ", "␣"))
    return (mt.edit(edits) if edits else mt), result


#: The character-level rules, in the order they run on a whole file.
CHARACTER_RULES: list[Rule] = [
    strip_invisible,
    normalize_line_endings,
    remove_pinyin_glosses,
    remove_junk_parentheticals,
    strip_markdown_marks,
    # convert_traditional runs here when the file is in traditional script.
    unify_punctuation,
    trim_line_edges,
]
