"""Uploads are checked by content, not by name (issue 5, item 3), with a size limit,
and their text is extracted for search without ever failing on a broken file."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from documents import uploads
from documents.models import DocumentVersion

from .core_builders import (  # noqa: F401 - fixtures
    add_version,
    docx_bytes,
    make_document,
    odt_bytes,
    pdf_bytes,
    upload,
    world_fixture,
    xlsx_bytes,
)

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _refusal(content: bytes, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.inspect_upload(io.BytesIO(content), name)
    assert list(caught.value.message_dict) == ["file"]
    return caught.value


@pytest.mark.parametrize("content,name,expected", [
    (pdf_bytes(), "avtal.pdf", uploads.PDF),
    (docx_bytes(), "Riktlinje.DOCX", uploads.DOCX),
    (xlsx_bytes(), "uppfoljning.xlsx", uploads.XLSX),
    (odt_bytes(), "arbetsordning.odt", uploads.ODT),
])
def test_accepted_types_are_recognised_by_content(content, name, expected):
    found = uploads.inspect_upload(io.BytesIO(content), name)
    assert found.content_type == expected
    assert found.size == len(content)
    import hashlib

    assert found.sha256 == hashlib.sha256(content).hexdigest()


def test_exe_renamed_pdf_is_refused():
    assert _refusal(EXE, "avtal.pdf").error_dict["file"][0].code == "type"


def test_zip_that_is_not_ooxml_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")  # no [Content_Types].xml
        z.writestr("readme.txt", "hej")
    _refusal(out.getvalue(), "rutin.docx")


def test_zip_with_content_types_but_no_office_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p/>")
    _refusal(out.getvalue(), "bilder.docx")


def test_odt_needs_the_mimetype_as_first_entry():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("content.xml", "<x/>")
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    _refusal(out.getvalue(), "text.odt")


def test_odt_spreadsheet_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    _refusal(out.getvalue(), "tabell.odt")


def test_pdf_named_docx_is_refused():
    exc = _refusal(pdf_bytes(), "avtal.docx")
    assert exc.error_dict["file"][0].code == "name_mismatch"
    assert ".pdf" in exc.messages[0]


def test_docx_named_pdf_and_name_without_extension_are_refused():
    _refusal(docx_bytes(), "rutin.pdf")
    _refusal(pdf_bytes(), "avtal")


def test_plain_text_and_html_are_refused():
    _refusal(b"Hej, detta \xc3\xa4r text", "anteckning.pdf")
    _refusal(b"<html><script>alert(1)</script></html>", "sida.pdf")


def test_empty_file_is_refused():
    assert _refusal(b"", "tom.pdf").error_dict["file"][0].code == "empty"


def test_size_limit_is_a_setting(settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1024
    big = b"%PDF-1.4\n" + b"0" * 2048
    exc = _refusal(big, "stor.pdf")
    assert exc.error_dict["file"][0].code == "too_large"
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 4096
    assert uploads.inspect_upload(io.BytesIO(big), "stor.pdf").content_type == uploads.PDF


def test_default_size_limit_is_50_mb(settings):
    if hasattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES"):
        del settings.DOCUMENTS_MAX_UPLOAD_BYTES
    assert uploads.max_upload_bytes() == 50 * 1024 * 1024


# --- text extraction --------------------------------------------------------------------

def test_text_of_pdf():
    text = uploads.extract_text(io.BytesIO(pdf_bytes()), uploads.PDF)
    assert "Överenskommelsen om samverkan" in text


def test_text_of_docx_keeps_paragraphs_and_decodes_entities():
    text = uploads.extract_text(io.BytesIO(docx_bytes("Första stycket")), uploads.DOCX)
    assert text.splitlines() == ["Första stycket", "Andra stycket & mer"]


def test_text_of_xlsx_and_odt():
    assert "Uppföljning av rutinerna" in uploads.extract_text(io.BytesIO(xlsx_bytes()),
                                                               uploads.XLSX)
    assert "Arbetsordningen" in uploads.extract_text(io.BytesIO(odt_bytes()), uploads.ODT)


def test_entities_from_a_dtd_are_not_expanded():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = ("<?xml version='1.0'?><!DOCTYPE d [<!ENTITY a 'AAAAAAAAAA'>"
           "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
           f"<w:document xmlns:w='{w}'><w:p><w:t>&b;</w:t></w:p></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    text = uploads.extract_text(io.BytesIO(out.getvalue()), uploads.DOCX)
    assert "AAAAAAAAAA" not in text.replace("'AAAAAAAAAA'", "")


def test_broken_pdf_has_no_text_but_is_accepted():
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer <<>>\n"
    found = uploads.inspect_upload(io.BytesIO(broken), "trasig.pdf")
    assert found.content_type == uploads.PDF
    assert found.text == ""


def test_truncated_docx_is_refused_not_a_crash():
    content = docx_bytes()[:40]
    _refusal(content, "trasig.docx")


# --- through the service ----------------------------------------------------------------

def test_upload_stores_hash_size_type_and_text(world):
    document = make_document(world)
    content = docx_bytes("Samordnad individuell plan")
    version = add_version(world, document, content=content, name="SIP rutin.docx")
    version.refresh_from_db()
    assert version.number == 1
    assert version.content_type == uploads.DOCX
    assert version.size == len(content)
    assert len(version.sha256) == 64
    assert version.original_name == "SIP rutin.docx"
    assert "Samordnad individuell plan" in version.extracted_text
    assert version.uploaded_by == world.secretary
    with version.file.open("rb") as stored:  # through the storage API
        assert stored.read() == content


def test_forged_upload_through_the_service_stores_nothing(world):
    document = make_document(world)
    with pytest.raises(ValidationError) as caught:
        add_version(world, document, content=EXE, name="avtal.pdf")
    assert "file" in caught.value.message_dict
    assert not DocumentVersion.objects.filter(document=document).exists()
