"""Reading needs signing in when ``settings.ANONYMOUS_READ`` is off.

Django's ``LoginRequiredMiddleware``, switched on and off by the setting at
request time: with it off, every view except those marked
``login_not_required`` (sign-in, password reset, the annotation API, which
answers 401 itself), the admin (which has its own sign-in) and the language
switch redirects anonymous visitors to the sign-in page. Static files never
reach it (WhiteNoise serves them first).
"""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.views.i18n import set_language


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
