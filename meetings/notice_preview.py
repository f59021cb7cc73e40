"""Where a meeting's notice stands, and the notice preview (docs/notices.md, "Preview and
confirmation").

``notice_state`` says what a "send" would do now: the first notice, a changed notice
(a new calendar version, or the agenda changed after the notice went out) or nothing
(the current version's notice has gone out; the meeting is past, held or cancelled).
The meeting page, the preview page and ``services.meeting_notice_send`` all ask it, so
the buttons shown and the sends allowed cannot disagree.

``notice_preview`` builds the e-mail one recipient would get with the same code as the
real send (``emails.notice_message``), the recipients and those called who have no
e-mail address, in a fixed number of queries whatever the number of recipients.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.models import Person
from halsam.formats.dates import date_time, plain_date

from . import delivery, emails, rules
from .models import (
    AgendaAttachment,
    AgendaItem,
    DeliveryKind,
    DeliveryStatus,
    Meeting,
    MeetingStatus,
    NoticeDelivery,
)

NOT_SENT, CHANGED, SENT, CLOSED = "not_sent", "changed", "sent", "closed"
NOTICE_KINDS = (DeliveryKind.NOTICE, DeliveryKind.UPDATE)


@dataclass(frozen=True)
class NoticeState:
    code: str  # not_sent, changed, sent, closed
    kind: str | None  # what a send makes now: "notice", "update" or None (nothing)
    sent_at: dt.datetime | None = None  # the current version's notice (sent/changed)
    sent_count: int = 0
    refusal: str = ""  # why nothing can be sent (closed, sent)

    @property
    def can_send(self) -> bool:
        return self.kind is not None

    @property
    def sent_text(self) -> str:
        """"The notice was sent on 3 March 2027 to 31 recipients." (empty before any)."""
        if self.sent_at is None:
            return ""
        return ngettext("The notice was sent on %(day)s to %(count)d recipient.",
                        "The notice was sent on %(day)s to %(count)d recipients.",
                        self.sent_count) % {"day": plain_date(self.sent_at),
                                            "count": self.sent_count}


def _closed(meeting: Meeting, now: dt.datetime) -> str:
    if meeting.status == MeetingStatus.CANCELLED:
        return _("The meeting is cancelled; no notice can be sent for it.")
    if meeting.status not in rules.MEETING_OPEN:
        return _("The meeting is “%(status)s”; no notice can be sent for it.") % {
            "status": meeting.get_status_display()}
    if meeting.start <= now:
        return _("The meeting started on %(start)s; no notice is sent for a meeting that has "
                 "begun or is past.") % {"start": date_time(meeting.start)}
    return ""


def _agenda_changed_at(meeting: Meeting) -> dt.datetime | None:
    items = (AgendaItem.history.model.objects.filter(meeting_id=meeting.pk)
             .aggregate(t=Max("history_date"))["t"])
    papers = (AgendaAttachment.objects.filter(item__meeting_id=meeting.pk)
              .aggregate(t=Max("uploaded_at"))["t"])
    times = [t for t in (items, papers) if t is not None]
    return max(times) if times else None


def notice_state(meeting: Meeting, *, now: dt.datetime | None = None) -> NoticeState:
    """What sending the notice of ``meeting`` would do now (at most three queries)."""
    now = now or timezone.now()
    closed = _closed(meeting, now)
    sent_at, sent_count = None, 0
    if meeting.notice_sent_sequence >= 0:
        sent = NoticeDelivery.objects.filter(
            meeting_id=meeting.pk, kind__in=NOTICE_KINDS,
            sequence=meeting.notice_sent_sequence,
        ).exclude(status=DeliveryStatus.SUPERSEDED).aggregate(at=Min("claimed_at"), n=Count("pk"))
        sent_at, sent_count = sent["at"], sent["n"]
    if closed:
        return NoticeState(CLOSED, None, sent_at, sent_count, refusal=closed)
    if meeting.notice_sent_sequence < 0:
        return NoticeState(NOT_SENT, DeliveryKind.NOTICE)
    if meeting.notice_sent_sequence < meeting.sequence:
        return NoticeState(CHANGED, DeliveryKind.UPDATE, sent_at, sent_count)
    changed_at = _agenda_changed_at(meeting)
    if changed_at is not None and sent_at is not None and changed_at > sent_at:
        return NoticeState(CHANGED, DeliveryKind.UPDATE, sent_at, sent_count)
    refusal = _("The notice for this version of the meeting has already gone out, so nothing "
                "was sent again.")
    if sent_at is not None:
        refusal = ngettext(
            "The notice for this version of the meeting was sent on %(day)s to %(count)d "
            "recipient; nothing was sent again.",
            "The notice for this version of the meeting was sent on %(day)s to %(count)d "
            "recipients; nothing was sent again.", sent_count) % {
                "day": plain_date(sent_at), "count": sent_count}
    return NoticeState(SENT, None, sent_at, sent_count, refusal=refusal)


def notice_period_unmet(meeting: Meeting, *, now: dt.datetime | None = None) -> bool:
    """Whether the meeting starts in fewer days than its body's notice period."""
    now = now or timezone.now()
    return meeting.start - now < dt.timedelta(days=meeting.body.notice_days)


# --- the preview ------------------------------------------------------------------------

@dataclass(frozen=True)
class MailPreview:
    recipient: delivery.Recipient
    subject: str
    from_email: str
    to: str
    reply_to: str
    text: str
    html: SafeString  # the HTML part's body, as the recipient's mail program shows it
    attachment: str  # the agenda PDF's file name ("" on a cancellation)


@dataclass(frozen=True)
class NoticePreview:
    meeting: Meeting
    state: NoticeState
    recipients: list[delivery.Recipient]
    without_email: list[Person]
    mail: MailPreview | None
    short_notice: bool
    notice_days: int

    @property
    def count(self) -> int:
        return len(self.recipients)

    @property
    def substitutes(self) -> int:
        return sum(r.as_substitute for r in self.recipients)

    @property
    def days_left(self) -> int:
        return max((timezone.localtime(self.meeting.start).date() - timezone.localdate()).days,
                   0)


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


def _mail(meeting: Meeting, recipient: delivery.Recipient, kind: str) -> MailPreview:
    message = emails.notice_message(meeting=meeting, person=recipient.person, kind=kind,
                                    as_substitute=recipient.as_substitute, preview=True)
    html = next((body for body, mime in message.alternatives if mime == "text/html"), "")
    match = _BODY.search(html)
    return MailPreview(
        recipient=recipient, subject=message.subject,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=", ".join(message.to), reply_to=", ".join(message.reply_to),
        text=message.body,
        # Our own template, autoescaped: safe to show inside the page.
        html=mark_safe(match.group(1) if match else html),  # noqa: S308
        attachment="" if kind == DeliveryKind.CANCEL else emails.agenda_pdf_filename(meeting))


def meeting_for_preview(pk: int) -> Meeting:
    """The meeting with what the e-mail needs, as the real send loads it."""
    return (Meeting.objects.select_related("body__structure", "chair", "area")
            .prefetch_related(Prefetch("items", AgendaItem.objects.select_related(
                "prepares_for")), "guest_bodies")
            .get(pk=pk))


def notice_preview(meeting: Meeting, *, as_person: int | None = None,
                   now: dt.datetime | None = None) -> NoticePreview:
    """The notice a send would make now, as ``as_person`` (a recipient's id; default the
    first member) would get it. ``meeting`` as loaded by ``meeting_for_preview``."""
    now = now or timezone.now()
    state = notice_state(meeting, now=now)
    called, without = delivery.called_split(meeting)
    mail = None
    if state.can_send and called:
        chosen = next((r for r in called if r.person.pk == as_person), None)
        chosen = chosen or next((r for r in called if not r.as_substitute), called[0])
        mail = _mail(meeting, chosen, state.kind)
    return NoticePreview(
        meeting=meeting, state=state, recipients=called, without_email=without, mail=mail,
        short_notice=state.kind == DeliveryKind.NOTICE and notice_period_unmet(meeting, now=now),
        notice_days=meeting.body.notice_days)


# --- what the automatic sends say ---------------------------------------------------------

def change_message(notified) -> str:
    """The message after changing a meeting (``services.Notified``): what went to whom."""
    if notified is None or notified.reason == "unchanged":
        return _("Nothing was changed, so nothing was sent.")
    if notified.reason == "sent":
        return ngettext("The meeting is changed. A changed notice is being sent to %(count)d "
                        "recipient.",
                        "The meeting is changed. A changed notice is being sent to %(count)d "
                        "recipients.", notified.count) % {"count": notified.count}
    if notified.reason == "no_notice_yet":
        return _("The meeting is changed. No notice has gone out yet, so nothing was sent; "
                 "the notice will carry the new details.")
    return _("The meeting is changed. The change is not part of the notice, so nothing was "
             "sent.")


def cancel_message(notified) -> str:
    """The message after cancelling a meeting (``services.Notified``)."""
    if notified is not None and notified.reason == "sent":
        return ngettext("The meeting is cancelled. A cancellation is being sent to %(count)d "
                        "recipient.",
                        "The meeting is cancelled. A cancellation is being sent to %(count)d "
                        "recipients.", notified.count) % {"count": notified.count}
    return _("The meeting is cancelled. No notice had gone out, so no cancellation was sent.")
