"""The meeting services: planning, changing and cancelling with notices, the agenda and
its papers, with history user and reason."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import Body, MembershipRole
from meetings import services
from meetings.models import AgendaItem, DeliveryKind, Meeting, MeetingStatus, NoticeDelivery

from .builders import at, coordinator_user, future_day, load_preset, meeting, person, place, seat

pytestmark = pytest.mark.django_db

@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")



@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def called(halsam):
    """Two Länsledning members with e-mail and a coming meeting."""
    people = [person("sundsvall"), person("timra")]
    place(people[0], seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    place(people[1], seat("lansledning", "timra", "fc-socialforvaltning"))
    return people, meeting("lansledning", future_day(30))


def deliveries(m, kind) -> list[tuple[int, int]]:
    return sorted(NoticeDelivery.objects.filter(meeting=m, kind=kind)
                  .values_list("person_id", "sequence"))


# --- planning ---------------------------------------------------------------------------

def test_plan_records_history_user_and_reason(halsam):
    user = coordinator_user()
    body = Body.objects.get(slug="lansledning")
    m = services.meeting_plan(actor=user, body=body, start=at("2027-03-10"),
                              end=at("2027-03-10", 16), place="Sundsvall", reason="Årsplanering")
    record = m.history.latest()
    assert record.history_user == user and record.history_change_reason == "Årsplanering"
    assert m.notice_due_at == m.start - dt.timedelta(days=body.notice_days)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"end": at("2027-03-10", 12)}, "end"),
    ({"place": ""}, "place"),
    ({"kind": "theme"}, "area"),
])
def test_plan_refuses_invalid_meetings(halsam, kwargs, field):
    values = {"start": at("2027-03-10"), "end": at("2027-03-10", 15), "place": "Sundsvall",
              **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.meeting_plan(actor=None, body=Body.objects.get(slug="halsam"), **values)
    assert field in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_send_now_then_change_sends_one_update_with_higher_sequence(called):
    people, m = called
    assert services.meeting_notice_send(actor=None, meeting=m) == 2
    m.refresh_from_db()
    assert m.status == MeetingStatus.NOTICE_SENT and m.notice_sent_sequence == m.sequence == 0
    services.meeting_update(actor=None, meeting=m, changes={"place": "Timrå"})
    m.refresh_from_db()
    assert m.sequence == 1 and m.notice_sent_sequence == 1
    assert deliveries(m, DeliveryKind.UPDATE) == sorted((p.pk, 1) for p in people)
    # A change nobody must be told about (public flag) makes no new version.
    services.meeting_update(actor=None, meeting=m, changes={"is_public": False})
    m.refresh_from_db()
    assert m.sequence == 1 and len(deliveries(m, DeliveryKind.UPDATE)) == 2


def test_change_before_any_notice_sends_nothing(called):
    _people, m = called
    services.meeting_update(actor=None, meeting=m, changes={"place": "Timrå"})
    assert not NoticeDelivery.objects.filter(meeting=m).exists()


def test_send_now_again_after_agenda_change_sends_an_update(called):
    people, m = called
    services.meeting_notice_send(actor=None, meeting=m)
    services.agenda_item_add(actor=None, meeting=m, title="Nytt ärende")
    assert services.meeting_notice_send(actor=None, meeting=m) == 2
    m.refresh_from_db()
    assert m.sequence == 1
    assert deliveries(m, DeliveryKind.UPDATE) == sorted((p.pk, 1) for p in people)


def test_cancel_after_notice_sends_cancellation(called):
    people, m = called
    services.meeting_notice_send(actor=None, meeting=m)
    services.meeting_cancel(actor=None, meeting=m, reason="För få anmälda")
    m.refresh_from_db()
    assert m.status == MeetingStatus.CANCELLED and m.cancel_reason == "För få anmälda"
    assert deliveries(m, DeliveryKind.CANCEL) == sorted((p.pk, 1) for p in people)
    with pytest.raises(ValidationError) as exc:
        services.meeting_cancel(actor=None, meeting=m, reason="igen")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.meeting_update(actor=None, meeting=m, changes={"place": "X"})


# --- agenda -----------------------------------------------------------------------------

def titles(m) -> list[str]:
    # Without the election item the rotation rule may put on the year's last meeting (H13)
    # and the formalia of the body's standard agenda (tests/meetings/test_agenda_editor.py).
    return list(AgendaItem.objects.filter(meeting=m, election_for_year__isnull=True,
                                          formalia="")
                .order_by("position", "id").values_list("title", flat=True))


def test_agenda_add_move_delete(halsam):
    # HälSam has no election item (no H13 rule); without the formalia of its standard
    # agenda (those: tests/meetings/test_agenda_editor.py).
    m = meeting("halsam", future_day(30), with_standard_agenda=False)
    items = [services.agenda_item_add(actor=None, meeting=m, title=t) for t in "ABC"]
    services.agenda_item_move(actor=None, item=items[2], direction="up")
    assert titles(m) == ["A", "C", "B"]
    services.agenda_item_move(actor=None, item=items[0], direction="up")  # already first
    assert titles(m) == ["A", "C", "B"]
    services.agenda_item_move(actor=None, item=items[0], direction="down")
    assert titles(m) == ["C", "A", "B"]
    services.agenda_item_delete(actor=None, item=items[0])
    assert titles(m) == ["C", "B"]
    last = services.agenda_item_add(actor=None, meeting=m, title="D")
    assert last.position == AgendaItem.objects.filter(meeting=m).count()


def test_preparation_item_names_its_body(called):
    _people, m = called
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(actor=None, meeting=m, title="Överenskommelse",
                                 kind="preparation")
    assert "prepares_for" in exc.value.message_dict
    item = services.agenda_item_add(actor=None, meeting=m, title="Överenskommelse",
                                    kind="preparation",
                                    prepares_for=Body.objects.get(slug="halsam"))
    assert item.prepares_for.slug == "halsam"


# --- attachments ------------------------------------------------------------------------

def zipped(names: dict[str, bytes], *, first: tuple[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        if first:
            z.writestr(zipfile.ZipInfo(first[0]), first[1])  # stored, as ODF requires
        for name, data in names.items():
            z.writestr(name, data)
    return out.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"content.xml": b"<office:document-content/>"},
             first=("mimetype", b"application/vnd.oasis.opendocument.text"))
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("underlag.pdf", PDF, services.PDF),
    ("underlag.docx", DOCX, services.DOCX),
    ("budget.xlsx", XLSX, services.XLSX),
    ("protokoll.odt", ODT, services.ODT),
])
def test_attachment_accepted_by_content(called, name, data, content_type):
    _people, m = called
    item = services.agenda_item_add(actor=None, meeting=m, title="Underlag")
    att = services.attachment_add(actor=None, item=item, title="",
                                  file=SimpleUploadedFile(name, data))
    assert att.content_type == content_type and att.size == len(data) and att.title == name
    with att.file.open("rb") as f:
        assert f.read() == data


@pytest.mark.parametrize(("name", "data"), [
    ("virus.pdf", b"MZ\x90\x00 this is an executable"),
    ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ("arkiv.docx", zipped({"evil.exe": b"MZ"})),
    ("underlag.docx", PDF),  # the name does not match the content
])
def test_attachment_refused_by_content(called, name, data):
    _people, m = called
    item = services.agenda_item_add(actor=None, meeting=m, title="Underlag")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=None, item=item, title="x",
                                file=SimpleUploadedFile(name, data))
    assert "file" in exc.value.message_dict
    assert not item.attachments.exists()


def test_attachment_size_limit(called, settings):
    settings.MEETINGS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    _people, m = called
    item = services.agenda_item_add(actor=None, meeting=m, title="Underlag")
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=None, item=item, title="x",
                                file=SimpleUploadedFile("stor.pdf", big))
    assert "1 MB" in exc.value.message_dict["file"][0]


def test_joint_meeting_calls_the_guest_bodys_members(halsam):
    guest_member = person("kramfors")
    # H17: the county group is staffed from Länsledning's heads.
    place(guest_member, seat("lansledning", "kramfors", "fc-socialforvaltning"))
    place(guest_member, seat("lansamordning-vuxna", None, "socialtjanst"))
    body_member = person("sundsvall")
    place(body_member, seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    m = services.meeting_plan(
        actor=None, body=Body.objects.get(slug="lansledning"), start=at(future_day(30)),
        end=at(future_day(30), 16), place="Härnösand", kind="seminar",
        guest_bodies=[Body.objects.get(slug="lansamordning-vuxna")])
    services.meeting_notice_send(actor=None, meeting=m)
    assert {p for p, _s in deliveries(m, DeliveryKind.NOTICE)} == {guest_member.pk,
                                                                   body_member.pk}


def test_secretary_is_not_sent_a_substitute_call_or_counted(halsam):
    secretary = person(None)
    place(secretary, seat("lansledning", None, "adjungerade"), MembershipRole.SECRETARY)
    m = meeting("lansledning", future_day(30))
    with pytest.raises(ValidationError):
        services.absence_report(actor=None, meeting=m, person=secretary)
