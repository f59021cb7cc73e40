"""Who sees which document and file (issue 5, item 3): public documents' published
versions for everyone; internal documents and unpublished versions only for members of
the owning body, coordinators and editors. Anonymous visitors get 404 (existence is not
leaked), logged-in outsiders 403. Files are served through Django, never the media URL."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from documents import access, services
from documents.models import VersionStatus

from .core_builders import (  # noqa: F401 - fixtures
    TODAY,
    add_version,
    docx_bytes,
    make_document,
    pdf_bytes,
    publish,
    world_fixture,
)


def _download_url(version) -> str:
    return reverse("documents:download", kwargs={"pk": version.document_id,
                                                 "number": version.number, "filename": "fil"})


def _get(client, user, url):
    client.logout()
    if user is not None and user.is_authenticated:
        client.force_login(user)
    response = client.get(url)
    if response.streaming:
        # Reading to the end makes the test client close the file (unclosed files warn).
        response.body = b"".join(response.streaming_content)
    return response


@pytest.fixture
def internal(world):
    """An internal document of body A with a published version and a draft."""
    document = make_document(world, title="Intern rutin", is_public=False)
    published = publish(world, add_version(world, document))
    draft = add_version(world, document, content=docx_bytes(), name="utkast.docx")
    return document, published, draft


@pytest.fixture
def public(world):
    """A public agreement with a superseded, a published and a draft version."""
    document = make_document(world, title="Överenskommelse om samverkan kring äldre")
    old = publish(world, add_version(world, document))
    current = publish(world, add_version(world, document))
    draft = add_version(world, document, content=docx_bytes(), name="utkast.docx")
    old.refresh_from_db()
    return document, old, current, draft


def test_internal_file_is_refused_to_a_member_of_another_body_and_to_the_public(
        client, world, internal):
    document, published, draft = internal
    for version in (published, draft):
        assert _get(client, world.member_b, _download_url(version)).status_code == 403
        assert _get(client, None, _download_url(version)).status_code == 404
    assert _get(client, world.member_b, document.get_absolute_url()).status_code == 403
    assert _get(client, None, document.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["member_a", "secretary", "coordinator", "editor"])
def test_internal_file_is_served_to_insiders(client, world, internal, who):
    document, published, draft = internal
    for version in (published, draft):
        response = _get(client, getattr(world, who), _download_url(version))
        assert response.status_code == 200
        with version.file.open("rb") as stored:
            assert response.body == stored.read()
        assert response["Cache-Control"] == "private, no-store"


def test_public_sees_published_and_superseded_versions_but_not_drafts(client, world, public):
    document, old, current, draft = public
    assert old.status == VersionStatus.SUPERSEDED
    assert _get(client, None, _download_url(current)).status_code == 200
    assert _get(client, None, _download_url(old)).status_code == 200
    assert _get(client, None, _download_url(draft)).status_code == 404
    assert _get(client, world.member_b, _download_url(draft)).status_code == 403
    assert _get(client, world.member_a, _download_url(draft)).status_code == 200


def test_public_document_without_a_published_version_is_not_shown(client, world):
    document = make_document(world, title="Ännu opublicerad")
    add_version(world, document)
    assert _get(client, None, document.get_absolute_url()).status_code == 404
    assert _get(client, world.member_a, document.get_absolute_url()).status_code == 200


def test_withdrawn_published_version_is_no_longer_public(client, world):
    document = make_document(world)
    version = publish(world, add_version(world, document))
    assert _get(client, None, _download_url(version)).status_code == 200
    services.version_withdraw(actor=world.editor, version=version, reason="Felaktig")
    assert _get(client, None, _download_url(version)).status_code == 404


def test_download_headers(client, world, public):
    document, _old, current, _draft = public
    response = _get(client, None, _download_url(current))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    readable = f"{document.title} v{current.number}.pdf"
    assert disposition.startswith("inline")
    assert f"filename*=utf-8''{quote(readable)}" in disposition
    assert response["Cache-Control"].startswith("public")


def test_docx_is_an_attachment_with_its_own_type(client, world):
    document = make_document(world, title="Rutin: SIP/samordnad plan")
    version = publish(world, add_version(world, document, content=docx_bytes(),
                                         name="rutin.docx"))
    response = _get(client, None, _download_url(version))
    assert response["Content-Type"] == ("application/vnd.openxmlformats-officedocument."
                                        "wordprocessingml.document")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="Rutin SIP samordnad plan v1.docx"' in disposition  # no "/" or ":"


def test_unknown_version_is_404(client, world, public):
    document = public[0]
    url = reverse("documents:download", kwargs={"pk": document.pk, "number": 99,
                                                "filename": "x"})
    assert _get(client, world.coordinator, url).status_code == 404


def test_visible_documents(world, internal, public):
    internal_doc, public_doc = internal[0], public[0]
    other = make_document(world, title="Annans interna", is_public=False, body=world.body_b)
    assert set(access.visible_documents(world.anonymous)) == {public_doc}
    assert set(access.visible_documents(world.member_a)) == {public_doc, internal_doc}
    assert set(access.visible_documents(world.member_b)) == {public_doc, other}
    assert set(access.visible_documents(world.editor)) == {public_doc, internal_doc, other}


def test_a_past_membership_gives_no_access(client, world, internal):
    from governance.models import Membership

    Membership.objects.filter(person__user=world.member_a).update(end=TODAY.replace(year=2021))
    assert _get(client, world.member_a, _download_url(internal[1])).status_code == 403


def test_detail_hides_unpublished_versions_from_the_public(client, world, public):
    document, old, current, draft = public
    def prefix(v):
        return f"/dokument/{document.pk}/v{v.number}/"

    page = _get(client, None, document.get_absolute_url()).content.decode()
    assert prefix(current) in page and prefix(old) in page
    assert prefix(draft) not in page
    # The link names the file readably ("Överenskommelse … v2.pdf", URL-encoded).
    assert prefix(current) + "%C3%96verenskommelse%20om%20samverkan" in page
    page = _get(client, world.member_a, document.get_absolute_url()).content.decode()
    assert prefix(draft) in page
