"""Document reminders: each exactly once per document, kind and due date, to the right
people, across repeated and concurrent runs (issue 5 item 6; V11 review, V16 notice)."""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from documents import reminders, tasks
from documents.models import DocumentReminder, DocumentReminderKind, VersionStatus

from .editorial_builders import Personas, in_force, make_document, make_version

EDITOR = "redaktor@exempel.invalid"
COORDINATOR = "koordinator@exempel.invalid"
SECRETARY = "sekreterare@exempel.invalid"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    return Personas()


@pytest.fixture
def today():
    return timezone.localdate()


def sent_to() -> Counter:
    return Counter((m.to[0], m.subject) for m in mail.outbox)


def recipients() -> set[str]:
    return {m.to[0] for m in mail.outbox}


# --- review (V11: reviewed at least every second year) ------------------------------------

def test_review_due_within_60_days_goes_to_secretaries_and_editors_once(people, today):
    document = in_force(body=people.body, next_review_on=today + dt.timedelta(days=60))
    in_force(body=people.body, title="Långt kvar", next_review_on=today + dt.timedelta(days=61))
    assert reminders.run_all(today) == 2
    assert reminders.run_all(today) == 0
    assert recipients() == {SECRETARY, EDITOR}  # not the coordinator, member or other body
    assert all(document.title in m.subject for m in mail.outbox)
    mail.outbox.clear()
    assert reminders.run_all(today + dt.timedelta(days=1)) == 2  # only the next one
    assert all("Långt kvar" in m.subject for m in mail.outbox)
    assert (document.pk, DocumentReminderKind.REVIEW_DUE, document.next_review_on) in set(
        DocumentReminder.objects.values_list("document", "kind", "due"))
    assert DocumentReminder.objects.count() == 2


def test_overdue_review_is_a_second_reminder_sent_once(people, today):
    due = today + dt.timedelta(days=10)
    in_force(body=people.body, next_review_on=due)
    reminders.run_all(today)
    mail.outbox.clear()
    later = due + dt.timedelta(days=1)
    assert reminders.run_all(later) == 2
    assert reminders.run_all(later + dt.timedelta(days=5)) == 0
    assert recipients() == {SECRETARY, EDITOR}
    assert set(DocumentReminder.objects.values_list("kind", flat=True)) == {
        DocumentReminderKind.REVIEW_DUE, DocumentReminderKind.REVIEW_OVERDUE}


def test_no_review_reminder_without_a_version_in_force(people, today):
    document = make_document(body=people.body, next_review_on=today)
    make_version(document, status=VersionStatus.APPROVED)
    assert reminders.review_reminders_send(on=today) == 0


def test_review_of_an_ended_document_is_not_reminded(people, today):
    in_force(body=people.body, next_review_on=today - dt.timedelta(days=1),
             valid_until=today - dt.timedelta(days=2))
    assert reminders.review_reminders_send(on=today) == 0


# --- approved but not published ----------------------------------------------------------

def test_unpublished_after_7_days_goes_to_the_editors_only(people, today):
    now = timezone.now()
    old = make_document(body=people.body, title="Väntar")
    make_version(old, status=VersionStatus.APPROVED, approved_at=now - dt.timedelta(days=8))
    fresh = make_document(body=people.body, title="Nyss godkänd")
    make_version(fresh, status=VersionStatus.APPROVED, approved_at=now - dt.timedelta(days=6))
    assert reminders.run_all(today) == 1
    assert reminders.run_all(today) == 0
    assert recipients() == {EDITOR}
    assert "Väntar" in mail.outbox[0].subject


# --- validity and notice of termination --------------------------------------------------

def test_validity_ending_within_90_days_goes_to_the_coordinators(people, today):
    ending = in_force(body=people.body, valid_until=today + dt.timedelta(days=90))
    in_force(body=people.body, title="Gäller länge", valid_until=today + dt.timedelta(days=91))
    assert reminders.run_all(today) == 1
    assert reminders.run_all(today) == 0
    assert recipients() == {COORDINATOR}
    assert DocumentReminder.objects.get().due == ending.valid_until


def test_v16_termination_end_twelve_months_after_handling_is_reminded(people, today):
    """V16: an agreement until further notice ends twelve months after the notice is handled."""
    handled = today - dt.timedelta(days=300)
    document = in_force(body=people.body, until_further_notice=True,
                        termination_notice_months=12, termination_handled_on=handled)
    assert reminders.run_all(today) == 1
    reminder = DocumentReminder.objects.get(document=document)
    assert reminder.kind == DocumentReminderKind.VALIDITY_ENDING
    assert reminder.due == handled.replace(year=handled.year + 1) or reminder.due.month == 2
    assert recipients() == {COORDINATOR}


def test_termination_far_off_is_not_reminded_yet(people, today):
    in_force(body=people.body, until_further_notice=True, termination_notice_months=12,
             termination_handled_on=today - dt.timedelta(days=30))
    assert reminders.validity_reminders_send(on=today) == 0


# --- robustness ---------------------------------------------------------------------------

def test_a_failed_send_releases_the_claim_for_the_next_run(people, today, monkeypatch):
    in_force(body=people.body, valid_until=today + dt.timedelta(days=5))

    class Broken:
        def send_messages(self, messages):
            raise OSError("SMTP down")

    monkeypatch.setattr(reminders, "get_connection", lambda: Broken())
    with pytest.raises(OSError):
        reminders.run_all(today)
    assert not DocumentReminder.objects.exists()
    monkeypatch.undo()
    assert reminders.run_all(today) == 1


def test_candidates_are_read_in_chunks(people, today, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(reminders, "CHUNK", 2)
    for n in range(5):
        in_force(body=people.body, title=f"Dokument {n}",
                 next_review_on=today + dt.timedelta(days=n))
    assert reminders.review_reminders_send(on=today) == 10
    assert len(sent_to()) == 10 and set(sent_to().values()) == {1}


def test_tasks_run_the_sweeps(people, today):
    in_force(body=people.body, next_review_on=today)
    in_force(body=people.body, title="Slutar", valid_until=today + dt.timedelta(days=3))
    assert tasks.send_review_reminders.delay().get() == 2
    assert tasks.send_validity_reminders.delay().get() == 1
    assert tasks.send_unpublished_reminders.delay().get() == 0
    assert set(tasks.BEAT_SCHEDULE) == {
        "documents-review-reminders", "documents-unpublished-reminders",
        "documents-validity-reminders", "documents-review-requests",
        "documents-machine-checks"}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(monkeypatch):
    """Two runs at once, each with its own database connection: every reminder once."""
    people = Personas()
    today = timezone.localdate()
    now = timezone.now()
    for n in range(4):
        in_force(body=people.body, title=f"Granskas {n}",
                 next_review_on=today + dt.timedelta(days=n))
        in_force(body=people.body, title=f"Slutar {n}",
                 valid_until=today + dt.timedelta(days=n + 1))
        waiting = make_document(body=people.body, title=f"Väntar {n}")
        make_version(waiting, status=VersionStatus.APPROVED,
                     approved_at=now - dt.timedelta(days=10 + n))
    real_connection = reminders.get_connection

    class Slow:
        """Holds the claim's transaction open a while, so the runs overlap."""

        def send_messages(self, messages):
            time.sleep(0.02)
            return real_connection().send_messages(messages)

    monkeypatch.setattr(reminders, "get_connection", lambda: Slow())
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                # pytest-django's SQLite test database lives in memory with a shared
                # cache, where a table one connection writes is locked for the others
                # at once (a file database in WAL mode waits instead). Reading past the
                # lock lets the runs overlap; the unique claim row still decides.
                connection.cursor().execute("PRAGMA read_uncommitted = 1")
            barrier.wait()
            counts.append(reminders.run_all(today))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    per_mail = sent_to()
    # 4 reviews × (secretary + editor), 4 endings × coordinator, 4 unpublished × editor.
    assert len(per_mail) == 4 * 2 + 4 + 4
    assert set(per_mail.values()) == {1}, per_mail.most_common(3)
    assert sum(counts) == 16
    assert DocumentReminder.objects.count() == 12
