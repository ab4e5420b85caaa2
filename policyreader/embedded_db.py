"""Embedded PostgreSQL for development and tests, via pgserver.

When DATABASE_URL is unset, settings use :func:`database_settings`. It returns a
DATABASES entry whose ENGINE, ``policyreader.dbbackend``, is Django's PostgreSQL
backend plus one step: the first time a process opens a connection (or runs
dbshell) it calls :func:`start`, which starts the server (or attaches to the one
already running on the same data directory) and fills in the socket directory
as HOST. Commands that never query the database (check, collectstatic,
makemessages) therefore never start it.

* The server is started with ``cleanup_mode=None``: it keeps running after the
  process exits, so the next manage.py command, runserver's autoreloader child
  or a pytest run attaches in milliseconds. ``make db-stop`` stops it.
* Several processes may start at once: a file lock next to the data directory
  serialises the check-and-start, and pgserver reuses a running server.
* It listens only on a unix socket inside the data directory (or a short
  runtime directory when that path is too long for a socket), never on TCP.
* pytest-django creates ``test_postgres`` on the same server.
* As root, pgserver runs PostgreSQL as a system user ``pgserver`` it creates.
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

ENGINE = "policyreader.dbbackend"

_lock = threading.Lock()
_uris: dict[Path, str] = {}


def database_settings(data_dir: Path | str) -> dict:
    """The DATABASES entry for the embedded server; HOST is filled in on first use."""
    return {
        "ENGINE": ENGINE,
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "EMBEDDED_DATA_DIR": str(Path(data_dir).expanduser().resolve()),
    }


def start(data_dir: Path | str) -> str:
    """Start or attach to the server for ``data_dir``; return its URI. Once per process."""
    data_dir = Path(data_dir).expanduser().resolve()
    with _lock:
        uri = _uris.get(data_dir)
        if uri is None:
            uri = _start(data_dir)
            _uris[data_dir] = uri
        return uri


def connection_settings(uri: str) -> dict:
    """Django NAME/USER/PASSWORD/HOST/PORT from a pgserver URI.

    pgserver hands out unix-socket URIs such as
    ``postgresql://postgres:@/postgres?host=/path/to/socket/dir``.
    """
    parts = urlsplit(uri)
    host = parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
    return {
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
    }


def _start(data_dir: Path) -> str:
    import fasteners

    with warnings.catch_warnings():
        # platformdirs warns at import time when XDG_RUNTIME_DIR is unset.
        warnings.simplefilter("ignore")
        import pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(data_dir.parent / f".{data_dir.name}.lock")):
        _remove_stale_pid_file(data_dir)
        _repair_handle_list(data_dir)
        if not (data_dir / "postmaster.pid").exists():
            logger.info("Starting the embedded PostgreSQL server in %s", data_dir)
        server = pgserver.get_server(data_dir, cleanup_mode=None)
        return server.get_uri()


def _repair_handle_list(data_dir: Path) -> None:
    """Reset pgserver's list of attached processes when it is not valid JSON.

    pgserver keeps the pids of the processes using a server in
    ``.handle_pids.json`` and rewrites it on every start and exit; a process
    killed while writing it leaves the file empty, and every later start then
    fails with a ``JSONDecodeError``. The list only decides when pgserver may
    stop the server (never here: ``cleanup_mode=None``), so an unreadable list
    is replaced by an empty one. Only called while holding the start lock.
    """
    import json

    path = data_dir / ".handle_pids.json"
    try:
        json.loads(path.read_text())
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        logger.info("Resetting %s (not valid JSON)", path)
        path.write_text("[]")


def _remove_stale_pid_file(data_dir: Path) -> None:
    """Drop a postmaster.pid left by a server that is gone (say, after a reboot).

    pgserver trusts any live process with that pid, so a pid reused by an
    unrelated process would make it skip starting the server. Only called while
    holding the start lock.
    """
    import psutil

    pid_file = data_dir / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return
    try:
        process = psutil.Process(pid)
        if process.name() == "postgres" and str(data_dir) in " ".join(process.cmdline()):
            return
    except psutil.AccessDenied:
        return  # cannot tell: leave it to PostgreSQL
    except psutil.NoSuchProcess:
        pass
    logger.info("Removing stale %s (pid %s is not its server)", pid_file, pid)
    pid_file.unlink(missing_ok=True)


def stop(data_dir: Path | str) -> bool:
    """Stop the server for ``data_dir`` (``make db-stop``); False when none was running."""
    import os
    import subprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    data_dir = Path(data_dir).expanduser().resolve()
    if not (data_dir / "postmaster.pid").exists():
        print(f"No embedded PostgreSQL running in {data_dir}.")
        return False
    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    try:
        pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    except subprocess.CalledProcessError as error:
        print(f"pg_ctl could not stop the server in {data_dir}: {error.stderr or error}")
        return False
    print(f"Stopped the embedded PostgreSQL in {data_dir}.")
    return True
