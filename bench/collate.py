"""Benchmark: the collation engine against CollateX-Python 2.3.

Run from the repository root:

    .venv/bin/python bench/collate.py                 # engine vs CollateX, 30k synthetic unit
    .venv/bin/python bench/collate.py --big-collatex  # + CollateX on one ~3,300-char unit
                                                      #   (100-300 s, ~2.3 GB)
    .venv/bin/python bench/collate.py --show 13       # print the sites of clause (十三)

Input: the 2024 Opinion in four copies (seeds 000, 001, 003, 004), one unit per
clause (一)…(二十七).  Until the ingestion pipeline is wired in,
:func:`load_units` builds the units itself from the seed files; replacing that
one function is all it takes to bench the real pipeline.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clauses.text.collate import collate, consensus  # noqa: E402

SEEDS = [ROOT / "clauses" / "demo", ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")]
OPINION_COPIES = ("000", "001", "003", "004")

NUMERALS = "一二三四五六七八九十"
GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]+\)")
LABEL = re.compile(r"[(（]([一二三四五六七八九十]{1,3})[)）]")
HEADING = re.compile(r"^\s*#*\s*[一二三四五六七八九十]+、")
PAGE_MARK = re.compile(r"[(（][上下]接第\d+版[)）]")
HALF_TO_FULL = str.maketrans(
    {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}
)


def cn_number(s: str) -> int:
    """一 → 1, 十三 → 13, 二十七 → 27."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
            NUMERALS.index(ones) + 1 if ones else 0
        )
    return NUMERALS.index(s) + 1


def _seed_dir() -> Path:
    for d in SEEDS:
        if d.is_dir() and any(d.glob("000_*.txt")):
            return d
    raise SystemExit("seed files not found in " + ", ".join(map(str, SEEDS)))


def _clean(raw: str, traditional: bool) -> str:
    if traditional:
        import opencc

        raw = GLOSS.sub("", raw)
        raw = opencc.OpenCC("t2s").convert(raw)
    return raw.replace("\r\n", "\n")


def _clauses(text: str) -> dict[int, str]:
    """Clause number → normalized text, from label to the next label."""
    matches = [(cn_number(m.group(1)), m) for m in LABEL.finditer(text)]
    # the longest run of labels counting up by one (a copy may start mid-way,
    # at (六); stray parenthesised numerals elsewhere are skipped)
    hits: list = []
    for s0 in range(len(matches)):
        run = [matches[s0]]
        for n, m in matches[s0 + 1 :]:
            if n == run[-1][0] + 1:
                run.append((n, m))
        if len(run) > len(hits):
            hits = run
    out: dict[int, str] = {}
    for k, (n, m) in enumerate(hits):
        end = hits[k + 1][1].start() if k + 1 < len(hits) else len(text)
        body = text[m.start() : end]
        paras = [p.strip() for p in body.split("\n")]
        if k + 1 == len(hits):  # last clause: stop at its paragraph's end
            paras = paras[:1]
        kept = [p for p in paras if p and not HEADING.match(p) and not p.startswith("#")]
        unit = "".join(kept)
        unit = PAGE_MARK.sub("", unit).replace("\\", "")
        unit = re.sub(r"\s+", "", unit).translate(HALF_TO_FULL)
        out[n] = unit
    return out


def load_units() -> list[dict[str, str]]:
    """One ``{siglum: text}`` per clause of the 2024 Opinion, in clause order."""
    d = _seed_dir()
    per_source: dict[str, dict[int, str]] = {}
    for sig in OPINION_COPIES:
        (path,) = d.glob(f"{sig}_*.txt")
        per_source[sig] = _clauses(
            _clean(path.read_text(encoding="utf-8"), traditional=(sig == "003"))
        )
    numbers = sorted({n for c in per_source.values() for n in c})
    return [{sig: c[n] for sig, c in per_source.items() if n in c} for n in numbers]


def synthetic(n: int = 30_000, sources: int = 5, seed: int = 7) -> dict[str, str]:
    """*sources* copies of one random *n*-char text, each with ~1% random edits."""
    rng = random.Random(seed)
    alphabet = "".join(sorted({ch for u in load_units() for t in u.values() for ch in t}))
    base = "".join(rng.choice(alphabet) for _ in range(n))
    out = {}
    for k in range(sources):
        s = list(base)
        for _ in range(n // 100):
            i = rng.randrange(len(s))
            r = rng.random()
            if r < 0.4:
                s[i] = rng.choice(alphabet)
            elif r < 0.7:
                del s[i]
            else:
                s.insert(i, rng.choice(alphabet))
        out[f"S{k}"] = "".join(s)
    return out


def run_collatex(readings: dict[str, str]):
    from collatex import Collation
    from collatex.core_functions import collate as cx_collate

    c = Collation()
    for sig in sorted(readings):
        c.add_witness({"id": sig, "tokens": [{"t": ch} for ch in readings[sig]]})
    return cx_collate(c, output="table", segmentation=False)


def bench_engine(units, repeat: int = 5) -> tuple[float, float, int]:
    """Best of *repeat* runs: consensus of every unit (several collations
    each), and one plain collation per unit against its first source."""
    t_consensus = t_collate = float("inf")
    n_sites = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n_sites = sum(len(consensus(u).sites) for u in units)
        t_consensus = min(t_consensus, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for u in units:
            collate(u[sorted(u)[0]], u)
        t_collate = min(t_collate, time.perf_counter() - t0)
    return t_consensus, t_collate, n_sites


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--big-collatex", action="store_true", help="also run CollateX on a ~3,300-char unit (slow)"
    )
    ap.add_argument("--no-collatex", action="store_true", help="skip CollateX entirely")
    ap.add_argument("--show", type=int, metavar="N", help="print the consensus sites of clause N")
    args = ap.parse_args(argv)

    units = load_units()
    chars = sum(len(t) for u in units for t in u.values())
    print(f"input: {len(units)} units, {sum(len(u) for u in units)} readings, {chars} characters")

    if args.show:
        u = units[args.show - 1]
        res = consensus(u)
        print(res.text)
        for s in res.sites:
            ocr = " OCR" if s.likely_ocr else ""
            print(
                f"  [{s.start},{s.end}) {s.type}{ocr}: "
                + " | ".join(f"{k}={v!r}" for k, v in s.readings.items())
            )
        return 0

    t_cons, t_coll, n_sites = bench_engine(units)
    print(
        f"engine (best of 5): consensus of all units {t_cons:.4f} s ({n_sites} sites); "
        f"one collation per unit {t_coll:.4f} s"
    )

    if not args.no_collatex:
        t0 = time.perf_counter()
        for u in units:
            run_collatex(u)
        t_cx = time.perf_counter() - t0
        print(f"engine {t_cons:.4f} s, CollateX {t_cx:.2f} s, ratio {t_cx / t_cons:.0f}×")
        print(f"  (one collation per unit: engine {t_coll:.4f} s, ratio {t_cx / t_coll:.0f}×)")

    big = synthetic()
    t0 = time.perf_counter()
    sites = collate(big["S0"], big)
    t_big = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = consensus(big)
    t_big_cons = time.perf_counter() - t0
    print(
        f"synthetic unit 30,000 chars × 5 sources: collate {t_big:.3f} s ({len(sites)} sites), "
        f"consensus {t_big_cons:.3f} s ({len(res.sites)} sites) [target < 1 s]"
    )

    if args.big_collatex:
        # every clause all four copies have, joined (~3,300 characters)
        covered = [u for u in units if set(u) == set(OPINION_COPIES)]
        big_unit: dict[str, str] = {sig: "" for sig in OPINION_COPIES}
        for u in covered:
            for sig in OPINION_COPIES:
                big_unit[sig] += u[sig]
            if len(big_unit[OPINION_COPIES[0]]) >= 3400:
                break
        size = len(big_unit[OPINION_COPIES[0]])
        t0 = time.perf_counter()
        consensus(big_unit)
        t_e = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_collatex(big_unit)
        t_cx = time.perf_counter() - t0
        print(
            f"{size}-char unit × 4: engine {t_e:.3f} s, CollateX {t_cx:.1f} s, "
            f"ratio {t_cx / t_e:.0f}×"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
