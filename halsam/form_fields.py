"""Form fields with bounds whose errors name the field (issue 12 §6).

``DateField`` of this module takes dates from 1900 to 2199 (halsam/validators.py), so a
service never adds months or days to 9999-12-31; ``LineField`` is one line of text. The
messages are in Swedish through the catalogue and say which field is wrong, e.g.
"Uppsägningen hanterad den: ange ett datum mellan år 1900 och 2199."
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from .validators import CONTROL, FIRST_DATE_YEAR, LAST_DATE_YEAR


def _label(field: forms.Field) -> str:
    return str(field.label or _("The field"))


class DateField(forms.DateField):
    """A date from FIRST_DATE_YEAR to LAST_DATE_YEAR."""

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and not FIRST_DATE_YEAR <= value.year <= LAST_DATE_YEAR:
            raise ValidationError(
                _("%(field)s: give a date between %(first)d and %(last)d."),
                code="date_range", params={"field": _label(self), "first": FIRST_DATE_YEAR,
                                           "last": LAST_DATE_YEAR})


def apply_model_validators(form: forms.BaseForm) -> None:
    """Run the bounds of halsam/validators.py that the model fields carry on the form's
    fields too: a ``ModelForm`` that skips the model's own validation (``_post_clean``)
    still refuses 9999-12-31 or 10**30 months on the field, before a service computes
    with them."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return
    for name, field in form.fields.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form field of its own
            continue
        for validator in getattr(model_field, "validators", []):
            if getattr(validator, "__module__", "") == "halsam.validators" \
                    and validator not in field.validators:
                field.validators.append(validator)


class LineField(forms.CharField):
    """One line of text (a name, a title, a place): no line breaks or other control
    characters (``halsam.validators.no_control_characters``), the field named."""

    def validate(self, value) -> None:
        super().validate(value)
        if value and CONTROL.search(value):
            raise ValidationError(
                _("%(field)s: no line breaks, tabs or other control characters."),
                code="control_characters", params={"field": _label(self)})
