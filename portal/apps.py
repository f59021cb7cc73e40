from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Pages that gather from every app: the home page, search, the start page of each
    role and Mina sidor. It sits above governance, meetings and documents and imports
    from them; none of them imports from it."""

    name = "portal"
    verbose_name = _("Portal")
