"""The coordinators' weekly digest: findings that are new since the last digest.

The record of what was mailed (``DigestRecord``, unique per recipient and finding key)
is written in the same transaction that sends the mail, under a lock on the recipient,
so a retry, a second worker or a second run never mails the same finding twice; if
sending fails the transaction rolls back and the next run tries again.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from halsam.mail import render_subject

from . import checks
from .models import DigestRecord

log = logging.getLogger(__name__)


def coordinators():
    """Active users with the coordinate permission (directly, by group or as superuser)."""
    perm = Permission.objects.get(codename="coordinate", content_type__app_label="governance")
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm))
        .exclude(email="").distinct().order_by("pk")
    )


def digest_send(*, on: dt.date) -> int:
    """Mail each coordinator the findings new to them; return how many mails were sent."""
    findings = checks.findings(on=on)
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order.get(f.severity, 3), f.body_name, f.key))
    by_key = {f.key: f for f in findings}
    sent = 0
    for user_id in coordinators().values_list("pk", flat=True):
        if _send_one(user_id=user_id, by_key=by_key, on=on):
            sent += 1
    return sent


@transaction.atomic
def _send_one(*, user_id: int, by_key: dict[str, checks.Finding], on: dt.date) -> bool:
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    already = set(DigestRecord.objects.filter(user=user, key__in=list(by_key))
                  .values_list("key", flat=True))
    new = [f for k, f in by_key.items() if k not in already]
    if not new:
        return False
    DigestRecord.objects.bulk_create([DigestRecord(user=user, key=f.key) for f in new])
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "findings": new, "on": on,
                   "errors": sum(f.severity == "error" for f in new)}
        subject = render_subject("governance/email/digest_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("governance/email/digest.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("governance/email/digest.html", context),
                                   "text/html")
    message.send()  # raises on failure: the records roll back and the next run retries
    log.info("digest sent to user %s with %d findings", user.pk, len(new))
    return True
