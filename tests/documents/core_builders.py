"""State for the register tests (rules, services, uploads, access, register, search),
built through the governance and document services.

Personas: a secretary and a member of the owning body A, a member of another body B,
a coordinator, an editor, and the anonymous public.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import Document, DocumentKind, DocumentVersion
from governance.models import Body, MembershipRole
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups
from tests.governance.factories import (
    BodyFactory,
    MembershipFactory,
    PersonFactory,
    SeatFactory,
    UserFactory,
)

TODAY = dt.date(2025, 6, 16)


# --- files ------------------------------------------------------------------------------

@functools.cache
def pdf_bytes(text: str = "Överenskommelsen om samverkan kring barn och unga gäller "
                          "tills vidare.") -> bytes:
    """A real PDF (WeasyPrint) whose extractable text is ``text``."""
    import weasyprint

    html = (f"<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>Dokument"
            f"</title></head><body><p>{text}</p></body></html>")
    return weasyprint.HTML(string=html).write_pdf()


def docx_bytes(text: str = "Riktlinjerna för samordnad individuell plan") -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml",
                   f"<w:document xmlns:w='{w}'><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
                   "<w:p><w:r><w:t>Andra stycket &amp; mer</w:t></w:r></w:p>"
                   "</w:body></w:document>")
    return out.getvalue()


def xlsx_bytes(text: str = "Uppföljning av rutinerna") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/sharedStrings.xml", f"<sst><si><t>{text}</t></si><si><t>Kolumn</t></si>"
                   "</sst>")
    return out.getvalue()


def odt_bytes(text: str = "Arbetsordningen för länssamverkansgruppen") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        # The ODF package's first entry, stored uncompressed, names the type.
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content xmlns:office='o' xmlns:text='t'>"
                   f"<office:body><office:text><text:h>Rubrik</text:h><text:p>{text}</text:p>"
                   "</office:text></office:body></office:document-content>")
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- people -----------------------------------------------------------------------------

@dataclass
class World:
    body_a: Body
    body_b: Body
    secretary: object
    member_a: object
    member_b: object
    coordinator: object
    editor: object
    anonymous: AnonymousUser


def _member(body: Body, role: str = MembershipRole.MEMBER, username: str = ""):
    user = UserFactory(username=username) if username else UserFactory()
    person = PersonFactory(user=user)
    MembershipFactory(seat=SeatFactory(body=body, member_count=5), person=person, role=role,
                      start=dt.date(2020, 1, 1))
    return user


def build_world() -> World:
    groups = ensure_role_groups()
    body_a = BodyFactory(name="Länsledningen", slug="lansledningen-test")
    body_b = BodyFactory(name="Lokal samverkan Ånge", slug="lokal-ange-test")
    coordinator = UserFactory(username="koordinator-dok")
    coordinator.groups.add(groups[COORDINATOR_GROUP])
    editor = UserFactory(username="redaktor-dok")
    editor.groups.add(groups[EDITOR_GROUP])
    return World(
        body_a=body_a, body_b=body_b,
        secretary=_member(body_a, MembershipRole.SECRETARY, "sekreterare-a"),
        member_a=_member(body_a, username="ledamot-a"),
        member_b=_member(body_b, username="ledamot-b"),
        coordinator=coordinator, editor=editor, anonymous=AnonymousUser(),
    )


@pytest.fixture(name="world")
def world_fixture(db, settings, tmp_path) -> World:
    """The personas, with uploads stored under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world()


def make_document(world: World, *, title: str = "Överenskommelse om samverkan",
                  is_public: bool = True, kind: str = DocumentKind.AGREEMENT,
                  body: Body | None = None, **fields) -> Document:
    return services.document_create(actor=world.coordinator, title=title, kind=kind,
                                    owner_body=body or world.body_a, is_public=is_public,
                                    **fields)


def _manager(world: World, document: Document):
    """Body A's secretary for its documents, the coordinator for other bodies'."""
    return world.secretary if document.owner_body_id == world.body_a.pk else world.coordinator


def add_version(world: World, document: Document, *, content: bytes | None = None,
                name: str = "", actor=None) -> DocumentVersion:
    content = content or pdf_bytes()
    name = name or ("fil.pdf" if content.startswith(b"%PDF-") else "fil.docx")
    return services.version_upload(actor=actor or _manager(world, document), document=document,
                                   file=upload(name, content))


def publish(world: World, version: DocumentVersion, *, on: dt.date = TODAY) -> DocumentVersion:
    """Take a draft through review and approval to published."""
    manager = _manager(world, version.document)
    version = services.version_submit(actor=manager, version=version)
    version = services.version_approve(actor=manager, version=version)
    return services.version_publish(actor=world.editor, version=version, published_on=on)


def published_document(world: World, **kwargs) -> Document:
    content = kwargs.pop("content", None)
    document = make_document(world, **kwargs)
    publish(world, add_version(world, document, content=content))
    return document
