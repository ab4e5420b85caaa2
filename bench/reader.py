"""Server time of the reader page: the 2024 Opinion with its four copies side by side.

    .venv/bin/python bench/reader.py [--requests 50]

In a scratch test database (created, loaded with the demo, dropped afterwards),
the page is requested through django.test.Client: 3 warm-ups, then N timed
requests for each variant. Prints the median and the 95th percentile in ms.

Target (issue 4): p95 < 50 ms for four copies on a 2-core machine.
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

VARIANTS = [
    ("4 copies, side by side", "/documents/2024-yijian/read/?s=A&s=B&s=C&s=D"),
    ("4 copies, apparatus", "/documents/2024-yijian/read/?view=apparatus"),
    ("4 copies, as printed", "/documents/2024-yijian/read/?orig=1"),
    ("4 copies, htmx fragment", "/documents/2024-yijian/read/"),
]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per variant")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_demo", stdout=io.StringIO())
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        size = len(client.get(VARIANTS[0][1]).content)
        print(f"reader page, 2024-yijian, 4 copies: {size / 1024:.0f} KB of HTML")
        for name, url in VARIANTS:
            headers = {"HX-Request": "true"} if "htmx" in name else None
            times = measure(client, url, args.requests, headers)
            print(
                f"{name:26s} median {statistics.median(times):6.1f} ms   "
                f"p95 {p95(times):6.1f} ms   ({args.requests} requests; target p95 < 50 ms)"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
