"""The pure meeting rules: transitions, the plan check, series, substitutes, elections."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings import rules
from meetings.rules import STOCKHOLM, Place, PlannedMeeting

AREAS = [("barn-och-unga", "Barn och unga"), ("vuxna", "Vuxna"), ("aldre", "Äldre")]
H7_RULE = {"theme_meeting_per_area": True, "joint_meetings": 1, "rule": "H7"}


def when(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=13, tzinfo=STOCKHOLM)


# --- transitions ------------------------------------------------------------------------

@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("draft", "with_checkers", True),
    ("with_checkers", "approved", True),
    ("with_checkers", "draft", True),
    ("approved", "published", True),
    ("draft", "approved", False),
    ("draft", "published", False),
    ("with_checkers", "published", False),
    ("published", "draft", False),
    ("approved", "draft", False),
])
def test_minutes_transitions(current, target, allowed):
    assert rules.can_transition(rules.MINUTES_TRANSITIONS, current, target) is allowed


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("planned", "notice_sent", True),
    ("planned", "cancelled", True),
    ("notice_sent", "cancelled", True),
    ("notice_sent", "held", True),
    ("held", "minutes_approved", True),
    ("minutes_approved", "minutes_published", True),
    ("held", "cancelled", False),
    ("cancelled", "planned", False),
    ("planned", "minutes_published", False),
    ("minutes_published", "held", False),
])
def test_meeting_transitions(current, target, allowed):
    assert rules.can_transition(rules.MEETING_TRANSITIONS, current, target) is allowed


def test_every_status_has_a_row():
    from meetings.models import MeetingStatus, MinutesStatus

    assert set(rules.MEETING_TRANSITIONS) == set(MeetingStatus.values)
    assert set(rules.MINUTES_TRANSITIONS) == set(MinutesStatus.values)


# --- plan check -------------------------------------------------------------------------

def test_h14_below_minimum_flagged():
    meetings = [PlannedMeeting(when(d), "ordinary") for d in ("2027-02-03", "2027-05-05",
                                                               "2027-09-08")]
    check = rules.plan_check(year=2027, meetings=meetings, minimum=4, rule_ids=["H14"])
    assert [f.code for f in check.findings] == ["below_minimum"]
    assert check.findings[0].params == {"count": 3, "minimum": 4, "year": 2027}
    assert check.findings[0].rule_id == "H14"


def test_h15_cancelled_and_other_years_do_not_count():
    meetings = [PlannedMeeting(when(f"2027-0{m}-10"), "ordinary") for m in range(1, 5)]
    meetings += [PlannedMeeting(when("2027-10-10"), "ordinary", cancelled=True),
                 PlannedMeeting(when("2028-01-12"), "ordinary")]
    assert not rules.plan_check(year=2027, meetings=meetings, minimum=5).ok
    meetings.append(PlannedMeeting(when("2027-11-10"), "ordinary"))
    assert rules.plan_check(year=2027, meetings=meetings, minimum=5).ok


def test_h7_mix_requires_a_theme_meeting_per_area_and_a_joint_meeting():
    four = [PlannedMeeting(when("2027-02-10"), "theme", "barn-och-unga"),
            PlannedMeeting(when("2027-04-10"), "theme", "vuxna"),
            PlannedMeeting(when("2027-06-10"), "ordinary"),
            PlannedMeeting(when("2027-10-10"), "ordinary")]
    check = rules.plan_check(year=2027, meetings=four, minimum=4, meeting_rule=H7_RULE,
                             areas=AREAS)
    assert sorted(f.code for f in check.findings) == ["joint_missing", "theme_missing"]
    assert [f.params["area"] for f in check.findings if f.code == "theme_missing"] == ["Äldre"]
    assert all(f.rule_id == "H7" for f in check.findings)
    good = [*four[:2], PlannedMeeting(when("2027-06-10"), "theme", "aldre"),
            PlannedMeeting(when("2027-10-10"), "joint")]
    assert rules.plan_check(year=2027, meetings=good, minimum=4, meeting_rule=H7_RULE,
                            areas=AREAS).ok


def test_h7_a_cancelled_theme_meeting_leaves_its_area_uncovered():
    meetings = [PlannedMeeting(when("2027-02-10"), "theme", code) for code, _n in AREAS]
    meetings += [PlannedMeeting(when("2027-10-10"), "joint")]
    meetings[1] = PlannedMeeting(when("2027-03-10"), "theme", "vuxna", cancelled=True)
    check = rules.plan_check(year=2027, meetings=meetings, minimum=4, meeting_rule=H7_RULE,
                             areas=AREAS)
    assert {f.code for f in check.findings} == {"below_minimum", "theme_missing"}


def test_j2_joint_seminar_counted():
    rule = {"joint_seminars": 1, "rule": "J2"}
    check = rules.plan_check(year=2027, meetings=[], minimum=None, meeting_rule=rule)
    assert [f.code for f in check.findings] == ["seminar_missing"]
    check = rules.plan_check(year=2027, meetings=[PlannedMeeting(when("2027-05-05"), "seminar")],
                             minimum=None, meeting_rule=rule)
    assert check.ok


# --- series -----------------------------------------------------------------------------

def test_monthly_series_moves_trettondedag_jul_2027():
    # The first Wednesday of January 2027 is 6 January, Trettondedag jul: the meeting
    # moves to Thursday 7 January, in the same month.
    series = rules.series_dates(frequency="monthly", first_day=dt.date(2027, 1, 1),
                                time=dt.time(9), weekday=2, week_of_month=1, count=3)
    days = [s.date() for s in series.starts]
    assert days == [dt.date(2027, 1, 7), dt.date(2027, 2, 3), dt.date(2027, 3, 3)]
    assert [d for d, _name in series.skipped] == [dt.date(2027, 1, 6)]
    assert series.skipped[0][1] == "Trettondedag jul"
    assert series.moved[0].moved_to == dt.date(2027, 1, 7) and not series.dropped
    assert all(s.tzinfo is STOCKHOLM and s.hour == 9 for s in series.starts)


def test_weekly_series_skips_midsommarafton():
    # Fridays in June 2027: Midsommarafton is 25 June.
    series = rules.series_dates(frequency="weekly", first_day=dt.date(2027, 6, 11),
                                time=dt.time(10), weekday=4, until=dt.date(2027, 7, 2))
    days = [s.date() for s in series.starts]
    assert days == [dt.date(2027, 6, 11), dt.date(2027, 6, 18), dt.date(2027, 7, 2)]
    assert series.skipped == ((dt.date(2027, 6, 25), "Midsommarafton"),)


def test_series_keeps_local_time_across_dst():
    series = rules.series_dates(frequency="monthly", first_day=dt.date(2027, 2, 1),
                                time=dt.time(13), weekday=1, week_of_month=2, count=3)
    # 9 February and 9 March are winter time, 13 April summer time (from 28 March).
    assert [s.utcoffset() for s in series.starts] == [dt.timedelta(hours=1),
                                                       dt.timedelta(hours=1),
                                                       dt.timedelta(hours=2)]
    assert all(s.hour == 13 for s in series.starts)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"frequency": "daily", "count": 3}, "frequency"),
    ({"frequency": "monthly"}, "count"),
    ({"frequency": "monthly", "count": 0}, "count"),
    ({"frequency": "monthly", "until": dt.date(2020, 1, 1)}, "until"),
])
def test_series_refuses(kwargs, code):
    with pytest.raises(rules.SeriesError) as exc:
        rules.series_dates(first_day=dt.date(2027, 1, 1), time=dt.time(9), **kwargs)
    assert exc.value.code == code


@settings(max_examples=40, deadline=None)
@given(first=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2035, 12, 31)),
       weekday=st.integers(0, 4), frequency=st.sampled_from(["monthly", "weekly"]))
def test_series_never_on_a_holiday_and_never_leaves_its_period(first, weekday, frequency):
    """Every date of the rule is kept, moved within its month or week, or dropped."""
    until = dt.date(first.year, 12, 31)
    try:
        series = rules.series_dates(frequency=frequency, first_day=first, time=dt.time(9),
                                    weekday=weekday, until=until,
                                    week_of_month=1 if frequency == "monthly" else None)
    except rules.SeriesError as exc:
        assert exc.reason in {"none", "all_dropped"}
        return
    days = [s.date() for s in series.starts]
    calendar = rules.swedish_holidays([first.year])
    assert not any(d in calendar for d in days)
    assert all(first <= d <= until for d in days)
    assert days == sorted(set(days))
    kept = [d for d in days if d.weekday() == weekday]
    assert len(kept) + len(series.changes) == len({*kept, *(c.day for c in series.changes)})
    for c in series.moved:
        same = ((c.moved_to.year, c.moved_to.month) == (c.day.year, c.day.month)
                if frequency == "monthly"
                else c.moved_to.isocalendar()[:2] == c.day.isocalendar()[:2])
        assert same and c.moved_to > c.day and c.moved_to.weekday() < 5


# --- substitutes (V2) -------------------------------------------------------------------

def place(mid, pid, seat=1, principal=10, role="member", for_=None, start=dt.date(2024, 1, 1)):
    return Place(membership_id=mid, person_id=pid, seat_id=seat, principal_id=principal,
                 role=role, substitute_for_id=for_, start=start)


def test_v2_named_substitute_first():
    absent = place(1, 100)
    places = [absent, place(2, 200), place(3, 300, role="substitute"),
              place(4, 400, role="substitute", for_=2), place(5, 500, role="substitute", for_=1)]
    assert rules.choose_substitute(absent=absent, places=places).person_id == 500


def test_v2_else_same_principal_and_seat_unnamed_first():
    absent = place(1, 100)
    places = [absent,
              place(3, 300, seat=2, role="substitute"),             # other seat
              place(4, 400, principal=11, role="substitute"),       # other principal
              place(5, 500, role="substitute", for_=9),             # named for someone else
              place(6, 600, role="substitute")]
    assert rules.choose_substitute(absent=absent, places=places).person_id == 600
    assert rules.choose_substitute(absent=absent, places=places,
                                   unavailable={600}).person_id == 500
    assert rules.choose_substitute(absent=absent, places=places, unavailable={500, 600}) is None


def test_v2_named_substitute_already_called_falls_back():
    absent = place(1, 100)
    places = [absent, place(5, 500, role="substitute", for_=1), place(6, 600, role="substitute")]
    assert rules.choose_substitute(absent=absent, places=places,
                                   unavailable={500}).person_id == 600


# --- election (H13) ---------------------------------------------------------------------

def test_h13_election_meeting_is_last_not_cancelled_of_year():
    meetings = [(1, when("2027-03-01"), False), (2, when("2027-11-20"), False),
                (3, when("2027-12-10"), True), (4, when("2028-01-15"), False)]
    assert rules.election_meeting(meetings, year=2027) == 2
    assert rules.election_meeting(meetings, year=2026) is None


def test_h13_new_year_eve_in_utc_counts_for_its_local_year():
    late = dt.datetime(2027, 12, 31, 23, 30, tzinfo=STOCKHOLM)  # 22:30 UTC, still 2027
    assert rules.election_meeting([(1, late.astimezone(dt.UTC), False)], year=2027) == 1


@pytest.mark.parametrize(("at", "starts", "year", "expected"), [
    ("last_meeting_of_previous_year", [2023, 2024, 2025, 2026, 2027, 2028], 2027, 2028),
    ("last_meeting_of_previous_year", [2023, 2025, 2027, 2029], 2027, None),  # two-year term
    ("last_meeting_of_previous_year", [2023, 2025, 2027, 2029], 2028, 2029),
    ("start_of_term", [2023, 2027], 2026, None),
])
def test_h13_election_year(at, starts, year, expected):
    assert rules.election_year_after(election_at=at, period_starts=starts, year=year) == expected
