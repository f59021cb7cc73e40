"""The year plan: minimum and mix checks (H7, H14, H15), series skipping holidays, the
election item on the year's last meeting (H13), and the shortfall report."""
from __future__ import annotations

import datetime as dt

import pytest

from governance.models import Body, StrategicArea
from meetings import selectors, services
from meetings.models import AgendaItem, AgendaItemKind, MeetingKind

from .builders import at, load_preset, meeting

pytestmark = pytest.mark.django_db

@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")

YEAR = 2027


def codes(plan) -> list[str]:
    return sorted(f.code for f in plan.check.findings)


def test_h14_lansledning_below_its_minimum_of_4(halsam):
    for day in ("2027-02-10", "2027-05-12", "2027-09-15"):
        meeting("lansledning", day)
    plan = selectors.body_plan(Body.objects.get(slug="lansledning"), YEAR)
    assert codes(plan) == ["below_minimum"]
    assert plan.check.findings[0].rule_id == "H14"
    assert "4" in plan.messages[0]
    meeting("lansledning", "2027-11-17")
    assert selectors.body_plan(Body.objects.get(slug="lansledning"), YEAR).check.ok


def test_h15_county_group_needs_5_and_cancelled_do_not_count(halsam):
    ms = [meeting("lansamordning-vuxna", f"2027-{m:02d}-10") for m in (2, 4, 6, 9, 11)]
    body = Body.objects.get(slug="lansamordning-vuxna")
    assert selectors.body_plan(body, YEAR).check.ok
    services.meeting_cancel(actor=None, meeting=ms[2], reason="Krock")
    plan = selectors.body_plan(body, YEAR)
    assert codes(plan) == ["below_minimum"]
    assert plan.check.findings[0].rule_id == "H15"
    assert plan.check.counted == 4


def test_h7_halsam_needs_a_theme_meeting_per_area_and_a_joint_meeting(halsam):
    body = Body.objects.get(slug="halsam")
    areas = {a.code: a for a in StrategicArea.objects.filter(structure=body.structure)}
    for n, day in enumerate(("2027-02-10", "2027-04-14", "2027-09-15", "2027-11-10")):
        meeting("halsam", day, kind=MeetingKind.ORDINARY if n else MeetingKind.THEME,
                area=areas["barn-och-unga"] if n == 0 else None)
    plan = selectors.body_plan(body, YEAR)
    # Four meetings meet the minimum, but not the mix: Vuxna, Äldre and the joint one lack.
    assert codes(plan) == ["joint_missing", "theme_missing", "theme_missing"]
    assert {f.rule_id for f in plan.check.findings} == {"H7"}
    assert any("Äldre" in m for m in plan.messages)
    meeting("halsam", "2027-05-12", kind=MeetingKind.THEME, area=areas["vuxna"])
    meeting("halsam", "2027-10-13", kind=MeetingKind.THEME, area=areas["aldre"])
    meeting("halsam", "2027-06-02", kind=MeetingKind.JOINT)
    assert selectors.body_plan(body, YEAR).check.ok


def test_series_service_moves_trettondedag_jul(halsam):
    body = Body.objects.get(slug="lansledning")
    created, series = services.meeting_series_create(
        actor=None, body=body, place="Härnösand",
        series=services.SeriesRequest(frequency="monthly", first_day=dt.date(2027, 1, 1),
                                      time=dt.time(9, 30), duration=dt.timedelta(hours=3),
                                      weekday=2, week_of_month=1, count=3))
    assert [m.start.date() for m in created] == [dt.date(2027, 1, 7), dt.date(2027, 2, 3),
                                                 dt.date(2027, 3, 3)]
    assert series.skipped == ((dt.date(2027, 1, 6), "Trettondedag jul"),)
    assert all(m.end - m.start == dt.timedelta(hours=3) for m in created)
    assert created[0].notice_due_at == created[0].start - dt.timedelta(days=body.notice_days)


def election_items(body_slug: str, for_year: int) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting__body__slug=body_slug,
                                          election_for_year=for_year).select_related("meeting"))


def test_h13_election_item_lands_on_the_last_meeting_and_moves(halsam):
    first = meeting("lansledning", "2027-03-10")
    last = meeting("lansledning", "2027-11-17")
    [item] = election_items("lansledning", 2028)
    assert item.meeting_id == last.pk and item.kind == AgendaItemKind.ELECTION
    assert not election_items("lansledning", 2027)  # the 2026 meetings are not planned

    later = meeting("lansledning", "2027-12-08")  # a later one is added: the item moves
    [item] = election_items("lansledning", 2028)
    assert item.meeting_id == later.pk

    services.meeting_cancel(actor=None, meeting=later, reason="Inställt")
    [item] = election_items("lansledning", 2028)
    assert item.meeting_id == last.pk

    # Moving the first meeting past the last one moves the election with it.
    services.meeting_update(actor=None, meeting=first,
                            changes={"start": at("2027-12-01"), "end": at("2027-12-01", 15)})
    [item] = election_items("lansledning", 2028)
    assert item.meeting_id == first.pk

    # Moving it into the next year takes the election back to this year's last meeting.
    services.meeting_update(actor=None, meeting=first,
                            changes={"start": at("2028-01-12"), "end": at("2028-01-12", 15)})
    [item] = election_items("lansledning", 2028)
    assert item.meeting_id == last.pk


def test_h13_no_meeting_left_removes_the_item(halsam):
    only = meeting("lansamordning-aldre", "2027-10-06")
    assert len(election_items("lansamordning-aldre", 2028)) == 1
    services.meeting_cancel(actor=None, meeting=only, reason="Inställt")
    assert election_items("lansamordning-aldre", 2028) == []


def test_h13_two_year_term_elects_every_other_year(halsam):
    # Lokal samverkan: chair and vice for two years from 2023 (H20): periods start in odd
    # years, so the election is at the last meeting of 2026 and 2028, not of 2027.
    slug = Body.objects.filter(kind="local_group").order_by("slug").values_list(
        "slug", flat=True).first()
    meeting(slug, "2027-11-10")
    meeting(slug, "2028-11-08")
    assert election_items(slug, 2028) == []
    assert len(election_items(slug, 2029)) == 1


def test_h13_election_item_cannot_be_deleted_by_hand(halsam):
    last = meeting("lansledning", "2027-11-17")
    [item] = election_items("lansledning", 2028)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.agenda_item_delete(actor=None, item=item)
    assert AgendaItem.objects.filter(meeting=last, formalia="").count() == 1


def test_shortfall_report_lists_bodies_below_minimum(halsam):
    for m in (2, 4, 6, 9, 11):
        meeting("lansamordning-barn-och-unga", f"2027-{m:02d}-10")
    meeting("lansledning", "2027-02-10")
    slugs = {s.body.slug: s for s in selectors.plan_shortfalls(YEAR)}
    assert "lansamordning-barn-och-unga" not in slugs
    assert slugs["lansledning"].check.counted == 1
    assert {"halsam", "lansamordning-vuxna", "lansamordning-aldre"} <= set(slugs)
    assert "joint_missing" in {f.code for f in slugs["halsam"].check.findings}


def test_shortfall_report_queries_do_not_grow_with_meetings(halsam, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting("lansledning", "2027-02-10")
    with CaptureQueriesContext(connection) as few:
        selectors.plan_shortfalls(YEAR)
    for slug in ("lansledning", "halsam", "lansamordning-vuxna"):
        for m in (3, 5, 8, 10):
            meeting(slug, f"2027-{m:02d}-10")
    with CaptureQueriesContext(connection) as many:
        selectors.plan_shortfalls(YEAR)
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(4):
        selectors.plan_shortfalls(YEAR)
