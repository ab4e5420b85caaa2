"""The content of a study set's handout (学习材料), laid out once for every form.

Framework-free: ``build(handout, options)`` turns a ``studies.handout.Handout``
(or anything with the same attributes) into a ``Layout`` — the clauses in order,
each clause's text cut into pieces (plain text, quiz gaps, pinyin readings),
its talking points, its numbered discussion questions, its differences, and the
quiz's answer key. The print view, the DOCX and the server-made PDF
(``studies.handout``) all render this one layout, so they cannot disagree.

Rules (the brief of issue 12, "Union trainers"):

- Text fidelity: with the quiz off, the pieces of a clause joined give back its
  text exactly; with the quiz on, each gap's ``text`` is the blanked phrase, so
  joining ``piece.text`` still gives back the clause.
- Blanks: each phrase of ``item.blanks`` blanks every occurrence of that
  phrase in the clause's text that does not overlap a phrase blanked before it
  (a phrase left visible a line below its gap would give the answer away);
  each occurrence is a gap of its own.
  Gaps are numbered 1, 2, … in reading order across the whole handout — clause
  by clause, and by position within a clause — and the answer key lists them
  in that order. A phrase that is empty or cannot be found raises
  ``HandoutError`` (a ``ValueError``) naming the phrase and the clause.
- Discussion questions are numbered 1, 2, … across the whole handout, so a
  trainer can say "question 5" to a room.
- Pinyin: every Han character (Unicode script Han, so 〇 too) gets its reading
  with tone marks from pypinyin, which reads each run of Han characters as a
  whole, so heteronyms follow their phrase (银行 háng, 行长 zhǎng). Punctuation,
  digits and Latin letters get none. A gap gets none either (the answer would
  show through its reading).
- Texts with newlines (a clause with several paragraphs, the intro, the
  talking points) are split into paragraphs at each newline; empty lines are
  dropped from the intro and the points, never from a clause's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from clauses.text.messages import TextError, gettext_noop

if TYPE_CHECKING:  # pragma: no cover
    from studies.handout import Handout, Options

HAN = regex.compile(r"\p{Script=Han}+")

# The plain-text form of a gap: full-width low lines either side of its number.
GAP_FILL = "＿"


class HandoutError(TextError):
    """A handout that cannot be laid out (a blank not in its clause's text).

    A ``ValueError``; ``str(exc)`` is English, ``exc.translated(gettext)`` the
    user's language (see ``clauses.text.messages``).
    """


@dataclass(frozen=True)
class Ruby:
    """A run of text and its reading: ``reading`` is the pinyin of a single Han
    character with tone marks, or "" for a run of other characters."""

    base: str
    reading: str = ""


@dataclass(frozen=True)
class Piece:
    """A stretch of a clause's text, in order.

    ``text``: the characters of the clause (for a gap, the phrase it hides).
    ``gap``: the gap's number (1-based, across the handout), or None for text.
    ``ruby``: the text as ``Ruby`` runs when pinyin is on, else ``()``.
    """

    text: str
    gap: int | None = None
    ruby: tuple[Ruby, ...] = ()

    @property
    def width(self) -> int:
        """A gap's width in characters: the hidden phrase's length, at least 2."""
        return max(len(self.text), 2)

    @property
    def fill(self) -> str:
        """A gap's space in print: ``width`` full-width low lines (＿), each as
        wide as a character, so the gap is as wide as the phrase. Print shows
        them transparent over a rule; unlike spaces, they never hang past the
        end of a line, and a long gap may wrap between them."""
        return GAP_FILL * self.width

    @property
    def gap_text(self) -> str:
        """The gap as plain text, e.g. ``＿＿(1)＿＿`` for a 4-character phrase:
        ``width`` low lines in all, split around the number."""
        left = self.width // 2
        return f"{GAP_FILL * left}({self.gap}){GAP_FILL * (self.width - left)}"


@dataclass(frozen=True)
class Question:
    """A discussion question and its number (1-based, across the handout)."""

    number: int
    text: str


@dataclass(frozen=True)
class Answer:
    """A line of the quiz's answer key: gap ``number`` hides ``text``, in the
    clause at ``locator``."""

    number: int
    text: str
    locator: str


@dataclass(frozen=True)
class Block:
    """One clause of the handout as it is shown.

    ``number``: 1-based position in the handout. ``paragraphs``: the clause's
    text as paragraphs of ``Piece`` (split at newlines). ``points``: the
    talking points as paragraphs ([] when they are not shown or there are
    none). ``differences``: ``(kind, text)`` runs, kind "equal", "del" or "ins" (a
    change from the previous version), or "variant" (a variant site's canonical
    reading) followed by "readings" (what the other copies read there).
    """

    number: int
    locator: str
    source: str
    paragraphs: list[list[Piece]]
    points: list[str]
    questions: list[Question]
    differences: list[tuple[str, str]]

    @property
    def text(self) -> str:
        """The clause's text, gaps filled with their phrases (newlines kept)."""
        return "\n".join("".join(p.text for p in para) for para in self.paragraphs)

    @property
    def shows_changes(self) -> bool:
        """The differences include a change from the previous version (del/ins)."""
        return any(kind in ("del", "ins") for kind, _text in self.differences)

    @property
    def shows_variants(self) -> bool:
        """The differences include other copies' readings (variant/readings)."""
        return any(kind in ("variant", "readings") for kind, _text in self.differences)

    @property
    def quiz_text(self) -> str:
        """The clause's text with each gap as ``Piece.gap_text``."""
        return "\n".join(
            "".join(p.gap_text if p.gap else p.text for p in para) for para in self.paragraphs
        )


@dataclass(frozen=True)
class Layout:
    """The whole handout: the title block, the intro's paragraphs, the blocks
    and the answer key (empty unless the quiz is on and has blanks)."""

    title: str
    audience: str
    date: str
    place: str
    intro: list[str]
    blocks: list[Block]
    answers: list[Answer] = field(default_factory=list)
    points: bool = True
    pinyin: bool = False
    quiz: bool = False

    @property
    def has_questions(self) -> bool:
        return any(b.questions for b in self.blocks)


def lines(text: str) -> list[str]:
    """``text``'s non-empty lines, stripped of surrounding white space."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


#: Phrases pypinyin 0.55 reads wrongly in policy texts, with their readings
#: (《现代汉语词典》第7版): 长效 is cháng xiào, not zhǎng xiào. Loaded into
#: pypinyin's phrase dictionary once, before the first reading.
PHRASE_READINGS = {
    "长效": [["cháng"], ["xiào"]],
    "长效机制": [["cháng"], ["xiào"], ["jī"], ["zhì"]],
}
_phrases_loaded = False


def readings(text: str) -> list[str]:
    """The pinyin of each character of ``text``: a list as long as ``text``,
    "" for every character that is not Han. Each run of Han characters is read
    as a whole by pypinyin (phrases decide heteronyms); if pypinyin's answer for
    a run does not line up with its characters, each is read alone."""
    from pypinyin import Style, load_phrases_dict, pinyin

    global _phrases_loaded
    if not _phrases_loaded:
        load_phrases_dict(PHRASE_READINGS)
        _phrases_loaded = True
    out = [""] * len(text)
    for match in HAN.finditer(text):
        run = match.group()
        got = pinyin(run, style=Style.TONE, errors=lambda chars: [[""] for _ in chars])
        if len(got) != len(run):
            got = [pinyin(ch, style=Style.TONE, errors=lambda c: [[""]])[0] for ch in run]
        for i, item in enumerate(got):
            out[match.start() + i] = item[0] if item else ""
    return out


def ruby_runs(text: str, reading: list[str]) -> tuple[Ruby, ...]:
    """``text`` as ruby runs: one per Han character that has a reading, the
    characters between them joined into runs with reading ""."""
    runs: list[Ruby] = []
    plain = []
    for ch, r in zip(text, reading, strict=True):
        if r:
            if plain:
                runs.append(Ruby("".join(plain)))
                plain = []
            runs.append(Ruby(ch, r))
        else:
            plain.append(ch)
    if plain:
        runs.append(Ruby("".join(plain)))
    return tuple(runs)


def find_blanks(text: str, blanks: list[str], locator: str) -> list[tuple[int, int]]:
    """The 0-based ``[start, end)`` character spans that ``blanks`` hide in
    ``text``, sorted by position. Each phrase takes every occurrence that
    overlaps no span taken before it (occurrences found left to right, not
    overlapping each other). Raises ``HandoutError`` for an empty phrase or
    one that cannot be found."""
    spans: list[tuple[int, int]] = []
    for phrase in dict.fromkeys(blanks):  # a phrase listed twice is blanked once, everywhere
        if not phrase:
            raise HandoutError(gettext_noop("An empty blank in %(locator)s."), locator=locator)
        found = []
        start = text.find(phrase)
        while start != -1:
            end = start + len(phrase)
            if any(start < e and s < end for s, e in spans):
                start = text.find(phrase, start + 1)
            else:
                found.append((start, end))
                start = text.find(phrase, end)
        if not found:
            taken = text.find(phrase) != -1
            template = (
                gettext_noop(
                    "The blank “%(phrase)s” occurs in %(locator)s only where another blank "
                    "already is."
                )
                if taken
                else gettext_noop("The blank “%(phrase)s” is not in the text of %(locator)s.")
            )
            raise HandoutError(template, phrase=phrase, locator=locator)
        spans.extend(found)
    return sorted(spans)


def pieces(
    text: str, spans: list[tuple[int, int]], first_gap: int, reading: list[str] | None
) -> list[list[Piece]]:
    """``text`` cut at ``spans`` (gaps numbered from ``first_gap``) and at its
    newlines, as paragraphs of pieces; ``reading`` (per character, or None)
    gives the text pieces their ruby. The newlines themselves are dropped: they
    are the paragraph breaks."""
    cuts: list[tuple[int, int, int | None]] = []
    pos = 0
    for i, (s, e) in enumerate(spans):
        if pos < s:
            cuts.append((pos, s, None))
        cuts.append((s, e, first_gap + i))
        pos = e
    if pos < len(text) or not cuts:
        cuts.append((pos, len(text), None))

    paragraphs: list[list[Piece]] = [[]]
    for s, e, gap in cuts:
        if gap is not None:
            paragraphs[-1].append(Piece(text[s:e], gap))
            continue
        offset = s
        for k, part in enumerate(text[s:e].split("\n")):
            if k:
                paragraphs.append([])
            if part:
                ruby = ruby_runs(part, reading[offset : offset + len(part)]) if reading else ()
                paragraphs[-1].append(Piece(part, None, ruby))
            offset += len(part) + 1
    return paragraphs


def build(handout: Handout, options: Options) -> Layout:
    """Lay ``handout`` out for ``options`` (points, pinyin, quiz): see the
    module's rules. With the quiz on, items show no differences (they would
    give the blanked phrases away). Raises ``HandoutError`` when the quiz is on and a blank of
    an item cannot be placed in its text (blanks are not checked otherwise)."""
    blocks: list[Block] = []
    answers: list[Answer] = []
    question_no = 0
    for index, item in enumerate(handout.items, start=1):
        spans = find_blanks(item.text, list(item.blanks), item.locator) if options.quiz else []
        reading = readings(item.text) if options.pinyin else None
        paragraphs = pieces(item.text, spans, len(answers) + 1, reading)
        for s, e in spans:
            answers.append(Answer(len(answers) + 1, item.text[s:e], item.locator))
        questions = []
        for q in item.questions:
            if q.strip():
                question_no += 1
                questions.append(Question(question_no, q.strip()))
        blocks.append(
            Block(
                number=index,
                locator=item.locator,
                source=item.source,
                paragraphs=paragraphs,
                points=lines(item.points) if options.points else [],
                questions=questions,
                # Not in a quiz: the other copies' and the earlier version's
                # wording would show the blanked phrases.
                differences=[] if options.quiz else [(k, t) for k, t in item.differences if t],
            )
        )
    return Layout(
        title=handout.title,
        audience=handout.audience,
        date=handout.date,
        place=handout.place,
        intro=lines(handout.intro),
        blocks=blocks,
        answers=answers,
        points=options.points,
        pinyin=options.pinyin,
        quiz=options.quiz,
    )
