"""The portal's tests use the governance personas and presets."""
from tests.governance.conftest import (  # noqa: F401 - fixtures
    _fast_password_hashing,
    coordinator,
    coordinator_client,
    editor,
    halsam,
    role_groups,
)
