"""E-mails about a login (the invitation to choose a password, a password reset), queued.

One row per e-mail, inserted in the transaction that decides to send it and sent after
commit by ``halsam.account_mail`` (a Celery task, retried with backoff on transient
SMTP failures; a final failure stays on the row, where the coordinator sees it in the
admin). The row holds no secret: the link is made when the e-mail is built.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccountMailKind(models.TextChoices):
    INVITATION = "invitation", _("login invitation")
    PASSWORD_RESET = "password_reset", _("password reset")


class AccountMailStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    RETRYING = "retrying", _("to be tried again")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class AccountMail(models.Model):
    """One login invitation or password reset e-mail to one login."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("login"),
                             on_delete=models.CASCADE, related_name="account_mails")
    kind = models.CharField(_("kind"), max_length=20, choices=AccountMailKind.choices)
    email = models.EmailField(_("address"))
    status = models.CharField(_("status"), max_length=20, choices=AccountMailStatus.choices,
                              default=AccountMailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    # The time of the last claim or attempt: a retry is due NOTICE_RETRY_DELAYS after it.
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("login e-mail")
        verbose_name_plural = _("login e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "attempted_at"],
                                name="accountmail_status_idx")]
        constraints = [
            models.CheckConstraint(name="accountmail_kind_valid",
                                   condition=Q(kind__in=AccountMailKind.values)),
            models.CheckConstraint(name="accountmail_status_valid",
                                   condition=Q(status__in=AccountMailStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.email} ({self.get_status_display()})"
