"""The year calendar of a structure's meetings: twelve month grids, pure layout.

``year_calendar`` takes the year's meetings as plain ``CalendarMeeting`` values (local
times) and lays out each month as weeks (Monday first, ISO week numbers, as Swedish
calendars do) with coordinates in SVG user units; ``templates/meetings/calendar.html``
draws them. No database here: the meetings come from
``meetings.selectors.calendar_meetings`` and the layout is tested without the ORM
(tests/meetings/test_month_calendar.py).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

CELL_W = 40
CELL_H = 34
WEEK_COL = 32
HEADER_H = 26
FONT = 13


@dataclass(frozen=True)
class CalendarMeeting:
    """A meeting as the calendar needs it; ``start`` in local time."""

    id: int
    start: dt.datetime
    title: str
    body_name: str
    url: str
    cancelled: bool = False


@dataclass
class Day:
    date: dt.date
    meetings: list[CalendarMeeting]
    x: float
    y: float
    is_today: bool = False

    @property
    def active(self) -> list[CalendarMeeting]:
        return [m for m in self.meetings if not m.cancelled]

    @property
    def only_cancelled(self) -> bool:
        return bool(self.meetings) and not self.active

    @property
    def anchor(self) -> str:
        return f"dag-{self.date.isoformat()}"

    @property
    def cx(self) -> float:
        return self.x + CELL_W / 2

    @property
    def cy(self) -> float:
        return self.y + CELL_H / 2

    @property
    def text_y(self) -> float:
        return self.cy + FONT * 0.35


@dataclass
class Week:
    number: int
    y: float
    days: list[Day | None]

    @property
    def text_y(self) -> float:
        return self.y + CELL_H / 2 + FONT * 0.35


@dataclass
class Month:
    year: int
    month: int
    weeks: list[Week]
    meetings: list[CalendarMeeting] = field(default_factory=list)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def width(self) -> float:
        return WEEK_COL + 7 * CELL_W

    @property
    def height(self) -> float:
        return HEADER_H + len(self.weeks) * CELL_H + 2

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    @property
    def days_with_meetings(self) -> list[Day]:
        return [d for w in self.weeks for d in w.days if d is not None and d.meetings]

    @property
    def anchor(self) -> str:
        return f"manad-{self.year}-{self.month:02d}"

    @property
    def listing(self) -> list[tuple[CalendarMeeting, str]]:
        """The month's meetings in time order, the first of each day with the day's anchor
        (``#dag-2026-03-10`` is a link to that day's meetings)."""
        out, seen = [], set()
        for m in self.meetings:
            day = m.start.date()
            out.append((m, "" if day in seen else f"dag-{day.isoformat()}"))
            seen.add(day)
        return out


def weekday_columns() -> list[tuple[int, float]]:
    """(weekday 0 = Monday, x of the column's centre) for the header row."""
    return [(i, WEEK_COL + i * CELL_W + CELL_W / 2) for i in range(7)]


def month_grid(year: int, month: int, meetings: list[CalendarMeeting],
               today: dt.date | None = None) -> Month:
    """One month: its weeks Monday to Sunday, each day with its meetings in time order."""
    by_day: dict[dt.date, list[CalendarMeeting]] = {}
    for m in sorted(meetings, key=lambda m: (m.start, m.id)):
        if (m.start.year, m.start.month) == (year, month):
            by_day.setdefault(m.start.date(), []).append(m)
    weeks = []
    for row, dates in enumerate(calendar.Calendar(firstweekday=0).monthdatescalendar(year,
                                                                                    month)):
        y = HEADER_H + row * CELL_H
        days: list[Day | None] = []
        for col, day in enumerate(dates):
            if day.month != month:
                days.append(None)
                continue
            days.append(Day(date=day, meetings=by_day.get(day, []), x=WEEK_COL + col * CELL_W,
                            y=y, is_today=day == today))
        weeks.append(Week(number=dates[0].isocalendar().week, y=y, days=days))
    month_meetings = [m for day in sorted(by_day) for m in by_day[day]]
    return Month(year=year, month=month, weeks=weeks, meetings=month_meetings)


def year_calendar(year: int, meetings: list[CalendarMeeting], today: dt.date | None = None
                  ) -> list[Month]:
    """The twelve months of ``year`` with ``meetings`` (others' years are left out)."""
    return [month_grid(year, month, meetings, today) for month in range(1, 13)]
