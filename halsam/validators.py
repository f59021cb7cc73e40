"""Bounds on input, shared by models, forms, URL converters and views (issue 12 §6).

Names and titles are one line of printable text: ``no_control_characters`` refuses line
breaks, NUL, escape sequences and the other control characters (they broke the calendar
feeds). ``single_line`` and ``multi_line`` make text stored before the validator safe for
the iCalendar output. Years, dates, months and lists of ids have fixed ranges here, so an
absurd value is a form error or a 404, never a server error.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The years a page, form or command accepts (the calendar, the plans, the rotation).
FIRST_YEAR = 2000
LAST_YEAR = 2100
# The most months a notice period or a review interval can be (50 years).
MAX_MONTHS = 600
# The most ids one request may name (a filter, an order, a selection): SQLite takes at most
# 32,766 variables in one query, and no page here lists more than a few hundred.
MAX_IDS = 500
# The highest page number any list is asked for.
MAX_PAGE = 10_000
# The years a date may fall in: wide enough for old agreements and long validities, narrow
# enough that adding a notice period or a review interval never leaves the calendar.
FIRST_DATE_YEAR = 1900
LAST_DATE_YEAR = 2199

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_OTHER_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def no_control_characters(value: str) -> None:
    """Refuse a name or title holding a line break, tab or other control character."""
    if isinstance(value, str) and CONTROL.search(value):
        raise ValidationError(
            _("The text may not contain line breaks, tabs or other control characters."),
            code="control_characters")


def single_line(value: object) -> str:
    """``value`` as one line of printable text: line breaks and tabs become a space,
    other control characters are dropped (for data saved before the validator)."""
    text = _LINE_BREAKS.sub(" ", str(value or "")).replace("\t", " ")
    return _OTHER_CONTROL.sub("", text)


def multi_line(value: object) -> str:
    """``value`` with ``\\n`` line breaks only and no other control character."""
    text = _LINE_BREAKS.sub("\n", str(value or "")).replace("\t", " ")
    return _OTHER_CONTROL.sub("", text)


def date_in_range(value) -> None:
    """A model or form validator: a date (or date and time) from 1900 to 2199."""
    if value is not None and not FIRST_DATE_YEAR <= value.year <= LAST_DATE_YEAR:
        raise ValidationError(
            _("The date must be between %(first)d and %(last)d."),
            code="date_range", params={"first": FIRST_DATE_YEAR, "last": LAST_DATE_YEAR})


def months_in_range(value: int) -> None:
    """A model or form validator: a number of months up to MAX_MONTHS (50 years)."""
    if value is not None and value > MAX_MONTHS:
        raise ValidationError(
            _("The number of months may be at most %(max)d."),
            code="months_range", params={"max": MAX_MONTHS})
