"""``{% load svdates %}``: the site's date filters, the template side of
``halsam.formats.dates`` (docs/language.md).

    {{ meeting.start|date_time }}            fredag 11 december 2026 kl. 13.00
    {{ meeting.start|long_date }}            fredag 11 december 2026
    {{ meeting.start|short_date }}           tors 4 feb
    {{ document.valid_from|plain_date }}     11 december 2026
    {{ h.history_date|short_date_time }}     tors 4 feb kl. 13.05
    {{ meeting.start|time_range:meeting.end }}        13.00–15.00
    {{ meeting.start|date_time_range:meeting.end }}   fredag 11 december 2026 kl. 13.00–15.00
    {{ meeting.start|time_of_day }}          13.00
    {{ month.first|month_year|capfirst }}   December 2026 (a heading)

Machine-readable values (``<time datetime="…">``) keep Django's ``|date:"c"``.
"""
from __future__ import annotations

from django import template

from halsam.formats import dates

register = template.Library()

register.filter("plain_date", dates.plain_date)
register.filter("long_date", dates.long_date)
register.filter("date_time", dates.date_time)
register.filter("time_of_day", dates.time_of_day)
register.filter("month_year", dates.month_year)


@register.filter("short_date")
def short_date(value):
    return dates.short_date(value)


@register.filter("short_date_time")
def short_date_time(value):
    return dates.short_date_time(value)


@register.filter("time_range")
def time_range(start, end):
    return dates.time_range(start, end)


@register.filter("date_time_range")
def date_time_range(start, end):
    return dates.date_time_range(start, end)
