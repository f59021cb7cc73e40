"""``manage.py backup --to DIR [--keep N]``: the database and a media snapshot.

See halsam/ops/backup.py and docs/operations.md ("Backups").
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from halsam.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Back up the database (SQLite's online backup API or pg_dump) and a hard-linked "
            "snapshot of the media folder into DIR/<UTC time>/, keeping the newest N.")

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, metavar="DIR",
                            help="folder of the dated backups")
        parser.add_argument("--keep", type=int, default=14, metavar="N",
                            help="number of backups kept (default 14, at least 1)")

    def handle(self, *args, **options) -> None:
        if options["keep"] < 1:
            raise CommandError("--keep must be 1 or more.")
        try:
            result = backup_create(root=options["to"], keep=options["keep"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"The backup failed: {exc}") from exc
        self.stdout.write(f"Backed up to {result.folder}")
        for old in result.removed:
            self.stdout.write(f"Removed the old backup {old}")
