"""The calendar link (issue 11, flow 7): "Lägg till i kalender" per meeting
(/moten/<id>/kalender.ics), each body's public feed linked from its page with
rel=alternate, and the copy button with instructions on Mina sidor."""
from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import calendar
from meetings.models import AgendaItem, MeetingStatus
from tests.governance.factories import UserFactory

pytestmark = pytest.mark.django_db


def ics_url(meeting) -> str:
    return reverse("meetings:meeting_ics", kwargs={"pk": meeting.pk})


def event_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    assert "ATTENDEE" not in event and "ORGANIZER" not in event
    return event


def member_client(client, meeting):
    person = meeting.people[0]
    person.user = UserFactory(username=f"ledamot-{person.pk}")
    person.save()
    client.force_login(person.user)
    return person


def test_download_has_the_uid_and_sequence_of_the_feeds_and_notices(client, make_meeting):
    meeting = make_meeting()
    meeting.sequence = 3
    meeting.save()
    member_client(client, meeting)
    url = ics_url(meeting)
    assert url == f"/moten/{meeting.pk}/kalender.ics"
    response = client.get(url)
    event = event_of(response)
    day = timezone.localtime(meeting.start).date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="{meeting.body.slug}-{day}.ics"')
    assert response["Cache-Control"] == "private, no-store"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting.uid, 3)
    invitation = Calendar.from_ical(calendar.invitation(meeting, _Recipient(meeting)))
    (invited,) = invitation.walk("VEVENT")
    assert (str(invited["UID"]), int(invited["SEQUENCE"])) == (meeting.uid, 3)
    feed = Calendar.from_ical(client.get(reverse("feeds:body", args=[meeting.body.slug])).content)
    assert [(str(e["UID"]), int(e["SEQUENCE"])) for e in feed.walk("VEVENT")] == [
        (meeting.uid, 3)]
    # A member sees the video link, as on the meeting page.
    assert str(event["URL"]) == meeting.video_url
    assert meeting.video_url in str(event["DESCRIPTION"])
    assert event["DTSTART"].dt == meeting.start
    assert str(event["SUMMARY"]) == meeting.display_title


class _Recipient:
    def __init__(self, meeting):
        self.person = meeting.people[0]
        self.as_substitute = False


def test_anonymous_gets_a_public_meeting_without_the_video_link(client, make_meeting):
    meeting = make_meeting(place="")
    event = event_of(client.get(ics_url(meeting)))
    assert "URL" not in event
    assert meeting.video_url not in client.get(ics_url(meeting)).content.decode()
    assert str(event.get("LOCATION", "")) == ""
    # The public feed does not give it away either.
    feed = client.get(reverse("feeds:body", args=[meeting.body.slug])).content.decode()
    assert meeting.video_url not in feed


def test_only_those_who_may_see_the_meeting(client, make_meeting):
    meeting = make_meeting(is_public=False)
    response = client.get(ics_url(meeting))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory(username="utomstaende"))
    assert client.get(ics_url(meeting)).status_code == 403
    member_client(client, meeting)
    assert str(event_of(client.get(ics_url(meeting)))["CLASS"]) == "PRIVATE"
    assert client.get(f"/moten/{meeting.pk + 1000}/kalender.ics").status_code == 404


def test_head_works_and_post_does_not(client, make_meeting):
    meeting = make_meeting()
    head = client.head(ics_url(meeting))
    assert head.status_code == 200
    assert head["Content-Type"] == "text/calendar; charset=utf-8"
    assert head.content == b""
    assert client.post(ics_url(meeting)).status_code == 405


def test_a_cancelled_meeting_downloads_as_cancelled(client, make_meeting):
    meeting = make_meeting(status=MeetingStatus.CANCELLED)
    assert str(event_of(client.get(ics_url(meeting)))["STATUS"]) == "CANCELLED"


def test_download_queries_do_not_grow_with_the_agenda(client, make_meeting):
    meeting = make_meeting()
    member_client(client, meeting)
    with CaptureQueriesContext(connection) as few:
        event_of(client.get(ics_url(meeting)))
    for n in range(12):
        AgendaItem.objects.create(meeting=meeting, position=10 + n, title=f"Punkt {n}")
    with CaptureQueriesContext(connection) as many:
        event = event_of(client.get(ics_url(meeting)))
    assert "Punkt 11" in str(event["DESCRIPTION"])
    assert len(many) == len(few)


def test_meeting_page_links_the_download(client, make_meeting):
    meeting = make_meeting()
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert f'href="/moten/{meeting.pk}/kalender.ics" download' in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Lägg till i kalender" in html


def test_body_page_links_its_public_feed_and_rel_alternate(client, make_meeting):
    meeting = make_meeting()
    body = meeting.body
    html = client.get(body.get_absolute_url()).content.decode()
    feed = f"http://testserver/kalender/organ/{body.slug}.ics"
    head = html.split("</head>", 1)[0]
    assert '<link rel="alternate" type="text/calendar"' in head
    assert f'href="{feed}"' in head
    main = html.split("</head>", 1)[1]
    assert f'href="/kalender/organ/{body.slug}.ics"' in main
    assert f'value="{feed}"' in main and "data-copy-link" in main
    assert "js/copy-link.js" in head
    assert client.get(feed.removeprefix("http://testserver")).status_code == 200


def test_mina_sidor_has_the_copy_field_button_and_instructions(client, make_meeting):
    meeting = make_meeting()
    member_client(client, meeting)
    html = client.get("/mina-sidor/").content.decode()
    assert "Make a calendar link" in html and "data-copy-link" not in html
    client.post(reverse("portal:calendar"), {"action": "new"})
    html = client.get("/mina-sidor/").content.decode()  # shown once (issue 12 §4)
    assert 'value="http://testserver/kalender/' in html
    assert "Copy the link now: it is shown only this once." in html
    assert 'readonly' in html and "data-copy-button" in html
    # The button is hidden until copy-link.js shows it: without JavaScript the field works.
    assert 'hidden data-copy-button' in html
    assert "js/copy-link.js" in html
    for name in ("Outlook (web and desktop)", "Google Calendar", "Apple Calendar (iPhone and Mac)"):
        assert f"<summary>{name}</summary>" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    client.post(reverse("portal:calendar"), {"action": "new"})
    html = client.get("/mina-sidor/").content.decode()
    for name in ("Outlook (webb och skrivbord)", "Google Kalender",
                 "Apple Kalender (iPhone och Mac)", "Kopierad!", "Kopiera länken"):
        assert name in html


def test_future_meeting_is_in_range(make_meeting):
    # The helpers above rely on the meeting lying ahead (the member sees it on Mina sidor).
    assert make_meeting().start > timezone.now() + dt.timedelta(days=1)
