"""The one set of date formats and the plurals (docs/language.md).

Table-driven: every day of a year (so every month and every weekday) in Swedish and
English, the site's time zone across daylight saving time, the ranges, and the plural
forms for 0, 1, 2 and 21. Last, a guard that keeps the set one set: no template or
module formats a date for people by itself.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

from halsam.formats import dates

BASE_DIR = Path(__file__).resolve().parent.parent
UTC = dt.UTC
STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Written out here rather than taken from Django, so that a change of either shows.
SV_WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
SV_WEEKDAYS_SHORT = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"]
SV_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december"]
SV_MONTHS_SHORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt",
                   "nov", "dec"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]

YEAR = 2027
TODAY = dt.date(YEAR, 6, 1)
EVERY_DAY = [dt.date(YEAR, 1, 1) + dt.timedelta(days=n) for n in range(365)]


@pytest.fixture(autouse=True)
def _swedish():
    with translation.override("sv"):
        yield


def test_the_table_covers_every_month_and_every_weekday():
    assert {d.month for d in EVERY_DAY} == set(range(1, 13))
    assert {d.weekday() for d in EVERY_DAY} == set(range(7))
    assert {(d.month, d.weekday()) for d in EVERY_DAY} == {
        (m, w) for m in range(1, 13) for w in range(7)}


@pytest.mark.parametrize("day", EVERY_DAY, ids=lambda d: d.isoformat())
def test_swedish_dates_every_day_of_a_year(day):
    weekday, month = SV_WEEKDAYS[day.weekday()], SV_MONTHS[day.month - 1]
    assert dates.long_date(day) == f"{weekday} {day.day} {month} {day.year}"
    assert dates.plain_date(day) == f"{day.day} {month} {day.year}"
    short = f"{SV_WEEKDAYS_SHORT[day.weekday()]} {day.day} {SV_MONTHS_SHORT[day.month - 1]}"
    assert dates.short_date(day, today=TODAY) == short
    assert dates.short_date(day, today=dt.date(YEAR + 1, 1, 1)) == f"{short} {day.year}"


@pytest.mark.parametrize("day", EVERY_DAY[::7] + EVERY_DAY[1::11], ids=lambda d: d.isoformat())
def test_english_dates(day):
    with translation.override("en"):
        assert dates.long_date(day) == (
            f"{EN_WEEKDAYS[day.weekday()]} {day.day} {EN_MONTHS[day.month - 1]} {day.year}")
        assert dates.short_date(day, today=TODAY) == (
            f"{EN_WEEKDAYS[day.weekday()][:3]} {day.day} {EN_MONTHS[day.month - 1][:3]}")


@pytest.mark.parametrize(("value", "helper", "expected"), [
    (dt.date(2026, 12, 11), dates.long_date, "fredag 11 december 2026"),
    (dt.date(2027, 2, 4), lambda v: dates.short_date(v, today=TODAY), "tors 4 feb"),
    (dt.datetime(2026, 12, 11, 12, 0, tzinfo=UTC), dates.date_time,
     "fredag 11 december 2026 kl. 13.00"),  # winter: UTC+1
    (dt.datetime(2027, 6, 11, 11, 0, tzinfo=UTC), dates.date_time,
     "fredag 11 juni 2027 kl. 13.00"),  # summer: UTC+2
    (dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC), dates.date_time,
     "söndag 28 mars 2027 kl. 01.30"),  # the night the clocks go forward
    (dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC), dates.date_time,
     "söndag 28 mars 2027 kl. 03.30"),
    (dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), dates.long_date,
     "fredag 1 januari 2027"),  # the local day, not UTC's
    (dt.datetime(2027, 2, 4, 8, 5, tzinfo=UTC), lambda v: dates.short_date_time(v, today=TODAY),
     "tors 4 feb kl. 09.05"),
    (dt.datetime(2027, 2, 4, 9, 5), dates.time_of_day, "09.05"),  # naive: as given
    (dt.time(9, 5), dates.time_of_day, "09.05"),
    (dt.date(2026, 12, 11), dates.month_year, "december 2026"),
    (None, dates.long_date, ""), ("", dates.plain_date, ""), (None, dates.date_time, ""),
])
def test_named_examples(value, helper, expected):
    assert helper(value) == expected


def _at(hour: int, minute: int = 0, day: int = 11) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(("lang", "start", "end", "times", "whole"), [
    ("sv", _at(13), _at(15), "13.00–15.00", "fredag 11 december 2026 kl. 13.00–15.00"),
    ("sv", _at(9, 30), None, "09.30", "fredag 11 december 2026 kl. 09.30"),
    ("sv", _at(13), _at(12, day=12), "13.00–12.00",
     "fredag 11 december 2026 kl. 13.00 – lördag 12 december 2026 kl. 12.00"),
    ("en", _at(13), _at(15), "13:00–15:00", "Friday 11 December 2026 at 13:00–15:00"),
])
def test_ranges(lang, start, end, times, whole):
    with translation.override(lang):
        assert dates.time_range(start, end) == times
        assert dates.date_time_range(start, end) == whole


def test_template_filters_are_the_same_helpers():
    template = Template(
        "{% load svdates %}{{ s|long_date }}|{{ s|plain_date }}|{{ s|date_time }}|"
        "{{ s|time_range:e }}|{{ s|date_time_range:e }}|{{ s|time_of_day }}|{{ n|long_date }}")
    start = dt.datetime(2026, 12, 11, 12, 0, tzinfo=UTC)
    out = template.render(Context({"s": start, "e": start + dt.timedelta(hours=2), "n": None}))
    assert out == ("fredag 11 december 2026|11 december 2026|fredag 11 december 2026 kl. 13.00|"
                   "13.00–15.00|fredag 11 december 2026 kl. 13.00–15.00|13.00|")
    with translation.override("en"):
        assert Template("{% load svdates %}{{ s|date_time }}").render(
            Context({"s": start})) == "Friday 11 December 2026 at 13:00"


def test_djangos_own_formats_follow_the_set():
    """A bare ``|date`` and the admin use Django's names, which the sv module sets."""
    from django.utils.formats import date_format

    moment = dt.datetime(2026, 12, 11, 13, 0)
    assert date_format(moment, "DATETIME_FORMAT") == "11 december 2026 kl. 13.00"
    assert date_format(moment.date()) == "11 december 2026"


# --- plurals ------------------------------------------------------------------------------

PLURALS = [
    # (singular msgid, plural msgid, params, {n: Swedish})
    ("%(count)d meeting is planned for %(body)s in %(year)d.",
     "%(count)d meetings are planned for %(body)s in %(year)d.",
     {"body": "Länsledning", "year": 2027},
     {0: "0 möten är planerade för Länsledning 2027.",
      1: "1 möte är planerat för Länsledning 2027.",
      2: "2 möten är planerade för Länsledning 2027.",
      21: "21 möten är planerade för Länsledning 2027."}),
    ("The seat “%(seat)s” has room for %(count)d member; these rows together give it more "
     "at the same time.",
     "The seat “%(seat)s” has room for %(count)d members; these rows together give it more "
     "at the same time.", {"seat": "Ordinarie"},
     {0: "Platsen ”Ordinarie” rymmer 0 ledamöter;", 1: "Platsen ”Ordinarie” rymmer 1 ledamot;",
      2: "Platsen ”Ordinarie” rymmer 2 ledamöter;",
      21: "Platsen ”Ordinarie” rymmer 21 ledamöter;"}),
    ("The seat “%(seat)s” has room for %(count)d substitute; these rows together give it more "
     "at the same time.",
     "The seat “%(seat)s” has room for %(count)d substitutes; these rows together give it "
     "more at the same time.", {"seat": "Ordinarie"},
     {1: "rymmer 1 ersättare;", 2: "rymmer 2 ersättare;", 21: "rymmer 21 ersättare;"}),
    ("The notice is being sent to %(count)d recipient.",
     "The notice is being sent to %(count)d recipients.", {},
     {0: "Kallelsen skickas till 0 mottagare.", 1: "Kallelsen skickas till 1 mottagare.",
      21: "Kallelsen skickas till 21 mottagare."}),
]


@pytest.mark.parametrize(("singular", "plural", "params", "expected"), PLURALS,
                         ids=lambda v: v[:30] if isinstance(v, str) else None)
def test_plurals_for_0_1_2_and_21(singular, plural, params, expected):
    for n, text in expected.items():
        got = ngettext(singular, plural, n) % {"count": n, **params}
        assert text in got, (n, got)
    with translation.override("en"):
        assert ngettext(singular, plural, 1) % {"count": 1, **params} == singular % {
            "count": 1, **params}


@pytest.mark.parametrize(("days", "expected"), [
    (0, "inom 0 dagar"), (1, "inom 1 dag"), (2, "inom 2 dagar"), (21, "inom 21 dagar")])
def test_template_plurals(days, expected):
    out = Template("{% load i18n %}{% blocktrans count days=n %}Validity ending within "
                   "{{ days }} day{% plural %}Validity ending within {{ days }} days"
                   "{% endblocktrans %}").render(Context({"n": days}))
    assert out.endswith(expected)


# A count-like placeholder followed by a word ("%(count)d meetings") in a msgid without a
# plural form: it needs ngettext or {% blocktrans count %}.
COUNT_WITH_NOUN = re.compile(
    r"%\((?:count|counter|days|weeks|months|years|hours|minutes)\)[ds] (?!of\b)[^\W\d_]")


def test_guard_for_plurals_sees_a_count_with_a_noun():
    assert COUNT_WITH_NOUN.search("%(count)d meetings are planned.")
    assert COUNT_WITH_NOUN.search("blocked for %(minutes)s minutes")
    assert not COUNT_WITH_NOUN.search("Version %(n)d uploaded")  # a number, not a count
    assert not COUNT_WITH_NOUN.search("%(count)d of %(wanted)d")


def test_every_count_with_a_noun_has_plural_forms(tmp_path, monkeypatch, settings):
    """Fails on a msgid of the source like "%(count)d meetings" without plural forms. The
    catalogue is regenerated from a copy of the source (as tests/test_translations.py
    does), so an entry the source no longer has does not count."""
    from tests.test_translations import regenerate_sv_catalogue

    po = regenerate_sv_catalogue(tmp_path, monkeypatch, settings)
    singular = [f"{e.msgid}  ({', '.join(path for path, _line in e.occurrences)})"
                for e in po if e.msgid and not e.obsolete and not e.msgid_plural
                and COUNT_WITH_NOUN.search(e.msgid)]
    assert not singular, ("A number with a noun needs ngettext / {% blocktrans count %}:\n  "
                          + "\n  ".join(singular))


# --- one set: nobody formats dates by themselves ---------------------------------------------

# A ``|date`` or ``|time`` filter with a format of its own, or a bare one. ``|date:"c"`` is
# the machine-readable ISO 8601 of ``<time datetime="…">`` and stays allowed.
RAW_TEMPLATE_DATE = re.compile(r"\|\s*(?:date|time)\b(?!:\s*[\"']c[\"'])")
# Python: strftime, Django's formatting functions, f-string date formats.
RAW_PYTHON_DATE = re.compile(r"\.strftime\(|\b(?:date|time)_format\(|\{[^{}]*:%[a-zA-Z]")
PYTHON_ALLOWED = {
    # the file names of generated PDFs: machine-readable, not prose
    "meetings/emails.py": "PDF attachment file name",
}
APP_DIRS = ("governance", "meetings", "documents", "portal", "halsam")


def _template_files():
    roots = [BASE_DIR / "templates"] + [BASE_DIR / app / "templates" for app in APP_DIRS]
    for root in roots:
        if root.is_dir():
            yield from (p for p in sorted(root.rglob("*")) if p.suffix in (".html", ".txt"))


def raw_template_dates(text: str) -> list[str]:
    return [m.group(0) for m in RAW_TEMPLATE_DATE.finditer(text)]


def raw_python_dates(text: str) -> list[str]:
    return [m.group(0) for m in RAW_PYTHON_DATE.finditer(text)]


def test_the_guards_see_what_they_must():
    assert raw_template_dates('{{ m.start|date:"j F Y" }} {{ m.end|time:"H:i" }} {{ x|date }}')
    assert len(raw_template_dates('{{ m.start | date:"Y-m-d" }}')) == 1
    assert not raw_template_dates("<time datetime=\"{{ m.start|date:'c' }}\">"
                                  "{{ m.start|date_time }}</time> {{ m.start|time_range:m.end }}")
    assert raw_python_dates('f"{day:%Y-%m-%d}"') and raw_python_dates("day.strftime('%d')")
    assert raw_python_dates('date_format(day, "Y-m-d")')
    assert not raw_python_dates("plain_date(day) + day.isoformat()")


def test_no_template_formats_a_date_by_itself():
    found = []
    for path in _template_files():
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path.relative_to(BASE_DIR)}:{line_no}: {hit}"
                      for hit in raw_template_dates(line)]
    assert not found, ("Use the svdates filters (docs/language.md) instead of a format of "
                       "your own:\n  " + "\n  ".join(found))


def test_no_python_module_formats_a_date_by_itself():
    found = []
    for app in APP_DIRS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            rel = path.relative_to(BASE_DIR).as_posix()
            if "migrations" in path.parts or rel.startswith("halsam/formats/") \
                    or rel in PYTHON_ALLOWED:
                continue
            for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found += [f"{rel}:{line_no}: {hit}" for hit in raw_python_dates(line)]
    assert not found, ("Use halsam.formats.dates (docs/language.md) instead of a format of "
                       "your own:\n  " + "\n  ".join(found))
