"""Time of comparing two versions clause by clause (新旧对照).

    .venv/bin/python bench/compare.py [--requests 20]

In a scratch test database (created, loaded with the demo, dropped
afterwards), the 2016 and 2023 慈善法 and the 2015 and 2023 立法法 are imported
from clauses/tests/fixtures/corpus/laws/. For each pair — the 2017 Plan →
the 2024 Opinion (46 and 39 units), 慈善法 2016 → 2023 (112 → 125 articles,
124 → 138 units), 立法法 2015 → 2023 (105 → 120 articles) — prints, median and
worst of N runs, in ms:

* ``pairing``: ``clauses.comparison.compare_documents`` (the units' queries,
  the similarity matrix, the alignment);
* ``page``: the whole page through django.test.Client, every unit shown;
* ``changes``: the page with ``?changes=1``;
* ``json``: the export.

Targets: under 1 s for the demo documents, under 3 s for two 120-article laws
(every figure; in practice far below).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyreader.settings")
LAWS = ROOT / "clauses" / "tests" / "fixtures" / "corpus" / "laws"


def timed(fn, n: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="timed runs per figure")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_demo", stdout=io.StringIO())
        from clauses.comparison import compare_documents
        from clauses.ingest import SourceMeta, import_source
        from clauses.models import Document

        def law(name: str) -> Document:
            return import_source((LAWS / name).read_bytes(), SourceMeta()).source.document

        pairs = [
            (
                "2017 Plan → 2024 Opinion",
                *Document.objects.filter(slug__in=["2017-fangan", "2024-yijian"]).order_by("date"),
            ),
            ("慈善法 2016 → 2023", law("cishan-2016.md"), law("cishan-2023.md")),
            ("立法法 2015 → 2023", law("lifa-2015.md"), law("lifa-2023.md")),
        ]
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", SERVER_NAME="localhost")
        print(f"{'comparison':26} {'units':>9}  {'median ms':>9} {'worst ms':>9}  figure")
        for name, old, new in pairs:
            units = f"{old.units.count()}→{new.units.count()}"
            url = f"/compare/{old.slug}/{new.slug}/"
            figures = [
                ("pairing", lambda o=old, n=new: compare_documents(o, n)),
                ("page", lambda u=url: client.get(u)),
                ("changes", lambda u=url: client.get(u + "?changes=1")),
                ("json", lambda u=url: client.get(u + "export.json")),
            ]
            for label, fn in figures:
                median, worst = timed(fn, args.requests)
                print(f"{name:26} {units:>9}  {median:9.1f} {worst:9.1f}  {label}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
