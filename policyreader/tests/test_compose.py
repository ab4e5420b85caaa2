"""docker-compose.yml starts with its own defaults: the settings accept them.

The environment of the app and worker services is read from docker-compose.yml
(PyYAML resolves the ``&app-environment`` anchor the worker reuses), its
``${VAR:-default}`` references are filled in as ``docker compose`` fills them
from a minimal ``.env`` (only the variables compose requires), and the settings
module is loaded with the result, as the containers load it: ``manage.py check
--deploy`` must pass. The security defaults must be the settings' own, so a
deployment behaves as .env.example documents.
"""

from __future__ import annotations

import re

import pytest
import yaml

from .test_settings import ROOT, manage

COMPOSE = ROOT / "docker-compose.yml"
# What the comment at the top of docker-compose.yml asks to put in .env.
MINIMAL_DOTENV = {
    "SECRET_KEY": "k" * 20 + "-compose-secret-key-for-the-check-0123456789",
    "POSTGRES_PASSWORD": "composepassword1",
}
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
_REFERENCE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, dotenv: dict[str, str]) -> str:
    """``value`` with its variable references filled in as docker compose does."""

    def fill(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        given = dotenv.get(name)
        unset = given is None or (given == "" and op and op.startswith(":"))
        if op and op.endswith("?") and unset:
            raise KeyError(f"{name}: {arg}")
        if op and op.endswith("-") and unset:
            return arg
        return given or ""

    return _REFERENCE.sub(fill, value.replace("$$", "\0")).replace("\0", "$")


def service_environment(service: str, dotenv: dict[str, str]) -> dict[str, str]:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    environment = compose["services"][service]["environment"]
    return {name: interpolate(str(value), dotenv) for name, value in environment.items()}


def settings_values(names: list[str], **env) -> dict[str, str]:
    """The settings' values (their repr) under ``env``, read by ``manage.py shell``."""
    code = "from django.conf import settings as s; " + "; ".join(
        f"print('setting', {name!r}, repr(getattr(s, {name!r}, None)))" for name in names
    )
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    lines = [line.split(" ", 2) for line in result.stdout.splitlines()]
    return {line[1]: line[2] for line in lines if line[0] == "setting"}


def test_the_worker_runs_with_the_apps_environment():
    assert service_environment("worker", MINIMAL_DOTENV) == service_environment(
        "app", MINIMAL_DOTENV
    )


def test_a_required_variable_missing_stops_compose_as_it_says():
    with pytest.raises(KeyError, match="SECRET_KEY"):
        service_environment("app", {"POSTGRES_PASSWORD": "x"})


@pytest.mark.parametrize("service", ["app", "worker"])
def test_the_settings_accept_composes_defaults(service):
    env = service_environment(service, MINIMAL_DOTENV)
    assert env["SECURE_HSTS_PRELOAD"] == "0"
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "ANONYMOUS_READ",
    "MAX_SOURCE_BYTES",
]


def test_composes_security_defaults_are_the_settings_own():
    """Compose sets these explicitly; each value must be what the settings give
    in production (DEBUG=0) when the variable is not set at all."""
    env = service_environment("app", MINIMAL_DOTENV)
    composed = settings_values(SECURITY_SETTINGS, **env)
    bare = {k: v for k, v in env.items() if k not in SECURITY_SETTINGS}
    assert composed == settings_values(SECURITY_SETTINGS, **bare)


def test_preload_set_in_dotenv_needs_a_years_max_age():
    env = service_environment("app", {**MINIMAL_DOTENV, "SECURE_HSTS_PRELOAD": "1"})
    result = manage("check", **env)
    assert result.returncode != 0 and "SECURE_HSTS_PRELOAD" in result.stderr
    year = {**MINIMAL_DOTENV, "SECURE_HSTS_PRELOAD": "1", "SECURE_HSTS_SECONDS": "31536000"}
    env = service_environment("app", year)
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert settings_values(["SECURE_HSTS_PRELOAD"], **env) == {"SECURE_HSTS_PRELOAD": "True"}
