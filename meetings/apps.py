from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from governance import page_sections

        from . import rotation_extensions

        # The body page's sections that need meetings (V3/V8 extensions, H8/H18).
        page_sections.register_body_section(rotation_extensions.extensions_section)
        page_sections.register_body_section(rotation_extensions.area_chairs_section)

        # Where elections are due and who was elected where (H13), for governance's checks
        # and pages (governance/election_source.py).
        from . import elections

        elections.register()
