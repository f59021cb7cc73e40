"""Argument types for the management commands (issue 12 §6): a bad value is a one-line
error naming the option ("--year: give a year between 2000 and 2100"), never a traceback.

Used as ``parser.add_argument("--year", type=year_arg)``; argparse turns the
``ArgumentTypeError`` into its usual message (exit status 2), and ``call_command`` into a
``CommandError``.
"""
from __future__ import annotations

import argparse
import datetime as dt

from .validators import CONTROL, FIRST_YEAR, LAST_YEAR

SEED_MAX = 2**32 - 1


def year_arg(value: str) -> int:
    """A calendar year from FIRST_YEAR to LAST_YEAR."""
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {value[:20]!r}") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"give a year between {FIRST_YEAR} and {LAST_YEAR} (got {year})")
    return year


def date_arg(value: str) -> dt.date:
    """A day as YYYY-MM-DD, in a year from FIRST_YEAR to LAST_YEAR."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date as YYYY-MM-DD: {value[:20]!r}") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"give a date between {FIRST_YEAR} and {LAST_YEAR} (got {day.isoformat()})")
    return day


def seed_arg(value: str) -> int:
    """A random seed from 0 to 2**32 - 1."""
    try:
        seed = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value[:20]!r}") from None
    if not 0 <= seed <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"give a number from 0 to {SEED_MAX} (got {seed})")
    return seed


def text_arg(value: str) -> str:
    """One line of printable text (a slug, a name, a password): no control characters."""
    if CONTROL.search(value):
        raise argparse.ArgumentTypeError("may not contain control characters or line breaks")
    if len(value) > 200:
        raise argparse.ArgumentTypeError("is longer than 200 characters")
    return value
