"""Text that remembers where every character came from.

Every clean-up rule turns one ``MappedText`` into another. The offset map is
kept as piecewise-linear runs (breakpoints) rather than one integer per
character: conversions that keep the length (traditional → simplified,
punctuation) do not touch it, and deletions (glosses, Markdown marks) add one
breakpoint each. That keeps a 10 MB import within a few times its own size in
memory, and lets every reading point at the exact span of the original file.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MappedText:
    text: str
    # Breakpoints: for clean index i in [starts[k], starts[k+1]),
    # raw offset = raws[k] + (i - starts[k]).
    starts: Sequence[int]  # array('q'): 8 bytes a breakpoint, no int objects
    raws: Sequence[int]
    raw_length: int

    @classmethod
    def identity(cls, text: str) -> MappedText:
        return cls(text, array("q", [0]), array("q", [0]), len(text))

    def raw_offset(self, i: int) -> int:
        """Offset in the original of the character at clean index ``i``."""
        if i >= len(self.text):
            return self.raw_length
        k = bisect_right(self.starts, i) - 1
        return self.raws[k] + (i - self.starts[k])

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that clean characters ``[start, end)`` came from.

        Characters deleted *inside* the span (a gloss in the middle of a clause)
        belong to it; characters deleted at its edges do not.
        """
        if end <= start:
            at = self.raw_offset(start)
            return at, at
        return self.raw_offset(start), self.raw_offset(end - 1) + 1

    def edit(self, edits: Iterable[tuple[int, int, str]]) -> MappedText:
        """Apply non-overlapping, sorted edits ``(start, end, replacement)``.

        A replacement of the same length maps character for character; a
        shorter one (usually a deletion) maps its characters to the start of
        the replaced span; a longer one maps its surplus to the span's last
        character, so no clean character points outside what it replaced.
        Breakpoints are composed as the edits stream by, into compact arrays.
        """
        # Pieces are joined in chunks: half a million small strings alive at
        # once would cost more than the text itself.
        chunks: list[str] = []
        pieces: list[str] = []
        starts, raws = array("q"), array("q")
        old_starts, old_raws = self.starts, self.raws
        n_old = len(old_starts)

        def run(new_start: int, old_start: int, length: int) -> None:
            # Map new [new_start, +length) to old [old_start, +length), linearly.
            k = bisect_right(old_starts, old_start) - 1
            o, end = old_start, old_start + length
            while o < end:
                new_i = new_start + (o - old_start)
                raw = old_raws[k] + (o - old_starts[k])
                # Only a break in linearity needs a breakpoint.
                if not starts or raw - raws[-1] != new_i - starts[-1]:
                    starts.append(new_i)
                    raws.append(raw)
                k += 1
                if k >= n_old:
                    break
                o = old_starts[k]

        pos = new_pos = 0
        for start, end, repl in edits:
            if start < pos or end < start:
                raise ValueError("edits overlap or are not sorted")
            if end == start:
                if repl:
                    raise ValueError("an edit replaces a span; pure insertions have no origin")
                continue
            if len(pieces) >= 4096:
                chunks.append("".join(pieces))
                pieces.clear()
            if start > pos:
                pieces.append(self.text[pos:start])
                run(new_pos, pos, start - pos)
                new_pos += start - pos
            if repl:
                pieces.append(repl)
                common = min(len(repl), end - start)
                run(new_pos, start, common)
                for j in range(common, len(repl)):
                    run(new_pos + j, end - 1, 1)
                new_pos += len(repl)
            pos = end
        if pos < len(self.text):
            pieces.append(self.text[pos:])
            run(new_pos, pos, len(self.text) - pos)
        if not starts:
            starts.append(0)
            raws.append(self.raw_length)
        chunks.append("".join(pieces))
        return MappedText("".join(chunks), starts, raws, self.raw_length)

    def sub(
        self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str | None]
    ) -> tuple[MappedText, list[tuple[str, str]]]:
        """Replace matches of ``pattern``; ``repl`` returns None to keep a match.

        Returns the new text and the list of (before, after) changes made.
        """
        edits = []
        changes = []
        for m in pattern.finditer(self.text):
            new = repl(m)
            if new is None or new == m.group(0):
                continue
            edits.append((m.start(), m.end(), new))
            changes.append((m.group(0), new))
        if not edits:
            return self, []
        return self.edit(edits), changes

    def translate_same_length(self, new_text: str) -> MappedText:
        """A one-for-one conversion: same length, same map."""
        if len(new_text) != len(self.text):
            raise ValueError("translate_same_length needs a text of the same length")
        return MappedText(new_text, self.starts, self.raws, self.raw_length)

    def raw_pieces(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The runs of the original that clean characters ``[start, end)`` map to.

        Yields (raw_start, raw_end) pairs, 0-based offsets of the original, end
        exclusive, in order; characters deleted between two runs are in none.
        """
        if end <= start:
            return
        k = bisect_right(self.starts, start) - 1
        n = len(self.starts)
        while k < n and self.starts[k] < end:
            run_end = self.starts[k + 1] if k + 1 < n else len(self.text)
            a, b = max(start, self.starts[k]), min(end, run_end)
            if b > a:
                yield self.raws[k] + (a - self.starts[k]), self.raws[k] + (b - self.starts[k])
            k += 1

    def slice(self, start: int, end: int) -> MappedText:
        """The clean characters ``[start, end)`` with their map."""
        return self.edit([(0, start, ""), (end, len(self.text), "")])
