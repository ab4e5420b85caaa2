"""Production settings: check --deploy is clean, bad values fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-key-for-the-check-0123456789",
    "ALLOWED_HOSTS": "policyreader.example.org",
    "DATABASE_URL": "postgres://app:pw@db.example.org:5432/policyreader",
}


def manage(*args, **env):
    # Only what a production process would have: not the test run's own
    # variables (DJANGO_ALLOW_ASYNC_UNSAFE set for the browser tests, say).
    dropped = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_bad_value_fails_loudly_naming_the_variable():
    result = manage("check", **{**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_sqlite_is_refused():
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": "sqlite:///db.sqlite3"})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr
