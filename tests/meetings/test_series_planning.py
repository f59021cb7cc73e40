"""Series planning (issue 11, flow 6): a series stays in its period and its year, says
plainly what a holiday moved or dropped, and every error names the field at fault.

H14: Länsledning meets at least 4 times a year; the page's check and the success message
count the same meetings.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from meetings import rules, series_text, services
from meetings.models import Meeting

from .builders import coordinator_user, load_preset

YEAR = 2027
BASE = {"form": "series", "s-frequency": "monthly", "s-interval": "1", "s-weekday": "",
        "s-week_of_month": "", "s-first_day": "2027-01-01", "s-time": "09:30",
        "s-duration_minutes": "120", "s-count": "", "s-until": "", "s-kind": "ordinary",
        "s-place": "Härnösand", "s-is_public": "on"}


@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")


@pytest.fixture
def plan(client, halsam):
    client.force_login(coordinator_user())
    url = reverse("meetings:plan", args=["lansledning", YEAR])

    def post(**fields):
        data = {**BASE, **{f"s-{k}": str(v) for k, v in fields.items()}}
        return client.post(url, data)
    post.url = url
    return post


# --- the pure rule ----------------------------------------------------------------------

def quarterly_2027(**kwargs):
    # The first Thursday every third month from February 2027: 6 May is Kristi himmelsfärd.
    return rules.series_dates(frequency="monthly", interval=3, weekday=3, week_of_month=1,
                              first_day=dt.date(2027, 2, 1), time=dt.time(13), **kwargs)


def test_kristi_himmelsfard_2027_moves_to_friday_and_the_series_stays_in_2027():
    series = quarterly_2027(count=4)
    assert [s.date() for s in series.starts] == [dt.date(2027, 2, 4), dt.date(2027, 5, 7),
                                                 dt.date(2027, 8, 5), dt.date(2027, 11, 4)]
    (change,) = series.changes
    assert (change.day, change.moved_to) == (dt.date(2027, 5, 6), dt.date(2027, 5, 7))
    assert change.holiday.startswith("Kristi himmelsfärd")
    assert series.last_day == dt.date(2027, 12, 31)


def test_a_fifth_quarterly_date_does_not_fit_in_2027():
    with pytest.raises(rules.SeriesError) as exc:
        quarterly_2027(count=5)
    assert (exc.value.code, exc.value.reason) == ("count", "does_not_fit")
    assert exc.value.params["fits"] == 4


def test_last_friday_dropped_at_the_end_of_the_period_and_of_the_month():
    # 31 December 2027 is nyårsafton; the year (the period) ends the same day.
    series = rules.series_dates(frequency="monthly", weekday=4, week_of_month=-1,
                                first_day=dt.date(2027, 10, 1), count=3, time=dt.time(9))
    assert [s.date() for s in series.starts] == [dt.date(2027, 10, 29), dt.date(2027, 11, 26)]
    assert [(c.day, c.limit) for c in series.dropped] == [(dt.date(2027, 12, 31), "period")]
    # With an end date in the next year, the month is what stops the move.
    series = rules.series_dates(frequency="monthly", weekday=4, week_of_month=-1,
                                first_day=dt.date(2027, 12, 1), until=dt.date(2028, 1, 31),
                                time=dt.time(9))
    assert [(c.day, c.limit) for c in series.dropped] == [(dt.date(2027, 12, 31), "month")]
    assert [s.date() for s in series.starts] == [dt.date(2028, 1, 28)]


def test_weekly_langfredag_is_dropped_within_its_week():
    series = rules.series_dates(frequency="weekly", weekday=4, first_day=dt.date(2027, 3, 19),
                                until=dt.date(2027, 4, 2), time=dt.time(9))
    assert [s.date() for s in series.starts] == [dt.date(2027, 3, 19), dt.date(2027, 4, 2)]
    assert [(c.day, c.holiday, c.limit) for c in series.dropped] == [
        (dt.date(2027, 3, 26), "Långfredagen", "week")]


@pytest.mark.parametrize(("kwargs", "field", "reason"), [
    ({"frequency": "monthly", "week_of_month": 1, "count": 3}, "weekday", "required"),
    ({"frequency": "weekly", "weekday": 1, "week_of_month": 1, "count": 3}, "week_of_month",
     "monthly_only"),
    ({"frequency": "monthly", "count": 3, "first_day": dt.date(2027, 1, 31)}, "first_day",
     "day_of_month"),
    ({"frequency": "monthly", "until": dt.date(2026, 12, 1)}, "until", "before_start"),
    ({"frequency": "weekly", "until": dt.date(2029, 1, 1)}, "until", "too_many"),
    ({"frequency": "monthly", "weekday": 0, "week_of_month": 1, "until": dt.date(2027, 1, 3)},
     "until", "none"),
    ({"frequency": "monthly", "weekday": 0, "count": 3}, "week_of_month", "week_required"),
    ({"frequency": "monthly", "count": 13}, "count", "does_not_fit"),
    ({"frequency": "monthly", "count": 61}, "count", "range"),
    ({"frequency": "monthly"}, "count", "missing"),
])
def test_each_refusal_names_its_field(kwargs, field, reason):
    kwargs = {"first_day": dt.date(2027, 1, 1), **kwargs}
    with pytest.raises(rules.SeriesError) as exc:
        rules.series_dates(time=dt.time(9), **kwargs)
    assert (exc.value.code, exc.value.reason) == (field, reason)
    assert series_text.error(exc.value).message_dict[field]


def test_messages_in_swedish():
    series = quarterly_2027(count=4)
    with translation.override("sv"):
        assert series_text.changes(series) == [(False, (
            "Torsdag 6 maj 2027 är Kristi himmelsfärdsdag; mötet flyttades till "
            "fredag 7 maj 2027."))]
        dropped = rules.series_dates(frequency="weekly", weekday=4, time=dt.time(9),
                                     first_day=dt.date(2027, 3, 26), until=dt.date(2027, 4, 2))
        assert series_text.changes(dropped)[0] == (True, (
            "Fredag 26 mars 2027 är Långfredagen och ingen vardag fanns kvar i veckan; mötet "
            "planerades inte."))
        assert series_text.planned(count=4, body="Länsledning", year=2027) == (
            "4 möten är planerade för Länsledning 2027.")


# --- the service ------------------------------------------------------------------------

def test_service_refuses_on_the_field_and_plans_nothing(halsam):
    from django.core.exceptions import ValidationError

    from governance.models import Body
    body = Body.objects.get(slug="lansledning")
    with pytest.raises(ValidationError) as exc:
        services.meeting_series_create(actor=None, body=body, series=services.SeriesRequest(
            frequency="monthly", first_day=dt.date(2027, 7, 1), time=dt.time(9),
            duration=dt.timedelta(hours=2), count=12))
    assert "only 6 meetings, not 12" in exc.value.message_dict["count"][0]
    assert not Meeting.objects.exists()


# --- the page ---------------------------------------------------------------------------

def test_the_2027_case_from_the_issue(client, plan):
    """H14: four quarterly meetings stay in 2027; the message, the meetings created and the
    page's own check all say 4."""
    response = plan(interval=3, weekday=3, week_of_month=1, first_day="2027-02-01", count=4)
    assert response.status_code == 302
    starts = sorted(m.start for m in Meeting.objects.filter(body__slug="lansledning"))
    assert [s.date() for s in starts] == [dt.date(2027, 2, 4), dt.date(2027, 5, 7),
                                          dt.date(2027, 8, 5), dt.date(2027, 11, 4)]
    page = client.get(plan.url)
    html = page.content.decode()
    assert "4 meetings are planned for Länsledning för HälSam in 2027." in html
    assert ("Thursday 6 May 2027 is Kristi himmelsfärdsdag; the meeting was moved to Friday "
            "7 May 2027.") in html
    assert "4 meetings counted" in html
    assert "The plan meets the body" in html


def test_the_total_is_said_when_the_plan_had_meetings(client, plan):
    assert plan(weekday=2, week_of_month=1, count=2).status_code == 302
    assert plan(weekday=2, week_of_month=1, first_day="2027-09-01", count=2).status_code == 302
    html = client.get(plan.url).content.decode()
    assert "2 meetings are planned for Länsledning för HälSam in 2027. The plan for 2027 now " \
           "has 4 meetings." in html
    assert "4 meetings counted" in html


def test_a_dropped_meeting_is_said_and_not_counted(client, plan):
    response = plan(weekday=4, week_of_month=-1, first_day="2027-10-01")
    assert response.status_code == 200  # neither count nor end date
    assert response.context["series_form"].errors["count"]
    assert plan(weekday=4, week_of_month=-1, first_day="2027-10-01",
                until="2027-12-31").status_code == 302
    html = client.get(plan.url).content.decode()
    assert "2 meetings are planned for Länsledning för HälSam in 2027." in html
    assert ("Friday 31 December 2027 is Nyårsafton and no weekday was left in the period; the "
            "meeting was not planned.") in html
    assert "2 meetings counted" in html
    assert Meeting.objects.count() == 2


@pytest.mark.parametrize(("fields", "field", "text"), [
    ({"week_of_month": 1, "count": 3}, "weekday", "Choose a weekday"),
    ({"frequency": "weekly", "weekday": 1, "week_of_month": 1, "count": 3}, "week_of_month",
     "monthly series only"),
    ({"until": "2027-01-10", "first_day": "2027-02-01"}, "until",
     "The end date is before the first day (1 February 2027)."),
    ({"count": 3, "first_day": "2026-12-01"}, "first_day",
     "The plan is for 2027"),
    ({"until": "2028-03-01"}, "until", "The plan is for 2027"),
    ({"weekday": 1, "count": 3}, "week_of_month", "Choose the week of the month"),
    ({"weekday": 1, "week_of_month": 1, "count": 7, "first_day": "2027-07-01"}, "count",
     "From 1 July 2027 to 31 December 2027 the rule gives only 6 meetings, not 7"),
    ({"weekday": 0, "week_of_month": 1, "first_day": "2027-12-10", "until": "2027-12-31"},
     "until", "the rule gives no meeting"),
    ({"count": 3, "first_day": "2027-01-31"}, "first_day", "every month has"),
    ({}, "count", "Give the number of meetings or an end date."),
])
def test_form_errors_on_the_right_field(plan, fields, field, text):
    response = plan(**fields)
    assert response.status_code == 200
    errors = response.context["series_form"].errors
    assert field in errors, errors
    assert text in " ".join(errors[field])
    assert not Meeting.objects.exists()
    assert escape(text) in response.content.decode()
