"""issue 12 §2: the body permission sync (``governance.permissions``) run by the periodic
jobs: a fixed number of queries whatever it writes, the job's lock taken, and the result
the same when two syncs ran at once (the real processes: tests/test_concurrency_processes.py).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from governance import permissions
from governance.models import MembershipRole
from governance.models_permissions import BodyUserObjectPermission
from tests.governance.factories import (
    BodyFactory,
    MembershipFactory,
    PersonFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _members(body, count: int, role: str = MembershipRole.MEMBER) -> None:
    """Memberships written outside the services (as by an import): no permissions yet."""
    for _ in range(count):
        MembershipFactory(seat=SeatFactory(body=body), role=role, start=dt.date(2020, 1, 1),
                          person=PersonFactory(user=UserFactory()))


@pytest.mark.parametrize("count", [1, 12])
def test_sync_writes_in_a_fixed_number_of_queries(count, django_assert_num_queries):
    """issue 12 §2: one bulk insert, not one savepoint and insert per row (the long
    write window in which a second run crashed with "database is locked")."""
    body = BodyFactory()
    _members(body, count)
    _members(body, 1, MembershipRole.SECRETARY)
    permissions.membership_permissions_sync()  # warm the content type cache
    BodyUserObjectPermission.objects.all().delete()
    # Savepoint, permissions, memberships, existing rows, the insert, release; and the
    # advisory lock on PostgreSQL.
    with django_assert_num_queries(6 + (connection.vendor == "postgresql")):
        assert permissions.membership_permissions_sync() == (count + 2, 0)
    assert BodyUserObjectPermission.objects.count() == count + 2


def test_a_row_granted_meanwhile_is_skipped_not_an_error(monkeypatch):
    """issue 12 §2: a row another writer inserted after this sync read the table (possible
    where no lock serializes the writers) is skipped by the unique constraint, not an
    IntegrityError that rolls back the whole sync."""
    body = BodyFactory()
    _members(body, 3)
    wanted = permissions._wanted(on=dt.date.today(), user_id=None, body_ids=None,
                                 perm_ids=permissions._permission_ids())
    uid, body_id, pid = min(wanted)
    real_filter = BodyUserObjectPermission.objects.filter

    def filter_then_someone_inserts(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        if "permission_id__in" in kwargs:  # the sync's read of what exists …
            list(qs)
            BodyUserObjectPermission.objects.create(  # … then another writer's insert
                user_id=uid, content_object_id=body_id, permission_id=pid)
            return real_filter(pk__in=[])
        return qs

    monkeypatch.setattr(BodyUserObjectPermission.objects, "filter", filter_then_someone_inserts)
    permissions.membership_permissions_sync()
    monkeypatch.undo()
    rows = list(BodyUserObjectPermission.objects.values_list(
        "user_id", "content_object_id", "permission_id"))
    assert sorted(rows) == sorted(wanted)
