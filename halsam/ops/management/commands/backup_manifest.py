"""``manage.py backup_manifest``: row counts per table and media checksums, as JSON.

scripts/restore_test.sh compares it before a backup and after the restore.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from halsam.ops.backup import manifest


class Command(BaseCommand):
    help = "Print the number of rows of every table and the sha256 of every media file."

    def handle(self, *args, **options) -> None:
        self.stdout.write(json.dumps(manifest(), indent=1, sort_keys=True))
