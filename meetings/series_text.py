"""What a series of meetings says to people: the error on the right field when a
recurrence gives no series, and what was moved or dropped for a holiday.

``meetings.rules.series_dates`` is pure and returns codes; this module turns them into
translated sentences (Swedish through the catalogue).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from halsam.formats.dates import long_date, plain_date

from . import rules


def error(exc: rules.SeriesError) -> ValidationError:
    """The ``ValidationError`` for a refused series, keyed by the field at fault."""
    p = exc.params
    dates = {"first_day": plain_date(p.get("first_day")), "last_day": plain_date(p.get("last_day"))}
    reason = exc.reason
    if reason == "unknown":
        text = _("Choose monthly or weekly.")
    elif reason == "minimum":
        text = _("The interval is at least 1.")
    elif reason == "monthly_only":
        text = _("The week of the month applies to a monthly series only: choose “monthly” "
                 "or leave the week empty.")
    elif reason == "required":
        text = _("Choose a weekday: the week of the month picks e.g. the first Tuesday, so it "
                 "needs a weekday.")
    elif reason == "week_required":
        text = _("Choose the week of the month (e.g. the first) for a monthly series on a "
                 "weekday, or leave the weekday empty to meet on the first day's date.")
    elif reason == "missing":
        text = _("Give the number of meetings or an end date.")
    elif reason == "range":
        text = _("A series has 1 to %(max)d meetings.") % {"max": p["max"]}
    elif reason == "before_start":
        text = _("The end date is before the first day (%(first_day)s).") % dates
    elif reason == "day_of_month":
        text = _("A monthly series by date needs a day that every month has (1–%(day)d): "
                 "choose an earlier first day or a weekday.") % {"day": p["day"]}
    elif reason == "after_period":
        text = _("The first day is after the end of the period (%(last_day)s).") % dates
    elif reason == "too_many":
        text = _("From %(first_day)s to %(last_day)s the rule gives more than %(max)d "
                 "meetings, the most one series can have: choose a longer interval or an "
                 "earlier end date.") % {**dates, "max": p["max"]}
    elif reason == "none":
        text = _("From %(first_day)s to %(last_day)s the rule gives no meeting: choose "
                 "another first day, end date or weekday.") % dates
    elif reason == "does_not_fit":
        text = ngettext(
            "From %(first_day)s to %(last_day)s the rule gives only %(fits)d meeting, not "
            "%(count)d: give at most %(fits)d, a shorter interval or a later end date.",
            "From %(first_day)s to %(last_day)s the rule gives only %(fits)d meetings, not "
            "%(count)d: give at most %(fits)d, a shorter interval or a later end date.",
            p["fits"]) % {**dates, "fits": p["fits"], "count": p["count"]}
    elif reason == "all_dropped":
        text = _("Every date the rule gives from %(first_day)s to %(last_day)s falls on a "
                 "public holiday with no weekday left to move to: no meeting can be "
                 "planned.") % dates
    else:
        text = str(exc)
    return ValidationError({exc.code: text}, code=reason)


def changes(series: rules.Series) -> list[tuple[bool, str]]:
    """Per holiday hit, (dropped, sentence): what moved where, what was not planned."""
    out = []
    for c in series.changes:
        names = {"day": capfirst(long_date(c.day)), "holiday": c.holiday}
        if c.moved_to is not None:
            out.append((False, _("%(day)s is %(holiday)s; the meeting was moved to "
                                 "%(new_day)s.") % {**names, "new_day": long_date(c.moved_to)}))
        elif c.limit == "month":
            out.append((True, _("%(day)s is %(holiday)s and no weekday was left in the month; "
                                "the meeting was not planned.") % names))
        elif c.limit == "week":
            out.append((True, _("%(day)s is %(holiday)s and no weekday was left in the week; "
                                "the meeting was not planned.") % names))
        else:
            out.append((True, _("%(day)s is %(holiday)s and no weekday was left in the period; "
                                "the meeting was not planned.") % names))
    return out


def planned(*, count: int, body: str, year: int | None, total: int | None = None) -> str:
    """"4 meetings are planned for Länsledning in 2027." and, when the plan held meetings
    already, how many it has now (the number the page's check counts)."""
    if year is None:
        text = ngettext("%(count)d meeting is planned for %(body)s.",
                        "%(count)d meetings are planned for %(body)s.", count)
    else:
        text = ngettext("%(count)d meeting is planned for %(body)s in %(year)d.",
                        "%(count)d meetings are planned for %(body)s in %(year)d.", count)
    text = text % {"count": count, "body": body, "year": year}
    if year is not None and total is not None and total != count:
        text += " " + ngettext("The plan for %(year)d now has %(total)d meeting.",
                               "The plan for %(year)d now has %(total)d meetings.",
                               total) % {"year": year, "total": total}
    return text
