"""The admin site: Django's, with autocomplete labels that tell identical titles apart.

A ``ModelAdmin`` may define ``autocomplete_label(obj) -> str``; the autocomplete view
(select2's search) then answers with that text instead of ``str(obj)``, e.g. a seat as
"Timrå kommun – Förvaltningschef för socialförvaltning/motsvarande (Länsledning för
HälSam)". The rows come from the ``ModelAdmin``'s ``get_queryset``, which selects the
related rows the label needs, so the number of queries does not grow with the results.
"""
from __future__ import annotations

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from .admin_input import guarded
from .login_forms import AdminLoginForm


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class HalsamAdminSite(AdminSite):
    # A user name longer than any can be is a form error, not a 500 (halsam/accounts.py).
    login_form = AdminLoginForm

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every ``ModelAdmin`` gets ``InputGuardAdmin`` (halsam/admin_input.py, issue 12
        §6): absurd filters and ids are a message, never a server error."""
        super().register(model_or_iterable, guarded(admin_class or ModelAdmin), **options)

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)
