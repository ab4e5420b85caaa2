"""Speed of the region finder (``clauses.text.regions.find_layout``), alone.

Two figures, formerly timed tests (speed is measured here, not asserted in
the test suite, where a loaded machine made them fail):

1. throughput on about 2 MB of the real corpus (the test fixtures under
   clauses/tests/fixtures/corpus, cleaned as an import cleans them, repeated),
   in MB/s (target ≥ 3 MB/s);
2. one body of 40,000 numbered lines, then 80,000: the time must about
   double (linear, not quadratic), and the first stay under 2 s.

Run: ``PYTHONPATH=. DJANGO_SETTINGS_MODULE=policyreader.settings .venv/bin/python bench/regions.py``
(no database needed).
"""

from __future__ import annotations

import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "clauses" / "tests" / "fixtures" / "corpus"


def _clean(data: bytes) -> str:
    """The text as an import hands it to the region finder: decoded, every
    character rule of clauses.text.cleanup applied (as test_regions does)."""
    from clauses.text import cleanup
    from clauses.text.decode import decode
    from clauses.text.textmap import MappedText

    original = decode(data).text
    mt = MappedText.identity(original)
    script = cleanup.detect_script(original)
    for rule in cleanup.CHARACTER_RULES:
        if rule is cleanup.unify_punctuation and script == "traditional":
            mt, _ = cleanup.convert_traditional(mt)
        mt, _ = rule(mt)
    return mt.text


def _corpus_text() -> str:
    paths = sorted((FIXTURES / "pages").glob("d*.txt")) + sorted((FIXTURES / "laws").glob("*.md"))
    return "\n\n".join(_clean(p.read_bytes()) for p in paths if p.stem != "SOURCES")


def _timed(text: str) -> float:
    from clauses.text.regions import find_layout

    start = time.perf_counter()
    find_layout(text)
    return time.perf_counter() - start


def main() -> None:
    corpus = _corpus_text()
    text = corpus * max(1, 2_000_000 // len(corpus.encode()))
    size = len(text.encode())
    elapsed = min(_timed(text) for _ in range(3))
    print(
        f"find_layout: {size / 1e6:.1f} MB of the corpus in {elapsed:.2f} s = "
        f"{size / elapsed / 1e6:.1f} MB/s (target ≥ 3 MB/s; best of 3)"
    )
    line = "（一）健全国家职业教育制度框架。把握好正确的改革方向，严把教学标准。\n"
    one = min(_timed("国家粮食应急预案\n" + line * 40_000) for _ in range(3))
    two = min(_timed("国家粮食应急预案\n" + line * 80_000) for _ in range(3))
    print(
        f"one body of 40,000 lines: {one:.2f} s (target < 2 s); 80,000 lines: {two:.2f} s "
        f"= {two / one:.2f}× (linear: about 2×)"
    )


if __name__ == "__main__":
    import django

    django.setup()
    main()
