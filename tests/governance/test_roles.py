"""The role groups give each role what its pages need."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups

pytestmark = pytest.mark.django_db


def test_coordinator_group_can_coordinate_and_editor_group_can_publish(client):
    groups = ensure_role_groups()
    coordinator = User.objects.create_user("c", password="x-secret-1", is_staff=True)
    coordinator.groups.add(groups[COORDINATOR_GROUP])
    editor = User.objects.create_user("e", password="x-secret-1", is_staff=True)
    editor.groups.add(groups[EDITOR_GROUP])
    assert coordinator.has_perm("governance.coordinate")
    assert coordinator.has_perm("meetings.change_meeting")
    assert not coordinator.has_perm("documents.publish_document")
    assert editor.has_perm("documents.publish_document")
    assert editor.has_perm("documents.change_document")
    assert not editor.has_perm("governance.coordinate")
    assert not editor.has_perm("governance.change_membership")
    client.force_login(coordinator)
    assert client.get("/samordning/").status_code == 200
    client.force_login(editor)
    assert client.get("/samordning/").status_code == 403
    # A second run changes nothing and keeps what was granted.
    before = set(groups[COORDINATOR_GROUP].permissions.values_list("pk", flat=True))
    ensure_role_groups()
    assert set(groups[COORDINATOR_GROUP].permissions.values_list("pk", flat=True)) == before
