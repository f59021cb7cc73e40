from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_groups(sender, using="default", **kwargs) -> None:
    """After every ``migrate``: the role groups exist and hold (at least) the permissions
    the roles need, so a new installation has them and an upgrade adds new ones.
    ``ensure_role_groups`` only ever adds, so rights granted by hand survive."""
    if using != "default":
        return
    from .roles import ensure_role_groups

    ensure_role_groups()


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Structures and bodies")

    def ready(self) -> None:
        from . import search

        search.register()  # the "unaccent" lookup and its SQLite function
        post_migrate.connect(_ensure_role_groups, sender=self,
                             dispatch_uid="governance.ensure_role_groups")
