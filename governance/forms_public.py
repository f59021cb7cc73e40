"""Forms of the public and coordinator pages (the admin's forms live in forms.py)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BodyKind, Structure


class DashboardFilterForm(forms.Form):
    """The filter of the coordinator's week and offices pages (``/samordning/`` …).

    Unknown values (an old bookmark, a structure since removed) make the form invalid
    and the page shows everything, with the field's message."""

    structure = forms.ModelChoiceField(
        label=_("Structure"), queryset=Structure.objects.filter(bodies__isnull=False).distinct(),
        required=False, empty_label=_("All structures"), to_field_name="slug",
        error_messages={"invalid_choice": _("There is no such structure; everything is shown.")},
    )
    kind = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All levels")), *BodyKind.choices], required=False,
        error_messages={"invalid_choice": _("There is no such level; everything is shown.")},
    )
    action = forms.BooleanField(
        label=_("Only what needs action"), required=False,
        help_text=_("Hides what is in order, such as notices already sent."),
    )

    def filters(self) -> tuple[str | None, str | None, bool]:
        """(structure slug, body kind, only what needs action), or no filter at all when
        the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return None, None, False
        data = self.cleaned_data
        return (data["structure"].slug if data["structure"] else None,
                data["kind"] or None, bool(data["action"]))
