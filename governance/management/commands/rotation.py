"""``manage.py rotation <body-slug> [--year YYYY | --on YYYY-MM-DD] [--json]``: who may hold
which office; ``manage.py rotation --check [--structure <slug>] [--on YYYY-MM-DD] [--json]``:
findings (as on that day, default today), exit 1 on errors.

Reads the body's rotation rule (data, ``Body.rotation``) and prints, for the period
containing the year, what each office requires and when the election is due. With
``--json`` it prints exactly one JSON object (the contract is in docs/rotation.md).
The rule itself lives in the pure module ``governance.rules``; this command only loads
the body and formats.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from governance import checks, rules
from governance.models import Body, Structure
from halsam.command_args import date_arg, text_arg, year_arg

_KIND_LABELS = {
    "region": "region",
    "municipality": "municipality",
    "association": "association of municipalities",
    "any": "any principal",
    "not_chair": "not the chair's side",
}


class Command(BaseCommand):
    help = ("Show which principal kind, sector and qualification each office of a body "
            "requires in a year, and when the election is due.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("body", nargs="?", type=text_arg,
                            help="the body's slug, e.g. lansledning")
        parser.add_argument("--year", type=year_arg, default=None,
                            help="the calendar year (default: this year)")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print one JSON object instead of a table")
        parser.add_argument("--check", action="store_true",
                            help="check the recorded office holders and reminders of every "
                                 "body; exit 1 when any finding is an error")
        parser.add_argument("--structure", default=None, type=text_arg,
                            help="with --check: only this structure's bodies (slug)")
        parser.add_argument("--on", type=date_arg, default=None, dest="on",
                            help="the day to check or show, YYYY-MM-DD (default: today); "
                                 "without --year the year shown is this day's")

    def handle(self, *args: Any, body: str | None, year: int | None, as_json: bool,
               check: bool, structure: str | None, on: dt.date | None = None,
               **options: Any) -> None:
        on = on or timezone.localdate()
        if check:
            self.run_check(structure_slug=structure, as_json=as_json, on=on)
            return
        if not body:
            raise CommandError("Give the slug of a body, e.g. `rotation lansledning --year 2027`.")
        year = year if year is not None else on.year
        self.show(body_slug=body, year=year, as_json=as_json)

    # --- every body: findings --------------------------------------------------------

    def run_check(self, *, structure_slug: str | None, as_json: bool,
                  on: dt.date | None = None) -> None:
        """Print the findings as on ``on`` (default today); exit 1 (``SystemExit``) when
        any is an error."""
        if structure_slug and not Structure.objects.filter(slug=structure_slug).exists():
            raise CommandError(f"No structure with the slug '{structure_slug}'.")
        found = checks.findings(on=on or timezone.localdate(), structure_slug=structure_slug)
        errors = [f for f in found if f.severity == "error"]
        if as_json:
            self.stdout.write(json.dumps([
                {"key": f.key, "severity": f.severity, "kind": f.kind, "body": f.body_slug,
                 "message": f.message, "rule": f.rule or None,
                 "due": f.due.isoformat() if f.due else None} for f in found],
                ensure_ascii=False))
        else:
            for f in found:
                rule = f" [{f.rule}]" if f.rule else ""
                self.stdout.write(f"{f.severity.upper():8} {f.body_slug}: {f.message}{rule}")
            self.stdout.write(f"{len(errors)} error(s), "
                              f"{sum(f.severity == 'warning' for f in found)} warning(s).")
        if errors:
            raise SystemExit(1)

    # --- one body ----------------------------------------------------------------------

    def load_rule(self, body_slug: str) -> tuple[Body, rules.RotationRule]:
        """The body and its parsed rule, or a ``CommandError`` that says what is wrong."""
        body = Body.objects.filter(slug=body_slug).only("slug", "name", "rotation").first()
        if body is None:
            raise CommandError(f"No body with the slug '{body_slug}'.")
        if not body.rotation:
            raise CommandError(f"The body '{body_slug}' ({body.name}) has no rotation rule.")
        try:
            return body, rules.parse_rotation(body.rotation)
        except rules.RotationError as exc:
            raise CommandError(f"The rotation rule of '{body_slug}' cannot be read: {exc}") from exc

    def show(self, *, body_slug: str, year: int, as_json: bool) -> None:
        body, rule = self.load_rule(body_slug)
        try:
            period = rules.period_for_year(rule, year)
        except rules.RotationError as exc:
            raise CommandError(f"{body_slug}: {exc}") from exc
        summary = rules.rotation_summary(rule, period, body_slug=body.slug)
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.write_table(body, rule, period)

    def write_table(self, body: Body, rule: rules.RotationRule, period: rules.Period) -> None:
        election = rules.election_due(rule, period)
        extended = f" (extended by {period.extended_by} year(s))" if period.extended_by else ""
        self.stdout.write(f"{body.name} ({body.slug})")
        self.stdout.write(f"Period {period.label}: {period.start.isoformat()} – "
                          f"{period.end.isoformat()}{extended}")
        rows = [("Office", "Principal kind", "Sector", "Qualification / note", "Rule")]
        for office, req in rules.requirements(rule, period).items():
            notes = [req.qualification or ""]
            if req.per_area:
                size = f"{rule.presidium_size} chairs, " if rule.presidium_size else ""
                notes.append(f"{size}one per strategic area")
            if req.among:
                notes.append(f"among the {req.among.replace('_', ' ')}s")
            if req.other_side_than_chair:
                notes.append("other side than the chair")
            rows.append((office.replace("_", " "), _KIND_LABELS.get(req.principal_kind,
                                                                     req.principal_kind),
                         (req.sector or "–").replace("_", " "),
                         "; ".join(n for n in notes if n) or "–", req.rule_id or "–"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths,
                                                                          strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        rule_id = f" ({election.rule_id})" if election.rule_id else ""
        self.stdout.write(f"Election ({election.at.replace('_', ' ')}){rule_id}: due by "
                          f"{election.due_by.isoformat()}")
