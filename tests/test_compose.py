"""issue 12 §9: the docker compose file, the Dockerfile and the documented variables.

Docker does not run on the test machine, so the files are read (PyYAML) and checked
for what the outside probe found wrong: ``.env`` values never reached the containers
(HALSAM_CALENDAR_DOMAIN, EMAIL_URL, AXES_PROXY_COUNT, DJANGO_HSTS_SECONDS …), web was
published on every interface while gunicorn trusted anyone's ``X-Forwarded-*``
(``--forwarded-allow-ips "*"``), and the healthcheck never touched the database.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import env_vars_read_by_settings
from tests.test_settings import read_settings

BASE_DIR = Path(__file__).resolve().parent.parent
README = (BASE_DIR / "README.md").read_text(encoding="utf-8")
COMPOSE_TEXT = (BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
APP_SERVICES = ("migrate", "web", "worker", "beat")
# Set by the compose file whatever .env says: the image's own layout.
FIXED_BY_COMPOSE = {"DJANGO_SETTINGS_MODULE", "HALSAM_DATA_DIR", "DJANGO_MEDIA_ROOT"}
# Documented, and read by something other than the Django settings.
READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE": "Django", "FORWARDED_ALLOW_IPS": "gunicorn"}

_VAR = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::?[-?]((?:[^{}]|\$\{[^}]*\})*))?\}")


def interpolate(value: str, environ: dict[str, str] | None = None) -> str:
    """Compose's ${NAME:-default} with an empty shell and no .env (nested defaults too)."""
    environ = environ or {}
    previous = None
    while previous != value:
        previous = value
        value = _VAR.sub(lambda m: environ.get(m.group(1)) or (m.group(2) or ""), value)
    return value


def _table_vars(heading: str) -> set[str]:
    section = README.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", section, flags=re.MULTILINE))


def test_interpolate_follows_compose():
    """Guards the helper below: defaults, nested defaults, and values that win."""
    assert interpolate("${A:-x}") == "x"
    assert interpolate("${A:-p://u:${B:-pw}@h}") == "p://u:pw@h"
    assert interpolate("${A:-p://u:${B:-pw}@h}", {"B": "s"}) == "p://u:s@h"
    assert interpolate("${A:-x}", {"A": "y"}) == "y"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_app_container_reads_the_env_file(service):
    """issue 12 §9: .env reaches the containers (env_file, optional)."""
    env_files = COMPOSE["services"][service]["env_file"]
    assert {"path": ".env", "required": False} in env_files


@pytest.mark.parametrize("service", APP_SERVICES)
def test_no_documented_variable_is_overridden_against_the_env_file(service):
    """issue 12 §9: `environment:` beats env_file, so every documented variable it sets
    must come from ${NAME…} (which reads .env and the shell first), e.g. EMAIL_URL."""
    documented = _table_vars("Configuration")
    environment = COMPOSE["services"][service]["environment"]
    hard_coded = {name for name, value in environment.items()
                  if name in documented and name not in FIXED_BY_COMPOSE
                  and not str(value).startswith("${" + name)}
    assert not hard_coded, f"{service} ignores .env for {sorted(hard_coded)}"


def test_web_and_mail_ui_listen_on_localhost_by_default():
    """issue 12 §9: :8000 was published on all interfaces."""
    for service, port in (("web", "8000"), ("mailpit", "8025")):
        for mapping in COMPOSE["services"][service]["ports"]:
            host, host_port, container_port = interpolate(mapping).split(":")
            assert (host, host_port, container_port) == ("127.0.0.1", port, port), mapping
    web = COMPOSE["services"]["web"]["ports"][0]
    assert interpolate(web, {"HALSAM_BIND": "0.0.0.0"}).startswith("0.0.0.0:")


def test_forwarded_headers_are_trusted_only_from_a_configured_proxy():
    """issue 12 §9: gunicorn ran with --forwarded-allow-ips "*"."""
    web = COMPOSE["services"]["web"]
    assert "--forwarded-allow-ips" not in web["command"]
    assert interpolate(web["environment"]["FORWARDED_ALLOW_IPS"]) == "127.0.0.1"
    assert "forwarded-allow-ips" not in DOCKERFILE
    assert '"*"' not in COMPOSE_TEXT and '"*"' not in DOCKERFILE


def test_healthchecks_use_healthz():
    """issue 12 §9: the web healthcheck fetched /admin/login/, never the database."""
    services = COMPOSE["services"]
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in web_check and "admin" not in web_check
    # The image's HEALTHCHECK asks the web process; the other app containers replace it.
    match = re.search(r"^HEALTHCHECK .*\n(?:.*\\\n)*.*$", DOCKERFILE, flags=re.MULTILINE)
    assert match and "http://127.0.0.1:8000/healthz" in match.group(0)
    assert "celery" in " ".join(services["worker"]["healthcheck"]["test"])
    for name in ("migrate", "beat"):
        assert services[name]["healthcheck"] == {"disable": True}, name


def test_every_variable_read_by_settings_is_documented_and_vice_versa():
    """issue 12 §9: README "Configuration" and the settings name the same variables."""
    documented = _table_vars("Configuration")
    read = env_vars_read_by_settings()
    assert not read - documented, f"undocumented: {sorted(read - documented)}"
    stale = documented - read - set(READ_ELSEWHERE)
    assert not stale, f"documented but read by nothing: {sorted(stale)}"


def test_every_variable_the_compose_file_reads_is_documented():
    """issue 12 §9: each ${NAME} of docker-compose.yml is in one of README's tables."""
    used = {m.group(1) for m in _VAR.finditer(COMPOSE_TEXT)}
    documented = _table_vars("Configuration") | _table_vars("The production shape")
    assert not used - documented, f"undocumented: {sorted(used - documented)}"


def test_the_image_installs_the_hashed_lock():
    """issue 12 §9: the Dockerfile installs exactly the locked versions."""
    assert re.search(r"pip install[^\n]*--require-hashes[^\n]*-r", DOCKERFILE)
    assert "HALSAM_LOCK=requirements.lock" in DOCKERFILE
    for lock in ("requirements.lock", "requirements-demo.lock", "requirements-dev.lock"):
        text = (BASE_DIR / lock).read_text(encoding="utf-8")
        assert "--hash=sha256:" in text, lock
    assert "faker==" not in (BASE_DIR / "requirements.lock").read_text().lower()


def test_production_settings_ignore_x_forwarded_proto_unless_told(clean_env, tmp_path):
    """issue 12 §9: SECURE_PROXY_SSL_HEADER and axes' proxy count only when configured."""
    env = {**clean_env, "HALSAM_DATA_DIR": str(tmp_path / "data"),
           "DJANGO_SECRET_KEY": "k" * 64, "DJANGO_ALLOWED_HOSTS": "halsam.example.se"}
    names = ("SECURE_PROXY_SSL_HEADER", "AXES_IPWARE_META_PRECEDENCE_ORDER")
    values = read_settings(env, *names, module="halsam.settings_production")
    assert values == {"SECURE_PROXY_SSL_HEADER": None,
                      "AXES_IPWARE_META_PRECEDENCE_ORDER": ["REMOTE_ADDR"]}
    values = read_settings({**env, "DJANGO_TRUST_X_FORWARDED_PROTO": "1",
                            "AXES_PROXY_COUNT": "1"}, *names,
                           module="halsam.settings_production")
    assert values == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
                      "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR",
                                                            "REMOTE_ADDR"]}


def test_make_venv_and_ci_use_the_lock_and_run_restore_load_and_python_313():
    """issue 12 §9/§10: CI installs exactly the locked versions (make venv) and runs the
    restore test on both databases, the short load test and the suite on Python 3.13."""
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"pip install[^\n]*--require-hashes[^\n]*-r requirements-dev\.lock",
                     makefile)
    assert re.search(r"^lock:", makefile, flags=re.MULTILINE)
    assert "--generate-hashes" in makefile
    ci = (BASE_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/restore_test.sh sqlite" in ci and "scripts/restore_test.sh postgres" in ci
    assert "scripts/load_test.py --users 10 --duration 15" in ci
    assert "BASE_PYTHON=\"$py313\"" in ci
    pyproject = (BASE_DIR / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.11,<3.14"' in pyproject
