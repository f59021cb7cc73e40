"""The year calendar: the month layout (meetings/month_calendar.py, no ORM) and the page
/kalender/ (meetings/calendar_views.py): who sees which meetings, years, query counts."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services as gov
from governance.models import MembershipRole
from meetings import month_calendar, services
from meetings.month_calendar import CalendarMeeting
from meetings.rules import STOCKHOLM
from tests.governance.factories import BodyFactory, SeatFactory, StructureFactory, UserFactory


def meeting(pk: int, when: str, *, cancelled: bool = False) -> CalendarMeeting:
    start = dt.datetime.fromisoformat(when).replace(tzinfo=STOCKHOLM)
    return CalendarMeeting(id=pk, start=start, title=f"Möte {pk}", body_name="Organ",
                           url=f"/moten/{pk}/", cancelled=cancelled)


# --- the layout, pure ---------------------------------------------------------------------

def test_weeks_start_on_monday_with_iso_week_numbers():
    month = month_calendar.month_grid(2026, 2, [])
    assert month.weeks[0].number == 5  # 1 February 2026 is a Sunday in ISO week 5
    assert [d.date.day if d else None for d in month.weeks[0].days] == [None] * 6 + [1]
    assert month.weeks[-1].days[-1] is None or month.weeks[-1].days[-1].date.day == 28
    assert sum(1 for w in month.weeks for d in w.days if d) == 28
    december = month_calendar.month_grid(2026, 12, [])
    assert december.weeks[-1].number == 53  # 2026 has an ISO week 53


def test_days_carry_their_meetings_in_time_order_and_link_where_they_should():
    meetings = [meeting(2, "2026-03-10T13:00"), meeting(1, "2026-03-10T09:00"),
                meeting(3, "2026-03-20T09:00", cancelled=True), meeting(4, "2026-04-01T09:00")]
    march = month_calendar.month_grid(2026, 3, meetings, today=dt.date(2026, 3, 20))
    days = {d.date.day: d for d in march.days_with_meetings}
    assert set(days) == {10, 20}  # April's meeting is not in March
    assert [m.id for m in days[10].meetings] == [1, 2]
    assert days[10].anchor == "dag-2026-03-10" and not days[10].only_cancelled
    assert days[20].only_cancelled and days[20].is_today and not days[10].is_today
    assert [(m.id, anchor) for m, anchor in march.listing] == [
        (1, "dag-2026-03-10"), (2, ""), (3, "dag-2026-03-20")]


def test_cells_do_not_overlap_and_fit_the_view_box():
    month = month_calendar.month_grid(2026, 8, [])  # six weeks
    assert len(month.weeks) == 6
    cells = [(d.x, d.y) for w in month.weeks for d in w.days if d]
    assert len(set(cells)) == len(cells) == 31
    assert all(x + month_calendar.CELL_W <= month.width and y + month_calendar.CELL_H
               <= month.height for x, y in cells)


def test_year_has_twelve_months_and_leaves_other_years_out():
    months = month_calendar.year_calendar(2027, [meeting(1, "2026-12-31T09:00"),
                                                 meeting(2, "2027-01-01T09:00")])
    assert [m.month for m in months] == list(range(1, 13))
    assert [m.id for month in months for m in month.meetings] == [2]


# --- the page -----------------------------------------------------------------------------

@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HALSAM_DEFAULT_STRUCTURE = "kalenderstruktur"
    structure = StructureFactory(slug="kalenderstruktur", name="Kalenderstruktur")
    body = BodyFactory(structure=structure, name="Kalenderorgan", slug="kalenderorgan")
    member = UserFactory(username="kalender-ledamot")
    person = gov.person_create(actor=None, first_name="Kalle", last_name="Ledamot",
                               email="kalle@exempel.invalid", user=member)
    gov.membership_start(actor=None, person=person, seat=SeatFactory(body=body),
                         role=MembershipRole.MEMBER, start=dt.date(2020, 1, 1))
    return {"structure": structure, "body": body, "member": member}


def plan(body, day: dt.date, *, public: bool = True, title: str = ""):
    start = dt.datetime.combine(day, dt.time(13), tzinfo=STOCKHOLM)
    return services.meeting_plan(actor=None, body=body, start=start,
                                 end=start + dt.timedelta(hours=2), place="Regionens hus",
                                 is_public=public, title=title)


def test_public_see_public_meetings_members_their_bodies_too(client, world):
    year = timezone.localdate().year
    plan(world["body"], dt.date(year, 3, 4), title="Öppet möte")
    plan(world["body"], dt.date(year, 5, 6), public=False, title="Internt möte")
    html = client.get(reverse("meetings:calendar")).content.decode()
    assert "Öppet möte" in html and "Internt möte" not in html
    client.force_login(world["member"])
    html = client.get(reverse("meetings:calendar")).content.decode()
    assert "Öppet möte" in html and "Internt möte" in html
    outsider = UserFactory(username="utomstaende")
    client.force_login(outsider)
    assert "Internt möte" not in client.get(reverse("meetings:calendar")).content.decode()


def test_a_year_page_with_previous_and_next_year(client, world):
    plan(world["body"], dt.date(2027, 2, 4), title="Februarimöte")
    response = client.get(reverse("meetings:calendar_year", args=[2027]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Februarimöte" in html and 'href="/moten/' in html
    assert reverse("meetings:calendar_year", args=[2026]) in html
    assert reverse("meetings:calendar_year", args=[2028]) in html
    assert html.count('role="img"') == 12
    assert client.get(reverse("meetings:calendar_year", args=[1999])).status_code == 404
    assert client.get(reverse("meetings:calendar_year", args=[2101])).status_code == 404


def test_another_structure_by_query_and_an_unknown_one_is_404(client, world):
    other = StructureFactory(slug="annan", name="Annan struktur")
    plan(BodyFactory(structure=other, slug="annat-organ"), dt.date(2027, 6, 1), title="Annat")
    url = reverse("meetings:calendar_year", args=[2027])
    assert "Annat" not in client.get(url).content.decode()
    assert "Annat" in client.get(url + "?struktur=annan").content.decode()
    assert client.get(url + "?struktur=finns-inte").status_code == 404


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_meetings(client, world):
    client.force_login(world["member"])
    url = reverse("meetings:calendar_year", args=[2027])
    plan(world["body"], dt.date(2027, 1, 10))
    _queries(client, url)  # caches (content types, the session) filled once
    few = _queries(client, url)
    for month in range(1, 13):
        plan(world["body"], dt.date(2027, month, 15), public=month % 2 == 0)
        plan(BodyFactory(structure=world["structure"]), dt.date(2027, month, 20))
    assert _queries(client, url) == few
