"""Calendar feeds: /kalender/organ/<slug>.ics and the personal /kalender/<token>.ics."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from meetings.feeds import calendar_token_issue, calendar_token_revoke
from meetings.models import Meeting, MeetingStatus
from tests.governance.factories import BodyFactory, MembershipFactory, SeatFactory


def _uids(response) -> dict[str, str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert "METHOD" not in cal
    events = cal.walk("VEVENT")
    assert all("ATTENDEE" not in e and "ORGANIZER" not in e for e in events)
    return {str(e["UID"]): str(e["STATUS"]) for e in events}


def _more(meeting, n: int) -> list[Meeting]:
    out = []
    for i in range(n):
        start = meeting.start + dt.timedelta(days=30 * (i + 1))
        out.append(Meeting.objects.create(body=meeting.body, start=start,
                                          end=start + dt.timedelta(hours=1), place="Sundsvall"))
    return out


@pytest.mark.django_db
def test_body_feed_lists_public_and_joint_meetings_and_keeps_cancelled(client, make_meeting):
    meeting = make_meeting()
    body = meeting.body
    cancelled = _more(meeting, 1)[0]
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.save()
    closed = _more(meeting, 1)[0]
    closed.is_public = False
    closed.save()
    other = make_meeting()
    other.guest_bodies.add(body)
    url = reverse("feeds:body", kwargs={"slug": body.slug})
    assert url == f"/kalender/organ/{body.slug}.ics"
    assert _uids(client.get(url)) == {meeting.uid: "CONFIRMED", cancelled.uid: "CANCELLED",
                                      other.uid: "CONFIRMED"}
    assert client.get("/kalender/organ/finns-inte.ics").status_code == 404


@pytest.mark.django_db
def test_body_feed_query_count_does_not_grow_with_meetings(client, make_meeting):
    meeting = make_meeting()
    url = reverse("feeds:body", kwargs={"slug": meeting.body.slug})
    with CaptureQueriesContext(connection) as few:
        assert len(_uids(client.get(url))) == 1
    _more(meeting, 6)
    with CaptureQueriesContext(connection) as many:
        assert len(_uids(client.get(url))) == 7
    assert len(many) == len(few)


@pytest.mark.django_db
def test_person_feed_has_their_meetings_while_members_and_dies_when_revoked(client, make_meeting):
    meeting = make_meeting()
    person = meeting.people[0]
    later = _more(meeting, 2)
    membership = person.memberships.get()
    membership.end = (later[0].start - dt.timedelta(days=1)).date()
    membership.save()
    other_body = BodyFactory()
    joint = make_meeting()
    joint.guest_bodies.add(other_body)
    MembershipFactory(seat=SeatFactory(body=other_body), person=person)
    unrelated = make_meeting()
    token = calendar_token_issue(person).token
    uids = _uids(client.get(f"/kalender/{token}.ics"))
    assert set(uids) == {meeting.uid, joint.uid}
    assert later[0].uid not in uids and unrelated.uid not in uids

    new = calendar_token_issue(person).token  # issuing again revokes the old one
    assert client.get(f"/kalender/{token}.ics").status_code == 404
    assert client.get(f"/kalender/{new}.ics").status_code == 200
    calendar_token_revoke(person)
    assert client.get(f"/kalender/{new}.ics").status_code == 404
    assert client.get("/kalender/not-a-token.ics").status_code == 404


@pytest.mark.django_db
def test_person_feed_query_count_does_not_grow_with_meetings(client, make_meeting):
    meeting = make_meeting()
    token = calendar_token_issue(meeting.people[0]).token
    with CaptureQueriesContext(connection) as few:
        assert len(_uids(client.get(f"/kalender/{token}.ics"))) == 1
    _more(meeting, 6)
    joint = make_meeting()
    joint.guest_bodies.add(meeting.body)
    with CaptureQueriesContext(connection) as many:
        assert len(_uids(client.get(f"/kalender/{token}.ics"))) == 8
    assert len(many) == len(few)
