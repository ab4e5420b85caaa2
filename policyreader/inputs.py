"""What the app accepts as text in a request, and a JSON parser with limits.

PostgreSQL cannot store NUL (U+0000) and UTF-8 cannot encode a lone
surrogate (U+D800–U+DFFF), so a string holding either would fail deep in a
view (a 500) if it reached a query. ``request_problem`` finds such input
anywhere in a request (path, query string, form fields, JSON body, headers)
for :class:`policyreader.middleware.RejectUnreadableInputMiddleware`, which
answers 400 before any view runs. ``loads_json`` parses a JSON body with a
nesting limit and the same rule for every string (keys included), so the API
never recurses without bound or stores what it cannot read back.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.utils.translation import gettext as _

#: Deepest nesting of arrays and objects a JSON body may have.
JSON_MAX_DEPTH = 32

JSON_TYPES = ("application/json", "application/ld+json")
FORM_TYPE = "application/x-www-form-urlencoded"

# A JSON string literal (escapes included); what is left between them is structure.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class UnreadableInput(ValueError):
    """The request holds text the app cannot read or store; the message says where."""


class JsonSyntaxError(UnreadableInput):
    """Well-formed text, but not JSON: for the view to answer in its own terms."""


def bad_text(value: str) -> bool:
    """True when ``value`` holds NUL or cannot be encoded as UTF-8 (a lone surrogate)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_bytes(raw: bytes) -> bool:
    """True when ``raw`` holds NUL or is not valid UTF-8."""
    if b"\x00" in raw:
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _bad_encoded(text: str) -> bool:
    """True when a percent-encoded string (a query string, a form body) decodes to bytes
    that hold NUL or are not UTF-8. ``&`` and ``=`` are ASCII, which never occurs inside
    a multi-byte sequence, so decoding the whole string checks every name and value."""
    return bad_bytes(unquote_to_bytes(text.replace("+", " ")))


def _check_json_depth(text: str) -> None:
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > JSON_MAX_DEPTH:
                raise UnreadableInput(
                    _("The JSON is nested too deeply (at most %(max)s levels).")
                    % {"max": JSON_MAX_DEPTH}
                )
        else:
            depth -= 1


def _check_json_strings(value) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if bad_text(item):
                raise UnreadableInput(
                    _("The JSON holds a NUL character or a lone surrogate, which cannot be stored.")
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads_json(raw: bytes | str):
    """Parse a JSON body: UTF-8, at most ``JSON_MAX_DEPTH`` levels deep, no NUL and no
    lone surrogate in any string. Raises :class:`UnreadableInput` with a message."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableInput(_("The JSON is not valid UTF-8.")) from None
    else:
        text = raw
    _check_json_depth(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # The parser's own message is English: say where, in the user's language.
        raise JsonSyntaxError(
            _("The JSON cannot be read: an error at line %(line)s, column %(column)s.")
            % {"line": exc.lineno, "column": exc.colno}
        ) from None
    except (ValueError, RecursionError):
        raise JsonSyntaxError(_("The JSON cannot be read.")) from None
    _check_json_strings(data)
    return data


def _content_type(request) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()


def request_problem(request) -> str | None:
    """What in ``request`` the app cannot read or store, as a message; None when nothing.

    Checked: the path (NUL, bytes that are not UTF-8), the query string and a
    urlencoded body (the same, after percent-decoding), every field and file
    name of a multipart body, a JSON body (``loads_json``), and every HTTP
    header and cookie. Uploaded files' contents are not text and are
    not checked.
    """
    try:  # under WSGI the path as sent (Django re-quotes bytes that are not UTF-8)
        raw_path = get_bytes_from_wsgi(request.META, "PATH_INFO", "")
    except UnicodeEncodeError:  # under ASGI PATH_INFO is decoded text already
        raw_path = b""
    if bad_bytes(raw_path) or bad_text(request.path_info):
        return _("The address holds a NUL character or bytes that are not UTF-8.")
    if _bad_encoded(request.META.get("QUERY_STRING", "")):
        return _("The query string holds a NUL character or bytes that are not UTF-8.")
    for name, value in request.META.items():
        if (name.startswith("HTTP_") or name == "CONTENT_TYPE") and isinstance(value, str):
            if bad_text(value):
                return _("A header of the request holds a NUL character.")
    # A quoted cookie value may spell a NUL as \000, which only parsing reveals.
    if any(bad_text(k) or bad_text(v) for k, v in request.COOKIES.items()):
        return _("A cookie of the request holds a NUL character.")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    kind = _content_type(request)
    if kind == FORM_TYPE:
        if _bad_encoded(request.body.decode("latin-1")):
            return _("A form field holds a NUL character or bytes that are not UTF-8.")
    elif kind == "multipart/form-data":
        names = [*request.POST.keys(), *request.FILES.keys()]
        values = [v for key in request.POST for v in request.POST.getlist(key)]
        values += [f.name or "" for key in request.FILES for f in request.FILES.getlist(key)]
        if any(bad_text(s) for s in names + values):
            return _("A form field holds a NUL character or a lone surrogate.")
    elif kind in JSON_TYPES and request.body:
        try:
            loads_json(request.body)
        except JsonSyntaxError:
            return None  # the view answers that in its own terms
        except UnreadableInput as exc:
            return str(exc)
    return None


def next_url(request, default: str) -> str:
    """Where to go after a form: the posted (or queried) ``next`` when it is a
    URL of this site (Django's ``url_has_allowed_host_and_scheme``), else
    ``default``. Never an address elsewhere (no open redirect)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
