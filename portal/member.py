"""The member portal /mina-sidor/: a person's own bodies, meetings, papers and documents.

``portal_page`` is the selector (a fixed number of queries, whatever the number of
bodies and meetings; tests/portal/test_member.py asserts it); the views are thin.
Which bodies are the user's is asked of the governance gateway (guardian object
permissions, ``access.bodies_for_user``); what may be seen of a document of those bodies
is asked of the documents gateway.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import access
from governance.models import Body, Membership, MembershipRole, OfficeTerm, Person

# How much each list shows; the register and the body pages have the rest.
COMING_LIMIT = 20
MINUTES_LIMIT = 10
PAST_LIMIT = 10  # "Tidigare möten" per page (?tidigare=2 the next ten)
DOCUMENTS_LIMIT = 50
# The session key that carries a calendar link just made to the one page that shows it.
FRESH_FEED_LINK = "portal.fresh_calendar_link"


@dataclass
class PortalMeeting:
    meeting: object
    notices: list = field(default_factory=list)  # NoticeDelivery rows sent to the person
    absence: object | None = None
    can_report_absence: bool = False
    can_withdraw_absence: bool = False  # "Ångra förhinder" until the meeting starts


@dataclass
class PortalPage:
    person: Person
    memberships: list[Membership]
    offices: list[OfficeTerm]
    coming: list[PortalMeeting]
    minutes: list
    documents: list
    calendar_token: object | None
    on: dt.date
    # Issue 11, flow 4: minutes waiting for this person's approval ("Att justera") and the
    # past meetings of the person's bodies, newest first, a page at a time.
    to_check: list = field(default_factory=list)
    past: list = field(default_factory=list)
    past_page: int = 1
    past_more: bool = False


def _meetings_of(body_ids: list[int]):
    from meetings.models import Meeting

    guest_of = Meeting.guest_bodies.through.objects.filter(body_id__in=body_ids)
    return Meeting.objects.filter(Q(body_id__in=body_ids) | Q(pk__in=guest_of.values(
        "meeting_id")))


def portal_page(user, person: Person, *, now: dt.datetime | None = None,
                past_page: int = 1) -> PortalPage:
    """Everything /mina-sidor/ shows to ``person`` (logged in as ``user``)."""
    from documents.access import visible_documents
    from meetings import papers
    from meetings.models import (
        Absence,
        AgendaItem,
        CalendarToken,
        MeetingStatus,
        Minutes,
        MinutesSignature,
        MinutesStatus,
        NoticeDelivery,
    )
    from meetings.rules import MEETING_OPEN

    now = now or timezone.now()
    on = timezone.localdate(now)
    memberships = list(
        Membership.objects.filter(person=person).filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("seat__body__structure", "substitute_for__person")
        .order_by("seat__body__structure__name", "seat__body__position", "seat__body__name",
                  "start"))
    offices = list(OfficeTerm.objects.active_on(on).filter(person=person)
                   .select_related("body", "area").order_by("body__name", "office"))
    body_ids = list(access.bodies_for_user(user).values_list("pk", flat=True))
    seat_bodies = {m.seat.body_id for m in memberships
                   if m.role != MembershipRole.SECRETARY and m.start <= on}

    coming = list(
        _meetings_of(body_ids).filter(end__gte=now)
        .select_related("body")
        .prefetch_related(
            Prefetch("guest_bodies", Body.objects.only("id", "name", "slug")),
            Prefetch("items", AgendaItem.objects.order_by("position", "id")))
        .order_by("start", "pk")[:COMING_LIMIT])
    # Every item's papers, uploaded or from the register, in one query per source.
    papers.annotate([item for m in coming for item in m.items.all()])
    ids = [m.pk for m in coming]
    notices: dict[int, list] = {}
    for d in (NoticeDelivery.objects.filter(person=person, meeting_id__in=ids)
              .order_by("claimed_at", "pk")):
        notices.setdefault(d.meeting_id, []).append(d)
    absences = {a.meeting_id: a for a in Absence.objects.filter(person=person, meeting_id__in=ids)
                .select_related("substitute")}
    rows = []
    for meeting in coming:
        bodies = {meeting.body_id, *(b.pk for b in meeting.guest_bodies.all())}
        absence = absences.get(meeting.pk)
        rows.append(PortalMeeting(
            meeting=meeting, notices=notices.get(meeting.pk, []), absence=absence,
            can_report_absence=(absence is None and bool(bodies & seat_bodies)
                                and meeting.status in MEETING_OPEN and meeting.start > now),
            can_withdraw_absence=(absence is not None and meeting.status in MEETING_OPEN
                                  and meeting.start > now)))

    minutes = list(
        Minutes.objects.filter(status=MinutesStatus.PUBLISHED,
                               meeting__in=_meetings_of(body_ids))
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__body").order_by("-meeting__start")[:MINUTES_LIMIT])
    documents = list(
        visible_documents(user).filter(owner_body_id__in=body_ids)
        .select_related("owner_body").order_by("owner_body__name", "title")[:DOCUMENTS_LIMIT])
    token = CalendarToken.objects.filter(person=person, revoked_at__isnull=True).first()
    to_check = list(
        Minutes.objects.filter(status=MinutesStatus.WITH_CHECKERS, checkers=person)
        # Not those I have already approved in this round (the others still may).
        .exclude(Exists(MinutesSignature.objects.filter(
            minutes=OuterRef("pk"), person=person, round=OuterRef("check_round"))))
        .select_related("meeting__body").order_by("meeting__start", "pk"))
    past_page = max(1, past_page)
    offset = (past_page - 1) * PAST_LIMIT
    past = list(
        _meetings_of(body_ids).filter(end__lt=now).exclude(status=MeetingStatus.CANCELLED)
        .select_related("body", "minutes").order_by("-start", "-pk")
        [offset:offset + PAST_LIMIT + 1])
    return PortalPage(person=person, memberships=memberships, offices=offices, coming=rows,
                      minutes=minutes, documents=documents, calendar_token=token, on=on,
                      to_check=to_check, past=past[:PAST_LIMIT], past_page=past_page,
                      past_more=len(past) > PAST_LIMIT)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """/mina-sidor/: my bodies and role in each, coming meetings with notices, agendas and
    papers, absence, my calendar link, published minutes and my bodies' documents."""
    person = access.person_for_user(request.user)
    if person is None:
        return render(request, "portal/no_person.html")
    try:
        past_page = int(request.GET.get("tidigare", "1"))
    except ValueError:
        past_page = 1
    page = portal_page(request.user, person, past_page=min(max(past_page, 1), 1000))
    feed_url = None
    # The calendar link is shown once, on the page after it was made: its secret waits in
    # the session until then and is dropped now (only its hash is stored, issue 12 §4).
    shown = request.session.pop(FRESH_FEED_LINK, None)
    token = page.calendar_token
    if isinstance(shown, dict) and token is not None and shown.get("id") == token.pk:
        feed_url = request.build_absolute_uri(
            reverse("feeds:person", kwargs={"token": str(shown.get("token", ""))}))
    return render(request, "portal/home.html", {
        "page": page, "person": person, "feed_url": feed_url,
        "can_coordinate": access.can_coordinate(request.user),
    })


@login_required
@require_POST
def calendar_link(request: HttpRequest) -> HttpResponse:
    """A new link to my calendar feed (the old one stops working), or no link at all. The
    new link is shown once, on the page this redirects to."""
    from meetings.feeds import calendar_token_issue, calendar_token_revoke

    person = access.person_for_user(request.user)
    if person is None:
        raise Http404("the login has no person")
    request.session.pop(FRESH_FEED_LINK, None)
    if request.POST.get("action") == "stop":
        calendar_token_revoke(person)
        messages.success(request, _("Your calendar link is turned off."))
    else:
        issued = calendar_token_issue(person)
        request.session[FRESH_FEED_LINK] = {"id": issued.record.pk, "token": issued.token}
        messages.success(request, _("You have a new calendar link. An old link no longer "
                                    "works."))
    return redirect("portal:home")


app_name = "portal"
urlpatterns = [
    path("", home, name="home"),
    path("kalender/", calendar_link, name="calendar"),
]
