"""Project middleware: refuse unreadable input (and give a 405 the app's error
page), answer 503 while the database is down,
send anonymous visitors to sign in when reading needs an account.

``RejectUnreadableInputMiddleware`` stands before the session, the locale and
CSRF middleware, so a NUL byte or text that is not UTF-8 anywhere in a
request (see :func:`policyreader.inputs.request_problem`) is answered with a
400 page in the request's language (JSON under /annotations/) before
anything reads it. ``DatabaseUnavailableMiddleware`` turns a view's
``OperationalError``/``InterfaceError`` into 503 with ``Retry-After``;
``policyreader.errors.server_error`` does the same for errors outside views
(the session middleware, say).

``ReadingRequiresSignInMiddleware`` is Django's ``LoginRequiredMiddleware``,
switched on and off by ``settings.ANONYMOUS_READ`` at request time: with it
off, every view except those marked ``login_not_required`` (sign-in, password
reset, the annotation API, which answers 401 itself), the admin (which has its
own sign-in) and the language switch redirects anonymous visitors to the
sign-in page. Static files never reach it (WhiteNoise serves them first).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.utils import translation
from django.views.i18n import set_language

from .errors import (
    DATABASE_DOWN,
    bad_request_response,
    database_unavailable,
    method_not_allowed,
    request_language,
)
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
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            # require_POST and friends answer an empty body: a blank page.
            return method_not_allowed(request, response)
        return response


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


class ReadingRequiresSignInMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.ANONYMOUS_READ or request.user.is_authenticated:
            return None
        if view_func is set_language:
            return None
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
