"""The portal is Swedish whatever the browser asks for; English only when chosen
(halsam/middleware.py)."""
from __future__ import annotations

import pytest

from tests.conftest import choose_language


@pytest.mark.django_db
def test_an_english_browser_gets_the_swedish_portal(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="sv"' in html
    assert "Logga in" in html


@pytest.mark.django_db
def test_the_language_switcher_chooses_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert 'lang="en"' in html and "Log in" in html
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert 'lang="sv"' in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_swedish(client):
    choose_language(client, "xx")
    assert 'lang="sv"' in client.get("/accounts/login/").content.decode()
