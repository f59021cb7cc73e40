"""Checking an uploaded file by its content, and extracting its text for search.

The type is decided by the bytes, never by the name or the browser's content type:

- PDF: starts with ``%PDF-``;
- DOCX / XLSX: a ZIP package with ``[Content_Types].xml`` and ``word/document.xml`` or
  ``xl/workbook.xml``;
- ODT: a ZIP package whose first entry is ``mimetype`` holding
  ``application/vnd.oasis.opendocument.text``, with ``content.xml``.

Anything else is refused, and so is a name whose extension contradicts the content (a
PDF named ``.docx``). A ZIP package is opened and its XML parsed within the limits of
``documents.packages`` (members, unpacked size, compression ratio, XML depth and
element count, no DTD): a package past a limit is refused with its own message on the
file field (issue 12 §3). ``inspect_upload`` is the one inspection for every path that
takes a file (the register, the admin, agenda papers). Text extraction never raises: a
broken file simply has no text. XML parts are read with a size cap and stripped of tags
with a regular expression, so no XML parser ever expands entities from an uploaded file.
"""
from __future__ import annotations

import hashlib
import html
import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import packages

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", ODT: ".odt"}

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Caps for text extraction: what search needs, not what a hostile file asks for.
MAX_TEXT_CHARS = 1_000_000
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 500

# The parts whose text is indexed, per type.
TEXT_PARTS = {DOCX: ("word/document.xml",), XLSX: ("xl/sharedStrings.xml",),
              ODT: ("content.xml",)}


@dataclass(frozen=True)
class Inspected:
    """What the checks found out about an accepted upload."""

    content_type: str
    extension: str
    size: int
    sha256: str
    text: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _office_type(package: zipfile.ZipFile) -> str | None:
    """DOCX, XLSX or ODT by the parts the package holds, or None: an ODT names its type
    in the first member, ``mimetype``, and has ``content.xml``; DOCX and XLSX have
    ``[Content_Types].xml`` and their main part."""
    infos = package.infolist()
    names = {info.filename for info in infos}
    if infos and infos[0].filename == "mimetype":
        if infos[0].file_size > 200:
            return None
        mimetype = packages.read_member(package, infos[0], limit=200).strip()
        return ODT if mimetype == ODT.encode() and "content.xml" in names else None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def _package_type(data: IO[bytes]) -> str | None:
    """The office type of a ZIP upload, or None when it is not one we take; every XML
    part of an office package is parsed within the limits of ``documents.packages``.
    Raises ``packages.PackageError`` when a limit is passed."""
    try:
        with packages.open_package(data) as package:
            content_type = _office_type(package)
            if content_type is not None:
                packages.check_xml_parts(package)
            return content_type
    finally:
        data.seek(0)


def sniff(data: IO[bytes]) -> str | None:
    """The content type the bytes of ``data`` show, or None when the type is not allowed
    (or the package passes a limit: ``inspect_upload`` says which)."""
    try:
        return _sniff(data)
    except packages.PackageError:
        return None


def _sniff(data: IO[bytes]) -> str | None:
    data.seek(0)
    head = data.read(8)
    data.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _package_type(data)
    return None


def extension_of(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return ("." + base.rsplit(".", 1)[-1].lower()) if "." in base else ""


def sha256_of(data: IO[bytes]) -> str:
    digest = hashlib.sha256()
    data.seek(0)
    for chunk in iter(lambda: data.read(1024 * 1024), b""):
        digest.update(chunk)
    data.seek(0)
    return digest.hexdigest()


def _size_of(data: IO[bytes]) -> int:
    size = getattr(data, "size", None)
    if size is None:
        data.seek(0, io.SEEK_END)
        size = data.tell()
        data.seek(0)
    return int(size)


def inspect_upload(data: IO[bytes], name: str, *, max_bytes: int | None = None) -> Inspected:
    """Check an upload; raise ``ValidationError`` on the ``file`` field when refused.

    The one inspection of every upload: the register's versions, the admin's, agenda
    papers (``meetings.papers.inspect_upload``) and the minutes filed in the register.
    ``max_bytes`` overrides ``DOCUMENTS_MAX_UPLOAD_BYTES`` (agenda papers have their
    own limit)."""
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    size = _size_of(data)
    if size == 0:
        raise _file_error(_("The file is empty."), "empty")
    if size > limit:
        raise _file_error(_("The file is %(size)s; files of at most %(limit)s can be uploaded.")
                          % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
                          "too_large")
    try:
        content_type = _sniff(data)
    except packages.PackageError as exc:
        raise _package_error(exc) from exc
    if content_type is None:
        raise _file_error(_("The file is not a PDF, Word (DOCX), Excel (XLSX) or OpenDocument "
                            "text (ODT) document. Other kinds of files cannot be uploaded."),
                          "type")
    expected = EXTENSIONS[content_type]
    if extension_of(name) != expected:
        raise _file_error(
            _("The file's name ends in “%(actual)s” but its content is a %(expected)s file. "
              "Rename it to end in %(expected)s, or upload the right file.")
            % {"actual": extension_of(name) or _("no extension"), "expected": expected},
            "name_mismatch")
    return Inspected(content_type=content_type, extension=expected, size=size,
                     sha256=sha256_of(data), text=extract_text(data, content_type))


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


# Why a package was refused, by ``packages.PackageError.code``; the code of the
# ValidationError is the same.
PACKAGE_MESSAGES = {
    "damaged": gettext_lazy("The file could not be read: it is damaged or not a complete "
                            "document. Save it again from its program and upload it once "
                            "more."),
    "names": gettext_lazy("The file holds parts whose names are not valid text (not UTF-8). "
                          "Save it again from its program and upload it once more."),
    "members": gettext_lazy("The file holds more than %(limit)s parts; it cannot be checked "
                            "safely and is not accepted."),
    "unpacked_size": gettext_lazy("Unpacked, the file would be larger than %(limit)s; it "
                                  "cannot be checked safely and is not accepted."),
    "ratio": gettext_lazy("A part of the file unpacks to more than %(limit)s times its packed "
                          "size (a “zip bomb”); the file is not accepted."),
    "encrypted": gettext_lazy("The file holds password-protected parts. Remove the password "
                              "and upload it again."),
    "xml_size": gettext_lazy("A part of the file is larger than %(limit)s; it cannot be "
                             "checked safely and is not accepted."),
    "xml_depth": gettext_lazy("The file's XML is nested more than %(limit)s levels deep; it "
                              "cannot be checked safely and is not accepted."),
    "xml_elements": gettext_lazy("The file's XML has more than %(limit)s elements; it cannot "
                                 "be checked safely and is not accepted."),
    "xml_dtd": gettext_lazy("The file's XML declares a document type or entities, which "
                            "office documents never do; the file is not accepted."),
}


def _package_error(exc: packages.PackageError) -> ValidationError:
    limit = exc.params.get("limit", "")
    if exc.code in ("unpacked_size", "xml_size"):
        limit = filesizeformat(limit)
    elif isinstance(limit, int):
        limit = f"{limit:,}".replace(",", "\N{NO-BREAK SPACE}")
    message = str(PACKAGE_MESSAGES.get(exc.code, PACKAGE_MESSAGES["damaged"]))
    return _file_error(message % {"limit": limit}, exc.code)


# --- text extraction --------------------------------------------------------------------

_BREAKS = re.compile(r"</(?:w:p|text:p|text:h|si|a:p)>|<(?:w:br|w:tab|text:tab|text:line-break)"
                     r"\b[^>]*/?>")
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def xml_text(xml: str) -> str:
    """The text of an XML part: tags dropped, paragraphs on their own lines, entities
    decoded (only the predefined and numeric ones: no DTD is ever read)."""
    text = _TAGS.sub("", _BREAKS.sub("\n", xml))
    text = html.unescape(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _zip_text(data: IO[bytes], parts: tuple[str, ...]) -> str:
    out: list[str] = []
    with packages.open_package(data) as package:
        names = set(package.namelist())
        for part in parts:
            if part not in names or package.getinfo(part).file_size > MAX_XML_BYTES:
                continue
            raw = packages.read_member(package, package.getinfo(part), limit=MAX_XML_BYTES)
            out.append(xml_text(raw.decode("utf-8", errors="replace")))
    return "\n".join(out)


def _pdf_text(data: IO[bytes]) -> str:
    from pypdf import PdfReader

    out: list[str] = []
    total = 0
    reader = PdfReader(data, strict=False)
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or total >= MAX_TEXT_CHARS:
            break
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one broken page must not lose the others
            logger.debug("skipped an unreadable PDF page", exc_info=True)
            text = ""
        out.append(text)
        total += len(text)
    return "\n".join(out)


def extract_text(data: IO[bytes], content_type: str) -> str:
    """The text of the file for search; empty when it cannot be read (never raises)."""
    try:
        data.seek(0)
        with warnings.catch_warnings():
            # pypdf warns about every oddity of a broken file; the text is best effort.
            warnings.simplefilter("ignore")
            if content_type == PDF:
                text = _pdf_text(data)
            elif content_type in TEXT_PARTS:
                text = _zip_text(data, TEXT_PARTS[content_type])
            else:
                text = ""
    except Exception:  # noqa: BLE001 - a file we cannot read is still stored, just not indexed
        logger.info("could not extract the text of an uploaded %s file", content_type,
                    exc_info=True)
        text = ""
    finally:
        data.seek(0)
    return text.replace("\x00", "")[:MAX_TEXT_CHARS]
