"""The project's own app configurations."""
from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class HalsamAdminConfig(AdminConfig):
    """Django's admin with the project's site (``halsam.admin_site.HalsamAdminSite``)."""

    default_site = "halsam.admin_site.HalsamAdminSite"

    def ready(self) -> None:
        super().ready()
        from . import lookups  # noqa: F401 - integer __in without out-of-range values
