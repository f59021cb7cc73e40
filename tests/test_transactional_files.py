"""issue 12 §2: files are removed when the row that names them is not committed, and the
SQLite settings let two writers that read first both commit.

``halsam.files``: a file stored inside a transaction that rolls back is deleted (a failed
insert of a document version or an agenda paper left its file in MEDIA_ROOT before);
``halsam/settings.py``: SQLite opens transactions with ``BEGIN IMMEDIATE`` and a busy
timeout (a read-then-write transaction failed at once with "database is locked").
The same under real processes: tests/test_concurrency_processes.py.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, transaction

from tests.documents.core_builders import (  # noqa: F401 - the fixture
    add_version,
    docx_bytes,
    make_document,
    upload,
    world_fixture,
)


def stored_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_failed_version_insert_leaves_no_file(world, settings, monkeypatch):
    """issue 12 §2: a version whose insert fails (here the unique version number, as when a
    concurrent upload took it) leaves no file behind; the committed version keeps its."""
    from documents import services

    root = Path(settings.MEDIA_ROOT)
    document = make_document(world)
    first = add_version(world, document, content=docx_bytes())
    assert stored_files(root) == {first.file.name}

    real_save = services.save_with_history

    def save_with_taken_number(obj, **kwargs):
        obj.number = first.number  # another upload committed this number meanwhile
        return real_save(obj, **kwargs)

    monkeypatch.setattr(services, "save_with_history", save_with_taken_number)
    with pytest.raises(IntegrityError):
        services.version_upload(actor=world.secretary, document=document,
                                file=upload("andra.docx", docx_bytes("Andra versionen")))
    assert stored_files(root) == {first.file.name}
    assert not any(root.joinpath("documents", str(document.pk)).glob("*/andra*"))


def test_failed_attachment_insert_leaves_no_file_nor_folder(world, settings, monkeypatch):
    """issue 12 §2: an agenda paper whose transaction fails after the file was stored (the
    file is written by the row's save) leaves neither the file nor its folder."""
    import datetime as dt

    from django.utils import timezone

    from meetings import services as meetings

    root = Path(settings.MEDIA_ROOT)
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meetings.meeting_plan(actor=world.coordinator, body=world.body_a, start=start,
                                    end=start + dt.timedelta(hours=2), place="Härnösand")
    item = meetings.agenda_item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    real_save = meetings.save_with_history

    def save_then_fail(obj, **kwargs):
        real_save(obj, **kwargs)
        assert obj.file.name and root.joinpath(obj.file.name).is_file()  # stored, then …
        raise DatabaseError("the history insert failed")

    monkeypatch.setattr(meetings, "save_with_history", save_then_fail)
    with pytest.raises(DatabaseError):
        meetings.attachment_add(actor=world.coordinator, item=item, title="Underlag",
                                file=upload("underlag.docx", docx_bytes()))
    assert stored_files(root) == set()
    assert not root.joinpath("meetings").exists() or not any(root.joinpath("meetings").iterdir())


@pytest.mark.django_db(transaction=True)
def test_committed_file_stays_and_savepoint_rollback_removes_only_its_own(settings, tmp_path):
    """issue 12 §2: what commits stays; a savepoint that rolls back takes only the files
    stored inside it; outside a transaction nothing is registered."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from halsam.files import delete_on_rollback

    settings.MEDIA_ROOT = str(tmp_path)
    with transaction.atomic():
        kept = default_storage.save("a/behalls.txt", ContentFile(b"kept"))
        try:
            with transaction.atomic():
                lost = default_storage.save("b/c/forsvinner.txt", ContentFile(b"lost"))
                raise IntegrityError("inner insert failed")
        except IntegrityError:
            pass
        assert not default_storage.exists(lost)
        assert not tmp_path.joinpath("b").exists()  # its empty folders went too
    assert stored_files(tmp_path) == {kept}

    with pytest.raises(IntegrityError), transaction.atomic():
        default_storage.save("d/rullas-tillbaka.txt", ContentFile(b"x"))
        raise IntegrityError("outer insert failed")
    assert stored_files(tmp_path) == {kept}

    outside = default_storage.save("e/utanfor.txt", ContentFile(b"y"))
    assert delete_on_rollback(outside) is False
    assert stored_files(tmp_path) == {kept, outside}


# --- SQLite: two writers that read first ----------------------------------------------------

def _wrapper(path: Path, options: dict):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    return DatabaseWrapper({
        "ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options,
        "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None, "USER": "", "PASSWORD": "",
        "HOST": "", "PORT": "", "TEST": {},
    }, alias="sqlite-probe")


def _read_then_write(path: Path, options: dict, *, pause: float, errors: list) -> None:
    """What a service does: BEGIN (as ``atomic`` does), read, think, write, commit."""
    conn = _wrapper(path, options)
    try:
        conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM item")
            (count,) = cursor.fetchone()
            time.sleep(pause)
            cursor.execute("INSERT INTO item (n) VALUES (%s)", [count + 1])
        conn.commit()
    except OperationalError as exc:
        errors.append(str(exc))
    finally:
        conn.close()


def _two_writers(path: Path, options: dict) -> tuple[list[str], int]:
    setup = _wrapper(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, n INTEGER)")
    errors: list[str] = []
    slow = threading.Thread(target=_read_then_write, args=(path, options),
                            kwargs={"pause": 0.4, "errors": errors})
    fast = threading.Thread(target=_read_then_write, args=(path, options),
                            kwargs={"pause": 0.0, "errors": errors})
    slow.start()
    time.sleep(0.1)  # the slow one has read; the fast one reads, writes and commits
    fast.start()
    slow.join(10)
    fast.join(10)
    with setup.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM item")
        (rows,) = cursor.fetchone()
    setup.close()
    return errors, rows


def test_sqlite_settings_let_two_read_then_write_transactions_commit(settings, tmp_path,
                                                                     django_db_blocker):
    """issue 12 §2: with the project's SQLite options (IMMEDIATE, busy timeout, WAL) the
    second writer waits for the first instead of failing."""
    options = {**settings.SQLITE_OPTIONS}  # what DATABASES gets on SQLite
    assert options["transaction_mode"] == "IMMEDIATE"
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert settings.DATABASES["default"]["OPTIONS"].items() >= options.items()
    with django_db_blocker.unblock():  # a database of its own, not the test database
        errors, rows = _two_writers(tmp_path / "probe.sqlite3", options)
    assert errors == []
    assert rows == 2


def test_without_immediate_the_same_writers_fail_with_database_is_locked(settings, tmp_path,
                                                                         django_db_blocker):
    """The failure the probe saw, reproduced: DEFERRED transactions (Django's default) with
    the same timeout and WAL; the writer whose read is stale gets "database is locked" at
    once (the busy timeout does not help an upgrade from a read)."""
    options = {**settings.SQLITE_OPTIONS, "transaction_mode": None}
    with django_db_blocker.unblock():  # a database of its own, not the test database
        errors, rows = _two_writers(tmp_path / "probe.sqlite3", options)
    assert errors and "locked" in errors[0]
    assert rows == 1



# --- named transaction locks (halsam.dblocks) -------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_transaction_lock_needs_a_transaction():
    """issue 12 §2: a lock that ends with the transaction makes no sense outside one."""
    from halsam.dblocks import lock_key, transaction_lock

    with pytest.raises(transaction.TransactionManagementError):
        transaction_lock("governance.permissions.sync")
    with transaction.atomic():
        transaction_lock("governance.permissions.sync")  # SQLite: BEGIN IMMEDIATE did it
    assert lock_key("a") == lock_key("a") != lock_key("b")
    assert -(2**63) <= lock_key("governance.permissions.sync") < 2**63


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_transaction_lock_holds_off_a_second_connection_until_commit():
    """issue 12 §2 (PostgreSQL): while one transaction holds the permission sync's lock, a
    second connection to the same database cannot take it; after the commit it can. Runs
    where the test database is PostgreSQL (DATABASE_URL, CI's second run)."""
    from django.db import connection

    from governance.permissions import SYNC_LOCK
    from halsam.dblocks import lock_key, transaction_lock

    if connection.vendor != "postgresql":
        pytest.skip("the test database is not PostgreSQL (set DATABASE_URL to run this)")
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    with psycopg.connect(**params, autocommit=True) as other:
        def other_gets_it() -> bool:
            with other.transaction():
                return other.execute("SELECT pg_try_advisory_xact_lock(%s)",
                                     [lock_key(SYNC_LOCK)]).fetchone()[0]

        with transaction.atomic():
            transaction_lock(SYNC_LOCK)
            assert other_gets_it() is False
        assert other_gets_it() is True


# --- the write lock taken past the busy timeout (halsam.dbbusy) --------------------------------

def test_database_locked_past_the_timeout_is_a_503_in_swedish(client, world, settings,
                                                             monkeypatch):
    """issue 12 §2: when SQLite's write lock stays taken past the busy timeout (a slow mail
    server inside a notice's transaction), an upload answers 503 with Retry-After and a
    Swedish page, not 500; the file it stored is gone with the rolled-back transaction."""
    from django.urls import reverse

    from documents import services

    document = make_document(world)
    real_upload = services.version_upload

    def upload_then_locked(**kwargs):
        with transaction.atomic():
            real_upload(**kwargs)  # the file is stored …
            raise OperationalError("database is locked")  # … and the commit never comes

    monkeypatch.setattr(services, "version_upload", upload_then_locked)
    client.force_login(world.secretary)
    response = client.post(reverse("documents:upload", args=[document.pk]),
                           {"file": upload("ny.docx", docx_bytes()), "change_note": ""})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Portalen är upptagen" in response.content.decode()
    assert stored_files(Path(settings.MEDIA_ROOT)) == set()
    assert not document.versions.exists()


def test_other_database_errors_are_not_taken_for_busy():
    from halsam.dbbusy import is_database_busy

    assert is_database_busy(OperationalError("database is locked"))
    assert not is_database_busy(OperationalError("no such table: meetings_meeting"))
    assert not is_database_busy(IntegrityError("database is locked"))
