"""Shared fixtures of the meetings tests: a body with people, a meeting, scratch PostgreSQL."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english(settings):
    """The meetings tests assert the English source texts; the Swedish catalogue is
    proved by tests/test_translations.py."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def make_meeting(db):
    """Build a body with ``members`` members (e-mail), one substitute, one co-opted member,
    one member without e-mail, and a meeting of it with three agenda items."""
    from django.utils import timezone

    from governance.models import MembershipRole
    from meetings.models import AgendaItem, Meeting
    from tests.governance.factories import (
        BodyFactory,
        MembershipFactory,
        PersonFactory,
        SeatFactory,
        StructureFactory,
    )

    def build(members: int = 3, *, start: dt.datetime | None = None, **fields):
        structure = StructureFactory(office_email="kansli@halsam.invalid", short_name="HälSam")
        body = BodyFactory(structure=structure, name="Länsledningen", notice_days=14)
        seat = SeatFactory(body=body, member_count=members + 1, substitute_count=1)
        people = [MembershipFactory(seat=seat).person for _ in range(members)]
        substitute = MembershipFactory(seat=seat, role=MembershipRole.SUBSTITUTE,
                                       substitute_for=None).person
        co_opted = MembershipFactory(seat=SeatFactory(body=body, is_co_opted=True),
                                     role=MembershipRole.CO_OPTED).person
        no_email = MembershipFactory(seat=seat, person=PersonFactory(email="")).person
        start = start or timezone.now().replace(microsecond=0) + dt.timedelta(days=10)
        values = {"title": "Länsledningens möte", "place": "Regionens hus, Härnösand",
                  "video_url": "https://video.example/m/123", "notice_due_at": start
                  - dt.timedelta(days=14), **fields}
        meeting = Meeting.objects.create(body=body, start=start, end=start + dt.timedelta(hours=2),
                                         **values)
        for n, title in enumerate(["Godkännande av dagordning", "Psykisk hälsa – lägesbild",
                                   "Val av ordförande för 2027"]):
            AgendaItem.objects.create(meeting=meeting, position=n, title=title)
        meeting.people = people  # type: ignore[attr-defined]
        meeting.substitute, meeting.co_opted, meeting.no_email = substitute, co_opted, no_email
        return meeting

    return build


# --- A scratch PostgreSQL database for the tests that run other processes ----------------

def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _pg_params() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import environ

        cfg = environ.Env.db_url_config(url)
        return {"user": cfg.get("USER") or "postgres", "password": cfg.get("PASSWORD") or "",
                "host": cfg.get("HOST") or "127.0.0.1", "port": int(cfg.get("PORT") or 5432)}
    return {"user": "postgres", "password": "", "host": "127.0.0.1", "port": 5432}


def _admin(params: dict):
    import psycopg

    return psycopg.connect(dbname="postgres", user=params["user"], password=params["password"],
                           host=params["host"], port=params["port"], autocommit=True,
                           connect_timeout=3)


def _url(params: dict, name: str) -> str:
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgres://{auth}@{params['host']}:{params['port']}/{name}"


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    """Run ``manage.py`` in a subprocess with ``env``; return its stdout."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


@pytest.fixture(scope="session")
def pg_template():
    """A migrated PostgreSQL database to copy; skipped when PostgreSQL does not answer."""
    params = _pg_params()
    if not _answers(params["port"]):
        pytest.skip(f"PostgreSQL does not answer on {params['host']}:{params['port']}")
    try:
        admin = _admin(params)
    except Exception as exc:  # noqa: BLE001 - any refusal means: no PostgreSQL to use
        pytest.skip(f"cannot connect to PostgreSQL as {params['user']}: {exc}")
    name = f"halsam_tmpl_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": _url(params, name), "CELERY_BROKER_URL": "",
               "DJANGO_SETTINGS_MODULE": "halsam.settings", "LOG_LEVEL": "WARNING"}
        manage(env, "migrate", "--noinput")
        yield params, name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def scratch_pg(pg_template):
    """A fresh copy of the migrated database; returns its DATABASE_URL."""
    params, template = pg_template
    name = f"halsam_test_{uuid.uuid4().hex[:10]}"
    with _admin(params) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _url(params, name)
    finally:
        with _admin(params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Helpers for the tests that run manage.py and Celery workers in other processes -------

class SlowFileBackend:
    """A file-based e-mail backend whose "SMTP conversation" takes a while (env delay).

    Each message is written to its own file only at the end, as a mail server accepts a
    message only at the end of DATA.
    """

    def __new__(cls, *args, **kwargs):
        from django.core.mail.backends.filebased import EmailBackend

        class _Backend(EmailBackend):
            def send_messages(self, messages):
                import time

                time.sleep(float(os.environ.get("HALSAM_TEST_MAIL_DELAY", "0")) * len(messages))
                return super().send_messages(messages)

        return _Backend(*args, **kwargs)


def process_env(tmp_path: Path, database_url: str, *, broker: str = "", delay: float = 0.0) -> dict:
    """The environment of a subprocess on ``database_url`` writing mail to tmp_path/mail."""
    (tmp_path / "mail").mkdir(exist_ok=True)
    (tmp_path / "scratch_settings.py").write_text(
        "from halsam.settings import *  # noqa\n"
        f"EMAIL_BACKEND = 'tests.meetings.conftest.SlowFileBackend'\n"
        f"EMAIL_FILE_PATH = {str(tmp_path / 'mail')!r}\n")
    return {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker,
            "DJANGO_SETTINGS_MODULE": "scratch_settings", "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
            "HALSAM_TEST_MAIL_DELAY": str(delay)}


def mails(tmp_path: Path) -> list:
    """Every message the file backend wrote (one file may hold several)."""
    from email import message_from_string

    out = []
    for path in sorted((tmp_path / "mail").glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                out.append(message_from_string(chunk))
    return out


def due_meeting_scenario(members: int, *, stuck: int = 0, reminder: bool = False) -> None:
    """Run in a subprocess (manage.py shell): a meeting whose notice is due with
    ``members`` members; when ``stuck``, a second one with that many deliveries claimed
    ten minutes ago by a worker that died; when ``reminder``, a held meeting whose
    minutes are overdue, with a secretary."""
    from django.utils import timezone

    from meetings.models import DeliveryKind, Meeting, NoticeDelivery
    from tests.governance.factories import BodyFactory, MembershipFactory, SeatFactory

    now = timezone.now()
    for n, count in enumerate([members, stuck]):
        if not count:
            continue
        body = BodyFactory(slug=f"organ-scenario-{n}")
        seat = SeatFactory(body=body, member_count=count)
        people = [MembershipFactory(seat=seat).person for _ in range(count)]
        start = now + dt.timedelta(days=5 + n)
        meeting = Meeting.objects.create(body=body, start=start, place="Härnösand",
                                         end=start + dt.timedelta(hours=2),
                                         notice_due_at=now - dt.timedelta(hours=1))
        if n == 1:  # notice claimed long ago, never sent
            Meeting.objects.filter(pk=meeting.pk).update(notice_sent_sequence=0,
                                                         status="notice_sent")
            NoticeDelivery.objects.bulk_create([
                NoticeDelivery(meeting=meeting, person=p, kind=DeliveryKind.NOTICE, sequence=0,
                               email=p.email) for p in people])
            NoticeDelivery.objects.filter(meeting=meeting).update(
                claimed_at=now - dt.timedelta(minutes=10))
    if reminder:  # a meeting held 15 days ago whose minutes are not approved
        from governance.models import MembershipRole

        start = now - dt.timedelta(days=15)
        held = Meeting.objects.create(body=BodyFactory(slug="organ-scenario-held"), start=start,
                                      end=start + dt.timedelta(hours=1), place="Kramfors",
                                      status="held")
        MembershipFactory(seat=SeatFactory(body=held.body), role=MembershipRole.SECRETARY)
