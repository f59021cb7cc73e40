"""The public front: the home page ``/`` and the one search ``/sok/`` (portal/public.py),
with who finds what, and the query counts of the pages with pictures."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import services as doc_services
from documents.models import DocumentKind
from governance import services as gov
from governance.models import Body, MembershipRole, Principal
from governance.presets import load_structure
from meetings import services as meet
from meetings.rules import STOCKHOLM
from tests.documents.core_builders import pdf_bytes
from tests.governance.factories import SeatFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(settings, tmp_path, coordinator, editor):
    settings.MEDIA_ROOT = tmp_path
    settings.HALSAM_DEFAULT_STRUCTURE = "halsam-vasternorrland"
    load_structure("halsam-vasternorrland")
    lansledning = Body.objects.get(slug="lansledning")
    member = UserFactory(username="ledamot-lansledning-test")
    person = gov.person_create(actor=None, first_name="Lena", last_name="Ledamot",
                               email="lena@exempel.invalid", user=member)
    gov.membership_start(actor=None, person=person, seat=SeatFactory(body=lansledning),
                         role=MembershipRole.MEMBER, start=dt.date(2020, 1, 1))
    ACTORS.update(coordinator=coordinator, editor=editor)
    return {"lansledning": lansledning, "member": member, "person": person}


ACTORS: dict = {}


def plan(body: Body, days: int, *, public: bool = True, title: str = ""):
    start = (timezone.localtime().replace(hour=13, minute=0, second=0, microsecond=0)
             + dt.timedelta(days=days)).astimezone(STOCKHOLM)
    return meet.meeting_plan(actor=None, body=body, start=start,
                             end=start + dt.timedelta(hours=2), place="Sundsvall",
                             is_public=public, title=title)


def publish_document(body: Body, title: str, *, public: bool = True):
    coordinator = ACTORS["coordinator"]
    document = doc_services.document_create(actor=coordinator, title=title, owner_body=body,
                                            kind=DocumentKind.AGREEMENT, is_public=public)
    version = doc_services.version_upload(
        actor=coordinator, document=document,
        file=SimpleUploadedFile("fil.pdf", pdf_bytes(), content_type="application/pdf"))
    version = doc_services.version_submit(actor=coordinator, version=version)
    version = doc_services.version_approve(actor=coordinator, version=version)
    doc_services.version_publish(actor=ACTORS["editor"], version=version,
                                 published_on=timezone.localdate())
    return document


def published_minutes(body: Body, checker, *, summary: str, public: bool = True):
    meeting = plan(body, -20, public=public, title="Avslutat möte")
    meet.attendance_record(actor=None, meeting=meeting, attended={checker.pk: True})
    minutes = meet.minutes_create(actor=None, meeting=meeting)
    meet.minutes_update(actor=None, minutes=minutes, summary=summary, checkers=[checker])
    meet.minutes_send_to_checkers(actor=None, minutes=minutes)
    meet.minutes_approve(actor=None, minutes=minutes, checker=checker)
    return meet.minutes_publish(actor=None, minutes=minutes)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- the home page ------------------------------------------------------------------------

def test_home_says_what_the_structure_is_and_shows_its_picture(client, world):
    html = client.get("/").content.decode()
    assert "HälSam – Hälsosam samverkan i Västernorrland" in html
    assert "beslut kan endast fattas hos huvudmännen" in html  # seed 000, from the data
    assert 'class="diagram-svg diagram-wide"' in html and 'role="group"' in html
    assert 'href="/struktur/halsam-vasternorrland/#lokal-samverkan"' in html  # the cluster
    assert 'id="organ-lista"' in html  # the text version
    assert f'action="{reverse("public:search")}"' in html and 'role="search"' in html


def test_home_lists_the_next_public_meetings_and_the_latest_documents(client, world):
    body = world["lansledning"]
    for i in range(7):
        plan(body, 10 + i, title=f"Kommande möte {i}")
    plan(body, 2, public=False, title="Internt möte")
    plan(body, -5, title="Förbi möte")
    cancelled = plan(body, 3, title="Inställt möte")
    meet.meeting_cancel(actor=None, meeting=cancelled, reason="Sjukdom")
    publish_document(body, "Överenskommelse om hälsa")
    publish_document(body, "Intern plan", public=False)
    html = client.get("/").content.decode()
    shown = [f"Kommande möte {i}" for i in range(7) if f"Kommande möte {i}" in html]
    assert shown == [f"Kommande möte {i}" for i in range(5)]  # the next five, in order
    for hidden in ("Internt möte", "Förbi möte", "Inställt möte", "Intern plan"):
        assert hidden not in html
    assert "Överenskommelse om hälsa" in html


def test_home_query_count_does_not_grow_with_meetings_documents_and_bodies(client, world):
    body = world["lansledning"]
    plan(body, 5)
    publish_document(body, "Första")
    _queries(client, "/")
    before = _queries(client, "/")
    for i in range(6):
        plan(body, 20 + i)
        publish_document(body, f"Dokument {i}")
        Body.objects.create(structure=body.structure, name=f"Arbetsgrupp {i}", slug=f"ag-{i}",
                            kind="working_group", parent=body)
    assert _queries(client, "/") == before


def test_body_page_query_count_does_not_grow_with_bodies_and_members(client, world):
    body = world["lansledning"]
    local = Body.objects.get(slug="lokal-sundsvall-vuxna")
    sundsvall = Principal.objects.get(code="2281")
    urls = ("/organ/lokal-sundsvall-vuxna/", "/organ/lansledning/")
    [_queries(client, url) for url in urls]  # caches filled once
    before = [_queries(client, url) for url in urls]
    seat = local.seats.get(key="kommunen")
    for i in range(4):
        Body.objects.create(structure=body.structure, name=f"Arbetsgrupp {i}", slug=f"ag-{i}",
                            kind="working_group", parent=body)
        p = gov.person_create(actor=None, first_name="Per", last_name=f"Son{i}",
                              principal=sundsvall)
        gov.membership_start(actor=None, person=p, seat=seat, role=MembershipRole.MEMBER,
                             start=dt.date(2020, 1, 1))
    assert [_queries(client, url) for url in urls] == before
    assert ">4</text>" in client.get(urls[0]).content.decode()  # the grid counts them


# --- the search ---------------------------------------------------------------------------

def search(client, q: str) -> str:
    response = client.get(reverse("public:search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_empty_search_explains_and_a_no_match_says_so(client, world):
    html = search(client, "")
    assert "every word must occur" in html and "hits for" not in html
    html = search(client, "zzzqqq")
    assert "0 hits for “zzzqqq”" in html and "Nothing matched" in html


def test_too_short_and_too_long_queries_get_a_message_on_the_field(client, world):
    html = search(client, "x")
    assert "Write at least 2 characters." in html and 'aria-invalid="true"' in html
    html = search(client, "a" * 101)
    assert "Write at most 100 characters." in html and "hits for" not in html


def test_search_finds_bodies_ignoring_case_and_diacritics_name_matches_first(client, world):
    for q in ("LANSLEDNING", "länsledning", "Lansledning for halsam"):
        html = search(client, q)
        first = html.index('href="/organ/')
        assert html[first:].startswith('href="/organ/lansledning/"'), q
    html = search(client, "harnosand aldre")
    assert 'href="/organ/lokal-harnosand-aldre/"' in html
    assert "1 body" in html


def test_search_groups_kinds_with_counts_and_respects_access(client, world):
    body = world["lansledning"]
    plan(body, 8, title="Samråd om psykisk hälsa")
    hidden = plan(body, 9, public=False, title="Psykisk hälsa internt")
    public_meeting = plan(body, 10, title="Ordinarie möte")
    meet.agenda_item_add(actor=None, meeting=public_meeting, title="Psykisk hälsa: lägesbild",
                         description="Underlag om suicidprevention")
    meet.agenda_item_add(actor=None, meeting=hidden, title="Psykisk hälsa, ekonomi")
    published_minutes(body, world["person"], summary="Beslut om psykisk hälsa i länet")
    publish_document(body, "Överenskommelse psykisk hälsa")
    publish_document(body, "Psykisk hälsa – intern plan", public=False)

    html = search(client, "psykisk HÄLSA")
    assert "1 meeting" in html and "Samråd om psykisk hälsa" in html
    assert "Psykisk hälsa internt" not in html and "Psykisk hälsa, ekonomi" not in html
    assert "1 agenda item" in html and "Psykisk hälsa: lägesbild" in html
    assert "1 set of minutes" in html and "Minutes of Avslutat möte" in html
    assert "1 document" in html and "Överenskommelse psykisk hälsa" in html
    assert "intern plan" not in html
    # the description of an agenda item is for those who see the papers
    assert "0 hits" in search(client, "suicidprevention")

    client.force_login(world["member"])
    html = search(client, "psykisk hälsa")
    assert "2 meetings" in html and "Psykisk hälsa internt" in html
    assert "2 agenda items" in html and "2 documents" in html
    assert "Psykisk hälsa: lägesbild" in search(client, "suicidprevention")


def test_search_results_are_bounded_per_kind(client, world):
    body = world["lansledning"]
    for i in range(23):
        plan(body, 30 + i, title=f"Planeringsmöte {i}")
    html = search(client, "planeringsmöte")
    assert "23 meetings" in html and html.count("Planeringsmöte ") == 20
    assert "3 more hits are not shown" in html


def test_search_query_count_does_not_grow_with_data(client, world):
    body = world["lansledning"]
    client.force_login(world["member"])
    url = reverse("public:search") + "?q=samverkan"
    plan(body, 3, title="Samverkan 0")
    _queries(client, url)  # caches (content types, the session) filled once
    before = _queries(client, url)
    for i in range(5):
        m = plan(body, 10 + i, title=f"Samverkan {i + 1}", public=i % 2 == 0)
        meet.agenda_item_add(actor=None, meeting=m, title=f"Samverkan punkt {i}")
        publish_document(body, f"Samverkan dokument {i}")
    assert _queries(client, url) == before
