"""``manage.py restore --from DIR/<stamp> --yes``: replaces the database and media.

See halsam/ops/backup.py and docs/operations.md ("Restore").
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from halsam.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore one backup folder made by `manage.py backup`: the database and the "
            "media folder are replaced by the backup's. Stop web and workers first.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, type=Path,
                            metavar="DIR", help="one dated backup folder")
        parser.add_argument("--yes", action="store_true",
                            help="confirm that the current data is to be replaced")

    def handle(self, *args, **options) -> None:
        if not options["yes"]:
            raise CommandError("This replaces the database and the media folder; "
                               "add --yes to confirm.")
        try:
            backup_restore(options["source"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"The restore failed: {exc}") from exc
        self.stdout.write(f"Restored {options['source']}")
