"""Issue 12 §3: bounded work on uploads.

The probe's 18 KB DOCX whose core.xml nests six million elements was accepted, and every
later view of its accessibility check took 8.5 s and 1.8 GB, because the check ran again
on every GET. Now the package and its XML are read within limits (defusedxml, element
count, depth, members, unpacked size, compression ratio, member names), a breach is a
Swedish validation error on the file field, and the check runs once per version, in the
worker, its result stored; a page only reads it.
"""
from __future__ import annotations

import io
import time
import zipfile
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from documents import accessibility, packages, tasks, uploads
from documents.models import AccessibilityCheck, DocumentVersion, VersionStatus

from . import hostile
from .core_builders import (  # noqa: F401
    add_version,
    docx_bytes,
    make_document,
    odt_bytes,
    world_fixture,
    xlsx_bytes,
)
from .editorial_builders import Personas, make_version, tagged_pdf
from .editorial_builders import make_document as bare_document


def refusal(content: bytes, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.inspect_upload(io.BytesIO(content), name)
    assert list(caught.value.message_dict) == ["file"]
    return caught.value


def code_of(exc: ValidationError) -> str:
    return exc.error_dict["file"][0].code


# --- the inspection -----------------------------------------------------------------------

def test_issue12_s3_the_probes_nested_docx_is_refused_quickly():
    """issue 12 §3: the probe's DOCX (6 million nested elements in core.xml) is refused,
    in well under a second, instead of being accepted."""
    content = hostile.probe_docx()
    assert len(content) < 64 * 1024
    started = time.monotonic()
    exc = refusal(content, "rapport.docx")
    assert time.monotonic() - started < 5
    # 42 MB of XML packed into a few KB: refused before any of it is parsed.
    assert code_of(exc) in {"ratio", "xml_size"}


def test_issue12_s3_deeply_nested_xml_is_refused_by_its_depth():
    """issue 12 §3: nesting that packs within the ratio is stopped by the depth limit."""
    exc = refusal(hostile.nested_docx(100_000), "rapport.docx")
    assert code_of(exc) == "xml_depth"
    assert str(packages.MAX_XML_DEPTH) in exc.messages[0]


def test_issue12_s3_depth_at_the_limit_is_accepted_one_more_is_not():
    ok = hostile.nested_docx(packages.MAX_XML_DEPTH)
    assert uploads.inspect_upload(io.BytesIO(ok), "djup.docx").content_type == uploads.DOCX
    assert code_of(refusal(hostile.nested_docx(packages.MAX_XML_DEPTH + 1),
                           "djup.docx")) == "xml_depth"


def test_issue12_s3_element_count_is_limited_for_the_whole_package(monkeypatch):
    monkeypatch.setattr(packages, "MAX_XML_ELEMENTS", 1000)
    flat = b"<r>" + b"<p/>" * 600 + b"</r>"
    # 601 elements in one part pass; the same again in a second part passes the budget.
    one = hostile.docx(flat)
    assert uploads.inspect_upload(io.BytesIO(one), "platt.docx").content_type == uploads.DOCX
    two = hostile.package({"[Content_Types].xml": b"<Types/>", "word/document.xml": flat,
                           "docProps/core.xml": flat})
    assert code_of(refusal(two, "platt.docx")) == "xml_elements"


def test_issue12_s3_zip_bomb_is_refused_by_its_ratio():
    """issue 12 §3: a part that unpacks to 60 MB from a few KB (zip bomb)."""
    content = hostile.zip_bomb_docx()
    assert len(content) < 100 * 1024
    assert code_of(refusal(content, "bomb.docx")) == "ratio"


def test_issue12_s3_unpacked_size_and_member_count_are_limited(monkeypatch):
    monkeypatch.setattr(packages, "MAX_TOTAL_BYTES", 2000)
    stored = hostile.package({"[Content_Types].xml": b"<Types/>",
                              "word/document.xml": b"<d/>" + b" " * 3000}, deflate=False)
    assert code_of(refusal(stored, "stor.docx")) == "unpacked_size"
    monkeypatch.setattr(packages, "MAX_TOTAL_BYTES", 200 * 1024 * 1024)
    many = hostile.package({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<d/>",
                            **{f"word/media/{n}.bin": b"x" for n in range(packages.MAX_MEMBERS)}})
    assert code_of(refusal(many, "manga.docx")) == "members"


def test_issue12_s3_a_huge_central_directory_is_refused_before_it_is_read(monkeypatch):
    """The member count is judged from the directory's size first, so a package claiming
    millions of members never makes Python build millions of entries."""
    monkeypatch.setattr(packages, "MAX_DIRECTORY_BYTES", 100)
    content = docx_bytes()
    with mock.patch.object(zipfile, "ZipFile", side_effect=AssertionError("opened")):
        exc = refusal(content, "rutin.docx")
    assert code_of(exc) == "members"


def test_issue12_s3_invalid_utf8_member_names_are_a_clear_refusal():
    """issue 12 §3: a ZIP whose member name is flagged UTF-8 but is not: no exception."""
    exc = refusal(hostile.bad_names_docx(), "namn.docx")
    assert code_of(exc) == "names"


def test_issue12_s3_a_dtd_in_any_xml_part_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><t>&b;</t>')
    assert code_of(refusal(hostile.docx(bomb), "entiteter.docx")) == "xml_dtd"


def test_issue12_s3_fake_odt_is_refused():
    """Bytes that only look like an ODT at the start, and an ODT without content.xml."""
    assert code_of(refusal(hostile.fake_odt(), "protokoll.odt")) == "damaged"
    assert code_of(refusal(hostile.odt_without_content(), "protokoll.odt")) == "type"


def test_issue12_s3_real_files_still_pass():
    for content, name in ((docx_bytes(), "a.docx"), (xlsx_bytes(), "b.xlsx"),
                          (odt_bytes(), "c.odt")):
        assert uploads.inspect_upload(io.BytesIO(content), name).size == len(content)


def test_issue12_s3_limit_messages_are_swedish_and_name_the_file():
    with translation.override("sv"):
        exc = refusal(hostile.nested_docx(100_000), "rapport.docx")
        message = exc.messages[0]
        assert message.startswith("Filen") and str(packages.MAX_XML_DEPTH) in message
        assert "djup" in message
        assert refusal(hostile.zip_bomb_docx(), "b.docx").messages[0].startswith("En del")


def test_issue12_s3_refused_through_the_service_stores_nothing(world):
    document = make_document(world)
    with pytest.raises(ValidationError) as caught:
        add_version(world, document, content=hostile.probe_docx(), name="rapport.docx")
    assert "file" in caught.value.message_dict
    assert not DocumentVersion.objects.filter(document=document).exists()


# --- the accessibility check on its own ----------------------------------------------------

def test_issue12_s3_the_machine_check_of_a_stored_nested_file_is_bounded():
    """A file stored before the limits existed: the check stops at the limit, quickly,
    and says the file is too complex, instead of building a tree of millions of nodes."""
    started = time.monotonic()
    result = accessibility.office_machine_check(hostile.nested_docx(100_000), fmt="docx")
    assert time.monotonic() - started < 5
    assert result["readable"] is False and result["problems"] == ["too_complex"]
    result = accessibility.office_machine_check(hostile.probe_docx(), fmt="docx")
    assert result["problems"] == ["too_complex"]


@pytest.fixture
def people(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Personas()


def version_page(version) -> str:
    return f"/redaktion/version/{version.pk}/tillganglighet/"


def test_issue12_s3_a_get_never_runs_the_check_and_shows_it_pending(client, people):
    """issue 12 §3: the checker is patched; GETs of the page (and the publish readiness)
    never call it. Before the worker has run: "pending"; afterwards the stored result."""
    version = make_version(bare_document(body=people.body), content=tagged_pdf(),
                           status=VersionStatus.APPROVED)
    client.force_login(people.editor)
    with mock.patch.object(accessibility, "version_machine_check",
                           side_effect=AssertionError("the check ran on a GET")) as checker:
        for _ in range(3):
            response = client.get(version_page(version))
            assert response.status_code == 200
        with translation.override("en"):
            ready, problems = accessibility.accessibility_ready(version)
    checker.assert_not_called()
    assert response.context["summary"].machine_pending
    assert 'id="machine-pending"' in response.content.decode()
    assert not ready and any("machine check has not run" in p for p in problems)

    accessibility.accessibility_machine_check_run(version=version)  # the worker
    with mock.patch.object(accessibility, "version_machine_check") as checker:
        response = client.get(version_page(version))
    checker.assert_not_called()
    summary = response.context["summary"]
    assert not summary.machine_pending and summary.machine["passed"] is True
    assert 'id="machine-pending"' not in response.content.decode()


def test_issue12_s3_the_check_runs_once_per_version_in_the_worker(world):
    """issue 12 §3: the upload queues the check on commit; it runs once; running the
    task again (a retry, a second worker, the sweep) does not read the file again."""
    document = make_document(world)
    real = accessibility.version_machine_check
    with mock.patch.object(accessibility, "version_machine_check",
                           side_effect=real) as checker:
        with TestCase.captureOnCommitCallbacks(execute=True):
            version = add_version(world, document, content=docx_bytes(), name="rutin.docx")
            assert checker.call_count == 0  # not in the upload's transaction
        assert checker.call_count == 1
        tasks.machine_check(version.pk)
        tasks.machine_check.delay(version.pk)
        assert accessibility.machine_checks_sweep() == 0
        assert checker.call_count == 1
    check = AccessibilityCheck.objects.get(version=version)
    assert check.machine_result["format"] == "docx"
    assert check.history.count() == 1
    assert check.history.get().history_user == version.uploaded_by


def test_issue12_s3_the_sweep_queues_versions_without_a_result(people):
    pending = make_version(bare_document(body=people.body), status=VersionStatus.APPROVED)
    withdrawn = make_version(bare_document(body=people.body, title="Gammal"))
    DocumentVersion.objects.filter(pk=withdrawn.pk).update(
        status=VersionStatus.WITHDRAWN, withdrawn_reason="Ersatt")
    assert accessibility.machine_checks_sweep() == 1  # eager here: run inline
    assert AccessibilityCheck.objects.get(version=pending).machine_result["passed"] is True
    assert not AccessibilityCheck.objects.filter(version=withdrawn).exists()
    assert accessibility.machine_checks_sweep() == 0


def test_issue12_s3_rerun_is_the_editors_explicit_choice(people):
    version = make_version(bare_document(body=people.body), status=VersionStatus.APPROVED)
    with mock.patch.object(accessibility, "version_machine_check",
                           return_value={"passed": True, "problems": []}) as checker:
        accessibility.accessibility_machine_check_run(version=version)
        accessibility.accessibility_machine_check_run(version=version)
        assert checker.call_count == 1
        accessibility.accessibility_machine_check_run(version=version, force=True)
        assert checker.call_count == 2


def test_issue12_s5_admin_upload_of_a_hostile_version_is_refused(client, world):
    """issue 12 §3/§5: the admin's "new version" field goes through the same inspection."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from .core_builders import upload

    admin = get_user_model().objects.create_superuser("admin-t3", "t3@exempel.invalid", "pw")
    client.force_login(admin)
    document = make_document(world)
    url = reverse("admin:documents_document_change", args=[document.pk])
    for name, content, code in (("rapport.docx", hostile.nested_docx(100_000), "xml_depth"),
                                ("bomb.docx", hostile.zip_bomb_docx(), "ratio"),
                                ("protokoll.odt", hostile.fake_odt(), "damaged")):
        response = client.post(url, {
            "title": document.title, "kind": document.kind, "owner_body": world.body_a.pk,
            "is_public": "on", "change_reason": "Ny fil", "new_file": upload(name, content),
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"})
        assert response.status_code == 200, name
        errors = response.context["adminform"].form.errors.as_data()["new_file"]
        assert [e.code for e in errors] == [code], name
    assert not DocumentVersion.objects.filter(document=document).exists()


def test_issue12_s3_a_file_not_there_yet_is_retried_not_stored_as_unreadable(people):
    """Stored once means a transient storage error must not be stored for good."""
    version = make_version(bare_document(body=people.body), status=VersionStatus.APPROVED)
    version.file.storage.delete(version.file.name)
    with pytest.raises(OSError):
        accessibility.accessibility_machine_check_run(version=version)
    assert not AccessibilityCheck.objects.filter(version=version).exists()
