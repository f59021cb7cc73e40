"""Celery tasks of the meetings app: thin, taking ids, safe to run twice.

``BEAT_SCHEDULE`` is the periodic work; settings put it in ``CELERY_BEAT_SCHEDULE``.
Installations without beat run ``manage.py run_due_jobs`` from cron instead.
"""
from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from . import delivery

BEAT_SCHEDULE = {
    "meetings-sweep-notices": {
        "task": "meetings.sweep_notices",
        "schedule": crontab(minute="*/5"),
    },
    "meetings-minutes-reminders": {
        "task": "meetings.send_minutes_reminders",
        "schedule": crontab(hour=7, minute=0),  # CELERY_TIMEZONE is Europe/Stockholm
    },
    "governance-coordinator-digest": {
        "task": "governance.send_coordinator_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}


@shared_task(name="meetings.send_delivery", bind=True, acks_late=True, ignore_result=True)
def send_delivery(self, delivery_id: int) -> str:
    """Send one notice e-mail; a transient failure is retried after its backoff delay.

    The retry is a countdown message; should it be lost, come early or come twice, the
    sweep re-queues due retries and the delivery row refuses a second send.
    """
    result = delivery.delivery_send(delivery_id=delivery_id)
    if result.outcome == "retry" and not self.request.is_eager:
        send_delivery.apply_async((delivery_id,), countdown=result.delay)
    return result.outcome


@shared_task(name="meetings.sweep_notices", ignore_result=True)
def sweep_notices() -> int:
    """Every few minutes: claim the notices that are due and re-queue stuck deliveries."""
    from .absence_mail import absences_sweep  # secretaries not yet told of an absence

    now = timezone.now()
    return (delivery.notices_sweep(now=now) + delivery.deliveries_requeue(now=now)
            + absences_sweep(now=now))


@shared_task(name="meetings.tell_secretary_of_absence", ignore_result=True)
def tell_secretary_of_absence(absence_id: int) -> int:
    """Tell the secretary (or the coordinators) of one absence, exactly once."""
    from .absence_mail import absence_tell

    return absence_tell(absence_id=absence_id)


@shared_task(name="meetings.send_minutes_reminders", ignore_result=True)
def send_minutes_reminders() -> int:
    """Daily: remind of minutes not approved or not published in time."""
    return delivery.minutes_reminders_send(on=timezone.localdate())
