"""The accessibility machine check and the editor's checklist (DOS-lagen, issue 5 item 4)."""
from __future__ import annotations

import io
import json

import pytest

from documents import accessibility
from documents.models import AccessibilityCheck, VersionStatus
from tests.meetings.conftest import make_meeting  # noqa: F401 - a fixture

from .editorial_builders import (
    Personas,
    docx,
    make_document,
    make_version,
    odt,
    tagged_pdf,
    untagged_pdf,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- PDF --------------------------------------------------------------------------------

def test_tagged_pdf_passes_the_machine_check():
    result = accessibility.pdf_machine_check(tagged_pdf())
    assert result["readable"] is True
    assert result["tagged"] is True
    assert result["title"] == "Överenskommelse om samverkan"
    assert result["language"] == "sv"
    assert result["pages"] == 1
    assert result["problems"] == []
    assert result["passed"] is True
    json.dumps(result)  # stored in a JSONField


def test_untagged_pdf_fails_with_each_problem_named():
    result = accessibility.pdf_machine_check(untagged_pdf())
    assert result["readable"] is True
    assert result["tagged"] is False
    assert result["problems"] == ["not_tagged", "no_title", "no_language"]
    assert result["passed"] is False


@pytest.mark.parametrize("content", [b"", b"not a pdf at all", b"%PDF-1.7\n%garbage\n",
                                     tagged_pdf()[:400]])
def test_garbage_is_reported_as_unreadable_not_raised(content):
    result = accessibility.pdf_machine_check(content)
    assert result["readable"] is False
    assert result["problems"] == ["unreadable"]
    assert result["passed"] is False
    assert accessibility.problem_messages(result["problems"]) == [
        str(accessibility.PROBLEM_MESSAGES["unreadable"])]


def test_password_protected_pdf_says_so():
    result = accessibility.pdf_machine_check(untagged_pdf(password="hemligt"))
    assert (result["readable"], result["encrypted"], result["problems"]) == (
        False, True, ["encrypted"])


def test_the_check_reads_from_a_file_object_and_a_path(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(tagged_pdf())
    assert accessibility.pdf_machine_check(str(path))["passed"] is True
    assert accessibility.pdf_machine_check(io.BytesIO(path.read_bytes()))["passed"] is True


@pytest.mark.parametrize("render", ["agenda_pdf", "minutes_pdf"])
def test_generated_agenda_and_minutes_are_tagged_pdf_ua_with_title_and_language(
        make_meeting, render):  # noqa: F811
    """The system's own documents (agendas, minutes) are PDF/UA: tagged, titled, Swedish."""
    from meetings import pdf
    from meetings.pdf import PDF_UA

    result = accessibility.pdf_machine_check(getattr(pdf, render)(make_meeting()))
    assert result["passed"] is True, result
    assert result["tagged"] and result["has_title"]
    assert result["language"].lower().startswith("sv")
    assert result["display_doc_title"] is True
    if PDF_UA:
        assert result["pdfua_part"] == "1"


# --- DOCX and ODT (best effort) ----------------------------------------------------------

def test_docx_with_title_language_headings_and_alt_texts_passes():
    result = accessibility.machine_check(docx())
    assert result["format"] == "docx"
    assert (result["title"], result["language"]) == ("Rutin för samverkan", "sv-SE")
    assert result["has_headings"] is True
    assert result["images_without_alt"] == 0
    assert result["passed"] is True


def test_docx_without_title_language_headings_or_alt_text_fails():
    result = accessibility.machine_check(docx(title="", language="", heading=False, image_alt=""))
    assert result["problems"] == ["no_title", "no_language", "no_headings",
                                  "images_without_alt"]
    assert result["passed"] is False


def test_odt_properties_are_read():
    good = accessibility.machine_check(odt())
    assert (good["format"], good["title"], good["language"], good["passed"]) == (
        "odt", "Riktlinje", "sv", True)
    bad = accessibility.machine_check(odt(title="", heading=False))
    assert bad["problems"] == ["no_title", "no_headings"]


def test_broken_zip_is_unreadable_and_other_formats_are_not_checkable():
    broken = accessibility.office_machine_check(docx()[:200], fmt="docx")
    assert broken["problems"] == ["unreadable"]
    other = accessibility.machine_check(b"PK\x03\x04" + b"\x00" * 40)
    assert other["format"] == "other" and other["passed"] is None
    assert other["warnings"] == ["not_checkable"]


# --- The checklist and readiness ---------------------------------------------------------

@pytest.fixture
def people(db):
    return Personas()


def _record(version, actor, **overrides):
    from django.test import TestCase

    answers = dict.fromkeys(accessibility.CHECKLIST_FIELDS, True)
    answers.update(overrides)
    # The machine check is queued on commit (issue 12 §3): run it, as the worker would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return accessibility.accessibility_check_record(version=version, actor=actor,
                                                        reason="Granskad", **answers)


def test_checklist_records_who_when_and_the_machine_result(people):
    version = make_version(make_document(body=people.body), status=VersionStatus.APPROVED)
    check = _record(version, people.editor, has_contrast=False, note="Kontrast i diagram")
    check.refresh_from_db()
    assert check.checked_by == people.editor and check.checked_at is not None
    assert check.machine_result["passed"] is True
    assert check.complete is False
    _record(version, people.editor)
    rows = list(AccessibilityCheck.history.filter(version=version).order_by("history_date"))
    # The machine check queued by the first recording is a row of its own, stored once.
    assert len(rows) == 3 and rows[1].has_contrast is False and rows[1].machine_result
    history = [rows[0], rows[2]]
    assert [h.history_user for h in history] == [people.editor, people.editor]
    assert [h.has_contrast for h in history] == [False, True]
    assert history[-1].history_change_reason == "Granskad"


def test_ready_only_with_a_complete_checklist_and_a_passing_machine_check(people):
    version = make_version(make_document(body=people.body), status=VersionStatus.APPROVED)
    ready, problems = accessibility.accessibility_ready(version)
    assert not ready and len(problems) == 2  # no checklist yet, the machine check pending
    _record(version, people.editor, has_alt_texts=False)
    ready, problems = accessibility.accessibility_ready(version)
    alt_texts = str(AccessibilityCheck._meta.get_field("has_alt_texts").verbose_name)
    assert not ready and len(problems) == 1 and alt_texts in problems[0]
    _record(version, people.editor)
    assert accessibility.accessibility_ready(version) == (True, [])


def test_a_failing_machine_check_keeps_a_ticked_checklist_from_being_ready(people):
    version = make_version(make_document(body=people.body), content=untagged_pdf(),
                           status=VersionStatus.APPROVED)
    _record(version, people.editor)
    ready, problems = accessibility.accessibility_ready(version)
    assert not ready
    expected = accessibility.problem_messages(["not_tagged", "no_title", "no_language"])
    assert len(problems) == 3
    assert all(message in problem for message, problem in zip(expected, problems, strict=True))


def test_machine_check_run_keeps_the_editors_answers(people):
    version = make_version(make_document(body=people.body), status=VersionStatus.APPROVED)
    _record(version, people.editor)
    check = accessibility.accessibility_machine_check_run(version=version)
    assert check.complete and check.machine_result["passed"] is True
    assert AccessibilityCheck.objects.count() == 1


def test_versions_needing_accessibility(people):
    body = people.body
    missing = make_version(make_document(body=body, title="A"), status=VersionStatus.APPROVED)
    incomplete = make_version(make_document(body=body, title="B"),
                              status=VersionStatus.PUBLISHED)
    _record(incomplete, people.editor, has_headings=False)
    failing = make_version(make_document(body=body, title="C"), content=untagged_pdf(),
                           status=VersionStatus.PUBLISHED)
    _record(failing, people.editor)
    done = make_version(make_document(body=body, title="D"), status=VersionStatus.PUBLISHED)
    _record(done, people.editor)
    make_version(make_document(body=body, title="E"))  # a draft: not yet the editor's
    assert accessibility.versions_needing_accessibility() == [missing, incomplete, failing]


def test_office_xml_with_entity_declarations_is_refused():
    """A billion-laughs core.xml must not be expanded: the file is reported unreadable."""
    import zipfile

    bomb = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:title>&b;</dc:title></cp:coreProperties>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = bomb if item.filename == "docProps/core.xml" else source.read(item)
            target.writestr(item.filename, data)
    result = accessibility.office_machine_check(out.getvalue(), fmt="docx")
    assert result["problems"] == ["unreadable"] and result["title"] == ""
