"""The language of a page: Swedish, unless the visitor chose another one.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language``, so a municipal
employee whose computer runs in English would get an English portal without asking for
it. The portal is Swedish (``LANGUAGE_CODE``); English is there for whoever picks it
with the language switcher, which sets Django's language cookie. So: the cookie, when
it names a language of ``LANGUAGES``, else ``LANGUAGE_CODE``; ``Accept-Language`` is
not consulted.
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            code = translation.get_supported_language_variant(code)
        except LookupError:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


def _holds_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values)
               for key, values in query.lists())


class RefuseNulMiddleware:
    """A NUL character in any query or form parameter is answered 400 (the site's 400
    page) before a view runs.

    No parameter of this site has a use for it, and PostgreSQL refuses it in every text
    comparison, so a search for "a\\x00b" answered 500 (issue 12 §6, found by
    tests/test_fuzz.py on PostgreSQL). Uploaded files are not parameters and are left to
    the upload inspection.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            from django.core.exceptions import BadRequest
            from django.views.defaults import bad_request

            return bad_request(request, BadRequest("NUL in a parameter"))
        return self.get_response(request)
