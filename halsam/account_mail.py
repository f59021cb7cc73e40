"""Login invitations and password resets through a retrying queue (issue 12 §8).

With the mail server down, creating a login answered 500 after the login was made and
the invitation was lost, and a password reset was dropped with only a log line. Now:

* ``account_mail_queue`` inserts an ``AccountMail`` row in the caller's transaction
  (the one that creates the login, or the reset request) and queues
  ``governance.send_account_mail`` after commit. Nothing is sent inside the request's
  transaction, and no mail failure reaches the page.
* ``account_mail_send`` claims the row with a conditional UPDATE (status and attempts
  unchanged), builds the e-mail (the link is made now: the row holds no secret), hands
  it to the mail server and marks the row sent before the connection is closed.
  Transient failures (``meetings.delivery.is_transient``: 4xx replies, refused or
  dropped connections, timeouts) make the row ``retrying``; it is due again
  ``NOTICE_RETRY_DELAYS[attempts - 1]`` seconds after the attempt. Anything else, or
  the last retry failing, makes it ``failed``, with the error on the row for the
  coordinator (admin: "Inloggningsmejl", and "Skicka inbjudan igen" on people).
* ``account_mails_requeue`` (beat, every five minutes) and ``account_mails_send_pending``
  (``manage.py run_due_jobs``) pick up due retries and rows stranded by a dead worker.
"""
from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from governance.models_account_mail import AccountMail, AccountMailKind, AccountMailStatus
from meetings.delivery import is_transient, retry_delay

from .mail import render_subject

log = logging.getLogger(__name__)

# A row claimed this long ago and still not sent was left by a worker that died.
STUCK_AFTER = dt.timedelta(minutes=5)
PENDING = (AccountMailStatus.PENDING, AccountMailStatus.RETRYING)
TEMPLATES = {
    AccountMailKind.INVITATION: ("registration/login_created_subject.txt",
                                 "registration/login_created_email.txt"),
    AccountMailKind.PASSWORD_RESET: ("registration/password_reset_subject.txt",
                                     "registration/password_reset_email.html"),
}


# --- Building -------------------------------------------------------------------------

def link_context(user) -> dict:
    """What the invitation and reset templates need: the one-time link's parts, with the
    site's address from HALSAM_BASE_URL (as in every other e-mail the system sends)."""
    base = urlsplit(settings.HALSAM_BASE_URL)
    return {
        "user": user, "username": user.get_username(), "email": user.email,
        "site_name": _("HälSam"), "protocol": base.scheme or "https",
        "domain": base.netloc, "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def account_message(*, kind: str, user, email: str) -> EmailMultiAlternatives:
    """The invitation or password reset e-mail, in the site's language."""
    subject_template, body_template = TEMPLATES[AccountMailKind(kind)]
    with translation.override(settings.LANGUAGE_CODE):
        context = link_context(user)
        subject = render_subject(subject_template, context)
        body = render_to_string(body_template, context)
    return EmailMultiAlternatives(subject=subject, body=body, to=[email],
                                  headers={"Auto-Submitted": "auto-generated"})


# --- Queueing -------------------------------------------------------------------------

@transaction.atomic
def account_mail_queue(*, user, kind: str, requested_by=None) -> AccountMail:
    """Queue one invitation or reset e-mail to ``user``; it is sent after commit."""
    email = (user.email or "").strip()
    if not email:
        raise ValidationError({"email": _("%(user)s has no e-mail address.")
                               % {"user": user.get_username()}})
    row = AccountMail.objects.create(user=user, kind=kind, email=email,
                                     requested_by=requested_by)
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _enqueue(pk: int) -> None:
    from governance.tasks import send_account_mail

    try:
        send_account_mail.delay(pk)
    except Exception:  # broker down: the sweep (or run_due_jobs) sends the row later
        log.warning("account mail %s: could not queue the task", pk, exc_info=True)


# --- Sending --------------------------------------------------------------------------

def account_mail_send(*, mail_id: int, now: dt.datetime | None = None) -> tuple[str, int]:
    """Send one queued row at most once; returns (outcome, seconds until a retry)."""

    now = now or timezone.now()
    row = (AccountMail.objects.filter(pk=mail_id).order_by()
           .values("status", "attempts", "attempted_at").first())
    if row is None or row["status"] not in PENDING:
        return "skipped", 0
    if row["status"] == AccountMailStatus.RETRYING and row["attempted_at"] is not None:
        due = row["attempted_at"] + retry_delay(row["attempts"])
        if due > now:
            return "not_due", int((due - now).total_seconds()) + 1
    connection = get_connection()
    try:
        with transaction.atomic():
            # The claim: exactly one caller moves (status, attempts) on.
            if not AccountMail.objects.filter(
                    pk=mail_id, status=row["status"], attempts=row["attempts"]).update(
                    attempts=F("attempts") + 1, attempted_at=now):
                return "skipped", 0
            attempts = row["attempts"] + 1
            mail = AccountMail.objects.select_related("user").get(pk=mail_id)
            try:
                if not mail.user.is_active:
                    raise ValueError(_("The login is no longer active."))
                message = account_message(kind=mail.kind, user=mail.user, email=mail.email)
                connection.open()
                connection.send_messages([message])
            except Exception as exc:
                retry = is_transient(exc) and attempts <= len(settings.NOTICE_RETRY_DELAYS)
                status = AccountMailStatus.RETRYING if retry else AccountMailStatus.FAILED
                AccountMail.objects.filter(pk=mail_id).update(
                    status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000])
                log.warning("account mail %s attempt %d: %s (%s)", mail_id, attempts, exc,
                            status, exc_info=not is_transient(exc))
                if retry:
                    return "retry", int(retry_delay(attempts).total_seconds())
                return "failed", 0
            AccountMail.objects.filter(pk=mail_id).update(
                status=AccountMailStatus.SENT, sent_at=timezone.now(), last_error="")
        return "sent", 0
    finally:
        try:
            connection.close()
        except Exception:  # the message was accepted and recorded; QUIT must not resend it
            log.warning("closing the mail connection failed", exc_info=True)


def account_mail_retry(*, mail: AccountMail, actor) -> AccountMail:
    """A failed row tried again from the start (the coordinator's "Försök igen")."""
    with transaction.atomic():
        changed = AccountMail.objects.filter(pk=mail.pk, status=AccountMailStatus.FAILED).update(
            status=AccountMailStatus.PENDING, attempts=0, attempted_at=None, last_error="",
            requested_by=actor)
        if changed:
            transaction.on_commit(lambda: _enqueue(mail.pk))
    mail.refresh_from_db()
    return mail


# --- Sweeps ---------------------------------------------------------------------------

def _due(now: dt.datetime, stuck_after: dt.timedelta = STUCK_AFTER):
    due = (Q(status=AccountMailStatus.PENDING, attempted_at__lte=now - stuck_after)
           | Q(status=AccountMailStatus.PENDING, attempted_at__isnull=True,
               created_at__lte=now - stuck_after))
    for n in range(1, len(settings.NOTICE_RETRY_DELAYS) + 1):
        due |= Q(status=AccountMailStatus.RETRYING, attempts=n,
                 attempted_at__lte=now - retry_delay(n))
    return AccountMail.objects.filter(due).order_by("pk").values_list("pk", flat=True)


def account_mails_requeue(*, now: dt.datetime | None = None) -> int:
    """Queue again the rows whose retry is due and those stranded by a dead worker."""
    ids = list(_due(now or timezone.now())[:1000])
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def account_mails_send_pending(*, now: dt.datetime | None = None) -> int:
    """Like ``account_mails_requeue`` but sends in this process; returns how many were sent."""
    now = now or timezone.now()
    return sum(account_mail_send(mail_id=pk, now=now)[0] == "sent"
               for pk in list(_due(now)[:1000]))
