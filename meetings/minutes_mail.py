"""The minutes' side of issue 11 (flow 4): § numbers and the e-mails to the checkers.

- ``number_items`` gives each agenda item of a meeting its paragraph (§) number, counted
  per body and calendar year (Europe/Stockholm). It runs inside the service that starts
  the minutes or sends them to the checkers, with the body's row locked, so two
  meetings of one body never get the same number; a number once given stays.
- ``claim_checker_mails`` claims one ``NoticeDelivery`` (kind ``MINUTES_CHECK``, the
  minutes' ``check_round`` as ``sequence``) per checker with an e-mail address in the
  caller's transaction and sends after commit, through the notices engine
  (``meetings.delivery``): exactly once per checker and round. Sending back and sending
  again is a new round and mails again.
- ``checker_message`` is the e-mail itself (``delivery_send`` calls it for that kind).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from governance.models import Body, Person
from governance.services import Actor, save_with_history

from . import rules
from .models import AgendaItem, DeliveryKind, DeliveryStatus, Meeting, Minutes, NoticeDelivery


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime(year, 1, 1, tzinfo=rules.STOCKHOLM),
            dt.datetime(year + 1, 1, 1, tzinfo=rules.STOCKHOLM))


def number_items(*, actor: Actor, meeting: Meeting) -> list[AgendaItem]:
    """Give the meeting's items without a § number the next numbers of its body and year,
    in agenda order. A number once given is never changed (nor given again).

    Must run in a transaction: the body row is locked (PostgreSQL) while the highest
    number of the year is read and the new ones are written, so two meetings of one body
    numbered at the same time never share a number.
    """
    list(Body.objects.select_for_update().filter(pk=meeting.body_id).values_list("pk", flat=True))
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))
    new = [i for i in items if not i.section]
    if not new:
        return items
    start, end = _year_bounds(meeting.start.astimezone(rules.STOCKHOLM).year)
    last = (AgendaItem.objects.filter(meeting__body_id=meeting.body_id,
                                      meeting__start__gte=start, meeting__start__lt=end)
            .aggregate(last=Max("section"))["last"] or 0)
    for number, item in enumerate(new, start=last + 1):
        item.section = number
        save_with_history(item, actor=actor, reason=f"§ {number}", update_fields=["section"])
    return items


def claim_checker_mails(minutes: Minutes) -> tuple[list[Person], list[Person]]:
    """Claim this round's e-mail to each checker; return (mailed, without an address).

    Runs in the caller's transaction (the one that sends the minutes to the checkers);
    the unique delivery row per (meeting, person, kind, round) makes a second claim of
    the same round a no-op.
    """
    from . import delivery

    checkers = list(minutes.checkers.order_by("last_name", "first_name", "pk"))
    reachable = [p for p in checkers if p.email]
    round_ = minutes.check_round
    NoticeDelivery.objects.bulk_create(
        [NoticeDelivery(meeting_id=minutes.meeting_id, person=p, kind=DeliveryKind.MINUTES_CHECK,
                        sequence=round_, email=p.email) for p in reachable],
        ignore_conflicts=True)
    ids = list(NoticeDelivery.objects.filter(
        meeting_id=minutes.meeting_id, kind=DeliveryKind.MINUTES_CHECK, sequence=round_,
        status=DeliveryStatus.CLAIMED, attempts=0,
        person_id__in=[p.pk for p in reachable]).values_list("pk", flat=True))
    if ids:
        inline = delivery._inline.get()
        transaction.on_commit(lambda: delivery._queue(ids, inline), robust=True)
    return reachable, [p for p in checkers if not p.email]


def check_url(meeting: Meeting) -> str:
    """The absolute URL of the checker's page (login asked for by the page)."""
    path = reverse("meetings:minutes_check", kwargs={"pk": meeting.pk})
    return settings.HALSAM_BASE_URL.rstrip("/") + path


def checker_message(*, meeting: Meeting, person: Person, email: str | None = None
                    ) -> EmailMultiAlternatives:
    """The e-mail asking one checker to read and approve (justera) the minutes."""
    from .emails import _render_triplet

    with translation.override(settings.LANGUAGE_CODE):
        context = {"meeting": meeting, "person": person, "check_url": check_url(meeting),
                   "portal_url": settings.HALSAM_BASE_URL.rstrip("/") + reverse("portal:home")}
        subject, text, html = _render_triplet("minutes_check", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[email or person.email],
                                     headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message


def secretary_addresses(meeting: Meeting) -> list[str]:
    """The e-mail addresses of the secretaries of the meeting's body on the meeting's day
    (one query), or else the structure's office address."""
    from django.utils import timezone

    from governance.models import Membership, MembershipRole

    on = timezone.localtime(meeting.start).date()
    found = list(Membership.objects.active_on(on)
                 .filter(seat__body_id=meeting.body_id, role=MembershipRole.SECRETARY)
                 .exclude(person__email="").values_list("person__email", flat=True).distinct())
    if not found and meeting.body.structure.office_email:
        found = [meeting.body.structure.office_email]
    return found


def tell_secretaries_returned(minutes: Minutes) -> int:
    """After commit: tell the body's secretaries that a checker sent the minutes back, with
    the comment (one e-mail per address). A failure is logged; the comment stays on the
    minutes page either way."""
    import logging

    from django.core.mail import get_connection

    from .emails import _render_triplet

    meeting = (Meeting.objects.select_related("body__structure").get(pk=minutes.meeting_id))
    addresses = secretary_addresses(meeting)
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {"meeting": meeting, "minutes": minutes,
                   "checker": minutes.returned_by,
                   "minutes_url": settings.HALSAM_BASE_URL.rstrip("/")
                   + reverse("meetings:minutes", kwargs={"pk": meeting.pk})}
        subject, text, html = _render_triplet("minutes_returned", context)
    messages = []
    for address in addresses:
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address],
                                         headers={"Auto-Submitted": "auto-generated"})
        message.attach_alternative(html, "text/html")
        messages.append(message)
    try:
        get_connection().send_messages(messages)
    except Exception:  # the comment is on the minutes page; the e-mail is a courtesy
        logging.getLogger(__name__).warning("minutes %s: telling the secretaries failed",
                                            minutes.pk, exc_info=True)
        return 0
    return len(messages)
