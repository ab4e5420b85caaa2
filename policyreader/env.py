"""Read configuration from the environment, failing loudly on bad values.

Every setting that may differ between a laptop, CI and production is read here
through one of these helpers. A value that cannot be parsed raises
ImproperlyConfigured naming the variable, so a typo stops the process at start
instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    """The variable's value stripped of surrounding blanks; None when unset or empty."""
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small: the minimum is {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks around items and empty items are dropped."""
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


# A host name (``policy.example.org``, ``localhost``), a domain and its subdomains
# (``.example.org``), an IPv4 address, an IPv6 address in brackets, or ``*``:
# what Django's ALLOWED_HOSTS takes (django.http.request.validate_host).
_HOST = re.compile(r"\*|\.?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\]")


def env_hosts(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of host names for ALLOWED_HOSTS. Raises
    ImproperlyConfigured for an item that is not a host (a scheme, a port, a path,
    a space), which Django would otherwise take silently and never match."""
    hosts = env_list(name, default)
    for host in hosts:
        if not _HOST.fullmatch(host):
            raise ImproperlyConfigured(
                f"{name}: {host!r} is not a host name. Give names or addresses only, "
                "comma-separated, without scheme, port or path "
                "(e.g. policy.example.org,192.168.1.20,[::1])."
            )
    return hosts


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    return default if value is None else Path(value).expanduser().resolve()


def load_dotenv(path: Path) -> None:
    """Load KEY=VALUE lines from an optional .env file.

    Variables already set in the environment win. Lines may start with
    ``export``; ``#`` starts a comment line; one pair of surrounding single or
    double quotes is removed from a value. Nothing is expanded.
    """
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {line!r}.")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key, value)
