"""Accessibility of published documents (DOS-lagen): the machine check and the checklist.

Two halves, kept apart on purpose:

* the **machine check** reads what a program can read reliably from the file: for a PDF
  whether it is tagged (``/MarkInfo /Marked`` and a structure tree), its title (document
  information or XMP ``dc:title``, and whether viewers are told to show it), its language
  (catalogue ``/Lang``), the number of pages and a PDF/UA identifier; for DOCX and ODT,
  best effort, the title and language in the document's properties, whether headings
  are marked up and whether images lack an alternative text. It never raises: a damaged
  or password-protected file gives a result that says it could not be read.
* the **editor's checklist** (``AccessibilityCheck``) records what only a person can
  judge (headings that make sense, meaningful alternative texts, contrast), with who
  and when, in the history.

``accessibility_ready`` combines them for the publish service: a version is ready when
the checklist is complete and the machine check (where the format allows one) found no
problem. See docs/accessibility.md.
"""
from __future__ import annotations

import contextlib
import io
import logging
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.services import Actor, save_with_history
from halsam.concurrency import Seen, resolve

from . import packages
from .models import AccessibilityCheck, DocumentVersion, VersionStatus

log = logging.getLogger(__name__)

PDF = "pdf"
DOCX = "docx"
ODT = "odt"
OTHER = "other"

PDF_TYPES = {"application/pdf"}
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ODT_TYPES = {"application/vnd.oasis.opendocument.text"}

# Office files are zip archives: never read more than this of one member (zip bombs);
# the other limits (members, ratio, XML depth and elements) are ``documents.packages``'.
MAX_XML_BYTES = packages.MAX_XML_BYTES

# Problem codes stored in ``machine_result["problems"]`` (they fail the machine check)
# and ``machine_result["warnings"]`` (shown, but do not fail it). The messages are
# looked up when shown, so a stored result follows the user's language.
PROBLEM_MESSAGES = {
    "unreadable": gettext_lazy("The file could not be read (it may be damaged)."),
    "encrypted": gettext_lazy("The file is password-protected and could not be read."),
    "too_complex": gettext_lazy("The file is too large or too deeply nested to be checked "
                                "by machine."),
    "not_tagged": gettext_lazy("The PDF is not tagged: screen readers cannot follow its "
                               "structure."),
    "no_title": gettext_lazy("The document has no title in its properties."),
    "no_language": gettext_lazy("The document's language is not set."),
    "no_headings": gettext_lazy("No headings are marked up (use the heading styles)."),
    "images_without_alt": gettext_lazy("Some images have no alternative text."),
    "title_not_displayed": gettext_lazy("The PDF does not ask viewers to show its title "
                                        "instead of the file name (DisplayDocTitle)."),
    "no_pdfua_identifier": gettext_lazy("The PDF does not declare PDF/UA conformance."),
    "not_checkable": gettext_lazy("This file format cannot be checked automatically; "
                                  "the editor's checklist is all there is."),
}

CHECKLIST_FIELDS = ("has_title", "has_language", "is_tagged", "has_headings", "has_alt_texts",
                    "has_contrast")


def problem_messages(codes: list[str]) -> list[str]:
    """The messages for stored problem codes, in the current language."""
    return [str(PROBLEM_MESSAGES.get(code, code)) for code in codes]


# --- The machine check -------------------------------------------------------------------

def _base(fmt: str) -> dict[str, Any]:
    return {"format": fmt, "readable": False, "checked_at": timezone.now().isoformat(),
            "title": "", "has_title": False, "language": "", "has_language": False,
            "problems": [], "warnings": [], "passed": False}


def _as_stream(file: bytes | str | IO[bytes]) -> IO[bytes] | str:
    return io.BytesIO(file) if isinstance(file, bytes | bytearray) else file


def pdf_machine_check(file: bytes | str | IO[bytes]) -> dict[str, Any]:
    """What pikepdf can tell about a PDF's accessibility; never raises.

    ``file`` is the PDF's bytes, a path or a binary file object (seekable). The result
    is JSON-ready: ``readable``, ``tagged``, ``title``/``has_title``,
    ``display_doc_title``, ``language``/``has_language``, ``pages``, ``pdfua_part``,
    ``encrypted``, ``problems`` and ``warnings`` (codes, see ``PROBLEM_MESSAGES``) and
    ``passed`` (readable, tagged, with a title and a language).
    """
    import pikepdf

    result = _base(PDF)
    result.update({"tagged": False, "display_doc_title": False, "pages": None,
                   "pdfua_part": None, "encrypted": False})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pikepdf warns about repaired files
            with pikepdf.open(_as_stream(file)) as pdf:
                _read_pdf(pdf, result)
    except pikepdf.PasswordError:
        result.update(readable=False, encrypted=True, problems=["encrypted"], passed=False)
        return result
    except Exception as exc:  # noqa: BLE001 - any damaged file must give a result, not a 500
        log.info("accessibility: could not read a PDF: %s", exc)
        result.update(readable=False, problems=["unreadable"], warnings=[], passed=False)
        return result
    _judge(result, required=("tagged", "has_title", "has_language"))
    if result["has_title"] and not result["display_doc_title"]:
        result["warnings"].append("title_not_displayed")
    if not result["pdfua_part"]:
        result["warnings"].append("no_pdfua_identifier")
    return result


def _read_pdf(pdf: Any, result: dict[str, Any]) -> None:
    import pikepdf

    root = pdf.Root
    mark_info = root.get("/MarkInfo")
    marked = bool(mark_info.get("/Marked", False)) if isinstance(mark_info,
                                                                   pikepdf.Dictionary) else False
    result["tagged"] = marked and "/StructTreeRoot" in root
    title = str(pdf.docinfo.get("/Title", "") or "").strip() if pdf.docinfo else ""
    pdfua = None
    try:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        title = title or str(meta.get("dc:title", "") or "").strip()
        pdfua = meta.get("pdfuaid:part")
    except Exception as exc:  # noqa: BLE001 - broken XMP is not fatal; docinfo may do
        log.info("accessibility: unreadable XMP metadata: %s", exc)
    prefs = root.get("/ViewerPreferences")
    result["display_doc_title"] = bool(prefs.get("/DisplayDocTitle", False)) if isinstance(
        prefs, pikepdf.Dictionary) else False
    result["title"] = title[:300]
    result["has_title"] = bool(title)
    lang = str(root.get("/Lang", "") or "").strip()
    result["language"] = lang[:35]
    result["has_language"] = bool(lang)
    result["pages"] = len(pdf.pages)
    result["pdfua_part"] = str(pdfua) if pdfua else None
    result["encrypted"] = bool(pdf.is_encrypted)
    result["readable"] = True


def _judge(result: dict[str, Any], *, required: tuple[str, ...]) -> None:
    codes = {"tagged": "not_tagged", "has_title": "no_title", "has_language": "no_language",
             "has_headings": "no_headings", "no_images_without_alt": "images_without_alt"}
    result["problems"] = [codes[key] for key in required if not result.get(key)]
    result["passed"] = not result["problems"]


# Office files: the properties (title, language) and, cheaply, headings and image alt texts.

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
}


def _xml(archive: zipfile.ZipFile, name: str,
         budget: packages.Budget) -> ElementTree.Element | None:
    """The tree of one part, or None when the package has no such part. The part is
    parsed by defusedxml within the limits of ``documents.packages``: a DTD or entity
    declaration (OOXML and ODF never use them), a part larger than ``MAX_XML_BYTES``, XML
    nested too deep or with too many elements (``budget``, shared by the package's parts)
    raise ``packages.PackageError`` before the tree grows."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    return packages.parse_xml(packages.read_member(archive, info, limit=MAX_XML_BYTES),
                              budget=budget)


def _text(element: ElementTree.Element | None, path: str) -> str:
    found = element.find(path, NS) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def office_machine_check(file: bytes | str | IO[bytes], *, fmt: str) -> dict[str, Any]:
    """Best effort for DOCX (``fmt="docx"``) and ODT (``fmt="odt"``); never raises.

    Reads the title and language from the document properties (core.xml / meta.xml,
    falling back to the default language of the styles), whether any heading is marked
    up, and how many images have no alternative text. Passed: a title, a language,
    headings (when the document has more than a few paragraphs) and no image without an
    alternative text.
    """
    result = _base(fmt)
    result.update({"has_headings": False, "images_without_alt": 0})
    budget = packages.Budget()
    try:
        with contextlib.ExitStack() as stack:
            stream = _as_stream(file)
            if isinstance(stream, str):
                stream = stack.enter_context(open(stream, "rb"))  # noqa: SIM115
            archive = stack.enter_context(packages.open_package(stream))
            if fmt == DOCX:
                _read_docx(archive, result, budget)
            else:
                _read_odt(archive, result, budget)
    except Exception as exc:  # noqa: BLE001 - a damaged upload must give a result
        log.info("accessibility: could not read a %s file: %r", fmt, exc)
        result.pop("_paragraphs", None)
        limits = isinstance(exc, packages.PackageError) and exc.code not in (
            "damaged", "names", "xml_dtd", "encrypted")
        result.update(readable=False, problems=["too_complex" if limits else "unreadable"],
                      passed=False)
        return result
    result["readable"] = True
    result["has_title"] = bool(result["title"])
    result["has_language"] = bool(result["language"])
    result["no_images_without_alt"] = result["images_without_alt"] == 0
    required = ["has_title", "has_language", "no_images_without_alt"]
    if result.pop("_paragraphs", 0) > 3:
        required.insert(2, "has_headings")
    _judge(result, required=tuple(required))
    del result["no_images_without_alt"]
    return result


def _read_docx(archive: zipfile.ZipFile, result: dict[str, Any],
               budget: packages.Budget) -> None:
    core = _xml(archive, "docProps/core.xml", budget)
    result["title"] = _text(core, "dc:title")[:300]
    language = _text(core, "dc:language")
    styles = _xml(archive, "word/styles.xml", budget)
    if not language and styles is not None:
        lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
        language = (lang.get(f"{{{NS['w']}}}val", "") if lang is not None else "").strip()
    result["language"] = language[:35]
    document = _xml(archive, "word/document.xml", budget)
    if document is None:
        raise ValueError("not a word processing document")
    heading_styles = {"title", "heading", "rubrik"}
    styles_by_id = {}
    if styles is not None:
        for style in styles.findall("w:style", NS):
            name = style.find("w:name", NS)
            styles_by_id[style.get(f"{{{NS['w']}}}styleId", "")] = (
                name.get(f"{{{NS['w']}}}val", "") if name is not None else "")
    paragraphs = document.findall(".//w:p", NS)
    result["_paragraphs"] = len(paragraphs)
    for p in paragraphs:
        style = p.find("w:pPr/w:pStyle", NS)
        outline = p.find("w:pPr/w:outlineLvl", NS)
        style_id = style.get(f"{{{NS['w']}}}val", "") if style is not None else ""
        name = (styles_by_id.get(style_id) or style_id).lower()
        if outline is not None or any(name.startswith(h) for h in heading_styles):
            result["has_headings"] = True
            break
    result["images_without_alt"] = sum(
        1 for pr in document.iter(f"{{{NS['wp']}}}docPr") if not (pr.get("descr") or "").strip())


def _read_odt(archive: zipfile.ZipFile, result: dict[str, Any],
              budget: packages.Budget) -> None:
    meta = _xml(archive, "meta.xml", budget)
    result["title"] = _text(meta, "office:meta/dc:title")[:300]
    language = _text(meta, "office:meta/dc:language")
    if not language:
        styles = _xml(archive, "styles.xml", budget)
        props = styles.find(".//style:default-style[@style:family='paragraph']/"
                            "style:text-properties", NS) if styles is not None else None
        if props is not None:
            lang = props.get(f"{{{NS['fo']}}}language", "")
            country = props.get(f"{{{NS['fo']}}}country", "")
            language = f"{lang}-{country}" if lang and country and country != "none" else lang
            language = "" if language == "none" else language
    result["language"] = language[:35]
    content = _xml(archive, "content.xml", budget)
    if content is None:
        raise ValueError("not an OpenDocument text")
    result["_paragraphs"] = len(content.findall(".//text:p", NS))
    result["has_headings"] = content.find(".//text:h", NS) is not None
    missing = 0
    for frame in content.iter(f"{{{NS['draw']}}}frame"):
        if frame.find("draw:image", NS) is None:
            continue
        alt = _text(frame, "svg:title") or _text(frame, "svg:desc")
        missing += 0 if alt else 1
    result["images_without_alt"] = missing


def sniff_format(head: bytes, content_type: str = "") -> str:
    """``pdf``, ``docx``, ``odt`` or ``other``, from the content type and the first bytes."""
    if content_type in PDF_TYPES or head.startswith(b"%PDF-"):
        return PDF
    if content_type in DOCX_TYPES:
        return DOCX
    if content_type in ODT_TYPES:
        return ODT
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head[:100]:
            return ODT
        if b"word/" in head or b"[Content_Types].xml" in head:
            return DOCX
    return OTHER


def machine_check(file: bytes | IO[bytes], *, content_type: str = "") -> dict[str, Any]:
    """The machine check for any file: dispatches on its format; never raises."""
    stream = _as_stream(file)
    assert not isinstance(stream, str)
    head = stream.read(2048)
    stream.seek(0)
    fmt = sniff_format(head, content_type)
    if fmt == PDF:
        return pdf_machine_check(stream)
    if fmt in (DOCX, ODT):
        return office_machine_check(stream, fmt=fmt)
    result = _base(OTHER)
    result.update(readable=True, problems=[], warnings=["not_checkable"], passed=None)
    return result


def version_machine_check(version: DocumentVersion, *,
                          missing_ok: bool = True) -> dict[str, Any]:
    """Run the machine check on a version's file (read from storage); never raises,
    except ``OSError`` when the file cannot be opened and not ``missing_ok`` (the task
    then retries instead of storing "unreadable" for good)."""
    try:
        with version.file.open("rb") as fh:
            return machine_check(fh, content_type=version.content_type)
    except OSError as exc:
        if not missing_ok:
            raise
        log.warning("accessibility: the file of %s could not be opened: %s", version.pk, exc)
        result = _base(OTHER)
        result.update(problems=["unreadable"])
        return result


# --- Services ----------------------------------------------------------------------------

def _check_for_update(version: DocumentVersion) -> AccessibilityCheck:
    # Not get_or_create: its first save would write a history row without who and why.
    return (AccessibilityCheck.objects.select_for_update().filter(version=version).first()
            or AccessibilityCheck(version=version))


def machine_check_stored(version_id: int) -> bool:
    """Whether the machine check of the version has run and its result is stored."""
    return (AccessibilityCheck.objects.filter(version_id=version_id)
            .exclude(machine_result={}).exists())


def accessibility_machine_check_run(*, version: DocumentVersion, actor: Actor = None,
                                    force: bool = False) -> AccessibilityCheck | None:
    """Run the machine check of ``version`` once and store its result on the version's
    AccessibilityCheck (created if missing); the editor's answers are left alone.

    A version's file never changes, so its result is computed once (issue 12 §3): when a
    result is stored already, nothing is run unless ``force`` (the editor's "run again").
    The check reads the file outside any transaction (it takes up to a few seconds and
    must not hold the database's write lock); the result is stored in a short one, and
    two runs at once store it once. Called by the task ``documents.machine_check``
    (``machine_check_on_commit``); None when the version no longer exists."""
    if not force and machine_check_stored(version.pk):
        return AccessibilityCheck.objects.filter(version_id=version.pk).first()
    result = version_machine_check(version, missing_ok=False)  # OSError: the task retries
    with transaction.atomic():
        locked = DocumentVersion.objects.select_for_update().filter(pk=version.pk).first()
        if locked is None:
            return None
        check = _check_for_update(locked)
        if check.machine_result and not force:
            return check  # another run stored it while this one was reading the file
        check.machine_result = result
        save_with_history(check, actor=actor, reason=_("Machine check"))
    return check


def schedule_machine_check(version_id: int, *, force: bool = False,
                           actor_id: int | None = None) -> None:
    """Queue the machine check of a version (Celery; inline when no broker is configured).
    A failure to queue is logged: the hourly sweep ``machine_checks_sweep`` catches up."""
    from .tasks import machine_check

    try:
        machine_check.delay(version_id, force=force, actor_id=actor_id)
    except Exception:  # noqa: BLE001 - the broker is down (or the check failed inline)
        log.exception("accessibility: could not queue the machine check of version %s",
                      version_id)


def machine_check_on_commit(version: DocumentVersion, *, force: bool = False,
                            actor: Actor = None) -> None:
    """Queue the machine check of ``version`` once the current transaction commits."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    version_id = version.pk
    transaction.on_commit(lambda: schedule_machine_check(version_id, force=force,
                                                         actor_id=actor_id))


MACHINE_SWEEP_LIMIT = 200


def machine_checks_sweep(*, limit: int = MACHINE_SWEEP_LIMIT) -> int:
    """Queue the check of every version without a stored result (a task lost on its way
    to the worker, a worker that died, versions from before the checks were queued);
    returns how many were queued. Safe to run twice at once: a run stores once."""
    stored = AccessibilityCheck.objects.exclude(machine_result={}).values("version_id")
    pending = list(DocumentVersion.objects.exclude(pk__in=stored)
                   .exclude(status=VersionStatus.WITHDRAWN)
                   .order_by("pk").values_list("pk", flat=True)[:limit])
    for version_id in pending:
        schedule_machine_check(version_id)
    return len(pending)


@transaction.atomic
def accessibility_check_record(
    *, version: DocumentVersion, actor: Actor, has_title: bool, has_language: bool,
    is_tagged: bool, has_headings: bool, has_alt_texts: bool, has_contrast: bool,
    note: str = "", reason: str = "", seen: Seen | None = None,
) -> AccessibilityCheck:
    """Record the editor's checklist for ``version`` (who and when, in the history).

    The stored machine result is kept (the version's file never changes, so it is what
    the editor saw); when none is stored yet, the check is queued on commit. ``seen`` is
    the form's token: another editor's checklist recorded meanwhile refuses this one
    (``StaleEdit``, issue 12 §1)."""
    check = _check_for_update(version)
    if check.pk is not None:
        resolve(check, seen=seen, changes={
            "has_title": has_title, "has_language": has_language, "is_tagged": is_tagged,
            "has_headings": has_headings, "has_alt_texts": has_alt_texts,
            "has_contrast": has_contrast, "note": note})
    check.has_title, check.has_language, check.is_tagged = has_title, has_language, is_tagged
    check.has_headings, check.has_alt_texts, check.has_contrast = (
        has_headings, has_alt_texts, has_contrast)
    check.note = note
    check.checked_by = actor if getattr(actor, "is_authenticated", False) else None
    check.checked_at = timezone.now()
    save_with_history(check, actor=actor, reason=reason or _("Accessibility checklist recorded"))
    if not check.machine_result:
        machine_check_on_commit(version, actor=actor)
    return check


# --- Selectors ---------------------------------------------------------------------------

@dataclass
class AccessibilitySummary:
    """What the editor should see before publishing a version."""

    version: DocumentVersion
    check: AccessibilityCheck | None
    machine: dict[str, Any]
    machine_stored: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing_items: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def machine_failed(self) -> bool:
        return self.machine.get("passed") is False

    @property
    def machine_pending(self) -> bool:
        """The machine check has not run yet (it is queued after the upload)."""
        return not self.machine_stored


def version_accessibility_summary(*, version: DocumentVersion) -> AccessibilitySummary:
    """The stored machine result and the checklist, with the problems that stand in the
    way of publishing. Never runs the machine check (issue 12 §3: a page view must not
    read the file); before the check has run, ``machine_pending`` is true and that is
    one of the problems."""
    check = AccessibilityCheck.objects.filter(version=version).select_related(
        "checked_by").first()
    machine = dict(check.machine_result) if check and check.machine_result else {}
    stored = bool(machine)
    summary = AccessibilitySummary(version=version, check=check, machine=machine,
                                   machine_stored=stored)
    if not stored:
        summary.problems.append(_("The machine check has not run yet; it runs in the "
                                  "background shortly after the upload."))
    elif machine.get("passed") is False:
        summary.problems += [_("Machine check: %(problem)s") % {"problem": p}
                             for p in problem_messages(machine.get("problems", []))]
    summary.warnings = problem_messages(machine.get("warnings", []))
    if check is None or check.checked_at is None:
        summary.problems.append(_("The editor's accessibility checklist has not been filled in."))
    else:
        labels = {name: AccessibilityCheck._meta.get_field(name).verbose_name
                  for name in CHECKLIST_FIELDS}
        summary.missing_items = [str(labels[name]) for name in CHECKLIST_FIELDS
                                 if not getattr(check, name)]
        if summary.missing_items:
            summary.problems.append(_("Checklist not complete: %(items)s.") % {
                "items": ", ".join(summary.missing_items)})
    return summary


def accessibility_ready(version: DocumentVersion) -> tuple[bool, list[str]]:
    """Whether ``version`` may be published without the editor's explicit confirmation,
    and the problems (Swedish through the catalogue) to show when it may not.

    Meant for the publish service: when not ready, publishing should require the
    editor to confirm explicitly and the problems go into the history reason."""
    summary = version_accessibility_summary(version=version)
    return summary.ready, summary.problems


def versions_needing_accessibility(*, limit: int = 200) -> list[DocumentVersion]:
    """Approved or published versions whose checklist is missing or incomplete, or whose
    stored machine check failed (1 query; ``version.accessibility`` is selected)."""
    incomplete = Q(accessibility__isnull=True) | Q(accessibility__checked_at__isnull=True)
    for name in CHECKLIST_FIELDS:
        incomplete |= Q(**{f"accessibility__{name}": False})
    incomplete |= Q(accessibility__machine_result__passed=False)
    return list(
        DocumentVersion.objects.filter(status__in=[VersionStatus.APPROVED,
                                                   VersionStatus.PUBLISHED])
        .filter(incomplete).select_related("document__owner_body", "accessibility")
        .order_by("status", "document__title", "pk")[:limit])
