"""The meetings' part of the site's one search (portal/public.py): meetings, agenda items
and minutes, each only as far as the user may see it.

- Meetings: those ``access.visible_meetings_q`` lets the user see, by title, body and place.
- Agenda items of those meetings: everyone searches the titles (the public sees a
  public meeting's agenda titles); the descriptions only where the user sees the papers
  (members of the meeting's bodies and coordinators: ``MeetingAccess.sees_all``; being
  staff adds nothing).
- Minutes: published minutes of meetings the user may see, by their summary and the
  notes, decisions and recommendations of the items; coordinators (who edit minutes) also
  the ones not yet published.

Case and diacritics are ignored (``governance.selectors.words_q``). Six queries at most,
whatever the number of meetings.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from governance.selectors import SEARCH_LIMIT, SearchHits, search_words, words_q

from . import access
from .models import AgendaItem, Meeting, Minutes, MinutesStatus


@dataclass
class MeetingSearch:
    meetings: SearchHits
    items: SearchHits
    minutes: SearchHits


def _sees_papers_q(user: access.User, prefix: str) -> Q:
    """Meetings (under ``prefix``) whose papers the user sees."""
    if access.is_coordinator(user):
        return Q()
    body_ids = access.member_body_ids(user)
    if not body_ids:
        return Q(pk__in=[])
    as_guest = Meeting.guest_bodies.through.objects.filter(
        meeting_id=OuterRef(f"{prefix}pk"), body_id__in=body_ids)
    return Q(**{f"{prefix}body_id__in": body_ids}) | Q(Exists(as_guest))


def search(user: access.User, q: str, *, limit: int = SEARCH_LIMIT) -> MeetingSearch:
    visible = access.visible_meetings_q(user)
    meetings = (Meeting.objects.filter(visible)
                .filter(words_q(q, ["title", "body__name", "body__short_name", "place"]))
                .select_related("body").order_by("-start", "-id"))
    visible_ids = Meeting.objects.filter(visible).values("pk")
    items = (AgendaItem.objects.filter(meeting__in=visible_ids)
             .filter(words_q(q, ["title"], restricted={
                 "description": _sees_papers_q(user, "meeting__")}))
             .select_related("meeting__body").order_by("-meeting__start", "position", "id"))
    minutes = Minutes.objects.filter(meeting__in=visible_ids)
    if not access.is_coordinator(user):
        minutes = minutes.filter(status=MinutesStatus.PUBLISHED)
    text = Q()
    for word in search_words(q):
        in_items = AgendaItem.objects.filter(meeting_id=OuterRef("meeting_id")).filter(
            Q(notes__unaccent__icontains=word) | Q(decision__unaccent__icontains=word)
            | Q(recommendation__unaccent__icontains=word))
        text &= Q(summary__unaccent__icontains=word) | Q(Exists(in_items))
    minutes = (minutes.filter(text).select_related("meeting__body")
               .order_by("-meeting__start", "-id"))
    return MeetingSearch(
        meetings=SearchHits(items=list(meetings[:limit]), total=meetings.count()),
        items=SearchHits(items=list(items[:limit]), total=items.count()),
        minutes=SearchHits(items=list(minutes[:limit]), total=minutes.count()),
    )
