"""The public register /dokument/ (issue 5, item 5): filters, "in force", pagination,
the document page, the Atom feed, the workflow pages, and query counts that do not grow
with the number of documents."""
from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from documents import selectors, services
from documents.models import DocumentKind, VersionStatus
from tests.governance.factories import PrincipalFactory, StrategicAreaFactory

from .core_builders import (  # noqa: F401 - fixtures
    TODAY,
    add_version,
    docx_bytes,
    make_document,
    pdf_bytes,
    publish,
    published_document,
    upload,
    world_fixture,
)

REGISTER = "/dokument/"


def _titles(response) -> list[str]:
    return [d.title for d in response.context["page"].documents]


@pytest.fixture
def frozen_today(monkeypatch):
    """Pin "today" for the register's in-force filter and the page."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def test_contract_urls():
    assert reverse("documents:register") == "/dokument/"
    assert reverse("documents:detail", kwargs={"pk": 7}) == "/dokument/7/"
    assert reverse("documents:feed") == "/dokument/feed/"
    assert reverse("documents:editor_queue") == "/redaktion/"
    assert reverse("documents:accessibility_statement") == "/tillganglighet/"


def test_register_lists_public_published_documents_only(client, world):
    published_document(world, title="Publicerad överenskommelse")
    make_document(world, title="Utkast utan version")
    published_document(world, title="Intern rutin", is_public=False)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert _titles(response) == ["Publicerad överenskommelse"]
    client.force_login(world.member_a)
    assert set(_titles(client.get(REGISTER))) == {"Publicerad överenskommelse",
                                                  "Utkast utan version", "Intern rutin"}


def test_filters_kind_body_area_principal(client, world):
    area = StrategicAreaFactory(structure=world.body_a.structure, name="Äldre")
    principal = PrincipalFactory(name="Timrå kommun")
    a = published_document(world, title="Avtal A", kind=DocumentKind.CONTRACT, areas=[area])
    b = published_document(world, title="Rutin B", kind=DocumentKind.ROUTINE, body=world.body_b,
                           principals=[principal])
    published_document(world, title="Riktlinje C", kind=DocumentKind.GUIDELINE)
    assert _titles(client.get(REGISTER, {"kind": "contract"})) == [a.title]
    assert _titles(client.get(REGISTER, {"body": world.body_b.pk})) == [b.title]
    assert _titles(client.get(REGISTER, {"area": area.pk})) == [a.title]
    assert _titles(client.get(REGISTER, {"principal": principal.pk})) == [b.title]
    # An unknown choice is ignored rather than failing the page.
    assert len(_titles(client.get(REGISTER, {"kind": "nonsense"}))) == 3


def test_in_force_filter(client, world, frozen_today):
    """In force: a published version, valid today, not past a termination's end (V16)."""
    published_document(world, title="Gäller", valid_from=dt.date(2023, 1, 1),
                       until_further_notice=True, termination_notice_months=12)
    published_document(world, title="Framtida", valid_from=TODAY + dt.timedelta(days=1))
    published_document(world, title="Utgånget", valid_from=dt.date(2020, 1, 1),
                       valid_until=TODAY - dt.timedelta(days=1))
    still = published_document(world, title="Uppsagt men gäller",
                               valid_from=dt.date(2023, 1, 1), until_further_notice=True,
                               termination_notice_months=12)
    ended = published_document(world, title="Uppsagt och slut", valid_from=dt.date(2020, 1, 1),
                               until_further_notice=True, termination_notice_months=12)
    services.document_terminate(actor=world.coordinator, document=still,
                                handled_on=TODAY - dt.timedelta(days=300))
    # Handled exactly twelve months before yesterday: its last day was yesterday.
    services.document_terminate(actor=world.coordinator, document=ended,
                                handled_on=dt.date(2024, 6, 15))
    make_document(world, title="Opublicerat", is_public=True)
    client.force_login(world.coordinator)
    response = client.get(REGISTER, {"in_force": "on"})
    assert sorted(_titles(response)) == ["Gäller", "Uppsagt men gäller"]
    flags = {d.title: d.in_force for d in client.get(REGISTER).context["page"].documents}
    assert flags["Uppsagt och slut"] is False and flags["Gäller"] is True


def test_pagination(client, world):
    document = make_document(world)
    version = publish(world, add_version(world, document))
    for n in range(selectors.PAGE_SIZE + 2):
        services.document_create(actor=world.coordinator, title=f"Dokument {n:02d}",
                                 kind="other", owner_body=world.body_a)
    client.force_login(world.editor)
    first = client.get(REGISTER)
    second = client.get(REGISTER, {"sida": 2})
    assert len(_titles(first)) == selectors.PAGE_SIZE
    assert len(_titles(second)) == 3
    assert not set(_titles(first)) & set(_titles(second))
    assert version.status == VersionStatus.PUBLISHED


def _fill(world, count: int) -> None:
    area = StrategicAreaFactory(structure=world.body_a.structure)
    principal = PrincipalFactory()
    for n in range(count):
        document = make_document(world, title=f"Avtal {n:03d}", areas=[area],
                                 principals=[principal], is_public=n % 3 != 0)
        version = add_version(world, document, content=docx_bytes(f"Text {n}"), name="a.docx")
        if n % 2 == 0:
            publish(world, version)


@pytest.mark.parametrize("who", ["anonymous", "member_a", "editor"])
def test_register_query_count_does_not_grow(client, world, django_assert_max_num_queries,
                                            who):
    user = getattr(world, who)
    if user.is_authenticated:
        client.force_login(user)
    _fill(world, 3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(REGISTER, {"q": "avtal", "in_force": "on"}).status_code == 200
    _fill(world, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(REGISTER, {"q": "avtal", "in_force": "on"})
    assert response.status_code == 200


def test_document_page_query_count_does_not_grow(client, world,
                                                 django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    document = make_document(world)
    publish(world, add_version(world, document))
    client.force_login(world.member_a)
    with CaptureQueriesContext(connection) as small:
        client.get(document.get_absolute_url())
    for _n in range(8):
        publish(world, add_version(world, document))
    add_version(world, document)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(document.get_absolute_url())
    assert len(response.context["rows"]) == 10


def test_detail_shows_version_in_force_history_and_validity(client, world, frozen_today):
    document = published_document(world, title="Samverkansavtal", valid_from=dt.date(2023, 1, 1),
                                  until_further_notice=True, termination_notice_months=12,
                                  review_interval_months=24)
    publish(world, add_version(world, document))
    services.document_terminate(actor=world.coordinator, document=document,
                                handled_on=dt.date(2025, 3, 20))
    response = client.get(document.get_absolute_url())
    page = response.context["page"]
    assert page.current.number == 2 and page.in_force
    assert [v.status for v in page.versions] == ["published", "superseded"]
    html = response.content.decode()
    assert "20 mars 2026" in html  # the termination's end (V16)
    assert "1 januari 2025" in html  # next review: valid from + 24 months


def test_feed_is_atom_of_public_published_versions(client, world):
    public = published_document(world, title="Publik riktlinje")
    published_document(world, title="Intern riktlinje", is_public=False)
    draft_only = make_document(world, title="Bara utkast")
    add_version(world, draft_only)
    response = client.get(reverse("documents:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ElementTree.fromstring(response.content)
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(titles) == 1 and public.title in titles[0]
    link = root.find("a:entry/a:link", ns).get("href")
    assert link.endswith(public.get_absolute_url())


# --- the workflow pages -----------------------------------------------------------------

def test_upload_page_refuses_a_forged_file_with_a_message_on_the_field(client, world):
    document = make_document(world)
    client.force_login(world.secretary)
    url = reverse("documents:upload", kwargs={"pk": document.pk})
    response = client.post(url, {"file": upload("avtal.pdf", b"MZ\x90\x00not a pdf")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not document.versions.exists()
    response = client.post(url, {"file": upload("avtal.pdf", pdf_bytes()),
                                 "change_note": "Första"})
    assert response.status_code == 302
    assert document.versions.get().change_note == "Första"


def test_upload_page_is_for_managers(client, world):
    document = make_document(world)
    url = reverse("documents:upload", kwargs={"pk": document.pk})
    client.force_login(world.member_a)
    assert client.get(url).status_code == 403
    client.force_login(world.member_b)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_transition_pages(client, world):
    document = make_document(world)
    version = add_version(world, document)
    url = lambda step: reverse("documents:transition", kwargs={  # noqa: E731
        "pk": document.pk, "number": version.number, "step": step})
    client.force_login(world.secretary)
    assert client.post(url("granskning"), {}).status_code == 302
    assert client.post(url("godkann"), {}).status_code == 302
    confirmed = {"published_on": "2025-06-16", "confirm_accessibility": "on",
                 "reason": "Brådskande; taggad version kommer"}
    response = client.post(url("publicera"), confirmed)
    assert response.status_code == 400  # the secretary is not the editor
    assert response.context["form"].non_field_errors()
    client.force_login(world.editor)
    # The test PDF is not tagged: the publish page shows the accessibility problems
    # (DOS-lagen) and publishing needs the editor's explicit confirmation and reason.
    page = client.get(url("publicera"))
    assert page.context["accessibility_problems"]
    response = client.post(url("publicera"), {"published_on": "2025-06-16"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"confirm_accessibility", "reason"}
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    assert client.post(url("publicera"), confirmed).status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_on == dt.date(2025, 6, 16)
    reason = version.history.first().history_change_reason
    assert "Brådskande" in reason and page.context["accessibility_problems"][0] in reason
    response = client.post(url("dra-tillbaka"), {"reason": ""})
    assert response.status_code == 400 and response.context["form"].errors["reason"]


def test_document_create_and_terminate_pages(client, world):
    client.force_login(world.secretary)
    response = client.post(reverse("documents:create"), {
        "title": "Överenskommelse om samverkan", "kind": "agreement",
        "owner_body": world.body_a.pk, "valid_from": "2023-01-01",
        "until_further_notice": "on", "termination_notice_months": "12", "is_public": "on"})
    assert response.status_code == 302, response.context["form"].errors
    from documents.models import Document

    document = Document.objects.get(title="Överenskommelse om samverkan")
    response = client.post(reverse("documents:terminate", kwargs={"pk": document.pk}),
                           {"handled_on": "2025-03-20"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.termination_handled_on == dt.date(2025, 3, 20)
    # A secretary of body A cannot register documents for body B.
    response = client.post(reverse("documents:create"), {
        "title": "X", "kind": "other", "owner_body": world.body_b.pk})
    assert response.status_code == 200 and response.context["form"].errors["owner_body"]


def test_admin_uploads_through_the_service(client, world, settings):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("admin-dok", "a@exempel.invalid", "pw")
    client.force_login(admin)
    document = make_document(world)
    url = reverse("admin:documents_document_change", args=[document.pk])
    assert client.get(url).status_code == 200
    data = {"title": document.title, "kind": document.kind, "owner_body": world.body_a.pk,
            "is_public": "on", "change_reason": "Ny fil", "new_file": upload("x.pdf", b"MZ"),
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 200  # refused: the file is not a PDF
    assert not document.versions.exists()
    data["new_file"] = upload("x.pdf", pdf_bytes())
    response = client.post(url, data)
    assert response.status_code == 302
    version = document.versions.get()
    assert version.uploaded_by == admin and version.content_type == "application/pdf"


def test_management_pages_render_for_the_secretary(client, world):
    document = published_document(world, until_further_notice=True,
                                  termination_notice_months=12)
    client.force_login(world.secretary)
    detail = client.get(document.get_absolute_url()).content.decode()
    for name in ("edit", "upload", "terminate"):
        url = reverse(f"documents:{name}", kwargs={"pk": document.pk})
        assert url in detail
        assert client.get(url).status_code == 200
    assert client.get(reverse("documents:create")).status_code == 200
    # Withdrawing a published version is for coordinators and editors, not secretaries.
    steps = client.get(document.get_absolute_url()).context["rows"][0][1]
    assert [slug for slug, _label in steps] == []
    client.force_login(world.editor)
    steps = client.get(document.get_absolute_url()).context["rows"][0][1]
    assert [slug for slug, _label in steps] == ["dra-tillbaka"]
