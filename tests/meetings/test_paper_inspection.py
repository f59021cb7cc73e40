"""Issue 12 §3: agenda papers go through the register's inspection, not a weaker one.

The probe found a fake ODT accepted as an agenda paper, and a ZIP with invalid UTF-8
member names answered 500. Now ``services.attachment_add`` (the agenda page, and the
admin's form) calls ``meetings.papers.inspect_upload``, which is
``documents.uploads.inspect_upload`` registered by the documents app: one function.
"""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import uploads
from meetings import papers, services
from meetings.models import AgendaAttachment, AgendaItem
from tests.documents import hostile

from .builders import coordinator_user, future_day, load_preset, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_preset("halsam-vasternorrland")
    m = meeting("lansledning", future_day(21))
    return services.agenda_item_add(actor=None, meeting=m, title="Underlag")


def refused(item, name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(actor=None, item=item, title="x",
                                file=SimpleUploadedFile(name, content))
    assert list(caught.value.message_dict) == ["file"]
    assert not AgendaAttachment.objects.filter(item=item).exists()
    return caught.value


def test_issue12_s3_one_inspection_for_register_and_agenda_papers():
    assert papers._inspector == [uploads.inspect_upload]


def test_issue12_s3_fake_odt_agenda_paper_is_refused(item):
    """issue 12 §3: bytes that start like an ODT were accepted as an agenda paper."""
    assert refused(item, "protokoll.odt", hostile.fake_odt()).error_dict["file"][0].code \
        == "damaged"
    refused(item, "protokoll.odt", hostile.odt_without_content())


def test_issue12_s3_invalid_utf8_names_agenda_paper_is_refused_not_a_500(client, item):
    """issue 12 §3: a ZIP with invalid UTF-8 member names as an agenda paper gave a 500;
    through the agenda page it is now the form's error on the file field."""
    assert refused(item, "underlag.docx", hostile.bad_names_docx()).error_dict["file"][0].code \
        == "names"
    client.force_login(coordinator_user())
    url = reverse("meetings:attachment_add", args=[item.meeting_id, item.pk])
    response = client.post(url, {"title": "Fel", "file": SimpleUploadedFile(
        "underlag.docx", hostile.bad_names_docx())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "names are not valid text" in html
    assert not AgendaAttachment.objects.filter(item=item).exists()


def test_issue12_s3_nested_xml_and_zip_bomb_agenda_papers_are_refused(item):
    assert refused(item, "u.docx", hostile.nested_docx(100_000)).error_dict["file"][0].code \
        == "xml_depth"
    assert refused(item, "u.docx", hostile.zip_bomb_docx()).error_dict["file"][0].code \
        == "ratio"
    refused(item, "u.docx", hostile.probe_docx())


def test_issue12_s3_a_real_paper_is_stored_with_the_inspected_type(item):
    from tests.documents.core_builders import odt_bytes

    content = odt_bytes()
    attachment = services.attachment_add(actor=None, item=item, title="",
                                         file=SimpleUploadedFile("Arbetsordning.odt", content))
    assert attachment.content_type == uploads.ODT and attachment.size == len(content)
    assert attachment.title == "Arbetsordning.odt"
    assert AgendaItem.objects.get(pk=item.pk).attachments.count() == 1


def test_issue12_s3_the_agenda_papers_own_size_limit_goes_to_the_inspection(settings):
    import io

    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    data = b"%PDF-1.7\n" + b"0" * 2048
    with pytest.raises(ValidationError) as caught:
        papers.inspect_upload(io.BytesIO(data), "stor.pdf", max_bytes=1024)
    assert caught.value.error_dict["file"][0].code == "too_large"
    assert papers.inspect_upload(io.BytesIO(data), "stor.pdf", max_bytes=4096).size == len(data)
