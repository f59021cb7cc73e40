"""Issue 13, "Done when": no finding is false on any of the three presets on any day from
2022 to 2035 (H3, H25, J7).

The three presets are loaded once for the module and filled by ``holders.build`` with
correctly recorded people, memberships and office holders for 2022–2036 (what it assumes
is in its docstring). On a sample of days (1 January, 1 April, 1 October, 1 December and
31 December of every year, and each structure's first day ±1) nothing may be an error;
before a structure's start its bodies may only be reminded of their first election.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from governance import checks
from governance.presets import load_structure

from .holders import build

PRESETS = {
    # slug: the day the structure comes into force (None: no date in the agreement)
    "halsam-vasternorrland": dt.date(2023, 1, 1),   # H25
    "jamtland-harjedalen": dt.date(2027, 1, 1),     # J7
    "vasterbotten": None,                           # V16: "tills vidare", no start date
}


def _sample_days() -> list[dt.date]:
    days = {dt.date(y, m, d) for y in range(2022, 2036)
            for m, d in ((1, 1), (4, 1), (10, 1), (12, 1), (12, 31))}
    for start in filter(None, PRESETS.values()):
        days |= {start - dt.timedelta(days=1), start, start + dt.timedelta(days=1)}
    return sorted(days)


DAYS = _sample_days()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The three presets with their holders, built once and rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = {}
        for slug in PRESETS:
            load_structure(slug)
            built[slug] = build(slug)
        yield built
        transaction.set_rollback(True)


def _errors(on: dt.date, slug: str) -> list[str]:
    return [f"{f.body_slug}: {f.message}" for f in checks.findings(on=on, structure_slug=slug)
            if f.severity == "error"]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(PRESETS))
def test_h3_h25_j7_no_error_on_any_sampled_day_2022_2035(world, slug):
    """"Ingen avvikelse är falsk": with correctly recorded holders nothing is an error,
    before, at and long after each structure's start, across the terms 2023–2026,
    2027–2030, 2031–2034 and into 2035–2038 (H3)."""
    assert world[slug].offices > 0
    wrong = {day.isoformat(): errors for day in DAYS if (errors := _errors(day, slug))}
    assert wrong == {}


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [s for s, start in PRESETS.items() if start])
def test_h25_j7_before_the_start_only_first_elections(world, slug):
    """H25 "HälSam gäller från 2023-01-01"; J7 "Från 2027-01-01 och tillsvidare": before
    that day a body gives no finding at all but the reminder of its first election, and
    with its first holders recorded ahead not even that."""
    start = PRESETS[slug]
    for day in [d for d in DAYS if d < start]:
        found = [(f.kind, f.body_slug) for f in checks.findings(on=day, structure_slug=slug)
                 if f.kind != "election_due"]
        assert found == [], day


@pytest.mark.django_db
@pytest.mark.parametrize("on", ["2022-06-01", "2026-10-01", "2026-12-01", "2026-12-31"])
def test_j7_rotation_check_exits_0_before_2027(world, on):
    """J7: Jämtland Härjedalen's structure starts 2027-01-01. `rotation --check --on` a
    day before that, over all three presets with correctly recorded holders, finds no
    error and exits 0 (it raised SystemExit(1) for the rule "applying from 2027")."""
    out = io.StringIO()
    call_command("rotation", "--check", "--on", on, stdout=out)
    assert out.getvalue().rstrip().endswith("warning(s).")
    assert out.getvalue().splitlines()[-1].startswith("0 error(s)")
