"""``manage.py media_orphans [--delete] [--min-age-hours N]``: the media files no row names.

Lists them (one path a line, relative to DJANGO_MEDIA_ROOT); with ``--delete`` removes
them. Files younger than ``--min-age-hours`` (default 24) are never touched.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from halsam.ops.orphans import orphaned_files, remove


def _hours(value: str) -> int:
    try:
        hours = int(value)
    except ValueError:
        raise CommandError(f"--min-age-hours: a whole number of hours, not {value!r}.") \
            from None
    if not 1 <= hours <= 24 * 365:
        raise CommandError("--min-age-hours: from 1 to 8760 hours.")
    return hours


class Command(BaseCommand):
    help = "List (or with --delete remove) media files that no row or history record names."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true",
                            help="Remove the files listed (and the folders left empty).")
        parser.add_argument("--min-age-hours", type=str, default="24",
                            help="Leave files younger than this alone (default 24).")

    def handle(self, *args, delete: bool, min_age_hours: str, **options) -> None:
        hours = _hours(min_age_hours)
        root = settings.MEDIA_ROOT
        found = orphaned_files(min_age=dt.timedelta(hours=hours), root=root)
        for path in found:
            self.stdout.write(path.relative_to(root).as_posix())
        if delete:
            remove(found, root=root)
        verb = "removed" if delete else "found"
        self.stderr.write(f"{len(found)} orphaned file(s) {verb}.")
