"""issue 12 §8: web hardening. A strict Content-Security-Policy (django-csp), localised
error pages (400, 403, CSRF, 404, 500), 500s reported to ADMINS, and Sentry only when
SENTRY_DSN is set.

Reproduced before: no Content-Security-Policy header; Django's English error pages; a
500 told nobody.
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.template import loader
from django.test import Client
from django.urls import include, path

from tests.conftest import choose_language
from tests.governance.factories import UserFactory
from tests.test_settings import read_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def _boom(request):
    raise RuntimeError("issue 12 §8: an unexpected error")


def _suspicious(request):
    raise SuspiciousOperation("issue 12 §8: a bad request")


def _denied(request):
    raise PermissionDenied


def _ok(request):
    return HttpResponse("<p>ok</p>")


# This module is also the URLconf of the tests marked ``urls(__name__)``.
urlpatterns = [
    path("test-500/", _boom),
    path("test-400/", _suspicious),
    path("test-403/", _denied),
    path("test-ok/", _ok),
    path("", include("halsam.urls")),
]


@pytest.fixture
def default_env(clean_env, tmp_path):
    """No configuration at all (as tests/test_settings.py's fixture of that name)."""
    if (BASE_DIR / ".env").is_file():
        pytest.skip("a .env file in the project folder supplies settings")
    return {**clean_env, "HALSAM_DATA_DIR": str(tmp_path / "data")}


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


# --- Content-Security-Policy ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/login/", "/finns-inte/"])
def test_issue_12_s8_every_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert set(policy[directive]) <= {"'self'"} | {
            s for s in policy[directive] if s.startswith("'nonce-")}
    assert "*" not in response.headers["Content-Security-Policy"]


# Templates served to browsers (the PDF templates are WeasyPrint's, never a web page).
_NOT_FOR_BROWSERS = ("meetings/pdf/", "portal/demo/document.pdf.html", "documents/pdf/")
_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>"),
     "inline <script>"),
    (re.compile(r"<style\b"), "<style> element"),
    (re.compile(r"\sstyle=[\"']"), "style attribute"),
    (re.compile(r"\son[a-z]+=[\"']"), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_issue_12_s8_templates_hold_no_inline_script_style_or_handler():
    """What the policy would block: the site's templates must not need it."""
    found = []
    for template in sorted((BASE_DIR / "templates").rglob("*.html")):
        name = str(template.relative_to(BASE_DIR / "templates"))
        if name.startswith(_NOT_FOR_BROWSERS) or "email/" in name:
            continue
        text = template.read_text(encoding="utf-8")
        for pattern, what in _INLINE:
            if pattern.search(text) and "csp_nonce" not in text:
                found.append(f"{name}: {what}")
    assert found == []


def test_issue_12_s8_python_code_writes_no_style_attributes():
    """Widgets and format_html in the apps: a style attribute would be refused (it was:
    the admin's JSON fields, governance/forms.py)."""
    found = []
    for app in ("halsam", "governance", "meetings", "documents", "portal"):
        for module in sorted((BASE_DIR / app).rglob("*.py")):
            text = module.read_text(encoding="utf-8")
            # {"style": "font-family: …"} or style="…: …" (not an XML namespace's "urn:…")
            if re.search(r"([\"']style[\"']\s*:\s*|\sstyle=\\?)[\"'](?!urn:)[a-z-]+\s*:",
                         text):
                found.append(str(module.relative_to(BASE_DIR)))
    assert found == []


def test_issue_12_s8_static_scripts_do_not_write_style_attributes_or_markup():
    found = []
    for script in sorted((BASE_DIR / "static" / "js").glob("*.js")):
        text = script.read_text(encoding="utf-8")
        for pattern in (r"setAttribute\(\s*['\"]style", r"\.innerHTML\s*=", r"\beval\(",
                        r"new Function\("):
            if re.search(pattern, text):
                found.append(f"{script.name}: {pattern}")
    assert found == []


# --- Error pages -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_issue_12_s8_404_is_swedish_in_the_site_layout(client, settings):
    assert settings.DEBUG is False
    response = client.get("/finns-inte/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Sidan finns inte</h1>" in html and 'lang="sv"' in html
    assert "Gå till startsidan" in html and 'class="site-header"' in html
    choose_language(client, "en")
    assert "Page not found" in client.get("/finns-inte/").content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_issue_12_s8_403_is_swedish_and_offers_the_login_to_the_anonymous(client):
    response = client.get("/test-403/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Åtkomst nekad" in html and "/accounts/login/?next=/test-403/" in html
    client.force_login(UserFactory())
    html = client.get("/test-403/").content.decode()
    assert "Du är inloggad" in html and "?next=" not in html


@pytest.mark.django_db
def test_issue_12_s8_403_of_a_real_page(client):
    client.force_login(UserFactory())
    response = client.get("/samordning/")
    assert response.status_code == 403 and "Åtkomst nekad" in response.content.decode()


@pytest.mark.urls(__name__)
def test_issue_12_s8_400_is_swedish(client):
    response = client.get("/test-400/")
    assert response.status_code == 400
    assert "Begäran kunde inte hanteras" in response.content.decode()


def test_issue_12_s8_bad_host_gives_the_swedish_400(client):
    response = client.get("/", HTTP_HOST="angripare.example")
    assert response.status_code == 400
    assert "Begäran kunde inte hanteras" in response.content.decode()


@pytest.mark.django_db
def test_issue_12_s8_csrf_failure_is_swedish(db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


def test_issue_12_s8_500_renders_without_request_context_processors_or_database():
    """No ``db`` mark: any query would fail the test."""
    html = loader.get_template("500.html").render()
    assert "Något gick fel" in html and "/static/css/site.css" in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_issue_12_s8_500_is_swedish_and_mailed_to_the_admins(settings):
    settings.ADMINS = [("Drift", "drift@exempel.invalid")]
    browser = Client(raise_request_exception=False)
    response = browser.get("/test-500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Något gick fel" in html and "RuntimeError" not in html
    (report,) = mail.outbox
    assert report.to == ["drift@exempel.invalid"]
    assert "/test-500/" in report.subject and "an unexpected error" in report.body


# --- ADMINS and Sentry from the environment ---------------------------------------------

def test_issue_12_s8_admins_from_the_environment(default_env):
    values = read_settings({**default_env, "DJANGO_ADMINS":
                            'Drift <drift@exempel.invalid>, "Berg, Bo" <bo@exempel.invalid>'},
                           "ADMINS")
    assert values["ADMINS"] == [["Drift", "drift@exempel.invalid"],
                                ["Berg, Bo", "bo@exempel.invalid"]]
    assert read_settings(default_env, "ADMINS") == {"ADMINS": []}


def test_issue_12_s8_a_malformed_admins_value_stops_the_start(default_env):
    script = "import django; django.setup()"
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, text=True,
                            capture_output=True, timeout=60, check=False,
                            env={**default_env, "DJANGO_SETTINGS_MODULE": "halsam.settings",
                                 "DJANGO_ADMINS": "drift"})
    assert result.returncode != 0 and "DJANGO_ADMINS" in result.stderr


SENTRY_STATE = textwrap.dedent("""
    import json, sys
    import django
    django.setup()
    loaded = "sentry_sdk" in sys.modules
    client = sys.modules["sentry_sdk"].get_client() if loaded else None
    print(json.dumps({"loaded": loaded,
                      "dsn": client.dsn if client is not None and client.is_active() else None}))
""")


def _sentry_state(env: dict) -> dict:
    import json

    result = subprocess.run([sys.executable, "-c", SENTRY_STATE], cwd=BASE_DIR, text=True,
                            capture_output=True, timeout=60, check=False,
                            env={**env, "DJANGO_SETTINGS_MODULE": "halsam.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_issue_12_s8_sentry_is_not_imported_without_a_dsn(default_env):
    assert _sentry_state(default_env) == {"loaded": False, "dsn": None}


def test_issue_12_s8_sentry_reports_with_a_dsn(default_env):
    pytest.importorskip("sentry_sdk", reason="the optional extra halsam[sentry] is not installed")
    dsn = "https://abc123@sentry.exempel.invalid/42"
    assert _sentry_state({**default_env, "SENTRY_DSN": dsn}) == {"loaded": True, "dsn": dsn}
