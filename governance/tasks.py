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


@shared_task(name="governance.send_account_mail", bind=True, acks_late=True,
             ignore_result=True)
def send_account_mail(self, mail_id: int) -> str:
    """Send one login invitation or password reset (halsam/account_mail.py); a transient
    failure is retried after its backoff delay (the sweep catches a lost retry)."""
    from halsam.account_mail import account_mail_send

    outcome, delay = account_mail_send(mail_id=mail_id)
    if outcome == "retry" and not self.request.is_eager:
        send_account_mail.apply_async((mail_id,), countdown=delay)
    return outcome


@shared_task(name="governance.sweep_account_mail", ignore_result=True)
def sweep_account_mail() -> int:
    """Every few minutes: queue again the login e-mails whose retry is due or whose
    worker died."""
    from halsam.account_mail import account_mails_requeue

    return account_mails_requeue(now=timezone.now())
