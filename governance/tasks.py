"""Celery tasks of the governance app: thin wrappers around services."""
from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import digest


@shared_task(name="governance.send_coordinator_digest", acks_late=True,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_coordinator_digest() -> int:
    """Weekly: mail each coordinator the findings that are new since their last digest."""
    return digest.digest_send(on=timezone.localdate())


@shared_task(name="governance.sync_membership_permissions", acks_late=True)
def sync_membership_permissions() -> list[int]:
    """Daily: bring the body object permissions in line with the memberships active today
    (a membership that starts or ends on a later date changes no row on that day)."""
    from .permissions import membership_permissions_sync

    return list(membership_permissions_sync(on=timezone.localdate()))
