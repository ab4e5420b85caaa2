"""Benchmark: the TEI and CSV exports of a collation (clauses/export_tei.py).

Run from the repository root:

    .venv/bin/python bench/export.py                  # 2,000 units, 12 copies
    .venv/bin/python bench/export.py --units 500 --copies 30

Input: the demo seed 000 cut into sentences, repeated up to ``--units`` units;
each copy substitutes, omits or adds a character now and then, and some copies
lack units (so the file has lacunae). The units are collated by the engine
(``consensus``, not timed); then the TEI file is built, every witness rebuilt
from it (and checked), and the CSV apparatus written. Prints seconds and sizes.
No database: the exports' own cost, without the five queries of the views.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyreader.settings")

import django  # noqa: E402

django.setup()

from clauses.export_tei import (  # noqa: E402
    TeiDocument,
    TeiSite,
    TeiUnit,
    TeiWitness,
    apparatus_csv,
    build_tei,
    rebuild,
)
from clauses.text.collate import consensus  # noqa: E402

SEED = ROOT / "clauses" / "demo" / "000_c9edb019b37ed2a8.txt"


def sentences() -> list[str]:
    text = SEED.read_text("utf-8")
    return [s for s in re.split(r"(?<=[。；])", re.sub(r"\s+", "", text)) if len(s) > 8]


def damage(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.choice((0, 0, 1, 2))):
        i = rng.randrange(len(chars))
        op = rng.choice(("sub", "om", "add"))
        if op == "sub":
            chars[i] = rng.choice("的了和与及或在对")
        elif op == "om":
            del chars[i]
        else:
            chars.insert(i, rng.choice("的了和与"))
    return "".join(chars)


def make_units(n: int, copies: int, seed: int = 7) -> list[TeiUnit]:
    rng = random.Random(seed)
    pool = sentences()
    sigla = [f"W{i}" for i in range(1, copies + 1)]
    units = []
    for k in range(n):
        base = pool[k % len(pool)]
        readings = {s: damage(base, rng) for s in sigla if rng.random() > 0.08}
        result = consensus(readings, sigla)
        sites = [
            TeiSite(s.start, s.end, s.type, s.readings, result.text[s.start : s.end], s.tie)
            for s in result.sites
        ]
        units.append(TeiUnit(f"c{k + 1}", "clause", result.text, readings, sites, label=""))
    return units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--copies", type=int, default=12)
    args = parser.parse_args()
    units = make_units(args.units, args.copies)
    witnesses = [TeiWitness(f"W{i}") for i in range(1, args.copies + 1)]
    doc = TeiDocument("bench", "基准测试文件")
    sites = sum(len(u.sites) for u in units)
    chars = sum(len(u.canonical) for u in units)
    print(f"{len(units)} units, {args.copies} copies, {sites} sites, {chars} characters")

    print("(wall seconds, then CPU seconds of this process: they differ on a busy machine)")

    data, wall, cpu = timed(build_tei, doc, witnesses, units)
    print(f"TEI build    {wall:8.3f} s {cpu:8.3f} s   {len(data) / 1e6:6.2f} MB")

    got, wall, cpu = timed(rebuild, data)
    wrong = sum(got[u.xml_id] != dict(u.readings) for u in units)
    print(f"TEI rebuild  {wall:8.3f} s {cpu:8.3f} s   {wrong} units rebuilt wrong")

    text, wall, cpu = timed(apparatus_csv, doc, witnesses, units)
    rows = text.count("\n") - 1
    size = len(text.encode()) / 1e6
    print(f"CSV          {wall:8.3f} s {cpu:8.3f} s   {rows} rows, {size:6.2f} MB")


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


if __name__ == "__main__":
    main()
