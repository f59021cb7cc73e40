"""Issue 11, flow 4: minutes that reach their checkers.

Checkers only among those present; one e-mail per checker and round; "Att justera" and
"Tidigare möten" on Mina sidor (constant queries); approval and sending back with a
comment in the portal; § numbers per body and year; the wording; the PDFs' access.
"""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from governance.models import Body
from meetings import services
from meetings.models import AgendaItem, DeliveryKind, Minutes, MinutesStatus, NoticeDelivery
from meetings.selectors import checker_choices
from tests.governance.factories import UserFactory

from .builders import coordinator_user, load_preset, login_person, meeting, person, place, seat

pytestmark = pytest.mark.django_db

PORTAL = "/mina-sidor/"


@pytest.fixture
def halsam(db, settings):
    settings.HALSAM_BASE_URL = "https://halsam.example"
    load_preset("halsam-vasternorrland")


@pytest.fixture
def held(halsam, client):
    """A Länsledning meeting three days ago: Anna (logged in with ``client``) and Bo
    came, Cecilia did not; two agenda items; minutes started."""
    anna = login_person(client, "sundsvall")
    place(anna, seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    bo = person("timra", name="Bo Berg")
    place(bo, seat("lansledning", "timra", "fc-skolforvaltning"))
    cecilia = person("harnosand", name="Cecilia Ek")
    place(cecilia, seat("lansledning", "harnosand"))
    m = meeting("lansledning", dt.date.today() - dt.timedelta(days=3))
    for title in ("Lägesbild psykisk hälsa", "Beslut om handlingsplan"):
        services.agenda_item_add(actor=None, meeting=m, title=title)
    services.attendance_record(actor=None, meeting=m,
                               attended={anna.pk: True, bo.pk: True, cecilia.pk: False})
    minutes = services.minutes_create(actor=None, meeting=m)
    return {"meeting": m, "minutes": minutes, "anna": anna, "bo": bo, "cecilia": cecilia}


def _checks() -> list:
    return [m for m in mail.outbox if "Minutes to approve" in m.subject]


# --- checkers only among those present ---------------------------------------------------

def test_an_absent_member_can_never_be_a_checker(held):
    with pytest.raises(ValidationError) as exc:
        services.minutes_update(actor=None, minutes=held["minutes"],
                                checkers=[held["anna"], held["cecilia"]])
    assert "checkers" in exc.value.message_dict
    assert held["cecilia"].name in exc.value.message_dict["checkers"][0]
    assert not Minutes.objects.get(pk=held["minutes"].pk).checkers.exists()


def test_without_attendance_no_checker_can_be_chosen(halsam):
    a = person("sundsvall")
    place(a, seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    m = meeting("lansledning", dt.date.today() - dt.timedelta(days=2))
    minutes = services.minutes_create(actor=None, meeting=m)
    with pytest.raises(ValidationError) as exc:
        services.minutes_update(actor=None, minutes=minutes, checkers=[a])
    assert "Record the attendance first" in exc.value.message_dict["checkers"][0]


def test_the_form_offers_only_those_present(held):
    names = [p.name for p in checker_choices(held["meeting"])]
    assert held["anna"].name in names and held["bo"].name in names
    assert held["cecilia"].name not in names


def test_the_minutes_page_offers_only_those_present(held, client):
    client.force_login(coordinator_user())
    html = client.get(reverse("meetings:minutes", args=[held["meeting"].pk])).content.decode()
    assert held["bo"].name in html
    assert f'value="{held["cecilia"].pk}"' not in html
    response = client.post(reverse("meetings:minutes", args=[held["meeting"].pk]),
                           {"summary": "", "checkers": [held["cecilia"].pk]})
    assert response.status_code == 200  # shown on the field, never a 500
    assert not Minutes.objects.get(pk=held["minutes"].pk).checkers.exists()


# --- e-mails per round, exactly once ------------------------------------------------------

def test_each_checker_is_mailed_once_per_round_and_again_after_a_return(
        held, client, django_capture_on_commit_callbacks):
    minutes, anna, bo = held["minutes"], held["anna"], held["bo"]
    services.minutes_update(actor=None, minutes=minutes, checkers=[anna, bo])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_send_to_checkers(actor=None, minutes=minutes)
    checks = _checks()
    assert sorted(m.to[0] for m in checks) == sorted([anna.email, bo.email])
    link = reverse("meetings:minutes_check", args=[held["meeting"].pk])
    assert all(f"https://halsam.example{link}" in m.body for m in checks)
    rows = NoticeDelivery.objects.filter(kind=DeliveryKind.MINUTES_CHECK)
    assert {(r.person_id, r.sequence, r.status) for r in rows} == {
        (anna.pk, 1, "sent"), (bo.pk, 1, "sent")}
    # A retry of the same round claims nothing new.
    from meetings.minutes_mail import claim_checker_mails

    claim_checker_mails(Minutes.objects.get(pk=minutes.pk))
    assert NoticeDelivery.objects.filter(kind=DeliveryKind.MINUTES_CHECK).count() == 2
    # Sent back and sent again: a new round, a new e-mail each.
    services.minutes_return(actor=None, minutes=minutes, checker=bo, comment="Rätta § 2.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_send_to_checkers(actor=None, minutes=minutes)
    assert len(_checks()) == 2
    assert set(NoticeDelivery.objects.filter(kind=DeliveryKind.MINUTES_CHECK)
               .values_list("sequence", flat=True)) == {1, 2}


def test_the_secretary_is_told_who_was_mailed_and_who_has_no_address(
        held, client, django_capture_on_commit_callbacks):
    m, anna, bo = held["meeting"], held["anna"], held["bo"]
    bo.email = ""
    bo.save()
    services.minutes_update(actor=None, minutes=held["minutes"], checkers=[anna, bo])
    client.force_login(coordinator_user())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:minutes_action", args=[m.pk, "send"]),
                               follow=True)
    text = " ".join(str(x) for x in response.context["messages"])
    assert f"The minutes were sent to the minute checkers {anna.name} and {bo.name}." in text
    assert f"An e-mail with a link to approve went to {anna.name}." in text
    assert f"{bo.name} has no e-mail address" in text
    assert [msg.to for msg in _checks()] == [[anna.email]]


# --- Mina sidor: Att justera and Tidigare möten ------------------------------------------

def test_to_approve_lists_only_my_minutes_waiting_and_approval_in_the_portal(held, client):
    m, minutes, anna, bo = held["meeting"], held["minutes"], held["anna"], held["bo"]
    check_url = reverse("meetings:minutes_check", args=[m.pk])
    services.minutes_update(actor=None, minutes=minutes, checkers=[anna])
    assert check_url not in client.get(PORTAL).content.decode()  # a draft: nothing yet
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    html = client.get(PORTAL).content.decode()
    assert "To approve" in html and check_url in html
    page = client.get(check_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "§ " in body and "Lägesbild psykisk hälsa" in body
    response = client.post(check_url, {"action": "approve"}, follow=True)
    assert response.redirect_chain[-1][0] == PORTAL
    text = " ".join(str(x) for x in response.context["messages"])
    assert "are approved (justerat)" in text
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_by == anna
    assert check_url not in client.get(PORTAL).content.decode()
    # Bo is no checker: 403.
    bo_user = UserFactory(
        username="bo-berg")
    bo.user = bo_user
    bo.save()
    client.force_login(bo_user)
    assert client.get(check_url).status_code == 403


def test_sending_back_needs_a_comment_and_the_secretary_sees_it(
        held, client, django_capture_on_commit_callbacks):
    from governance.models import MembershipRole, Seat

    m, minutes, anna = held["meeting"], held["minutes"], held["anna"]
    secretary = person(None, name="Sara Sekreterare")
    place(secretary, Seat.objects.get(body__slug="lansledning", key="adjungerade"),
          role=MembershipRole.SECRETARY)
    services.minutes_update(actor=None, minutes=minutes, checkers=[anna])
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    check_url = reverse("meetings:minutes_check", args=[m.pk])
    response = client.post(check_url, {"action": "return", "comment": ""})
    assert response.status_code == 200
    assert "Write what should be changed" in response.content.decode()
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.WITH_CHECKERS
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(check_url, {"action": "return", "comment": "Beslutet i § 2 saknas."})
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT and minutes.returned_by == anna
    told = [msg for msg in mail.outbox if msg.to == [secretary.email]]
    assert len(told) == 1 and "Beslutet i § 2 saknas." in told[0].body
    assert anna.name in told[0].body
    client.force_login(coordinator_user())
    html = client.get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    assert "Beslutet i § 2 saknas." in html and anna.name in html


def test_past_meetings_newest_first_with_minutes_links(held, client):
    m, minutes, anna = held["meeting"], held["minutes"], held["anna"]
    older = meeting("lansledning", dt.date.today() - dt.timedelta(days=40))
    html = client.get(PORTAL).content.decode()
    assert "Past meetings" in html
    assert html.index(m.get_absolute_url()) < html.index(older.get_absolute_url())
    pdf_url = reverse("meetings:minutes_pdf", args=[m.pk])
    assert pdf_url not in html  # a draft
    services.minutes_update(actor=None, minutes=minutes, checkers=[anna])
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    services.minutes_approve(actor=None, minutes=minutes, checker=anna)
    services.minutes_publish(actor=None, minutes=minutes)
    assert pdf_url in client.get(PORTAL).content.decode()


def _portal_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PORTAL).status_code == 200
    return len(ctx.captured_queries)


def test_my_pages_queries_do_not_grow_with_minutes_to_approve_and_past_meetings(held, client):
    anna = held["anna"]

    def add(n: int, offset: int) -> None:
        for i in range(n):
            past = meeting("lansledning", dt.date.today() - dt.timedelta(days=10 + offset + i))
            services.attendance_record(actor=None, meeting=past, attended={anna.pk: True})
            minutes = services.minutes_create(actor=None, meeting=past)
            services.minutes_update(actor=None, minutes=minutes, checkers=[anna])
            services.minutes_send_to_checkers(actor=None, minutes=minutes)
            if i % 2:
                services.minutes_approve(actor=None, minutes=minutes, checker=anna)
                services.minutes_publish(actor=None, minutes=minutes)

    add(1, 0)
    few = _portal_queries(client)
    add(12, 5)
    assert _portal_queries(client) == few


def test_past_meetings_are_paginated(held, client):
    for i in range(12):
        meeting("lansledning", dt.date.today() - dt.timedelta(days=20 + i))
    html = client.get(PORTAL).content.decode()
    assert "?tidigare=2" in html
    second = client.get(PORTAL + "?tidigare=2").content.decode()
    assert "?tidigare=1" in second
    assert client.get(PORTAL + "?tidigare=x").status_code == 200


# --- § numbers per body and year ---------------------------------------------------------

def _sections(meeting_) -> list[int | None]:
    return list(AgendaItem.objects.filter(meeting=meeting_).order_by("position", "id")
                .values_list("section", flat=True))


def test_items_numbered_per_body_and_year_and_stable(held):
    m, minutes, anna = held["meeting"], held["minutes"], held["anna"]
    first = _sections(m)
    assert first == list(range(1, len(first) + 1))
    # A second meeting of the body the same year continues; another body starts at 1.
    year = m.start.year
    later = meeting("lansledning", dt.date.today() - dt.timedelta(days=1))
    if later.start.year == year:
        services.agenda_item_add(actor=None, meeting=later, title="Övrigt")
        services.minutes_create(actor=None, meeting=later)
        assert _sections(later)[0] == len(first) + 1
    # An item added to the draft gets the next number when sent; numbers then stay.
    extra = services.agenda_item_add(actor=None, meeting=m, title="Extra punkt")
    services.minutes_update(actor=None, minutes=minutes, checkers=[anna])
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    extra.refresh_from_db()
    assert extra.section is not None and extra.section not in first
    before = _sections(m)
    services.minutes_approve(actor=None, minutes=minutes, checker=anna)
    services.minutes_publish(actor=None, minutes=minutes)
    assert _sections(m) == before


def test_a_new_year_starts_at_paragraph_one(halsam):
    old = meeting("lansledning", "2025-12-10")
    services.agenda_item_add(actor=None, meeting=old, title="Punkt")
    services.minutes_create(actor=None, meeting=old)
    new = meeting("lansledning", "2026-01-14")
    services.agenda_item_add(actor=None, meeting=new, title="Punkt")
    services.minutes_create(actor=None, meeting=new)
    assert min(n for n in _sections(new) if n) == 1
    other = meeting("samrad" if Body.objects.filter(slug="samrad").exists() else "lansledning",
                    "2025-11-05")
    if other.body_id != old.body_id:
        services.agenda_item_add(actor=None, meeting=other, title="Punkt")
        services.minutes_create(actor=None, meeting=other)
        assert min(n for n in _sections(other) if n) == 1


def test_two_meetings_of_one_body_never_share_a_number(halsam):
    a = meeting("lansledning", "2026-03-04")
    b = meeting("lansledning", "2026-04-08")
    for m in (a, b):
        for title in ("Ett", "Två", "Tre"):
            services.agenda_item_add(actor=None, meeting=m, title=title)
    services.minutes_create(actor=None, meeting=b)  # the later meeting first
    services.minutes_create(actor=None, meeting=a)
    numbers = _sections(a) + _sections(b)
    assert None not in numbers and len(set(numbers)) == len(numbers)
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_minutes_of_two_meetings_get_disjoint_numbers(settings):
    """Two threads start the minutes of two meetings of one body at once. PostgreSQL: the
    body row lock orders them; SQLite: one writer at a time. Either way no § is shared."""
    load_preset("halsam-vasternorrland")
    meetings_ = [meeting("lansledning", day) for day in ("2026-05-06", "2026-06-03")]
    for m in meetings_:
        for title in ("Ett", "Två", "Tre", "Fyra"):
            services.agenda_item_add(actor=None, meeting=m, title=title)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def start(m) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            for attempt in range(20):
                try:
                    services.minutes_create(actor=None, meeting=m)
                    return
                except Exception as exc:  # SQLite: "database is locked" → try again
                    if "locked" not in str(exc) or attempt == 19:
                        raise
                    time.sleep(0.1)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(m,)) for m in meetings_]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = _sections(meetings_[0]) + _sections(meetings_[1])
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


# --- wording -----------------------------------------------------------------------------

def test_minutes_statuses_in_swedish_and_documents_keep_theirs():
    with translation.override("sv"):
        labels = [str(label) for label in MinutesStatus.labels]
        assert labels == ["Utkast", "Hos justerarna", "Justerat", "Publicerat"]
        assert translation.gettext("Approved") == "Godkänd"
        assert translation.gettext("Published") == "Publicerad"


# --- the PDFs ----------------------------------------------------------------------------

@pytest.fixture
def pdf_world(held, client):
    minutes, anna = held["minutes"], held["anna"]
    services.minutes_update(actor=None, minutes=minutes, checkers=[anna])
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    return held


def _get(client, user, url, method="get"):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url)


def test_minutes_pdf_access_before_and_after_publishing(pdf_world, client):
    m, minutes, anna = pdf_world["meeting"], pdf_world["minutes"], pdf_world["anna"]
    url = reverse("meetings:minutes_pdf", args=[m.pk])
    coordinator = coordinator_user()
    bo_user = UserFactory(
        username="bo-pdf")
    pdf_world["bo"].user = bo_user
    pdf_world["bo"].save()
    # A draft: the editors and the checker (marked as a draft), nobody else.
    response = _get(client, coordinator, url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "utkast-protokoll-" in response["Content-Disposition"]
    assert _get(client, anna.user, url).status_code == 200
    assert _get(client, bo_user, url).status_code == 404
    assert _get(client, None, url).status_code == 404  # a public meeting, minutes unpublished
    services.minutes_approve(actor=None, minutes=minutes, checker=anna)
    services.minutes_publish(actor=None, minutes=minutes)
    for user in (None, bo_user, coordinator):
        response = _get(client, user, url)
        assert response.status_code == 200, user
        assert response.content.startswith(b"%PDF")
        disposition = response["Content-Disposition"]
        assert disposition.startswith("inline") and "protokoll-" in disposition
        assert "utkast" not in disposition
    head = _get(client, None, url, "head")
    assert head.status_code == 200 and head["Content-Type"] == "application/pdf"


def test_pdfs_of_a_non_public_meeting(pdf_world, client):
    m = pdf_world["meeting"]
    m.is_public = False
    m.save()
    outsider = UserFactory(
        username="utomstaende")
    agenda_url = reverse("meetings:agenda_pdf", args=[m.pk])
    minutes_url = reverse("meetings:minutes_pdf", args=[m.pk])
    assert _get(client, None, agenda_url).status_code == 302  # to the login page
    assert _get(client, outsider, agenda_url).status_code == 403
    assert _get(client, outsider, minutes_url).status_code == 403
    response = _get(client, pdf_world["bo"].user or pdf_world["anna"].user, agenda_url)
    assert response.status_code == 200
    assert 'filename="dagordning-' in response["Content-Disposition"]
    assert _get(client, pdf_world["anna"].user, agenda_url, "head").status_code == 200


def test_meeting_page_links_the_pdfs_and_shows_paragraphs(pdf_world, client):
    m, minutes, anna = pdf_world["meeting"], pdf_world["minutes"], pdf_world["anna"]
    services.minutes_approve(actor=None, minutes=minutes, checker=anna)
    services.minutes_publish(actor=None, minutes=minutes)
    client.logout()
    html = client.get(m.get_absolute_url()).content.decode()
    assert reverse("meetings:agenda_pdf", args=[m.pk]) in html
    assert reverse("meetings:minutes_pdf", args=[m.pk]) in html
    first = AgendaItem.objects.filter(meeting=m).order_by("position", "id").first()
    assert f"§ {first.section} {first.title}" in html
