"""Error answers that need neither the database nor the session.

Used by the project's middleware and as Django's ``handler400``,
``handler404`` and ``handler500`` (policyreader/urls.py).
Each answer is in the language the request asks for (its language cookie,
else ``Accept-Language``: never the session, which lives in the database),
rendered from a template without a request (so no context processor runs:
no user, no messages, no query); the annotation API and other JSON
addresses get ``{"error": message}``.

While the database cannot be reached (``OperationalError`` or
``InterfaceError`` from a view, a middleware or a template) the answer is
503 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger("policyreader")

#: Seconds a client is asked to wait before trying again while the database is down.
RETRY_AFTER_SECONDS = 30

#: What the database driver raises when the server cannot be reached or went away.
DATABASE_DOWN = (OperationalError, InterfaceError)

_JSON_SUFFIXES = (".json", ".jsonld")


def wants_json(request) -> bool:
    """The annotation API, the JSON exports, requests that send JSON (the
    study-set API's ``POST /studies/``), and clients that ask for JSON and not HTML."""
    path = getattr(request, "path_info", "") or ""
    if path.startswith("/annotations/") or path.endswith(_JSON_SUFFIXES):
        return True
    if request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower() == "application/json":
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return "json" in accept and "html" not in accept


def request_language(request) -> str:
    """The language the request asks for, without touching the session."""
    try:
        return translation.get_language_from_request(request)
    except Exception:  # a hostile cookie or header never stops an error page
        return translation.get_language() or "zh-hans"


def error_response(
    request, status: int, template: str, message=None, context=None, **headers
) -> HttpResponse:
    """``template`` (or JSON) with ``message`` in the request's language.

    ``message`` is a callable returning the text, or text already translated;
    it is called with the request's language active.
    """
    with translation.override(request_language(request)):
        text = message() if callable(message) else message
        if wants_json(request):
            response = JsonResponse(
                {"error": str(text or status)},
                status=status,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            body = render_to_string(
                template, {"message": text, "status": status, **(context or {})}
            )
            response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
        response["Content-Language"] = translation.get_language()
    for name, value in headers.items():
        response[name.replace("_", "-")] = str(value)
    response["Vary"] = "Accept-Language, Cookie"
    return response


def bad_request_response(request, message=None) -> HttpResponse:
    return error_response(request, 400, "400.html", message)


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the database cannot be reached."""
    return error_response(
        request,
        503,
        "503.html",
        # The same figure as the Retry-After header and the page (503.html).
        lambda: (
            ngettext(
                "The database cannot be reached at the moment. Try again in %(seconds)s second.",
                "The database cannot be reached at the moment. Try again in %(seconds)s seconds.",
                RETRY_AFTER_SECONDS,
            )
            % {"seconds": RETRY_AFTER_SECONDS}
        ),
        {"retry_after": RETRY_AFTER_SECONDS},
        Retry_After=RETRY_AFTER_SECONDS,
        Cache_Control="no-store",
    )


def _bad_request_message(exception):
    if isinstance(exception, DisallowedHost):
        # Met first when the server is reached from another machine
        # (`make run HOST=0.0.0.0`): say which setting lets that name in.
        return lambda: _(
            "This server does not answer to the host name it was reached by: "
            "the name must be listed in its ALLOWED_HOSTS setting."
        )
    if isinstance(exception, RequestDataTooBig):
        return lambda: _("The request is too large.")
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return lambda: _("The request has too many fields.")
    return lambda: _("The request could not be read.")


def bad_request(request, exception=None):
    """``handler400``: Django's SuspiciousOperation and BadRequest (a body too large,
    too many fields, a host not allowed …)."""
    return bad_request_response(request, _bad_request_message(exception))


def page_not_found(request, exception=None):
    """``handler404`` (used when ``DEBUG`` is off): JSON for the API and JSON
    addresses, else the app's ``404.html`` in the request's language, naming
    the address asked for (never the exception's text, which is Django's,
    in English)."""
    if wants_json(request):
        return error_response(request, 404, "404.html", lambda: _("Not found."))
    return error_response(
        request,
        404,
        "404.html",
        lambda: _("There is no page at this address."),
        {"request_path": getattr(request, "path", "")},
    )


def server_error(request):
    """``handler500``: 503 when the cause is the database being down, else 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        return database_unavailable(request)
    return error_response(
        request,
        500,
        "500.html",
        lambda: _(
            "Something went wrong on our side. The error has been recorded; please try again later."
        ),
    )


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: the app's 403 page (JSON for the API), in the
    user's language, instead of Django's English page."""
    return error_response(
        request,
        403,
        "403_csrf.html",
        lambda: _(
            "The form's security check failed (it may have been open too long, or cookies are "
            "off). Go back, reload the page and try again."
        ),
    )


def method_not_allowed(request, response) -> HttpResponse:
    """A 405 with Django's empty body made the app's error page (JSON for the
    API) naming the methods allowed; the ``Allow`` header is kept."""
    allowed = response.get("Allow", "")
    answer = error_response(
        request,
        405,
        "405.html",
        lambda: (
            _("This address does not accept a %(method)s request (it accepts: %(allowed)s).")
            % {"method": request.method, "allowed": allowed or "—"}
        ),
    )
    if allowed:
        answer["Allow"] = allowed
    return answer
