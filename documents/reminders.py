"""Reminders about documents, sent by e-mail exactly once per document, kind and due date.

Three sweeps, each a service that the Celery tasks (``documents.tasks``) and
``manage.py run_due_jobs`` (through ``run_all``) call:

* ``review_reminders_send``: the next review falls within ``REVIEW_DUE_DAYS`` (kind
  ``review_due``) or has passed (``review_overdue``) → the owning body's secretaries and
  the editors;
* ``unpublished_reminders_send``: a version approved more than ``UNPUBLISHED_DAYS`` ago
  and still not published → the editors;
* ``validity_reminders_send``: the end of validity (``valid_until``) or the end after a
  notice of termination (handled on + notice months, V16) within ``VALIDITY_DAYS`` →
  the coordinators.

Only documents with a version in force (published) are reminded of review and validity.
Exactly once: the ``DocumentReminder`` row (unique per document, kind and due) is
inserted in the transaction that sends; a second, concurrent run fails on the unique
row and skips (on SQLite it is first told the table is locked, waits and tries again);
a failed send rolls the row back and the next run tries again. Candidates are read in
chunks of ``CHUNK`` documents.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from governance.models import Membership, MembershipRole
from halsam.mail import render_subject

from . import rules
from .models import (
    Document,
    DocumentReminder,
    DocumentReminderKind,
    DocumentVersion,
    VersionStatus,
)

log = logging.getLogger(__name__)

REVIEW_DUE_DAYS = 60
UNPUBLISHED_DAYS = 7
VALIDITY_DAYS = 90
CHUNK = 200
TEMPLATES = "documents/email/"
# SQLite reports a concurrent writer as "locked"; retry the claim this often.
LOCK_ATTEMPTS = 20
LOCK_WAIT = 0.05  # seconds, times the attempt number


# --- Dates ------------------------------------------------------------------------------

def end_of_validity(document: Document) -> dt.date | None:
    """The last day the document is in force: ``valid_until`` or, after a notice of
    termination, the day handled plus the notice period (V16), whichever comes first."""
    return rules.Validity(
        valid_until=document.valid_until,
        termination_notice_months=document.termination_notice_months,
        termination_handled_on=document.termination_handled_on).ends_on


# --- Recipients -------------------------------------------------------------------------

def _users_with_perm(app_label: str, codename: str) -> QuerySet:
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(user_permissions__in=perm)
                    | Q(groups__permissions__in=perm))
            .exclude(email="").distinct().order_by("pk"))


def editor_emails() -> list[str]:
    """The editors (perm ``documents.publish_document``) with an e-mail address."""
    return list(_users_with_perm("documents", "publish_document").values_list("email", flat=True))


def coordinator_emails() -> list[str]:
    """The coordinators (perm ``governance.coordinate``) with an e-mail address."""
    return list(_users_with_perm("governance", "coordinate").values_list("email", flat=True))


def secretary_emails(body_ids: list[int], on: dt.date) -> dict[int, list[str]]:
    """The e-mail addresses of the active secretaries of each body (one query)."""
    rows = (Membership.objects.active_on(on)
            .filter(seat__body_id__in=body_ids, role=MembershipRole.SECRETARY)
            .exclude(person__email="").values_list("seat__body_id", "person__email")
            .order_by("seat__body_id", "person__last_name", "pk"))
    out: dict[int, list[str]] = defaultdict(list)
    for body_id, email in rows:
        out[body_id].append(email)
    return out


def _unique(addresses: list[str]) -> list[str]:
    seen, out = set(), []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


# --- Sending ----------------------------------------------------------------------------

def _absolute(path: str) -> str:
    return settings.HALSAM_BASE_URL.rstrip("/") + path


def _document_url(document: Document) -> str:
    try:
        return _absolute(document.get_absolute_url())
    except NoReverseMatch:  # the register's routes are missing: link the editor's queue
        return _absolute(reverse("documents:editor_queue"))


def reminder_messages(*, document: Document, kind: str, due: dt.date, to: list[str],
                      version: DocumentVersion | None = None) -> list[EmailMultiAlternatives]:
    """One e-mail per recipient (nobody sees the others' addresses), from the
    ``documents/email/reminder`` subject/text/html triplet."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"document": document, "kind": kind, "due": due, "version": version,
                   "document_url": _document_url(document),
                   "queue_url": _absolute(reverse("documents:editor_queue")),
                   "owner_body": document.owner_body}
        subject = render_subject(f"{TEMPLATES}reminder_subject.txt", context)
        text = render_to_string(f"{TEMPLATES}reminder.txt", context)
        html = render_to_string(f"{TEMPLATES}reminder.html", context)
    messages = []
    for address in to:
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address],
                                         headers={"Auto-Submitted": "auto-generated"})
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def reminder_send_one(*, document: Document, kind: str, due: dt.date, to: list[str],
                      version: DocumentVersion | None = None) -> int:
    """Claim (document, kind, due) and send; return the number of e-mails sent (0 when
    another run has claimed it, or there is nobody to tell)."""
    to = _unique(to)
    if not to:
        return 0
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return _claim_and_send(document=document, kind=kind, due=due, to=to,
                                   version=version)
        except IntegrityError:
            return 0  # already sent (by this or another run)
        except OperationalError as exc:
            # SQLite: another run is writing its own claim right now. Wait for it and
            # try again; the unique row then decides who sends.
            if "locked" not in str(exc):
                raise
            time.sleep(LOCK_WAIT * attempt)
    log.warning("documents: reminder %s/%s/%s skipped, the database stayed locked; the next "
                "run tries again", document.pk, kind, due)
    return 0


def _claim_and_send(*, document: Document, kind: str, due: dt.date, to: list[str],
                    version: DocumentVersion | None) -> int:
    with transaction.atomic():
        # The insert comes first in the transaction: PostgreSQL makes a concurrent insert
        # of the same key wait for this commit and then fail; SQLite lets one writer in.
        DocumentReminder.objects.create(document=document, kind=kind, due=due)
        messages = reminder_messages(document=document, kind=kind, due=due, to=to,
                                     version=version)
        get_connection().send_messages(messages)  # raises: the claim rolls back
    return len(messages)


def _chunks(queryset: QuerySet, size: int = CHUNK) -> Iterator[list]:
    """The rows of ``queryset`` in chunks, by primary key (keyset, no OFFSET)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _already_sent(document_ids: list[int], kinds: list[str]) -> set[tuple[int, str, dt.date]]:
    return set(DocumentReminder.objects.filter(document_id__in=document_ids, kind__in=kinds)
               .values_list("document_id", "kind", "due"))


def _in_force() -> Exists:
    return Exists(DocumentVersion.objects.filter(document_id=OuterRef("pk"),
                                                 status=VersionStatus.PUBLISHED))


# --- The sweeps -------------------------------------------------------------------------

def review_reminders_send(*, on: dt.date) -> int:
    """Reviews due within ``REVIEW_DUE_DAYS`` days, and overdue, of documents in force
    → the owning body's secretaries and the editors."""
    editors = editor_emails()
    kinds = [DocumentReminderKind.REVIEW_DUE, DocumentReminderKind.REVIEW_OVERDUE]
    candidates = (Document.objects.filter(next_review_on__lte=on + dt.timedelta(
        days=REVIEW_DUE_DAYS)).filter(_in_force()).select_related("owner_body"))
    sent = 0
    for chunk in _chunks(candidates):
        done = _already_sent([d.pk for d in chunk], kinds)
        secretaries = secretary_emails(list({d.owner_body_id for d in chunk}), on)
        for document in chunk:
            end = end_of_validity(document)
            if end is not None and end < on:
                continue  # no longer in force: nothing to review
            kind = (DocumentReminderKind.REVIEW_OVERDUE if document.next_review_on < on
                    else DocumentReminderKind.REVIEW_DUE)
            if (document.pk, kind, document.next_review_on) in done:
                continue
            sent += reminder_send_one(document=document, kind=kind, due=document.next_review_on,
                                      to=[*secretaries.get(document.owner_body_id, []), *editors])
    return sent


def unpublished_reminders_send(*, on: dt.date) -> int:
    """Versions approved more than ``UNPUBLISHED_DAYS`` days ago and not published → the
    editors (once per document and approval day)."""
    editors = editor_emails()
    if not editors:
        return 0
    # Approved on or before on - UNPUBLISHED_DAYS - 1, in local time.
    cutoff = timezone.make_aware(dt.datetime.combine(
        on - dt.timedelta(days=UNPUBLISHED_DAYS), dt.time.min))
    candidates = (DocumentVersion.objects.filter(status=VersionStatus.APPROVED,
                                                 approved_at__lt=cutoff)
                  .select_related("document__owner_body"))
    sent = 0
    for chunk in _chunks(candidates):
        done = _already_sent([v.document_id for v in chunk], [DocumentReminderKind.UNPUBLISHED])
        for version in chunk:
            due = timezone.localdate(version.approved_at) + dt.timedelta(days=UNPUBLISHED_DAYS)
            if (version.document_id, DocumentReminderKind.UNPUBLISHED, due) in done:
                continue
            sent += reminder_send_one(document=version.document,
                                      kind=DocumentReminderKind.UNPUBLISHED, due=due,
                                      to=editors, version=version)
    return sent


def validity_reminders_send(*, on: dt.date) -> int:
    """Documents in force whose validity ends, or whose notice of termination takes
    effect, within ``VALIDITY_DAYS`` days → the coordinators."""
    coordinators = coordinator_emails()
    if not coordinators:
        return 0
    horizon = on + dt.timedelta(days=VALIDITY_DAYS)
    # A termination cannot end before it is handled; the exact end is computed below.
    candidates = (Document.objects.filter(
        Q(valid_until__gte=on, valid_until__lte=horizon)
        | Q(termination_handled_on__isnull=False, termination_handled_on__lte=horizon))
        .filter(_in_force()).select_related("owner_body"))
    sent = 0
    for chunk in _chunks(candidates):
        done = _already_sent([d.pk for d in chunk], [DocumentReminderKind.VALIDITY_ENDING])
        for document in chunk:
            end = end_of_validity(document)
            if end is None or not on <= end <= horizon:
                continue
            if (document.pk, DocumentReminderKind.VALIDITY_ENDING, end) in done:
                continue
            sent += reminder_send_one(document=document, kind=DocumentReminderKind.VALIDITY_ENDING,
                                      due=end, to=coordinators)
    return sent


def run_all(on: dt.date) -> int:
    """All document reminders due on ``on``; the number of e-mails sent. Safe to run
    twice at once (for ``manage.py run_due_jobs``)."""
    from .review import review_requests_send  # documents.review imports this module

    return (review_reminders_send(on=on) + unpublished_reminders_send(on=on)
            + validity_reminders_send(on=on) + review_requests_send(on=on))


# --- The editor's queue: the same rules, as data -----------------------------------------

QUEUE_LIMIT = 200
RECENT_DAYS = 30


@dataclass(frozen=True)
class QueueEntry:
    document: Document
    version: DocumentVersion | None
    due: dt.date | None
    days: int  # the age (approved), or days left (negative: overdue) until ``due``


@dataclass
class EditorQueue:
    unpublished: list[QueueEntry]
    reviews: list[QueueEntry]
    ending: list[QueueEntry]
    recently_published: list[QueueEntry]


def editor_queue(*, on: dt.date) -> EditorQueue:
    """What the editor should act on (4 queries, whatever the number of documents):
    approved but unpublished versions with their age, reviews due within
    ``REVIEW_DUE_DAYS`` or overdue, validity or termination ending within
    ``VALIDITY_DAYS``, and versions published in the last ``RECENT_DAYS`` days."""
    approved = (DocumentVersion.objects.filter(status=VersionStatus.APPROVED)
                .select_related("document__owner_body", "approved_meeting")
                .order_by("approved_at", "pk")[:QUEUE_LIMIT])
    unpublished = [QueueEntry(v.document, v, timezone.localdate(v.approved_at),
                              (on - timezone.localdate(v.approved_at)).days) for v in approved]
    review_docs = (Document.objects.filter(next_review_on__lte=on + dt.timedelta(
        days=REVIEW_DUE_DAYS)).filter(_in_force()).select_related("owner_body")
        .order_by("next_review_on", "pk")[:QUEUE_LIMIT])
    reviews = [QueueEntry(d, None, d.next_review_on, (d.next_review_on - on).days)
               for d in review_docs
               if (end := end_of_validity(d)) is None or end >= on]
    horizon = on + dt.timedelta(days=VALIDITY_DAYS)
    ending_docs = (Document.objects.filter(
        Q(valid_until__gte=on, valid_until__lte=horizon)
        | Q(termination_handled_on__isnull=False, termination_handled_on__lte=horizon))
        .filter(_in_force()).select_related("owner_body").order_by("pk")[:QUEUE_LIMIT])
    ending = sorted(
        (QueueEntry(d, None, end, (end - on).days) for d in ending_docs
         if (end := end_of_validity(d)) is not None and on <= end <= horizon),
        key=lambda e: (e.due, e.document.pk))
    recent = (DocumentVersion.objects.filter(
        status=VersionStatus.PUBLISHED, published_on__gte=on - dt.timedelta(days=RECENT_DAYS))
        .select_related("document__owner_body", "published_by")
        .order_by("-published_on", "-pk")[:QUEUE_LIMIT])
    recently_published = [QueueEntry(v.document, v, v.published_on, (on - v.published_on).days)
                          for v in recent]
    return EditorQueue(unpublished=unpublished, reviews=reviews, ending=ending,
                       recently_published=recently_published)
