"""Fixtures shared by all tests: real services that may or may not be on the machine.

PostgreSQL and Redis are looked for on 127.0.0.1 (override with
``HALSAM_TEST_POSTGRES_URL`` and ``HALSAM_TEST_REDIS_URL``); a test that needs one
which does not answer is skipped and says why. The ordinary test database is
pytest-django's business: with ``DATABASE_URL`` pointing at PostgreSQL, pytest-django
creates ``test_<name>`` there as usual.
"""
from __future__ import annotations

import contextlib
import os
import re
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

POSTGRES_URL = os.environ.get(
    "HALSAM_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("HALSAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

# Environment variables the settings read (every ``env.<cast>("NAME"`` in them, so a
# new variable is covered without touching this file); a subprocess that should see the
# defaults must not inherit them from whoever runs the tests.
SETTINGS_FILES = [BASE_DIR / "halsam" / "settings.py",
                  BASE_DIR / "halsam" / "settings_production.py"]
ENV_READ = re.compile(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
SETTINGS_ENV_PREFIXES = ("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "HALSAM_", "REDIS_")


def env_vars_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in SETTINGS_FILES:
        names |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1",
                                       parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def _redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379),
                                      timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a PostgreSQL server's maintenance database; skips where none answers."""
    if not _answers(POSTGRES_URL, 5432):
        pytest.skip(f"PostgreSQL does not answer at {urlsplit(POSTGRES_URL).netloc} "
                    "(set HALSAM_TEST_POSTGRES_URL to point at one)")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a Redis database for broker tests; skips where none answers."""
    if not _redis_answers(REDIS_URL):
        pytest.skip(f"Redis does not answer at {urlsplit(REDIS_URL).netloc} "
                    "(set HALSAM_TEST_REDIS_URL to point at one)")
    return REDIS_URL


@pytest.fixture
def scratch_postgres_db(postgres_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards."""
    import psycopg

    name = f"halsam_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(postgres_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def clean_env() -> dict[str, str]:
    """The current environment without any variable the settings read."""
    read = env_vars_read_by_settings()
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(SETTINGS_ENV_PREFIXES) and key not in read
    }
    env["PYTHONPATH"] = str(BASE_DIR)
    return env


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """The directory of the running interpreter's scripts (manage.py, gunicorn, celery)."""
    return Path(sys.executable).parent


@contextlib.contextmanager
def celery_eager() -> Iterator[None]:
    """Tasks run in the test process even when CELERY_BROKER_URL is set (CI's second run):
    the tests check what a task does; the real broker and worker are tested in
    tests/meetings/test_worker.py with worker subprocesses. Fixtures wider than a test
    (the demo, built once per module) use this themselves: the autouse fixture below is
    not active yet when they run."""
    from halsam.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _celery_eager_in_tests():
    with celery_eager():
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters in the cache (the password reset throttle) start at zero in each test."""
    from django.core.cache import cache

    cache.clear()
    yield


def choose_language(client, code: str) -> None:
    """What the language switcher does: the language cookie (halsam/middleware.py)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code


def close_response(response) -> None:
    """Close a test client's response (file responses hold their file open) without
    losing the database connection.

    Closing sends ``request_finished``, whose ``close_old_connections`` would close the
    connection inside the test's transaction on PostgreSQL (with ``CONN_MAX_AGE``); the
    test client disconnects it the same way around its own requests.
    """
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
