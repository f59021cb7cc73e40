"""guardian's direct foreign-key object permissions on bodies.

A real foreign key to ``Body`` (instead of guardian's generic ``object_pk`` text column)
lets the database join and index the rows and cascade them when a body is deleted.
guardian finds these models by themselves: ``assign_perm``, ``remove_perm``,
``get_objects_for_user`` and ``user.has_perm(perm, body)`` use them for bodies.

The rows are written only by ``governance.permissions`` (called by the membership
services); see docs/roles.md.
"""
from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class BodyUserObjectPermission(UserObjectPermissionBase):
    """A user's permission on one body (``view_body`` for members, ``change_body`` for
    secretaries)."""

    content_object = models.ForeignKey("governance.Body", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class BodyGroupObjectPermission(GroupObjectPermissionBase):
    """A group's permission on one body (not used by the project today; guardian expects
    the pair so group checks on bodies do not fall back to the generic table)."""

    content_object = models.ForeignKey("governance.Body", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
