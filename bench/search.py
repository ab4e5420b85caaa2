"""Server time of search.json (and the search page) over 20 documents and 200 copies.

    .venv/bin/python bench/search.py [--requests 30] [--copies 10]

In a scratch test database (created, filled, dropped afterwards): 20
documents from the project's own texts (the demo's 2024 Opinion and 2017
Plan, the laws and pages of ``clauses/tests/fixtures/corpus``, then gov.cn
pages), each imported first as it is and then ``--copies - 1`` more times with
1% of its Han characters changed, a different seed each time
(``bench/ingest.py``'s ``vary``): 200 copies. Then 300 notes by three users
(private, shared and public), written through ``annotations.services``.

Each query is asked through ``django.test.Client`` as a signed-in user: 3
warm-ups, then N timed requests. Prints the median and the 95th percentile in
ms, the hits, and the same for all queries together; and the CPU time a
request takes (this process and the database backend serving it), which the
other processes on a shared machine do not inflate as they do the wall time.
Target: p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyreader.settings")

DEMO = ROOT / "clauses" / "demo"
CORPUS = ROOT / "clauses" / "tests" / "fixtures" / "corpus"
DOCUMENTS = 20
TARGET_MS = 100

QUERIES = [
    ("1 char", "的"),
    ("1 char", "工"),
    ("1 char", "法"),
    ("2 chars", "工人"),
    ("2 chars", "劳动"),
    ("2 chars", "就业"),
    ("phrase", "产业工人队伍建设改革"),
    ("phrase", "用人单位应当"),
    ("phrase", "县级以上人民政府"),
    ("phrase", "工匠，培养"),
    ("traditional", "工匠培養"),
    ("traditional", "勞動合同"),
    ("traditional", "產業工人隊伍"),
    ("nowhere", "量子纠缠"),
]


def candidates() -> list[Path]:
    """Files to make documents from, in the order they are tried."""
    files = [next(DEMO.glob("001_*.txt")), next(DEMO.glob("002_*.txt"))]
    files += sorted((CORPUS / "laws").glob("*-*.md"))
    files += sorted((CORPUS / "pages").glob("d*.txt"))
    files += sorted((CORPUS / "govcn").glob("g*.html"))
    return files


def build(copies: int) -> None:
    from ingest import vary

    from clauses.ingest import SourceMeta, import_source
    from clauses.models import Document
    from clauses.text.pipeline import IngestError

    kinds = ["official", "newspaper", "web", "other"]
    started = time.perf_counter()
    firsts = []
    for path in candidates():
        if len(firsts) == DOCUMENTS:
            break
        before = Document.objects.count()
        try:
            result = import_source(
                path.read_bytes(), SourceMeta(kind="official", filename=path.name), accept_cuts=True
            )
        except (IngestError, UnicodeDecodeError):
            continue
        if Document.objects.count() > before:
            firsts.append((path, result.source.document))
    for path, document in firsts:
        text = path.read_bytes().decode("utf-8", errors="strict")
        for i in range(1, copies):
            for attempt in range(5):  # a change may hit a date: then it is another version
                data = vary(text, seed=1000 + 100 * attempt + i).encode("utf-8")
                try:
                    import_source(
                        data,
                        SourceMeta(kind=kinds[i % len(kinds)], filename=f"{i}-{path.name}"),
                        document=document,
                        accept_cuts=True,
                    )
                    break
                except IngestError as error:
                    last = error
            else:
                print(f"  skipped a copy of {path.name}: {last}")
    print(
        f"built {Document.objects.count()} documents, "
        f"{sum(d.sources.count() for d in Document.objects.all())} copies "
        f"in {time.perf_counter() - started:.0f} s"
    )


def add_notes(n: int) -> list:
    from django.contrib.auth.models import User

    from annotations.services import create_note
    from clauses.models import Unit
    from policyreader.roles import assign_role

    users = []
    for name in ("bench-a", "bench-b", "bench-c"):
        u = User.objects.create_user(name, password="x")
        assign_role(u, "annotator")
        users.append(u)
    rng = random.Random(5)
    units = list(Unit.objects.exclude(canonical="").only("pk", "canonical", "document_id"))
    for i in range(n):
        unit = rng.choice(units)
        start = rng.randrange(max(1, len(unit.canonical) - 12))
        create_note(
            users[i % 3],
            unit,
            body=f"笔记{i}：{unit.canonical[start : start + 12]}，值得注意。",
            visibility=("private", "shared", "public")[i % 3],
        )
    return users


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def backend_cpu() -> float:
    """CPU seconds the database server process serving this connection has used
    (Linux ``/proc``; the embedded server runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(client, url: str, n: int, status: int = 200) -> tuple[list[float], dict, float]:
    """``(wall ms of each request, the last answer, mean CPU ms a request)``: the CPU
    of this process (the app) and of the database backend, which, unlike the
    wall time, does not grow while other processes hold the CPUs."""
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == status, (url, response.content[:200])
    times = []
    cpu, db = time.process_time(), backend_cpu()
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    used = (time.process_time() - cpu) + (backend_cpu() - db)
    data = response.json() if url.startswith("/search.json") and status == 200 else {}
    return times, data, used * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per query")
    parser.add_argument("--copies", type=int, default=10, help="copies of each document")
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database (for --reuse)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time the scratch database kept by --keep"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    old_name = connection.settings_dict["NAME"]
    if args.reuse:
        connection.close()
        connection.settings_dict["NAME"] = connection.creation._get_test_db_name()
    else:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if not args.reuse:
            build(args.copies)
            add_notes(300)
        from django.contrib.auth.models import User

        from clauses.models import Reading, Unit

        users = list(User.objects.filter(username__startswith="bench-").order_by("username"))

        print(f"{Unit.objects.count():,} units, {Reading.objects.count():,} readings, 300 notes")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", SERVER_NAME="localhost")
        client.force_login(users[0])
        # The fixed cost of a request through the middleware, without a search.
        _, _, cpu = measure(client, "/search.json?kind=none&q=x", args.requests, status=400)
        print(f"{'baseline: a 400 answer':25s} CPU {cpu:5.1f} ms a request (no search)")
        every, cpus = [], []
        for kind, q in QUERIES:
            url = "/search.json?" + urlencode({"q": q})
            times, data, cpu = measure(client, url, args.requests)
            every += times
            cpus.append(cpu)
            print(
                f"{kind:12s} {q:12s} median {statistics.median(times):6.1f} ms   "
                f"p95 {p95(times):6.1f} ms   CPU {cpu:5.1f} ms   "
                f"{data['total']:6,} hits {data['counts']}"
            )
        print(
            f"{'all queries':25s} median {statistics.median(every):6.1f} ms   "
            f"p95 {p95(every):6.1f} ms   (target p95 < {TARGET_MS} ms)   "
            f"CPU a request: mean {statistics.mean(cpus):.1f} ms, worst query {max(cpus):.1f} ms"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"(load average {load} on {os.cpu_count()} CPUs while measuring)")
        for q in ("的", "工匠培養"):
            times, _, cpu = measure(client, "/search/?" + urlencode({"q": q}), args.requests)
            print(
                f"page /search/ {q:12s} median {statistics.median(times):6.1f} ms   "
                f"p95 {p95(times):6.1f} ms   CPU {cpu:5.1f} ms"
            )
    finally:
        if not (args.keep or args.reuse):
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
