"""iCalendar output: the invitation in a notice e-mail and the subscription feeds.

An invitation (``METHOD:REQUEST``/``CANCEL``) names the structure's office mailbox as
ORGANIZER and exactly one ATTENDEE, the recipient, so no member's address reaches
another member. A feed has no METHOD and no people at all: Outlook and Google treat a
feed with a METHOD or attendees as a set of invitations. Both carry a VTIMEZONE for
Europe/Stockholm and times with ``TZID=Europe/Stockholm``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import parseaddr
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from governance.models import Person
from halsam.validators import multi_line, single_line

from .models import Meeting, MeetingStatus

TZID = "Europe/Stockholm"
PRODID = "-//HälSam//Meetings//SV"
REQUEST, CANCEL = "REQUEST", "CANCEL"


class RecipientLike(Protocol):
    person: Person
    as_substitute: bool


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


def _vtimezone(meetings: Iterable[Meeting]) -> Timezone:
    starts = [m.start.date() for m in meetings] or [timezone.localdate()]
    # The VTIMEZONE lists the transitions of the years in use (with a year's margin).
    first = dt.date(min(starts).year - 1, 1, 1)
    last = dt.date(max(starts).year + 2, 1, 1)
    return Timezone.from_tzid(TZID, first_date=first, last_date=last)


def organizer_address(meeting: Meeting) -> tuple[str, str]:
    """The (name, address) of the structure's office mailbox, else DEFAULT_FROM_EMAIL's."""
    structure = meeting.body.structure
    if structure.office_email:
        return structure.short_name or structure.name, structure.office_email
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or structure.name, address


def _description(meeting: Meeting, *, with_video: bool = True) -> str:
    lines = [f"{n}. {item.title}" for n, item in enumerate(meeting.items.all(), start=1)]
    if meeting.video_url and with_video:
        lines += ["", meeting.video_url]
    lines += ["", settings.HALSAM_BASE_URL.rstrip("/") + meeting.get_absolute_url()]
    # names and titles saved before the validator may hold control characters (issue 12)
    return multi_line("\n".join(lines))


def _event(meeting: Meeting, *, stamp: dt.datetime, cancelled: bool,
           with_video: bool = True, sequence: int | None = None) -> Event:
    # ``sequence``: an invitation's own version (its delivery's), else the meeting's.
    # ``with_video``: False for those who may not see the video link (meetings/access.py).
    video = meeting.video_url if with_video else ""
    tz = ZoneInfo(TZID)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence if sequence is None else sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", meeting.start.astimezone(tz))
    event.add("dtend", meeting.end.astimezone(tz))
    event.add("summary", single_line(meeting.display_title))
    event.add("description", _description(meeting, with_video=with_video))
    event.add("location", single_line(meeting.place or video))
    if video:
        event.add("url", video)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("class", "PUBLIC" if meeting.is_public else "PRIVATE")
    return event


def invitation(meeting: Meeting, recipient: RecipientLike, method: str = REQUEST, *,
               sequence: int | None = None) -> bytes:
    """The invitation (or cancellation) of one recipient, for a notice e-mail.

    ``sequence``: the SEQUENCE of the version the e-mail stands for (the delivery's own,
    issue 12 §7), so a late REQUEST can never equal a CANCEL's; default the meeting's.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown iTIP method {method!r}")
    cal = _calendar()
    cal.add("method", method)
    cal.add_component(_vtimezone([meeting]))
    event = _event(meeting, stamp=timezone.now(), cancelled=method == CANCEL,
                   sequence=sequence)
    name, address = organizer_address(meeting)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(single_line(name))
    event.add("organizer", organizer)
    person = recipient.person
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(single_line(person.name))
    attendee.params["cutype"] = vText("INDIVIDUAL")
    attendee.params["role"] = vText("OPT-PARTICIPANT" if recipient.as_substitute
                                    else "REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical()


def feed(meetings: Iterable[Meeting], name: str, *, with_video: bool = True) -> bytes:
    """A subscription feed: no METHOD, no ORGANIZER or ATTENDEE; cancelled meetings kept.

    ``meetings`` should come with ``body__structure`` selected and ``items`` prefetched.
    A public feed passes ``with_video=False``: the video link is for members.
    """
    meetings = list(meetings)
    cal = _calendar()
    cal.add("x-wr-calname", single_line(name))
    cal.add("x-wr-timezone", TZID)
    cal.add_component(_vtimezone(meetings))
    stamp = timezone.now()
    for meeting in meetings:
        cal.add_component(_event(meeting, stamp=stamp,
                                 cancelled=meeting.status == MeetingStatus.CANCELLED,
                                 with_video=with_video))
    return cal.to_ical()


def single(meeting: Meeting, *, with_video: bool) -> bytes:
    """One meeting as a file to open in a calendar ("Lägg till i kalender"):
    ``METHOD:PUBLISH``, no people, the same UID and SEQUENCE as the feeds and the
    notices, so a later notice or feed updates the same calendar entry."""
    cal = _calendar()
    cal.add("method", "PUBLISH")
    cal.add_component(_vtimezone([meeting]))
    cal.add_component(_event(meeting, stamp=timezone.now(),
                             cancelled=meeting.status == MeetingStatus.CANCELLED,
                             with_video=with_video))
    return cal.to_ical()
