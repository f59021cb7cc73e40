"""Hostile office files for the upload limits (issue 12 §3), built in the tests."""
from __future__ import annotations

import io
import zipfile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ODT_TYPE = b"application/vnd.oasis.opendocument.text"


def package(parts: dict[str, bytes | str], *, deflate: bool = True,
            first: tuple[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method, compresslevel=9 if deflate else None) as z:
        if first is not None:
            z.writestr(zipfile.ZipInfo(first[0]), first[1])  # stored, as ODF requires
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def docx(core: bytes | str = b"<cp:coreProperties xmlns:cp='c'/>") -> bytes:
    """A DOCX whose ``docProps/core.xml`` is ``core``."""
    return package({
        "[Content_Types].xml": b"<Types/>",
        "docProps/core.xml": core,
        "word/document.xml": f"<w:document xmlns:w='{W}'><w:body><w:p><w:r><w:t>Text"
                             "</w:t></w:r></w:p></w:body></w:document>",
    })


def nested(depth: int) -> bytes:
    """XML nested ``depth`` levels deep: the shape of the probe's core.xml."""
    return b"<a>" * depth + b"</a>" * depth


def nested_docx(depth: int) -> bytes:
    return docx(nested(depth))


def probe_docx() -> bytes:
    """The probe's file: six million nested elements in core.xml, a few tens of KB."""
    return nested_docx(6_000_000)


def zip_bomb_docx(megabytes: int = 60) -> bytes:
    """A DOCX with a part of ``megabytes`` MB of zeros (it packs about 1000:1)."""
    return package({
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": f"<w:document xmlns:w='{W}'/>",
        "word/media/image1.png": b"\0" * (megabytes * 1024 * 1024),
    })


def fake_odt() -> bytes:
    """Bytes that start like an ODT (a ZIP header with ``mimetype`` and the type) but are
    no ZIP package at all."""
    name = b"mimetype"
    header = (b"PK\x03\x04" + b"\x0a\x00" + b"\x00\x00" + b"\x00\x00" + b"\x00\x00\x00\x00"
              + b"\x00\x00\x00\x00" + len(ODT_TYPE).to_bytes(4, "little") * 2
              + len(name).to_bytes(2, "little") + b"\x00\x00")
    return header + name + ODT_TYPE + b"<this is not a document>" * 20


def odt_without_content() -> bytes:
    """A ZIP with the ODT ``mimetype`` first and nothing else."""
    return package({"meta.xml": b"<m/>"}, first=("mimetype", ODT_TYPE))


def bad_names_docx() -> bytes:
    """A DOCX-looking ZIP with a member whose name is flagged UTF-8 but is not."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("word/document.xml", f"<w:document xmlns:w='{W}'/>")
        z.writestr("word/\u00c5\u00c5.xml", b"<x/>")  # zipfile flags a non-ASCII name UTF-8
    # Then make its bytes invalid UTF-8, of the same length, in the local header and the
    # central directory alike.
    return out.getvalue().replace("\u00c5\u00c5".encode(), b"\xff\xfe\xc3\x28")
