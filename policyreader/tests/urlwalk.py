"""Every URL pattern of the site, found by walking the resolver, as fillable templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# A regex pattern's named groups, e.g. admin's (?P<app_label>auth|clauses).
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    template: str  # "/documents/{slug}/u/{key}/"
    arguments: tuple[tuple[str, str], ...]  # ((name, converter), ...)
    view_name: str

    def fill(self, values: dict[str, str]) -> str:
        """The path with each argument replaced by ``values[name]`` (already encoded)."""
        return self.template.format(**{n: values[n] for n, _c in self.arguments})

    def __str__(self) -> str:
        return self.template


def _piece(pattern, arguments: list) -> str | None:
    """A pattern's part of the path as a format template; None for a regex we cannot fill."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route).replace("{", "{{").replace("}", "}}")

        def sub(match):
            arguments.append((match["name"], match["converter"] or "str"))
            return "{" + match["name"] + "}"

        return _ARGUMENT.sub(sub, route)
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")

        def group(match):
            arguments.append((match["name"], "str"))
            return "{" + match["name"] + "}"

        regex = _GROUP.sub(group, regex)
        if re.search(r"[\\()\[\]*+?|]", regex):
            return None
        return regex
    return None


def routes() -> list[Route]:
    """Every URL pattern that a path can be written for (all of the project's own)."""
    found: list[Route] = []

    def walk(patterns, prefix: str, arguments: list, namespace: str):
        for entry in patterns:
            args = list(arguments)
            piece = _piece(entry.pattern, args)
            if piece is None:
                continue
            if isinstance(entry, URLResolver):
                ns = entry.namespace or ""
                walk(
                    entry.url_patterns,
                    prefix + piece,
                    args,
                    f"{namespace}{ns}:" if ns else namespace,
                )
            elif isinstance(entry, URLPattern):
                found.append(
                    Route("/" + prefix + piece, tuple(args), namespace + (entry.name or ""))
                )

    walk(get_resolver().url_patterns, "", [], "")
    return found


def encode(text: str) -> str:
    """``text`` as a client sends it in a path or a query: UTF-8, percent-encoded; a lone
    surrogate becomes the bytes that are not UTF-8 it would be written as."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")
