"""Object permissions on bodies (django-guardian), kept in step by the membership
services, and the governance gateway built on them (docs/roles.md)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from documents.access import body_roles
from governance import access, permissions
from governance import services as gov
from governance.models import Body, Membership, MembershipRole
from governance.models_permissions import BodyUserObjectPermission
from governance.roles import COORDINATOR_GROUP
from tests.governance.factories import BodyFactory, SeatFactory, UserFactory

TODAY = dt.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def _person(username: str):
    user = UserFactory(username=username)
    return gov.person_create(actor=None, first_name=username, last_name="Test",
                             email=f"{username}@exempel.invalid", user=user)


def _start(person, body: Body, role=MembershipRole.MEMBER, start=dt.date(2024, 1, 1), end=None):
    return gov.membership_start(actor=None, person=person, role=role, start=start, end=end,
                                seat=SeatFactory(body=body, member_count=3))


def _perms(user) -> set[tuple[str, str]]:
    return set(BodyUserObjectPermission.objects.filter(user=user)
               .values_list("content_object__slug", "permission__codename"))


@pytest.mark.django_db
def test_membership_start_grants_view_and_secretary_also_change():
    body_a, body_b = BodyFactory(slug="a"), BodyFactory(slug="b")
    member, secretary = _person("ledamot"), _person("sekreterare")
    _start(member, body_a)
    _start(secretary, body_a, role=MembershipRole.SECRETARY)
    assert _perms(member.user) == {("a", "view_body")}
    assert _perms(secretary.user) == {("a", "view_body"), ("a", "change_body")}
    assert member.user.has_perm("governance.view_body", body_a)
    assert not member.user.has_perm("governance.view_body", body_b)
    assert access.is_member_of(member.user, body_a) and not access.is_secretary_of(
        member.user, body_a)
    assert access.is_secretary_of(secretary.user, body_a)
    assert list(access.bodies_for_user(member.user)) == [body_a]


@pytest.mark.django_db
def test_grant_is_in_the_services_transaction():
    body = BodyFactory(slug="a")
    person = _person("ledamot")
    with pytest.raises(RuntimeError), transaction.atomic():
        _start(person, body)
        assert _perms(person.user) == {("a", "view_body")}
        raise RuntimeError("roll back")
    assert not Membership.objects.exists()
    assert _perms(person.user) == set()


@pytest.mark.django_db
def test_membership_end_revokes_only_when_no_other_membership_in_the_body_remains():
    body = BodyFactory(slug="a")
    person = _person("ledamot")
    first = _start(person, body)
    second = _start(person, body, role=MembershipRole.CO_OPTED)
    gov.membership_end(actor=None, membership=first, end=TODAY - dt.timedelta(days=1))
    assert _perms(person.user) == {("a", "view_body")}  # still co-opted
    gov.membership_end(actor=None, membership=second, end=TODAY - dt.timedelta(days=1))
    assert _perms(person.user) == set()


@pytest.mark.django_db
def test_secretary_loses_change_but_keeps_view_as_member():
    body = BodyFactory(slug="a")
    person = _person("sekreterare")
    _start(person, body)
    secretary = _start(person, body, role=MembershipRole.SECRETARY)
    gov.membership_end(actor=None, membership=secretary, end=TODAY - dt.timedelta(days=1))
    assert _perms(person.user) == {("a", "view_body")}


@pytest.mark.django_db
def test_future_start_and_future_end_take_effect_with_the_daily_sync():
    body = BodyFactory(slug="a")
    person = _person("ledamot")
    starts = TODAY + dt.timedelta(days=7)
    membership = _start(person, body, start=starts)
    gov.membership_end(actor=None, membership=membership, end=starts + dt.timedelta(days=30))
    assert _perms(person.user) == set()  # not yet a member
    assert permissions.membership_permissions_sync(on=starts - dt.timedelta(days=1)) == (0, 0)
    assert permissions.membership_permissions_sync(on=starts) == (1, 0)
    assert _perms(person.user) == {("a", "view_body")}
    # The last day still counts; the day after, the permission goes.
    assert permissions.membership_permissions_sync(on=starts + dt.timedelta(days=30)) == (0, 0)
    assert permissions.membership_permissions_sync(on=starts + dt.timedelta(days=31)) == (0, 1)
    assert _perms(person.user) == set()


@pytest.mark.django_db
def test_daily_sync_repairs_rows_written_outside_the_services_and_is_idempotent():
    """Memberships from the admin or an import, and a login unlinked from its person."""
    from tests.governance.factories import MembershipFactory

    body = BodyFactory(slug="a")
    person = _person("ledamot")
    MembershipFactory(person=person, seat=SeatFactory(body=body), start=dt.date(2024, 1, 1))
    assert _perms(person.user) == set()
    assert permissions.membership_permissions_sync() == (1, 0)
    assert permissions.membership_permissions_sync() == (0, 0)
    user = person.user
    person.user = None
    person.save()
    assert permissions.membership_permissions_sync() == (0, 1)
    assert _perms(user) == set()


@pytest.mark.django_db
def test_lists_ignore_model_wide_permissions(role_groups):
    """The coordinator holds the model-wide view_body/change_body (for the admin); with
    guardian's default accept_global_perms=True every body would be theirs."""
    from guardian.shortcuts import get_objects_for_user

    BodyFactory(slug="a"), BodyFactory(slug="b")
    coordinator = UserFactory(username="koordinator")
    coordinator.groups.add(role_groups[COORDINATOR_GROUP])
    assert coordinator.has_perm("governance.view_body")
    assert get_objects_for_user(coordinator, "governance.view_body", klass=Body).count() == 2
    assert list(access.bodies_for_user(coordinator)) == []
    assert access.can_coordinate(coordinator)
    superuser = UserFactory(username="root", is_superuser=True)
    assert list(access.bodies_for_user(superuser)) == []
    assert access.bodies_for_user(None).count() == 0


@pytest.mark.django_db
def test_gateways_agree_on_membership():
    """The guardian projection and the membership-based gateways (documents, meetings)
    name the same bodies for each persona."""
    body_a, body_b = BodyFactory(slug="a"), BodyFactory(slug="b")
    people = {"member_a": (_person("la"), body_a, MembershipRole.MEMBER),
              "member_b": (_person("lb"), body_b, MembershipRole.SUBSTITUTE),
              "secretary_a": (_person("sa"), body_a, MembershipRole.SECRETARY)}
    for person, body, role in people.values():
        _start(person, body, role=role)
    old = _person("gammal")
    _start(old, body_b, start=dt.date(2020, 1, 1), end=dt.date(2021, 1, 1))
    for person, *_rest in [*people.values(), (old,)]:
        user = person.user
        assert set(access.bodies_for_user(user).values_list("pk", flat=True)) == set(
            body_roles(user)), person
        assert set(access.bodies_for_user(user, secretary=True).values_list("pk", flat=True)) == {
            b for b, roles in body_roles(user).items() if MembershipRole.SECRETARY in roles}
