"""Project middleware: refuse unreadable input, answer 503 while the database is down.

``RejectUnreadableInputMiddleware`` stands before the session, the locale and
CSRF middleware, so a NUL byte or text that is not UTF-8 anywhere in a
request (see :func:`policyreader.inputs.request_problem`) is answered with a
400 page in the request's language (JSON under /annotations/) before
anything reads it. ``DatabaseUnavailableMiddleware`` turns a view's
``OperationalError``/``InterfaceError`` into 503 with ``Retry-After``;
``policyreader.errors.server_error`` does the same for errors outside views
(the session middleware, say).
"""

from __future__ import annotations

import logging

from django.utils import translation

from .errors import DATABASE_DOWN, bad_request_response, database_unavailable, request_language
from .inputs import request_problem

logger = logging.getLogger("policyreader")


class RejectUnreadableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(request_language(request)):
            problem = request_problem(request)
        if problem is not None:
            logger.info("400 for %s %r: %s", request.method, request.path_info[:200], problem)
            return bad_request_response(request, problem)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error("503 for %s %s: %s", request.method, request.path_info[:200], exception)
            return database_unavailable(request)
        return None
