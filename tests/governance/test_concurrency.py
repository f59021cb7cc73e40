"""Issue 12 §1: optimistic concurrency on memberships and office terms: "Byt ledamot" and
the admin's change forms.

Two coordinators open the same form; the first saves; the second is refused with "Ändrat
av X kl. HH:MM medan du redigerade" and the other change; nothing is overwritten and the
history holds exactly the first change.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from governance import services
from governance.models import Membership, OfficeTerm
from halsam.concurrency import StaleEdit, edit_token, read_token
from tests.governance.factories import (
    BodyFactory,
    MembershipFactory,
    OfficeTermFactory,
    PersonFactory,
    SeatFactory,
)

from ..concurrency_helpers import admin_post_data, editor_client, post_data

pytestmark = pytest.mark.django_db

STALE_SV = re.compile(r"Ändrat av Anna Ek kl\. \d\d\.\d\d medan du redigerade")


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def seat_held(db):
    """A seat for one member, held by Bo Berg since 2024."""
    body = BodyFactory(name="Länsledning", slug="lansledning-test")
    seat = SeatFactory(body=body, member_count=1, substitute_count=0)
    bo = PersonFactory(first_name="Bo", last_name="Berg")
    membership = MembershipFactory(seat=seat, person=bo, start=dt.date(2024, 1, 1))
    return seat, membership


def test_replace_member_twice_at_once_second_refused(seat_held):
    """issue 12 §1: two coordinators replace the same member from the same page; the
    second is refused with who and when and the other change (Bo's last day); Anna's
    replacement stands and the second new member gets no seat."""
    seat, bo = seat_held
    anna, anna_user = editor_client("anna-k", "Anna", "Ek")
    other, other_user = editor_client("olle-k", "Olle", "Ort")
    url = reverse("governance:replace_member",
                  kwargs={"slug": seat.body.slug, "seat_pk": seat.pk})
    form_a = anna.get(f"{url}?ledamot={bo.pk}").context["form"]
    form_b = other.get(f"{url}?ledamot={bo.pk}").context["form"]
    cia = PersonFactory(first_name="Cia", last_name="Ek", principal=bo.person.principal)
    dan = PersonFactory(first_name="Dan", last_name="Dahl", principal=bo.person.principal)
    common = {"outgoing": str(bo.pk), "confirm": "on"}
    data_a = post_data(form_a) | common | {"end": "2026-12-31", "person": str(cia.pk)}
    data_a.pop("welcome", None)
    data_b = post_data(form_b) | common | {"end": "2026-06-30", "person": str(dan.pk)}
    data_b.pop("welcome", None)
    first = anna.post(url, data_a)
    assert first.status_code == 302, first.context["form"].errors
    response = other.post(url, data_b)

    assert response.status_code == 200
    text = _text(response)
    assert STALE_SV.search(text), text[:3000]
    assert "Den andra ändringen" in text and "31 december 2026" in text
    bo.refresh_from_db()
    assert bo.end == dt.date(2026, 12, 31)
    assert not Membership.objects.filter(person=dan).exists()
    assert bo.history.filter(history_user=anna_user).count() == 1
    assert not bo.history.filter(history_user=other_user).exists()


def test_membership_end_service_token_is_checked_under_lock(seat_held):
    """issue 12 §1: the replacement service refuses a stale token itself."""
    _seat, bo = seat_held
    from governance import replacement

    seen = read_token(edit_token(bo, ("end",)), bo)
    services.membership_end(actor=None, membership=bo, end=dt.date(2026, 12, 31))
    dan = PersonFactory(principal=bo.person.principal)
    with pytest.raises(StaleEdit):
        replacement.member_replace(actor=None, outgoing=bo, end=dt.date(2026, 6, 30),
                                   person=dan, welcome=False, confirm=True, seen=seen)
    assert not Membership.objects.filter(person=dan).exists()


def _admin_race(url: str, field: str, value_a: str, value_b: str):
    anna, anna_user = editor_client("anna-adm", "Anna", "Ek", superuser=True)
    bo, bo_user = editor_client("bo-adm", "Bo", "Berg", superuser=True)
    data_a = admin_post_data(anna.get(url)) | {field: value_a, "change_reason": "A"}
    data_b = admin_post_data(bo.get(url)) | {field: value_b, "change_reason": "B"}
    response_a = anna.post(url, data_a)
    assert response_a.status_code == 302, _text(response_a)[:3000]
    return bo.post(url, data_b), anna_user, bo_user


def test_admin_membership_change_refuses_a_stale_save(seat_held):
    """issue 12 §1: the admin's membership change form refuses the second save."""
    _seat, bo = seat_held
    url = reverse("admin:governance_membership_change", args=[bo.pk])
    response, anna_user, bo_user = _admin_race(url, "end", "2026-12-31", "2026-06-30")
    assert response.status_code == 200
    assert STALE_SV.search(_text(response))
    bo.refresh_from_db()
    assert bo.end == dt.date(2026, 12, 31)
    assert bo.history.filter(history_user=anna_user).count() == 1
    assert not bo.history.filter(history_user=bo_user).exists()


def test_admin_office_term_change_refuses_a_stale_save(seat_held):
    """issue 12 §1: the admin's office term change form refuses the second save."""
    seat, bo = seat_held
    term = OfficeTermFactory(body=seat.body, person=bo.person, start=dt.date(2024, 1, 1))
    url = reverse("admin:governance_officeterm_change", args=[term.pk])
    response, _anna_user, bo_user = _admin_race(url, "note", "Vald av Anna", "Vald av Bo")
    assert response.status_code == 200
    assert STALE_SV.search(_text(response))
    assert OfficeTerm.objects.get(pk=term.pk).note == "Vald av Anna"
    assert not term.history.filter(history_user=bo_user).exists()


def test_admin_change_form_without_a_race_saves(seat_held):
    """issue 12 §1: the hidden version does not get in the way of an ordinary save."""
    _seat, bo = seat_held
    anna, _user = editor_client("anna-adm", "Anna", "Ek", superuser=True)
    url = reverse("admin:governance_membership_change", args=[bo.pk])
    page = anna.get(url)
    assert 'name="edit_token"' in _text(page)
    response = anna.post(url, admin_post_data(page) | {"end": "2026-12-31"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=bo.pk).end == dt.date(2026, 12, 31)
