"""Celery tasks of the documents app: thin wrappers around the reminder sweeps.

Each is safe to run twice at once (every reminder is claimed by a unique row in the
transaction that sends it). ``BEAT_SCHEDULE`` lists them for ``CELERY_BEAT_SCHEDULE``
(daily at 07:15, Europe/Stockholm); without beat, ``manage.py run_due_jobs`` calls
``documents.reminders.run_all``.
"""
from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from . import accessibility, reminders, review

BEAT_SCHEDULE = {
    "documents-review-reminders": {
        "task": "documents.send_review_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    "documents-unpublished-reminders": {
        "task": "documents.send_unpublished_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    "documents-validity-reminders": {
        "task": "documents.send_validity_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    # The catch-up for review requests whose task was lost (documents.review).
    "documents-review-requests": {
        "task": "documents.send_review_requests",
        "schedule": crontab(hour=7, minute=15),
    },
    # The catch-up for accessibility machine checks whose task was lost (issue 12 §3).
    "documents-machine-checks": {
        "task": "documents.sweep_machine_checks",
        "schedule": crontab(minute=40),
    },
}


@shared_task(name="documents.send_review_reminders", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_review_reminders() -> int:
    """Daily: reviews due within 60 days and overdue → secretaries and editors."""
    return reminders.review_reminders_send(on=timezone.localdate())


@shared_task(name="documents.send_unpublished_reminders", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_unpublished_reminders() -> int:
    """Daily: versions approved more than 7 days ago and not published → editors."""
    return reminders.unpublished_reminders_send(on=timezone.localdate())


@shared_task(name="documents.send_validity_reminders", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_validity_reminders() -> int:
    """Daily: validity or termination ending within 90 days → coordinators."""
    return reminders.validity_reminders_send(on=timezone.localdate())


@shared_task(name="documents.send_review_request", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_review_request(version_id: int) -> int:
    """On commit of "send for review": tell those who may approve the version (once)."""
    return review.review_request_send(version_id=version_id)


@shared_task(name="documents.send_review_requests", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_review_requests() -> int:
    """Daily: versions in review whose approvers have not been told yet."""
    return review.review_requests_send()


# The machine check reads the file within the limits of documents.packages, so one run
# takes seconds at most; the time limits are the last line of defence against a hang.
@shared_task(name="documents.machine_check", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5,
             soft_time_limit=120, time_limit=180)
def machine_check(version_id: int, force: bool = False, actor_id: int | None = None) -> bool:
    """On commit of a new version (or the editor's "run again"): the accessibility
    machine check of the version, run once and stored. True when a result is stored."""
    from django.contrib.auth import get_user_model

    from .models import DocumentVersion

    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None:
        return False
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    check = accessibility.accessibility_machine_check_run(version=version, actor=actor,
                                                          force=force)
    return check is not None


@shared_task(name="documents.sweep_machine_checks", ignore_result=True, acks_late=True)
def sweep_machine_checks() -> int:
    """Hourly: queue the machine check of versions that have none stored."""
    return accessibility.machine_checks_sweep()
