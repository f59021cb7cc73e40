"""Run all periodic work once, in this process: for installations without Celery beat.

Safe to run twice at the same time (from cron and by hand): every job claims its work
in the database before acting (see docs/notices.md).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from documents.reminders import run_all as document_reminders_send
from governance.digest import digest_send
from governance.permissions import membership_permissions_sync
from meetings import delivery


class Command(BaseCommand):
    help = ("Send the notices that are due, stuck deliveries, minutes and document "
            "reminders and the digest.")

    def add_arguments(self, parser):
        parser.add_argument("--no-digest", action="store_true",
                            help="Do not send the coordinators' digest.")

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        today = timezone.localdate(now)
        with delivery.inline_sending():
            claimed = delivery.notices_sweep(now=now)
        resent = delivery.deliveries_send_pending(now=now)
        from meetings.absence_mail import absences_sweep

        resent += absences_sweep(now=now)  # secretaries not yet told of an absence
        from halsam.account_mail import account_mails_send_pending

        resent += account_mails_send_pending(now=now)  # login invitations and resets
        reminders = delivery.minutes_reminders_send(on=today)
        granted, revoked = membership_permissions_sync(on=today)
        documents = document_reminders_send(today)
        from documents.accessibility import machine_checks_sweep

        checks = machine_checks_sweep()  # accessibility checks whose task was lost (§3)
        digests = 0 if options["no_digest"] else digest_send(on=today)
        self.stdout.write(
            f"notices claimed and sent: {claimed}; pending deliveries sent: {resent}; "
            f"minutes reminders: {reminders}; document reminders: {documents}; "
            f"digests: {digests}; body permissions granted/revoked: {granted}/{revoked}; "
            f"accessibility checks queued: {checks}")
