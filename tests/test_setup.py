"""The set-up the README promises: its two commands, its configuration table, CI, the
docker-compose shape, and a smoke test of that shape with real processes (gunicorn,
a Celery worker and beat against PostgreSQL and Redis), as docs/operations.md describes.
"""
from __future__ import annotations

import http.client
import json
import re
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import env_vars_read_by_settings

BASE_DIR = Path(__file__).resolve().parent.parent
README = (BASE_DIR / "README.md").read_text(encoding="utf-8")


def test_settings_read_the_variables_this_test_knows_of():
    """Guards the pattern below: it must find the variables, or the next test proves nothing."""
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL",
            "DJANGO_HSTS_SECONDS"} <= env_vars_read_by_settings()


def test_readme_configuration_table_lists_every_variable_the_settings_read():
    in_table = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", README, flags=re.MULTILINE))
    missing = (env_vars_read_by_settings() | {"DJANGO_SETTINGS_MODULE"}) - in_table
    assert not missing, f"README.md's configuration table lacks {sorted(missing)}"


def test_readme_gives_the_two_commands_and_the_makefile_has_them():
    assert "make run" in README and "make test" in README
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, flags=re.MULTILINE)
    assert re.search(r"^test:", makefile, flags=re.MULTILINE)


def test_readme_and_docs_link_only_to_files_that_exist():
    documents = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").glob("*.md"))]
    broken = []
    for document in documents:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (document.parent / target).exists():
                broken.append(f"{document.relative_to(BASE_DIR)} -> {target}")
    assert not broken


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_fails_when_pytest_collects_no_tests(clean_env):
    """pytest's exit code 5 ("no tests ran") must not pass as success."""
    venv = Path(sys.executable).parent.parent
    env = {key: value for key, value in clean_env.items() if not key.startswith("PYTEST_")}
    result = subprocess.run(
        ["make", "--no-print-directory", f"VENV={venv}", "-o", f"{venv}/.installed", "test",
         "PYTEST_WORKERS=0", "PYTEST_ARGS=tests/test_setup.py -k no_test_is_called_this"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert "deselected" in result.stdout, result.stdout + result.stderr
    assert result.returncode != 0
    assert "collected no tests" in result.stderr


def test_ci_script_is_valid_bash_and_strict():
    script = BASE_DIR / ".ci" / "run"
    assert script.read_text(encoding="utf-8").count("set -euo pipefail") == 1
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_docker_compose_runs_the_production_shape():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "mailpit"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in services["web"]["command"]
    assert "halsam.wsgi" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "halsam", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "halsam", "beat"]
    from tests.test_compose import interpolate  # ${NAME:-default} as compose reads it

    for name in ("web", "worker", "beat"):
        env = {k: interpolate(str(v)) for k, v in services[name]["environment"].items()
               if k != "DJANGO_SECRET_KEY"}
        env["DJANGO_SECRET_KEY"] = services[name]["environment"]["DJANGO_SECRET_KEY"]
        assert env["DJANGO_SETTINGS_MODULE"] == "halsam.settings_production"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env[
            "DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert env["EMAIL_URL"] == "smtp://mailpit:1025"
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully")
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "postgres", "redis", "mailpit"):
        assert "healthcheck" in services[name], name
    assert {"postgres", "media"} <= set(compose["volumes"])
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "libpango-1.0-0" in dockerfile and "libpangoft2-1.0-0" in dockerfile


# --- The production shape, for real ---------------------------------------------------


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _get(port: int, path: str, *, https: bool = True) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"X-Forwarded-Proto": "https"} if https else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return (response.status, dict(response.getheaders()),
                response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def _answers(port: int) -> bool:
    try:
        _get(port, "/admin/login/")
    except OSError:
        return False
    return True


@pytest.mark.postgres
@pytest.mark.broker
def test_smoke_production_shape_gunicorn_worker_and_beat(
        scratch_postgres_db, redis_url, free_port, clean_env, tmp_path, venv_bin):
    """The smoke test of docs/operations.md: production settings on PostgreSQL and Redis."""
    queue = f"smoke-{uuid.uuid4().hex[:10]}"
    env = {
        **clean_env,
        "DJANGO_SETTINGS_MODULE": "halsam.settings_production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": scratch_postgres_db,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "HALSAM_DATA_DIR": str(tmp_path / "data"),
    }

    def run(*args: str) -> str:
        result = subprocess.run([*args], cwd=BASE_DIR, env=env, capture_output=True,
                                text=True, timeout=300, check=False)
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout

    python = sys.executable
    run(python, "manage.py", "migrate", "--no-input", "--verbosity", "0")
    run(python, "manage.py", "collectstatic", "--no-input", "--verbosity", "0")
    run(python, "manage.py", "load_structure", "halsam-vasternorrland")

    commands = {
        "gunicorn": [str(venv_bin / "gunicorn"), "halsam.wsgi", "--bind",
                     f"127.0.0.1:{free_port}", "--workers", "2", "--access-logfile", "-"],
        "worker": [str(venv_bin / "celery"), "-A", "halsam", "worker", "--loglevel", "INFO",
                   "--concurrency", "1", "-Q", queue, "-n", f"{queue}@%h"],
        "beat": [str(venv_bin / "celery"), "-A", "halsam", "beat", "--loglevel", "INFO",
                 "--schedule", str(tmp_path / "celerybeat-schedule")],
    }
    logs = {name: tmp_path / f"{name}.log" for name in commands}
    processes: dict[str, subprocess.Popen] = {}

    def log(name: str) -> str:
        return logs[name].read_text(encoding="utf-8", errors="replace")

    try:
        for name, command in commands.items():
            with logs[name].open("w") as log_file:
                processes[name] = subprocess.Popen(
                    command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL)

        def alive(name: str) -> bool:
            assert processes[name].poll() is None, f"{name} exited:\n{log(name)}"
            return True

        _wait_for(lambda: alive("gunicorn") and _answers(free_port), 90, "gunicorn")
        status, _headers, page = _get(free_port, "/")
        assert status == 200
        assert "Länsledning" in page
        status, _headers, _body = _get(free_port, "/organ/lansledning/")
        assert status == 200
        # issue 12 §9: /healthz over plain HTTP, as Docker's healthcheck asks it: the
        # database and the broker (Redis) answer.
        status, headers, body = _get(free_port, "/healthz", https=False)
        assert status == 200, body
        assert json.loads(body) == {"database": "ok", "broker": "ok"}
        # Plain HTTP is redirected to HTTPS: the production settings are in force.
        status, headers, _body = _get(free_port, "/", https=False)
        assert status == 301 and headers["Location"].startswith("https://")
        # whitenoise serves the collected, hashed static files.
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
        assert stylesheet, "the home page links no stylesheet"
        assert _get(free_port, stylesheet.group(1))[0] == 200

        _wait_for(lambda: alive("worker") and " ready." in log("worker"), 90, "the worker")
        _wait_for(lambda: alive("beat") and "beat: Starting..." in log("beat"), 60, "beat")
        run(str(venv_bin / "celery"), "-A", "halsam", "call", "--queue", queue,
            "governance.send_coordinator_digest")
        _wait_for(lambda: alive("worker")
                  and "governance.send_coordinator_digest" in log("worker")
                  and "succeeded" in log("worker"), 60, "the worker to run a task")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for name, process in processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
                pytest.fail(f"{name} did not stop on SIGTERM within 30 s")
    for name in commands:
        assert "Traceback" not in log(name), f"{name}:\n{log(name)}"
