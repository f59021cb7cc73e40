"""Bounded reading of office packages (ZIP) and the XML inside them (issue 12 §3).

DOCX, XLSX and ODT files are ZIP packages of XML parts. A package of a few kilobytes can
unpack to gigabytes (a zip bomb) or hold XML nested millions of levels deep, and a
parser that builds the whole tree then takes seconds and gigabytes for every look. So
every reading of an uploaded package goes through here, and every limit aborts early:

- the ZIP: at most ``MAX_MEMBERS`` members (counted from the central directory's size
  before Python builds its list), ``MAX_TOTAL_BYTES`` unpacked, no member that unpacks
  to more than ``MAX_RATIO`` times its packed size (beyond ``RATIO_FROM_BYTES``), no
  encrypted member, no name twice; member names that are not valid UTF-8 are a refusal
  with its own code, not an exception;
- the XML: parsed by defusedxml (no DTD, so no entity expansion and no external
  entities), streamed through a target that counts elements and depth and stops at
  ``MAX_XML_DEPTH`` levels or ``MAX_XML_ELEMENTS`` elements for the whole package; no
  part larger than ``MAX_XML_BYTES`` is read.

A refusal is a ``PackageError`` with a code (see ``CODES``); ``documents.uploads`` turns
it into the Swedish validation error on the file field, and ``documents.accessibility``
into an "unreadable" result. Well-formedness is not required here: a part that is not
well-formed XML stops its own parsing and nothing else (text extraction and the
accessibility check are best effort on damaged files anyway).
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

MAX_MEMBERS = 1000
# What a central directory of MAX_MEMBERS entries with long names and extras can take.
MAX_DIRECTORY_BYTES = MAX_MEMBERS * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_XML_ELEMENTS = 1_000_000
MAX_XML_DEPTH = 200
XML_SUFFIXES = (".xml", ".rels")
CHUNK = 64 * 1024

# Codes of ``PackageError`` (the upload messages are keyed by them).
CODES = ("damaged", "names", "members", "unpacked_size", "ratio", "encrypted",
         "xml_size", "xml_depth", "xml_elements", "xml_dtd")


class PackageError(ValueError):
    """A package refused by one of the limits; ``code`` is one of ``CODES``."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass
class Budget:
    """The XML elements one package may still hold (shared by all its parts)."""

    elements: int = field(default_factory=lambda: MAX_XML_ELEMENTS)


def _directory_size(data: IO[bytes]) -> int | None:
    """The size of the ZIP's central directory from its end record, or None when that
    record cannot be read (``ZipFile`` then refuses the file itself)."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # pragma: no cover - every CPython since 2.x has it
        return None
    try:
        data.seek(0)
        record = end_record(data)
    except (OSError, ValueError, EOFError):
        return None
    finally:
        data.seek(0)
    return int(record[zipfile._ECD_SIZE]) if record else None


def open_package(data: IO[bytes]) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP and check its members against the limits.

    Raises ``PackageError``: ``damaged`` (not a readable ZIP), ``names`` (a member name
    flagged UTF-8 that is not), ``members``, ``unpacked_size``, ``ratio``,
    ``encrypted``. The caller closes the package."""
    directory = _directory_size(data)
    if directory is not None and directory > MAX_DIRECTORY_BYTES:
        raise PackageError("members", limit=MAX_MEMBERS)
    try:
        data.seek(0)
        package = zipfile.ZipFile(data)
    except UnicodeDecodeError as exc:
        raise PackageError("names") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        raise PackageError("damaged") from exc
    try:
        check_members(package)
    except BaseException:
        package.close()
        raise
    return package


def check_members(package: zipfile.ZipFile) -> None:
    """The member limits of ``open_package`` on an open package."""
    infos = package.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PackageError("members", limit=MAX_MEMBERS)
    total = 0
    names: set[str] = set()
    for info in infos:
        if info.filename in names:
            raise PackageError("damaged")  # two parts of one name: which one counts?
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise PackageError("encrypted")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise PackageError("unpacked_size", limit=MAX_TOTAL_BYTES)
        if (info.file_size > RATIO_FROM_BYTES
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise PackageError("ratio", limit=MAX_RATIO)


def read_member(package: zipfile.ZipFile, info: zipfile.ZipInfo,
                limit: int = MAX_XML_BYTES) -> bytes:
    """The bytes of one member, refused (``xml_size``) beyond ``limit``, whatever the
    directory claims."""
    if info.file_size > limit:
        raise PackageError("xml_size", limit=limit, name=info.filename)
    out = bytearray()
    try:
        with package.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > limit:
                    raise PackageError("xml_size", limit=limit, name=info.filename)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            ValueError) as exc:
        if isinstance(exc, PackageError):
            raise
        raise PackageError("damaged") from exc
    return bytes(out)


class _Counted:
    """An ElementTree parser target that counts elements and depth and, when given a
    ``TreeBuilder``, builds the tree; it raises as soon as a limit is passed, so the
    parser stops there."""

    __slots__ = ("budget", "builder", "depth")

    def __init__(self, budget: Budget, builder: ElementTree.TreeBuilder | None) -> None:
        self.budget = budget
        self.builder = builder
        self.depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        self.budget.elements -= 1
        if self.depth > MAX_XML_DEPTH:
            raise PackageError("xml_depth", limit=MAX_XML_DEPTH)
        if self.budget.elements < 0:
            raise PackageError("xml_elements", limit=MAX_XML_ELEMENTS)
        if self.builder is not None:
            self.builder.start(tag, attrib)

    def end(self, tag: str) -> None:
        self.depth -= 1
        if self.builder is not None:
            self.builder.end(tag)

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)

    def close(self) -> ElementTree.Element | None:
        return self.builder.close() if self.builder is not None else None


def parse_xml(data: bytes, *, budget: Budget | None = None,
              build: bool = True) -> ElementTree.Element | None:
    """Parse one XML part within the limits: the root element (``build``) or None.

    ``PackageError`` when a limit is passed or the part declares a DTD (``xml_dtd``);
    ``ElementTree.ParseError`` when it is not well-formed."""
    budget = budget if budget is not None else Budget()
    target = _Counted(budget, ElementTree.TreeBuilder() if build else None)
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    try:
        for start in range(0, len(data), CHUNK):
            parser.feed(data[start:start + CHUNK])
        return parser.close()
    except PackageError:
        raise
    except DefusedXmlException as exc:
        raise PackageError("xml_dtd") from exc


def check_xml_parts(package: zipfile.ZipFile) -> None:
    """Parse every XML part of ``package`` (without keeping a tree) within the limits.

    A part that is not well-formed is left at that: the limits are what protect us."""
    budget = Budget()
    for info in package.infolist():
        if not info.filename.lower().endswith(XML_SUFFIXES) or info.is_dir():
            continue
        raw = read_member(package, info)
        try:
            parse_xml(raw, budget=budget, build=False)
        except ElementTree.ParseError:
            continue
