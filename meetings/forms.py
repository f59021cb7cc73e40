"""Forms of the meeting pages. They parse input; the services decide what is allowed."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance.models import Body, Person, StrategicArea
from halsam import form_fields as bounded
from halsam.concurrency import EDIT_FIELD, Seen, VersionedFormMixin, edit_token, read_token
from halsam.formats.dates import plain_date

from . import rules
from .models import AgendaItemKind, MeetingKind

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday"))]
WEEKS = [(1, _("first")), (2, _("second")), (3, _("third")), (4, _("fourth")), (-1, _("last"))]


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form, by field where the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class _MeetingFields(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices,
                             initial=MeetingKind.ORDINARY)
    area = forms.ModelChoiceField(label=_("Strategic area (theme meetings)"),
                                  queryset=StrategicArea.objects.none(), required=False)
    place = bounded.LineField(label=_("Place"), max_length=300, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    is_public = forms.BooleanField(label=_("Public meeting"), required=False, initial=True)

    def __init__(self, *args, body: Body, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        self.fields["area"].queryset = StrategicArea.objects.filter(
            structure_id=body.structure_id).order_by("position")


class MeetingForm(VersionedFormMixin, _MeetingFields):
    """One meeting: day, times, kind, place. Changing a meeting carries its edit token
    (``setup_token``, issue 12 §1)."""

    edit_fields = ("title", "start", "end", "kind", "area", "place", "video_url", "is_public")

    title = bounded.LineField(label=_("Title"), max_length=200, required=False,
                              help_text=_("Empty: the body's name."))
    day = bounded.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    field_order = ["title", "day", "start_time", "end_time", "kind", "area", "place",
                   "video_url", "is_public"]

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start_time") and data.get("end_time"):
            data["start"] = dt.datetime.combine(data["day"], data["start_time"],
                                                tzinfo=rules.STOCKHOLM)
            data["end"] = dt.datetime.combine(data["day"], data["end_time"],
                                              tzinfo=rules.STOCKHOLM)
            if data["end"] <= data["start"]:
                self.add_error("end_time", _("The meeting must end after it starts."))
        return data

    def changes(self) -> dict:
        d = self.cleaned_data
        return {"title": d["title"], "start": d["start"], "end": d["end"], "kind": d["kind"],
                "area": d["area"], "place": d["place"], "video_url": d["video_url"],
                "is_public": d["is_public"]}


class SeriesForm(_MeetingFields):
    """A series from a recurrence rule; Swedish public holidays are skipped."""

    frequency = forms.ChoiceField(label=_("Repeats"),
                                  choices=[("monthly", _("monthly")), ("weekly", _("weekly"))])
    interval = forms.IntegerField(label=_("Every"), min_value=1, max_value=12, initial=1,
                                  help_text=_("E.g. 2 for every other month or week."))
    weekday = forms.TypedChoiceField(label=_("Weekday"), coerce=int, required=False,
                                     empty_value=None, choices=[("", "–"), *WEEKDAYS])
    week_of_month = forms.TypedChoiceField(
        label=_("Week of the month"), coerce=int, required=False, empty_value=None,
        choices=[("", "–"), *WEEKS], help_text=_("For a monthly series: e.g. the first Tuesday."))
    first_day = bounded.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15,
                                          max_value=24 * 60, initial=120)
    count = forms.IntegerField(label=_("Number of meetings"), min_value=1,
                               max_value=rules.MAX_SERIES, required=False)
    until = bounded.DateField(label=_("Until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    field_order = ["frequency", "interval", "weekday", "week_of_month", "first_day", "time",
                   "duration_minutes", "count", "until", "kind", "area", "place", "video_url",
                   "is_public"]

    def __init__(self, *args, year: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # On a year's plan the series stays in that year.
        self.year = year

    def clean(self):
        data = super().clean()
        first, until = data.get("first_day"), data.get("until")
        if data.get("week_of_month") is not None:
            if data.get("frequency") == "weekly":
                self.add_error("week_of_month", _(
                    "The week of the month applies to a monthly series only: choose “monthly” "
                    "or leave the week empty."))
            elif data.get("weekday") is None and "weekday" not in self.errors:
                self.add_error("weekday", _(
                    "Choose a weekday: the week of the month picks e.g. the first Tuesday, so "
                    "it needs a weekday."))
        elif data.get("frequency") == "monthly" and data.get("weekday") is not None:
            self.add_error("week_of_month", _(
                "Choose the week of the month (e.g. the first) for a monthly series on a "
                "weekday, or leave the weekday empty to meet on the first day's date."))
        if self.year is not None:
            if first and first.year != self.year:
                self.add_error("first_day", _("The plan is for %(year)d: choose a first day in "
                                              "%(year)d.") % {"year": self.year})
            if until and until.year != self.year:
                self.add_error("until", _("The plan is for %(year)d: choose an end date in "
                                          "%(year)d, or plan the next year on its own page.")
                               % {"year": self.year})
        if first and until and until < first and "until" not in self.errors:
            self.add_error("until", _("The end date is before the first day (%(first_day)s).")
                           % {"first_day": plain_date(first)})
        if (not data.get("count") and not until and "count" not in self.errors
                and "until" not in self.errors):
            self.add_error("count", _("Give the number of meetings or an end date."))
        return data

    def series_request(self) -> dict:
        """The cleaned values as ``services.SeriesRequest`` arguments; the period ends
        with the plan's year."""
        d = self.cleaned_data
        return {"frequency": d["frequency"], "first_day": d["first_day"], "time": d["time"],
                "duration": dt.timedelta(minutes=d["duration_minutes"]),
                "interval": d["interval"], "weekday": d["weekday"],
                "week_of_month": d["week_of_month"], "count": d["count"], "until": d["until"],
                "last_day": dt.date(self.year, 12, 31) if self.year else None}


class AgendaItemForm(VersionedFormMixin, forms.Form):
    edit_fields = ("title", "kind", "description", "presenter", "duration_minutes",
                   "prepares_for")

    title = bounded.LineField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItemKind.choices,
                             initial=AgendaItemKind.INFORMATION)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))
    presenter = bounded.LineField(label=_("Presenter"), max_length=200, required=False)
    duration_minutes = forms.IntegerField(label=_("Time (minutes)"), min_value=1, max_value=600,
                                          required=False)
    prepares_for = forms.ModelChoiceField(label=_("Prepared for (body)"), required=False,
                                          queryset=Body.objects.none())

    def __init__(self, *args, body: Body, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prepares_for"].queryset = Body.objects.filter(
            structure_id=body.structure_id).only("pk", "name").order_by("position", "name")


class AttachmentForm(forms.Form):
    title = bounded.LineField(label=_("Title of the paper"), max_length=300, required=False)
    file = forms.FileField(label=_("File (PDF, DOCX, XLSX or ODT)"))


class CancelForm(forms.Form):
    reason = bounded.LineField(label=_("Reason"), max_length=300)


class MinutesForm(forms.Form):
    """The summary, the checkers and per agenda item the notes, decision and recommendation."""

    summary = forms.CharField(label=_("Summary"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    checkers = forms.ModelMultipleChoiceField(
        label=_("Minute checkers"), queryset=Person.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chosen among those recorded as present at the meeting."))

    def __init__(self, *args, items, people, checkers_editable: bool, minutes=None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.minutes = minutes
        self.fields["checkers"].queryset = Person.objects.filter(pk__in=[p.pk for p in people])
        self.fields["checkers"].choices = [(p.pk, p.name) for p in people]
        if not checkers_editable:
            self.fields["checkers"].disabled = True
        for item in items:
            for name, label in (("notes", _("Notes")), ("decision", _("Decision")),
                                ("recommendation", _("Recommendation to the principals"))):
                self.fields[f"{name}_{item.pk}"] = forms.CharField(
                    label=label, required=False, initial=getattr(item, name),
                    widget=forms.Textarea(attrs={"rows": 2}))
        if minutes is not None:
            # What the secretary saw (issue 12 §1): the minutes' and each item's token.
            self._token(EDIT_FIELD, minutes, ("summary", "checkers"),
                        known={"checkers": self.initial.get("checkers", [])})
            for item in items:
                self._token(self.item_token_field(item.pk), item, self.ITEM_TEXTS)

    ITEM_TEXTS = ("notes", "decision", "recommendation")

    @staticmethod
    def item_token_field(item_pk: int) -> str:
        return f"{EDIT_FIELD}_{item_pk}"

    def _token(self, name: str, instance, fields, known=None) -> None:
        self.fields[name] = forms.CharField(widget=forms.HiddenInput, required=False)
        if not self.is_bound:
            self.initial[name] = edit_token(instance, fields, known)

    def minutes_seen(self) -> Seen | None:
        return read_token(self.data.get(self.add_prefix(EDIT_FIELD)), self.minutes)

    def item_seen(self, item) -> Seen | None:
        return read_token(self.data.get(self.add_prefix(self.item_token_field(item.pk))), item)

    def item_fields(self):
        """Per item the bound fields, for the template."""
        return [(item, [self[f"{n}_{item.pk}"] for n in ("notes", "decision", "recommendation")])
                for item in self.items]

    def item_changes(self) -> dict[int, dict[str, str]]:
        out = {}
        for item in self.items:
            new = {n: self.cleaned_data[f"{n}_{item.pk}"]
                   for n in ("notes", "decision", "recommendation")}
            if any(getattr(item, k) != v for k, v in new.items()):
                out[item.pk] = new
        return out


class AttendanceForm(forms.Form):
    """One box per person called: ticked when they attended."""

    def __init__(self, *args, participants, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        for p in participants:
            initial = p.attended if p.attended is not None else not p.absent
            self.fields[f"p{p.person.pk}"] = forms.BooleanField(
                label=p.person.name, required=False, initial=initial)

    def rows(self):
        return [(p, self[f"p{p.person.pk}"]) for p in self.participants]

    def attended(self) -> dict[int, bool]:
        return {p.person.pk: self.cleaned_data[f"p{p.person.pk}"] for p in self.participants}
