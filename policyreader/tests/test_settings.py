"""Production settings: check --deploy is clean, bad values fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

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


# --- HSTS preload: only with a year's max-age, only when asked for ----------------

YEAR = "31536000"


def hsts(**env) -> tuple[subprocess.CompletedProcess, str]:
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    result = manage("shell", "-c", code, **{**PRODUCTION, **env})
    lines = result.stdout.strip().splitlines()
    return result, lines[-1] if lines else ""


def test_hsts_preload_is_off_unless_set():
    result, values = hsts()
    assert result.returncode == 0, result.stderr
    assert values == "3600 True False"
    # A year's max-age alone does not preload either.
    assert hsts(SECURE_HSTS_SECONDS=YEAR)[1] == f"{YEAR} True False"


def test_hsts_preload_needs_a_year_and_subdomains():
    result, _values = hsts(SECURE_HSTS_PRELOAD="1")
    assert result.returncode != 0
    assert "SECURE_HSTS_PRELOAD" in result.stderr and "31536000" in result.stderr
    result, _values = hsts(SECURE_HSTS_PRELOAD="1", SECURE_HSTS_SECONDS="31535999")
    assert result.returncode != 0
    result, _values = hsts(
        SECURE_HSTS_PRELOAD="1", SECURE_HSTS_SECONDS=YEAR, SECURE_HSTS_INCLUDE_SUBDOMAINS="0"
    )
    assert result.returncode != 0
    assert "SECURE_HSTS_INCLUDE_SUBDOMAINS" in result.stderr
    result, values = hsts(SECURE_HSTS_PRELOAD="1", SECURE_HSTS_SECONDS=YEAR)
    assert result.returncode == 0, result.stderr
    assert values == f"{YEAR} True True"


def test_check_deploy_is_clean_with_preload_on():
    env = {**PRODUCTION, "SECURE_HSTS_PRELOAD": "1", "SECURE_HSTS_SECONDS": YEAR}
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_header_says_preload_only_when_set(db, settings):
    # SecurityMiddleware reads its settings when it is made: a new client for each.
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    header = Client().get("/accounts/login/", secure=True)["Strict-Transport-Security"]
    assert header == "max-age=3600; includeSubDomains"
    settings.SECURE_HSTS_SECONDS = int(YEAR)
    settings.SECURE_HSTS_PRELOAD = True
    header = Client().get("/accounts/login/", secure=True)["Strict-Transport-Security"]
    assert header == f"max-age={YEAR}; includeSubDomains; preload"


# --- ALLOWED_HOSTS: from the environment, nonsense refused -----------------------------


def allowed_hosts(**env) -> tuple[subprocess.CompletedProcess, str]:
    code = "from django.conf import settings as s; print('hosts', s.ALLOWED_HOSTS)"
    result = manage("shell", "-c", code, **env)
    lines = [line for line in result.stdout.splitlines() if line.startswith("hosts ")]
    return result, lines[-1][len("hosts ") :] if lines else ""


def test_allowed_hosts_come_from_the_environment():
    # DEBUG=1 without the variable: this machine only.
    result, hosts = allowed_hosts(DEBUG="1", ALLOWED_HOSTS="")
    assert result.returncode == 0, result.stderr
    assert hosts == "['127.0.0.1', 'localhost', '[::1]']"
    # What the README says for `make run HOST=0.0.0.0`: the address other machines use.
    result, hosts = allowed_hosts(DEBUG="1", ALLOWED_HOSTS=" 192.168.1.20, localhost ,[::1]")
    assert result.returncode == 0, result.stderr
    assert hosts == "['192.168.1.20', 'localhost', '[::1]']"
    result, hosts = allowed_hosts(**{**PRODUCTION, "ALLOWED_HOSTS": ".example.org,*"})
    assert hosts == "['.example.org', '*']"


@pytest.mark.parametrize(
    "value",
    [
        "http://policy.example.org",
        "policy.example.org:8000",
        "example.org/reader",
        "a b",
        "[::1]:80",
    ],
)
def test_an_allowed_host_that_is_no_host_name_fails_loudly(value):
    result, _hosts = allowed_hosts(DEBUG="1", ALLOWED_HOSTS=f"localhost,{value}")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr and repr(value) in result.stderr


def test_a_host_not_allowed_is_told_in_the_users_language(db):
    response = Client().get("/", HTTP_HOST="192.168.1.20:8080")
    assert response.status_code == 400
    assert "ALLOWED_HOSTS" in response.content.decode()
    english = Client().get("/", HTTP_HOST="192.168.1.20:8080", HTTP_ACCEPT_LANGUAGE="en")
    assert "does not answer to the host name" in english.content.decode()
