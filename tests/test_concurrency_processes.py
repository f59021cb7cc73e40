"""issue 12 §2 with real processes: gunicorn serving the project on a file SQLite database
(the ``make run`` default) and on PostgreSQL, 16 parallel writers through the web, and two
``manage.py run_due_jobs`` at the same time.

The probe saw, on SQLite: 8 parallel agenda posts → 6 × 500 "database is locked"; 8
parallel uploads → 5 × 500 and 5 orphaned files in media; two ``run_due_jobs`` → "database
is locked" in ``governance/permissions.py``. Here: no 5xx, every write is there, both jobs
exit cleanly, the body permissions come out exactly once each, and the files in
MEDIA_ROOT are exactly the files the rows name.

Each run: migrate a fresh database and seed it in one ``manage.py shell``, start gunicorn
(2 workers × 8 threads) on a free port of 127.0.0.1, 16 writer threads posting with
logged-in sessions (a coordinator and a body's secretary; the sessions are created in the
database by the seed), the two jobs started while the writers run, then one
``manage.py shell`` that reports what the database holds.
"""
from __future__ import annotations

import io
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 16
ROUNDS = 2  # writes per writer: agenda item, document version, agenda paper (rotating)
OTHER_MEMBERS = 24  # memberships written outside the services: the job's sync grants them
TITLE = "Samtidig punkt"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- in the seeding and reporting subprocesses (manage.py shell) ---------------------------

def seed(out: str) -> None:
    """Migrate, then build the world the writers and the jobs work on; write what the
    test needs (session keys, URLs) as JSON to ``out``."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    call_command("migrate", "--noinput", verbosity=0)

    from documents import services as documents
    from documents.models import DocumentKind
    from governance import services as gov
    from governance.models import MembershipRole
    from governance.roles import COORDINATOR_GROUP, ensure_role_groups
    from meetings import services as meetings
    from tests.governance.factories import (
        BodyFactory,
        MembershipFactory,
        PersonFactory,
        SeatFactory,
        UserFactory,
    )
    from tests.meetings.conftest import due_meeting_scenario

    coordinator = UserFactory(username="samordnare")
    coordinator.groups.add(ensure_role_groups()[COORDINATOR_GROUP])
    body = BodyFactory(name="Länsledningen", slug="lansledningen-samtidig")
    secretary = UserFactory(username="sekreterare")
    gov.membership_start(actor=coordinator, person=PersonFactory(user=secretary),
                         seat=SeatFactory(body=body, member_count=5),
                         role=MembershipRole.SECRETARY, start=dt.date(2020, 1, 1))
    start = timezone.now() + dt.timedelta(days=20)
    meeting = meetings.meeting_plan(actor=coordinator, body=body, start=start,
                                    end=start + dt.timedelta(hours=2), place="Härnösand")
    item = meetings.agenda_item_add(actor=coordinator, meeting=meeting, title="Handlingar")
    document = documents.document_create(actor=coordinator, title="Överenskommelse",
                                         kind=DocumentKind.AGREEMENT, owner_body=body,
                                         is_public=False)
    # Logins with memberships but no body permissions yet (as after a bulk import): the
    # jobs' permission sync has rows to grant, both runs at the same time.
    other = BodyFactory(slug="lokal-samtidig")
    for _ in range(OTHER_MEMBERS):
        MembershipFactory(seat=SeatFactory(body=other), person=PersonFactory(user=UserFactory()),
                          start=dt.date(2020, 1, 1))
    due_meeting_scenario(6, stuck=4, reminder=True)  # notices and a reminder for the jobs

    sessions = {}
    for user in (coordinator, secretary):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = MODEL_BACKEND  # as a password login records it
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[user.username] = session.session_key
    Path(out).write_text(json.dumps({
        "sessions": sessions,
        "agenda": reverse("meetings:agenda", args=[meeting.pk]),
        "attach": reverse("meetings:attachment_add", args=[meeting.pk, item.pk]),
        "upload": reverse("documents:upload", args=[document.pk]),
        "meeting": meeting.pk, "item": item.pk, "document": document.pk,
    }))


def report(out: str) -> None:
    """What the database holds after the run, as JSON in ``out``."""
    from django.apps import apps
    from django.db import models
    from django.utils import timezone

    from documents.models import DocumentVersion
    from governance.models import Membership, MembershipRole
    from governance.models_permissions import BodyUserObjectPermission
    from meetings.models import AgendaAttachment, AgendaItem, NoticeDelivery

    files = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                files += [n for n in model.objects.values_list(field.attname, flat=True) if n]
    data = json.loads(Path(out).read_text())
    rows = [list(r) for r in BodyUserObjectPermission.objects.values_list(
        "user_id", "content_object_id", "permission__codename")]
    # What the memberships active today give (docs/roles.md): view for every role,
    # change in addition for a secretary.
    expected = set()
    for uid, body_id, role in (Membership.objects.active_on(timezone.localdate())
                               .filter(person__user__isnull=False)
                               .values_list("person__user_id", "seat__body_id", "role")):
        expected.add((uid, body_id, "view_body"))
        if role == MembershipRole.SECRETARY:
            expected.add((uid, body_id, "change_body"))
    Path(out).write_text(json.dumps({
        "items": list(AgendaItem.objects.filter(meeting_id=data["meeting"],
                                                title__startswith=TITLE)
                      .values_list("title", flat=True)),
        "positions": list(AgendaItem.objects.filter(meeting_id=data["meeting"])
                          .values_list("position", flat=True)),
        "versions": list(DocumentVersion.objects.filter(document_id=data["document"])
                         .values_list("number", flat=True)),
        "attachments": list(AgendaAttachment.objects.filter(item_id=data["item"])
                            .values_list("title", flat=True)),
        "files": files,
        "permission_rows": sorted(rows), "expected_permission_rows": sorted(map(list, expected)),
        "deliveries_unsent": NoticeDelivery.objects.exclude(status="sent").count(),
        "deliveries": NoticeDelivery.objects.count(),
    }))


# --- in the test process ------------------------------------------------------------------

def _docx(text: str) -> bytes:
    out = io.BytesIO()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document xmlns:w='{w}'><w:body><w:p><w:r>"
                   f"<w:t>{text}</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _post(port: int, path: str, session: str, fields: dict[str, str],
          files: dict[str, tuple[str, bytes]] | None = None) -> tuple[int, str]:
    """One POST as a logged-in user; returns (status, Location or the start of the body).
    The CSRF cookie is the form token's secret itself (Django accepts the unmasked one)."""
    csrf = secrets.token_hex(16)  # 32 characters of Django's alphabet
    body, content_type = _multipart({"csrfmiddlewaretoken": csrf, **fields}, files or {})
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=body, headers={
            "Content-Type": content_type, "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{port}{path}"})
        response = conn.getresponse()
        text = response.read(4000).decode("utf-8", "replace")
        title = text.partition("<title>")[2].partition("</title>")[0]
        return response.status, response.getheader("Location") or title or text[:200]
    finally:
        conn.close()


def _wait_for_port(port: int, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start in time")


def _environment(tmp_path: Path, clean_env: dict[str, str], database_url: str) -> dict:
    (tmp_path / "concurrency_settings.py").write_text(
        "from halsam.settings import *  # noqa: F403\n"
        "EMAIL_BACKEND = 'django.core.mail.backends.locmem.EmailBackend'\n"
        "PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']\n")
    return {**clean_env, "DATABASE_URL": database_url, "CELERY_BROKER_URL": "",
            "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
            "DJANGO_SETTINGS_MODULE": "concurrency_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}


def _shell(env: dict, venv_bin: Path, code: str) -> None:
    done = subprocess.run([str(venv_bin / "python"), "manage.py", "shell", "-c", code],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-4000:]


def _write(port: int, urls: dict, writer: int, rnd: int) -> tuple[str, int, str]:
    sessions = list(urls["sessions"].values())
    session = sessions[writer % len(sessions)]
    kind = (writer + rnd) % 3
    label = f"{writer:02d}-{rnd}"
    if kind == 0:
        status, where = _post(port, urls["agenda"], session,
                              {"title": f"{TITLE} {label}", "kind": "information"})
        return "item", status, where
    if kind == 1:
        status, where = _post(port, urls["upload"], session, {"change_note": label},
                              {"file": (f"version-{label}.docx", _docx(f"Version {label}"))})
        return "version", status, where
    status, where = _post(port, urls["attach"], session, {"title": f"Bilaga {label}"},
                          {"file": (f"bilaga-{label}.docx", _docx(f"Bilaga {label}"))})
    return "attachment", status, where


def run_scenario(tmp_path: Path, clean_env: dict[str, str], venv_bin: Path, port: int,
                 database_url: str) -> None:
    env = _environment(tmp_path, clean_env, database_url)
    media = tmp_path / "media"
    state = tmp_path / "state.json"
    _shell(env, venv_bin,
           f"from tests.test_concurrency_processes import seed; seed({str(state)!r})")
    urls = json.loads(state.read_text())

    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(venv_bin / "gunicorn"), "halsam.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--worker-class", "gthread", "--threads", "8", "--preload",
         "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning",
         "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        _wait_for_port(port, server, time.monotonic() + 30)
        start = threading.Barrier(WRITERS)

        def writer(n: int) -> list[tuple[str, int, str]]:
            start.wait(30)
            return [_write(port, urls, n, rnd) for rnd in range(ROUNDS)]

        with ThreadPoolExecutor(WRITERS) as pool:
            futures = [pool.submit(writer, n) for n in range(WRITERS)]
            jobs = [subprocess.Popen([str(venv_bin / "python"), "manage.py", "run_due_jobs"],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for _ in range(2)]
            results = [r for f in futures for r in f.result(timeout=120)]
        job_output = [job.communicate(timeout=120) for job in jobs]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()
    server_log = (tmp_path / "gunicorn.log").read_text()

    errors = [r for r in results if r[1] >= 500]
    assert errors == [], f"{errors[:3]} {server_log[-3000:]}"
    assert {r[1] for r in results} == {302}, [r for r in results if r[1] != 302][:3]
    for job, (out, err) in zip(jobs, job_output, strict=True):
        assert job.returncode == 0, err[-3000:]
        assert "body permissions granted/revoked" in out

    _shell(env, venv_bin, f"from tests.test_concurrency_processes import report; "
                          f"report({str(state)!r})")
    db = json.loads(state.read_text())
    wanted = {kind: [r for r in results if r[0] == kind] for kind in
              ("item", "version", "attachment")}
    assert len(db["items"]) == len(wanted["item"]) and len(set(db["items"])) == len(db["items"])
    assert len(set(db["positions"])) == len(db["positions"])  # no two items share a place
    assert sorted(db["versions"]) == list(range(1, len(wanted["version"]) + 1))
    assert len(db["attachments"]) == len(wanted["attachment"])
    # Each permission the memberships give, exactly once (the jobs granted the members'
    # at the same time), and no other.
    assert db["permission_rows"] == db["expected_permission_rows"]
    assert len(db["permission_rows"]) == OTHER_MEMBERS + 2
    assert db["deliveries_unsent"] == 0 and db["deliveries"] > 0

    on_disk = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    assert on_disk == set(db["files"])
    assert len(on_disk) == len(wanted["version"]) + len(wanted["attachment"])


def test_sqlite_file_database_holds_16_writers_and_two_jobs(tmp_path, clean_env, venv_bin,
                                                            free_port):
    """issue 12 §2: the default SQLite file under gunicorn, 16 writers and two
    run_due_jobs at once: no 5xx, no "database is locked", no orphaned file."""
    run_scenario(tmp_path, clean_env, venv_bin, free_port,
                 f"sqlite:///{tmp_path / 'halsam.sqlite3'}")


@pytest.mark.postgres
def test_postgresql_holds_16_writers_and_two_jobs(tmp_path, clean_env, venv_bin, free_port,
                                                  scratch_postgres_db):
    """issue 12 §2: the same on a fresh PostgreSQL database (created and dropped here;
    skipped, saying why, where PostgreSQL does not answer)."""
    run_scenario(tmp_path, clean_env, venv_bin, free_port, scratch_postgres_db)
