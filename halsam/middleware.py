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
