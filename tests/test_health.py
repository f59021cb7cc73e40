"""issue 12 §9: ``/healthz`` checks the database and the broker (halsam/health.py).

Reproduced before: there was no /healthz, and the web healthcheck fetched /admin/login/,
which never touches the database.
"""
from __future__ import annotations

import logging

import pytest
from django.db import OperationalError, connections
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(CELERY_BROKER_URL="")
def test_healthz_answers_200_json_with_database_ok_and_no_session(client):
    """issue 12 §9: 200 JSON; no login, no session cookie, no CSRF cookie (no broker set:
    CI's PostgreSQL stage sets one)."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "broker": "not configured"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert client.get("/healthz/").status_code == 200


def test_healthz_runs_the_select(client, django_assert_num_queries):
    """issue 12 §9: the database is really asked (one query), unlike /admin/login/."""
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200


def test_healthz_database_down_is_503_naming_the_database(client, monkeypatch, caplog):
    """issue 12 §9: a failing database gives 503 naming it, and no ERROR in the log."""
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused (simulated)")

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)
    with caplog.at_level(logging.INFO):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "error: OperationalError"
    assert body["failed"] == "database"
    assert "simulated" not in response.content.decode()  # no details to the world
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_healthz_broker_down_is_503_naming_the_broker(client, free_port, caplog):
    """issue 12 §9: CELERY_BROKER_URL pointing at a port nobody listens on → 503."""
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port}/15"), \
            caplog.at_level(logging.INFO):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
    assert body["failed"] == "broker"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], \
        "a 503 from /healthz must not be logged as an error (django.request)"
    assert [r for r in caplog.records if r.name == "halsam.health"]


@pytest.mark.broker
def test_healthz_broker_up_is_200(client, redis_url):
    """issue 12 §9: with a real Redis broker the check connects and says ok."""
    with override_settings(CELERY_BROKER_URL=redis_url):
        response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_needs_no_allowed_host_and_no_https(client):
    """issue 12 §9: Docker's healthcheck asks http://127.0.0.1:8000/healthz, which the
    production settings (SSL redirect, a real host name) would otherwise refuse."""
    with override_settings(ALLOWED_HOSTS=["halsam.example.se"], SECURE_SSL_REDIRECT=True):
        assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400
        response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200


def test_healthz_refuses_other_methods(client):
    """issue 12 §9: GET and HEAD only; a POST is 405, not a 500."""
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
