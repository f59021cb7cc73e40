"""The history says who changed a membership and why (H23: changes of participants
are reported to the samverkanskoordinator, who must be able to trace them)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from governance import services
from governance.models import Membership, MembershipRole, Office

from .factories import PersonFactory, PrincipalFactory, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)


@pytest.fixture
def seat():
    return SeatFactory(principal=PrincipalFactory(), member_count=1, substitute_count=1)


def test_h23_services_record_who_started_and_ended_a_membership_and_why(seat):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    person = PersonFactory(principal=seat.principal)
    membership = services.membership_start(
        actor=alice, person=person, seat=seat, start=START, reason="Vald av socialnämnden")
    services.membership_end(actor=bob, membership=membership, end=dt.date(2024, 6, 30),
                            reason="Avgått som ordförande")
    records = list(membership.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_user, r.history_change_reason, r.end) for r in records] == [
        ("+", alice, "Vald av socialnämnden", None),
        ("~", bob, "Avgått som ordförande", dt.date(2024, 6, 30)),
    ]


def test_services_without_a_reason_still_say_what_happened(seat):
    membership = services.membership_start(
        actor=None, person=PersonFactory(principal=seat.principal), seat=seat, start=START)
    record = membership.history.get()
    assert record.history_user is None
    assert record.history_change_reason  # a default reason, never empty


def test_office_terms_record_their_actor_and_reason(seat):
    alice = UserFactory(username="alice")
    person = PersonFactory(principal=seat.principal)
    services.membership_start(actor=alice, person=person, seat=seat, start=START)
    term = services.office_term_record(actor=alice, body=seat.body, office=Office.CHAIR,
                                       person=person, start=START, reason="Val 2023-12-12")
    record = term.history.get()
    assert (record.history_user, record.history_change_reason) == (alice, "Val 2023-12-12")


def test_h23_admin_change_records_the_coordinator_and_the_reason(coordinator_client,
                                                                  coordinator, seat):
    member = services.membership_start(
        actor=None, person=PersonFactory(principal=seat.principal), seat=seat, start=START)
    substitute = services.membership_start(
        actor=None, person=PersonFactory(principal=seat.principal), seat=seat,
        role=MembershipRole.SUBSTITUTE, start=START)
    url = reverse("admin:governance_membership_change", args=[substitute.pk])
    response = coordinator_client.post(url, {
        "person": substitute.person_id, "seat": seat.pk, "role": MembershipRole.SUBSTITUTE,
        "substitute_for": member.pk, "start": "2024-01-01", "end": "2024-12-31",
        "change_reason": "Ersättare för ordföranden enligt beslut 2024-02-01"})
    assert response.status_code == 302
    substitute.refresh_from_db()
    assert (substitute.substitute_for, substitute.end) == (member, dt.date(2024, 12, 31))
    record = substitute.history.latest()
    assert record.history_type == "~"
    assert record.history_user == coordinator
    assert record.history_change_reason == "Ersättare för ordföranden enligt beslut 2024-02-01"

    # The coordinator sees who and why on the object's history page.
    page = coordinator_client.get(
        reverse("admin:governance_membership_history", args=[substitute.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ersättare för ordföranden enligt beslut 2024-02-01" in html
    assert coordinator.username in html


def test_admin_add_records_the_coordinator_and_the_reason(coordinator_client, coordinator,
                                                          seat):
    person = PersonFactory(principal=seat.principal)
    response = coordinator_client.post(reverse("admin:governance_membership_add"), {
        "person": person.pk, "seat": seat.pk, "role": MembershipRole.MEMBER,
        "start": "2024-01-01", "change_reason": "Ny ordförande i socialnämnden"})
    assert response.status_code == 302
    record = Membership.objects.get(person=person).history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", coordinator, "Ny ordförande i socialnämnden")
