"""Versions in review and those who may approve them (issue 11, flow 4).

- ``approvers``: who may approve a version (the transition table in ``documents.rules``:
  the owning body's active secretaries and the coordinators), with their names and
  e-mail addresses, without the person who sent it for review.
- ``awaiting_approval``: the versions in review this user may approve (the editor's
  queue and the coordinator's "Min vecka" list them; a constant number of queries).
- ``review_request_send``: the e-mail to the approvers, exactly once per version. The
  ``ReviewRequest`` row (unique per version) is inserted in the transaction that sends;
  a second, concurrent run fails on it and sends nothing (on SQLite it is first told the
  table is locked, waits and tries again); a failed send rolls the row back and the next
  run (the daily sweep ``review_requests_send``) tries again.
- ``schedule_review_request``: what ``services.version_submit`` registers with
  ``transaction.on_commit``: the Celery task ``documents.send_review_request``.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from governance.models import Membership, MembershipRole

from . import access, reminders
from .models import DocumentVersion, ReviewRequest, VersionStatus

log = logging.getLogger(__name__)

TEMPLATES = "documents/email/"
APPROVE_STEP = "godkann"  # documents.views.STEPS
LIMIT = 200


# --- who may approve --------------------------------------------------------------------

@dataclass(frozen=True)
class Approver:
    name: str
    email: str
    user_id: int | None


def _user_name(user) -> str:
    person = getattr(user, "person", None)
    if person is not None:
        return person.name
    return user.get_full_name() or user.get_username()


def approvers(version: DocumentVersion, *, exclude_user_id: int | None = None) -> list[Approver]:
    """The owning body's active secretaries, then the coordinators, each once (by e-mail
    address, or by login when there is none); not the user ``exclude_user_id`` (the one
    who sent the version for review). Three queries."""
    rows = (Membership.objects.active_on(timezone.localdate())
            .filter(seat__body_id=version.document.owner_body_id, role=MembershipRole.SECRETARY)
            .select_related("person").order_by("person__last_name", "person__first_name", "pk"))
    out: list[Approver] = []
    seen_people: set[int] = set()
    for membership in rows:
        person = membership.person
        if person.pk in seen_people:
            continue
        seen_people.add(person.pk)
        out.append(Approver(name=person.name, email=person.email, user_id=person.user_id))
    coordinators = reminders._users_with_perm("governance", "coordinate")
    for user in get_user_model().objects.filter(
            pk__in=coordinators.values("pk")).select_related("person").order_by("pk"):
        out.append(Approver(name=_user_name(user), email=user.email, user_id=user.pk))
    unique: list[Approver] = []
    emails: set[str] = set()
    users: set[int] = set()
    for a in out:
        if exclude_user_id is not None and a.user_id == exclude_user_id:
            continue
        if a.email and a.email.lower() in emails:
            continue
        if a.user_id is not None and a.user_id in users:
            continue
        if a.email:
            emails.add(a.email.lower())
        if a.user_id is not None:
            users.add(a.user_id)
        unique.append(a)
    return unique


def submitted_by_id(version: DocumentVersion) -> int | None:
    """Who last sent ``version`` for review (from its history), or None."""
    return (version.history.filter(status=VersionStatus.IN_REVIEW)
            .order_by("-history_date").values_list("history_user_id", flat=True).first())


# --- the lists --------------------------------------------------------------------------

def awaiting_approval(user) -> list[DocumentVersion]:
    """The versions in review ``user`` may approve, oldest first: all of them for a
    coordinator, those of the bodies where they are secretary otherwise (at most four
    queries, two of them the permissions, whatever the number of versions and bodies)."""
    if user is None or not user.is_authenticated:
        return []
    qs = DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW)
    if not access.is_coordinator(user):
        bodies = [body_id for body_id, roles in access.body_roles(user).items()
                  if MembershipRole.SECRETARY in roles]
        if not bodies:
            return []
        qs = qs.filter(document__owner_body_id__in=bodies)
    return list(qs.select_related("document__owner_body", "uploaded_by")
                .order_by("uploaded_at", "pk")[:LIMIT])


def in_review_count() -> int:
    return DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW).count()


def approve_url(version: DocumentVersion) -> str:
    return reverse("documents:transition", kwargs={
        "pk": version.document_id, "number": version.number, "step": APPROVE_STEP})


# --- the e-mail -------------------------------------------------------------------------

def _absolute(path: str) -> str:
    return settings.HALSAM_BASE_URL.rstrip("/") + path


def review_request_messages(version: DocumentVersion, to: list[Approver], *,
                            submitter: str = "") -> list[EmailMultiAlternatives]:
    """One e-mail per approver (nobody sees the others' addresses)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"version": version, "document": version.document,
                   "owner_body": version.document.owner_body, "submitter": submitter,
                   "approve_url": _absolute(approve_url(version)),
                   "document_url": _absolute(version.document.get_absolute_url())}
        from halsam.mail import render_subject

        subject = render_subject(f"{TEMPLATES}review_request_subject.txt", context)
        text = render_to_string(f"{TEMPLATES}review_request.txt", context)
        html = render_to_string(f"{TEMPLATES}review_request.html", context)
    messages = []
    for approver in to:
        message = EmailMultiAlternatives(subject=subject, body=text, to=[approver.email],
                                         headers={"Auto-Submitted": "auto-generated"})
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def review_request_send(*, version_id: int) -> int:
    """Tell those who may approve version ``version_id`` that it waits for them, once;
    the number of e-mails sent (0 when it was already done, by this or another run, or
    the version is no longer in review)."""
    version = (DocumentVersion.objects.select_related("document__owner_body")
               .filter(pk=version_id).first())
    if version is None or version.status != VersionStatus.IN_REVIEW:
        return 0
    if ReviewRequest.objects.filter(version_id=version_id).exists():
        return 0
    submitter_id = submitted_by_id(version)
    people = approvers(version, exclude_user_id=submitter_id)
    to = [p for p in people if p.email]
    submitter = ""
    if submitter_id is not None:
        user = get_user_model().objects.select_related("person").filter(pk=submitter_id).first()
        submitter = _user_name(user) if user is not None else ""
    for attempt in range(1, reminders.LOCK_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                # The claim first: a concurrent run inserting the same version waits for
                # this commit (PostgreSQL) or is told the table is locked (SQLite).
                ReviewRequest.objects.create(version=version, recipients=len(to))
                messages = review_request_messages(version, to, submitter=submitter)
                if messages:
                    get_connection().send_messages(messages)  # raises: the claim rolls back
            return len(messages)
        except IntegrityError:
            return 0
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(reminders.LOCK_WAIT * attempt)
    log.warning("documents: review request for version %s skipped, the database stayed "
                "locked; the next run tries again", version_id)
    return 0


def review_requests_send(*, on: dt.date | None = None) -> int:
    """The sweep: every version in review whose approvers have not been told yet (a
    task lost on its way to the worker, or versions sent for review before this existed)."""
    waiting = (DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW)
               .filter(~Exists(ReviewRequest.objects.filter(version_id=OuterRef("pk"))))
               .order_by("pk").values_list("pk", flat=True)[:LIMIT])
    return sum(review_request_send(version_id=pk) for pk in list(waiting))


def schedule_review_request(version_id: int) -> None:
    """Queue the e-mail (Celery; inline when no broker is configured). Called on commit:
    a failure to queue is logged and the daily sweep sends it."""
    from .tasks import send_review_request

    try:
        send_review_request.delay(version_id)
    except Exception:  # noqa: BLE001 - the broker is down: the sweep catches up
        log.exception("documents: could not queue the review request of version %s",
                      version_id)


def request_on_commit(version: DocumentVersion) -> None:
    transaction.on_commit(lambda: schedule_review_request(version.pk))
