"""``manage.py demo``: every place of HälSam filled with fictive people, logins made,
a second run changes nothing."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Sum
from django.test import override_settings
from django.utils import timezone

from governance.models import (
    Membership,
    MembershipRole,
    Office,
    OfficeTerm,
    Person,
    PrincipalKind,
    Seat,
    Structure,
)
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP

pytestmark = pytest.mark.django_db

SLUG = "halsam-vasternorrland"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    user_model = get_user_model()
    return {
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "offices": OfficeTerm.objects.count(),
        "users": user_model.objects.count(),
        "history": Membership.history.count() + Person.history.count()
        + OfficeTerm.history.count(),
    }


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    """The demo run once for the module, on an empty database, and rolled back after.

    It takes seconds, so the tests share one run; each test runs in its own savepoint
    inside this transaction, so what a test changes is undone before the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Structure.objects.exists()  # the demo loads the preset itself
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            output = run_demo("--password", "hemligt-demo-1")
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_once, db):
    return _demo_once


def test_demo_fills_every_member_and_substitute_place_of_halsam(demo):
    today = timezone.localdate()
    seats = Seat.objects.filter(body__structure__slug=SLUG)
    places = seats.aggregate(n=Sum(F("member_count") + F("substitute_count")))["n"]
    active = Membership.objects.active_on(today).filter(seat__body__structure__slug=SLUG)
    assert places > 200
    assert active.count() == places
    for seat in seats:
        mine = active.filter(seat=seat)
        members = mine.exclude(role=MembershipRole.SUBSTITUTE).count()
        assert members == seat.member_count, seat
        assert mine.filter(role=MembershipRole.SUBSTITUTE).count() == seat.substitute_count
        if seat.is_co_opted:
            assert not mine.filter(role=MembershipRole.MEMBER).exists()


def test_demo_people_are_fictive_and_fit_their_seats(demo):
    people = Person.objects.select_related("principal")
    assert all(p.email.endswith("@exempel.invalid") for p in people)
    assert all(p.phone.startswith("070-174 06") for p in people)
    assert all(p.title for p in people)
    for m in Membership.objects.select_related("person__principal", "seat__principal"):
        if m.seat.principal_id:
            assert m.person.principal_id == m.seat.principal_id
        elif m.seat.principal_kind:
            assert m.person.principal.kind == m.seat.principal_kind
    # A seat's title says whose chair the person is (H2): the qualification is the title.
    hsn = Membership.objects.select_related("person").get(seat__body__slug="halsam",
                                                            seat__key="ordf-hsn")
    assert "HSN" in hsn.person.title


def test_h5_demo_political_presidium_is_taken_among_the_chairs(demo):
    """H5/H6: the presidium's members are HälSam chairs, municipal ones of two municipalities."""
    presidium = Membership.objects.filter(seat__body__slug="halsam-presidium")
    chairs = set(Membership.objects.filter(seat__body__slug="halsam")
                 .values_list("person_id", flat=True))
    assert presidium.count() == 3
    assert set(presidium.values_list("person_id", flat=True)) <= chairs
    municipal = presidium.filter(person__principal__kind=PrincipalKind.MUNICIPALITY)
    assert municipal.values("person__principal").distinct().count() == 2


def test_h4_demo_presidium_has_one_chair_per_area(demo):
    today = timezone.localdate()
    chairs = OfficeTerm.objects.active_on(today).filter(body__slug="halsam-presidium",
                                                        office=Office.CHAIR)
    areas = Structure.objects.get(slug=SLUG).areas.count()
    assert chairs.count() == areas == chairs.values("area").distinct().count()
    assert chairs.values("person").distinct().count() == areas


def test_h11_h12_demo_lansledning_offices_follow_the_rotation(demo):
    """H11: year 1 (2023) the region chairs, year 2 a social services head, alternating;
    H12: the 1st vice chair from the other side, the 2nd vice chair a head of school."""
    today = timezone.localdate()
    offices = {t.office: t for t in OfficeTerm.objects.active_on(today)
               .filter(body__slug="lansledning")
               .select_related("person__principal")}
    assert set(offices) == {Office.CHAIR, Office.VICE_CHAIR, Office.SECOND_VICE_CHAIR}
    chair = offices[Office.CHAIR]
    assert (chair.start.year, chair.end.year) == (today.year, today.year)
    region_year = (today.year - 2023) % 2 == 0
    expected = PrincipalKind.REGION if region_year else PrincipalKind.MUNICIPALITY
    assert chair.person.principal.kind == expected
    if not region_year:
        assert Membership.objects.filter(person=chair.person, seat__body__slug="lansledning",
                                         seat__sector__code="social_services").exists()
    assert offices[Office.VICE_CHAIR].person.principal.kind != expected
    second = offices[Office.SECOND_VICE_CHAIR].person
    assert Membership.objects.filter(person=second, seat__body__slug="lansledning",
                                     seat__sector__code="school").exists()


def test_demo_creates_the_logins(demo, client):
    user_model = get_user_model()
    coordinator = user_model.objects.get(username="samordnare")
    assert coordinator.is_staff and not coordinator.is_superuser
    assert coordinator.groups.filter(name=COORDINATOR_GROUP).exists()
    assert coordinator.has_perm("governance.change_membership")
    editor = user_model.objects.get(username="redaktor")
    assert editor.groups.filter(name=EDITOR_GROUP).exists()
    assert editor.has_perm("governance.view_membership")
    assert not editor.has_perm("governance.change_membership")

    members = user_model.objects.filter(username__startswith="ledamot-").select_related("person")
    assert members.count() == 3
    bodies = [set(Membership.objects.filter(person=u.person).values_list("seat__body__slug",
                                                                          flat=True))
              for u in members]
    firsts = {"ledamot-halsam": "halsam", "ledamot-lansledning": "lansledning",
              "ledamot-lokal": "lokal-sundsvall-barn-och-unga"}
    for user, in_bodies in zip(members, bodies, strict=True):
        assert firsts[user.username] in in_bodies
    assert len({u.person.pk for u in members}) == 3

    for username in ("samordnare", "redaktor", *firsts):
        assert client.login(username=username, password="hemligt-demo-1"), username
        assert username in demo
    assert "hemligt-demo-1" in demo
    client.login(username="samordnare", password="hemligt-demo-1")
    assert client.get("/admin/governance/membership/").status_code == 200


def test_demo_second_run_changes_nothing(demo):
    before = snapshot()
    output = run_demo("--password", "ett-annat-losen")
    assert "already there" in output
    assert snapshot() == before
    assert get_user_model().objects.get(username="samordnare").check_password("hemligt-demo-1")


def test_demo_fills_only_what_a_coordinator_left_vacant(demo):
    membership = Membership.objects.filter(seat__body__slug="lansledning",
                                           role=MembershipRole.MEMBER,
                                           person__office_terms=None).first()
    membership.delete()
    before = snapshot()
    output = run_demo()
    after = snapshot()
    assert "already there" not in output
    assert after["memberships"] == before["memberships"] + 1
    assert after["users"] == before["users"]
