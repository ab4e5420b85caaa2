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

import regex

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


# --- look-alike code points -------------------------------------------------

# CJK Radicals Supplement (U+2E80–U+2EFF) → the unified ideograph each radical
# looks like. NFKC maps only two of them (⺟, ⻳), so the table comes from the
# Unicode Character Database file EquivalentUnifiedIdeograph.txt (Unicode
# 15.0.0, 2022-04-26; Debian package unicode-data), every line whose first
# field falls in U+2E80–U+2EFF, as "radical:ideograph" hexadecimal pairs.
# Kangxi radicals (U+2F00–U+2FD5) and compatibility ideographs (U+F900–U+FAFF)
# need no table: NFKC maps each of them to one unified ideograph (for the
# Kangxi radicals it agrees with that file on all 214).
_RADICALS_SUPPLEMENT = (
    "2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 "
    "2E89:5202 2E8A:535C 2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 "
    "2E91:21BC2 2E92:5DF3 2E93:5E7A 2E94:5F51 2E95:2B739 2E96:5FC4 2E97:5FC3 2E98:624C "
    "2E99:6535 2E9B:65E1 2E9C:65E5 2E9D:6708 2E9E:6B7A 2E9F:6BCD 2EA0:6C11 2EA1:6C35 "
    "2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B 2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B "
    "2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7 2EAF:7CF9 2EB0:7E9F 2EB1:7F53 "
    "2EB2:7F52 2EB3:34C1 2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C 2EB8:2634B 2EB9:8002 "
    "2EBA:8080 2EBB:807F 2EBC:8089 2EBD:26951 2EBE:8279 2EBF:8279 2EC0:8279 2EC1:864E "
    "2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1 2EC6:89D2 2EC7:278B2 2EC8:8BA0 2EC9:8D1D "
    "2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6 2ECF:9091 2ED0:9485 2ED1:9577 "
    "2ED2:9578 2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752 2ED9:97E6 "
    "2EDA:9875 2EDB:98CE 2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810 "
    "2EE2:9A6C 2EE3:9AA8 2EE4:9B3C 2EE5:9C7C 2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 "
    "2EEA:9EFE 2EEB:6589 2EEC:9F50 2EED:6B6F 2EEE:9F7F 2EEF:7ADC 2EF0:9F99 2EF1:9F9C "
    "2EF2:4E80 2EF3:9F9F "
)


def _lookalike_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for pair in _RADICALS_SUPPLEMENT.split():
        radical, ideograph = pair.split(":")
        table[int(radical, 16)] = chr(int(ideograph, 16))
    for cp in [*range(0x2F00, 0x2FD6), *range(0xF900, 0xFB00)]:
        folded = unicodedata.normalize("NFKC", chr(cp))
        # The twelve unified ideographs inside the compatibility block
        # (U+FA0E, U+FA0F, …) fold to themselves and stay.
        if len(folded) == 1 and folded != chr(cp):
            table[cp] = folded
    return table


LOOKALIKES: dict[int, str] = _lookalike_table()
_LOOKALIKE = re.compile("[\u2e80-\u2eff\u2f00-\u2fd5\uf900-\ufaff]")


def fold_lookalike_ideographs(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Kangxi radicals, CJK radicals supplement and compatibility ideographs → unified ideographs.

    PDF extraction emits ``⼯⼈`` (U+2F2F U+2F08) and ``⻅`` (U+2EC5) where the
    page shows 工人 and 见: each is folded to the ordinary character, one for
    one, so raw spans still map. Sources: NFKC (``unicodedata``) for U+2F00–
    U+2FD5 and U+F900–U+FAFF, Unicode's EquivalentUnifiedIdeograph.txt for
    U+2E80–U+2EFF (see ``_RADICALS_SUPPLEMENT``).
    """
    result = RuleResult("fold_lookalike_ideographs")
    text = mt.text
    if not _LOOKALIKE.search(text):
        return mt, result
    new = text.translate(LOOKALIKES)
    counts: dict[str, int] = {}
    for m in _LOOKALIKE.finditer(text):
        ch = m.group(0)
        if ord(ch) in LOOKALIKES:
            counts[ch] = counts.get(ch, 0) + 1
    result.count = sum(counts.values())
    result.examples = [
        f"{ch} (U+{ord(ch):04X}) → {LOOKALIKES[ord(ch)]} ×{n}"
        for ch, n in sorted(counts.items(), key=lambda kv: -kv[1])[: result.MAX_EXAMPLES]
    ]
    return mt.translate_same_length(new), result


# --- width --------------------------------------------------------------------

# Full-width digits and Latin letters, and the full-width per cent sign, fold to
# ASCII (their NFKC form): ６０％ and 60% are one text typed two ways. CJK
# punctuation is NOT folded here: the project's normal form for punctuation is
# full width (see unify_punctuation).
_FULLWIDTH = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff05]|(?<=[0-9\uff10-\uff19])\uff0e"
)
_FULLWIDTH_TABLE = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF05]
}


def fold_fullwidth_alphanumerics(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Full-width digits, Latin letters and ％ → ASCII (NFKC): ``６０％`` → ``60%``.

    ``ＡＩ`` → ``AI``, ``５Ｇ`` → ``5G``.

    A full-width full stop after a digit (``３．５``, ``１．``) is a decimal
    point or an item number's dot and becomes ``.``; elsewhere ． stays. The
    original stays in the raw text; the fold is one for one.
    """
    result = RuleResult("fold_fullwidth_alphanumerics")
    text = mt.text
    if not _FULLWIDTH.search(text):
        return mt, result
    counts: dict[str, int] = {}

    def fold(m: re.Match[str]) -> str:
        ch = m.group(0)
        counts[ch] = counts.get(ch, 0) + 1
        return _FULLWIDTH_TABLE.get(ord(ch), ".")

    new = _FULLWIDTH.sub(fold, text)
    result.count = sum(counts.values())
    result.examples = [
        f"{ch} → {_FULLWIDTH_TABLE.get(ord(ch), '.')} ×{n}"
        for ch, n in sorted(counts.items(), key=lambda kv: -kv[1])[: result.MAX_EXAMPLES]
    ]
    return mt.translate_same_length(new), result


# --- pinyin glosses ---------------------------------------------------------

# A gloss as people type it: plain letters (gong), tone marks precomposed
# (gōng, Ān) or combining (o + U+0304), ü written ü, v or u: (lü, lv, lu:),
# an optional tone number (gong1, nv3, lu:4), in ASCII or full-width brackets.
_GLOSS_LETTERS = "A-Za-z\u00c0-\u024f"
_HAN_CHAR = re.compile(f"[{HAN}]")
_ONE_GLOSS = re.compile(
    rf"[(（][ \t]*([{_GLOSS_LETTERS}][{_GLOSS_LETTERS}\u0300-\u036f:]{{0,7}})([0-5]?)[ \t]*[)）]"
)
#: A copy must show at least this many pinyin-looking glosses before any is removed.
MIN_GLOSSES = 3


def _plain_syllable(s: str) -> str:
    """Lower case, tone marks removed; ü, v and u: all written 'v'."""
    s = unicodedata.normalize("NFD", s.lower())
    s = s.replace("u\u0308", "v").replace("u:", "v")
    s = "".join(ch for ch in s if not unicodedata.combining(ch) and ch != ":")
    return s


def _is_symbol_like(gloss: str, tone: str) -> bool:
    """``Li``, ``Na``, ``Pa``: capitalised, no tone mark or number.

    Such a parenthetical reads as a chemical symbol, unit or abbreviation as
    easily as a gloss; it is never what shows that a copy is glossed, and it is
    removed only in a run with a gloss that carries pinyin marks or is lower case.
    """
    if tone or not gloss[0].isupper():
        return False
    return gloss.isascii() and ":" not in gloss


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

    Every spelling counts: ``gong1``, ``gōng`` (precomposed or o + U+0304),
    ``Ān``, ``lü``/``lv``/``lu:``/``lu:4``. A run of glosses after one
    character is removed up to the first one that is not a reading of it.
    Nothing is removed unless the copy shows glossing: at least
    ``MIN_GLOSSES`` plausible glosses that look like pinyin (lower case, or
    with tone marks or numbers). A capitalised toneless run (``锂(Li)``,
    ``帕(Pa)``) is a symbol or unit and stays; so do ``(PCT)``, ``(AI)``,
    ``(MPa)``, which are no reading of the character before them.
    """
    result = RuleResult("remove_pinyin_glosses")
    text = mt.text
    # Runs as two arrays, not a list of tuples: a scrape can hold half a
    # million glosses.
    run_starts, run_ends = array("q"), array("q")
    run_marked: list[bool] = []  # does the run hold a pinyin-looking gloss?
    run_glosses = array("q")
    glosses = evidence = 0
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
        marked = not _is_symbol_like(g.group(1), g.group(2))
        evidence += marked
        if start == run_end:
            run_ends[-1] = g.end()
            run_marked[-1] = run_marked[-1] or marked
            run_glosses[-1] += 1
        else:
            run_starts.append(start)
            run_ends.append(g.end())
            run_marked.append(marked)
            run_glosses.append(1)
        run_end = g.end()
    if evidence < MIN_GLOSSES:
        if glosses:
            result.detail["kept_lone"] = glosses
        return mt, result
    if not all(run_marked):
        keep = [i for i, marked in enumerate(run_marked) if marked]
        result.detail["kept_symbols"] = len(run_marked) - len(keep)
        run_starts = array("q", (run_starts[i] for i in keep))
        run_ends = array("q", (run_ends[i] for i in keep))
        glosses = sum(run_glosses[i] for i in keep)
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


# Emoji are found by the Unicode property Extended_Pictographic (UTS #51,
# emoji-data.txt), through the ``regex`` module: it tracks each Unicode
# release, so a pictograph added next year (or an old one such as ⌛ U+231B,
# ☕ U+2615, ⏰ U+23F0 that sits outside any "emoji block") is known without a
# hand-kept list of code point ranges. The ``emoji`` package would only list
# fully-qualified emoji sequences, not the property.
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
# ©, ® and ™ have the property (they can be shown as emoji) but are text signs.
_TEXT_SIGNS = "\u00a9\u00ae\u2122"
# What builds emoji sequences without being one: joiners, variation selectors,
# the keycap mark, skin-tone modifiers (Emoji_Modifier), regional indicators
# (flags), tag characters; and the stars ★☆, decoration that is no pictograph by
# property but never text in parentheses.
_EMOJI_PARTS = regex.compile(
    r"[\u200d\ufe0e\ufe0f\u20e3 \U0001f3fb-\U0001f3ff\U0001f1e6-\U0001f1ff\U000e0020-\U000e007f★☆]"
)


def _is_junk_char(ch: str) -> bool:
    """Emoji and pictographs (and the joiners and selectors that build them).

    Not every symbol: units of measure (㎡, ℃, ‰, °) and letterlike signs (№,
    ©) are text, and stay.
    """
    if ch in _TEXT_SIGNS:
        return False
    return bool(_PICTOGRAPHIC.match(ch) or _EMOJI_PARTS.match(ch))


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
    """'traditional' when converting to simplified changes a fair share of the Han text.

    Look-alike code points (Kangxi radicals …) are folded first, as
    fold_lookalike_ideographs will, so they do not count as a script.
    """
    head = text[:300000]
    if _LOOKALIKE.search(head):
        head = head.translate(LOOKALIKES)
    sample = "".join(_BASIC_HAN.findall(head, 0, 100000))[:20000]
    if not sample:
        return "simplified"
    to_simp = _converter("t2s").convert(sample)
    to_trad = _converter("s2t").convert(sample)
    trad_only = sum(1 for a, b in zip(sample, to_simp, strict=False) if a != b)
    simp_only = sum(1 for a, b in zip(sample, to_trad, strict=False) if a != b)
    return (
        "traditional" if trad_only > simp_only and trad_only / len(sample) > 0.03 else "simplified"
    )


#: Regional standards of traditional script: name, OpenCC config to simplified,
#: OpenCC config from simplified (used to recognise the standard).
ORTHOGRAPHIES = {
    "standard": ("OpenCC standard traditional", "t2s", "s2t"),
    "tw": ("Taiwan", "tw2s", "s2tw"),
    "hk": ("Hong Kong", "hk2s", "s2hk"),
}

# Words where 著 is right in simplified Chinese too (著 zhù, "notable; to
# write"): after conversion the 著 in them stays, whatever a regional variant
# table says. (OpenCC's tw2s turns 土著, 原著, and sometimes 显著, into 着.)
_ZHU_CONTEXT = re.compile(
    "显著|昭著|卓著|著作|著名|著称|著述|著者|著录|著书|著有|著文|著说|"
    "土著|原著|名著|巨著|编著|论著|专著|遗著|合著|译著|新著|拙著|撰著|大著|鸿著"
)


def detect_orthography(text: str) -> str:
    """Which regional standard a traditional text follows: 'tw', 'hk' or 'standard'.

    The text is converted to simplified and back with each standard's OpenCC
    config (s2t, s2tw, s2hk); where the three disagree (着/著, 裏/裡, 爲/為,
    説/說, 衞/衛 …) the standard whose characters the text actually uses wins.
    """
    head = text[:200000]
    simp = _converter("t2s").convert(head)
    variants = {key: _converter(cfg[2]).convert(simp) for key, cfg in ORTHOGRAPHIES.items()}
    if any(len(v) != len(head) for v in variants.values()):
        # A phrase changed length somewhere: compare line by line where it did not.
        lines = head.split("\n")
        pairs = {key: v.split("\n") for key, v in variants.items()}
        keep = [
            i
            for i in range(len(lines))
            if all(len(pairs[k][i]) == len(lines[i]) for k in pairs if len(pairs[k]) == len(lines))
        ]
        if not all(len(v) == len(lines) for v in pairs.values()):
            return "standard"
        head = "\n".join(lines[i] for i in keep)
        variants = {k: "\n".join(v[i] for i in keep) for k, v in pairs.items()}
    score = dict.fromkeys(ORTHOGRAPHIES, 0)
    std, tw, hk = variants["standard"], variants["tw"], variants["hk"]
    for i, ch in enumerate(head):
        a, b, c = std[i], tw[i], hk[i]
        if a == b == c:
            continue
        score["standard"] += ch == a
        score["tw"] += ch == b
        score["hk"] += ch == c
    # t2s keeps 著, so 随著 (Taiwan) and 随着 agree above: count 著 written for
    # 着 (where tw2s makes it 着, outside the words where 著 is right) apart.
    if "著" in head:
        tw2s = _converter("tw2s").convert(head)
        if len(tw2s) == len(head):
            protected = set()
            for m in _ZHU_CONTEXT.finditer(simp if len(simp) == len(head) else ""):
                protected.update(range(m.start(), m.end()))
            score["tw"] += sum(
                1
                for i, ch in enumerate(head)
                if ch == "著" and tw2s[i] == "着" and i not in protected
            )
    best = max(("tw", "hk"), key=lambda k: score[k])
    return best if score[best] > score["standard"] else "standard"


def _convert_line(line: str, config: str) -> str:
    conv = _converter(config)
    new = conv.convert(line)
    if len(new) != len(line):
        new = "".join(c if len(c := conv.convert(ch)) == 1 else ch for ch in line)
    return new


# Words tw2sp rewrites although they are ordinary mainland wording too (its
# phrase table is built from mainland → Taiwan pairs such as 创建 → 建立, and
# read backwards): never named as Taiwan vocabulary.
_COMMON_WORDS = frozenset(
    {"建立", "核心", "智慧", "档案", "文件", "互动", "执行", "技术", "信息", "支持", "效能"}
)


def _vocabulary(line: str, simplified: str, found: dict[str, int]) -> None:
    """Taiwan wording that mainland copies phrase differently (型别/类型, 软体/软件).

    Named for the report, never rewritten. The simplified line is cut into
    words (rjieba, the project's word segmenter); a word of two or more
    characters whose traditional original OpenCC's tw2sp (Taiwan phrases →
    mainland phrases) rewrites into another word is counted as "copy's word →
    mainland word". Word by word, so no alignment of unrelated stretches.
    """
    import rjieba

    pos = 0
    tw2sp = _converter("tw2sp")
    for word in rjieba.cut(simplified):
        start, pos = pos, pos + len(word)
        if len(word) < 2 or not _HAN_CHAR.match(word):
            continue
        if any(common in word for common in _COMMON_WORDS):  # 建立健全 is mainland too
            continue
        mainland = tw2sp.convert(line[start:pos])
        if mainland != word and mainland not in _COMMON_WORDS:
            key = f"{word} → {mainland}"
            found[key] = found.get(key, 0) + 1


def convert_traditional(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Traditional → simplified with the OpenCC config of the copy's standard, one for one.

    The regional standard is detected (``detect_orthography``): Taiwan copies
    convert with tw2s, Hong Kong copies with hk2s, others with t2s. Taiwan and
    Hong Kong write 着 (zhe, zhuo) as 著 (随著, 著力); there 著 becomes 着
    except in the words where 著 is right (显著, 著作, 土著, 原著 …,
    ``_ZHU_CONTEXT``). Wording is never rewritten: Taiwan vocabulary (型别 for
    类型) is only named in the report. OpenCC converts phrase by phrase; where
    a phrase conversion would change a line's length the line is converted
    character by character instead, so every simplified character still points
    at its traditional original.
    """
    result = RuleResult("convert_traditional")
    orthography = detect_orthography(mt.text)
    name, config, _ = ORTHOGRAPHIES[orthography]
    regional = orthography != "standard"
    lines = mt.text.split("\n")
    out = []
    vocabulary: dict[str, int] = {}
    zhu_kept = 0
    for line in lines:
        plain = _convert_line(line, "t2s")
        if not regional:
            out.append(plain)
            continue
        new = _convert_line(line, config)
        if "著" in line:
            tw = new if config == "tw2s" else _convert_line(line, "tw2s")
            chars = list(new)
            protected = set()
            for m in _ZHU_CONTEXT.finditer(plain):
                protected.update(range(m.start(), m.end()))
            for i, ch in enumerate(line):
                if ch != "著":
                    continue
                if i in protected:
                    chars[i] = "著"
                    zhu_kept += 1
                else:
                    chars[i] = tw[i]
            new = "".join(chars)
        if orthography == "tw":
            _vocabulary(line, new, vocabulary)
        out.append(new)
    new_text = "\n".join(out)
    changed = 0
    for a, b in zip(mt.text, new_text, strict=True):
        if a != b:
            changed += 1
            if len(result.examples) < result.MAX_EXAMPLES and f"{a} → {b}" not in result.examples:
                result.examples.append(f"{a} → {b}")
    result.count = changed
    result.detail = {"orthography": name, "config": config}
    if zhu_kept:
        result.detail["zhu_kept"] = zhu_kept
    if vocabulary:
        result.detail["vocabulary"] = [
            f"{k} ×{n}" for k, n in sorted(vocabulary.items(), key=lambda kv: -kv[1])
        ]
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

# Every character with the Unicode White_Space property (PropList.txt) that
# does not break a line: tab, space, NBSP, ogham space, the en/em/thin/hair
# spaces U+2000–U+200A (HTML &ensp; &emsp; &thinsp;), the narrow no-break
# space U+202F, the medium mathematical space U+205F and the ideographic space
# U+3000. Line and paragraph separators (LF, VT, FF, CR, NEL, U+2028, U+2029)
# are not spaces within a line. Zero-width characters have no White_Space
# property and are strip_invisible's.
SPACES = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_LINE_EDGES = re.compile(f"(?m)^[{SPACES}]+|[{SPACES}]+$")
# A tab between two Chinese characters is a table's cell separator (see
# join_table_cells), not a typesetting space: it stays.
_NOT_TAB = SPACES.replace("\t", "")
_INNER_SPACE = re.compile(f"(?<=[{HAN}{CJK_PUNCT}])[{_NOT_TAB}]+(?=[{HAN}{CJK_PUNCT}])")


def trim_line_edges(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """White space at the start and end of lines: every Unicode space (see ``SPACES``)."""
    result = RuleResult("trim_line_edges")
    new, changes = mt.sub(_LINE_EDGES, lambda m: "")
    result.count = len(changes)
    return new, result


def remove_spaces_between_chinese(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Spaces between two Chinese characters or marks: ``（一） 构建`` → ``（一）构建``.

    Chinese is written without spaces; a space between Han characters is an
    artefact of typesetting or OCR. Every Unicode space counts (``SPACES``):
    em, en, thin and narrow no-break spaces as much as U+3000 and NBSP.
    """
    result = RuleResult("remove_spaces_between_chinese")
    text = mt.text
    edits = []
    for m in _INNER_SPACE.finditer(text):
        edits.append((m.start(), m.end(), ""))
        result.add(re.sub(f"[{SPACES}]", "␣", _context(text, m.start(), m.end())))
    return (mt.edit(edits) if edits else mt), result


#: The character-level rules, in the order they run on a whole file.
# A table copied from a browser (innerText, select-all + copy) comes out one
# cell per line, cells separated by a line holding only a tab: "序号\n\n\t\n\n改革举措".
_CELL_BREAK = re.compile(r"\n[ \u00a0]*(?:\n[ \u00a0]*)*\t[ \u00a0]*(?:\n[ \u00a0]*)+")


def join_table_cells(mt: MappedText) -> tuple[MappedText, RuleResult]:
    """Table cells copied one per line, with a tab-only line between two cells,
    become one line per row with tab-separated cells, as a pasted table has.

    Only the line breaks around the tab go; the cells' text is untouched.
    """
    result = RuleResult("join_table_cells")
    text = mt.text
    new, changes = mt.sub(_CELL_BREAK, lambda m: "\t")
    result.count = len(changes)
    if changes:
        first = _CELL_BREAK.search(text)
        line_start = text.rfind("\n", 0, first.start()) + 1
        result.examples = [text[line_start : first.start()][:20] + " ⇥ …"]
    return new, result


CHARACTER_RULES: list[Rule] = [
    strip_invisible,
    normalize_line_endings,
    fold_lookalike_ideographs,  # before glosses, script and labels are read
    fold_fullwidth_alphanumerics,
    remove_pinyin_glosses,
    remove_junk_parentheticals,
    strip_markdown_marks,
    # convert_traditional runs here when the file is in traditional script.
    unify_punctuation,
    join_table_cells,
    trim_line_edges,
]
