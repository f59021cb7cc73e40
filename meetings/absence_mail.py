"""The e-mails of absence (förhinder): the secretary is told, the substitute released.

* ``absence_tell`` tells the secretaries of the meeting's body (or, where the body has
  no secretary with an e-mail address, the coordinators) of one absence: who, the
  comment, who was called in, or that no substitute could be called. Exactly once:
  ``Absence.secretary_told_at`` is set in the transaction that hands the mail to the
  mail server; a failure rolls it back and ``absences_sweep`` tries again.
* ``absence_withdrawn_tell`` tells them when a member withdraws an absence they were
  told of (after commit, best effort: the withdrawal happens once, under the lock).
* ``release_message`` is the "no longer needed" e-mail to a called-in substitute, sent
  as a ``NoticeDelivery`` of kind ``substitute_release`` (exactly once per call).
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from governance.digest import coordinators
from governance.models import Membership, MembershipRole, Person

from .models import Absence, Meeting

log = logging.getLogger(__name__)

TEMPLATES = "meetings/email/"
# An absence whose first telling failed is tried again this long after it was reported.
RETRY_AFTER = dt.timedelta(minutes=5)


def _absolute(path: str) -> str:
    return settings.HALSAM_BASE_URL.rstrip("/") + path


def _render(name: str, context: dict) -> tuple[str, str, str]:
    from halsam.mail import render_subject

    return (render_subject(f"{TEMPLATES}{name}_subject.txt", context),
            render_to_string(f"{TEMPLATES}{name}.txt", context),
            render_to_string(f"{TEMPLATES}{name}.html", context))


def secretary_addresses(meeting: Meeting) -> list[str]:
    """The secretaries of the meeting's body with an e-mail address on the meeting's day;
    where there is none, the coordinators'. Each address once."""
    on = timezone.localtime(meeting.start).date()
    addresses = list(Membership.objects.active_on(on)
                     .filter(seat__body_id=meeting.body_id, role=MembershipRole.SECRETARY)
                     .exclude(person__email="").order_by("person__last_name", "person_id")
                     .values_list("person__email", flat=True))
    if not addresses:
        addresses = list(coordinators().values_list("email", flat=True))
    seen: set[str] = set()
    out = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def _messages(name: str, context: dict, to: list[str],
              reply_to: str | None = None) -> list[EmailMultiAlternatives]:
    with translation.override(settings.LANGUAGE_CODE):
        subject, text, html = _render(name, context)
    out = []
    for address in to:  # one message per address, never a shared To list
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address],
                                         reply_to=[reply_to] if reply_to else None,
                                         headers={"Auto-Submitted": "auto-generated"})
        message.attach_alternative(html, "text/html")
        out.append(message)
    return out


def _seat_title(meeting: Meeting, person: Person) -> str:
    on = timezone.localtime(meeting.start).date()
    m = (Membership.objects.active_on(on).filter(person=person, seat__body_id=meeting.body_id)
         .exclude(role=MembershipRole.SECRETARY).select_related("seat").order_by("role").first())
    return m.seat.title if m else ""


def absence_message_context(absence: Absence) -> dict:
    meeting = absence.meeting
    return {
        "meeting": meeting, "absence": absence, "person": absence.person,
        "seat": _seat_title(meeting, absence.person), "substitute": absence.substitute,
        "substitute_seat": (_seat_title(meeting, absence.substitute)
                            if absence.substitute_id else ""),
        "note": absence.note, "withdrawn": False,
        "meeting_url": _absolute(meeting.get_absolute_url()),
    }


def absence_tell(*, absence_id: int, now: dt.datetime | None = None) -> int:
    """Mail the secretary (or coordinators) about one absence, once; return the count."""
    now = now or timezone.now()
    with transaction.atomic():
        qs = (Absence.objects.filter(pk=absence_id, secretary_told_at__isnull=True)
              .order_by("pk"))
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))  # another teller has it
        absence = qs.select_related("person__principal", "substitute__principal",
                                    "meeting__body__structure").first()
        if absence is None:
            return 0
        to = secretary_addresses(absence.meeting)
        messages = _messages("absence_secretary", absence_message_context(absence), to,
                             reply_to=absence.person.email or None)
        if messages:
            get_connection().send_messages(messages)  # raises: the row stays untold
        else:
            log.warning("absence %s: no secretary or coordinator with an e-mail address",
                        absence_id)
        Absence.objects.filter(pk=absence.pk).update(secretary_told_at=now)
    return len(messages)


def absences_sweep(*, now: dt.datetime | None = None) -> int:
    """Tell of the absences whose telling failed (reported a while ago, not yet told) of
    meetings that have not ended; return how many e-mails went out."""
    now = now or timezone.now()
    ids = list(Absence.objects.filter(
        Q(secretary_told_at__isnull=True), reported_at__lte=now - RETRY_AFTER,
        meeting__end__gt=now).order_by("pk").values_list("pk", flat=True)[:500])
    sent = 0
    for pk in ids:
        try:
            sent += absence_tell(absence_id=pk, now=now)
        except Exception:  # noqa: BLE001 - the next sweep tries again
            log.warning("telling the secretary of absence %s failed", pk, exc_info=True)
    return sent


def absence_withdrawn_tell(meeting_id: int, person_id: int, substitute_id: int | None) -> int:
    """Tell the secretary that a member withdrew an absence they were told of."""
    meeting = Meeting.objects.select_related("body__structure").get(pk=meeting_id)
    people = Person.objects.in_bulk([i for i in (person_id, substitute_id) if i])
    person = people[person_id]
    substitute = people.get(substitute_id) if substitute_id else None
    context = {"meeting": meeting, "person": person, "seat": _seat_title(meeting, person),
               "substitute": substitute, "withdrawn": True,
               "meeting_url": _absolute(meeting.get_absolute_url())}
    messages = _messages("absence_secretary", context, secretary_addresses(meeting),
                         reply_to=person.email or None)
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def release_message(*, meeting: Meeting, person: Person, email: str) -> EmailMultiAlternatives:
    """The e-mail to a substitute who was called in and is no longer needed."""
    context = {"meeting": meeting, "person": person,
               "meeting_url": _absolute(meeting.get_absolute_url())}
    return _messages("substitute_release", context, [email or person.email])[0]
