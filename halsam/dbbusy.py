"""A busy database is a 503 with Retry-After, not a 500.

With SQLite (``make run``) one transaction writes at a time; the others wait for the lock
up to ``DATABASE_SQLITE_TIMEOUT`` seconds (``halsam/settings.py``). A request that waited
longer than that (a mail server answering slowly inside a notice's transaction, a big
import) gets "database is locked". Its transaction has rolled back (and the files it
stored are gone, ``halsam.files``), so the honest answer is "busy, try again", in
Swedish, with ``Retry-After``; the error is logged as a warning, not mailed as a crash.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
BUSY_MESSAGES = ("database is locked", "database table is locked")


def is_database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "the write lock stayed taken" (nothing else)."""
    return isinstance(exc, OperationalError) and any(m in str(exc) for m in BUSY_MESSAGES)


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        log.warning("database busy, answered 503: %s %s (%s)", request.method,
                    request.path, exception)
        # The standalone error template: no context processors, so no further query.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
