"""Checking an uploaded file by its content, and extracting its text for search.

The type is decided by the bytes, never by the name or the browser's content type:

- PDF: starts with ``%PDF-``;
- DOCX / XLSX: a ZIP package with ``[Content_Types].xml`` and ``word/`` or ``xl/`` parts;
- ODT: a ZIP package whose first entry is ``mimetype`` holding
  ``application/vnd.oasis.opendocument.text``.

Anything else is refused, and so is a name whose extension contradicts the content (a
PDF named ``.docx``). Text extraction never raises: a broken file simply has no text.
XML parts are read with a size cap and stripped of tags with a regular expression, so
no XML parser ever expands entities from an uploaded file.
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


def _zip_type(data: IO[bytes]) -> str | None:
    try:
        data.seek(0)
        with zipfile.ZipFile(data) as package:
            infos = package.infolist()
            names = {info.filename for info in infos}
            if infos and infos[0].filename == "mimetype":
                if infos[0].file_size > 200:
                    return None
                if package.read(infos[0]).strip() == ODT.encode():
                    return ODT
                return None
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError):
        return None
    finally:
        data.seek(0)
    return None


def sniff(data: IO[bytes]) -> str | None:
    """The content type the bytes of ``data`` show, or None when the type is not allowed."""
    data.seek(0)
    head = data.read(8)
    data.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
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


def inspect_upload(data: IO[bytes], name: str) -> Inspected:
    """Check an upload; raise ``ValidationError`` on the ``file`` field when refused."""
    limit = max_upload_bytes()
    size = _size_of(data)
    if size == 0:
        raise _file_error(_("The file is empty."), "empty")
    if size > limit:
        raise _file_error(_("The file is %(size)s; files of at most %(limit)s can be uploaded.")
                          % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
                          "too_large")
    content_type = sniff(data)
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
    with zipfile.ZipFile(data) as package:
        names = set(package.namelist())
        for part in parts:
            if part not in names or package.getinfo(part).file_size > MAX_XML_BYTES:
                continue
            with package.open(part) as stream:
                raw = stream.read(MAX_XML_BYTES + 1)[:MAX_XML_BYTES]
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
