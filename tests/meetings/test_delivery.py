"""Notices: recipients, the e-mail, exactly once, updates, cancellation, retries, reminders."""
from __future__ import annotations

import datetime as dt
import smtplib
from collections import Counter
from email import message_from_bytes

import pytest
from django.contrib.auth.models import Permission
from django.core import mail, signing
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from icalendar import Calendar

from governance.models import MembershipRole
from meetings import delivery, emails
from meetings.models import (
    Absence,
    DeliveryKind,
    DeliveryStatus,
    MeetingReminder,
    MeetingStatus,
    NoticeDelivery,
)
from tests.governance.factories import MembershipFactory, SeatFactory, UserFactory


def _to(messages) -> Counter:
    return Counter(address for m in messages for address in m.to)


def _calendar_part(message) -> tuple[str, Calendar]:
    parsed = message_from_bytes(message.message().as_bytes())
    (alternative,) = [p for p in parsed.walk() if p.get_content_type() == "multipart/alternative"]
    parts = {p.get_content_type(): p for p in alternative.get_payload()}
    assert list(parts) == ["text/plain", "text/html", "text/calendar"]
    part = parts["text/calendar"]
    return part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.notices_sweep(now=now)
    return run


@pytest.mark.django_db
def test_recipients_are_members_substitutes_and_co_opted_with_email(make_meeting):
    meeting = make_meeting(members=2)
    ended = MembershipFactory(seat=meeting.people[0].memberships.first().seat,
                              end=dt.date(2024, 12, 31)).person
    guest_seat = SeatFactory()
    guest = MembershipFactory(seat=guest_seat).person
    meeting.guest_bodies.add(guest_seat.body)
    got = {r.person.pk: (r.as_substitute, r.role) for r in delivery.recipients(meeting)}
    assert got == {
        meeting.people[0].pk: (False, MembershipRole.MEMBER),
        meeting.people[1].pk: (False, MembershipRole.MEMBER),
        meeting.substitute.pk: (True, MembershipRole.SUBSTITUTE),
        meeting.co_opted.pk: (False, MembershipRole.CO_OPTED),
        guest.pk: (False, MembershipRole.MEMBER),
    }
    assert ended.pk not in got
    assert delivery.recipients_without_email(meeting) == [meeting.no_email]


@pytest.mark.django_db
def test_due_notices_are_sent_once_per_recipient_even_when_swept_twice(make_meeting, sweep):
    meeting = make_meeting(members=3)
    not_yet = make_meeting(members=1, notice_due_at=timezone.now() + dt.timedelta(days=1))
    expected = {r.person.email for r in delivery.recipients(meeting)}
    assert sweep() == len(expected) == 5
    assert sweep() == 0
    assert _to(mail.outbox) == Counter({address: 1 for address in expected})
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    meeting.refresh_from_db()
    assert (meeting.notice_sent_sequence, meeting.status) == (0, MeetingStatus.NOTICE_SENT)
    assert NoticeDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 5
    assert not NoticeDelivery.objects.filter(meeting=not_yet).exists()


@pytest.mark.django_db
def test_notice_email_has_agenda_pdf_and_request_in_the_alternative_body(make_meeting, sweep):
    meeting = make_meeting(members=1)
    sweep()
    by_to = {m.to[0]: m for m in mail.outbox}
    member_mail = by_to[meeting.people[0].email]
    method, cal = _calendar_part(member_mail)
    assert method == "REQUEST" == cal["METHOD"]
    (event,) = cal.walk("VEVENT")
    assert str(event["ATTENDEE"]) == f"mailto:{meeting.people[0].email}"
    assert "Psykisk hälsa – lägesbild" in member_mail.body
    assert meeting.video_url in member_mail.body and meeting.place in member_mail.body
    (attachment,) = member_mail.attachments
    assert attachment.mimetype == "application/pdf" and attachment.content.startswith(b"%PDF")
    link = next(line for line in member_mail.body.splitlines() if "/forhinder/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert emails.absence_token_verify(token) == (meeting.pk, meeting.people[0].pk)
    assert "You are called as a substitute." not in member_mail.body
    assert "You are called as a substitute." in by_to[meeting.substitute.email].body


@pytest.mark.django_db
def test_changed_meeting_sends_one_update_with_higher_sequence(make_meeting, sweep):
    meeting = make_meeting(members=2)
    sweep()
    first = {m.to[0]: _calendar_part(m)[1].walk("VEVENT")[0] for m in mail.outbox}
    mail.outbox.clear()
    meeting.refresh_from_db()
    meeting.sequence += 1
    meeting.place = "Sundsvalls stadshus"
    meeting.save()
    sweep()
    sweep()
    assert _to(mail.outbox) == Counter({address: 1 for address in first})
    for message in mail.outbox:
        assert message.subject.startswith("Changed notice")
        event = _calendar_part(message)[1].walk("VEVENT")[0]
        assert event["UID"] == first[message.to[0]]["UID"]
        assert event["SEQUENCE"] == first[message.to[0]]["SEQUENCE"] + 1 == 1
        assert str(event["LOCATION"]) == "Sundsvalls stadshus"
    assert set(NoticeDelivery.objects.values_list("kind", "sequence").distinct()) == {
        (DeliveryKind.NOTICE, 0), (DeliveryKind.UPDATE, 1)}


@pytest.mark.django_db
def test_cancel_sends_method_cancel_without_pdf(make_meeting, sweep,
                                                django_capture_on_commit_callbacks):
    meeting = make_meeting(members=1)
    sweep()
    mail.outbox.clear()
    meeting.refresh_from_db()
    meeting.status, meeting.sequence = MeetingStatus.CANCELLED, meeting.sequence + 1
    meeting.save()
    with django_capture_on_commit_callbacks(execute=True):
        claimed = delivery.meeting_notify(meeting=meeting, kind=DeliveryKind.CANCEL)
    assert claimed == len(mail.outbox) == 3
    for message in mail.outbox:
        method, cal = _calendar_part(message)
        assert method == "CANCEL" == cal["METHOD"]
        assert cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
        assert message.attachments == []
    assert sweep() == 0  # a cancelled meeting is never noticed again


@pytest.mark.django_db
def test_substitute_call_goes_to_the_substitute_only(make_meeting,
                                                    django_capture_on_commit_callbacks):
    meeting = make_meeting(members=2)
    absent = meeting.people[0]
    Absence.objects.create(meeting=meeting, person=absent, substitute=meeting.substitute)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.meeting_notify(meeting=meeting, kind=DeliveryKind.SUBSTITUTE_CALL,
                                person_ids=[meeting.substitute.pk])
    (message,) = mail.outbox
    assert message.to == [meeting.substitute.email]
    assert "You are called as a substitute." in message.body and absent.name in message.body


class FlakyBackend(EmailBackend):
    """Fails the first ``failures`` sends with ``error``, then delivers to mail.outbox."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("gone")

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise FlakyBackend.error
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    yield FlakyBackend
    FlakyBackend.failures = 0


def _claim_one(meeting, django_capture_on_commit_callbacks) -> NoticeDelivery:
    with django_capture_on_commit_callbacks(execute=False):  # claimed, task not run
        delivery.meeting_notify(meeting=meeting, kind=DeliveryKind.NOTICE,
                                person_ids=[meeting.people[0].pk])
    return NoticeDelivery.objects.get()


@pytest.mark.django_db
def test_transient_failure_is_retried_after_backoff_and_sent_once(
        make_meeting, flaky, settings, django_capture_on_commit_callbacks):
    settings.NOTICE_RETRY_DELAYS = [60, 300]
    flaky.failures, flaky.error = 1, smtplib.SMTPResponseException(421, b"try later")
    row = _claim_one(make_meeting(), django_capture_on_commit_callbacks)
    now = timezone.now()
    assert delivery.delivery_send(delivery_id=row.pk, now=now) == delivery.SendResult("retry", 60)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.RETRYING, 1) and "421" in row.last_error
    assert delivery.delivery_send(delivery_id=row.pk, now=now + dt.timedelta(seconds=30)).outcome \
        == "not_due"
    later = now + dt.timedelta(seconds=61)
    assert delivery.deliveries_send_pending(now=later) == 1
    assert delivery.delivery_send(delivery_id=row.pk, now=later).outcome == "skipped"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_permanent_failure_is_recorded_for_the_meeting_page(
        make_meeting, flaky, django_capture_on_commit_callbacks):
    flaky.failures = 1
    flaky.error = smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such user")})
    meeting = make_meeting()
    row = _claim_one(meeting, django_capture_on_commit_callbacks)
    assert delivery.delivery_send(delivery_id=row.pk).outcome == "failed"
    assert delivery.deliveries_failed(meeting) == [row]
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "550" in row.last_error
    assert delivery.delivery_send(delivery_id=row.pk).outcome == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_transient_failures_give_up_after_the_last_delay(
        make_meeting, flaky, settings, django_capture_on_commit_callbacks):
    settings.NOTICE_RETRY_DELAYS = [1, 2]
    flaky.failures, flaky.error = 99, ConnectionRefusedError("refused")
    row = _claim_one(make_meeting(), django_capture_on_commit_callbacks)
    now = timezone.now()
    outcomes = [delivery.delivery_send(delivery_id=row.pk, now=now + dt.timedelta(seconds=10 * n))
                .outcome for n in range(4)]
    assert outcomes == ["retry", "retry", "failed", "skipped"]


@pytest.mark.django_db
def test_stuck_claimed_delivery_is_sent_by_the_sweep_once(make_meeting,
                                                          django_capture_on_commit_callbacks):
    row = _claim_one(make_meeting(), django_capture_on_commit_callbacks)
    now = timezone.now()
    assert delivery.deliveries_send_pending(now=now) == 0  # not stuck yet: a worker has it
    later = now + delivery.STUCK_AFTER + dt.timedelta(seconds=1)
    assert delivery.deliveries_requeue(now=later) == 1  # eager: the task runs and sends
    assert delivery.deliveries_send_pending(now=later) == 0
    assert delivery.delivery_send(delivery_id=row.pk).outcome == "skipped"  # duplicate task
    assert _to(mail.outbox) == Counter({row.email: 1})


@pytest.mark.parametrize(("error", "transient"), [
    (smtplib.SMTPServerDisconnected("x"), True),
    (smtplib.SMTPConnectError(421, "busy"), True),
    (smtplib.SMTPResponseException(451, "later"), True),
    (smtplib.SMTPResponseException(554, "no"), False),
    (smtplib.SMTPSenderRefused(550, "no", "a@b"), False),
    (smtplib.SMTPRecipientsRefused({"a@b": (450, b"busy")}), True),
    (smtplib.SMTPRecipientsRefused({"a@b": (550, b"unknown")}), False),
    (smtplib.SMTPNotSupportedError("x"), False),
    (ConnectionResetError(), True),
    (TimeoutError(), True),
    (ValueError("template bug"), False),
])
def test_is_transient(error, transient):
    assert delivery.is_transient(error) is transient


@pytest.mark.django_db
def test_absence_token_expires_when_the_meeting_starts_and_refuses_tampering(make_meeting):
    meeting = make_meeting()
    person = meeting.people[0]
    token = emails.absence_token(meeting, person)
    assert emails.absence_token_verify(token) == (meeting.pk, person.pk)
    with pytest.raises(signing.BadSignature):
        emails.absence_token_verify(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    meeting.start = timezone.now() - dt.timedelta(minutes=1)
    meeting.end = meeting.start + dt.timedelta(hours=1)
    meeting.save()
    with pytest.raises(signing.SignatureExpired):
        emails.absence_token_verify(token)


@pytest.mark.django_db
def test_minutes_reminders_go_to_secretaries_and_coordinators_once(make_meeting, settings):
    settings.MINUTES_APPROVAL_DAYS, settings.MINUTES_PUBLISH_DAYS = 14, 21
    today = timezone.localdate()
    held = make_meeting(start=timezone.now() - dt.timedelta(days=15), status=MeetingStatus.HELD,
                        notice_due_at=None)
    recent = make_meeting(start=timezone.now() - dt.timedelta(days=3), status=MeetingStatus.HELD,
                          notice_due_at=None)
    approved = make_meeting(start=timezone.now() - dt.timedelta(days=22),
                            status=MeetingStatus.MINUTES_APPROVED, notice_due_at=None)
    secretary = MembershipFactory(seat=SeatFactory(body=held.body),
                                  role=MembershipRole.SECRETARY).person
    coordinator = UserFactory(username="samordnare")
    coordinator.user_permissions.add(Permission.objects.get(codename="coordinate"))
    assert delivery.minutes_reminders_send(on=today) == 3
    assert delivery.minutes_reminders_send(on=today) == 0
    assert _to(mail.outbox) == Counter({secretary.email: 1, coordinator.email: 2})
    assert set(MeetingReminder.objects.values_list("meeting_id", "kind")) == {
        (held.pk, "minutes_not_approved"), (approved.pk, "minutes_not_published")}
    assert not MeetingReminder.objects.filter(meeting=recent).exists()
