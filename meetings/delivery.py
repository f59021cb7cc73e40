"""Notices sent exactly once: who gets them, claiming, sending, retrying and the sweeps.

The design and the exactly-once argument are in docs/notices.md. In short:

* ``meeting_notify`` inserts one ``NoticeDelivery`` row per recipient and version in the
  caller's transaction (unique per meeting, person, kind, sequence) and queues the
  per-delivery task only after commit.
* ``delivery_send`` first commits its lease (``taken_at``), then takes the row with a
  conditional UPDATE (compare-and-swap on status and attempts) and keeps that
  transaction open while the one e-mail is handed to the mail server. In that
  transaction, with the row locked, a notice or update that a newer version or a
  cancellation has overtaken becomes ``superseded`` and is not sent (issue 12 §7). The
  row becomes ``sent`` and is committed before the SMTP connection is closed (QUIT), so
  a crash can duplicate a mail only between the server's "250" to DATA and our COMMIT.
  A worker killed mid-send rolls back; its row keeps the lease and is re-queued by the
  next sweep; a duplicate task finds the row taken (skip-locked) or sent.
* Transient failures (4xx replies, refused or dropped connections, timeouts) move the
  row to ``retrying`` with the time of the attempt in ``claimed_at``; it is due again
  after ``NOTICE_RETRY_DELAYS[attempts - 1]`` seconds.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from governance.digest import coordinators
from governance.models import Membership, MembershipRole, Person
from governance.services import save_with_history

from . import emails
from .models import (
    AgendaItem,
    DeliveryKind,
    DeliveryStatus,
    Meeting,
    MeetingReminder,
    MeetingStatus,
    NoticeDelivery,
    ReminderKind,
)

log = logging.getLogger(__name__)

# A delivery claimed this long ago that no worker has taken is re-queued (its task
# message was lost). Shorter than the sweep interval ("meetings-sweep-notices", 5 min),
# so a lost message is re-queued by the first or second sweep after its claim; a claim a
# worker had taken when it died is re-queued by the next sweep whatever its age.
STUCK_AFTER = dt.timedelta(minutes=2)
BATCH_SIZE = 200
PENDING = (DeliveryStatus.CLAIMED, DeliveryStatus.RETRYING)
# Kinds whose ``sequence`` is the calendar SEQUENCE of the version they stand for
# (substitute calls and releases count the call's round instead).
CALENDAR_KINDS = (DeliveryKind.NOTICE, DeliveryKind.UPDATE, DeliveryKind.CANCEL)
VERSION_KINDS = (DeliveryKind.NOTICE, DeliveryKind.UPDATE)
# Reminders are not sent for meetings whose reminder fell due longer ago than this
# (so importing old meetings does not mail a reminder for each of them).
REMINDER_LOOK_BACK = dt.timedelta(days=60)

# Set by ``inline_sending()``: meeting_notify sends after commit in this process
# instead of queueing a Celery task (run_due_jobs, installations without workers).
_inline = contextvars.ContextVar("meetings_inline_sending", default=False)


# --- Recipients -------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    person: Person
    as_substitute: bool
    role: str


_ROLE_RANK = {MembershipRole.MEMBER: 0, MembershipRole.CO_OPTED: 1, MembershipRole.SUBSTITUTE: 2}


def _body_ids(meeting: Meeting) -> list[int]:
    return [meeting.body_id, *(b.pk for b in meeting.guest_bodies.all())]


def _called(meeting: Meeting) -> list[Recipient]:
    """Everyone called to the meeting, one entry per person, the strongest role winning."""
    on = timezone.localtime(meeting.start).date()
    memberships = (
        Membership.objects.active_on(on)
        .filter(seat__body_id__in=_body_ids(meeting), role__in=list(_ROLE_RANK))
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person_id")
    )
    best: dict[int, Membership] = {}
    for m in memberships:
        current = best.get(m.person_id)
        if current is None or _ROLE_RANK[m.role] < _ROLE_RANK[current.role]:
            best[m.person_id] = m
    return [Recipient(person=m.person, as_substitute=m.role == MembershipRole.SUBSTITUTE,
                      role=m.role) for m in best.values()]


def recipients(meeting: Meeting) -> list[Recipient]:
    """Members, substitutes and co-opted members called to the meeting who have an e-mail."""
    return [r for r in _called(meeting) if r.person.email]


def recipients_without_email(meeting: Meeting) -> list[Person]:
    """The people called to the meeting whom no notice can reach."""
    return [r.person for r in _called(meeting) if not r.person.email]


def called_split(meeting: Meeting) -> tuple[list[Recipient], list[Person]]:
    """``recipients`` and ``recipients_without_email`` from one query (the preview)."""
    called = _called(meeting)
    return ([r for r in called if r.person.email],
            [r.person for r in called if not r.person.email])


def deliveries_failed(meeting: Meeting) -> list[NoticeDelivery]:
    """Deliveries of the meeting that finally failed, for the coordinator's meeting page."""
    return list(NoticeDelivery.objects.filter(meeting=meeting, status=DeliveryStatus.FAILED)
                .select_related("person").order_by("person__last_name", "person__first_name",
                                                   "sequence"))


# --- Claiming ---------------------------------------------------------------------------

@contextmanager
def inline_sending() -> Iterator[None]:
    """Within this block, claimed deliveries are sent in this process after commit."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def _queue(ids: list[int], inline: bool) -> None:
    if inline:
        for pk in ids:
            delivery_send(delivery_id=pk)
        return
    from .tasks import send_delivery  # tasks import this module

    for pk in ids:
        send_delivery.delay(pk)


@transaction.atomic
def meeting_notify(*, meeting: Meeting, kind: str, person_ids: Iterable[int] | None = None,
                   actor=None, sequence: int | None = None) -> int:
    """Claim one delivery per recipient for the meeting's current version; queue on commit.

    Runs in the caller's transaction; deliveries that exist already (this kind, this
    version, this person) are skipped. Returns how many were claimed. ``actor``: who
    sent it (recorded in the meeting's history; None for the sweep). ``sequence``
    overrides the version for substitute calls and releases, whose rows count the
    call's round instead (``services._substitute_mail``).
    """
    if kind not in DeliveryKind.values:
        raise ValueError(f"unknown delivery kind {kind!r}")
    # The lock serialises two notifies of one meeting (PostgreSQL); the unique
    # constraint is the last word everywhere.
    locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    chosen = recipients(locked)
    if person_ids is not None:
        wanted = set(person_ids)
        chosen = [r for r in chosen if r.person.pk in wanted]
        # A called-in substitute may sit outside the body (another seat's substitute).
        missing = wanted - {r.person.pk for r in chosen}
        chosen += [Recipient(person=p, as_substitute=kind == DeliveryKind.SUBSTITUTE_CALL,
                             role=MembershipRole.SUBSTITUTE)
                   for p in Person.objects.filter(pk__in=missing).exclude(email="")]
    sequence = locked.sequence if sequence is None else sequence
    existing = set(NoticeDelivery.objects.filter(meeting=locked, kind=kind, sequence=sequence)
                   .values_list("person_id", flat=True))
    new = [r for r in chosen if r.person.pk not in existing]
    NoticeDelivery.objects.bulk_create(
        [NoticeDelivery(meeting=locked, person=r.person, kind=kind, sequence=sequence,
                        email=r.person.email, as_substitute=r.as_substitute) for r in new],
        ignore_conflicts=True,
    )
    ids = list(NoticeDelivery.objects.filter(
        meeting=locked, kind=kind, sequence=sequence, status=DeliveryStatus.CLAIMED,
        attempts=0, person_id__in=[r.person.pk for r in new]).values_list("pk", flat=True))
    noticed = kind in (DeliveryKind.NOTICE, DeliveryKind.UPDATE)
    if noticed and locked.notice_sent_sequence != sequence:
        locked.notice_sent_sequence = sequence
        fields = ["notice_sent_sequence"]
        if locked.status == MeetingStatus.PLANNED:
            locked.status = MeetingStatus.NOTICE_SENT
            fields.append("status")
        save_with_history(locked, actor=actor, update_fields=fields,
                          reason=f"Notice ({kind}) sent for version {sequence}")
        meeting.notice_sent_sequence, meeting.status = locked.notice_sent_sequence, locked.status
    if ids:
        inline = _inline.get()
        transaction.on_commit(lambda: _queue(ids, inline), robust=True)
    log.info("meeting %s: claimed %d %s deliveries for version %d", locked.pk, len(ids), kind,
             sequence)
    return len(ids)


# --- Sending ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SendResult:
    outcome: str  # sent, skipped, not_due, retry, failed, superseded
    delay: int = 0


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its ``attempts``-th attempt a retrying delivery is due again."""
    delays = settings.NOTICE_RETRY_DELAYS
    return dt.timedelta(seconds=delays[min(max(attempts, 1), len(delays)) - 1])


def is_transient(exc: BaseException) -> bool:
    """Whether another attempt may succeed: 4xx replies, dropped or refused connections,
    timeouts (``EMAIL_TIMEOUT``: a server that accepts and never answers)."""
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False
    # socket.timeout is TimeoutError, an OSError; so are refused or reset connections and
    # DNS failures.
    return isinstance(exc, OSError)


def is_superseded(*, kind: str, sequence: int, meeting_cancelled: bool,
                  meeting_sequence: int, newest_sequence: int | None) -> bool:
    """Whether a pending delivery must not go out because a newer one says otherwise.

    A notice or update stands for version ``sequence`` of the meeting: it is superseded
    when the meeting is cancelled, when the meeting's version has moved past it, or when
    the same person has a notice, update or cancellation of a higher version
    (``newest_sequence``). A substitute call invites to the meeting as it is: superseded
    once the meeting is cancelled. A cancellation is never superseded (nothing older
    can overtake it, and a cancelled meeting never comes back); releases and the
    checkers' e-mails carry no invitation.
    """
    if kind in VERSION_KINDS:
        return (meeting_cancelled or meeting_sequence > sequence
                or (newest_sequence is not None and newest_sequence > sequence))
    if kind == DeliveryKind.SUBSTITUTE_CALL:
        return meeting_cancelled
    return False


def _superseded(delivery: NoticeDelivery, meeting: Meeting) -> bool:
    newest = None
    if delivery.kind in VERSION_KINDS:
        newest = (NoticeDelivery.objects.filter(meeting_id=delivery.meeting_id,
                                                person_id=delivery.person_id,
                                                kind__in=CALENDAR_KINDS)
                  .order_by("-sequence").values_list("sequence", flat=True).first())
    return is_superseded(kind=delivery.kind, sequence=delivery.sequence,
                         meeting_cancelled=meeting.status == MeetingStatus.CANCELLED,
                         meeting_sequence=meeting.sequence, newest_sequence=newest)


def _message(delivery: NoticeDelivery, meeting: Meeting):
    if delivery.kind == DeliveryKind.MINUTES_CHECK:  # the minutes' side (flow 4)
        from .minutes_mail import checker_message

        return checker_message(meeting=meeting, person=delivery.person, email=delivery.email)
    if delivery.kind == DeliveryKind.SUBSTITUTE_RELEASE:  # absence (flow 3)
        from .absence_mail import release_message

        return release_message(meeting=meeting, person=delivery.person, email=delivery.email)
    # The invitation carries the delivery's own version. A notice or update that is sent
    # is never older than the meeting (``_superseded``), and the meeting cannot change
    # while it is sent (the row lock below), so the meeting as read is that version. A
    # substitute call invites to the meeting's current version.
    return emails.notice_message(
        meeting=meeting, person=delivery.person, kind=delivery.kind, email=delivery.email,
        as_substitute=delivery.as_substitute,
        sequence=delivery.sequence if delivery.kind in CALENDAR_KINDS else None)


def _lock_meeting_shared(meeting_id: int) -> None:
    """PostgreSQL: hold the meeting row FOR SHARE until COMMIT.

    Sends of one meeting do not block each other, but a change or cancellation (the
    services lock the meeting FOR UPDATE) waits for the sends in flight, and a send waits
    for a change being made. So what ``_superseded`` saw stays true until the row is
    marked sent. SQLite needs nothing: the send transaction holds the database's write
    lock from its first UPDATE.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM meetings_meeting WHERE id = %s FOR SHARE", [meeting_id])


def _close(mail, *, polite: bool) -> None:
    """Close the mail connection: with QUIT after a sent message, at once after a failure
    (a server that never answers would make QUIT wait another ``EMAIL_TIMEOUT``)."""
    if mail is None:
        return
    smtp = getattr(mail, "connection", None)
    if not polite and hasattr(smtp, "sock"):  # Django's SMTP backend: drop the socket
        try:
            smtp.close()
        finally:
            mail.connection = None
        return
    try:
        mail.close()
    except Exception:  # the row is committed; a failing QUIT changes nothing
        log.warning("closing the mail connection failed", exc_info=True)


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> SendResult:
    """Send one pending delivery, at most once; see the module docstring.

    1. Commit the lease (``taken_at``) with a compare-and-swap on status and attempts.
    2. In one transaction: hold the meeting FOR SHARE (PostgreSQL), lock the row (skip
       it if another worker has it), compare-and-swap ``attempts``; mark a superseded
       notice ``superseded`` and stop; else build the message, hand it to the mail
       server, mark the row ``sent`` (or ``retrying``/``failed``) and COMMIT.
    3. Only then close the SMTP connection.
    """
    now = now or timezone.now()
    # order_by("pk"): the model's default ordering joins meeting and person, and
    # FOR UPDATE would then lock the meeting row for every delivery of the meeting.
    row = (NoticeDelivery.objects.filter(pk=delivery_id).order_by("pk")
           .values("status", "attempts", "claimed_at", "meeting_id").first())
    if row is None or row["status"] not in PENDING:
        return SendResult("skipped")
    if row["status"] == DeliveryStatus.RETRYING:
        due = row["claimed_at"] + retry_delay(row["attempts"])
        if due > now:
            return SendResult("not_due", int((due - now).total_seconds()) + 1)
    seen = NoticeDelivery.objects.filter(pk=delivery_id, status=row["status"],
                                         attempts=row["attempts"]).order_by("pk")
    # The lease, committed before the mail server is reached: should this worker die,
    # the sweep sees a taken row that nobody holds and queues it again.
    with transaction.atomic():
        if not seen.update(taken_at=now):
            return SendResult("skipped")
    mail, result = None, SendResult("skipped")
    try:
        with transaction.atomic():
            _lock_meeting_shared(row["meeting_id"])
            if connection.features.has_select_for_update_skip_locked and not list(
                    seen.select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", flat=True)):
                return SendResult("skipped")  # another worker is sending it right now
            if not seen.update(attempts=F("attempts") + 1, claimed_at=now):
                return SendResult("skipped")
            attempts = row["attempts"] + 1
            delivery = NoticeDelivery.objects.select_related("person").get(pk=delivery_id)
            meeting = (Meeting.objects.select_related("body__structure", "chair")
                       .prefetch_related(Prefetch("items", AgendaItem.objects.select_related(
                           "prepares_for")), "guest_bodies")
                       .get(pk=delivery.meeting_id))
            done = NoticeDelivery.objects.filter(pk=delivery_id)
            if _superseded(delivery, meeting):
                done.update(status=DeliveryStatus.SUPERSEDED, attempts=row["attempts"],
                            taken_at=None, last_error="")
                log.info("delivery %s (%s v%d) superseded: not sent", delivery_id,
                         delivery.kind, delivery.sequence)
                return SendResult("superseded")
            try:
                message = _message(delivery, meeting)
                mail = get_connection()
                mail.open()
                mail.send_messages([message])
            except Exception as exc:
                retry = is_transient(exc) and attempts <= len(settings.NOTICE_RETRY_DELAYS)
                status = DeliveryStatus.RETRYING if retry else DeliveryStatus.FAILED
                done.update(status=status, taken_at=None,
                            last_error=f"{type(exc).__name__}: {exc}"[:2000])
                log.warning("delivery %s attempt %d: %s (%s)", delivery_id, attempts, exc,
                            status, exc_info=not is_transient(exc))
                result = (SendResult("retry", int(retry_delay(attempts).total_seconds()))
                          if retry else SendResult("failed"))
            else:
                done.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), taken_at=None,
                            last_error="")
                result = SendResult("sent")
        # Committed: only now QUIT. A crash from here on cannot send the mail again.
    finally:
        _close(mail, polite=result.outcome == "sent")
    return result


# --- Sweeps -----------------------------------------------------------------------------

def _due_meetings(now: dt.datetime):
    return (Meeting.objects.filter(notice_due_at__lte=now, start__gt=now,
                                   notice_sent_sequence__lt=F("sequence"))
            .exclude(status=MeetingStatus.CANCELLED))


def _batches(queryset, size: int = BATCH_SIZE) -> Iterator[list[int]]:
    """The ids of ``queryset`` in ascending batches (keyset pagination)."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


@transaction.atomic
def _notice_due_one(*, meeting_id: int, now: dt.datetime) -> int:
    qs = _due_meetings(now).filter(pk=meeting_id)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))  # another sweep has it
    meeting = qs.first()
    if meeting is None:
        return 0
    kind = DeliveryKind.NOTICE if meeting.notice_sent_sequence < 0 else DeliveryKind.UPDATE
    return meeting_notify(meeting=meeting, kind=kind)


def notices_sweep(*, now: dt.datetime | None = None) -> int:
    """Claim the notices that are due (the notice lead time has come); return the count.

    Safe to run twice at once: meetings another sweep has locked are skipped
    (PostgreSQL), and the unique delivery rows make a second claim a no-op.
    """
    now = now or timezone.now()
    claimed = 0
    for ids in _batches(_due_meetings(now)):
        for pk in ids:
            claimed += _notice_due_one(meeting_id=pk, now=now)
    return claimed


def _pending(now: dt.datetime, stuck_after: dt.timedelta):
    # Stranded: a worker took the row (its lease is committed) and nobody holds it now;
    # ``_unheld`` leaves out the rows being sent right now (PostgreSQL).
    due = Q(status=DeliveryStatus.CLAIMED, taken_at__isnull=False)
    # Never taken: the task message was lost (broker down at claim, a dead worker's
    # prefetched message); a message still waiting in the queue is left alone a while.
    due |= Q(status=DeliveryStatus.CLAIMED, taken_at__isnull=True,
             claimed_at__lte=now - stuck_after)
    for n in range(1, len(settings.NOTICE_RETRY_DELAYS) + 1):
        due |= Q(status=DeliveryStatus.RETRYING, attempts=n, claimed_at__lte=now - retry_delay(n))
    return NoticeDelivery.objects.filter(due)


def _unheld(ids: list[int]) -> list[int]:
    """``ids`` less the rows a live worker is sending (locked), on PostgreSQL.

    Elsewhere all of them: a second message for a row in flight finds it locked by the
    database's write lock and then sent, and sends nothing.
    """
    if not connection.features.has_select_for_update_skip_locked:
        return ids
    with transaction.atomic():
        return list(NoticeDelivery.objects.filter(pk__in=ids).order_by("pk")
                    .select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", flat=True))


def deliveries_requeue(*, now: dt.datetime | None = None,
                       stuck_after: dt.timedelta = STUCK_AFTER) -> int:
    """Queue again the deliveries stuck in claimed, and the retries that are due."""
    from .tasks import send_delivery

    now = now or timezone.now()
    count = 0
    for batch in _batches(_pending(now, stuck_after)):
        ids = _unheld(batch)
        for pk in ids:
            send_delivery.delay(pk)
        count += len(ids)
    return count


def deliveries_send_pending(*, now: dt.datetime | None = None,
                            stuck_after: dt.timedelta = STUCK_AFTER) -> int:
    """Like ``deliveries_requeue`` but sends in this process; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for batch in _batches(_pending(now, stuck_after)):
        for pk in _unheld(batch):
            sent += delivery_send(delivery_id=pk, now=now).outcome == "sent"
    return sent


# --- Minutes reminders ------------------------------------------------------------------

def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _reminder_addresses(meeting: Meeting, on: dt.date, coordinator_emails: list[str]) -> list[str]:
    secretaries = (Membership.objects.active_on(on)
                   .filter(seat__body_id=meeting.body_id, role=MembershipRole.SECRETARY)
                   .exclude(person__email="").values_list("person__email", flat=True))
    seen, out = set(), []
    for address in [*secretaries, *coordinator_emails]:
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def minutes_reminders_send(*, on: dt.date | None = None) -> int:
    """Remind secretaries and coordinators of minutes not approved / not published in time.

    Exactly once per (meeting, kind, due): the MeetingReminder row is inserted in the
    transaction that sends; a failure rolls it back and the next run tries again.
    """
    on = on or timezone.localdate()
    rules = [
        (ReminderKind.MINUTES_NOT_APPROVED, MeetingStatus.HELD, settings.MINUTES_APPROVAL_DAYS),
        (ReminderKind.MINUTES_NOT_PUBLISHED, MeetingStatus.MINUTES_APPROVED,
         settings.MINUTES_PUBLISH_DAYS),
    ]
    coordinator_emails = list(coordinators().values_list("email", flat=True))
    sent = 0
    for kind, status, days in rules:
        latest = _start_of(on - dt.timedelta(days=days - 1))  # meetings on or before on-days
        earliest = _start_of(on - dt.timedelta(days=days) - REMINDER_LOOK_BACK)
        candidates = (Meeting.objects.filter(status=status, start__lt=latest, start__gte=earliest)
                      .select_related("body__structure"))
        for meeting in candidates:
            due = timezone.localtime(meeting.start).date() + dt.timedelta(days=days)
            sent += _reminder_send_one(meeting=meeting, kind=kind, due=due, on=on,
                                       coordinator_emails=coordinator_emails)
    return sent


def _reminder_send_one(*, meeting: Meeting, kind: str, due: dt.date, on: dt.date,
                       coordinator_emails: list[str]) -> int:
    if MeetingReminder.objects.filter(meeting=meeting, kind=kind, due=due).exists():
        return 0
    addresses = _reminder_addresses(meeting, on, coordinator_emails)
    if not addresses:
        return 0
    with transaction.atomic():
        # On PostgreSQL a concurrent insert of the same key waits for the other's commit
        # and then fails: whoever inserts first sends.
        _, created = MeetingReminder.objects.get_or_create(meeting=meeting, kind=kind, due=due)
        if not created:
            return 0
        messages = emails.reminder_message(meeting=meeting, kind=kind, due=due, to=addresses)
        mail = get_connection()
        mail.send_messages(messages)  # raises on failure: the reminder row rolls back
    return len(messages)
