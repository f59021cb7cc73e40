"""The coordinator's "Min vecka" and the digest before a structure is in force (J7, H25):
only the reminder of the first election, no false breach (issue 13 point 1)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import checks, services
from governance.models import Body, Principal, Seat
from governance.presets import load_structure
from meetings.rules import STOCKHOLM
from portal.week import week_page

pytestmark = pytest.mark.django_db
SLUG = "jamtland-harjedalen"


def _now(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), tzinfo=STOCKHOLM)


def _entries(page):
    return [(g.body.slug, e.section, e.status.code) for g in page.groups for e in g.entries]


@pytest.fixture
def jamtland(db):
    load_structure(SLUG)


def test_j7_week_before_2027_shows_only_the_first_elections(jamtland):
    """J7 "Från 2027-01-01": on 15 November 2026 the week page shows PaHSU's and TaHSU's
    first election, due by 31 December 2026, and nothing that breaks the agreement."""
    page = week_page(now=_now("2026-11-15"), structure_slug=SLUG)
    # 46 days before the day it is due: "coming", not yet "due soon" nor overdue.
    assert sorted(_entries(page)) == [("pahsu", "followups", "coming"),
                                      ("tahsu", "followups", "coming")]
    assert page.urgent == []
    assert not [f for f in checks.findings(on=dt.date(2026, 11, 15), structure_slug=SLUG)
                if f.severity == "error"]


def test_j7_week_query_count_does_not_grow_before_the_start(jamtland):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            week_page(now=_now("2026-11-15"), structure_slug=SLUG)
        return len(ctx.captured_queries)

    baseline = count()
    body = Body.objects.get(slug="pahsu")
    seats = Seat.objects.filter(body=body, principal__isnull=False).order_by("-principal__kind")
    for n, seat in enumerate(seats[:6]):  # the region's HSN seat first: 2027 is its year
        person = services.person_create(actor=None, first_name="P", last_name=str(n),
                                        principal=Principal.objects.get(pk=seat.principal_id))
        services.membership_start(actor=None, person=person, seat=seat,
                                  start=dt.date(2027, 1, 1))
        if n == 0:
            services.office_term_record(actor=None, body=body, office="chair", person=person,
                                        start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    assert count() <= baseline
