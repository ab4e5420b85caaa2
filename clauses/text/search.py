"""Search text: the folded form of a text, its character n-grams, the query's, and snippets.

Framework-free (no database). Search compares *folded* texts: every character
is folded alone (so a folded text is a sequence of folded characters and a
phrase is found wherever its folded form is a substring), by these rules, in
this order:

1. CJK radicals and compatibility ideographs → the unified ideograph
   (``clauses.text.cleanup.LOOKALIKES``: ⼯ → 工);
2. NFKC (Unicode normalization): full-width letters and digits → ASCII
   (``２０２４`` → ``2024``); a character may become several (``㎡`` → ``m2``);
3. lower case (``AI`` → ``ai``);
4. traditional → simplified with OpenCC's ``t2s`` table, character by
   character (培養 → 培养; a character OpenCC would turn into several stays);
5. dropped: punctuation, spaces and separators, control and format characters
   (Unicode general categories P*, Z*, C*), so ``工匠，培养`` and ``工匠 培养``
   fold to ``工匠培养``.

Character by character, not phrase by phrase: a query is a fragment of some
phrase, and only a per-character fold folds a fragment as it folds the text it
comes from. Folding the query and the text alike is what makes the match
right; the fold is for matching only, never shown (snippets are cut from the
original text through :func:`fold_with_offsets`).

The database index of a folded text is the set of its character unigrams and
bigrams (:func:`grams`), written as PostgreSQL ``tsvector`` input; a query is
the AND of its bigrams, or its one unigram (:func:`gram_query`). That filter is
necessary, not sufficient (the bigrams may lie apart): the exact phrase is
checked afterwards on the folded text (a substring test).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from .cleanup import LOOKALIKES, _converter

#: Longest query accepted, in characters, before folding.
MAX_QUERY = 200


class _FoldTable(dict):
    """``str.translate`` table that folds a character on first sight and remembers it."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


def _fold_char(ch: str) -> str:
    ch = LOOKALIKES.get(ord(ch), ch)
    out = []
    for c in unicodedata.normalize("NFKC", ch).lower():
        if unicodedata.category(c)[0] in "PZC":
            continue
        if "\u3400" <= c:
            simplified = _converter("t2s").convert(c)
            if len(simplified) == 1:
                c = simplified
        out.append(c)
    return "".join(out)


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """The folded form of ``text`` (see the module's rules): a str, possibly empty."""
    return text.translate(_TABLE)


class _LengthTable(dict):
    """``str.translate`` table: a character → how many characters it folds to,
    as a code point (0, 1, or 2 for two or more)."""

    def __missing__(self, code: int) -> str:
        length = chr(min(len(_TABLE[code]), 2))
        self[code] = length
        return length


_LENGTHS = _LengthTable()
_KEPT = re.compile("\x01")


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``(folded, offsets)``: ``offsets[i]`` is the 0-based index in ``text`` of the
    character that folded character ``i`` comes from (one original character
    may give several folded ones, or none)."""
    lengths = text.translate(_LENGTHS)
    if "\x02" not in lengths:  # each character folds to one or none: the fast way
        return fold(text), [m.start() for m in _KEPT.finditer(lengths)]
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for c in _TABLE[ord(ch)]:
            chars.append(c)
            offsets.append(i)
    return "".join(chars), offsets


def _quote(token: str) -> str:
    """A tsvector/tsquery lexeme, quoted as PostgreSQL's input syntax wants."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def grams(folded: str) -> str:
    """The character unigrams and bigrams of a folded text, as ``tsvector`` input
    (``'工' '工匠' '匠'``): each once, sorted; ``""`` for an empty text."""
    tokens = set(folded)
    # Slices in a list comprehension: faster than map(str.__add__, …) here.
    tokens.update([folded[i : i + 2] for i in range(len(folded) - 1)])
    if not tokens:
        return ""
    if "'" in folded or "\\" in folded:
        return " ".join(_quote(t) for t in sorted(tokens))
    return "'" + "' '".join(sorted(tokens)) + "'"  # nothing to escape: quoted at once


def index_fields(text: str) -> tuple[str, str]:
    """``(folded, grams)`` of ``text``: what every write path stores beside a
    searchable text (``Unit.canonical``, ``Reading.text``, ``Note.body``)."""
    folded = fold(text)
    return folded, grams(folded)


def gram_query(phrase: str) -> str:
    """The ``tsquery`` input for a folded, non-empty ``phrase``: its unigram for
    one character, else the AND of its distinct bigrams (``'工匠' & '匠培'``).
    Raises ValueError for an empty phrase."""
    if not phrase:
        raise ValueError("empty phrase")
    if len(phrase) == 1:
        return _quote(phrase)
    bigrams = dict.fromkeys(phrase[i : i + 2] for i in range(len(phrase) - 1))
    return " & ".join(_quote(b) for b in bigrams)


@dataclass(frozen=True)
class Piece:
    """A run of a snippet: ``text`` as in the original, ``mark`` when it matches."""

    text: str
    mark: bool = False


def _spans(text: str, phrase: str) -> Iterator[tuple[int, int]]:
    """The matches of the folded ``phrase`` in ``text``, lazily: ``(start, end)``
    in the original, as :func:`find_spans` gives them, unmerged.

    Where every character folds to one or none (nearly always), a folded index
    is mapped back by bisection over ``str.count`` of the kept characters (C
    speed, no per-character Python loop), so a snippet costs little however
    long the text; otherwise through :func:`fold_with_offsets`.
    """
    lengths = text.translate(_LENGTHS)
    if "\x02" in lengths:
        folded, offsets = fold_with_offsets(text)

        def original(k: int) -> int:
            return offsets[k]

    else:
        folded = fold(text)
        positions = range(len(text))

        def original(k: int) -> int:
            return bisect_left(positions, k + 1, key=lambda x: lengths.count("\x01", 0, x + 1))

    at = folded.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        yield original(at), original(end - 1) + 1
        at = folded.find(phrase, end)


def find_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where the folded ``phrase`` occurs in ``text``: ``[(start, end)]`` as 0-based,
    end-exclusive character offsets in the original ``text``, non-overlapping,
    in order. A span covers the punctuation and spaces inside the match, never
    those around it."""
    if not phrase:
        return []
    spans: list[tuple[int, int]] = []
    for start, stop in _spans(text, phrase):
        if spans and start < spans[-1][1]:  # two folded chars of one original char
            spans[-1] = (spans[-1][0], max(stop, spans[-1][1]))
        else:
            spans.append((start, stop))
    return spans


def snippet(text: str, phrase: str, context: int = 30) -> tuple[list[Piece], int]:
    """The passage of ``text`` around the first match of the folded ``phrase``:
    ``context`` characters of the original on each side (cut at a line break),
    every match inside marked. Returns ``(pieces, matches)``, ``matches`` being
    the number of matches in the whole text. An ellipsis piece stands where the
    passage cuts the text. No match: the text's start, ``matches`` 0."""
    matches = fold(text).count(phrase) if phrase else 0
    if not matches:
        head = text[: 2 * context]
        return ([Piece(head)] + ([Piece("…")] if len(text) > len(head) else []), 0)
    found = _spans(text, phrase)
    first_start, first_end = next(found)
    start = max(0, first_start - context)
    end = min(len(text), first_end + context)
    newline = text.rfind("\n", start, first_start)
    if newline >= 0:
        start = newline + 1
    newline = text.find("\n", first_end, end)
    if newline >= 0:
        end = newline
    pieces: list[Piece] = [Piece("…")] if start > 0 else []
    at = start
    for s, e in itertools.chain([(first_start, first_end)], found):
        if s >= end:
            break
        s, e = max(s, at), min(e, end)
        if s > at:
            pieces.append(Piece(text[at:s]))
        if e > s:
            pieces.append(Piece(text[s:e], True))
        at = max(at, e)
    if at < end:
        pieces.append(Piece(text[at:end]))
    if end < len(text):
        pieces.append(Piece("…"))
    return pieces, matches
