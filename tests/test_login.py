"""Logins at /accounts/ (halsam/accounts.py): log in and out, password reset by e-mail,
throttling with django-axes, and the one navigation of templates/base.html."""
from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from governance import services as gov
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups
from tests.conftest import choose_language
from tests.governance.factories import UserFactory

PASSWORD = "ett-riktigt-hemligt-losen-42"


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read the English source texts: the visitor chose English."""
    choose_language(client, "en")


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    user = UserFactory(username="ledamot", email="ledamot@exempel.invalid")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client: Client, password: str, *, ip: str = "10.0.0.1", username: str = "ledamot"):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_login_page_and_login_lands_on_the_start_page(client, user):
    """After logging in, /start/ sends the login to its role's page (portal/start.py;
    tests/portal/test_start.py has every role); without a role, /start/ itself."""
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/start/"


def test_login_honours_next(client, user):
    response = client.post("/accounts/login/?next=/samordning/",
                           {"username": "ledamot", "password": PASSWORD,
                            "next": "/samordning/"}, REMOTE_ADDR="10.0.0.1")
    assert response.headers["Location"] == "/samordning/"


def test_logout_is_a_post(client, user):
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You are logged out" in response.content.decode()
    assert client.get("/mina-sidor/").status_code == 302


def test_password_reset_by_email(client, user, django_capture_on_commit_callbacks):
    assert client.get("/accounts/password_reset/").status_code == 200
    # Queued, then sent after commit (halsam/password_reset.py).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/",
                               {"email": "ledamot@exempel.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    new = "ett-annat-hemligt-losen-43"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_does_not_tell_whether_an_address_exists(client, db):
    response = client.post("/accounts/password_reset/", {"email": "ingen@exempel.invalid"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_five_failures_lock_out_that_user_from_that_address(client, user, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _n in range(4):
        assert _login(client, "fel").status_code == 200
    locked = _login(client, "fel")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed logins" in html and "15 minutes" in html
    # Even the right password is refused now, from that address …
    assert _login(client, PASSWORD).status_code == 429
    # … but the same user from another address, and another user, may still log in.
    assert _login(Client(), PASSWORD, ip="10.0.0.2").status_code == 302
    other = UserFactory(username="annan")
    other.set_password(PASSWORD)
    other.save()
    assert _login(Client(), PASSWORD, username="annan").status_code == 302
    assert AccessAttempt.objects.filter(username="ledamot").exists()


def test_admin_login_is_throttled_too(client, user):
    user.is_staff = True
    user.save()
    for _n in range(5):
        response = client.post("/admin/login/", {"username": "ledamot", "password": "fel"},
                               REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429


# --- the one navigation -----------------------------------------------------------------

def _nav(client: Client) -> str:
    html = client.get("/dokument/").content.decode()
    return html[html.index("<nav"):html.index("</nav>")]


def test_navigation_by_role(client, db):
    groups = ensure_role_groups()
    anonymous = _nav(client)
    assert "Log in" in anonymous and "My pages" not in anonymous
    assert "/admin/" not in anonymous

    member = UserFactory(username="medlem")
    gov.person_create(actor=None, first_name="Mia", last_name="Medlem", user=member)
    client.force_login(member)
    nav = _nav(client)
    assert 'href="/mina-sidor/"' in nav and "Log out" in nav
    assert "/samordning/" not in nav and "/redaktion/" not in nav and "/admin/" not in nav

    editor = UserFactory(username="redaktor", is_staff=True)
    editor.groups.add(groups[EDITOR_GROUP])
    client.force_login(editor)
    nav = _nav(client)
    assert 'href="/redaktion/"' in nav and 'href="/admin/"' in nav
    assert "/mina-sidor/" not in nav and "/samordning/" not in nav

    coordinator = UserFactory(username="koordinator", is_staff=True)
    coordinator.groups.add(groups[COORDINATOR_GROUP])
    client.force_login(coordinator)
    nav = _nav(client)
    assert 'href="/samordning/"' in nav and 'href="/samordning/plan/"' in nav
    assert 'href="/admin/"' in nav and "/redaktion/" not in nav
    assert 'aria-current="true"' in nav  # the register is the current section
