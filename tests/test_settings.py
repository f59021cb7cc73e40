"""Configuration from the environment: one-machine defaults and the production path.

Each settings module is evaluated in a subprocess with a controlled environment, since
settings are read once per process.
"""
from __future__ import annotations

import json
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = str(BASE_DIR / "manage.py")

READ_SETTINGS = textwrap.dedent("""
    import json, os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[1]
    import django
    django.setup()
    from django.conf import settings
    names = sys.argv[2:]
    print(json.dumps({name: getattr(settings, name) for name in names}, default=str))
""")


def read_settings(env: dict[str, str], *names: str,
                  module: str = "halsam.settings") -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS, module, *names],
        env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def default_env(clean_env, tmp_path):
    """No configuration at all, except a data folder of the test's own."""
    if (BASE_DIR / ".env").is_file():
        pytest.skip("a .env file in the project folder supplies settings; the defaults "
                    "cannot be observed")
    return {**clean_env, "HALSAM_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def production_env(clean_env, tmp_path):
    return {
        **clean_env,
        "HALSAM_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "halsam.settings_production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "halsam.example.se",
    }


def test_defaults_are_one_machine_sqlite_eager_console_swedish(default_env, tmp_path):
    values = read_settings(
        default_env, "DEBUG", "DATABASES", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER",
        "EMAIL_BACKEND", "LANGUAGE_CODE", "LANGUAGES", "TIME_ZONE", "USE_TZ",
        "CELERY_TIMEZONE", "MEDIA_ROOT",
    )
    assert values["DEBUG"] is False
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "data" / "halsam.sqlite3"
    assert values["CELERY_BROKER_URL"] == ""
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["LANGUAGE_CODE"] == "sv"
    assert [code for code, _name in values["LANGUAGES"]] == ["sv", "en"]
    assert values["TIME_ZONE"] == values["CELERY_TIMEZONE"] == "Europe/Stockholm"
    assert values["USE_TZ"] is True
    assert Path(values["MEDIA_ROOT"]) == tmp_path / "data" / "media"


def test_sqlite_database_opens_in_a_data_folder_that_does_not_exist_yet(default_env, tmp_path):
    """A fresh clone has no data/ folder: the settings create it, so migrate can run."""
    data_dir = tmp_path / "data"
    assert not data_dir.exists()
    script = ("import django; django.setup(); from django.db import connection; "
              "connection.ensure_connection(); print(connection.settings_dict['NAME'])")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**default_env, "DJANGO_SETTINGS_MODULE": "halsam.settings"},
        cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (data_dir / "halsam.sqlite3").is_file()


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("0", False),
                                             ("false", False)])
def test_debug_only_when_asked(default_env, value, expected):
    values = read_settings({**default_env, "DJANGO_DEBUG": value}, "DEBUG")
    assert values["DEBUG"] is expected


def test_database_url_switches_to_postgresql(default_env):
    env = {**default_env, "DATABASE_URL": "postgres://halsam:s3cret@db.example:5433/halsam",
           "DATABASE_CONN_MAX_AGE": "30"}
    database = read_settings(env, "DATABASES")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "halsam", "halsam", "s3cret")
    assert (database["HOST"], int(database["PORT"])) == ("db.example", 5433)
    assert database["CONN_MAX_AGE"] == 30
    assert database["CONN_HEALTH_CHECKS"] is True


def test_celery_broker_url_turns_off_eager_tasks(default_env):
    env = {**default_env, "CELERY_BROKER_URL": "redis://redis.example:6379/0"}
    values = read_settings(env, "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")
    assert values == {"CELERY_BROKER_URL": "redis://redis.example:6379/0",
                      "CELERY_TASK_ALWAYS_EAGER": False}


def test_email_url_switches_to_smtp(default_env):
    env = {**default_env, "EMAIL_URL": "smtp+tls://sender:p%40ss@mail.example:587"}
    values = read_settings(env, "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT",
                           "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS")
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "sender",
        "EMAIL_HOST_PASSWORD": "p@ss", "EMAIL_USE_TLS": True,
    }


def test_the_mail_catcher_url_of_docker_compose_is_plain_smtp(default_env):
    values = read_settings({**default_env, "EMAIL_URL": "smtp://mailpit:1025"},
                           "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS")
    assert values == {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                      "EMAIL_HOST": "mailpit", "EMAIL_PORT": 1025, "EMAIL_USE_TLS": False}


def test_the_beat_schedule_names_only_registered_tasks(default_env):
    """A misspelt task name in the schedule would only show up in the worker's log."""
    script = textwrap.dedent("""
        import django, json
        django.setup()
        from django.conf import settings
        from halsam.celery import app
        app.loader.import_default_modules()
        from documents.tasks import BEAT_SCHEDULE as DOCUMENTS
        from meetings.tasks import BEAT_SCHEDULE
        BEAT_SCHEDULE = {**BEAT_SCHEDULE, **DOCUMENTS}
        print(json.dumps({"scheduled": sorted(e["task"] for e in
                                              settings.CELERY_BEAT_SCHEDULE.values()),
                          "registered": sorted(app.tasks),
                          "meetings_in_step": all(
                              settings.CELERY_BEAT_SCHEDULE.get(key) == entry
                              for key, entry in BEAT_SCHEDULE.items())}))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**default_env, "DJANGO_SETTINGS_MODULE": "halsam.settings"},
        cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    tasks = json.loads(result.stdout)
    assert tasks["scheduled"], "the beat schedule is empty"
    assert set(tasks["scheduled"]) <= set(tasks["registered"])
    assert tasks["meetings_in_step"], "the tasks modules' BEAT_SCHEDULE differs from settings"


def test_production_settings_pass_check_deploy_without_warnings(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr.upper()


def test_production_settings_are_hardened(production_env):
    values = read_settings(
        production_env, "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "STORAGES", "ALLOWED_HOSTS",
        module="halsam.settings_production",
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage")
    assert values["ALLOWED_HOSTS"] == ["halsam.example.se"]


def test_production_debug_stays_off_even_when_asked(production_env):
    values = read_settings({**production_env, "DJANGO_DEBUG": "1"}, "DEBUG",
                           module="halsam.settings_production")
    assert values["DEBUG"] is False


@pytest.mark.parametrize("key", [None, "django-insecure-halsam-development-key-not-for-production",
                                 "too-short-a-key"])
def test_production_settings_refuse_a_missing_insecure_or_short_secret_key(production_env, key):
    env = dict(production_env)
    if key is None:
        env.pop("DJANGO_SECRET_KEY")
    else:
        env["DJANGO_SECRET_KEY"] = key
    result = manage(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_models_and_migrations_agree(default_env):
    result = manage({**default_env, "DJANGO_SETTINGS_MODULE": "halsam.settings"},
                    "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
