"""Optimistic concurrency for edit forms (issue 12 §1): nothing is overwritten silently.

Two people may open the same minutes, agenda item, meeting, document or membership. Each
edit form carries an *edit token* in a hidden field: the row's ``version`` when the form
was made and the values of the fields the form edits as they were then ("what you saw").
The service that saves locks the row (``select_for_update`` inside its
``transaction.atomic``) and calls ``resolve``:

- the version is unchanged: the save goes ahead;
- it changed, but none of the fields this form writes was changed by the other save (a
  notice sent, items renumbered, another field of the minutes): the save goes ahead;
- otherwise ``StaleEdit`` is raised (a ``ValidationError``, code ``stale``): "Ändrat av X
  kl. HH:MM medan du redigerade", carrying the other change (the current values of the
  fields in conflict) and a fresh token, so the form can be shown again with the user's
  input, the other change beside it, and a second save made on purpose.

With ``partial=True`` (the minutes form) only the fields the user changed are written,
so two people changing different fields both keep their changes; a field both changed
is refused.

``VersionedModel`` gives a model the ``version`` counter, raised by every ``save()``
(history keeps it, so the history row says which version a change made). Rows must be
saved by code that locked them, as the services do; ``QuerySet.update()`` does not raise
it. ``VersionedAdminMixin`` does the same for the Django admin's change forms.
"""
from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EDIT_FIELD = "edit_token"
_SALT = "halsam.concurrency.edit-token"


def _counter_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        gettext_lazy("version"), default=0, editable=False,
        help_text=gettext_lazy("Raised on every save; edit forms check it so that nobody "
                               "overwrites another person's change."))


class _SaveCounter(models.Model):
    """Raises the counter field named ``VERSION_FIELD`` on every save."""

    VERSION_FIELD = "version"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            if not update_fields:  # Django saves nothing: nothing to count
                super().save(*args, **kwargs)
                return
            kwargs["update_fields"] = {*update_fields, self.VERSION_FIELD}
        setattr(self, self.VERSION_FIELD, (getattr(self, self.VERSION_FIELD) or 0) + 1)
        super().save(*args, **kwargs)


class VersionedModel(_SaveCounter):
    """A row whose every save raises ``version`` (the edit forms' optimistic lock)."""

    version = _counter_field()

    class Meta:
        abstract = True


class EditVersionedModel(_SaveCounter):
    """The same, with the counter named ``edit_version``: for a model that has a field
    of its own named ``version`` (``AccessibilityCheck``'s link to its document version)."""

    VERSION_FIELD = "edit_version"
    edit_version = _counter_field()

    class Meta:
        abstract = True


def _version_of(instance: models.Model) -> int:
    return getattr(instance, getattr(instance, "VERSION_FIELD", "version"))


# --- values as the token keeps them -------------------------------------------------------

def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def _normal(field: models.Field, value: Any) -> Any:
    """A value of ``field`` as JSON can hold it and ``==`` can compare it."""
    if field.many_to_many:
        return sorted(v.pk if isinstance(v, models.Model) else int(v) for v in value or ())
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) \
            else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str):
        # Browsers send textarea line breaks as CRLF.
        return value.replace("\r\n", "\n")
    return value


def _current(instance: models.Model, name: str) -> Any:
    field = _field(type(instance), name)
    if field.many_to_many:
        if instance.pk is None:
            return []
        return sorted(getattr(instance, name).values_list("pk", flat=True))
    return _normal(field, getattr(instance, field.attname))


def snapshot(instance: models.Model, fields: Iterable[str],
             known: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values of ``fields`` of ``instance``; ``known`` gives values already loaded
    (a form's initial many-to-many lists) so that no query is made for them."""
    out = {}
    for name in fields:
        field = _field(type(instance), name)
        if known is not None and name in known and field.many_to_many:
            out[name] = _normal(field, known[name])
        else:
            out[name] = _current(instance, name)
    return out


# --- the token ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    """What the form was made from: the row's version and the values of its fields."""

    version: int
    values: dict[str, Any]


def edit_token(instance: models.Model, fields: Iterable[str],
               known: Mapping[str, Any] | None = None) -> str:
    """The hidden field's value for a form that edits ``fields`` of ``instance``."""
    return signing.dumps({"m": instance._meta.label_lower, "pk": instance.pk,
                          "v": _version_of(instance), "s": snapshot(instance, fields, known)},
                         salt=_SALT, compress=True)


def read_token(token: str | None, instance: models.Model) -> Seen | None:
    """The ``Seen`` of a submitted token; an altered or foreign token is a
    ``ValidationError`` (the form is shown again with a fresh one). No token at all (a
    client that does not use the form, such as a script) is ``None``: no check, as for
    the services' other callers."""
    if not token:
        return None
    try:
        data = signing.loads(token or "", salt=_SALT)
        if data["m"] != instance._meta.label_lower or data["pk"] != instance.pk:
            raise ValueError("token of another row")
        return Seen(version=int(data["v"]), values=dict(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            _("The form is too old or incomplete to be saved safely. Open the page again "
              "and make your change there."), code="bad_token") from exc


# --- the check ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    """One field the other person changed: its label and the value saved now."""

    label: str
    value: str


def _display(instance: models.Model, name: str) -> str:
    field = _field(type(instance), name)
    if field.many_to_many:
        value = ", ".join(str(o) for o in getattr(instance, name).all())
    elif field.choices:
        value = str(getattr(instance, f"get_{name}_display")())
    else:
        raw = getattr(instance, name)
        if isinstance(raw, bool):
            value = _("yes") if raw else _("no")
        elif isinstance(raw, dt.datetime):
            from halsam.formats.dates import short_date_time

            value = short_date_time(raw)
        elif isinstance(raw, dt.date):
            from halsam.formats.dates import plain_date

            value = plain_date(raw)
        else:
            value = "" if raw is None else str(raw)
    return value if value.strip() else _("(empty)")


def _who_and_when(instance: models.Model) -> tuple[str, str]:
    """Who saved ``instance`` last and when (HH:MM, with the date if not today), from its
    history."""
    history = getattr(instance, "history", None)
    record = (history.select_related("history_user").order_by("-history_date", "-history_id")
              .first() if history is not None else None)
    if record is None:
        return _("another user"), ""
    from governance.admin import history_user_label

    who = history_user_label(record)
    when = timezone.localtime(record.history_date)
    from halsam.formats.dates import time_of_day

    time = time_of_day(when)
    if when.date() != timezone.localdate():
        from halsam.formats.dates import plain_date

        time = _("%(time)s on %(date)s") % {"time": time, "date": plain_date(when.date())}
    return who, time


class StaleEdit(ValidationError):
    """Someone else saved the row after the form was made, in a field this save writes.

    ``who``/``when`` name the latest save, ``changes`` the other change (the current
    values of the fields in conflict), ``token`` an edit token of the row as it is now."""

    def __init__(self, instance: models.Model, conflicts: Iterable[str], *,
                 fields: Iterable[str], label_prefix: str = "") -> None:
        self.who, self.when = _who_and_when(instance)
        super().__init__(
            _("Changed by %(who)s at %(time)s while you were editing") % {
                "who": self.who, "time": self.when},
            code="stale")
        self.instance = instance
        self.changes = [
            Difference(label=f"{label_prefix}{capfirst(_field(type(instance), n).verbose_name)}",
                       value=_display(instance, n))
            for n in conflicts]
        self.token = edit_token(instance, fields)


def resolve(instance: models.Model, *, seen: Seen | None, changes: Mapping[str, Any],
            partial: bool = False, strict: bool = False,
            label_prefix: str = "") -> dict[str, Any]:
    """The changes to write to ``instance`` (locked by the caller), or ``StaleEdit``.

    ``seen`` is the submitted token (``None``: no form, no check). Without ``partial`` the
    form writes every field in ``changes``: the save is refused when another save since
    ``seen`` changed one of them to something else. With ``partial`` only the fields the
    user changed (from ``seen``) are returned, and refused only where the other save
    changed the same field. With ``strict`` any change since ``seen`` to a field the token
    holds refuses (a membership that is ended and given to someone else)."""
    if seen is None:
        return dict(changes)
    model = type(instance)
    mine = {name: value for name, value in changes.items()
            if not partial or name not in seen.values
            or _normal(_field(model, name), value) != seen.values[name]}
    if _version_of(instance) == seen.version:
        return mine
    conflicts = []
    if strict:
        conflicts = [name for name, then in seen.values.items()
                     if _current(instance, name) != then]
    for name, value in mine.items():
        if name not in seen.values or name in conflicts:
            continue
        now = _current(instance, name)
        if now != seen.values[name] and now != _normal(_field(model, name), value):
            conflicts.append(name)
    if conflicts:
        raise StaleEdit(instance, conflicts, fields=seen.values.keys(), label_prefix=label_prefix)
    return mine


# --- forms -----------------------------------------------------------------------------------

class TokenField(forms.CharField):
    """The hidden edit token; never counts as a change of the form."""

    def __init__(self, **kwargs) -> None:
        super().__init__(widget=forms.HiddenInput, required=False, **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


def token_field() -> forms.CharField:
    return TokenField()


def show_stale(form: forms.BaseForm, exc: StaleEdit, *, field: str = EDIT_FIELD) -> None:
    """Show a refused save on ``form``: the message, the other change (read by
    ``templates/forms/error_summary.html``) and a fresh token in the hidden ``field``, so
    that saving again after reading it is a deliberate choice."""
    form.add_error(None, exc)
    previous = getattr(form, "stale_edits", [])
    form.stale_edits = [*previous, exc]
    data = form.data.copy()
    data[form.add_prefix(field)] = exc.token
    form.data = data


class VersionedFormMixin:
    """A form that edits one versioned row: the hidden ``edit_token`` field, filled from
    ``edit_instance`` (and ``edit_fields``, the model fields the form saves) when the form
    is not bound; ``seen()`` reads it back."""

    edit_fields: tuple[str, ...] = ()

    def setup_token(self, instance: models.Model, fields: Iterable[str] | None = None,
                    known: Mapping[str, Any] | None = None) -> None:
        self.edit_instance = instance
        self.fields[EDIT_FIELD] = token_field()
        if not self.is_bound:
            self.initial[EDIT_FIELD] = edit_token(
                instance, fields if fields is not None else self.edit_fields, known)

    def seen(self) -> Seen | None:
        return read_token(self.data.get(self.add_prefix(EDIT_FIELD)), self.edit_instance)


# --- the admin -------------------------------------------------------------------------------

def _admin_model_fields(form: forms.BaseModelForm) -> list[str]:
    model = form._meta.model
    names = []
    for name in form.fields:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete and field.editable:
            names.append(name)
    return names


class _VersionedAdminForm:
    """Mixed into an admin change form: the token, checked in ``clean()`` under a lock
    (the admin saves inside ``transaction.atomic``, so the lock holds until the save).
    An inline row the user did not change is not saved by the admin, so it is not
    checked (``check_unchanged``)."""

    check_unchanged = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A new row (an inline's extra form) keeps the field, empty: nothing to check.
        if self.instance.pk is not None and not self.is_bound:
            self.initial[EDIT_FIELD] = edit_token(
                self.instance, _admin_model_fields(self), known=self.initial)

    def clean(self):
        data = super().clean()
        if self.instance.pk is None or EDIT_FIELD not in self.fields:
            return data
        if not self.check_unchanged and not self.has_changed():
            return data
        model = type(self.instance)
        locked = model._default_manager.select_for_update().get(pk=self.instance.pk)
        try:
            seen = read_token(self.data.get(self.add_prefix(EDIT_FIELD)), locked)
            changes = {name: data[name] for name in _admin_model_fields(self) if name in data}
            resolve(locked, seen=seen, changes=changes)
        except StaleEdit as exc:
            self.add_error(None, exc)
            for change in exc.changes:
                self.add_error(None, _("The other change: %(field)s: %(value)s")
                               % {"field": change.label, "value": change.value})
            copy = self.data.copy()
            copy[self.add_prefix(EDIT_FIELD)] = exc.token
            self.data = copy
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


def versioned_admin_form(form_class: type[forms.ModelForm], *,
                         inline: bool = False) -> type[forms.ModelForm]:
    """``form_class`` with the hidden token and its check."""
    return type(f"Versioned{form_class.__name__}", (_VersionedAdminForm, form_class),
                {EDIT_FIELD: token_field(), "check_unchanged": not inline,
                 "__module__": __name__})


class VersionedAdminMixin:
    """For a ModelAdmin of a ``VersionedModel``: change forms refuse a stale save."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and "form" not in kwargs:
            kwargs["form"] = versioned_admin_form(self.form)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f != EDIT_FIELD]

    def get_fieldsets(self, request, obj=None):
        from django.contrib.admin.utils import flatten_fieldsets

        fieldsets = [(name, dict(opts)) for name, opts in super().get_fieldsets(request, obj)]
        if (obj is None or not fieldsets or not self.has_change_permission(request, obj)
                or EDIT_FIELD in flatten_fieldsets(fieldsets)):
            return fieldsets
        # The hidden field rides in the first fieldset (the admin hides its row).
        fieldsets[0][1]["fields"] = [*fieldsets[0][1]["fields"], EDIT_FIELD]
        return fieldsets


class VersionedInlineMixin:
    """For an inline of a ``VersionedModel``: each existing row the user changed carries
    its token and is refused when someone else changed it meanwhile."""

    def get_formset(self, request, obj=None, **kwargs):
        if "form" not in kwargs:
            kwargs["form"] = versioned_admin_form(self.form, inline=True)
        return super().get_formset(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f != EDIT_FIELD]

    def get_fieldsets(self, request, obj=None):
        from django.contrib.admin.utils import flatten_fieldsets

        fieldsets = [(name, dict(opts)) for name, opts in super().get_fieldsets(request, obj)]
        if (not fieldsets or not self.has_change_permission(request, obj)
                or EDIT_FIELD in flatten_fieldsets(fieldsets)):
            return fieldsets
        fieldsets[0][1]["fields"] = [*fieldsets[0][1]["fields"], EDIT_FIELD]
        return fieldsets
