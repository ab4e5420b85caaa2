"""A bounded load test on loopback: the app under gunicorn, beside a static file.

    .venv/bin/python bench/load.py [--requests 300] [--concurrency 4] [--workers 2]

The app runs under gunicorn (``policyreader.wsgi``, ``--workers`` processes) on
127.0.0.1 at a free port, with the configured database (the embedded server
under var/ by default) holding the demo corpus (``load_demo``, which changes
nothing when it is there already). For each page — the home page, the reader
of the 2024 Opinion, the W3C Web Annotation API's list — and for a static file
of the same bytes as the reader page (served by whitenoise from the same
server), ``--requests`` GETs are sent by ``--concurrency`` threads; printed:
requests per second, the median and the 95th percentile in ms, the size.

Bounded: a fixed number of requests, a 10 s timeout each, loopback only, and
the server is stopped at the end (also on Ctrl-C). It migrates the database
first, as ``make run`` does.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("home page", "/"),
    ("reader, 4 copies", "/documents/2024-yijian/read/"),
    ("annotations API", "/annotations/?document=2024-yijian"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept-Language": "zh-hans", "Host": "localhost"})
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


def hammer(port: int, path: str, requests: int, concurrency: int) -> tuple[float, list[float], int]:
    """(requests per second, latencies in ms, size in bytes) of ``requests`` GETs."""
    latencies: list[float] = []
    lock = threading.Lock()
    left = [requests]
    size = [0]

    def worker():
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            start = time.perf_counter()
            status, length = get(port, path)
            elapsed = (time.perf_counter() - start) * 1000
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
            with lock:
                latencies.append(elapsed)
                size[0] = length

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return requests / (time.perf_counter() - started), latencies, size[0]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    python = sys.executable
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "policyreader.settings"}
    for command in (["migrate", "--no-input"], ["load_demo"]):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = free_port()
    # A static file of the reader page's bytes, served by whitenoise from the
    # app's own static directory (removed at the end).
    static_dir = ROOT / "static" / "bench-load"
    static_dir.mkdir(exist_ok=True)
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "policyreader.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                get(port, "/")
                break
            except OSError:
                time.sleep(0.2)
        status, _size = get(port, PAGES[1][1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", PAGES[1][1], headers={"Host": "localhost"})
        body = conn.getresponse().read()
        conn.close()
        with tempfile.NamedTemporaryFile(dir=static_dir, suffix=".html", delete=False) as f:
            f.write(body)
            static_path = f"/static/bench-load/{Path(f.name).name}"
        rows = [*PAGES, ("static file, same bytes", static_path)]
        print(
            f"gunicorn, {args.workers} workers, {args.concurrency} clients, "
            f"{args.requests} requests a row, loopback"
        )
        for name, path in rows:
            rate, latencies, size = hammer(port, path, args.requests, args.concurrency)
            print(
                f"{name:26s} {rate:7.1f} req/s   median {statistics.median(latencies):6.1f} ms"
                f"   p95 {p95(latencies):6.1f} ms   {size / 1024:6.0f} KB"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        for f in static_dir.glob("*"):
            f.unlink()
        static_dir.rmdir()


if __name__ == "__main__":
    main()
