"""Issue 12 §5: the workflow holds in the admin.

The probe rewrote published decisions in the admin, set the minutes' status to anything
and uploaded papers there without the content check. Now approved minutes, their items'
decisions and the meeting they record are view-only (a POST is refused), the status
fields are read-only (they move only through the services), admin uploads go through the
one inspection, and the history page cannot be used to write an old row back.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import uploads
from meetings import minutes_lock, services
from meetings.models import (
    AgendaAttachment,
    AgendaItem,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from tests.documents import hostile
from tests.documents.core_builders import pdf_bytes
from tests.governance.factories import UserFactory

from .builders import future_day, load_preset, meeting, person, place, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(db, settings, tmp_path):
    """A Länsledning meeting last week, two present, minutes with a decision, a draft."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_preset("halsam-vasternorrland")
    a, b = person("sundsvall"), person("timra")
    place(a, seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    place(b, seat("lansledning", "timra", "fc-skolforvaltning"))
    m = meeting("lansledning", dt.date.today() - dt.timedelta(days=7))
    services.attendance_record(actor=None, meeting=m, attended={a.pk: True, b.pk: True})
    minutes = services.minutes_create(actor=None, meeting=m)
    item = services.agenda_item_add(actor=None, meeting=m, title="Gemensam rutin",
                                    kind="decision")
    services.agenda_item_update(actor=None, item=item,
                                changes={"decision": "Rutinen antas."})
    return {"meeting": m, "minutes": minutes, "item": item, "checker": a}


def approve(held) -> Minutes:
    minutes = held["minutes"]
    services.minutes_update(actor=None, minutes=minutes, checkers=[held["checker"]])
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    return services.minutes_approve(actor=None, minutes=minutes, checker=held["checker"])


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="admin-t3", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def post_data(response) -> dict:
    """What the change form would post back unchanged (main form and inlines)."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is not None:
                data[key] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


# --- approved minutes and their decisions ---------------------------------------------------

def test_issue12_s5_admin_post_changing_an_approved_decision_is_refused(admin_client, held):
    """issue 12 §5: published decisions could be rewritten in the admin."""
    approve(held)
    item = held["item"]
    url = change_url(item)
    page = admin_client.get(url)
    assert page.status_code == 200  # shown, view-only
    assert not page.context["has_change_permission"]
    response = admin_client.post(url, {"meeting": item.meeting_id, "title": item.title,
                                       "kind": item.kind, "position": item.position,
                                       "decision": "Rutinen förkastas."})
    assert response.status_code == 403
    assert AgendaItem.objects.get(pk=item.pk).decision == "Rutinen antas."
    delete = reverse("admin:meetings_agendaitem_delete", args=[item.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_issue12_s5_approved_minutes_are_view_only_in_the_admin(admin_client, held):
    minutes = approve(held)
    response = admin_client.post(change_url(minutes), {"summary": "Skrivet i efterhand",
                                                       "status": MinutesStatus.DRAFT})
    assert response.status_code == 403
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.summary == ""
    assert admin_client.post(reverse("admin:meetings_minutes_delete", args=[minutes.pk]),
                             {"post": "yes"}).status_code == 403


def test_issue12_s5_the_meeting_of_approved_minutes_is_view_only(admin_client, held):
    approve(held)
    m = held["meeting"]
    page = admin_client.get(change_url(m))
    assert page.status_code == 200
    items_inline = page.context["inline_admin_formsets"][0]
    assert items_inline.formset.model is AgendaItem
    assert not items_inline.has_change_permission and not items_inline.has_add_permission
    assert not items_inline.has_delete_permission
    assert admin_client.post(change_url(m), {"status": MeetingStatus.PLANNED}).status_code == 403
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.MINUTES_APPROVED


def test_issue12_s5_no_item_is_added_to_a_meeting_with_approved_minutes(admin_client, held):
    approve(held)
    response = admin_client.post(reverse("admin:meetings_agendaitem_add"), {
        "meeting": held["meeting"].pk, "title": "Smugit in", "kind": "decision",
        "position": 9, "decision": "Beslut i efterhand"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["meeting"]
    assert not AgendaItem.objects.filter(title="Smugit in").exists()


def test_issue12_s5_the_services_refuse_too(held):
    approve(held)
    item = held["item"]
    with pytest.raises(ValidationError) as caught:
        services.agenda_item_delete(actor=None, item=item)
    assert caught.value.error_dict["__all__"][0].code == "minutes_approved"
    with pytest.raises(ValidationError):
        services.agenda_item_update(actor=None, item=item, changes={"decision": "Annat"})
    with pytest.raises(ValidationError):
        services.minutes_update(actor=None, minutes=held["minutes"], summary="Annat")
    with pytest.raises(ValidationError) as caught:  # who was present is in the minutes
        services.attendance_record(actor=None, meeting=held["meeting"],
                                   attended={held["checker"].pk: False})
    assert caught.value.error_dict["__all__"][0].code == "minutes_approved"
    assert AgendaItem.objects.get(pk=item.pk).decision == "Rutinen antas."
    assert minutes_lock.minutes_closed(item.meeting_id)


def test_issue12_s5_attendance_of_approved_minutes_is_view_only(admin_client, held):
    from meetings.models import Attendance

    approve(held)
    row = Attendance.objects.get(meeting=held["meeting"], person=held["checker"])
    assert admin_client.post(change_url(row), {"meeting": row.meeting_id,
                                               "person": row.person_id}).status_code == 403
    assert Attendance.objects.get(pk=row.pk).attended is True


def test_issue12_s5_the_history_page_cannot_write_an_old_row_back(admin_client, held):
    """django-simple-history hides "Revert" but saved a POST to the history form: with it
    the approved minutes went back to "draft"."""
    minutes = approve(held)
    draft_row = minutes.history.filter(status=MinutesStatus.DRAFT).order_by("history_id").first()
    url = reverse("admin:meetings_minutes_simple_history",
                  args=[minutes.pk, draft_row.history_id])
    assert admin_client.get(url).status_code == 200  # looking is fine
    assert admin_client.post(url, {"summary": ""}).status_code == 403
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.APPROVED


# --- status fields --------------------------------------------------------------------------

def test_issue12_s5_minutes_status_cannot_be_set_in_the_admin(admin_client, held):
    """issue 12 §5: the minutes' status could be set to anything. On draft minutes the
    form saves, but the status (and who approved, when) is read-only: not changed."""
    minutes = held["minutes"]
    page = admin_client.get(change_url(minutes))
    assert "status" not in page.context["adminform"].form.fields
    data = post_data(page)
    data.update(summary="Rättat stavfel", status=MinutesStatus.PUBLISHED,
                approved_at_0="2025-01-01", approved_at_1="10:00", check_round="7")
    response = admin_client.post(change_url(minutes), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    minutes.refresh_from_db()
    assert minutes.summary == "Rättat stavfel"
    assert minutes.status == MinutesStatus.DRAFT
    assert minutes.approved_at is None and minutes.check_round == 0
    assert admin_client.get(reverse("admin:meetings_minutes_add")).status_code == 403


def test_issue12_s5_meeting_status_is_read_only_in_the_admin(admin_client, held):
    coming = meeting("lansledning", future_day(30))
    page = admin_client.get(change_url(coming))
    form = page.context["adminform"].form
    assert "status" not in form.fields and "cancel_reason" not in form.fields
    assert "status" in page.context["adminform"].readonly_fields


def test_issue12_s5_version_and_check_states_are_read_only_in_the_admin(admin_client, held):
    from django.contrib import admin as django_admin

    from documents.models import AccessibilityCheck, DocumentVersion

    version_admin = django_admin.site._registry[DocumentVersion]
    assert {"status", "published_on", "approved_at"} <= set(
        version_admin.get_readonly_fields(None))
    check_admin = django_admin.site._registry[AccessibilityCheck]
    assert "machine_result" in check_admin.get_readonly_fields(None)


# --- admin uploads --------------------------------------------------------------------------

def test_issue12_s5_admin_upload_of_a_fake_file_is_refused(admin_client, held):
    """issue 12 §5: papers uploaded in the admin skipped the content check."""
    coming = meeting("lansledning", future_day(30))
    item = services.agenda_item_add(actor=None, meeting=coming, title="Underlag")
    url = reverse("admin:meetings_agendaattachment_add")
    for name, content in (("underlag.pdf", b"MZ\x90\x00 an executable"),
                          ("protokoll.odt", hostile.fake_odt()),
                          ("namn.docx", hostile.bad_names_docx()),
                          ("rapport.docx", hostile.nested_docx(100_000))):
        response = admin_client.post(url, {"item": item.pk, "title": "Falsk",
                                           "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200, name
        assert response.context["adminform"].form.errors["file"], name
    assert not AgendaAttachment.objects.exists()

    content = pdf_bytes()
    response = admin_client.post(url, {"item": item.pk, "title": "Äkta",
                                       "file": SimpleUploadedFile("underlag.pdf", content,
                                                                  content_type="text/html")})
    assert response.status_code == 302
    attachment = AgendaAttachment.objects.get()
    assert attachment.content_type == uploads.PDF and attachment.size == len(content)
    assert attachment.uploaded_by is not None
