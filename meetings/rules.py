"""The meeting rules as pure functions over plain values.

- which status may follow which, for meetings and for minutes (transition tables);
- the year-plan check: a body's minimum number of meetings (H7, H14, H15, J2) and the
  required mix of meetings recorded as data in ``Body.meeting_rule`` (H7: one theme
  meeting per strategic area plus a joint meeting);
- a series of meeting dates from a recurrence rule (dateutil.rrule) that stays within
  its period and moves (or drops) dates on Swedish public holidays (the ``holidays``
  package);
- which substitute is called in when a member reports absence (V2);
- where the election item goes (H13): the body's last meeting of the year.

Nothing here touches the database, Django's settings or translations: callers pass
plain values and get dataclasses back; the services and views turn codes into
messages.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from dateutil import rrule

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# --- status transitions -----------------------------------------------------------------

MEETING_TRANSITIONS: Mapping[str, frozenset[str]] = {
    "planned": frozenset({"notice_sent", "held", "cancelled"}),
    "notice_sent": frozenset({"held", "cancelled"}),
    "held": frozenset({"minutes_approved"}),
    "minutes_approved": frozenset({"minutes_published"}),
    "minutes_published": frozenset(),
    "cancelled": frozenset(),
}

MINUTES_TRANSITIONS: Mapping[str, frozenset[str]] = {
    "draft": frozenset({"with_checkers"}),
    # The checkers may send the minutes back for changes before approving them.
    "with_checkers": frozenset({"approved", "draft"}),
    "approved": frozenset({"published"}),
    "published": frozenset(),
}

# Meetings in these states can still be changed, moved or cancelled.
MEETING_OPEN = frozenset({"planned", "notice_sent"})


def can_transition(table: Mapping[str, frozenset[str]], current: str, target: str) -> bool:
    """Whether ``target`` may follow ``current`` in ``table``."""
    return target in table.get(current, frozenset())


# --- the year plan ----------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedMeeting:
    """A meeting of a year's plan, as the check sees it."""

    start: dt.datetime
    kind: str  # ordinary | theme | joint | seminar | extra
    area: str | None = None  # strategic area code, for theme meetings
    cancelled: bool = False


@dataclass(frozen=True)
class PlanFinding:
    """Something wrong with a plan; ``code`` selects the message, ``params`` fill it."""

    code: str  # below_minimum | theme_missing | joint_missing | seminar_missing
    rule_id: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # The minimum is only recommended (H14 "förslagsvis minst 4"): advice, not a breach.
    recommended: bool = False

    @property
    def severity(self) -> str:
        """'info' for a recommendation not followed, 'warning' for a rule not met."""
        return "info" if self.recommended else "warning"


@dataclass(frozen=True)
class PlanCheck:
    year: int
    counted: int
    minimum: int | None
    findings: tuple[PlanFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def advice_only(self) -> bool:
        """Only recommendations are not met (H14): advice, nothing breaks the agreement."""
        return bool(self.findings) and all(f.severity == "info" for f in self.findings)


def plan_check(
    *,
    year: int,
    meetings: Iterable[PlannedMeeting],
    minimum: int | None,
    meeting_rule: Mapping[str, Any] | None = None,
    areas: Sequence[tuple[str, str]] = (),
    rule_ids: Sequence[str] = (),
    recommended: bool = False,
) -> PlanCheck:
    """Check a body's plan for ``year`` against its minimum and its required mix.

    ``areas`` are the structure's strategic areas as (code, name) pairs. Cancelled
    meetings and meetings in another year do not count. ``meeting_rule`` keys read:
    ``theme_meeting_per_area`` (H7), ``joint_meetings`` (H7), ``joint_seminars`` (J2).
    ``recommended``: the minimum is only advice (H14); its shortfall is an info finding.
    """
    rule = meeting_rule or {}
    rule_id = str(rule.get("rule") or _min_rule_id(rule_ids))
    held = [m for m in meetings if not m.cancelled and m.start.astimezone(STOCKHOLM).year == year]
    findings: list[PlanFinding] = []
    if minimum and len(held) < minimum:
        findings.append(PlanFinding("below_minimum", _min_rule_id(rule_ids) or rule_id,
                                    {"count": len(held), "minimum": minimum, "year": year},
                                    recommended=recommended))
    if rule.get("theme_meeting_per_area"):
        themed = {m.area for m in held if m.kind == "theme"}
        for code, name in areas:
            if code not in themed:
                findings.append(PlanFinding("theme_missing", rule_id, {"area": name, "year": year}))
    wanted = int(rule.get("joint_meetings") or 0)
    joint = sum(1 for m in held if m.kind == "joint")
    if joint < wanted:
        findings.append(PlanFinding("joint_missing", rule_id,
                                    {"count": joint, "wanted": wanted, "year": year}))
    wanted = int(rule.get("joint_seminars") or 0)
    seminars = sum(1 for m in held if m.kind == "seminar")
    if seminars < wanted:
        findings.append(PlanFinding("seminar_missing", rule_id,
                                    {"count": seminars, "wanted": wanted, "year": year}))
    return PlanCheck(year=year, counted=len(held), minimum=minimum, findings=tuple(findings))


def _min_rule_id(rule_ids: Sequence[str]) -> str:
    # The body's rule ids as the preset lists them; the minimum is the first meeting rule.
    for rid in rule_ids:
        if rid in ("H7", "H14", "H15", "J2"):
            return rid
    return ""


# --- recurrence -------------------------------------------------------------------------

FREQUENCIES = {"monthly": rrule.MONTHLY, "weekly": rrule.WEEKLY}
# Public holidays and the de-facto ones nobody meets on (midsommarafton, julafton, …).
HOLIDAY_CATEGORIES = ("public", "de_facto")
MAX_SERIES = 60
# A monthly series by day of the month needs a day that every month has.
LAST_DAY_OF_MONTH_SERIES = 28


class SeriesError(ValueError):
    """A recurrence that cannot give a series.

    ``code`` is the field at fault (frequency, interval, weekday, week_of_month,
    first_day, count, until), ``reason`` says why, ``params`` fill the message.
    """

    def __init__(self, code: str, message: str, *, reason: str = "",
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason or code
        self.params = dict(params or {})


@dataclass(frozen=True)
class HolidayChange:
    """A date of the rule that fell on a holiday: moved to ``moved_to``, or dropped.

    ``limit`` says what stopped the search when dropped: ``period`` (the series' end),
    ``month`` (a monthly series stays in its month) or ``week`` (a weekly one in its
    week).
    """

    day: dt.date
    holiday: str
    moved_to: dt.date | None = None
    limit: str = ""

    @property
    def dropped(self) -> bool:
        return self.moved_to is None


@dataclass(frozen=True)
class Series:
    starts: tuple[dt.datetime, ...]
    changes: tuple[HolidayChange, ...] = ()
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    @property
    def skipped(self) -> tuple[tuple[dt.date, str], ...]:
        """Every date of the rule that fell on a holiday, as (day, holiday name)."""
        return tuple((c.day, c.holiday) for c in self.changes)

    @property
    def moved(self) -> tuple[HolidayChange, ...]:
        return tuple(c for c in self.changes if not c.dropped)

    @property
    def dropped(self) -> tuple[HolidayChange, ...]:
        return tuple(c for c in self.changes if c.dropped)


def swedish_holidays(years: Iterable[int]) -> Mapping[dt.date, str]:
    return holidays.Sweden(years=sorted(set(years)), language="sv",
                           categories=HOLIDAY_CATEGORIES)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def _check_series_input(*, frequency: str, first_day: dt.date, interval: int,
                        weekday: int | None, week_of_month: int | None, count: int | None,
                        until: dt.date | None) -> None:
    if frequency not in FREQUENCIES:
        raise SeriesError("frequency", f"unknown frequency {frequency!r}", reason="unknown")
    if interval < 1:
        raise SeriesError("interval", "the interval is at least 1", reason="minimum")
    if week_of_month is not None:
        if frequency != "monthly":
            raise SeriesError("week_of_month", "the week of the month is for monthly series",
                              reason="monthly_only")
        if weekday is None:
            raise SeriesError("weekday", "the week of the month needs a weekday",
                              reason="required")
    elif frequency == "monthly" and weekday is not None:
        # rrule would give every such weekday of the month: a weekly series in disguise.
        raise SeriesError("week_of_month", "a monthly series on a weekday needs the week",
                          reason="week_required")
    if count is None and until is None:
        raise SeriesError("count", "a series needs a number of meetings or an end date",
                          reason="missing")
    if count is not None and not 1 <= count <= MAX_SERIES:
        raise SeriesError("count", f"a series has 1 to {MAX_SERIES} meetings", reason="range",
                          params={"max": MAX_SERIES})
    if until is not None and until < first_day:
        raise SeriesError("until", "the end date is before the first day",
                          reason="before_start", params={"first_day": first_day})
    if (frequency == "monthly" and weekday is None
            and first_day.day > LAST_DAY_OF_MONTH_SERIES):
        raise SeriesError("first_day", "a monthly series by date needs a day every month has",
                          reason="day_of_month", params={"day": LAST_DAY_OF_MONTH_SERIES})


def series_dates(
    *,
    frequency: str,
    first_day: dt.date,
    time: dt.time,
    interval: int = 1,
    weekday: int | None = None,
    week_of_month: int | None = None,
    count: int | None = None,
    until: dt.date | None = None,
    last_day: dt.date | None = None,
    skip_holidays: bool = True,
) -> Series:
    """The start times of a series of meetings, in Europe/Stockholm.

    ``weekday`` is 0 (Monday) to 6; for a monthly series ``week_of_month`` (1–4, or -1
    for the last) picks e.g. the first Wednesday and needs a weekday. The series runs
    from ``first_day`` to ``until``, or else to ``last_day`` (default: 31 December of
    ``first_day``'s year): it never leaves that period. ``count`` is the number of dates
    the rule gives; when they do not fit in the period the series is refused.

    A date on a Swedish public holiday moves to the next weekday that is no holiday, as
    long as that stays in the period, in the same month (monthly) or in the same week
    (weekly); else the meeting is dropped. Both are reported in ``Series.changes``.
    """
    _check_series_input(frequency=frequency, first_day=first_day, interval=interval,
                        weekday=weekday, week_of_month=week_of_month, count=count, until=until)
    end = until if until is not None else (last_day or dt.date(first_day.year, 12, 31))
    if end < first_day:
        raise SeriesError("first_day", "the first day is after the period",
                          reason="after_period", params={"last_day": end})
    kwargs: dict[str, Any] = {"interval": interval, "dtstart": dt.datetime.combine(first_day, time),
                              "until": dt.datetime.combine(end, dt.time.max)}
    if weekday is not None:
        wd = rrule.weekdays[weekday]
        if frequency == "monthly" and week_of_month:
            wd = wd(week_of_month)
        kwargs["byweekday"] = wd
    days: list[dt.date] = []
    for naive in rrule.rrule(FREQUENCIES[frequency], **kwargs):
        if count is not None and len(days) >= count:
            break
        if len(days) >= MAX_SERIES:
            raise SeriesError("count" if count is not None else "until",
                              f"a series has at most {MAX_SERIES} meetings", reason="too_many",
                              params={"max": MAX_SERIES, "first_day": first_day, "last_day": end})
        days.append(naive.date())
    params = {"first_day": first_day, "last_day": end, "fits": len(days), "count": count}
    if not days:
        raise SeriesError("until" if until is not None else "first_day",
                          "the rule gives no date in the period", reason="none", params=params)
    if count is not None and len(days) < count:
        raise SeriesError("count", "the dates do not fit in the period", reason="does_not_fit",
                          params=params)
    calendar: Mapping[dt.date, str] = (
        swedish_holidays(range(first_day.year, end.year + 1)) if skip_holidays else {})
    taken = set(days)
    kept: list[dt.date] = []
    changes: list[HolidayChange] = []
    for day in days:
        if day not in calendar:
            kept.append(day)
            continue
        bound, limit = end, "period"
        own = _month_end(day) if frequency == "monthly" else day + dt.timedelta(
            days=6 - day.weekday())
        if own < bound:
            bound, limit = own, "month" if frequency == "monthly" else "week"
        moved_to = None
        candidate = day + dt.timedelta(days=1)
        while candidate <= bound:
            if candidate.weekday() < 5 and candidate not in calendar and candidate not in taken:
                moved_to = candidate
                break
            candidate += dt.timedelta(days=1)
        if moved_to is None:
            changes.append(HolidayChange(day, calendar[day], None, limit))
        else:
            taken.add(moved_to)
            kept.append(moved_to)
            changes.append(HolidayChange(day, calendar[day], moved_to))
    if not kept:
        raise SeriesError("until" if until is not None else "first_day",
                          "every date falls on a holiday", reason="all_dropped", params=params)
    starts = tuple(dt.datetime.combine(d, time, tzinfo=STOCKHOLM) for d in sorted(kept))
    return Series(starts=starts, changes=tuple(changes), first_day=first_day, last_day=end)


# --- substitutes ------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A membership in the body, reduced to what choosing a substitute needs."""

    membership_id: int
    person_id: int
    seat_id: int
    principal_id: int | None  # the seat's principal, else the person's
    role: str
    substitute_for_id: int | None = None
    start: dt.date = dt.date.min


def choose_substitute(
    *,
    absent: Place,
    places: Iterable[Place],
    unavailable: Iterable[int] = (),
) -> Place | None:
    """The substitute to call in for ``absent`` (V2), or None.

    First the substitute named for the absent member (``substitute_for``); else a
    substitute of the same principal in the same seat, those named for no one first.
    ``unavailable`` are person ids already called in or themselves absent.
    """
    blocked = set(unavailable) | {absent.person_id}
    candidates = [p for p in places if p.role == "substitute" and p.person_id not in blocked]
    named = sorted((p for p in candidates if p.substitute_for_id == absent.membership_id),
                   key=lambda p: (p.start, p.membership_id))
    if named:
        return named[0]
    same = [p for p in candidates
            if p.seat_id == absent.seat_id and p.principal_id == absent.principal_id]
    same.sort(key=lambda p: (p.substitute_for_id is not None, p.start, p.membership_id))
    return same[0] if same else None


# --- the election item ------------------------------------------------------------------

def election_year_after(*, election_at: str, period_starts: Iterable[int], year: int) -> int | None:
    """The year whose office holders are elected at ``year``'s last meeting (H13), or None.

    Only for rules electing at the last meeting of the previous year, and only when a
    new period starts on 1 January of the next year (a two-year term elects every other
    year).
    """
    if election_at != "last_meeting_of_previous_year":
        return None
    return year + 1 if (year + 1) in set(period_starts) else None


def election_meeting(meetings: Iterable[tuple[int, dt.datetime, bool]], *, year: int) -> int | None:
    """The id of the last meeting of ``year`` that is not cancelled.

    ``meetings`` are (id, start, cancelled) triples.
    """
    best: tuple[dt.datetime, int] | None = None
    for pk, start, cancelled in meetings:
        if cancelled or start.astimezone(STOCKHOLM).year != year:
            continue
        if best is None or (start, pk) > best:
            best = (start, pk)
    return best[1] if best else None
