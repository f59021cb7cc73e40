"""The admin answers absurd input with a message, never a server error (issue 12 §6).

``HalsamAdminSite.register`` (halsam/admin_site.py) mixes ``InputGuardAdmin`` into every
``ModelAdmin`` registered on the site, so each app's ``admin.py`` needs nothing:

- a changelist whose filters cannot be applied (``?start__year=99999``, a date hierarchy
  past year 9999, a date filter before 1900 or after 2199, ``?id__in=`` with thousands of
  ids, a page number beyond any integer)
  is shown as Django shows any unusable filter: redirected with ``?e=1`` ("Felaktiga
  sökparametrar");
- an object id that is not an id (``/admin/…/åäö/history/``) is "not found", like the
  change page answers it;
- a related object's id that is not an id or is beyond any integer (``1e5``,
  ``18446744073709551616``) is left out when the autocomplete widget shows the form
  again with its error (it would otherwise put it into an ``IN (…)`` query);
- an action on selected rows whose ids are not ids does nothing, with a message;
- an empty ``?_to_field=`` on a change or delete page means the primary key.

Inlines get the same related-field guard (``get_inline_instances``).
"""
from __future__ import annotations

import functools
import re

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .validators import FIRST_DATE_YEAR, LAST_DATE_YEAR, MAX_IDS, MAX_PAGE

# The lookups of a date filter whose value is a date (``start__gte=2026-01-01``).
DATE_LOOKUPS = {"exact", "gt", "gte", "lt", "lte", "date", "range", "in"}
# A lookup value longer than this is refused before it reaches the database.
MAX_VALUE_LENGTH = 2000


def lookup_problem(params) -> str | None:
    """Why the changelist's GET parameters cannot be used, or None."""
    for key, values in params.lists():
        for value in values:
            if len(value) > MAX_VALUE_LENGTH or value.count(",") >= MAX_IDS:
                return f"{key}: too long"
            if key == "p" and (not value.isdigit() or int(value) > MAX_PAGE):
                return "p: not a page"
    return None


MAX_INTEGER = 2**63 - 1


def valid_key(model_field: models.Field, value) -> bool:
    """True when ``value`` can be a value of ``model_field`` (an id in range)."""
    try:
        python = model_field.to_python(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return not isinstance(python, int) or -MAX_INTEGER - 1 <= python <= MAX_INTEGER


def _target_field(db_field: models.Field) -> models.Field:
    remote = db_field.remote_field
    opts = remote.model._meta
    return opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)


class _KeysInRange:
    def optgroups(self, name, value, attr=None):
        target = _target_field(self.field)
        return super().optgroups(name, [v for v in value if valid_key(target, v)], attr)


class SafeAutocompleteSelect(_KeysInRange, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KeysInRange, AutocompleteSelectMultiple):
    pass


class RelatedKeysGuard:
    """Related fields whose ids are checked before they reach a query (module docstring);
    for a ``ModelAdmin`` and its inlines."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site,
                                                      using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site,
                                                              using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@functools.cache
def guarded(cls: type) -> type:
    """``cls`` (a ``ModelAdmin`` or an inline class) with the guards mixed in (one class
    per ``cls``: inlines are guarded on every request)."""
    mixin = InputGuardAdmin if hasattr(cls, "changelist_view") else RelatedKeysGuard
    if issubclass(cls, mixin):
        return cls
    return type(cls.__name__, (mixin, cls), {"__module__": cls.__module__,
                                             "__doc__": cls.__doc__,
                                             "__qualname__": cls.__qualname__})


class InputGuardAdmin(RelatedKeysGuard):
    """Mixed into every ``ModelAdmin`` of the site (see the module docstring)."""

    def _date_problem(self, params) -> str | None:
        """A date filter (``?attempt_time__gte=0001-01-01``) outside 1900–2199: turned
        into an aware time or shifted to UTC it would leave the calendar."""
        for key, value in params.items():
            path = key.split("__")
            while path and path[-1] in DATE_LOOKUPS:
                path.pop()
            try:
                field = get_fields_from_path(self.model, "__".join(path))[-1]
            except (FieldDoesNotExist, NotRelationField, IndexError):
                continue
            year = re.match(r"\s*(-?\d+)", value)
            if isinstance(field, models.DateField) and year and not (
                    FIRST_DATE_YEAR <= int(year.group(1)[:6]) <= LAST_DATE_YEAR):
                return f"{key}: out of range"
        return None

    def get_changelist_instance(self, request):
        problem = lookup_problem(request.GET) or self._date_problem(request.GET)
        if problem:
            raise IncorrectLookupParameters(problem)
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as exc:
            # Year lookups and the date hierarchy build dates from the filter values.
            raise IncorrectLookupParameters(str(exc)) from exc

    def _valid_object_id(self, object_id: str) -> bool:
        return valid_key(self.model._meta.pk, unquote(object_id))

    def _not_found(self, request, object_id: str):
        # Django's own answer to an unknown id: a message and the admin index.
        return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)

    @staticmethod
    def _drop_empty_to_field(request) -> None:
        # ``?_to_field=`` (empty) reaches ``get_field("")`` in Django's change and delete
        # views; without a value it means the primary key, as if it were not given.
        from django.contrib.admin.options import TO_FIELD_VAR

        for name in ("GET", "POST"):
            params = getattr(request, name)
            if TO_FIELD_VAR in params and not params.get(TO_FIELD_VAR):
                params = params.copy()
                del params[TO_FIELD_VAR]
                setattr(request, name, params)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._drop_empty_to_field(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._drop_empty_to_field(request)
        return super().delete_view(request, object_id, extra_context)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if not isinstance(inline, RelatedKeysGuard):
                inline.__class__ = guarded(type(inline))
        return inlines

    def response_action(self, request, queryset):
        from django.contrib.admin import helpers

        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(valid_key(self.model._meta.pk, pk) for pk in selected):
            messages.warning(request, _("No action was taken: the selection is not valid."))
            return None
        return super().response_action(request, queryset)

    def history_view(self, request, object_id, extra_context=None):
        if not self._valid_object_id(object_id):
            return self._not_found(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._valid_object_id(object_id) or not str(version_id).isdigit():
            return self._not_found(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
