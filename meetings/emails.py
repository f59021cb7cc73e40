"""The e-mails of the meetings app, built from subject/text/html template triplets.

A notice goes to ONE recipient: the agenda in the body, the agenda PDF attached and the
iCalendar invitation as a ``text/calendar; method=…`` part of the multipart/alternative
body (Gmail and Outlook only offer "add to calendar" when the part sits there and its
method matches the calendar's METHOD). The "report absence" link is signed here and
verified by the absence view with ``absence_token_verify``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from governance.models import Person

from . import calendar, papers, pdf
from .models import Absence, DeliveryKind, Meeting, MeetingStatus

ABSENCE_SALT = "meetings.absence-link"
TEMPLATES = "meetings/email/"


# --- The signed absence link -------------------------------------------------------------

def absence_token(meeting: Meeting, person: Person) -> str:
    """A token naming the meeting and the person; verified until the meeting starts."""
    return signing.TimestampSigner(salt=ABSENCE_SALT).sign_object(
        {"m": meeting.pk, "p": person.pk}, compress=False)


def absence_token_verify(token: str) -> tuple[int, int]:
    """Return (meeting_id, person_id) of a valid token.

    Raises ``signing.BadSignature`` for a forged or damaged token and
    ``signing.SignatureExpired`` (a subclass) once the meeting has started or when it
    is cancelled or gone. Single use is the caller's: the Absence row is unique per
    (meeting, person).
    """
    payload = signing.TimestampSigner(salt=ABSENCE_SALT).unsign_object(token)
    try:
        meeting_id, person_id = int(payload["m"]), int(payload["p"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed absence token") from exc
    start, status = (Meeting.objects.filter(pk=meeting_id).values_list("start", "status")
                     .first() or (None, None))
    if start is None or status == MeetingStatus.CANCELLED or start <= timezone.now():
        raise signing.SignatureExpired("the meeting has started or is cancelled")
    return meeting_id, person_id


def _absolute(path: str) -> str:
    return settings.HALSAM_BASE_URL.rstrip("/") + path


def absence_link(meeting: Meeting, person: Person) -> str:
    """The absolute "report absence" (Anmäl förhinder) URL for one person."""
    token = absence_token(meeting, person)
    return _absolute(reverse("meetings:absence_link", kwargs={"pk": meeting.pk, "token": token}))


# --- Messages -------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeRecipient:
    person: Person
    as_substitute: bool


def _render_triplet(name: str, context: dict) -> tuple[str, str, str]:
    from halsam.mail import render_subject

    return (render_subject(f"{TEMPLATES}{name}_subject.txt", context),
            render_to_string(f"{TEMPLATES}{name}.txt", context),
            render_to_string(f"{TEMPLATES}{name}.html", context))


def agenda_pdf_filename(meeting: Meeting) -> str:
    """The name of the agenda PDF attached to a notice."""
    return f"dagordning-{timezone.localtime(meeting.start):%Y-%m-%d}-{meeting.pk}.pdf"


def notice_message(*, meeting: Meeting, person: Person, kind: str, as_substitute: bool,
                   email: str | None = None, preview: bool = False,
                   sequence: int | None = None) -> EmailMultiAlternatives:
    """The notice (or update, cancellation, substitute call) e-mail to one person.

    ``meeting`` should come with ``body__structure`` selected and ``items`` prefetched.
    ``preview`` (the notice preview page): the same message without the PDF attachment
    (the page links to it) and with a "report absence" link that carries no valid token.
    ``sequence``: the calendar version the e-mail stands for (its delivery's own);
    default the meeting's current one.
    """
    cancel = kind == DeliveryKind.CANCEL
    method = calendar.CANCEL if cancel else calendar.REQUEST
    in_place_of = None
    if kind == DeliveryKind.SUBSTITUTE_CALL:
        absence = (Absence.objects.select_related("person")
                   .filter(meeting=meeting, substitute=person).first())
        in_place_of = absence.person if absence else None
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "meeting": meeting, "person": person, "kind": kind,
            "items": papers.annotate(meeting.items.all()),
            "is_update": kind == DeliveryKind.UPDATE, "is_cancel": cancel,
            "is_substitute": as_substitute or kind == DeliveryKind.SUBSTITUTE_CALL,
            "in_place_of": in_place_of,
            "meeting_url": _absolute(meeting.get_absolute_url()),
            "absence_url": None if cancel else (
                _absolute(reverse("meetings:absence_link",
                                  kwargs={"pk": meeting.pk, "token": "forhandsvisning"}))
                if preview else absence_link(meeting, person)),
        }
        subject, text, html = _render_triplet("notice", context)
        ics = calendar.invitation(meeting, NoticeRecipient(person, as_substitute), method,
                                  sequence=sequence)
        attachment = None if cancel or preview else pdf.agenda_pdf(meeting, with_video=True)
        filename = agenda_pdf_filename(meeting)
    name, address = calendar.organizer_address(meeting)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[email or person.email],
        reply_to=[address] if address else None,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.attach_alternative(ics.decode("utf-8"),
                               f"text/calendar; method={method}")
    if attachment is not None:
        message.attach(filename, attachment, "application/pdf")
    return message


def reminder_message(*, meeting: Meeting, kind: str, due: dt.date,
                     to: list[str]) -> list[EmailMultiAlternatives]:
    """One minutes reminder per address (never a shared To list)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"meeting": meeting, "kind": kind, "due": due,
                   "not_approved": kind == "minutes_not_approved",
                   "meeting_url": _absolute(meeting.get_absolute_url())}
        subject, text, html = _render_triplet("minutes_reminder", context)
    out = []
    for address in to:
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address],
                                         headers={"Auto-Submitted": "auto-generated"})
        message.attach_alternative(html, "text/html")
        out.append(message)
    return out
