"""The iCalendar output: invitations (one attendee, organizer, method) and feeds."""
from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from meetings import calendar
from meetings.delivery import Recipient
from meetings.models import MeetingStatus


def _parse(data: bytes) -> tuple[Calendar, list]:
    cal = Calendar.from_ical(data)
    return cal, list(cal.walk("VEVENT"))


@pytest.mark.django_db
def test_invitation_request_has_one_attendee_organizer_timezone_and_video_link(make_meeting):
    meeting = make_meeting(members=3)
    person = meeting.people[0]
    cal, (event,) = _parse(calendar.invitation(meeting, Recipient(person, False, "member"),
                                               calendar.REQUEST))
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting.uid == f"meeting-{meeting.pk}@halsam.example"
    assert event["SEQUENCE"] == meeting.sequence
    assert "DTSTAMP" in event
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event["DTSTART"].dt == meeting.start and event["DTEND"].dt == meeting.end
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Stockholm"
    assert str(event["ORGANIZER"]) == "mailto:kansli@halsam.invalid"
    assert event["ORGANIZER"].params["CN"] == "HälSam"
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list), "exactly one ATTENDEE"
    assert str(attendee) == f"mailto:{person.email}"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT" and attendee.params["RSVP"] == "TRUE"
    assert str(event["LOCATION"]) == meeting.place
    assert str(event["URL"]) == meeting.video_url
    assert event["STATUS"] == "CONFIRMED"
    assert "Psykisk hälsa – lägesbild" in str(event["DESCRIPTION"])


@pytest.mark.django_db
def test_invitation_video_only_meeting_puts_link_in_location_and_substitute_is_optional(
        make_meeting):
    meeting = make_meeting(place="")
    _, (event,) = _parse(calendar.invitation(
        meeting, Recipient(meeting.substitute, True, "substitute"), calendar.REQUEST))
    assert str(event["LOCATION"]) == meeting.video_url
    assert event["ATTENDEE"].params["ROLE"] == "OPT-PARTICIPANT"


@pytest.mark.django_db
def test_organizer_falls_back_to_default_from_email(make_meeting, settings):
    settings.DEFAULT_FROM_EMAIL = "Kansliet <kansli@fallback.invalid>"
    meeting = make_meeting()
    meeting.body.structure.office_email = ""
    recipient = Recipient(meeting.people[0], False, "member")
    _, (event,) = _parse(calendar.invitation(meeting, recipient))
    assert str(event["ORGANIZER"]) == "mailto:kansli@fallback.invalid"


@pytest.mark.django_db
def test_cancel_uses_same_uid_higher_sequence_and_cancelled_status(make_meeting):
    meeting = make_meeting()
    recipient = Recipient(meeting.people[0], False, "member")
    _, (first,) = _parse(calendar.invitation(meeting, recipient, calendar.REQUEST))
    meeting.sequence += 1
    cal, (cancel,) = _parse(calendar.invitation(meeting, recipient, calendar.CANCEL))
    assert cal["METHOD"] == "CANCEL" and cancel["STATUS"] == "CANCELLED"
    assert cancel["UID"] == first["UID"]
    assert cancel["SEQUENCE"] > first["SEQUENCE"]


@pytest.mark.django_db
def test_feed_has_no_method_no_people_and_keeps_cancelled(make_meeting):
    kept = make_meeting()
    gone = make_meeting(start=kept.start + dt.timedelta(days=7), status=MeetingStatus.CANCELLED)
    cal, events = _parse(calendar.feed([kept, gone], "Länsledningen"))
    assert "METHOD" not in cal
    assert cal["X-WR-CALNAME"] == "Länsledningen"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert {str(e["UID"]): e["STATUS"] for e in events} == {
        kept.uid: "CONFIRMED", gone.uid: "CANCELLED"}
    for event in events:
        assert "ATTENDEE" not in event and "ORGANIZER" not in event
