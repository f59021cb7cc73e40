"""How the admin's history pages show a change's reason.

Services record their reasons with ``gettext`` in the language active at the time, so a
change made from a command, a task or a test run in English is stored with the English
msgid ("Membership started"). Shown through the catalogue again, it reads in the
reader's language; a reason a person typed is not in the catalogue and shows as typed.
"""
from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def change_reason(value: object) -> str:
    """The recorded reason in the active language, or a dash when there is none."""
    text = str(value or "").strip()
    return gettext(text) if text else "–"
