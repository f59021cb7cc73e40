"""The secretary's start page ``/sekreterare/``: the coming and recent meetings of the
bodies the login is secretary of, with where each notice, agenda and minutes stand and
the secretary's actions ("Skicka kallelse", "Dagordning", "Närvaro", "Protokoll").

Which bodies are the user's as secretary is asked of the governance gateway
(``access.bodies_for_user(secretary=True)``, object permissions kept in step with the
memberships); ``secretary_page`` runs a fixed number of queries whatever the number of
bodies and meetings (tests/portal/test_start.py asserts it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from governance import access
from governance.models import Body

from .rows import MeetingRow, meeting_rows

COMING_DAYS = 180
RECENT_DAYS = 90
COMING_LIMIT = 30
RECENT_LIMIT = 20


@dataclass
class SecretaryRow:
    row: MeetingRow
    can_send: bool
    can_edit_agenda: bool
    can_record: bool  # attendance and minutes: the meeting has started, not cancelled


@dataclass
class SecretaryPage:
    bodies: list[Body]
    coming: list[SecretaryRow]
    recent: list[SecretaryRow]


def _actions(row: MeetingRow) -> SecretaryRow:
    open_ = row.meeting.status in ("planned", "notice_sent")
    return SecretaryRow(row=row, can_send=open_ and not row.is_past and row.can_send,
                        can_edit_agenda=open_,
                        can_record=row.is_past and row.meeting.status != "cancelled")


def secretary_page(user, *, now: dt.datetime | None = None) -> SecretaryPage:
    """The meetings of the bodies ``user`` is secretary of (own and joint meetings)."""
    from meetings.models import Meeting

    now = now or timezone.now()
    bodies = list(access.bodies_for_user(user, secretary=True).select_related("structure")
                  .order_by("structure__name", "position", "name"))
    ids = [b.pk for b in bodies]
    guest_of = Meeting.guest_bodies.through.objects.filter(body_id__in=ids).values("meeting_id")
    meetings = Meeting.objects.filter(Q(body_id__in=ids) | Q(pk__in=guest_of))
    coming = meeting_rows(
        meetings.filter(start__gt=now, start__lte=now + dt.timedelta(days=COMING_DAYS))
        .order_by("start", "pk"), now=now, limit=COMING_LIMIT)
    recent = meeting_rows(
        meetings.filter(start__lte=now, start__gte=now - dt.timedelta(days=RECENT_DAYS))
        .order_by("-start", "-pk"), now=now, limit=RECENT_LIMIT)
    return SecretaryPage(bodies=bodies, coming=[_actions(r) for r in coming],
                         recent=[_actions(r) for r in recent])


@login_required
def meetings_page(request: HttpRequest) -> HttpResponse:
    """/sekreterare/: for secretaries of a body (403 for everyone else)."""
    page = secretary_page(request.user)
    if not page.bodies:
        raise PermissionDenied
    return render(request, "portal/secretary.html", {"page": page})
