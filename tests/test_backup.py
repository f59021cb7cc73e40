"""issue 12 §9: backups (halsam/ops/backup.py, manage.py backup/restore, the restore test).

Reproduced before: there was no SQLite backup procedure, and a plain ``cp`` of the
database while in use kept 5 of 10 committed rows; media backups were one
``rsync --delete`` mirror, so a file deleted by mistake was gone from the backup too.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from halsam.ops import backup

BASE_DIR = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # committed rows stay in the -wal file
    for i in range(1, int(sys.argv[2]) + 1):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO item (id, payload) VALUES (?, ?)", (i, "x" * 3000))
        conn.execute("COMMIT")
        print(i, flush=True)  # acknowledged only after the commit
        time.sleep(0.002)
    sys.stdin.read()  # keep the connection (and the WAL) open until told to stop
""")


def _ids(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM item ORDER BY id")]
    except sqlite3.DatabaseError:
        return []
    finally:
        conn.close()


def test_online_backup_keeps_every_committed_row_while_another_process_writes(tmp_path):
    """issue 12 §9: SQLite's online backup API, taken again and again while a second
    process commits rows, holds every row committed before it began; ``cp`` does not."""
    db = tmp_path / "live.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, payload TEXT)")
    total = 400
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(total)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    acknowledged: list[int] = []
    done = threading.Event()

    def read_acks() -> None:
        for line in writer.stdout:
            acknowledged.append(int(line))
            if acknowledged[-1] == total:
                done.set()

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    try:
        checked = during_writes = 0
        while not done.is_set() or checked < 3:
            committed = acknowledged[-1] if acknowledged else 0
            during_writes += 0 < committed < total
            target = tmp_path / f"backup-{checked}.sqlite3"
            backup.sqlite_backup(db, target)
            ids = _ids(target)
            assert len(ids) >= committed, f"backup {checked} lost committed rows"
            assert ids == list(range(1, len(ids) + 1)), "the backup is not a consistent prefix"
            checked += 1
        assert during_writes >= 1, "no backup was taken while the writer was writing"
        assert done.wait(60)
        backup.sqlite_backup(db, tmp_path / "backup-final.sqlite3")
        assert _ids(tmp_path / "backup-final.sqlite3") == list(range(1, total + 1))
        # What the probe did: a plain copy of the file while in use misses the rows that
        # are committed but still in the write-ahead log.
        shutil.copyfile(db, tmp_path / "copy.sqlite3")
        assert len(_ids(tmp_path / "copy.sqlite3")) < total
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
        reader.join(timeout=5)
        writer.stdout.close()
    assert writer.returncode == 0


@pytest.fixture
def sqlite_site(tmp_path, settings, monkeypatch):
    """A file database and a media folder of the test's own for the backup functions."""
    db = tmp_path / "site" / "halsam.sqlite3"
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO item VALUES (?)", [(i,) for i in range(1, 6)])
    monkeypatch.setattr(backup, "_database",
                        lambda: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)})
    settings.MEDIA_ROOT = str(tmp_path / "site" / "media")
    media = Path(settings.MEDIA_ROOT)
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "kept.pdf").write_bytes(b"%PDF-1.7 kept")
    (media / "documents" / "changed.pdf").write_bytes(b"%PDF-1.7 first")
    return db, media


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_media_snapshots_are_versioned_hard_linked_and_rotated(sqlite_site, tmp_path):
    """issue 12 §9: N dated snapshots; unchanged files are hard links; a file deleted
    from media stays in the older snapshots; the oldest beyond --keep go."""
    _db, media = sqlite_site
    root = tmp_path / "backups"
    first = backup.backup_create(root=root, keep=2, now=datetime(2026, 1, 1, tzinfo=UTC))
    (media / "documents" / "changed.pdf").write_bytes(b"%PDF-1.7 second")
    second = backup.backup_create(root=root, keep=2, now=datetime(2026, 1, 2, tzinfo=UTC))
    kept = [(r.media / "documents" / "kept.pdf").stat() for r in (first, second)]
    assert kept[0].st_ino == kept[1].st_ino, "an unchanged file must be a hard link"
    assert (first.media / "documents" / "changed.pdf").read_bytes() == b"%PDF-1.7 first"
    assert (second.media / "documents" / "changed.pdf").read_bytes() == b"%PDF-1.7 second"
    (media / "documents" / "changed.pdf").unlink()  # deleted by mistake
    third = backup.backup_create(root=root, keep=2, now=datetime(2026, 1, 3, tzinfo=UTC))
    assert not (third.media / "documents" / "changed.pdf").exists()
    assert (second.media / "documents" / "changed.pdf").exists(), "kept in the older one"
    assert third.removed == (first.folder,)
    assert [p.name for p in backup.snapshots(root)] == ["2026-01-02T000000Z",
                                                         "2026-01-03T000000Z"]


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_backup_then_restore_gives_back_rows_and_files(sqlite_site, tmp_path):
    """issue 12 §9: a restore replaces the database and the media folder by the backup's."""
    db, media = sqlite_site
    result = backup.backup_create(root=tmp_path / "backups", keep=3)
    before = backup.media_manifest(media)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM item WHERE id > 2")
    shutil.rmtree(media)
    backup.backup_restore(result.folder)
    assert _ids(db) == [1, 2, 3, 4, 5]
    assert backup.media_manifest(media) == before and before


def test_backup_and_restore_commands_check_their_arguments(tmp_path):
    """issue 12 §6/§9: clear messages, no traceback, for bad arguments."""
    with pytest.raises(CommandError, match="--keep"):
        call_command("backup", "--to", str(tmp_path), "--keep", "0")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", "--from", str(tmp_path))
    with pytest.raises(CommandError, match="not a complete backup"):
        call_command("restore", "--from", str(tmp_path), "--yes")


# scripts/restore_test.sh (the whole cycle with the demo data, on SQLite and PostgreSQL)
# runs as its own CI step (.ci/run, "Restore test"); it takes minutes, not seconds.
