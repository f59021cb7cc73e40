"""Shared fixtures of the governance tests: the HälSam preset and the personas."""
from __future__ import annotations

import pytest

from governance.presets import load_structure
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Password hashing is slow by design; the tests log in with force_login anyway.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def halsam(db):
    """The HälSam preset, loaded (structure ``halsam-vasternorrland``)."""
    load_structure("halsam-vasternorrland")


@pytest.fixture
def role_groups(db):
    return ensure_role_groups()


@pytest.fixture
def coordinator(role_groups):
    """The samverkanskoordinator: staff, in the coordinator group, not a superuser."""
    user = UserFactory(username="koordinator", is_staff=True)
    user.groups.add(role_groups[COORDINATOR_GROUP])
    return user


@pytest.fixture
def editor(role_groups):
    user = UserFactory(username="redaktor-test", is_staff=True)
    user.groups.add(role_groups[EDITOR_GROUP])
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client
