"""Forms of the coordinator's admin.

Every change form carries a "reason for the change" that ends up in the history. The
membership and office term forms check the rules the database cannot hold through the
same functions the services use (``membership_validate``, ``office_term_validate``),
so the admin cannot seat more people than a seat has room for, nor record an office
holder who is not a member.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Membership, MembershipRole, OfficeTerm
from .services import (
    max_concurrent,
    membership_end_validate,
    membership_validate,
    office_term_validate,
)


class ReasonFormMixin(forms.Form):
    """Adds the "reason for the change" field; the admin stores it in the history."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=300,
        help_text=_("Saved in the history together with your name, e.g. "
                    "“new committee chair after the election”."),
        widget=forms.TextInput(attrs={"size": 60}),
    )


class ReasonModelForm(ReasonFormMixin, forms.ModelForm):
    pass


class PrettyJSONField(forms.JSONField):
    """A JSON field shown indented, checked to be of one JSON type (object or list)."""

    def __init__(self, *args, expect: type | None = None, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(
            attrs={"rows": 12, "cols": 80, "spellcheck": "false",
                   "class": "json-field"}))  # monospace: static/css/admin.css (CSP)
        super().__init__(*args, **kwargs)
        self.expect = expect

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)

    def clean(self, value):
        value = super().clean(value)
        if self.expect is dict and not isinstance(value, dict):
            raise ValidationError(_("Enter a JSON object ({…})."), code="json_object")
        if self.expect is list and not isinstance(value, list):
            raise ValidationError(_("Enter a JSON list ([…])."), code="json_list")
        return value


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the fields it names, where the form shows them.

    A field the form does not show (the parent's key in an inline) gets the message as a
    form-wide error instead, so it is never lost.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = form.fields.get(name)
        visible = field is not None and not isinstance(field, InlineForeignKeyField) \
            and not field.widget.is_hidden
        form.add_error(name if visible else None, errors)


class MembershipAdminForm(ReasonModelForm):
    # Set by ``MembershipInlineFormSet``: the formset checks the row against the other rows
    # of the same submit (an ending typed in the same form frees the place, issue 11).
    formset_checks = False

    class Meta:
        model = Membership
        fields = ["person", "seat", "role", "substitute_for", "start", "end"]

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        # An unchanged row of an inline is not re-checked: it is not being saved.
        if self.instance.pk and not self.has_changed():
            return cleaned
        person, seat = cleaned.get("person"), cleaned.get("seat")
        if person is None or seat is None or cleaned.get("start") is None:
            return cleaned
        if seat.pk is None:
            # A seat being created has no places taken yet; the formset checks the rows.
            return cleaned
        if self.formset_checks:
            self._check_office_still_covered(cleaned)
            return cleaned
        try:
            membership_validate(
                person=person, seat=seat, role=cleaned.get("role") or MembershipRole.MEMBER,
                start=cleaned["start"], end=cleaned.get("end"),
                substitute_for=cleaned.get("substitute_for"), exclude_pk=self.instance.pk,
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
            return cleaned
        self._check_office_still_covered(cleaned)
        return cleaned

    def _check_office_still_covered(self, cleaned) -> None:
        """Ending an office holder's membership early is refused, as ``membership_end`` does."""
        end = cleaned.get("end")
        if self.instance.pk is None or end is None or "end" not in self.changed_data:
            return
        old = Membership.objects.select_related("seat", "person").get(pk=self.instance.pk)
        try:
            membership_end_validate(membership=old, end=end, check_already_ended=False)
        except ValidationError as exc:
            add_service_errors(self, exc)


class MembershipInlineFormSet(BaseInlineFormSet):
    """Checks what single rows cannot see: several new rows together filling a seat, and a
    new row taking the place an ending in the same submit frees."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.formset_checks = True
        return form

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        self._check_rows()
        if any(self.errors):
            return
        rows: dict[int, list[tuple[int | None, str, dt.date, dt.date | None, object]]] = \
            defaultdict(list)
        seats = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("seat") is None \
                    or data.get("start") is None:
                continue
            seat = data["seat"]
            key = seat.pk or 0
            seats[key] = seat
            rows[key].append((form.instance.pk, data.get("role"), data["start"],
                              data.get("end"), data.get("person")))
        for key, seat_rows in rows.items():
            seat = seats[key]
            if len(seat_rows) < 2 and seat.pk is not None:
                continue  # a single row was checked against the database already
            in_form = {pk for pk, *_rest in seat_rows if pk}
            stored = []
            if seat.pk is not None:
                stored = [(r.role, r.start, r.end, r.person_id)
                          for r in seat.memberships.exclude(pk__in=in_form)]
            periods = stored + [(role, start, end, getattr(person, "pk", None))
                                for _pk, role, start, end, person in seat_rows]
            since = min(start for _pk, _role, start, _end, _person in seat_rows)
            self._check_seat(seat, periods, since)

    def _check_rows(self) -> None:
        """Each new or changed row against the stored rows and the other rows of this
        submit as they will be saved (``membership_validate`` with ``pending``)."""
        live = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("seat") is None or data.get("start") is None \
                    or data.get("person") is None:
                continue
            live.append((form, data))
        in_form = {form.instance.pk for form, _data in live if form.instance.pk}
        in_form |= {form.instance.pk for form in self.deleted_forms if form.instance.pk}
        for form, data in live:
            if data.get("DELETE") or data["seat"].pk is None:
                continue
            if form.instance.pk and not form.has_changed():
                continue
            others = [(d["person"].pk, d.get("role") or MembershipRole.MEMBER, d["start"],
                       d.get("end"))
                      for f, d in live if f is not form and not d.get("DELETE")
                      and d["seat"].pk == data["seat"].pk]
            try:
                membership_validate(
                    person=data["person"], seat=data["seat"],
                    role=data.get("role") or MembershipRole.MEMBER, start=data["start"],
                    end=data.get("end"), substitute_for=data.get("substitute_for"),
                    exclude_pk=form.instance.pk, exclude_pks=in_form, pending=others)
            except ValidationError as exc:
                add_service_errors(form, exc)

    def _check_seat(self, seat, periods, since: dt.date) -> None:
        by_person = defaultdict(list)
        for _role, start, end, person_id in periods:
            by_person[person_id].append((start, end))
        if any(pid is not None and max_concurrent(spans, since, None) > 1
               for pid, spans in by_person.items()):
            raise ValidationError(
                _("The same person has two places in the seat “%(seat)s” at the same time.")
                % {"seat": seat.title}, code="seat_twice")
        for role, capacity in ((MembershipRole.MEMBER, seat.member_count),
                               (MembershipRole.SUBSTITUTE, seat.substitute_count)):
            same = [(s, e) for r, s, e, _p in periods if r == role]
            if same and max_concurrent(same, since, None) > capacity:
                if role == MembershipRole.MEMBER:
                    text = ngettext(
                        "The seat “%(seat)s” has room for %(count)d member; these rows "
                        "together give it more at the same time.",
                        "The seat “%(seat)s” has room for %(count)d members; these rows "
                        "together give it more at the same time.", capacity)
                else:
                    text = ngettext(
                        "The seat “%(seat)s” has room for %(count)d substitute; these rows "
                        "together give it more at the same time.",
                        "The seat “%(seat)s” has room for %(count)d substitutes; these rows "
                        "together give it more at the same time.", capacity)
                raise ValidationError(
                    text % {"seat": seat.title, "count": capacity},
                    code="seat_full",
                )


class OfficeTermAdminForm(ReasonModelForm):
    class Meta:
        model = OfficeTerm
        fields = ["body", "office", "area", "person", "start", "end", "note"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        body, person = cleaned.get("body"), cleaned.get("person")
        office, start = cleaned.get("office"), cleaned.get("start")
        if body is None or person is None or not office or start is None:
            return cleaned
        try:
            office_term_validate(
                body=body, office=office, person=person, start=start, end=cleaned.get("end"),
                area=cleaned.get("area"), exclude_pk=self.instance.pk,
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
            return cleaned
        self._check_rotation(cleaned)
        return cleaned

    # The recommendations the saved term goes against (the admin shows them as a warning).
    rotation_warnings: list = []

    def _check_rotation(self, cleaned) -> None:
        """The body's rotation rule, as the coordinator's page checks it (issue 11): a
        break refuses with the rule named; a recommendation is saved with a warning and
        noted in the history's reason."""
        from .replacement import ERROR, confirmation_text, office_concerns, refusal_text

        if self.instance.pk and not set(self.changed_data) - {"change_reason", "note"}:
            return  # an unchanged term is not being recorded again
        concerns = office_concerns(
            body=cleaned["body"], office=cleaned["office"], person=cleaned["person"],
            start=cleaned["start"], end=cleaned.get("end"), area=cleaned.get("area"),
            exclude_pk=self.instance.pk)
        errors = [c for c in concerns if c.severity == ERROR]
        if errors:
            self.add_error("person", [refusal_text(c) for c in errors])
            return
        self.rotation_warnings = [c for c in concerns if c.severity != ERROR]
        if self.rotation_warnings:
            cleaned["change_reason"] = " ".join(
                p for p in (cleaned.get("change_reason", ""),
                            confirmation_text(self.rotation_warnings)) if p)


class BodyAdminForm(ReasonModelForm):
    """The body's form; its rotation rule is a form of its own (``rotation_form``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("rotation")
        if field is not None and hasattr(field, "set_original"):
            field.set_original(self.instance.rotation if self.instance.pk else {})
