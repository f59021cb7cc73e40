"""Django's own strings whose Swedish the project writes itself.

Django's Swedish catalogue quotes with English quotation marks (“…”, '…'); Swedish uses
”…” (Språkrådet). The project's catalogue takes precedence over Django's, so these
msgids are translated again in ``locale/sv``; listing them here with ``gettext_noop``
keeps them in the source, so ``makemessages`` keeps their entries (docs/language.md).
Only strings that can show on the portal's pages are listed (form validation, the CSRF
failure page); the admin's own are in ``ADMIN_STRINGS``.
"""
from __future__ import annotations

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    # forms.ModelMultipleChoiceField (e.g. the minutes' checkers)
    gettext_noop("“%(pk)s” is not a valid value."),
    # validators.FileExtensionValidator
    gettext_noop("File extension “%(extension)s” is not allowed. Allowed extensions are: "
                 "%(allowed_extensions)s."),
    # views.csrf: the page shown when a form's CSRF check fails
    gettext_noop("You are seeing this message because this HTTPS site requires a “Referer "
                 "header” to be sent by your web browser, but none was sent. This header is "
                 "required for security reasons, to ensure that your browser is not being "
                 "hijacked by third parties."),
    gettext_noop("If you have configured your browser to disable “Referer” headers, please "
                 "re-enable them, at least for this site, or for HTTPS connections, or for "
                 "“same-origin” requests."),
    gettext_noop("If you have configured your browser to disable cookies, please re-enable "
                 "them, at least for this site, or for “same-origin” requests."),
)

# The admin's own strings (django.contrib.admin, simple-history) that its pages show:
# translated again in Swedish, with Swedish quotation marks (docs/admin.md).
ADMIN_STRINGS = (
    gettext_noop('Deleted %(type_name)s'),
    gettext_noop('Object'),
    gettext_noop('None'),
    gettext_noop('Revert'),
    gettext_noop('Change History'),
    gettext_noop('Close'),
    gettext_noop('Created'),
    gettext_noop('Changed'),
    gettext_noop('Deleted'),
    gettext_noop('View history: %s'),
    gettext_noop('Change history: %s'),
    gettext_noop('View %s'),
    gettext_noop('Revert %s'),
    gettext_noop('View %(verbose_name)s'),
    gettext_noop('Revert %(verbose_name)s'),
    gettext_noop('You may edit it again below'),
    gettext_noop('Choose a date from the list below to revert to a previous version of this '
                 'object.'),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop('Recent actions'),
    gettext_noop('Changed “%(object)s” — %(changes)s'),
    gettext_noop('Deleted “%(object)s.”'),
    gettext_noop('Added “%(object)s”.'),
    gettext_noop('Added {name} “{object}”.'),
    gettext_noop('Changed {fields} for {name} “{object}”.'),
    gettext_noop('Deleted {name} “{object}”.'),
    gettext_noop('The {name} “{obj}” was added successfully.'),
    gettext_noop('The {name} “{obj}” was added successfully. You may add another {name} below.'),
    gettext_noop('The {name} “{obj}” was added successfully. You may edit it again below.'),
    gettext_noop('The {name} “{obj}” was changed successfully. You may edit it again below.'),
    gettext_noop('The {name} “{obj}” was changed successfully. You may add another {name} below.'),
    gettext_noop('The {name} “{obj}” was changed successfully.'),
    gettext_noop('The %(name)s “%(obj)s” was deleted successfully.'),
    gettext_noop('%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?'),
    gettext_noop('Skip to main content'),
    gettext_noop('Toggle navigation'),
    gettext_noop('Toggle theme (current theme: auto)'),
    gettext_noop('Toggle theme (current theme: light)'),
    gettext_noop('Toggle theme (current theme: dark)'),
    gettext_noop('Start typing to filter…'),
    gettext_noop('Filter navigation items'),
)
