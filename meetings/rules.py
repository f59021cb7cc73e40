"""The meeting rules as pure functions over plain values.

- which status may follow which, for meetings and for minutes (transition tables);
- the year-plan check: a body's minimum number of meetings (H7, H14, H15, J2) and the
  required mix of meetings recorded as data in ``Body.meeting_rule`` (H7: one theme
  meeting per strategic area plus a joint meeting);
- a series of meeting dates from a recurrence rule (dateutil.rrule) that skips Swedish
  public holidays (the ``holidays`` package);
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


@dataclass(frozen=True)
class PlanCheck:
    year: int
    counted: int
    minimum: int | None
    findings: tuple[PlanFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def plan_check(
    *,
    year: int,
    meetings: Iterable[PlannedMeeting],
    minimum: int | None,
    meeting_rule: Mapping[str, Any] | None = None,
    areas: Sequence[tuple[str, str]] = (),
    rule_ids: Sequence[str] = (),
) -> PlanCheck:
    """Check a body's plan for ``year`` against its minimum and its required mix.

    ``areas`` are the structure's strategic areas as (code, name) pairs. Cancelled
    meetings and meetings in another year do not count. ``meeting_rule`` keys read:
    ``theme_meeting_per_area`` (H7), ``joint_meetings`` (H7), ``joint_seminars`` (J2).
    """
    rule = meeting_rule or {}
    rule_id = str(rule.get("rule") or _min_rule_id(rule_ids))
    held = [m for m in meetings if not m.cancelled and m.start.astimezone(STOCKHOLM).year == year]
    findings: list[PlanFinding] = []
    if minimum and len(held) < minimum:
        findings.append(PlanFinding("below_minimum", _min_rule_id(rule_ids) or rule_id,
                                    {"count": len(held), "minimum": minimum, "year": year}))
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


class SeriesError(ValueError):
    """A recurrence that cannot give a series (no end, too long, nothing left)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Series:
    starts: tuple[dt.datetime, ...]
    skipped: tuple[tuple[dt.date, str], ...]  # (day, holiday name)


def swedish_holidays(years: Iterable[int]) -> Mapping[dt.date, str]:
    return holidays.Sweden(years=sorted(set(years)), language="sv",
                           categories=HOLIDAY_CATEGORIES)


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
    skip_holidays: bool = True,
) -> Series:
    """The start times of a series of meetings, in Europe/Stockholm.

    ``weekday`` is 0 (Monday) to 6; for a monthly series ``week_of_month`` (1–4, or -1
    for the last) picks e.g. the first Wednesday. Occurrences on a Swedish public
    holiday are skipped and reported; with ``count`` the series runs on until it has
    ``count`` meetings, so a skipped holiday does not shorten the plan.
    """
    if frequency not in FREQUENCIES:
        raise SeriesError("frequency", f"unknown frequency {frequency!r}")
    if count is None and until is None:
        raise SeriesError("count", "a series needs a number of meetings or an end date")
    if count is not None and not 1 <= count <= MAX_SERIES:
        raise SeriesError("count", f"a series has 1 to {MAX_SERIES} meetings")
    if until is not None and until < first_day:
        raise SeriesError("until", "the end date is before the first day")
    if interval < 1:
        raise SeriesError("interval", "the interval is at least 1")
    kwargs: dict[str, Any] = {"interval": interval, "dtstart": dt.datetime.combine(first_day, time)}
    if weekday is not None:
        wd = rrule.weekdays[weekday]
        if frequency == "monthly" and week_of_month:
            wd = wd(week_of_month)
        kwargs["byweekday"] = wd
    if until is not None:
        kwargs["until"] = dt.datetime.combine(until, dt.time.max)
    rule = rrule.rrule(FREQUENCIES[frequency], **kwargs)
    starts: list[dt.datetime] = []
    skipped: list[tuple[dt.date, str]] = []
    calendar: Mapping[dt.date, str] = {}
    seen_years: set[int] = set()
    for naive in rule:
        if count is not None and len(starts) >= count:
            break
        if len(starts) + len(skipped) > MAX_SERIES * 2:
            raise SeriesError("count", f"a series has at most {MAX_SERIES} meetings")
        day = naive.date()
        if skip_holidays:
            if day.year not in seen_years:
                seen_years.add(day.year)
                calendar = swedish_holidays(seen_years)
            if day in calendar:
                skipped.append((day, calendar[day]))
                continue
        starts.append(naive.replace(tzinfo=STOCKHOLM))
    if until is not None and len(starts) > MAX_SERIES:
        raise SeriesError("until", f"a series has at most {MAX_SERIES} meetings")
    if not starts:
        raise SeriesError("until", "the rule gives no meetings")
    return Series(starts=tuple(starts), skipped=tuple(skipped))


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
