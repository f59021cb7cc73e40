from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Management commands for operations (backup, restore, backup_manifest); no models."""

    name = "halsam.ops"
    label = "ops"
    verbose_name = _("Operations")
