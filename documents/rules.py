"""The document rules as pure functions over plain values.

- the workflow of a version: which status may follow which, and who may make each
  step (a transition table keyed by ``(from, to)``);
- validity: when a document is in force on a day, the end date after a notice of
  termination (V16: twelve months after Samrådet handled it), the next review date;
- Swedish suffix stripping for the search fallback on databases without full-text
  search (SQLite).

Nothing here touches the database, Django's settings or translations: callers pass
plain values and get codes back; the services turn codes into messages.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

# --- the workflow -----------------------------------------------------------------------

DRAFT, IN_REVIEW, APPROVED, PUBLISHED, SUPERSEDED, WITHDRAWN = (
    "draft", "in_review", "approved", "published", "superseded", "withdrawn")
STATUSES = (DRAFT, IN_REVIEW, APPROVED, PUBLISHED, SUPERSEDED, WITHDRAWN)

# The roles a user can have towards one version of a document (``access.version_roles``).
UPLOADER = "uploader"        # uploaded this very version
SECRETARY = "secretary"      # secretary of the owning body (an active membership)
COORDINATOR = "coordinator"  # perm governance.coordinate
EDITOR = "editor"            # perm documents.publish_document (redaktör)
# Publishing a newer version supersedes the old one; no person makes that step.
SYSTEM = "system"

# (from, to) → the roles that may make the step. A pair that is not here is forbidden.
TRANSITIONS: Mapping[tuple[str, str], frozenset[str]] = {
    (DRAFT, IN_REVIEW): frozenset({UPLOADER, SECRETARY, COORDINATOR, EDITOR}),
    # Sent back for changes; the uploader may also take back what they submitted.
    (IN_REVIEW, DRAFT): frozenset({UPLOADER, SECRETARY, COORDINATOR, EDITOR}),
    (IN_REVIEW, APPROVED): frozenset({SECRETARY, COORDINATOR}),
    (APPROVED, PUBLISHED): frozenset({EDITOR}),
    (PUBLISHED, SUPERSEDED): frozenset({SYSTEM}),
    (DRAFT, WITHDRAWN): frozenset({UPLOADER, SECRETARY, COORDINATOR, EDITOR}),
    (IN_REVIEW, WITHDRAWN): frozenset({UPLOADER, SECRETARY, COORDINATOR, EDITOR}),
    (APPROVED, WITHDRAWN): frozenset({SECRETARY, COORDINATOR, EDITOR}),
    (PUBLISHED, WITHDRAWN): frozenset({COORDINATOR, EDITOR}),
}

# Nothing leaves these states.
FINAL = frozenset({SUPERSEDED, WITHDRAWN})
# Versions the public may see of a public document (the one in force and its history).
PUBLIC_STATUSES = frozenset({PUBLISHED, SUPERSEDED})
# Steps that need a reason given by the user.
NEEDS_REASON = frozenset({(from_, WITHDRAWN) for from_ in (DRAFT, IN_REVIEW, APPROVED, PUBLISHED)})


def transition_refusal(current: str, target: str, roles: Collection[str]) -> str | None:
    """Why ``roles`` may not move a version from ``current`` to ``target``, or None.

    Codes: ``unknown_status``, ``final`` (nothing leaves superseded or withdrawn),
    ``not_allowed`` (no such step), ``not_permitted`` (the step exists, not for these roles).
    """
    if current not in STATUSES or target not in STATUSES:
        return "unknown_status"
    if current in FINAL:
        return "final"
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        return "not_allowed"
    if not allowed.intersection(roles):
        return "not_permitted"
    return None


def available_targets(current: str, roles: Collection[str]) -> list[str]:
    """The statuses ``roles`` may move a version in ``current`` to, in table order."""
    return [to for (from_, to), allowed in TRANSITIONS.items()
            if from_ == current and allowed.intersection(roles)]


# --- validity ---------------------------------------------------------------------------

def termination_end(handled_on: dt.date, notice_months: int) -> dt.date:
    """The last day a terminated document is in force (V16).

    V16: "upphör att gälla tolv månader efter det att en sådan skrivelse behandlats":
    a period of months ends on the day with the same number (lag 1930:173), so a notice
    handled 2025-03-15 with 12 months' notice ends 2026-03-15; a day that does not exist
    in the end month falls back to the month's last day (2025-01-31 + 1 month =
    2025-02-28).
    """
    return handled_on + relativedelta(months=notice_months)


def termination_cutoff(on: dt.date, notice_months: int) -> dt.date:
    """The earliest handling date whose termination still leaves the document in force on
    ``on``: ``termination_end(h, n) >= on`` exactly when ``h >= termination_cutoff(on, n)``.

    Lets a query compare a date column instead of doing month arithmetic in SQL.
    """
    cutoff = on - relativedelta(months=notice_months)
    while termination_end(cutoff, notice_months) < on:
        cutoff += dt.timedelta(days=1)
    while termination_end(cutoff - dt.timedelta(days=1), notice_months) >= on:
        cutoff -= dt.timedelta(days=1)
    return cutoff


@dataclass(frozen=True)
class Validity:
    """When a document applies, as plain values."""

    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    until_further_notice: bool = False
    termination_notice_months: int | None = None
    termination_handled_on: dt.date | None = None

    @property
    def termination_ends_on(self) -> dt.date | None:
        if self.termination_handled_on is None or self.termination_notice_months is None:
            return None
        return termination_end(self.termination_handled_on, self.termination_notice_months)

    @property
    def ends_on(self) -> dt.date | None:
        """The last day in force: the earlier of "valid until" and the termination's end."""
        ends = [d for d in (self.valid_until, self.termination_ends_on) if d is not None]
        return min(ends) if ends else None

    def in_force_on(self, on: dt.date) -> bool:
        """Whether the dates allow the document to apply on ``on`` (a published version is
        the caller's other condition)."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        ends = self.ends_on
        return ends is None or on <= ends


def validity_problems(v: Validity) -> list[tuple[str, str]]:
    """``(field, code)`` pairs for dates that do not fit together."""
    problems: list[tuple[str, str]] = []
    if v.valid_from and v.valid_until and v.valid_until < v.valid_from:
        problems.append(("valid_until", "until_before_from"))
    if v.until_further_notice and v.valid_until is not None:
        problems.append(("valid_until", "until_further_notice_has_end"))
    if v.termination_handled_on is not None and v.termination_notice_months is None:
        problems.append(("termination_notice_months", "no_notice_period"))
    return problems


def next_review(from_day: dt.date, interval_months: int) -> dt.date:
    """The next review date ``interval_months`` after ``from_day`` (V11: at most 24)."""
    return from_day + relativedelta(months=interval_months)


# --- search fallback --------------------------------------------------------------------

# Longest first: "riktlinjerna" loses "erna", not "na".
SWEDISH_SUFFIXES = ("erna", "arna", "orna", "en", "et", "na", "er", "ar", "or", "s")
MIN_STEM = 3


def swedish_stem(word: str) -> str:
    """A crude Swedish stem: the word lower-cased without one common inflection ending.

    Good enough for a substring search ("överenskommelsen" → "överenskommels", which
    "överenskommelse" and "överenskommelser" contain); PostgreSQL's Swedish snowball
    stemmer does the real work where it is available.
    """
    word = word.casefold()
    for suffix in SWEDISH_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def search_words(query: str, *, limit: int = 10) -> list[str]:
    """The stems of the words of a search query, without duplicates or punctuation."""
    words: list[str] = []
    for raw in query.split():
        word = "".join(ch for ch in raw if ch.isalnum() or ch == "-").strip("-")
        if not word:
            continue
        stem = swedish_stem(word)
        if stem not in words:
            words.append(stem)
    return words[:limit]
