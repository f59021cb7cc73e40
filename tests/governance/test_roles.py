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


@pytest.mark.django_db
def test_migrate_creates_the_role_groups_with_their_permissions():
    """A new installation needs no demo: ``migrate`` (its post_migrate signal) creates the
    coordinator and editor groups, and running it again keeps a right granted by hand."""
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP

    Group.objects.filter(name__in=[COORDINATOR_GROUP, EDITOR_GROUP]).delete()
    call_command("migrate", verbosity=0)
    coordinator = Group.objects.get(name=COORDINATOR_GROUP)
    editor = Group.objects.get(name=EDITOR_GROUP)
    assert coordinator.permissions.filter(codename="coordinate").exists()
    assert coordinator.permissions.filter(codename="view_user",
                                          content_type__app_label="auth").exists()
    assert editor.permissions.filter(codename="publish_document").exists()
    extra = Permission.objects.get(codename="delete_meeting")
    coordinator.permissions.add(extra)
    call_command("migrate", verbosity=0)
    assert coordinator.permissions.filter(pk=extra.pk).exists()
