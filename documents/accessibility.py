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

import io
import logging
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.services import Actor, save_with_history

from .models import AccessibilityCheck, DocumentVersion, VersionStatus

log = logging.getLogger(__name__)

PDF = "pdf"
DOCX = "docx"
ODT = "odt"
OTHER = "other"

PDF_TYPES = {"application/pdf"}
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ODT_TYPES = {"application/vnd.oasis.opendocument.text"}

# Office files are zip archives: never read more than this of one member (zip bombs).
MAX_XML_BYTES = 20 * 1024 * 1024

# Problem codes stored in ``machine_result["problems"]`` (they fail the machine check)
# and ``machine_result["warnings"]`` (shown, but do not fail it). The messages are
# looked up when shown, so a stored result follows the user's language.
PROBLEM_MESSAGES = {
    "unreadable": gettext_lazy("The file could not be read (it may be damaged)."),
    "encrypted": gettext_lazy("The file is password-protected and could not be read."),
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


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES:
        raise ValueError(f"{name} is too large to check")
    with archive.open(info) as fh:
        return _parse_without_dtd(fh.read(MAX_XML_BYTES + 1))


def _parse_without_dtd(data: bytes) -> ElementTree.Element:
    """Parse XML that may come from anyone: a DTD or an entity declaration is refused
    (no entity expansion, no external entities); OOXML and ODF never use them."""
    def refuse(*_args: object) -> None:
        raise ValueError("XML with a DTD or entity declarations is refused")

    def qname(name: str) -> str:  # expat's "uri}local" → ElementTree's "{uri}local"
        return "{" + name if "}" in name else name

    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, attrs: builder.start(
        qname(name), {qname(k): v for k, v in attrs.items()})
    parser.EndElementHandler = lambda name: builder.end(qname(name))
    parser.CharacterDataHandler = builder.data
    parser.Parse(data, True)
    return builder.close()


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
    try:
        with zipfile.ZipFile(_as_stream(file)) as archive:
            if fmt == DOCX:
                _read_docx(archive, result)
            else:
                _read_odt(archive, result)
    except Exception as exc:  # noqa: BLE001 - a damaged upload must give a result
        log.info("accessibility: could not read a %s file: %s", fmt, exc)
        result.pop("_paragraphs", None)
        result.update(readable=False, problems=["unreadable"], passed=False)
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


def _read_docx(archive: zipfile.ZipFile, result: dict[str, Any]) -> None:
    core = _xml(archive, "docProps/core.xml")
    result["title"] = _text(core, "dc:title")[:300]
    language = _text(core, "dc:language")
    styles = _xml(archive, "word/styles.xml")
    if not language and styles is not None:
        lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
        language = (lang.get(f"{{{NS['w']}}}val", "") if lang is not None else "").strip()
    result["language"] = language[:35]
    document = _xml(archive, "word/document.xml")
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


def _read_odt(archive: zipfile.ZipFile, result: dict[str, Any]) -> None:
    meta = _xml(archive, "meta.xml")
    result["title"] = _text(meta, "office:meta/dc:title")[:300]
    language = _text(meta, "office:meta/dc:language")
    if not language:
        styles = _xml(archive, "styles.xml")
        props = styles.find(".//style:default-style[@style:family='paragraph']/"
                            "style:text-properties", NS) if styles is not None else None
        if props is not None:
            lang = props.get(f"{{{NS['fo']}}}language", "")
            country = props.get(f"{{{NS['fo']}}}country", "")
            language = f"{lang}-{country}" if lang and country and country != "none" else lang
            language = "" if language == "none" else language
    result["language"] = language[:35]
    content = _xml(archive, "content.xml")
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


def version_machine_check(version: DocumentVersion) -> dict[str, Any]:
    """Run the machine check on a version's file (read from storage); never raises."""
    try:
        with version.file.open("rb") as fh:
            return machine_check(fh, content_type=version.content_type)
    except OSError as exc:
        log.warning("accessibility: the file of %s could not be opened: %s", version.pk, exc)
        result = _base(OTHER)
        result.update(problems=["unreadable"])
        return result


# --- Services ----------------------------------------------------------------------------

def _check_for_update(version: DocumentVersion) -> AccessibilityCheck:
    # Not get_or_create: its first save would write a history row without who and why.
    return (AccessibilityCheck.objects.select_for_update().filter(version=version).first()
            or AccessibilityCheck(version=version))


@transaction.atomic
def accessibility_machine_check_run(*, version: DocumentVersion,
                                    actor: Actor = None) -> AccessibilityCheck:
    """Run the machine check of ``version`` and store its result on the version's
    AccessibilityCheck (created if missing). The editor's answers are left alone.

    The document service may call this after an upload (``transaction.on_commit``)."""
    result = version_machine_check(version)
    check = _check_for_update(version)
    check.machine_result = result
    save_with_history(check, actor=actor, reason=_("Machine check"))
    return check


@transaction.atomic
def accessibility_check_record(
    *, version: DocumentVersion, actor: Actor, has_title: bool, has_language: bool,
    is_tagged: bool, has_headings: bool, has_alt_texts: bool, has_contrast: bool,
    note: str = "", reason: str = "",
) -> AccessibilityCheck:
    """Record the editor's checklist for ``version`` (who and when, in the history).

    The machine check is run again at the same time, so what is stored next to the
    editor's answers is what the editor saw for this file."""
    check = _check_for_update(version)
    check.has_title, check.has_language, check.is_tagged = has_title, has_language, is_tagged
    check.has_headings, check.has_alt_texts, check.has_contrast = (
        has_headings, has_alt_texts, has_contrast)
    check.note = note
    check.checked_by = actor if getattr(actor, "is_authenticated", False) else None
    check.checked_at = timezone.now()
    check.machine_result = version_machine_check(version)
    save_with_history(check, actor=actor, reason=reason or _("Accessibility checklist recorded"))
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


def version_accessibility_summary(*, version: DocumentVersion,
                                  run_if_missing: bool = True) -> AccessibilitySummary:
    """The machine result (stored, or computed now without storing it when none is) and
    the checklist, with the problems that stand in the way of publishing."""
    check = AccessibilityCheck.objects.filter(version=version).select_related(
        "checked_by").first()
    machine = dict(check.machine_result) if check and check.machine_result else {}
    stored = bool(machine)
    if not machine and run_if_missing:
        machine = version_machine_check(version)
    summary = AccessibilitySummary(version=version, check=check, machine=machine,
                                   machine_stored=stored)
    if machine.get("passed") is False:
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
