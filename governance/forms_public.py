"""Forms of the public and coordinator pages (the admin's forms live in forms.py)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BodyKind, Structure


class DashboardFilterForm(forms.Form):
    structure = forms.ModelChoiceField(
        label=_("Structure"), queryset=Structure.objects.filter(bodies__isnull=False).distinct(),
        required=False, empty_label=_("All structures"), to_field_name="slug",
    )
    kind = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All levels")), *BodyKind.choices], required=False,
    )
