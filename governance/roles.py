"""The roles of the portal as Django groups: the coordinator and the editor.

``ensure_role_groups`` creates the groups and *adds* the permissions each role needs.
It never removes a permission, so rights the coordinator has granted a group by hand
survive a second run, and other apps can add their own permissions to the same groups.
"""
from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from simple_history.models import HistoricalChanges

COORDINATOR_GROUP = "Samverkanskoordinator"
EDITOR_GROUP = "Redaktör"

# The apps whose models the roles work with.
ROLE_APPS: tuple[str, ...] = ("governance", "meetings", "documents")
# Permissions beyond add/change/view that make the role (``app_label.codename``).
# auth.view_user: the coordinator links a person to their login (the admin's login picker).
COORDINATOR_EXTRA = ("governance.coordinate", "auth.view_user")
EDITOR_EXTRA = ("documents.publish_document",)


def _named(names: tuple[str, ...]) -> list[Permission]:
    perms = []
    for name in names:
        app_label, codename = name.split(".")
        create_permissions(apps.get_app_config(app_label), verbosity=0)
        perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return perms


def _permissions(*, actions: tuple[str, ...], history: bool,
                 app_labels: tuple[str, ...] = ROLE_APPS) -> list[Permission]:
    """Permissions ``<action>_<model>`` on the models of ``app_labels``.

    ``history`` selects the historical models (simple-history) instead of the models.
    """
    codenames: list[tuple[str, str]] = []
    for label in app_labels:
        config = apps.get_app_config(label)
        create_permissions(config, verbosity=0)  # in case post_migrate has not run yet
        for model in config.get_models():
            if issubclass(model, HistoricalChanges) != history:
                continue
            codenames += [(label, f"{action}_{model._meta.model_name}") for action in actions]
    wanted = {f"{label}.{codename}" for label, codename in codenames}
    perms = Permission.objects.filter(
        content_type__app_label__in=ROLE_APPS, codename__in=[c for _label, c in codenames]
    ).select_related("content_type")
    return [p for p in perms if f"{p.content_type.app_label}.{p.codename}" in wanted]


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups with their permissions; safe to run any number of times."""
    coordinator, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    coordinator.permissions.add(
        *_permissions(actions=("add", "change", "view"), history=False,
                      app_labels=("governance", "meetings")),
        *_permissions(actions=("view",), history=False, app_labels=("documents",)),
        *_permissions(actions=("view",), history=True),
        *_named(COORDINATOR_EXTRA),
    )
    editor, _created = Group.objects.get_or_create(name=EDITOR_GROUP)
    # The editor's admin covers the documents app only (issue 12 §4): no view permission
    # on the governance or meetings models (migration meetings/0009 took back the ones
    # earlier versions gave).
    editor.permissions.add(
        *_permissions(actions=("add", "change", "view"), history=False,
                      app_labels=("documents",)),
        *_permissions(actions=("view",), history=True, app_labels=("documents",)),
        *_named(EDITOR_EXTRA),
    )
    return {COORDINATOR_GROUP: coordinator, EDITOR_GROUP: editor}
