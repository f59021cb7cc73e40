"""Calendar feeds: a body's public meetings and a person's own meetings (secret token).

Both are subscriptions (no METHOD, no people); cancelled meetings stay in the feed with
STATUS:CANCELLED so calendars remove them. Each feed costs a fixed number of queries.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from governance.models import Body, Membership, Person

from . import calendar
from .models import AgendaItem, CalendarToken, Meeting

# How far back a feed reaches; calendars keep what they have already seen.
LOOK_BACK = dt.timedelta(days=366)
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _meetings():
    return (Meeting.objects.filter(start__gte=timezone.now() - LOOK_BACK)
            .select_related("body__structure")
            .prefetch_related(Prefetch("items", AgendaItem.objects.only(
                "id", "meeting_id", "title", "position")))
            .order_by("start", "pk"))


def _response(data: bytes, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=900"
    return response


@require_GET
def body_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """/kalender/organ/<slug>.ics: the body's public meetings, joint meetings included."""
    body = get_object_or_404(Body, slug=slug)
    guest_of = Meeting.guest_bodies.through.objects.filter(body_id=body.pk).values("meeting_id")
    meetings = _meetings().filter(Q(body=body) | Q(pk__in=guest_of), is_public=True)
    # A public feed: no video links (those are for members, as on the meeting page).
    return _response(calendar.feed(meetings, body.name, with_video=False), f"{body.slug}.ics",
                     private=False)


def person_meetings(person: Person):
    """The meetings of the person's bodies that fall within their memberships (3 queries)."""
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for body_id, start, end in Membership.objects.filter(person=person).values_list(
            "seat__body_id", "start", "end"):
        periods.setdefault(body_id, []).append((start, end))
    guest_of = Meeting.guest_bodies.through.objects.filter(body_id__in=list(periods))
    candidates = (_meetings().filter(Q(body_id__in=list(periods)) | Q(pk__in=guest_of.values(
        "meeting_id"))).prefetch_related(Prefetch("guest_bodies", Body.objects.only("id"))))
    out = []
    for meeting in candidates:
        day = timezone.localtime(meeting.start).date()
        bodies = [meeting.body_id, *(b.pk for b in meeting.guest_bodies.all())]
        if any(start <= day and (end is None or end >= day)
               for body_id in bodies for start, end in periods.get(body_id, ())):
            out.append(meeting)
    return out


@require_GET
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    """/kalender/<token>.ics: all meetings of the token's owner; 404 once revoked.
    The token is looked up by its hash: only the hash is stored."""
    found = (CalendarToken.objects.select_related("person")
             .filter(token_hash=token_hash(token), revoked_at__isnull=True).first())
    if found is None:
        raise Http404("unknown or revoked calendar token")
    person = found.person
    return _response(calendar.feed(person_meetings(person), person.name), "moten.ics",
                     private=True)


def token_hash(secret: str) -> str:
    """What is stored of a feed token: its SHA-256, hex. The secret has 256 random bits, so
    a plain hash cannot be reversed by guessing (no slow hash needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCalendarToken:
    """A token just made: ``token`` is the secret for the URL, shown to its owner once and
    never stored; ``record`` the stored row (with only the hash)."""

    record: CalendarToken
    token: str


@transaction.atomic
def calendar_token_issue(person: Person) -> IssuedCalendarToken:
    """Give the person a new feed token, revoking the one they had."""
    calendar_token_revoke(person)
    secret = secrets.token_urlsafe(32)
    record = CalendarToken.objects.create(person=person, token_hash=token_hash(secret))
    return IssuedCalendarToken(record=record, token=secret)


@transaction.atomic
def calendar_token_revoke(person: Person) -> int:
    """Revoke the person's active feed token (its URL stops working at once)."""
    return CalendarToken.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
