"""Versions in review reach those who may approve them (issue 11, flow 4): listed for
the approvers only (the editor's queue, the coordinator's "Min vecka"), with a constant
number of queries; one e-mail per approver and version, across repeated and concurrent
runs, linking to the approval page; and messages that say what happened and to whom."""
from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import reminders, review, services
from documents.models import ReviewRequest, VersionStatus
from governance import digest

from .editorial_builders import Personas, make_document, make_version

QUEUE = "/redaktion/"
WEEK = "/samordning/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    people = Personas()
    people.coordinator.first_name, people.coordinator.last_name = "Karin", "Koordinator"
    people.coordinator.save()
    people.secretary.first_name, people.secretary.last_name = "Anna", "Andersson"
    people.secretary.save()
    return people


def in_review(people, *, body=None, title="Överenskommelse om samverkan", number=1):
    document = make_document(body=body or people.body, title=title)
    return make_version(document, number=number, status=VersionStatus.IN_REVIEW)


def secretary_login(people):
    from tests.governance.factories import UserFactory

    user = UserFactory(username="sekreterare")
    people.secretary.user = user
    people.secretary.save()
    return user


def approve_url(version) -> str:
    return reverse("documents:transition", kwargs={"pk": version.document_id,
                                                   "number": version.number,
                                                   "step": "godkann"})


# --- who sees what ------------------------------------------------------------------------

def test_versions_in_review_are_listed_for_those_who_may_approve_them_only(people):
    own = in_review(people)
    other = in_review(people, body=people.other_body, title="Rutin för annat organ")
    make_version(make_document(body=people.body, title="Utkast"), status=VersionStatus.DRAFT)
    assert review.awaiting_approval(people.coordinator) == [own, other]
    assert review.awaiting_approval(secretary_login(people)) == [own]
    assert review.awaiting_approval(people.member_user) == []
    assert review.awaiting_approval(people.editor) == []  # editors publish, not approve


def test_the_editors_queue_has_under_granskning(client, people):
    version = in_review(people)
    client.force_login(people.coordinator)
    html = client.get(QUEUE).content.decode()
    assert "<h2 id=\"q-in-review\">Under granskning</h2>" in html
    assert approve_url(version) in html
    assert "1 version väntar på ditt godkännande." in html
    client.force_login(people.editor)  # may not approve: told how many wait, no link
    html = client.get(QUEUE).content.decode()
    assert "Under granskning" in html and approve_url(version) not in html
    assert "1 version är under granskning och väntar på att det ansvariga organets " \
           "sekreterare eller en samverkanskoordinator godkänner den." in html


def test_min_vecka_lists_the_versions_waiting_for_the_coordinator(client, people):
    version = in_review(people)
    client.force_login(people.coordinator)
    response = client.get(WEEK)
    html = response.content.decode()
    assert "<h2 id=\"review-h\">Under granskning</h2>" in html
    assert "1 dokumentversion väntar på ditt godkännande." in html
    assert [e.action_url for _b, e in response.context["awaiting_approval"]] == [
        approve_url(version)]


def _fill(people, n: int) -> None:
    for i in range(n):
        body = people.body if i % 2 else people.other_body
        in_review(people, body=body, title=f"Rutin {i} för samverkan")


@pytest.mark.parametrize("url", [QUEUE, WEEK])
def test_the_lists_query_count_does_not_grow(client, people, django_assert_max_num_queries,
                                             url):
    client.force_login(people.coordinator)
    _fill(people, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _fill(people, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(review.awaiting_approval(people.coordinator)) == 14


def test_awaiting_approval_is_four_queries_at_most(people, django_assert_max_num_queries):
    _fill(people, 10)
    user = secretary_login(people)
    with django_assert_max_num_queries(4):  # two for the permissions
        assert len(review.awaiting_approval(user)) == 5


# --- the e-mail ---------------------------------------------------------------------------

def submit(people, version, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.version_submit(actor=actor, version=version)


def test_sending_for_review_mails_each_approver_once_with_the_approval_link(
        people, django_capture_on_commit_callbacks):
    document = make_document(body=people.body, title="Överenskommelse om samverkan")
    version = make_version(document)
    submit(people, version, people.editor, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "koordinator@exempel.invalid", "sekreterare@exempel.invalid"]
    message = mail.outbox[0]
    assert message.subject == "Att godkänna: version 1 av Överenskommelse om samverkan"
    assert approve_url(version) in message.body
    assert approve_url(version) in message.alternatives[0][0]
    assert "har skickat version 1 av ”Överenskommelse om samverkan” (Länsledningen)" \
        in message.body
    assert ReviewRequest.objects.get(version=version).recipients == 2
    # Sent back and in review again: nobody is told a second time; the sweep agrees.
    with django_capture_on_commit_callbacks(execute=True):
        services.version_return(actor=people.coordinator, version=version)
    submit(people, version, people.editor, django_capture_on_commit_callbacks)
    assert reminders.run_all(timezone.localdate()) == 0
    assert len(mail.outbox) == 2


def test_the_one_who_sends_it_is_not_told(people, django_capture_on_commit_callbacks):
    version = make_version(make_document(body=people.body))
    submit(people, version, people.coordinator, django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == ["sekreterare@exempel.invalid"]


def test_the_sweep_catches_up_on_a_lost_task(people):
    version = in_review(people)  # in review without the task having run
    assert reminders.run_all(timezone.localdate()) == 2
    assert reminders.run_all(timezone.localdate()) == 0
    assert ReviewRequest.objects.filter(version=version).count() == 1


def test_a_failed_send_is_tried_again(people, monkeypatch):
    version = in_review(people)

    class Broken:
        def send_messages(self, messages):
            raise OSError("the mail server is down")

    monkeypatch.setattr(review, "get_connection", lambda: Broken())
    with pytest.raises(OSError):
        review.review_request_send(version_id=version.pk)
    assert not ReviewRequest.objects.filter(version=version).exists()
    monkeypatch.undo()
    assert review.review_request_send(version_id=version.pk) == 2


def test_the_weekly_digest_does_not_repeat_it(people):
    version = in_review(people)
    review.review_request_send(version_id=version.pk)
    mail.outbox.clear()
    digest.digest_send(on=timezone.localdate())
    assert not any(version.document.title in m.subject + m.body for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_review_request_once(monkeypatch):
    """Two runs at once, each with its own database connection: every approver once."""
    people = Personas()
    versions = [in_review(people, title=f"Rutin {n}") for n in range(3)]
    real_connection = review.get_connection

    class Slow:
        def send_messages(self, messages):
            time.sleep(0.02)
            return real_connection().send_messages(messages)

    monkeypatch.setattr(review, "get_connection", lambda: Slow())
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                connection.cursor().execute("PRAGMA read_uncommitted = 1")
            barrier.wait()
            counts.append(sum(review.review_request_send(version_id=v.pk) for v in versions))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(counts) == 3 * 2  # secretary and coordinator, per version
    pairs = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(pairs) == len(set(pairs)) == 6
    assert ReviewRequest.objects.count() == 3


# --- the messages -------------------------------------------------------------------------

@pytest.fixture
def step(client, django_capture_on_commit_callbacks):
    return lambda *args, **kwargs: _step(client, django_capture_on_commit_callbacks, *args,
                                         **kwargs)


def _step(client, on_commit, version, slug, data=None):
    url = reverse("documents:transition", kwargs={"pk": version.document_id,
                                                  "number": version.number, "step": slug})
    with on_commit(execute=True):
        response = client.post(url, data or {}, follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]
    return [str(m) for m in response.context["messages"]]


def test_the_messages_say_what_happened_and_to_whom(client, people, step):
    version = make_version(make_document(body=people.body,
                                         title="Överenskommelse om samverkan"))
    client.force_login(people.editor)
    assert step(version, "granskning") == [
        "Version 1 av ”Överenskommelse om samverkan” skickades för granskning till "
        "Anna Andersson och Karin Koordinator."]
    assert len(mail.outbox) == 2
    client.force_login(people.coordinator)
    page = client.get(approve_url(version)).content.decode()
    assert "Läs version 1" in page and "Skicka i stället tillbaka den för ändringar" in page
    assert step(version, "tillbaka") == [
        "Version 1 av ”Överenskommelse om samverkan” är skickad tillbaka för ändringar och "
        "är ett utkast igen."]
    client.force_login(people.editor)
    (again,) = step(version, "granskning")
    assert again.startswith("Version 1 av ”Överenskommelse om samverkan” är under granskning "
                            "igen. De som får godkänna den fick e-post ")
    assert len(mail.outbox) == 2
    client.force_login(people.coordinator)
    assert step(version, "godkann") == [
        "Version 1 av ”Överenskommelse om samverkan” är godkänd; en redaktör kan nu "
        "publicera den."]


def test_approvers_without_an_e_mail_address_are_named(client, people, step):
    people.secretary.email = ""
    people.secretary.save()
    version = make_version(make_document(body=people.body, title="Rutin"))
    client.force_login(people.editor)
    assert step(version, "granskning") == [
        "Version 1 av ”Rutin” skickades för granskning till Karin Koordinator. "
        "Anna Andersson har ingen e-postadress och fick inget meddelande."]
    assert [m.to[0] for m in mail.outbox] == ["koordinator@exempel.invalid"]
