"""Backups and restores of the database and the media folder (docs/operations.md).

One backup is one dated folder ``<stamp>/`` holding the database (``database.sqlite3``,
made with SQLite's online backup API, or ``database.dump``, PostgreSQL's custom format)
and ``media/``, a snapshot of ``MEDIA_ROOT`` in which every file unchanged since the
previous snapshot is a hard link to it (``rsync --link-dest``): each snapshot is
complete, and costs only the files that changed. The oldest beyond ``keep`` are removed.

Why not ``cp``: a copy of an SQLite file in use mixes pages from before and after
concurrent writes (the outside probe kept 5 of 10 committed rows). The backup API copies
a consistent snapshot, restarting when a writer changes a page it has already copied.
The database goes first and media second: files are written before their row commits
are visible to the dump, never after, so every file a restored row names is there.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
MEDIA_DIR = "media"
MANIFEST_FILE = "manifest.json"
STAMP_FORMAT = "%Y-%m-%dT%H%M%SZ"


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    database: Path
    media: Path
    removed: tuple[Path, ...]


def _database() -> dict:
    return settings.DATABASES["default"]


def _vendor() -> str:
    engine = _database()["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"no backup procedure for the database engine {engine}")


def _pg_env() -> dict[str, str]:
    """libpq's variables for pg_dump / pg_restore (the password never on a command line)."""
    db = _database()
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], *, env: dict[str, str] | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{' '.join(command[:2])} failed: {result.stderr.strip()}")


def sqlite_backup(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (sqlite3.Connection.backup)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # pages=-1: in one step, so a writer cannot make the copy restart forever.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"the backup {target} fails SQLite's integrity check")
    finally:
        dst.close()
        src.close()


def database_backup(target_dir: Path) -> Path:
    vendor = _vendor()
    if vendor == "sqlite":
        target = target_dir / SQLITE_FILE
        sqlite_backup(Path(_database()["NAME"]), target)
        return target
    target = target_dir / POSTGRES_FILE
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], env=_pg_env())
    return target


def database_restore(folder: Path) -> Path:
    """Restore the database of a backup folder into the configured database."""
    vendor = _vendor()
    connections.close_all()
    if vendor == "sqlite":
        source = folder / SQLITE_FILE
        if not source.is_file():
            raise BackupError(f"{source} does not exist")
        # The backup API again, into the live file: safe while others have it open.
        sqlite_backup(source, Path(_database()["NAME"]))
        # sqlite_backup left the copy in rollback-journal mode; the settings use WAL.
        with sqlite3.connect(_database()["NAME"]) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        return source
    source = folder / POSTGRES_FILE
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", f"--dbname={_database()['NAME']}", str(source)], env=_pg_env())
    return source


def snapshots(root: Path) -> list[Path]:
    """The backup folders under root, oldest first."""
    if not root.is_dir():
        return []
    found = []
    for path in root.iterdir():
        try:
            datetime.strptime(path.name, STAMP_FORMAT)  # noqa: DTZ007 - a name, UTC
        except ValueError:
            continue
        if path.is_dir():
            found.append(path)
    return sorted(found)


def media_snapshot(media_root: Path, target: Path, previous: Path | None) -> None:
    """rsync MEDIA_ROOT into target, hard-linking files unchanged since previous."""
    media_root.mkdir(parents=True, exist_ok=True)
    command = ["rsync", "-a", "--delete"]
    if previous is not None and previous.is_dir():
        command.append(f"--link-dest={previous.resolve()}")
    _run([*command, f"{media_root}/", f"{target}/"])


def media_restore(folder: Path) -> None:
    source = folder / MEDIA_DIR
    if not source.is_dir():
        raise BackupError(f"{source} does not exist")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    _run(["rsync", "-a", "--delete", f"{source}/", f"{media_root}/"])


def backup_stamp(moment: datetime) -> str:
    """The folder name of a backup: UTC, sortable, no colons (rsync reads "a:b" as a host)."""
    utc = moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return utc.isoformat().replace(":", "") + "Z"  # STAMP_FORMAT


def backup_create(*, root: Path, keep: int, now: datetime | None = None) -> BackupResult:
    """Back up the database, then media, into root/<stamp>/; keep the newest ``keep``."""
    if keep < 1:
        raise BackupError("keep must be at least 1")
    stamp = backup_stamp(now or datetime.now(UTC))
    existing = snapshots(root)
    folder = root / stamp
    if folder.exists():
        raise BackupError(f"{folder} exists already")
    partial = root / f".{stamp}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        database = database_backup(partial)
        media_snapshot(Path(settings.MEDIA_ROOT), partial / MEDIA_DIR,
                       existing[-1] / MEDIA_DIR if existing else None)
        (partial / MANIFEST_FILE).write_text(
            json.dumps({"database": database.name, "vendor": _vendor(),
                        "media": media_manifest(partial / MEDIA_DIR)}, indent=1,
                       sort_keys=True), encoding="utf-8")
        # Only a complete backup gets a dated name (and counts for the rotation).
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    removed = []
    for old in snapshots(root)[:-keep]:
        shutil.rmtree(old)
        removed.append(old)
    return BackupResult(folder, folder / database.name, folder / MEDIA_DIR, tuple(removed))


def backup_restore(folder: Path) -> None:
    """Restore the database and the media folder of one backup folder."""
    if not (folder / MANIFEST_FILE).is_file():
        raise BackupError(f"{folder} is not a complete backup (no {MANIFEST_FILE})")
    database_restore(folder)
    media_restore(folder)


def media_manifest(media_root: Path) -> dict[str, str]:
    """sha256 of every file under media_root, by its relative path."""
    result = {}
    if not media_root.is_dir():
        return result
    for path in sorted(media_root.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    digest.update(block)
            result[path.relative_to(media_root).as_posix()] = digest.hexdigest()
    return result


def table_counts() -> dict[str, int]:
    """The number of rows of every table of the database."""
    connection = connections["default"]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def manifest() -> dict:
    """Row counts per table and the media files' checksums: equal after a good restore."""
    return {"tables": table_counts(), "media": media_manifest(Path(settings.MEDIA_ROOT))}
