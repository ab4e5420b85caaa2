"""Benchmark: the merge engine alone (``clauses.text.collate.add_witness``) for
the 20th copy of ``bench/ingest.py``'s 200 KB synthetic text.

Run from the repository root:

    .venv/bin/python bench/merge.py

Input: the 200 KB text and 19 copies with 1% of their characters replaced
(``ingest.synthetic`` and ``ingest.vary``, as ``bench/ingest.py`` imports
them), read by the pipeline into units. Each unit's stored sites are those
``consensus`` gives for the 19 copies, written as the database hands them to
the engine (``clauses.collation.stored_site``); the
20th copy's reading is then merged into every unit. No database: CPU seconds
(``time.process_time``) of seven rounds, min and median, and how many units
the engine leaves to the full collation.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyreader.settings")

import django  # noqa: E402

django.setup()

import ingest as bench  # noqa: E402

from clauses.collation import stored_site  # noqa: E402
from clauses.text import collate as engine  # noqa: E402
from clauses.text.pipeline import prepare  # noqa: E402

ROUNDS = 7


def cases() -> list[tuple[str, list[tuple], dict[str, str], str]]:
    """Per unit: (canonical text, its stored sites as the database's rows, the
    19 readings, the 20th's)."""
    text = bench.synthetic(200 * 1024, seed=3, title="关于某某试点工作的实施方案")
    copies = [text] + [bench.vary(text, seed=1000 + n) for n in range(2, 21)]
    units = [[u.text for u in prepare(c.encode()).units] for c in copies]
    sigla = [f"S{i:02d}" for i in range(20)]
    out = []
    for k in range(min(len(u) for u in units)):
        readings = {sigla[i]: units[i][k] for i in range(19)}
        collated = engine.consensus(readings)
        rows = [
            (
                s.start,
                s.end,
                s.type,
                s.tie,
                s.likely_ocr,
                json.dumps([list(p) for p in s.ocr_pairs], ensure_ascii=False),
                json.dumps(s.readings, ensure_ascii=False),
            )
            for s in collated.sites
        ]
        out.append((collated.text, rows, readings, units[19][k]))
    return out


def merge_all(units) -> tuple[float, int]:
    """CPU seconds to merge the 20th reading into every unit, and the units left
    to the full collation (the engine returned None)."""
    voters = [f"S{i:02d}" for i in range(20)]
    started, full = time.process_time(), 0
    for text, rows, readings, new in units:
        sites = [stored_site(*row) for row in rows]
        merged = engine.add_witness(text, sites, "S19", new, readings=readings, voters=voters)
        if merged is None:
            full += 1
        else:
            for site in merged:
                site.readings.get("S19")  # what clauses.collation._merge_sites reads
    return time.process_time() - started, full


def main() -> None:
    units = cases()
    sites = sum(len(rows) for _t, rows, _r, _n in units)
    times = []
    for _ in range(ROUNDS):
        seconds, full = merge_all(units)
        times.append(seconds)
    print(
        f"the 20th 200 KB copy merged into {len(units)} units ({sites:,} stored sites): "
        f"min {min(times):.3f} s, median {statistics.median(times):.3f} s of CPU "
        f"({ROUNDS} rounds); {full} units left to the full collation"
    )


if __name__ == "__main__":
    main()
