"""``manage.py demo``: a living year of HälSam, with logins to see it from every side.

Loads the HälSam, Västerbotten and Jämtland Härjedalen presets, fills them with fictive
people and builds this year's and next year's meetings, minutes and documents
(``portal.demo``). Idempotent: a second run changes nothing and says so. E-mail goes to
an in-memory mailbox, never to anyone.
"""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from governance.presets import PresetError
from halsam.command_args import seed_arg, text_arg
from portal.demo import DEFAULT_PASSWORD, SEED, Tally, build


class Command(BaseCommand):
    help = ("Fill HälSam (and Västerbotten, Jämtland Härjedalen) with fictive people, a year "
            "of meetings, minutes and documents, and create the demo logins.")

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, type=text_arg,
                            help=f"password of the demo logins (default {DEFAULT_PASSWORD})")
        parser.add_argument("--seed", type=seed_arg, default=SEED, help="Faker seed")

    def handle(self, *args, password: str, seed: int, **options):
        started = time.monotonic()
        try:
            tally = build(password=password, seed=seed)
        except PresetError as exc:
            raise CommandError(f"A preset could not be loaded.\n{exc}") from exc
        if tally.changed:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data created in {time.monotonic() - started:.0f} s: {tally.people} "
                f"people, {tally.memberships} memberships, {tally.offices} office terms, "
                f"{tally.users} logins; {tally.meetings} meetings, {tally.items} agenda items, "
                f"{tally.papers} papers, {tally.minutes} minutes, {tally.absences} absences; "
                f"{tally.documents} documents with {tally.versions} versions."))
            if tally.notices or tally.emails:
                self.stdout.write(
                    f"{tally.notices} notices sent: {tally.emails} e-mails went to an "
                    "in-memory mailbox (the demo never mails anyone).")
            if tally.permissions:
                self.stdout.write(f"{tally.permissions} body permissions of the demo logins "
                                  "synced with their memberships: they see their bodies at "
                                  "once.")
        else:
            self.stdout.write("The demo data is already there; nothing was changed.")
        self._print_logins(tally, password)

    def _print_logins(self, tally: Tally, password: str) -> None:
        rows = [("Login", "Role", "Person / body")] + tally.logins
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        self.stdout.write("")
        for i, row in enumerate(rows):
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                              .rstrip())
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        if tally.users:
            self.stdout.write(f"\nPassword of every demo login: {password}")
        else:
            self.stdout.write("\nThe logins existed already; their passwords were not changed.")
