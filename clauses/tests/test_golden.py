"""The five seeds read exactly as recorded: keys, kinds, labels, texts, raw spans.

clauses/tests/golden/NNN.json were written by the pipeline before the
scheme-driven segmenter and the regions stage replaced locate() (issue 7),
so the demo documents keep importing exactly as they did. One intended change
since: 002's covering circular is a part of its own (``cover.p1``), where it
used to be cut before the document.
"""

import json
from pathlib import Path

import pytest

from .seeds import FILES, prepared

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(FILES))
def test_seed_reads_as_recorded(name):
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    p = prepared(name)
    got = [
        [u.key, u.kind, u.label, u.ordinal, u.level, u.text, u.raw_start, u.raw_end, u.label_raw]
        for u in p.units
    ]
    assert got == expected["units"]
    assert p.title == expected["title"]
    assert str(p.date) == expected["date"]
    assert p.number == expected["number"]
