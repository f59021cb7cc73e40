"""django-guardian object permissions on bodies, kept in step with the memberships.

A person's login gets, on each body where they hold an *active* membership today:

- ``governance.view_body`` for any role (member, substitute, co-opted, secretary):
  the body's internal meetings, papers and documents;
- ``governance.change_body`` in addition for a secretary: the body's meetings, agendas,
  minutes and documents to manage.

The permissions are a projection of the memberships, never edited by hand: the
membership services call ``body_permissions_sync`` in their own transaction, and the
daily ``membership_permissions_sync`` catches what dates alone change (a membership
that starts or ends on a later day) and memberships written outside the services
(bulk imports). The admin syncs the logins it touches in its own save transaction
(``governance.admin.ReasonAdminMixin``). Each sync recomputes the wanted rows from the
memberships and writes only the difference, so it is idempotent. Two syncs at once (two
``run_due_jobs``, a worker and a membership service) are serialized by one transaction
lock (``halsam.dblocks``: an advisory lock on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
does it there), taken before the memberships are read, so no sync writes from a stale
read; the writes are ordered bulk statements that skip a row granted meanwhile
(issue 12 §2).

The rows live in guardian's direct foreign-key table ``BodyUserObjectPermission``
(``governance.models_permissions``). See docs/roles.md.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from halsam.dblocks import transaction_lock

from .models import Body, Membership, MembershipRole, Person
from .models_permissions import BodyUserObjectPermission

MEMBER_PERM = "view_body"
SECRETARY_PERM = "change_body"
BODY_PERMS = (MEMBER_PERM, SECRETARY_PERM)

Row = tuple[int, int, int]  # (user_id, body_id, permission_id)
BATCH = 500
# Every sync holds this lock from before it reads the memberships until it commits; it is
# taken before any permission row is written, so a sync waiting for it holds none of the
# rows the holder writes (two syncs cannot deadlock on them).
SYNC_LOCK = "governance.permissions.sync"


def perms_for_roles(roles: Iterable[str]) -> set[str]:
    """The object permissions (codenames) that a set of active roles on one body gives."""
    roles = set(roles)
    if not roles:
        return set()
    perms = {MEMBER_PERM}
    if MembershipRole.SECRETARY in roles:
        perms.add(SECRETARY_PERM)
    return perms


def _permission_ids() -> dict[str, int]:
    ct = ContentType.objects.get_for_model(Body)
    return dict(Permission.objects.filter(content_type=ct, codename__in=BODY_PERMS)
                .values_list("codename", "id"))


def _wanted(*, on: dt.date, user_id: int | None, body_ids: list[int] | None,
            perm_ids: dict[str, int]) -> set[Row]:
    memberships = Membership.objects.active_on(on).filter(person__user__isnull=False)
    if user_id is not None:
        memberships = memberships.filter(person__user_id=user_id)
    if body_ids is not None:
        memberships = memberships.filter(seat__body_id__in=body_ids)
    roles: dict[tuple[int, int], set[str]] = {}
    for uid, body_id, role in memberships.values_list("person__user_id", "seat__body_id",
                                                      "role"):
        roles.setdefault((uid, body_id), set()).add(role)
    return {(uid, body_id, perm_ids[codename])
            for (uid, body_id), rs in roles.items() for codename in perms_for_roles(rs)}


def _apply(*, wanted: set[Row], user_id: int | None, body_ids: list[int] | None,
           perm_ids: dict[str, int]) -> tuple[int, int]:
    existing_qs = BodyUserObjectPermission.objects.filter(permission_id__in=perm_ids.values())
    if user_id is not None:
        existing_qs = existing_qs.filter(user_id=user_id)
    if body_ids is not None:
        existing_qs = existing_qs.filter(content_object_id__in=body_ids)
    existing = {(uid, body_id, pid): pk for pk, uid, body_id, pid in existing_qs.values_list(
        "pk", "user_id", "content_object_id", "permission_id")}
    stale = sorted(pk for row, pk in existing.items() if row not in wanted)
    missing = sorted(row for row in wanted if row not in existing)
    # Bounded statements (SQLite limits the variables per statement) in a fixed order, so
    # two writers never wait on each other's rows crosswise.
    for start in range(0, len(stale), BATCH):
        BodyUserObjectPermission.objects.filter(pk__in=stale[start:start + BATCH]).delete()
    BodyUserObjectPermission.objects.bulk_create(
        [BodyUserObjectPermission(user_id=uid, content_object_id=body_id, permission_id=pid)
         for uid, body_id, pid in missing],
        batch_size=BATCH, ignore_conflicts=True)
    return len(missing), len(stale)


@transaction.atomic
def body_permissions_sync(*, person: Person, body_ids: Iterable[int] | None = None,
                          on: dt.date | None = None) -> tuple[int, int]:
    """Make ``person``'s login's permissions on ``body_ids`` (all bodies when None) match
    their memberships active on ``on`` (today). Returns (granted, revoked).

    A person without a login has nothing to sync.
    """
    if person.user_id is None:
        return (0, 0)
    on = on or timezone.localdate()
    ids = None if body_ids is None else list(body_ids)
    transaction_lock(SYNC_LOCK)
    perm_ids = _permission_ids()
    wanted = _wanted(on=on, user_id=person.user_id, body_ids=ids, perm_ids=perm_ids)
    return _apply(wanted=wanted, user_id=person.user_id, body_ids=ids, perm_ids=perm_ids)


@transaction.atomic
def login_permissions_sync(*, user_id: int, on: dt.date | None = None) -> tuple[int, int]:
    """Make one login's body permissions match the memberships of the person it is linked
    to today; a login linked to nobody loses them all (a person's login was changed or
    removed). Returns (granted, revoked)."""
    on = on or timezone.localdate()
    transaction_lock(SYNC_LOCK)
    perm_ids = _permission_ids()
    wanted = _wanted(on=on, user_id=user_id, body_ids=None, perm_ids=perm_ids)
    return _apply(wanted=wanted, user_id=user_id, body_ids=None, perm_ids=perm_ids)


@transaction.atomic
def membership_permissions_sync(*, on: dt.date | None = None) -> tuple[int, int]:
    """Make every login's body permissions match the memberships active on ``on`` (today).

    Run daily (a membership that starts or ends on a later date changes nothing in the
    database on that day) and after a bulk import. A fixed number of queries (one more
    per 500 rows changed). Returns (granted, revoked).
    """
    on = on or timezone.localdate()
    transaction_lock(SYNC_LOCK)
    perm_ids = _permission_ids()
    wanted = _wanted(on=on, user_id=None, body_ids=None, perm_ids=perm_ids)
    return _apply(wanted=wanted, user_id=None, body_ids=None, perm_ids=perm_ids)
