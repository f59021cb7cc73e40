"""When the demo's meetings take place: pure date arithmetic, relative to today.

No database: the meetings part passes a body's slug and count and gets days back. A
body's meetings fall in fixed months (spread over the year, the last one late in the
year so that the election at the year's last meeting (H13) comes at the end), on a
weekday and week of the month derived from its slug, moved off Swedish public holidays.
The years are the current and the coming one, and the previous one early in the year,
so a demo made in any month has meetings held and meetings to come.
"""
from __future__ import annotations

import datetime as dt
import functools
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from meetings.rules import swedish_holidays

# The months of a body's meetings, by meetings a year.
MONTHS: dict[int, tuple[int, ...]] = {
    1: (10,),
    2: (3, 10),
    3: (2, 5, 10),
    4: (2, 4, 9, 12),
    5: (2, 3, 5, 10, 12),
    6: (1, 3, 5, 8, 10, 12),
}
MAX_PER_YEAR = max(MONTHS)


@dataclass(frozen=True)
class Day:
    """A meeting day; ``extra`` when it was added (not moved) so that a body meets soon."""

    day: dt.date
    extra: bool = False


def demo_years(today: dt.date) -> list[int]:
    """The years the demo fills: this year and the next, and the last one in its first
    quarter (so that there are held meetings with minutes whatever the month)."""
    years = [today.year, today.year + 1]
    if today.month <= 3:
        years.insert(0, today.year - 1)
    return years


def _stable(slug: str, salt: str = "") -> int:
    return zlib.crc32(f"{slug}/{salt}".encode())


def working_day(day: dt.date, *, step: int = 1) -> dt.date:
    """``day`` or the next (``step=-1``: previous) weekday that is no Swedish holiday."""
    while day.weekday() >= 5 or day in _holidays(day.year):
        day += dt.timedelta(days=step)
    return day


@functools.lru_cache(maxsize=8)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(swedish_holidays([year]))


def year_days(slug: str, year: int, count: int, *,
              months: tuple[int, ...] | None = None) -> list[dt.date]:
    """The days of a body's ``count`` meetings in ``year`` (in ``months`` if given):
    Tuesday to Thursday, in the first three weeks of the month, the same every year."""
    months = months or MONTHS[min(max(count, 1), MAX_PER_YEAR)]
    weekday = 1 + _stable(slug, "weekday") % 3  # Tuesday, Wednesday or Thursday
    week = _stable(slug, "week") % 3  # first, second or third week
    days = []
    for month in months:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        # January's first week is the holidays: start a week later.
        day = first + dt.timedelta(days=offset + 7 * (week + (month == 1)))
        days.append(working_day(day))
    return days


def soon(days: Iterable[dt.date], *, today: dt.date, lead: int, within: int) -> list[Day]:
    """The days with the first one after today moved to ``lead`` days from today, when it
    is further away than ``within`` days, so that the body has a meeting whose notice is
    out. The day moves only within its year (the year's count stays); across a year an
    extra meeting is added instead."""
    days = sorted(days)
    target = working_day(today + dt.timedelta(days=lead))
    future = [d for d in days if d > today]
    if future and future[0] <= today + dt.timedelta(days=within):
        return [Day(d) for d in days]
    if future and future[0].year == target.year:
        return [Day(target if d == future[0] else d) for d in days]
    return sorted([Day(d) for d in days] + [Day(target, extra=True)], key=lambda d: d.day)


def recent(days: Iterable[Day], *, today: dt.date, lag: int, within: int) -> list[Day]:
    """The days with the last one before today moved to ``lag`` days ago when it lies more
    than ``within`` days back, within its year and after the one before it, so that the
    body has minutes on their way to approval."""
    days = sorted(days, key=lambda d: d.day)
    past = [d for d in days if d.day < today]
    if not past or past[-1].day >= today - dt.timedelta(days=within):
        return days
    target = working_day(today - dt.timedelta(days=lag), step=-1)
    last = past[-1]
    before = past[-2].day if len(past) > 1 else dt.date.min
    if target.year != last.day.year or target <= before or target >= today:
        return days
    return [Day(target, d.extra) if d is last else d for d in days]
