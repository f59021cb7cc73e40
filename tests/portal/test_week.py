"""The coordinator's "Min vecka" /samordning/ (portal/week.py, issue 10): every section
with real data made through the services, each row's action one click away, the
findings explained with a link to the rule's text, the filters and the query count."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import services as doc_services
from documents.models import DocumentKind
from governance import services as gov
from governance.models import Body, BodyKind, MembershipRole, OfficeTerm, Principal, Seat
from meetings import services as meet
from meetings.models import Meeting, NoticeDelivery
from portal.rows import minutes_status, notice_status
from portal.week import week_page
from tests.documents.core_builders import pdf_bytes
from tests.governance.factories import BodyFactory, SeatFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db
SV = {"HTTP_ACCEPT_LANGUAGE": "sv"}


def _person(name: str, seat: Seat, *, role: str = MembershipRole.MEMBER, substitute_for=None):
    person = gov.person_create(actor=None, first_name=name, last_name="Test",
                               email=f"{name.lower()}@exempel.invalid")
    membership = gov.membership_start(actor=None, person=person, seat=seat, role=role,
                                      start=dt.date(2020, 1, 1), substitute_for=substitute_for)
    return person, membership


def _meeting(body: Body, days: float, **kwargs) -> Meeting:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return meet.meeting_plan(actor=None, body=body, start=start,
                             end=start + dt.timedelta(hours=2), place="Regionens hus", **kwargs)


class World:
    """Two bodies of one structure with a meeting in every state the week shows."""

    def __init__(self, coordinator) -> None:
        self.structure = StructureFactory(slug="struktur-vecka")
        self.a = BodyFactory(structure=self.structure, name="Länsledning Test", slug="ll-test",
                             kind=BodyKind.OFFICIALS_BOARD)
        self.b = BodyFactory(structure=self.structure, name="Lokal grupp Test", slug="lok-test",
                             kind=BodyKind.WORKING_GROUP, notice_days=7)
        seat = SeatFactory(body=self.a, member_count=2, substitute_count=1)
        self.member, m = _person("Maria", seat)
        self.substitute, _m = _person("Sven", seat, role=MembershipRole.SUBSTITUTE,
                                      substitute_for=m)
        self.lonely, _m = _person("Lena", SeatFactory(body=self.a, member_count=1,
                                                     substitute_count=0))
        _person("Bo", SeatFactory(body=self.b, member_count=1, substitute_count=0))
        # Coming: late (notice period of 14 days cannot be met), not sent yet (B: 7 days),
        # sent and then changed, sent and unchanged with two absences.
        self.late = _meeting(self.a, 3, title="Sent planerat möte")
        self.not_sent = _meeting(self.b, 20, title="Lokalt möte")
        self.changed = _meeting(self.a, 10, title="Ändrat möte")
        meet.meeting_notice_send(actor=coordinator, meeting=self.changed)
        meet.agenda_item_add(actor=coordinator, meeting=self.changed, title="Ny punkt")
        self.sent = _meeting(self.a, 15, title="Kallat möte")
        meet.meeting_notice_send(actor=coordinator, meeting=self.sent)
        self.absence = meet.absence_report(actor=None, meeting=self.sent, person=self.member)
        self.absence_alone = meet.absence_report(actor=None, meeting=self.sent,
                                                 person=self.lonely)
        # Held: no minutes 30 days on (approval overdue), a fresh draft, approved minutes
        # 40 days on (publishing overdue).
        self.no_minutes = _meeting(self.a, -30, title="Möte utan protokoll")
        self.draft = _meeting(self.b, -3, title="Möte med utkast")
        meet.minutes_create(actor=coordinator, meeting=self.draft)
        self.approved = _meeting(self.a, -40, title="Justerat möte")
        meet.attendance_record(actor=coordinator, meeting=self.approved,
                               attended={self.member.pk: True})  # checkers were present
        minutes = meet.minutes_create(actor=coordinator, meeting=self.approved)
        meet.minutes_update(actor=coordinator, minutes=minutes, checkers=[self.member])
        meet.minutes_send_to_checkers(actor=coordinator, minutes=minutes)
        meet.minutes_approve(actor=coordinator, minutes=minutes, checker=self.member)
        # A document version waiting for review.
        document = doc_services.document_create(
            actor=coordinator, title="Rutin för samordnad plan", kind=DocumentKind.ROUTINE,
            owner_body=self.b, is_public=True)
        version = doc_services.version_upload(
            actor=coordinator, document=document,
            file=SimpleUploadedFile("rutin.pdf", pdf_bytes(), content_type="application/pdf"))
        self.version = doc_services.version_submit(actor=coordinator, version=version)


@pytest.fixture
def world(coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World(coordinator)


def _entries(page, section: str) -> dict[str, object]:
    return {e.title: e for g in page.groups for e in g.sections.get(section, [])}


def _row_html(html: str, title: str) -> str:
    """The <li> of the first row whose title is ``title`` (the urgent list comes first)."""
    start = html.index(f">{title}<")
    return html[html.rindex("<li", 0, start):html.index("</li>", start)]


# --- pure rules -------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(("kwargs", "code", "urgent"), [
    ({"sent_sequence": -1, "notice_due_at": NOW + dt.timedelta(days=1)}, "not_sent", False),
    ({"sent_sequence": -1, "notice_due_at": NOW - dt.timedelta(days=1)}, "late", True),
    ({"sent_sequence": 0}, "sent", False),
    ({"sent_sequence": 0, "sequence": 1}, "changed", True),
    ({"sent_sequence": 0, "last_notice_at": NOW - dt.timedelta(hours=2),
      "agenda_changed_at": NOW - dt.timedelta(hours=1)}, "changed", True),
    ({"sent_sequence": 0, "last_notice_at": NOW - dt.timedelta(hours=1),
      "agenda_changed_at": NOW - dt.timedelta(hours=2)}, "sent", False),
    ({"meeting_status": "cancelled"}, "cancelled", False),
    ({"start": NOW - dt.timedelta(hours=1)}, "past", False),
])
def test_notice_status(kwargs, code, urgent):
    values = {"meeting_status": "planned", "start": NOW + dt.timedelta(days=5), "now": NOW,
              "sequence": 0, "sent_sequence": -1, "notice_due_at": None,
              "last_notice_at": None, "agenda_changed_at": None} | kwargs
    status = notice_status(**values)
    assert (status.code, status.urgent) == (code, urgent)


@pytest.mark.parametrize(("minutes", "age", "code", "urgent"), [
    (None, 3, "none", False), (None, 15, "none", True), ("draft", 14, "draft", False),
    ("with_checkers", 20, "with_checkers", True), ("approved", 20, "approved", False),
    ("approved", 22, "approved", True), ("published", 90, "published", False),
])
def test_minutes_status_uses_the_approval_and_publishing_days(minutes, age, code, urgent):
    on = dt.date(2026, 11, 30)
    status, _due = minutes_status(minutes=minutes, meeting_day=on - dt.timedelta(days=age),
                                  on=on, approval_days=14, publish_days=21)
    assert (status.code, status.urgent) == (code, urgent)


# --- the page ---------------------------------------------------------------------------

def test_week_is_for_coordinators_only(client, coordinator):
    assert client.get("/samordning/").status_code == 302
    client.force_login(UserFactory(username="ledamot-vecka"))
    assert client.get("/samordning/").status_code == 403
    client.force_login(coordinator)
    assert client.get("/samordning/").status_code == 200


def test_coming_meetings_with_their_notice_status_and_the_send_action(client, coordinator,
                                                                      world):
    page = week_page()
    rows = _entries(page, "meetings")
    assert rows["Sent planerat möte"].status.code == "late"
    assert rows["Sent planerat möte"].urgent
    assert rows["Lokalt möte"].status.code == "not_sent"
    assert not rows["Lokalt möte"].needs_action
    assert rows["Ändrat möte"].status.code == "changed"
    assert rows["Kallat möte"].status.code == "sent"
    assert "Möte utan protokoll" not in rows  # held meetings are the minutes' business

    client.force_login(coordinator)
    html = client.get("/samordning/", **SV).content.decode()
    late = _row_html(html, "Sent planerat möte")
    assert "kallelsetiden kan inte hållas" in late
    assert f'href="/moten/{world.late.pk}/kallelse/"' in late and "Skicka kallelse" in late
    assert "Skicka uppdaterad kallelse" in _row_html(html, "Ändrat möte")
    sent = _row_html(html, "Kallat möte")
    assert f'href="/moten/{world.sent.pk}/"' in sent and "/skicka/" not in sent

    # The row's button opens the preview; its confirm step (with the notice period
    # confirmed: the meeting is 3 days away) sends the notice.
    assert client.get(f"/moten/{world.late.pk}/kallelse/").status_code == 200
    response = client.post(f"/moten/{world.late.pk}/skicka/",
                           {"count": 3, "short_notice_confirmed": "on"})
    assert response.status_code == 302
    assert NoticeDelivery.objects.filter(meeting=world.late, kind="notice").count() == 3
    world.late.refresh_from_db()
    assert world.late.notice_sent_sequence == world.late.sequence
    assert _entries(week_page(), "meetings")["Sent planerat möte"].status.code == "sent"


def test_absences_say_whether_a_substitute_was_called(client, coordinator, world):
    rows = {e.title: e for g in week_page().groups for e in g.sections.get("absences", [])}
    called = rows[world.member.name]
    assert called.status.code == "substitute" and world.substitute.name in called.status.label
    assert not called.needs_action
    alone = rows[world.lonely.name]
    assert alone.status.code == "no_substitute" and alone.urgent
    assert alone.action_url == f"/moten/{world.sent.pk}/#attendance-h"
    client.force_login(coordinator)
    html = client.get("/samordning/", **SV).content.decode()
    assert f"Ersättare inkallad: {world.substitute.name}" in html
    assert "Ingen ersättare inkallad" in _row_html(html, world.lonely.name)


def test_minutes_waiting_for_approval_or_publication_link_to_the_minutes(client, coordinator,
                                                                         world):
    rows = _entries(week_page(), "minutes")
    assert rows["Möte utan protokoll"].status.code == "none"
    assert rows["Möte utan protokoll"].urgent  # 30 days > MINUTES_APPROVAL_DAYS
    assert rows["Möte med utkast"].status.code == "draft"
    assert not rows["Möte med utkast"].urgent
    assert rows["Justerat möte"].status.code == "approved" and rows["Justerat möte"].urgent
    client.force_login(coordinator)
    html = client.get("/samordning/", **SV).content.decode()
    row = _row_html(html, "Justerat möte")
    assert f'href="/moten/{world.approved.pk}/protokoll/"' in row
    assert "publiceringen är försenad" in row
    assert client.get(f"/moten/{world.approved.pk}/protokoll/").status_code == 200


def test_versions_in_review_link_to_their_step_page(client, coordinator, world):
    rows = _entries(week_page(), "documents")
    entry = rows["Rutin för samordnad plan, version 1"]
    url = f"/dokument/{world.version.document_id}/v1/steg/godkann/"
    assert entry.action_url == url
    client.force_login(coordinator)
    html = client.get("/samordning/", **SV).content.decode()
    assert f'href="{url}"' in html and "Granska och godkänn" in html
    assert client.get(url).status_code == 200


def test_counts_at_the_top_and_urgent_rows_first_with_bodies_collapsed(client, coordinator,
                                                                       world):
    page = week_page()
    counts = {c.key: c for c in page.counts}
    assert counts["meetings"].total == 4 and counts["meetings"].urgent == 2
    assert counts["absences"].total == 2 and counts["absences"].urgent == 1
    assert counts["minutes"].total == 3 and counts["minutes"].urgent == 2
    assert counts["documents"].total == 1
    urgent = [e.title for _b, e in page.urgent]
    assert {"Sent planerat möte", "Ändrat möte", world.lonely.name, "Möte utan protokoll",
            "Justerat möte"} <= set(urgent)
    assert "Lokalt möte" not in urgent
    client.force_login(coordinator)
    html = client.get("/samordning/", **SV).content.decode()
    assert html.index("Att göra nu") < html.index('id="body-ll-test"')
    details = re.findall(r"<details[^>]*>", html)
    assert len(details) == 2 and not any(" open" in d for d in details)


def test_filters_by_structure_level_and_what_needs_action(client, coordinator, world):
    other = BodyFactory(structure=StructureFactory(slug="annan-struktur"), name="Annat organ")
    _meeting(other, 5, title="Annat möte")
    client.force_login(coordinator)
    html = client.get("/samordning/", {"structure": "struktur-vecka"}, **SV).content.decode()
    assert "Sent planerat möte" in html and "Annat möte" not in html
    html = client.get("/samordning/", {"kind": BodyKind.WORKING_GROUP}, **SV).content.decode()
    assert "Lokalt möte" in html and "Sent planerat möte" not in html
    page = week_page(action_only=True)
    assert "Lokalt möte" not in _entries(page, "meetings")
    assert "Kallat möte" not in _entries(page, "meetings")
    assert world.member.name not in {e.title for g in page.groups
                                     for e in g.sections.get("absences", [])}
    response = client.get("/samordning/", {"kind": "finns-inte"}, **SV)
    assert response.status_code == 200
    assert "Det finns ingen sådan nivå; allt visas." in response.content.decode()
    assert "Annat möte" in response.content.decode()


def test_week_query_count_does_not_grow_with_the_data(client, coordinator, world):
    client.force_login(coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/samordning/").status_code == 200
        return len(ctx.captured_queries)

    count()  # warms the process-wide caches (content types, permissions)
    before = count()
    for i in range(3):
        body = BodyFactory(structure=world.structure, name=f"Extra {i}", slug=f"extra-{i}")
        seat = SeatFactory(body=body, member_count=2, substitute_count=0)
        person, _m = _person(f"Extra{i}", seat)
        coming = _meeting(body, 4 + i, title=f"Extra möte {i}")
        meet.agenda_item_add(actor=coordinator, meeting=coming, title="Punkt")
        meet.absence_report(actor=None, meeting=coming, person=person)
        held = _meeting(body, -10 - i, title=f"Hållet möte {i}")
        meet.minutes_create(actor=coordinator, meeting=held)
        document = doc_services.document_create(
            actor=coordinator, title=f"Riktlinje {i}", kind=DocumentKind.GUIDELINE,
            owner_body=body, is_public=False)
        version = doc_services.version_upload(
            actor=coordinator, document=document,
            file=SimpleUploadedFile("r.pdf", pdf_bytes(), content_type="application/pdf"))
        doc_services.version_submit(actor=coordinator, version=version)
    assert count() == before


# --- elections, follow-ups and findings (the HälSam preset) -----------------------------

ON = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)


def _halsam_member(seat_key: str, body: str, n: int, code: str):
    person = gov.person_create(actor=None, first_name="Anna", last_name=f"Andersson{n}",
                               email=f"anna{n}@exempel.invalid",
                               principal=Principal.objects.get(code=code))
    gov.membership_start(actor=None, person=person,
                         seat=Seat.objects.get(body__slug=body, key=seat_key),
                         start=dt.date(2023, 1, 1))
    return person


def test_elections_and_follow_ups_link_to_the_admin_page_that_records_them(
        client, coordinator, halsam, monkeypatch):
    page = week_page(now=ON, structure_slug="halsam-vasternorrland")
    by_body = {g.body.slug: g for g in page.groups}
    election = next(e for e in by_body["lansledning"].sections["followups"]
                    if e.status.code == "coming")
    lansledning = Body.objects.get(slug="lansledning")
    assert election.rule_id == "H13" and election.rule.title == "Val vid årets sista möte"
    assert election.action_url.startswith("/admin/governance/officeterm/add/?")
    assert f"body={lansledning.pk}" in election.action_url
    assert "start=2027-01-01" in election.action_url and "end=2027-12-31" in election.action_url
    assert "31 december 2026" in election.detail
    vacancy = next(e for e in by_body["lansledning"].sections["followups"]
                   if e.status.code == "vacancy")
    seat_pk = int(re.search(r"/seat/(\d+)/change/", vacancy.action_url).group(1))
    assert Seat.objects.get(pk=seat_pk).body == lansledning
    client.force_login(coordinator)
    assert client.get(election.action_url).status_code == 200
    assert client.get(vacancy.action_url).status_code == 200


def test_findings_are_explained_in_words_with_the_rule_linked(client, coordinator, halsam,
                                                              monkeypatch):
    """H11: the region chairing Länsledning in 2026, a social services year, breaks the
    agreement; the finding says so in words and links to the rule's text."""
    person = _halsam_member("omradesdirektorer", "lansledning", 1, "R22")
    # Recorded before the rule's eligibility was loaded (the services refuse it now, H11).
    OfficeTerm.objects.create(body=Body.objects.get(slug="lansledning"), office="chair",
                              person=person, start=dt.date(2026, 1, 1),
                              end=dt.date(2026, 12, 31))
    page = week_page(now=ON, structure_slug="halsam-vasternorrland")
    findings = [e for g in page.groups if g.body.slug == "lansledning"
                for e in g.sections.get("findings", [])]
    breach = next(e for e in findings if e.rule_id == "H11" and e.urgent)
    assert "Anna Andersson1" in breach.detail and "Region Västernorrland" in breach.detail
    assert "seed 000" not in breach.detail
    assert breach.title == "Länsledningens ordförande"
    assert breach.action_url == "/samordning/ordforandeskap/#body-lansledning"

    monkeypatch.setattr("django.utils.timezone.now", lambda: ON)
    client.force_login(coordinator)
    html = client.get("/samordning/", **SV).content.decode()
    assert '<a href="/regler/#H11">Regel H11: Länsledningens ordförande</a>' in html
    rules = client.get("/regler/", **SV).content.decode()
    assert 'id="H11"' in rules and "år 1 har regionen ordföranderollen" in rules


def test_offices_page_keeps_the_per_body_overview(client, coordinator, halsam, monkeypatch):
    """The old per-body office overview: a chair recorded ahead for 2027 (a region year,
    H11) follows the rule, and the office's row says so."""
    body = Body.objects.get(slug="lansledning")
    region = _halsam_member("omradesdirektorer", "lansledning", 6, "R22")
    gov.office_term_record(actor=None, body=body, office="chair", person=region,
                           start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: ON.date())
    client.force_login(coordinator)
    html = client.get("/samordning/ordforandeskap/", **SV).content.decode()
    card = html.split('id="body-lansledning"', 1)[1].split("</section>", 1)[0]
    assert "Anna Andersson6" in card and "Följer regeln" in card
    html = client.get("/samordning/ordforandeskap/", {"kind": "local_group"}, **SV)
    assert 'id="body-lansledning"' not in html.content.decode()


def test_a_structure_not_yet_in_force_has_no_findings(db):
    """J7: Jämtland Härjedalen's structure is in force from 2027-01-01; before that its
    bodies' rotation rules have no period to check, so nothing is reported as broken."""
    from governance.presets import load_structure

    load_structure("jamtland-harjedalen")
    page = week_page(now=ON, structure_slug="jamtland-harjedalen")
    findings = [e for g in page.groups for e in g.sections.get("findings", [])]
    assert not [e for e in findings if e.status.code in ("rule_error", "error")]
    assert not page.urgent
