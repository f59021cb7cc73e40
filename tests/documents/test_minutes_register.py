"""Published minutes appear in the document register as kind "protokoll" (issue 11, flow
4): the minutes PDF as a published version, public only when the meeting is, once per
meeting however often the signal comes, and published together with the minutes or not
at all."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from documents import access, minutes_register
from documents.models import Document, DocumentKind, DocumentVersion, VersionStatus
from meetings import pdf, services
from meetings.models import Minutes, MinutesStatus
from meetings.signals import minutes_published
from tests.conftest import close_response
from tests.governance.factories import UserFactory
from tests.meetings.builders import load_preset, meeting, person, place, seat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")


def approved_minutes(*, is_public: bool = True, days_ago: int = 7) -> Minutes:
    """A Länsledning meeting held ``days_ago`` days ago, its minutes approved by a checker."""
    a, b = person("sundsvall"), person("timra")
    place(a, seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    place(b, seat("lansledning", "timra", "fc-skolforvaltning"))
    m = meeting("lansledning", dt.date.today() - dt.timedelta(days=days_ago),
                is_public=is_public)
    services.attendance_record(actor=None, meeting=m, attended={a.pk: True, b.pk: True})
    minutes = services.minutes_create(actor=None, meeting=m)
    services.minutes_update(actor=None, minutes=minutes, checkers=[a],
                            summary="Länsledningen beslutade om den gemensamma rutinen.")
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    return services.minutes_approve(actor=None, minutes=minutes, checker=a)


def test_publishing_minutes_registers_a_public_protokoll_with_the_pdf(
        halsam, client, django_capture_on_commit_callbacks):
    minutes = approved_minutes()
    secretary = UserFactory(username="sekreteraren")
    with django_capture_on_commit_callbacks(execute=True):  # the queued machine check
        services.minutes_publish(actor=secretary, minutes=minutes)
    meeting = minutes.meeting
    document = Document.objects.get(decided_at=meeting)
    assert document.kind == DocumentKind.MINUTES
    assert document.owner_body == meeting.body and document.is_public
    assert document.title.startswith("Protokoll Länsledning")
    version = document.versions.get()
    assert version.status == VersionStatus.PUBLISHED and version.number == 1
    assert version.content_type == "application/pdf"
    with version.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF-")
    assert version.sha256 == hashlib.sha256(data).hexdigest() and version.size == len(data)
    assert data == pdf.minutes_pdf(meeting)
    assert version.approved_meeting == meeting and version.published_by == secretary
    minutes.refresh_from_db()
    assert version.published_on == timezone.localdate(minutes.published_at)
    assert version.accessibility.machine_result.get("tagged") is True
    history = document.history.get()
    assert history.history_user == secretary
    assert history.history_change_reason.startswith("Protokollet publicerades")
    # Everyone finds it: the register page and the file.
    assert document in access.visible_documents(AnonymousUser())
    assert client.get(document.get_absolute_url()).status_code == 200
    url = reverse("documents:download", args=[document.pk, 1, "protokoll.pdf"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    close_response(response)


def test_a_non_public_meetings_minutes_stay_internal(halsam, client):
    minutes = approved_minutes(is_public=False)
    services.minutes_publish(actor=None, minutes=minutes)
    document = Document.objects.get(decided_at=minutes.meeting)
    assert document.kind == DocumentKind.MINUTES and not document.is_public
    assert document.versions.get().status == VersionStatus.PUBLISHED
    assert document not in access.visible_documents(AnonymousUser())
    assert client.get(document.get_absolute_url()).status_code == 404
    outsider = UserFactory(username="utomstaende")
    client.force_login(outsider)
    assert client.get(document.get_absolute_url()).status_code == 403
    member = person("harnosand", user=UserFactory(username="ledamoten"))
    place(member, seat("lansledning", "harnosand", "fc-socialforvaltning"))
    client.force_login(member.user)
    assert client.get(document.get_absolute_url()).status_code == 200


def test_the_signal_twice_registers_the_minutes_once(halsam):
    minutes = approved_minutes()
    services.minutes_publish(actor=None, minutes=minutes)
    minutes.refresh_from_db()
    minutes_published.send(sender=Minutes, minutes=minutes, actor=None)
    assert minutes_register.minutes_register(minutes=minutes) is None
    assert Document.objects.filter(decided_at=minutes.meeting).count() == 1
    assert DocumentVersion.objects.filter(document__decided_at=minutes.meeting).count() == 1


def test_republished_minutes_with_other_content_supersede_the_first(halsam, monkeypatch):
    minutes = approved_minutes()
    services.minutes_publish(actor=None, minutes=minutes)
    minutes.refresh_from_db()
    real = pdf.minutes_pdf
    monkeypatch.setattr(pdf, "minutes_pdf", lambda m: real(m) + b"\n% rattat\n")
    version = minutes_register.minutes_register(minutes=minutes)
    assert version is not None and version.number == 2
    document = version.document
    assert dict(document.versions.values_list("number", "status")) == {
        1: VersionStatus.SUPERSEDED, 2: VersionStatus.PUBLISHED}


def test_a_failing_register_rolls_the_publishing_back(halsam, monkeypatch):
    minutes = approved_minutes()

    def broken(meeting):
        raise OSError("the PDF could not be made")

    monkeypatch.setattr(pdf, "minutes_pdf", broken)
    with pytest.raises(OSError):
        services.minutes_publish(actor=None, minutes=minutes)
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.APPROVED
    assert not Document.objects.filter(decided_at=minutes.meeting).exists()
