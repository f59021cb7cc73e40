"""The political term of office (mandatperiod, H3) of a structure, for any day.

The preset's ``terms:`` rows (``governance.Term``) name the periods a structure has
written down; the country's calendar goes on after the last of them (2023–2026,
2027–2030, 2031–2034, …, ``rules.political_term_for``). These helpers return the
recorded row where there is one and otherwise the computed period, so nothing stops
after the last row in the preset.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import rules
from .models import Term, TermKind


@dataclass(frozen=True)
class PoliticalTerm:
    start: dt.date
    end: dt.date
    name: str
    term_id: int | None = None  # the recorded ``Term`` row, when there is one

    @property
    def key(self) -> str:
        """Stable across runs: the row's id when recorded (as before issue 13), else the start."""
        return str(self.term_id) if self.term_id is not None else self.start.isoformat()

    @property
    def label(self) -> str:
        return f"{self.start.year}–{self.end.year}"


def _computed(day: dt.date) -> PoliticalTerm:
    period = rules.political_term_for(day)
    return PoliticalTerm(start=period.start, end=period.end,
                         name=_("Term of office %(start)d–%(end)d") % {
                             "start": period.start.year, "end": period.end.year})


def _from_row(row: Term) -> PoliticalTerm:
    return PoliticalTerm(start=row.start, end=row.end, name=row.name, term_id=row.pk)


def recorded_by_structure(structure_ids: Iterable[int] | None = None, *,
                          structure_slug: str | None = None) -> dict[int, list[Term]]:
    """The political ``Term`` rows by structure, in order (1 query): of the structures
    given by id or slug, or of all of them."""
    rows = Term.objects.filter(kind=TermKind.POLITICAL)
    if structure_ids is not None:
        rows = rows.filter(structure_id__in=set(structure_ids))
    if structure_slug:
        rows = rows.filter(structure__slug=structure_slug)
    out: dict[int, list[Term]] = defaultdict(list)
    for row in rows.order_by("start"):
        out[row.structure_id].append(row)
    return out


def term_on(day: dt.date, recorded: Sequence[Term] = ()) -> PoliticalTerm:
    """The political term containing ``day``: the recorded row, else the computed one."""
    for row in recorded:
        if row.start <= day <= row.end:
            return _from_row(row)
    return _computed(day)


def political_term(structure_id: int | None, day: dt.date) -> PoliticalTerm:
    """The political term of a structure containing ``day`` (1 query with a structure)."""
    recorded = recorded_by_structure([structure_id])[structure_id] if structure_id else []
    return term_on(day, recorded)


def change_near(on: dt.date, recorded: Sequence[Term] = (), *,
                window_days: int) -> PoliticalTerm | None:
    """The term that starts within ``window_days`` after ``on`` or started within
    ``window_days`` before it (the term change to prepare for or just made), or None."""
    window = dt.timedelta(days=window_days)
    for day in (on + window, on):
        term = term_on(day, recorded)
        if on - window < term.start <= on + window:
            return term
    return None
