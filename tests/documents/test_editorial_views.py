"""The editor's queue (/redaktion/), a version's accessibility page and the public
accessibility statement's access rules (the statement itself: test_statement.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import accessibility
from documents.models import AccessibilityCheck, AccessibilityStatement, VersionStatus

from .editorial_builders import (
    Personas,
    in_force,
    make_document,
    make_version,
    untagged_pdf,
)

QUEUE = "/redaktion/"
STATEMENT_EDIT = "/tillganglighet/redigera/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    return Personas()


def version_page(version) -> str:
    return f"/redaktion/version/{version.pk}/tillganglighet/"


# --- access ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [QUEUE, STATEMENT_EDIT])
def test_anonymous_is_sent_to_log_in(client, people, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "login" in response["Location"] and path in response["Location"]


def test_queue_is_for_editors_and_coordinators_only(client, people):
    client.force_login(people.member_user)
    assert client.get(QUEUE).status_code == 403
    for user in (people.editor, people.coordinator):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 200


def test_statement_is_edited_by_the_editor_only(client, people):
    for user in (people.member_user, people.coordinator):
        client.force_login(user)
        assert client.get(STATEMENT_EDIT).status_code == 403
        assert client.post(STATEMENT_EDIT, {"body": "x", "reason": "y"}).status_code == 403
    assert not AccessibilityStatement.objects.exists()


# --- the queue -------------------------------------------------------------------------------

def _fill(people, n: int, *, start: int = 0) -> None:
    """n documents of each kind the queue lists."""
    today, now = timezone.localdate(), timezone.now()
    for i in range(start, start + n):
        waiting = make_document(body=people.body, title=f"Väntar {i}")
        make_version(waiting, status=VersionStatus.APPROVED, approved_at=now - dt.timedelta(days=9))
        in_force(body=people.body, title=f"Granskas {i}", next_review_on=today)
        in_force(body=people.body, title=f"Slutar {i}", valid_until=today + dt.timedelta(days=30))
        in_force(body=people.body, title=f"Uppsagd {i}", until_further_notice=True,
                 termination_notice_months=12,
                 termination_handled_on=today - dt.timedelta(days=330))


def test_queue_lists_what_the_editor_should_act_on(client, people):
    today = timezone.localdate()
    _fill(people, 1)
    in_force(body=people.body, title="Granskas senare", next_review_on=today + dt.timedelta(
        days=200))
    client.force_login(people.editor)
    queue = client.get(QUEUE).context["queue"]
    assert [e.document.title for e in queue.unpublished] == ["Väntar 0"]
    assert queue.unpublished[0].days == 9
    assert [e.document.title for e in queue.reviews] == ["Granskas 0"]
    assert {e.document.title for e in queue.ending} == {"Slutar 0", "Uppsagd 0"}
    assert "Granskas senare" in {e.document.title for e in queue.recently_published}
    content = client.get(QUEUE).content.decode()
    for title in ("Väntar 0", "Granskas 0", "Slutar 0", "Uppsagd 0"):
        assert title in content


def test_queue_lists_versions_whose_accessibility_is_not_in_order(
        client, people, django_capture_on_commit_callbacks):
    failing = make_version(make_document(body=people.body, title="Otaggad"),
                           content=untagged_pdf(), status=VersionStatus.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):  # the queued machine check
        accessibility.accessibility_check_record(
            version=failing, actor=people.editor,
            **dict.fromkeys(accessibility.CHECKLIST_FIELDS, True))
    unchecked = make_version(make_document(body=people.body, title="Ogranskad"),
                             status=VersionStatus.APPROVED)
    client.force_login(people.editor)
    response = client.get(QUEUE)
    assert response.context["accessibility"] == [unchecked, failing]
    assert version_page(failing) in response.content.decode()


def test_queue_query_count_does_not_grow_with_the_documents(client, people):
    client.force_login(people.editor)
    client.get(QUEUE)  # warm up the session and permission caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _fill(people, 3)
    small = count()
    _fill(people, 27, start=3)
    large = count()
    assert len(client.get(QUEUE).context["queue"].unpublished) == 30
    assert small == large, (small, large)


# --- a version's accessibility page ---------------------------------------------------------

def test_editor_sees_the_machine_check_before_the_checklist_and_records_it(
        client, people, django_capture_on_commit_callbacks):
    version = make_version(make_document(body=people.body), content=untagged_pdf(),
                           status=VersionStatus.APPROVED)
    client.force_login(people.editor)
    response = client.get(version_page(version))
    assert response.status_code == 200
    assert response.context["summary"].machine_pending  # looking runs nothing (§3)
    assert not AccessibilityCheck.objects.exists()  # looking stores nothing
    accessibility.accessibility_machine_check_run(version=version)  # what the worker does
    response = client.get(version_page(version))
    summary = response.context["summary"]
    assert summary.machine["problems"] == ["not_tagged", "no_title", "no_language"]
    assert not summary.ready
    content = response.content.decode()
    assert str(accessibility.PROBLEM_MESSAGES["not_tagged"]) in content

    answers = {name: "on" for name in accessibility.CHECKLIST_FIELDS}
    answers.update(action="record", note="Taggad om i Word")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(version_page(version), answers)
    assert response.status_code == 302
    check = AccessibilityCheck.objects.get(version=version)
    assert check.complete and check.checked_by == people.editor
    assert check.machine_result["passed"] is False
    assert check.history.first().history_user == people.editor


def test_coordinator_may_look_but_not_record(client, people):
    version = make_version(make_document(body=people.body), status=VersionStatus.APPROVED)
    client.force_login(people.coordinator)
    assert client.get(version_page(version)).status_code == 200
    assert client.post(version_page(version), {"action": "rerun"}).status_code == 403
    client.force_login(people.member_user)
    assert client.get(version_page(version)).status_code == 403
    assert not AccessibilityCheck.objects.exists()


def test_rerun_stores_the_machine_result(client, people, django_capture_on_commit_callbacks):
    version = make_version(make_document(body=people.body), status=VersionStatus.APPROVED)
    client.force_login(people.editor)
    with django_capture_on_commit_callbacks(execute=True):  # queued, run by the worker
        assert client.post(version_page(version), {"action": "rerun"}).status_code == 302
    assert AccessibilityCheck.objects.get(version=version).machine_result["passed"] is True
