"""The public structure pages: `/`, `/struktur/<slug>/` and `/organ/<slug>/`."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import services
from governance.models import Body, MembershipRole, Office, Person, Principal

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)


@pytest.fixture
def halsam(db):
    call_command("load_structure", "halsam-vasternorrland", verbosity=0)


def _fill(body: Body, per_seat: int) -> None:
    """Give up to ``per_seat`` members and substitutes to every seat of ``body``."""
    region = Principal.objects.get(code="R22")
    sundsvall = Principal.objects.get(code="2281")
    n = Person.objects.count()
    for seat in body.seats.select_related("principal"):
        principal = seat.principal or (region if seat.principal_kind == "region" else sundsvall)
        for role, cap in ((MembershipRole.MEMBER, seat.member_count),
                          (MembershipRole.SUBSTITUTE, seat.substitute_count)):
            if seat.is_co_opted and role == MembershipRole.MEMBER:
                role = MembershipRole.CO_OPTED
            existing = seat.memberships.filter(role=role).count()
            for i in range(min(per_seat, cap) - existing):
                n += 1
                person = services.person_create(
                    actor=None, first_name=f"Testa{n}", last_name=f"Person{i}",
                    email=f"p{n}@example.se", principal=principal)
                services.membership_start(actor=None, person=person, seat=seat, role=role,
                                          start=START)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_home_shows_the_default_structure_with_levels_and_reporting_lines(client, halsam):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "HälSam" in html
    for slug in ("halsam", "halsam-presidium", "presidium", "lansledning",
                 "lansamordning-barn-och-unga", "lokal-sundsvall-aldre"):
        assert reverse("governance:body", kwargs={"slug": slug}) in html
    assert "Region Västernorrland" in html and "Örnsköldsviks kommun" in html


def test_home_without_any_structure_explains_how_to_load_one(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"load_structure" in response.content


def test_unknown_body_and_structure_are_404(client, halsam):
    assert client.get("/organ/finns-inte/").status_code == 404
    assert client.get("/struktur/finns-inte/").status_code == 404


def test_body_page_shows_mandate_seats_members_substitutes_and_offices(client, halsam):
    body = Body.objects.get(slug="lansledning")
    _fill(body, per_seat=1)
    member = body.seats.get(key="fc-socialforvaltning-sundsvall").memberships.get()
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=member.person,
                                start=START)
    html = client.get("/organ/lansledning/").content.decode()
    assert "Länsledningen ansvarar för processerna" in html  # mandate from seed 000
    assert "Förvaltningschef för socialförvaltning/motsvarande" in html
    assert member.person.name in html
    assert reverse("governance:body", kwargs={"slug": "presidium"}) in html  # parent
    assert reverse("governance:body", kwargs={"slug": "lansamordning-vuxna"}) in html  # child


def test_body_page_marks_vacant_places(client, halsam):
    html = client.get("/organ/halsam/").content.decode()
    assert html.count('class="vacant"') == 17  # H2: 17 seats, all still empty


def test_body_page_query_count_does_not_grow_with_members(client, halsam):
    body = Body.objects.get(slug="lansledning")
    structure_url = reverse("governance:structure", kwargs={"slug": "halsam-vasternorrland"})
    empty_body, empty_home = (_queries(client, "/organ/lansledning/"),
                              _queries(client, structure_url))
    _fill(body, per_seat=1)
    one = _queries(client, "/organ/lansledning/")
    _fill(body, per_seat=5)
    # 2025 is a region year (H11): an area director may chair.
    services.office_term_record(
        actor=None, body=body, office=Office.CHAIR,
        person=body.seats.get(key="omradesdirektorer").memberships.first().person,
        start=dt.date(2025, 1, 1))
    many = _queries(client, "/organ/lansledning/")
    assert empty_body == one == many
    assert _queries(client, structure_url) == empty_home


def test_structure_page_query_count_does_not_grow_with_bodies(client, halsam):
    url = reverse("governance:structure", kwargs={"slug": "halsam-vasternorrland"})
    before = _queries(client, url)
    structure = Body.objects.get(slug="halsam").structure
    for i in range(15):
        Body.objects.create(structure=structure, name=f"Arbetsgrupp {i}", slug=f"ag-{i}",
                            kind="working_group", parent=Body.objects.get(slug="lansledning"))
    assert _queries(client, url) == before
