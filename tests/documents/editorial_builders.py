"""Builders for the editorial tests: documents and versions straight through the ORM
(so these tests do not depend on the document services), files, and personas."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import zipfile

from django.core.files.base import ContentFile
from django.utils import timezone

from documents.models import Document, DocumentKind, DocumentVersion, VersionStatus
from governance.models import MembershipRole
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups
from tests.governance.factories import (
    BodyFactory,
    MembershipFactory,
    PersonFactory,
    SeatFactory,
    UserFactory,
)

TAGGED_HTML = ("<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'>"
               "<title>Överenskommelse om samverkan</title></head><body>"
               "<h1>Överenskommelse</h1><p>Parterna är överens.</p></body></html>")


@functools.cache
def tagged_pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string=TAGGED_HTML).write_pdf(pdf_tags=True)


def untagged_pdf(*, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(*, title: str = "Rutin för samverkan", language: str = "sv-SE",
         heading: bool = True, image_alt: str | None = "Karta över länet",
         paragraphs: int = 5) -> bytes:
    """A minimal DOCX (the parts the check reads)."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    body = ""
    if heading:
        body += ("<w:p><w:pPr><w:pStyle w:val='Heading1'/></w:pPr>"
                 "<w:r><w:t>Rubrik</w:t></w:r></w:p>")
    body += "".join(f"<w:p><w:r><w:t>Stycke {n}</w:t></w:r></w:p>" for n in range(paragraphs))
    if image_alt is not None:
        body += (f"<w:p><w:r><w:drawing><wp:inline><wp:docPr id='1' name='Bild 1' "
                 f"descr='{image_alt}'/></wp:inline></w:drawing></w:r></w:p>")
    core = ("<cp:coreProperties xmlns:cp='http://schemas.openxmlformats.org/package/2006/"
            "metadata/core-properties' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            f"<dc:title>{title}</dc:title><dc:language>{language}</dc:language>"
            "</cp:coreProperties>")
    styles = (f"<w:styles xmlns:w='{w}'><w:style w:type='paragraph' w:styleId='Heading1'>"
              "<w:name w:val='heading 1'/></w:style></w:styles>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/core.xml", core)
        archive.writestr("word/styles.xml", styles)
        archive.writestr("word/document.xml",
                         f"<w:document xmlns:w='{w}' xmlns:wp='{wp}'><w:body>{body}"
                         "</w:body></w:document>")
    return out.getvalue()


def odt(*, title: str = "Riktlinje", language: str = "sv", heading: bool = True) -> bytes:
    """A minimal ODT text document."""
    ns = ("xmlns:office='urn:oasis:names:tc:opendocument:xmlns:office:1.0' "
          "xmlns:text='urn:oasis:names:tc:opendocument:xmlns:text:1.0' "
          "xmlns:dc='http://purl.org/dc/elements/1.1/' "
          "xmlns:draw='urn:oasis:names:tc:opendocument:xmlns:drawing:1.0' "
          "xmlns:svg='urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0'")
    meta = (f"<office:document-meta {ns}><office:meta><dc:title>{title}</dc:title>"
            f"<dc:language>{language}</dc:language></office:meta></office:document-meta>")
    text = "<text:h text:outline-level='1'>Rubrik</text:h>" if heading else ""
    text += "".join(f"<text:p>Stycke {n}</text:p>" for n in range(5))
    text += ("<text:p><draw:frame><draw:image/><svg:title>Logotyp</svg:title></draw:frame>"
             "</text:p>")
    content = (f"<office:document-content {ns}><office:body><office:text>{text}"
               "</office:text></office:body></office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("meta.xml", meta)
        archive.writestr("content.xml", content)
    return out.getvalue()


def make_document(*, body=None, title: str = "Överenskommelse om samverkan",
                  kind: str = DocumentKind.AGREEMENT, **fields) -> Document:
    return Document.objects.create(title=title, kind=kind, owner_body=body or BodyFactory(),
                                   **fields)


def make_version(document: Document, *, number: int = 1, content: bytes | None = None,
                 name: str = "dokument.pdf", content_type: str = "application/pdf",
                 status: str = VersionStatus.DRAFT, approved_at: dt.datetime | None = None,
                 published_on: dt.date | None = None) -> DocumentVersion:
    content = tagged_pdf() if content is None else content
    if status in (VersionStatus.APPROVED, VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
        approved_at = approved_at or timezone.now() - dt.timedelta(days=1)
    if status in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
        published_on = published_on or timezone.localdate()
    return DocumentVersion.objects.create(
        document=document, number=number, file=ContentFile(content, name=name),
        original_name=name, sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        content_type=content_type, status=status, approved_at=approved_at,
        published_on=published_on)


def in_force(**fields) -> Document:
    """A document with a published version (the one in force)."""
    document = make_document(**fields)
    make_version(document, status=VersionStatus.PUBLISHED)
    return document


class Personas:
    """Editor, coordinator, the owning body's secretary and member, a member elsewhere."""

    def __init__(self) -> None:
        groups = ensure_role_groups()
        self.editor = UserFactory(username="redaktor", email="redaktor@exempel.invalid")
        self.editor.groups.add(groups[EDITOR_GROUP])
        self.coordinator = UserFactory(username="koordinator",
                                       email="koordinator@exempel.invalid")
        self.coordinator.groups.add(groups[COORDINATOR_GROUP])
        self.body = BodyFactory(name="Länsledningen")
        seat = SeatFactory(body=self.body, member_count=2)
        self.secretary = MembershipFactory(
            seat=SeatFactory(body=self.body, is_co_opted=True),
            person=PersonFactory(email="sekreterare@exempel.invalid"),
            role=MembershipRole.SECRETARY).person
        self.member_user = UserFactory(username="ledamot", email="ledamot@exempel.invalid")
        self.member = MembershipFactory(seat=seat, person=PersonFactory(
            email="ledamot@exempel.invalid", user=self.member_user)).person
        self.other_body = BodyFactory(name="Annat organ")
        self.other_secretary = MembershipFactory(
            seat=SeatFactory(body=self.other_body, is_co_opted=True),
            person=PersonFactory(email="annan.sekreterare@exempel.invalid"),
            role=MembershipRole.SECRETARY).person
