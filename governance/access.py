"""The one gateway for governance questions about a user: which bodies are theirs and
in which role, whether they coordinate.

Built on django-guardian's object permissions on ``Body`` (``governance.permissions``
keeps them in step with the memberships): ``view_body`` for every active membership,
``change_body`` in addition for secretaries. List code passes
``accept_global_perms=False``: the coordinator group holds the *model-wide*
``view_body``/``change_body`` (for the admin), and with guardian's default that global
permission would make every body "theirs".
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import Body, Person
from .permissions import MEMBER_PERM, SECRETARY_PERM

User = AbstractBaseUser | AnonymousUser

COORDINATE_PERM = "governance.coordinate"


def can_coordinate(user: User | None) -> bool:
    """The coordinator's pages (/samordning/ …): users with ``governance.coordinate``."""
    return bool(user is not None and user.is_authenticated and user.has_perm(COORDINATE_PERM))


def person_for_user(user: User | None) -> Person | None:
    """The person a login belongs to, or None (anonymous, or a login without a person)."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.select_related("principal").filter(user=user).first()


def bodies_for_user(user: User | None, *, secretary: bool = False) -> QuerySet[Body]:
    """The bodies where ``user`` holds an active membership (as secretary when asked),
    by object permission only: model-wide permissions and superuser status do not count."""
    if user is None or not user.is_authenticated:
        return Body.objects.none()
    perm = SECRETARY_PERM if secretary else MEMBER_PERM
    return get_objects_for_user(user, f"governance.{perm}", klass=Body, use_groups=False,
                                with_superuser=False, accept_global_perms=False)


def is_member_of(user: User | None, body: Body) -> bool:
    """Whether ``user`` holds an active membership (any role) in ``body``."""
    return bool(user is not None and user.is_authenticated
                and user.has_perm(f"governance.{MEMBER_PERM}", body))


def is_secretary_of(user: User | None, body: Body) -> bool:
    """Whether ``user`` is an active secretary of ``body``."""
    return bool(user is not None and user.is_authenticated
                and user.has_perm(f"governance.{SECRETARY_PERM}", body))
