"""Import throughput and peak memory on a 10 MB synthetic corpus built from the seeds.

    .venv/bin/python bench/ingest.py [--mb 10]

The corpus: copies of the four 2024 Opinion seeds, each with 1% of its Han
characters substituted at random (so every file is a distinct copy, as real
copies are), until it holds 10 MB. Two figures:

1. the text pipeline alone (decode, clean, locate, segment): characters per
   second and MB per second, and its peak Python memory (tracemalloc) for the
   largest single file it may take (MAX_SOURCE_BYTES of repeated text) as a
   multiple of that file's size;
2. the whole import into PostgreSQL (pipeline + alignment + writes), in a
   scratch test database that is dropped afterwards.

3. a law-sized corpus (issue 7): the six laws of ``clauses/tests/fixtures/corpus/laws``
   (LawRefBook Markdown, 69–125 articles each), each copied with 1% of its Han
   characters substituted until the corpus holds ``--law-mb`` MB: pipeline
   throughput, and the import of the 2023 立法法 (48 KB, 120 articles) into an
   empty PostgreSQL database, first copy and second copy.

Targets (issues 2 and 7): at least 1 MB of text per second; peak memory under
10× the input; a 60 KB law of 120 articles imported in under 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyreader.settings")

DEMO = ROOT / "clauses" / "demo"
LAWS = ROOT / "clauses" / "tests" / "fixtures" / "corpus" / "laws"
# Real documents circulate in a handful of copies; every import re-collates
# the units it touches across all copies of its document.
COPIES_PER_DOCUMENT = 5
OPINION_SEEDS = ["000", "001", "003", "004"]


def build_corpus(megabytes: float, seed: int = 7, texts: list[str] | None = None) -> list[bytes]:
    rng = random.Random(seed)
    seeds = texts or [
        next(DEMO.glob(f"{name}_*.txt")).read_text(encoding="utf-8") for name in OPINION_SEEDS
    ]
    han = "产业工人队伍建设改革意见技能劳动"
    files, total = [], 0
    while total < megabytes * 1024 * 1024:
        text = list(seeds[len(files) % len(seeds)])
        for _ in range(len(text) // 100):
            i = rng.randrange(len(text))
            if "\u4e00" <= text[i] <= "\u9fff":
                text[i] = rng.choice(han)
        data = "".join(text).encode("utf-8")
        files.append(data)
        total += len(data)
    return files


def law_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(LAWS.glob("*-*.md"))]


def bench_pipeline(files: list[bytes]) -> None:
    from clauses.text.pipeline import prepare

    chars = sum(len(f.decode("utf-8")) for f in files)
    size = sum(len(f) for f in files)
    start = time.perf_counter()
    units = 0
    for data in files:
        units += len(prepare(data).units)
    elapsed = time.perf_counter() - start
    mb = size / 1048576
    print(f"corpus: {len(files)} files, {mb:.1f} MB, {chars:,} characters, {units:,} units")
    print(
        f"pipeline: {elapsed:.2f} s, {chars / elapsed:,.0f} characters/s, "
        f"{size / 1048576 / elapsed:.2f} MB/s (target ≥ 1 MB/s)"
    )


def bench_memory(limit: int) -> None:
    from clauses.text.pipeline import prepare

    one = next(DEMO.glob("003_*.txt")).read_bytes()  # the largest seed, traditional with glosses
    data = (one + b"\n") * (limit // (len(one) + 1))
    tracemalloc.start()
    start = time.perf_counter()
    prepared = prepare(data)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"largest file: {len(data) / 1048576:.1f} MB, {len(prepared.units):,} units, "
        f"{elapsed:.2f} s (under tracemalloc); peak memory {peak / 1048576:.1f} MB "
        f"= {peak / len(data):.1f}× the input (target < 10×)"
    )


@contextmanager
def scratch_database():
    """A test database on the configured server, dropped afterwards."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def bench_import(files: list[bytes]) -> None:
    with scratch_database():
        from clauses.ingest import SourceMeta, import_source
        from clauses.models import Document

        size = sum(len(f) for f in files)
        chars = sum(len(f.decode("utf-8")) for f in files)
        start = time.perf_counter()
        for i, data in enumerate(files):
            if i % COPIES_PER_DOCUMENT == 0:
                document = Document.objects.create(slug=f"bench-{i}", title=f"bench {i}")
            import_source(data, SourceMeta(), document=document, accept_cuts=True)
        elapsed = time.perf_counter() - start
        print(
            f"import into PostgreSQL: {len(files)} sources in {elapsed:.2f} s, "
            f"{chars / elapsed:,.0f} characters/s, {size / 1048576 / elapsed:.2f} MB/s"
        )


def bench_law_import() -> None:
    law = (LAWS / "lifa-2023.md").read_bytes()
    second = build_corpus(len(law) / 1048576, seed=11, texts=[law.decode("utf-8")])[0]
    with scratch_database():
        from clauses.ingest import SourceMeta, import_source

        for label, data in (("first copy", law), ("second copy", second)):
            start = time.perf_counter()
            result = import_source(data, SourceMeta(), accept_cuts=True)
            elapsed = time.perf_counter() - start
            units = result.source.readings.count()
            print(
                f"law import ({label}): {len(data) / 1024:.0f} KB, {units} units, "
                f"{elapsed:.2f} s (target < 2 s)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    parser.add_argument("--law-mb", type=float, default=5.0, help="law corpus size in MB")
    parser.add_argument("--no-db", action="store_true", help="skip the PostgreSQL import")
    args = parser.parse_args()
    files = build_corpus(args.mb)
    print("— the 2024 Opinion's copies —")
    bench_pipeline(files)
    print("— laws —")
    bench_pipeline(build_corpus(args.law_mb, texts=law_texts()))
    limit = int(os.environ.get("MAX_SOURCE_BYTES", 5 * 1024 * 1024))
    bench_memory(limit)
    if not args.no_db:
        bench_import(files)
        bench_law_import()


if __name__ == "__main__":
    main()
