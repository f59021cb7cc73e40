"""issue 12 §8: login invitations and password resets through a retrying queue
(halsam/account_mail.py, governance/account_mail_admin.py, halsam/password_reset.py).

Reproduced before: with SMTP down, "create login" answered 500 after creating the login
and the invitation was lost; a password reset was dropped silently; resets were not
throttled.
"""
from __future__ import annotations

import datetime as dt
import re
import smtplib

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Person
from governance.models_account_mail import AccountMail, AccountMailKind, AccountMailStatus
from halsam import account_mail
from tests.conftest import choose_language
from tests.governance.factories import MembershipFactory, PersonFactory, UserFactory

DOWN = "tests.governance.test_account_mail.DownBackend"
REFUSED = "tests.governance.test_account_mail.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD = "ett-riktigt-hemligt-losen-42"


class DownBackend(BaseEmailBackend):
    """A mail server that is down: the connection is refused (transient)."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the address for good (550: not transient)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the queued task, eager) of what happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _changelist_action(client, action: str, people: list[Person]):
    return client.post(reverse("admin:governance_person_changelist"),
                       {"action": action, "_selected_action": [p.pk for p in people]},
                       follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)


def _later(minutes: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


# --- Create login with the mail server down -------------------------------------------------

@pytest.mark.django_db(transaction=True)  # on-commit work runs as in production
def test_issue_12_s8_create_login_with_smtp_down_is_no_500_and_the_invitation_is_retried(
        coordinator_client, commit, settings):
    settings.EMAIL_BACKEND = DOWN
    anna = PersonFactory(first_name="Anna", last_name="Ek", email="anna@exempel.invalid")
    with commit():
        response = _changelist_action(coordinator_client, "create_logins", [anna])
    assert response.status_code == 200
    shown = _messages(response)
    assert any("Anna Ek" in m and "anna@exempel.invalid" in m for m in shown), shown
    anna.refresh_from_db()
    assert anna.user is not None  # the login exists, and so does its invitation:
    row = AccountMail.objects.get(user=anna.user)
    assert (row.kind, row.status, row.attempts) == (
        AccountMailKind.INVITATION, AccountMailStatus.RETRYING, 1)
    assert "Connection refused" in row.last_error and row.requested_by.username == "koordinator"

    # The mail server is back: the retry is not due yet, then it is, and it is sent once.
    settings.EMAIL_BACKEND = LOCMEM
    assert account_mail.account_mails_send_pending(now=timezone.now()) == 0
    assert account_mail.account_mails_send_pending(now=_later(2)) == 1
    assert account_mail.account_mails_send_pending(now=_later(60)) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@exempel.invalid"]
    row.refresh_from_db()
    assert row.status == AccountMailStatus.SENT and row.sent_at and row.last_error == ""

    # The link chooses the password (at least 12 characters).
    browser = Client()
    form = browser.get(_link(mail.outbox[0]), follow=True)
    assert form.context["validlink"]
    short = browser.post(form.redirect_chain[-1][0],
                         {"new_password1": "kort-lösen1", "new_password2": "kort-lösen1"})
    assert short.status_code == 200 and short.context["form"].errors["new_password2"]
    done = browser.post(form.redirect_chain[-1][0],
                        {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    assert browser.login(username="anna@exempel.invalid", password=PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_issue_12_s8_a_refused_address_fails_for_good_and_is_shown_per_person(
        coordinator_client, commit, settings):
    settings.EMAIL_BACKEND = REFUSED
    choose_language(coordinator_client, "en")
    anna = PersonFactory(first_name="Anna", last_name="Ek", email="anna@exempel.invalid")
    bo = PersonFactory(first_name="Bo", last_name="Ek", email="bo@exempel.invalid")
    with commit():
        response = _changelist_action(coordinator_client, "create_logins", [anna, bo])
    shown = _messages(response)
    assert sum("could not be sent" in m and "No such user" in m for m in shown) == 2, shown
    assert set(AccountMail.objects.values_list("status", flat=True)) == {AccountMailStatus.FAILED}
    assert account_mail.account_mails_send_pending(now=_later(600)) == 0  # final

    # The coordinator sees it in the admin and tries again once the address is right.
    listing = coordinator_client.get(reverse("admin:governance_accountmail_changelist"),
                                     {"status": "failed"})
    assert listing.status_code == 200 and "anna@exempel.invalid" in listing.content.decode()
    settings.EMAIL_BACKEND = LOCMEM
    with commit():
        coordinator_client.post(reverse("admin:governance_accountmail_changelist"), {
            "action": "retry_failed",
            "_selected_action": list(AccountMail.objects.values_list("pk", flat=True))})
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@exempel.invalid", "bo@exempel.invalid"]
    assert set(AccountMail.objects.values_list("status", flat=True)) == {AccountMailStatus.SENT}


@pytest.mark.django_db
def test_issue_12_s8_resend_invitation_action(coordinator_client, commit, settings):
    """"Skicka inbjudan igen": a new link, which works; people without a login are named."""
    choose_language(coordinator_client, "sv")
    anna = PersonFactory(first_name="Anna", last_name="Ek", email="anna@exempel.invalid")
    nologin = PersonFactory(first_name="Cia", last_name="Berg")
    with commit():
        _changelist_action(coordinator_client, "create_logins", [anna])
    assert len(mail.outbox) == 1
    page = coordinator_client.get(reverse("admin:governance_person_changelist"))
    assert "Skicka inbjudan igen" in page.content.decode()
    with commit():
        response = _changelist_action(coordinator_client, "resend_invitations", [anna, nologin])
    shown = _messages(response)
    assert any("Cia Berg" in m for m in shown), shown
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["anna@exempel.invalid"]
    assert "&amp;" not in mail.outbox[1].subject
    assert Client().get(_link(mail.outbox[1]), follow=True).context["validlink"]
    assert AccountMail.objects.filter(user__person=anna, status=AccountMailStatus.SENT).count() == 2


@pytest.mark.django_db
def test_issue_12_s8_the_sweep_requeues_a_row_left_by_a_dead_worker(
        django_capture_on_commit_callbacks):
    user = UserFactory(email="dora@exempel.invalid")
    with django_capture_on_commit_callbacks(execute=False) as queued:  # the task is lost
        row = account_mail.account_mail_queue(user=user, kind=AccountMailKind.INVITATION)
    assert len(queued) == 1 and mail.outbox == []
    from governance.tasks import sweep_account_mail

    assert sweep_account_mail() == 0  # not yet: it may still be on its way
    AccountMail.objects.filter(pk=row.pk).update(created_at=_later(-30))
    assert sweep_account_mail() == 1  # eager: queued and sent
    assert sweep_account_mail() == 0
    row.refresh_from_db()
    assert row.status == AccountMailStatus.SENT and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_issue_12_s8_replace_member_with_smtp_down_keeps_the_invitation_and_says_so(
        halsam, coordinator, settings):
    """"Byt ledamot" creating a login for the new member while the mail server is down:
    the replacement is saved, the invitation waits in the queue, and the page text tells
    the coordinator about both e-mails instead of a 500."""
    from governance import replacement
    from governance.coordination_views import _welcome_text
    from governance.models import Seat

    settings.EMAIL_BACKEND = DOWN
    settings.LANGUAGE_CODE = "en"
    s = Seat.objects.get(body__slug="lansledning", key="fc-socialforvaltning-sundsvall")
    bo = PersonFactory(first_name="Bo", last_name="Berg", principal=s.principal)
    outgoing = MembershipFactory(seat=s, person=bo, start=dt.date(2024, 1, 1))
    result = replacement.member_replace(
        actor=coordinator, outgoing=outgoing, end=dt.date(2026, 12, 31),
        new_person={"first_name": "Anna", "last_name": "Ek", "email": "anna@exempel.invalid",
                    "title": "", "principal": None})
    assert result.login_created and result.welcome_problem
    row = AccountMail.objects.get(user__username="anna@exempel.invalid")
    assert row.status == AccountMailStatus.RETRYING
    text = _welcome_text(result)
    assert "welcome e-mail to anna@exempel.invalid could not be sent" in text
    assert "login invitation to anna@exempel.invalid could not be sent now" in text
    settings.EMAIL_BACKEND = LOCMEM
    assert account_mail.account_mails_send_pending(now=_later(2)) == 1
    assert [m.to for m in mail.outbox] == [["anna@exempel.invalid"]]


@pytest.mark.django_db
def test_issue_12_s8_only_coordinators_see_the_login_emails(coordinator_client, client,
                                                          role_groups):
    from governance.roles import EDITOR_GROUP

    url = reverse("admin:governance_accountmail_changelist")
    assert coordinator_client.get(url).status_code == 200
    editor = UserFactory(username="redaktor", is_staff=True)
    editor.groups.add(role_groups[EDITOR_GROUP])
    client.force_login(editor)
    assert client.get(url).status_code == 403


# --- Password reset: queued, retried, throttled --------------------------------------------

@pytest.fixture
def member(db):
    user = UserFactory(username="ledamot", email="ledamot@exempel.invalid")
    user.set_password(PASSWORD)
    user.save()
    return user


def _reset(client, email: str, ip: str = "10.0.0.1"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_issue_12_s8_password_reset_with_smtp_down_is_kept_and_sent_later(
        client, member, commit, settings):
    settings.EMAIL_BACKEND = DOWN
    with commit():
        response = _reset(client, "LEDAMOT@exempel.invalid")
    assert response.status_code == 302
    row = AccountMail.objects.get()
    assert (row.user, row.kind, row.status) == (member, AccountMailKind.PASSWORD_RESET,
                                                AccountMailStatus.RETRYING)
    settings.EMAIL_BACKEND = LOCMEM
    assert account_mail.account_mails_send_pending(now=_later(2)) == 1
    (message,) = mail.outbox
    assert message.to == ["ledamot@exempel.invalid"] and "/accounts/reset/" in message.body
    assert "\n" not in message.subject and "&" + "amp;" not in message.subject


@pytest.mark.django_db
def test_issue_12_s8_password_resets_are_throttled_per_address(client, member, commit, settings):
    assert settings.PASSWORD_RESET_THROTTLE_LIMIT == 5
    answers = []
    with commit():
        for n in range(7):
            answers.append(_reset(client, "ledamot@exempel.invalid", ip=f"10.0.1.{n}"))
    assert AccountMail.objects.count() == len(mail.outbox) == 5
    # The throttled answer is the same as any other.
    assert {(r.status_code, r.headers["Location"]) for r in answers} == {
        (302, "/accounts/password_reset/done/")}


@pytest.mark.django_db
def test_issue_12_s8_password_resets_are_throttled_per_client_address(client, member, commit,
                                                                      settings):
    settings.PASSWORD_RESET_THROTTLE_LIMIT = 3
    with commit():
        for n in range(3):
            assert _reset(client, f"ingen{n}@exempel.invalid").status_code == 302
        # The fourth request from that address is not acted on, whoever it names ...
        throttled = _reset(client, "ledamot@exempel.invalid")
        # ... while another address is.
        other = _reset(client, "ledamot@exempel.invalid", ip="10.9.9.9")
    assert throttled.status_code == other.status_code == 302
    assert throttled.headers["Location"] == other.headers["Location"]
    assert [m.to for m in mail.outbox] == [["ledamot@exempel.invalid"]]
    assert AccountMail.objects.count() == 1


@pytest.mark.django_db
def test_issue_12_s8_unknown_address_and_known_address_get_the_same_answer(client, member,
                                                                           commit):
    with commit():
        known, unknown = _reset(client, member.email), _reset(client, "ingen@exempel.invalid")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code, unknown.headers["Location"])
    assert AccountMail.objects.count() == 1


# --- Password length -----------------------------------------------------------------------

def test_issue_12_s8_passwords_need_12_characters():
    with pytest.raises(ValidationError) as exc:
        validate_password("Ab3-ef7-gh9")  # 11
    assert any(e.code == "password_too_short" for e in exc.value.error_list)
    validate_password("Ab3-ef7-gh9x")  # 12
