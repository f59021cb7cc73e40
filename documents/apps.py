from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # Published minutes go to the register as "protokoll" (documents.minutes_register).
        from meetings.signals import minutes_published

        from .minutes_register import register_minutes

        minutes_published.connect(register_minutes, dispatch_uid="documents.register_minutes")

        # Register documents as agenda papers: meetings lists them without importing us
        # (meetings/papers.py, documents/agenda_papers.py).
        from meetings import papers

        from .agenda_papers import RegisterPapers
        from .uploads import inspect_upload

        papers.register(RegisterPapers())
        # Agenda papers are inspected like the register's uploads (issue 12 §3).
        papers.register_inspector(inspect_upload)
