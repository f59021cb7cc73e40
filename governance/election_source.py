"""What the meetings app knows about elections, for the rule checks and the body page.

governance must not import meetings, yet H13 ("Val inför kommande kalenderår sker vid det
sista mötet för innevarande år", seed 000) ties an election to a meeting. The meetings app
fills this hook from its ``AppConfig.ready`` (``meetings.elections.register``):

- ``election_meetings(pairs)``: for (body id, year) pairs, the meeting of that year where
  the election for the next period is due (the one carrying the election item, else the
  body's last meeting of the year that is not cancelled) and whether an election for that
  period is recorded. One query for all pairs.
- ``annotate_terms(terms)``: sets ``elected_at`` on each ``OfficeTerm`` (an
  ``ElectedAt`` or ``None``): the meeting that elected its holder. One query.

Without a registered source (governance alone) nothing is known: no meeting dates, no
``elected_at``; the checks fall back to the rule's own date (31 December).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ElectionMeeting:
    """The meeting where a body's election for the next period is due."""

    meeting_id: int
    day: dt.date
    recorded: bool  # an election for the period starting the next 1 January is recorded
    url: str = ""  # the page to record it (or to read it, once recorded)


@dataclass(frozen=True)
class ElectedAt:
    """The meeting that elected an office holder."""

    day: dt.date
    url: str


MeetingSource = Callable[[set[tuple[int, int]]], dict[tuple[int, int], ElectionMeeting]]
TermSource = Callable[[list[int]], dict[int, ElectedAt]]

_sources: dict[str, Any] = {}


def register(*, meetings: MeetingSource, terms: TermSource) -> None:
    """Called by the meetings app once it is ready (idempotent)."""
    _sources["meetings"] = meetings
    _sources["terms"] = terms


def election_meetings(pairs: Iterable[tuple[int, int]]
                      ) -> dict[tuple[int, int], ElectionMeeting]:
    """(body id, year) → where the election at that year's last meeting is due."""
    pairs = set(pairs)
    source = _sources.get("meetings")
    if not pairs or source is None:
        return {}
    return source(pairs)


def annotate_terms(terms: Iterable[Any]) -> None:
    """Set ``elected_at`` on each office term (``None`` when no election is recorded)."""
    terms = list(terms)
    source = _sources.get("terms")
    # Asked even for no terms: a page's query count does not depend on holders existing.
    found = source([t.pk for t in terms]) if source is not None else {}
    for t in terms:
        t.elected_at = found.get(t.pk)
