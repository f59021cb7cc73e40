"""Where a login lands (/start/, portal/start.py) and the secretary's start page
/sekreterare/ (portal/secretary.py), issue 10: the start page per role, a login with
several roles, a login with no role, and the secretary's meetings with their actions."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance import services as gov
from governance.models import MembershipRole
from meetings import services as meet
from tests.governance.factories import BodyFactory, SeatFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db
SV = {"HTTP_ACCEPT_LANGUAGE": "sv"}
ASK_TO_LINK = "be samverkanskoordinatorn att koppla"


@pytest.fixture
def body(db):
    return BodyFactory(structure=StructureFactory(slug="struktur-start"), name="Organ Start",
                       slug="organ-start")


def _with_person(user, body, role: str = MembershipRole.MEMBER):
    person = gov.person_create(actor=None, first_name=user.username.title(), last_name="Test",
                               email=f"{user.username}@exempel.invalid", user=user)
    gov.membership_start(actor=None, person=person, seat=SeatFactory(body=body, member_count=3),
                         role=role, start=dt.date(2020, 1, 1))
    return person


def _lands(client, user) -> str:
    client.force_login(user)
    response = client.get("/start/")
    assert response.status_code == 302
    return response["Location"]


def test_each_role_lands_on_its_start_page(client, coordinator, editor, body):
    assert _lands(client, coordinator) == "/samordning/"
    assert _lands(client, editor) == "/redaktion/"
    secretary = UserFactory(username="sekreterare-start")
    _with_person(secretary, body, MembershipRole.SECRETARY)
    assert _lands(client, secretary) == "/sekreterare/"
    member = UserFactory(username="ledamot-start")
    _with_person(member, body)
    assert _lands(client, member) == "/mina-sidor/"


def test_several_roles_land_on_the_highest_and_the_menu_links_the_others(
        client, coordinator, editor, body):
    _with_person(coordinator, body, MembershipRole.SECRETARY)
    assert _lands(client, coordinator) == "/samordning/"
    html = client.get("/samordning/", **SV).content.decode()
    for link in ('href="/sekreterare/"', 'href="/mina-sidor/"', 'href="/samordning/"',
                 'class="brand" href="/start/"'):
        assert link in html
    assert 'href="/redaktion/"' not in html

    _with_person(editor, body)
    assert _lands(client, editor) == "/redaktion/"
    html = client.get("/redaktion/", **SV).content.decode()
    assert 'href="/mina-sidor/"' in html and 'href="/sekreterare/"' not in html


def test_login_form_lands_on_the_start_page_and_next_still_wins(client, coordinator):
    coordinator.set_password("pw-start-1")
    coordinator.save()
    response = client.post("/accounts/login/", {"username": coordinator.username,
                                                "password": "pw-start-1"}, follow=True)
    assert [url for url, _status in response.redirect_chain] == ["/start/", "/samordning/"]
    assert response.status_code == 200
    client.logout()
    response = client.post("/accounts/login/?next=/dokument/",
                           {"username": coordinator.username, "password": "pw-start-1",
                            "next": "/dokument/"})
    assert response["Location"] == "/dokument/"


def test_a_login_without_role_or_person_gets_a_useful_page(client, db):
    client.force_login(UserFactory(username="utan-roll"))
    response = client.get("/start/", **SV)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Välkommen, utan-roll" in html
    for link in ('href="/"', 'href="/dokument/"', 'href="/regler/"',
                 'href="/accounts/password_change/"'):
        assert link in html
    assert ASK_TO_LINK in html
    client.logout()
    assert client.get("/start/")["Location"].startswith("/accounts/login/")
    assert 'class="brand" href="/"' in client.get("/regler/").content.decode()


def test_coordinator_and_editor_are_never_asked_to_have_their_login_linked(
        client, coordinator, editor):
    for user, start in ((coordinator, "/samordning/"), (editor, "/redaktion/")):
        client.force_login(user)
        for path in ("/mina-sidor/", start):
            html = client.get(path, **SV).content.decode()
            assert ASK_TO_LINK not in html and "koppla din inloggning" not in html
        html = client.get("/mina-sidor/", **SV).content.decode()
        assert f'href="{start}"' in html


# --- the secretary's page ---------------------------------------------------------------

def _meeting(body, days: float, title: str):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return meet.meeting_plan(actor=None, body=body, start=start,
                             end=start + dt.timedelta(hours=2), place="Kommunhuset",
                             title=title)


def _row(html: str, title: str) -> str:
    start = html.index(f">{title}<")
    return html[html.rindex("<li", 0, start):html.index("\n</li>", start)]


def test_secretary_sees_their_bodies_meetings_with_each_action(client, body):
    secretary = UserFactory(username="sekreterare-sida")
    _with_person(secretary, body, MembershipRole.SECRETARY)
    member = UserFactory(username="ledamot-sida")
    member_person = _with_person(member, body)
    coming = _meeting(body, 10, "Kommande möte")
    meet.agenda_item_add(actor=None, meeting=coming, title="Lägesbild")
    meet.absence_report(actor=None, meeting=coming, person=member_person)
    held = _meeting(body, -5, "Hållet möte")
    other = _meeting(BodyFactory(name="Annat organ"), 5, "Annat organs möte")

    client.force_login(secretary)
    html = client.get("/sekreterare/", **SV).content.decode()
    assert "Organ Start" in html and other.title not in html
    coming_row = _row(html, "Kommande möte")
    assert f'href="/moten/{coming.pk}/kallelse/"' in coming_row  # the preview first
    assert "Skicka kallelse" in coming_row
    assert f'href="/moten/{coming.pk}/dagordning/"' in coming_row
    assert "Dagordning: 1 punkt" in coming_row and "1 förhinder anmält" in coming_row
    assert f"/moten/{coming.pk}/narvaro/" not in coming_row  # not started yet
    held_row = _row(html, "Hållet möte")
    assert f'href="/moten/{held.pk}/narvaro/"' in held_row
    assert f'href="/moten/{held.pk}/protokoll/"' in held_row
    assert "Protokollet är inte påbörjat" in held_row
    assert f"/moten/{held.pk}/kallelse/" not in held_row
    # Each action is one the secretary may take.
    for path in (f"/moten/{coming.pk}/dagordning/", f"/moten/{held.pk}/narvaro/",
                 f"/moten/{held.pk}/protokoll/"):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/moten/{coming.pk}/kallelse/").status_code == 200
    assert client.post(f"/moten/{coming.pk}/skicka/",
                       {"count": 1, "short_notice_confirmed": "on"}).status_code == 302
    coming.refresh_from_db()
    assert coming.notice_sent_sequence == coming.sequence

    client.force_login(member)
    assert client.get("/sekreterare/").status_code == 403


def test_secretary_page_query_count_does_not_grow(client, body):
    secretary = UserFactory(username="sekreterare-antal")
    person = _with_person(secretary, body, MembershipRole.SECRETARY)
    _meeting(body, 3, "Första")
    client.force_login(secretary)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/sekreterare/").status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    for i in range(3):
        extra = BodyFactory(name=f"Extra {i}")
        gov.membership_start(actor=None, person=person, role=MembershipRole.SECRETARY,
                             seat=SeatFactory(body=extra), start=dt.date(2020, 1, 1))
        meeting = _meeting(extra, 4 + i, f"Extra {i}")
        meet.agenda_item_add(actor=None, meeting=meeting, title="Punkt")
        meet.minutes_create(actor=None, meeting=_meeting(extra, -3 - i, f"Hållet {i}"))
    assert count() == before
