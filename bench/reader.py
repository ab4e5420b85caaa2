"""Server time of the reader page and the queue: the 2024 Opinion with its four
copies, then with ten.

    .venv/bin/python bench/reader.py [--requests 50]

In a scratch test database (created, loaded with the demo, dropped afterwards),
the pages are requested through django.test.Client: 3 warm-ups, then N timed
requests for each variant. Prints the median and the 95th percentile in ms and
the size of the HTML. The ten copies: the demo's four, and six more made from
the Opinion's seeds with 1% of their Han characters changed, varying the seed
(as ``bench/ingest.py``'s ``build_corpus`` does).

Targets: p95 < 50 ms for four copies (issue 4); with ten copies (issue 9), the
reader under 150 ms and 1.5 MB of HTML, the queue under 150 ms.
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

READ = "/documents/2024-yijian/read/"
QUEUE = "/documents/2024-yijian/queue/"
EXTRA_COPIES = 6


def variants(n: int, sigla: list[str]) -> list[tuple[str, str, float]]:
    """(name, URL, target p95 in ms) of the pages to time with ``n`` copies."""
    every = "&".join(f"s={g}" for g in sigla)
    if n == 4:
        return [
            ("4 copies, side by side", READ + "?s=A&s=B&s=C&s=D", 50),
            ("4 copies, apparatus", READ + "?view=apparatus", 50),
            ("4 copies, as printed", READ + "?orig=1", 50),
            ("4 copies, htmx fragment", READ, 50),
            ("4 copies, queue", QUEUE, 150),
        ]
    return [
        (f"{n} copies, default (4 shown)", READ, 150),
        (f"{n} copies, all side by side", f"{READ}?{every}", 150),
        (f"{n} copies, apparatus", READ + "?view=apparatus", 150),
        (f"{n} copies, htmx fragment", f"{READ}?{every}", 150),
        (f"{n} copies, queue", QUEUE, 150),
    ]


def extra_copies(n: int) -> list[bytes]:
    """``n`` more copies of the Opinion, each from a different random seed."""
    sys.path.insert(0, str(ROOT / "bench"))
    from ingest import build_corpus

    return [build_corpus(0.01, seed=100 + i)[0] for i in range(n)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(client, url: str, n: int, headers: dict | None = None) -> list[float]:
    for _ in range(3):
        assert client.get(url, headers=headers or {}).status_code == 200
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, headers=headers or {})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times


def run(client, n: int, requests: int) -> None:
    from clauses.models import Source

    sigla = list(
        Source.objects.filter(document__slug="2024-yijian").values_list("siglum", flat=True)
    )
    for name, url, target in variants(n, sigla):
        headers = {"HX-Request": "true"} if "htmx" in name else None
        size = len(client.get(url, headers=headers or {}).content)
        times = measure(client, url, requests, headers)
        print(
            f"{name:32s} median {statistics.median(times):6.1f} ms   "
            f"p95 {p95(times):6.1f} ms   {size / 1024:5.0f} KB   "
            f"(target p95 < {target:.0f} ms{', < 1.5 MB' if n > 4 and 'queue' not in name else ''})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per variant")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    # No setup_test_environment(): it instruments every template render (a
    # signal and a copy of the context per include), which is test machinery,
    # not server time. The client speaks to the server as "localhost".
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_demo", stdout=io.StringIO())
        from django.contrib.auth.models import User

        from clauses.ingest import SourceMeta, import_source
        from clauses.models import Document

        User.objects.create_user("bench-editor", password="x", is_staff=True)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", SERVER_NAME="localhost")
        client.login(username="bench-editor", password="x")
        run(client, 4, args.requests)
        document = Document.objects.get(slug="2024-yijian")
        for data in extra_copies(EXTRA_COPIES):
            import_source(data, SourceMeta(kind="web"), document=document, accept_cuts=True)
        run(client, document.sources.count(), args.requests)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
