"""Dates and times for people to read: the one set of helpers the whole site uses.

Templates reach them through ``{% load svdates %}`` (``governance/templatetags/svdates.py``);
Python code (messages, e-mails, PDFs, iCalendar descriptions) imports them from here.
Each helper formats with the named formats of the active language
(``halsam/formats/sv/formats.py``, ``halsam/formats/en/formats.py``), so Swedish reads
"fredag 11 december 2026 kl. 13.00" and English "Friday 11 December 2026 at 13:00".

Every helper takes a ``date``, a ``datetime`` (an aware one is shown in the site's time
zone, Europe/Stockholm) or ``None``/``""`` (which gives ``""``, so an empty value shows
nothing rather than failing). See docs/language.md.
"""
from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.utils import timezone
from django.utils.dateformat import format as date_format_with
from django.utils.dateformat import time_format
from django.utils.formats import get_format

__all__ = ["date_time", "date_time_range", "long_date", "month_year", "plain_date",
           "short_date", "short_date_time", "time_of_day", "time_range"]

DateLike = dt.date | dt.datetime | None


def _named(name: str) -> str:
    """A named format of the active language (Swedish where the language has none)."""
    value = get_format(name)
    if value == name:  # get_format hands back the name when no module defines it
        value = getattr(import_module("halsam.formats.sv.formats"), name)
    return value


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day(value: dt.date | dt.datetime) -> dt.date:
    value = _local(value)
    return value.date() if isinstance(value, dt.datetime) else value


def _fmt(value: dt.date | dt.datetime, name: str) -> str:
    return date_format_with(_local(value), _named(name))


def plain_date(value: DateLike) -> str:
    """"11 december 2026": a date in running text where the weekday does not matter
    (validity, terms, memberships, publishing)."""
    if not value:
        return ""
    return _fmt(_day(value), "DATE_FORMAT")


def month_year(value: DateLike) -> str:
    """"december 2026": a month (calendar headings; ``|capfirst`` at a heading's start)."""
    if not value:
        return ""
    return _fmt(_day(value), "YEAR_MONTH_FORMAT")


def long_date(value: DateLike) -> str:
    """"fredag 11 december 2026": the day of a meeting or a deadline."""
    if not value:
        return ""
    return _fmt(_day(value), "LONG_DATE_FORMAT")


def short_date(value: DateLike, *, today: dt.date | None = None) -> str:
    """"tors 4 feb" in lists and tables; "tors 4 feb 2027" when the year is not this
    year (``today`` defaults to the local date)."""
    if not value:
        return ""
    day = _day(value)
    this_year = (today or timezone.localdate()).year
    name = "SHORT_DAY_FORMAT" if day.year == this_year else "SHORT_DAY_YEAR_FORMAT"
    return _fmt(day, name)


def time_of_day(value: dt.datetime | dt.time | None) -> str:
    """"13.00" (Swedish) or "13:00" (English)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return date_format_with(_local(value), _named("TIME_OF_DAY_FORMAT"))
    return time_format(value, _named("TIME_OF_DAY_FORMAT"))


def date_time(value: dt.datetime | None) -> str:
    """"fredag 11 december 2026 kl. 13.00": a meeting's start, a deadline with a time."""
    if not value:
        return ""
    return f"{long_date(value)} {_named('TIME_PREFIX')}{time_of_day(value)}"


def short_date_time(value: dt.datetime | None, *, today: dt.date | None = None) -> str:
    """"tors 4 feb kl. 13.05": when something happened, in lists and history tables."""
    if not value:
        return ""
    return f"{short_date(value, today=today)} {_named('TIME_PREFIX')}{time_of_day(value)}"


def time_range(start: dt.datetime | dt.time | None, end: dt.datetime | dt.time | None) -> str:
    """"13.00–15.00" (en dash, no spaces); only the start when there is no end."""
    if start is None or start == "":
        return ""
    if end is None or end == "":
        return time_of_day(start)
    return f"{time_of_day(start)}{_named('TIME_RANGE_SEPARATOR')}{time_of_day(end)}"


def date_time_range(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """"fredag 11 december 2026 kl. 13.00–15.00"; a meeting that ends on another day:
    "fredag 11 december 2026 kl. 13.00 – lördag 12 december 2026 kl. 12.00"."""
    if not start:
        return ""
    if not end:
        return date_time(start)
    if _day(start) != _day(end):
        return f"{date_time(start)}{_named('SPANNING_RANGE_SEPARATOR')}{date_time(end)}"
    return f"{long_date(start)} {_named('TIME_PREFIX')}{time_range(start, end)}"
