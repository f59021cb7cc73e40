"""The member portal /mina-sidor/ (portal/member.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import services as doc_services
from documents.models import DocumentKind
from governance import services as gov
from governance.models import Body, MembershipRole
from meetings import services as meet_services
from meetings.models import CalendarToken, Minutes
from tests.conftest import choose_language
from tests.governance.factories import BodyFactory, SeatFactory, UserFactory

PORTAL = "/mina-sidor/"


def _person(username: str, *, body: Body | None = None, role=MembershipRole.MEMBER,
            substitute_for=None, seat=None):
    user = UserFactory(username=username)
    person = gov.person_create(actor=None, first_name=username.title(), last_name="Test",
                               email=f"{username}@exempel.invalid", user=user)
    membership = None
    if body is not None:
        membership = gov.membership_start(
            actor=None, person=person, seat=seat or SeatFactory(body=body, member_count=3),
            role=role, start=dt.date(2024, 1, 1), substitute_for=substitute_for)
    return person, membership


def _meeting(body: Body, *, days: int = 20, public: bool = True, title: str = ""):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return meet_services.meeting_plan(actor=None, body=body, start=start, title=title,
                                      end=start + dt.timedelta(hours=2), place="Härnösand",
                                      is_public=public)


def _document(body: Body, title: str, *, public: bool):
    from tests.meetings.builders import coordinator_user

    return doc_services.document_create(actor=coordinator_user(), title=title,
                                        kind=DocumentKind.ROUTINE, owner_body=body,
                                        is_public=public)


@pytest.fixture
def member(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    body = BodyFactory(name="Länsledningen", slug="lansledningen")
    seat = SeatFactory(body=body, member_count=1, substitute_count=1)
    person, membership = _person("ledamot", body=body, seat=seat)
    return person, membership, body, seat


def test_anonymous_is_asked_to_log_in(client, db):
    response = client.get(PORTAL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=/mina-sidor/")


def test_login_without_person_gets_a_friendly_page(client, db):
    client.force_login(UserFactory(username="utan-person"))
    choose_language(client, "en")
    response = client.get(PORTAL)
    assert response.status_code == 200
    assert "is not linked to a person" in response.content.decode()
    assert client.post(reverse("portal:calendar")).status_code == 404


def test_my_bodies_with_my_role(client, member):
    person, membership, body, seat = member
    substitute, _m = _person("ersattare", body=body, seat=seat, role=MembershipRole.SUBSTITUTE,
                             substitute_for=membership)
    _person("sekr", body=body, role=MembershipRole.SECRETARY)
    other = BodyFactory(name="Annat organ", slug="annat")
    _person("annan", body=other)
    client.force_login(substitute.user)
    choose_language(client, "en")
    html = client.get(PORTAL).content.decode()
    assert "Länsledningen" in html
    assert f"substitute for {person.name}" in html
    assert "Annat organ" not in html


def test_coming_meetings_with_notices_agenda_papers_and_absence(client, member):
    person, _membership, body, _seat = member
    meeting = _meeting(body, title="Länsledningens möte")
    item = meet_services.agenda_item_add(actor=None, meeting=meeting, title="Psykisk hälsa")
    from tests.documents.core_builders import pdf_bytes

    paper = meet_services.attachment_add(
        actor=None, item=item, title="Lägesbild 2025",
        file=SimpleUploadedFile("lagesbild.pdf", pdf_bytes(), content_type="application/pdf"))
    other_meeting = _meeting(BodyFactory(name="Främmande organ", slug="frammande"),
                             title="Främmande möte")
    meet_services.meeting_notice_send(actor=None, meeting=meeting)
    client.force_login(person.user)
    choose_language(client, "en")
    html = client.get(PORTAL).content.decode()
    assert "Länsledningens möte" in html and "Främmande möte" not in html
    assert "Notice sent to you on" in html
    assert "Psykisk hälsa" in html
    assert reverse("meetings:attachment", args=[meeting.pk, paper.pk]) in html
    absence_url = reverse("meetings:absence", args=[meeting.pk])
    assert f'href="{absence_url}?next=' in html  # to the confirmation page (issue 11, flow 3)
    assert other_meeting.get_absolute_url() not in html
    # The confirmation page posts to the meetings view; afterwards the portal says so
    # and offers "Ångra förhinder".
    assert client.post(absence_url).status_code == 302
    choose_language(client, "en")
    html = client.get(PORTAL).content.decode()
    assert "You have reported absence." in html
    assert f'href="{absence_url}' not in html
    assert f'action="{reverse("meetings:absence_withdraw", args=[meeting.pk])}"' in html


def test_secretary_without_a_seat_cannot_report_absence(client, member):
    _person_, _membership, body, _seat = member
    secretary, _m = _person("sekr", body=body, role=MembershipRole.SECRETARY)
    meeting = _meeting(body)
    client.force_login(secretary.user)
    html = client.get(PORTAL).content.decode()
    assert meeting.get_absolute_url() in html
    assert reverse("meetings:absence", args=[meeting.pk]) not in html


def test_published_minutes_only(client, member):
    person, _membership, body, _seat = member
    published = _meeting(body, days=-30, title="Publicerat möte")
    draft = _meeting(body, days=-10, title="Utkastmöte")
    now = timezone.now()
    for meeting in (published, draft):
        meet_services.meeting_mark_held(actor=None, meeting=meeting)
    Minutes.objects.create(meeting=published, status="published", approved_by=person,
                           approved_at=now, published_at=now)
    Minutes.objects.create(meeting=draft, status="draft")
    client.force_login(person.user)
    html = client.get(PORTAL).content.decode()
    # "Tidigare möten" (issue 11) lists both meetings; only the published minutes' PDF.
    assert published.get_absolute_url() in html and draft.get_absolute_url() in html
    assert reverse("meetings:minutes_pdf", args=[published.pk]) in html
    assert reverse("meetings:minutes_pdf", args=[draft.pk]) not in html


def test_documents_of_my_bodies_internal_included_others_internal_not(client, member):
    person, _membership, body, _seat = member
    other = BodyFactory(name="Annat organ", slug="annat")
    mine_internal = _document(body, "Intern rutin", public=False)
    others_internal = _document(other, "Annans interna", public=False)
    client.force_login(person.user)
    html = client.get(PORTAL).content.decode()
    assert mine_internal.get_absolute_url() in html
    assert others_internal.get_absolute_url() not in html


def _shown_feed_path(html: str) -> str:
    """The personal feed path in the page's copy field (the link shown once)."""
    import re

    found = re.search(r'value="http://testserver(/kalender/[^"/]+\.ics)"', html)
    assert found, "no calendar link on the page"
    return found.group(1)


def test_calendar_link_issue_renew_and_stop(client, member):
    """Issue 12 §4: the link is shown once, on the page after it was made."""
    person = member[0]
    client.force_login(person.user)
    assert ".ics" not in client.get(PORTAL).content.decode()
    assert client.post(reverse("portal:calendar"), {"action": "new"}).status_code == 302
    first = _shown_feed_path(client.get(PORTAL).content.decode())
    assert client.get(first).status_code == 200
    assert ".ics" not in client.get(PORTAL).content.decode()  # not shown a second time
    client.post(reverse("portal:calendar"), {"action": "new"})
    second = _shown_feed_path(client.get(PORTAL).content.decode())
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post(reverse("portal:calendar"), {"action": "stop"})
    assert not CalendarToken.objects.filter(person=person, revoked_at__isnull=True).exists()
    assert client.get(reverse("portal:calendar")).status_code == 405


def _world(person, n: int, tag: str) -> None:
    """``n`` more bodies of the person, each with a coming meeting (agenda, notice),
    a past meeting with published minutes and an internal document."""
    now = timezone.now()
    for i in range(n):
        body = BodyFactory(name=f"Organ {i}", slug=f"organ-{tag}-{i}")
        gov.membership_start(actor=None, person=person, seat=SeatFactory(body=body),
                             start=dt.date(2024, 1, 1))
        meeting = _meeting(body)
        meet_services.agenda_item_add(actor=None, meeting=meeting, title="Punkt")
        meet_services.meeting_notice_send(actor=None, meeting=meeting)
        past = _meeting(body, days=-20)
        meet_services.meeting_mark_held(actor=None, meeting=past)
        Minutes.objects.create(meeting=past, status="published", approved_by=person,
                               approved_at=now, published_at=now)
        _document(body, f"Dokument {i}", public=i % 2 == 0)


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PORTAL).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_bodies_and_meetings(client, member):
    person = member[0]
    client.force_login(person.user)
    _world(person, 1, "small")
    small = _count(client)
    _world(person, 10, "large")
    mail.outbox.clear()
    assert _count(client) == small


def test_register_documents_on_the_agenda_are_papers_on_mina_sidor(client, member, coordinator,
                                                                    editor):
    """A register document attached to an item (issue 11, flow 5) is listed with the
    uploads on Mina sidor, in one query per paper source however many items."""
    from documents.agenda_papers import agenda_paper_add
    from tests.portal.test_public import ACTORS, publish_document

    ACTORS.update(coordinator=coordinator, editor=editor)
    person, _membership, body, _seat = member
    meeting = _meeting(body, title="Länsledningens möte")
    document = publish_document(body, "Överenskommelse om samverkan vid utskrivning")
    item = meet_services.agenda_item_add(actor=None, meeting=meeting, title="Utskrivning")
    agenda_paper_add(actor=ACTORS["coordinator"], item=item, document_id=document.pk)
    client.force_login(person.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(PORTAL).content.decode()
        assert "Överenskommelse om samverkan vid utskrivning" in html
        return len(ctx.captured_queries)

    queries()  # warm the per-process caches (content types, permissions)
    before = queries()
    for n in range(3):
        extra = meet_services.agenda_item_add(actor=None, meeting=meeting, title=f"Punkt {n}")
        agenda_paper_add(actor=ACTORS["coordinator"], item=extra, document_id=document.pk)
    assert queries() == before
