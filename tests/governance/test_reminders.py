"""Reminders as data: vacancies, memberships ended without successor, the term change."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import reminders, services
from governance.models import Principal, Seat

pytestmark = pytest.mark.django_db
SLUG = "halsam-vasternorrland"


@pytest.fixture
def halsam(db):
    call_command("load_structure", SLUG, verbosity=0)


def _person(n: int, code: str = "2281"):
    return services.person_create(actor=None, first_name="Test", last_name=f"P{n}",
                                  email=f"t{n}@example.se",
                                  principal=Principal.objects.get(code=code))


def test_h2_every_empty_political_seat_is_a_vacancy(halsam):
    found = [r for r in reminders.vacancies(on=dt.date(2026, 3, 1), structure_slug=SLUG)
             if r.body_slug == "halsam"]
    assert len(found) == 17


def test_filled_seat_is_no_longer_a_vacancy_and_keys_change_with_the_gap(halsam):
    seat = Seat.objects.get(body__slug="halsam", key="ordf-socialnamnd-sundsvall")
    before = {r.key for r in reminders.vacancies(on=dt.date(2026, 3, 1), structure_slug=SLUG)}
    services.membership_start(actor=None, person=_person(1), seat=seat, start=dt.date(2026, 1, 1))
    after = {r.key for r in reminders.vacancies(on=dt.date(2026, 3, 1), structure_slug=SLUG)}
    assert len(before) - len(after) == 1
    # Before the membership started the seat was vacant on that day.
    earlier = {r.key for r in reminders.vacancies(on=dt.date(2025, 12, 1), structure_slug=SLUG)}
    assert earlier == before


def test_membership_ended_without_successor_is_reported_until_someone_follows(halsam):
    seat = Seat.objects.get(body__slug="halsam", key="ordf-skolnamnd-timra")
    m = services.membership_start(actor=None, person=_person(2, "2262"), seat=seat,
                                  start=dt.date(2023, 1, 1))
    services.membership_end(actor=None, membership=m, end=dt.date(2026, 2, 28))
    on = dt.date(2026, 3, 10)
    assert [r.key for r in reminders.ended_without_successor(on=on)] == [f"ended:{m.pk}"]
    services.membership_start(actor=None, person=_person(3, "2262"), seat=seat,
                              start=dt.date(2026, 3, 15))
    assert reminders.ended_without_successor(on=on) == []


def test_h3_term_change_asks_to_confirm_holders_by_virtue_of_office(halsam):
    seat = Seat.objects.get(body__slug="halsam", key="ordf-hsn")
    old = services.membership_start(actor=None, person=_person(4, "R22"), seat=seat,
                                    start=dt.date(2023, 1, 1))
    assert reminders.term_change(on=dt.date(2026, 6, 1), structure_slug=SLUG) == []
    due = reminders.term_change(on=dt.date(2026, 11, 22), structure_slug=SLUG)
    assert [(r.key, r.due, r.rule) for r in due] == [
        (f"term:{seat.body.structure.terms.get(start=dt.date(2027, 1, 1)).pk}:{old.pk}",
         dt.date(2027, 1, 1), "H3")]
    # Once the holder is confirmed for the new term (a new membership from 2027-01-01),
    # the reminder goes away.
    services.membership_end(actor=None, membership=old, end=dt.date(2026, 12, 31))
    services.membership_start(actor=None, person=old.person, seat=seat, start=dt.date(2027, 1, 1))
    assert reminders.term_change(on=dt.date(2026, 11, 22), structure_slug=SLUG) == []


def test_reminder_queries_do_not_grow_with_data(halsam):
    on = dt.date(2026, 11, 22)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            reminders.vacancies(on=on)
            reminders.ended_without_successor(on=on)
            reminders.term_change(on=on)
        return len(ctx.captured_queries)

    baseline = count()
    for i, seat in enumerate(Seat.objects.filter(body__slug="halsam", principal__code="2281")):
        m = services.membership_start(actor=None, person=_person(10 + i), seat=seat,
                                      start=dt.date(2023, 1, 1))
        if i == 0:
            services.membership_end(actor=None, membership=m, end=dt.date(2026, 6, 30))
    assert count() == baseline
