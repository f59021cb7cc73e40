"""The coordinator's view of the login e-mails (invitations, password resets), and the
people admin's actions that create logins and resend invitations (issue 12 §8).

Each e-mail is queued (halsam/account_mail.py) in the transaction that creates the
login: a mail server that is down gives neither a 500 nor a lost invitation. Where
Celery runs eagerly the first attempt happens before the page answers, so the message
can say per person whether the e-mail went out or will be tried again.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Person
from .models_account_mail import AccountMail, AccountMailStatus


def _report(modeladmin, request, sent: list[tuple[Person, AccountMail]], *, done: str) -> None:
    """One message for those whose e-mail went out or is queued, one per failure."""
    ok = 0
    for person, row in sent:
        row.refresh_from_db(fields=["status", "last_error"])
        if row.status == AccountMailStatus.FAILED:
            modeladmin.message_user(request, gettext(
                "%(person)s: the e-mail to %(email)s could not be sent (%(error)s). Correct "
                "the address and use “Resend the login invitation”.") % {
                "person": person.name, "email": row.email, "error": row.last_error},
                messages.ERROR)
        elif row.status == AccountMailStatus.RETRYING:
            modeladmin.message_user(request, gettext(
                "%(person)s: the mail server did not accept the e-mail to %(email)s; it will "
                "be tried again automatically.") % {"person": person.name, "email": row.email},
                messages.WARNING)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, done % {"n": ok}, messages.SUCCESS)


def _one_batch(modeladmin, request, queryset) -> list[Person] | None:
    """The selected people, at most ``LOGIN_BATCH`` of them; None (with a message) when
    more are selected."""
    people = list(queryset.order_by("pk")[:modeladmin.LOGIN_BATCH + 1])
    if len(people) > modeladmin.LOGIN_BATCH:
        modeladmin.message_user(request, ngettext(
            "Select at most %(n)d person at a time.", "Select at most %(n)d people at a time.",
            modeladmin.LOGIN_BATCH) % {"n": modeladmin.LOGIN_BATCH}, messages.ERROR)
        return None
    return people


def create_logins(modeladmin, request, queryset) -> None:
    """The member portal's logins, made by the coordinator: one per selected person
    without one (user name = e-mail address), with the password-choosing link queued in
    the same transaction."""
    from halsam.accounts import send_login_invitation

    from . import services

    people = _one_batch(modeladmin, request, queryset)
    if people is None:
        return
    queued: list[tuple[Person, AccountMail]] = []
    for person in people:
        try:
            with transaction.atomic():
                user = services.person_login_create(
                    actor=request.user, person=person,
                    reason=gettext("Login created in the admin"))
                queued.append((person, send_login_invitation(user, requested_by=request.user)))
        except ValidationError as exc:
            modeladmin.message_user(request, f"{person.name}: {' '.join(exc.messages)}",
                                    messages.WARNING)
    _report(modeladmin, request, queued, done=ngettext(
        "%(n)d login created; the link for choosing the password is e-mailed.",
        "%(n)d logins created; the links for choosing the passwords are e-mailed.",
        len(queued)))


def resend_invitations(modeladmin, request, queryset) -> None:
    """"Skicka inbjudan igen": a new password-choosing link to each selected person's
    login (the earlier link stops working once a password is chosen)."""
    from halsam.accounts import send_login_invitation

    people = _one_batch(modeladmin, request, queryset.select_related("user"))
    if people is None:
        return
    queued: list[tuple[Person, AccountMail]] = []
    for person in people:
        if person.user is None:
            modeladmin.message_user(request, gettext(
                "%(person)s has no login; create one first.") % {"person": person.name},
                messages.WARNING)
            continue
        try:
            queued.append((person, send_login_invitation(person.user,
                                                         requested_by=request.user)))
        except ValidationError as exc:
            modeladmin.message_user(request, f"{person.name}: {' '.join(exc.messages)}",
                                    messages.WARNING)
    _report(modeladmin, request, queued, done=ngettext(
        "The login invitation is e-mailed again to %(n)d person.",
        "The login invitation is e-mailed again to %(n)d people.", len(queued)))


create_logins.short_description = _("Create a login and e-mail a link for choosing the password")
create_logins.allowed_permissions = ("change",)
resend_invitations.short_description = _("Resend the login invitation")
resend_invitations.allowed_permissions = ("change",)


@admin.register(AccountMail)
class AccountMailAdmin(admin.ModelAdmin):
    """Read-only: what was queued, sent or failed; a failed e-mail can be tried again."""

    list_display = ["created_at", "kind", "email", "user", "status", "attempts", "sent_at",
                    "requested_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["user", "requested_by"]
    search_fields = ["email", "user__username"]
    readonly_fields = ["user", "kind", "email", "status", "attempts", "last_error",
                       "requested_by", "created_at", "attempted_at", "sent_at"]
    fields = readonly_fields
    actions = ["retry_failed"]

    def has_add_permission(self, request) -> bool:
        return False

    # Logins' addresses and errors are the coordinator's business only (not the editor's,
    # whose group may view the governance models).
    def has_view_permission(self, request, obj=None) -> bool:
        return (request.user.has_perm("governance.coordinate")
                and super().has_view_permission(request, obj))

    def has_change_permission(self, request, obj=None) -> bool:
        return (request.user.has_perm("governance.coordinate")
                and super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Try the failed e-mails again"), permissions=["change"])
    def retry_failed(self, request, queryset) -> None:
        from halsam.account_mail import account_mail_retry

        rows = list(queryset.filter(status=AccountMailStatus.FAILED).order_by("pk")[:200])
        for row in rows:
            account_mail_retry(mail=row, actor=request.user)
        self.message_user(request, ngettext(
            "%(n)d e-mail queued again.", "%(n)d e-mails queued again.", len(rows))
            % {"n": len(rows)}, messages.SUCCESS)
