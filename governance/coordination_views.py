"""The coordinator's pages on a body (issue 11, flow 1), reached from the body page:

- ``/organ/<slug>/platser/<seat_pk>/byt-ledamot/`` "Byt ledamot": end the current member
  and start the new one the day after, in one form (``governance.replacement``);
- ``/organ/<slug>/uppdrag/ny/`` record an office holder (ordförande, vice ordförande, …)
  with the rotation check before saving.

Only users with ``governance.coordinate``. A hard rule refuses with the rule named; a
recommendation shows the "Jag vill spara ändå" box and needs it ticked.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from halsam import form_fields as bounded
from halsam.concurrency import EDIT_FIELD, Seen, StaleEdit, edit_token, read_token, show_stale
from halsam.formats.dates import plain_date

from . import labels as office_labels
from . import replacement, rules
from .labels import person_label
from .models import (
    Body,
    Membership,
    MembershipRole,
    Office,
    Person,
    Principal,
    Seat,
    StrategicArea,
)

DATE = {"type": "date"}


def _apply(form: forms.Form, exc: ValidationError) -> None:
    """A service's ``ValidationError`` on the form's fields (form-wide where it has none)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            if name == "confirm":
                continue  # shown as the recommendations' alert with the box
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class _Common(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=300,
        help_text=gettext_lazy("Saved in the history together with your name."))
    confirm = forms.BooleanField(label=gettext_lazy("I want to save anyway"), required=False)


MEMBERSHIP_FIELDS = ("person", "seat", "role", "substitute_for", "start", "end")


class ReplaceForm(_Common):
    outgoing = forms.ModelChoiceField(label=gettext_lazy("Member to replace"),
                                      queryset=Membership.objects.none(), widget=forms.RadioSelect,
                                      empty_label=None)
    end = bounded.DateField(label=gettext_lazy("Last day of the current member"),
                            widget=forms.DateInput(attrs=DATE),
                            help_text=gettext_lazy("The new member starts the day after."))
    person = forms.ModelChoiceField(
        label=gettext_lazy("New member: an existing person"), queryset=Person.objects.none(),
        required=False, empty_label=gettext_lazy("– a new person (fill in below) –"))
    first_name = bounded.LineField(label=gettext_lazy("First name"), max_length=100,
                                   required=False)
    last_name = bounded.LineField(label=gettext_lazy("Last name"), max_length=100,
                                  required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False,
                             help_text=gettext_lazy("For the welcome e-mail and the login."))
    title = bounded.LineField(label=gettext_lazy("Title"), max_length=200, required=False,
                              help_text=gettext_lazy("E.g. “Förvaltningschef socialtjänst”."))
    principal = forms.ModelChoiceField(label=gettext_lazy("Principal"),
                                       queryset=Principal.objects.none(), required=False)
    carry_substitutes = forms.BooleanField(required=False, initial=True)
    welcome = forms.BooleanField(
        label=gettext_lazy("E-mail the new member a welcome, with a login invitation if "
                           "they have no login"), required=False, initial=True)

    NEW_FIELDS = ("first_name", "last_name", "email", "title", "principal")

    def __init__(self, *args, seat: Seat, members: list[Membership],
                 substitutes: dict[int, list[Membership]], **kwargs):
        super().__init__(*args, **kwargs)
        self.seat = seat
        self.fields["outgoing"].queryset = Membership.objects.filter(
            pk__in=[m.pk for m in members]).select_related("person")
        self.fields["outgoing"].label_from_instance = lambda m: m.person.name
        people = Person.objects.select_related("principal").exclude(
            pk__in=[m.person_id for m in members]).order_by("last_name", "first_name")
        if seat.principal_id:
            people = people.filter(principal_id=seat.principal_id)
            del self.fields["principal"]
        elif seat.principal_kind:
            people = people.filter(principal__kind=seat.principal_kind)
            self.fields["principal"].queryset = Principal.objects.filter(
                kind=seat.principal_kind).order_by("name")
        else:
            self.fields["principal"].queryset = Principal.objects.order_by("kind", "name")
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = person_label
        linked = [s for subs in substitutes.values() for s in subs]
        if linked:
            names = ", ".join(sorted({s.person.name for s in linked}))
            self.fields["carry_substitutes"].label = _(
                "Move the substitute link to the new member (%(names)s)") % {"names": names}
        else:
            del self.fields["carry_substitutes"]
        # Each member's edit token (issue 12 §1): a member replaced or ended by someone
        # else while this form was open is not replaced twice.
        for m in members:
            self.fields[self.token_field(m.pk)] = forms.CharField(widget=forms.HiddenInput,
                                                                  required=False)
            if not self.is_bound:
                self.initial[self.token_field(m.pk)] = edit_token(m, MEMBERSHIP_FIELDS)

    @staticmethod
    def token_field(membership_pk: int) -> str:
        return f"{EDIT_FIELD}_{membership_pk}"

    def seen(self, outgoing: Membership) -> Seen | None:
        return read_token(self.data.get(self.add_prefix(self.token_field(outgoing.pk))),
                          outgoing)

    def clean(self):
        cleaned = super().clean()
        typed = any(cleaned.get(f) for f in ("first_name", "last_name", "email", "title"))
        if cleaned.get("person") and typed:
            self.add_error("person", _("Choose an existing person or enter a new one, not "
                                       "both."))
        elif not cleaned.get("person"):
            if not typed:
                self.add_error("person", _("Choose the new member, or enter a new person's "
                                           "name below."))
            else:
                for name in ("first_name", "last_name"):
                    if not cleaned.get(name):
                        self.add_error(name, _("Enter the new person's %(field)s.")
                                       % {"field": self.fields[name].label.lower()})
                if "principal" in self.fields and self.seat.principal_kind \
                        and not cleaned.get("principal"):
                    self.add_error("principal", _("Choose the principal the new person "
                                                  "represents."))
        return cleaned

    def new_person(self) -> dict | None:
        if self.cleaned_data.get("person"):
            return None
        return {name: self.cleaned_data.get(name) for name in self.NEW_FIELDS}


def _seat_members(seat: Seat, on):
    """The seat's members holding it on ``on`` (or starting later, not yet ended), and the
    substitutes linked to each."""
    members = list(Membership.objects.filter(seat=seat, role=MembershipRole.MEMBER)
                   .active_on(on).select_related("person__principal")
                   .order_by("person__last_name", "person__first_name"))
    subs: dict[int, list[Membership]] = {m.pk: [] for m in members}
    for s in (Membership.objects.filter(substitute_for_id__in=list(subs),
                                        role=MembershipRole.SUBSTITUTE)
              .active_on(on).select_related("person")):
        subs[s.substitute_for_id].append(s)
    return members, subs


def _welcome_text(result: replacement.Replacement) -> str:
    names = {"email": result.welcome_to, "person": result.person.name}
    if not result.welcome_to:
        if not result.person.email:
            return _("%(person)s has no e-mail address: no welcome e-mail was sent.") % names
        return _("No welcome e-mail was sent.")
    invitation_failed = False
    if result.invitation is not None:  # queued: sent already where Celery runs eagerly
        result.invitation.refresh_from_db(fields=["status"])
        invitation_failed = result.invitation.status in ("retrying", "failed")
    if result.welcome_problem:
        text = _("The welcome e-mail to %(email)s could not be sent; tell %(person)s "
                 "yourself.") % names
    elif result.login_created and not invitation_failed:
        return _("Welcome e-mail and login invitation sent to %(email)s.") % names
    else:
        text = _("Welcome e-mail sent to %(email)s.") % names
    if invitation_failed:
        text += " " + _("The login invitation to %(email)s could not be sent now; it is tried "
                        "again automatically and can be resent from the person's page in the "
                        "admin.") % names
    return text


@login_required
@permission_required("governance.coordinate", raise_exception=True)
def replace_member(request: HttpRequest, slug: str, seat_pk: int) -> HttpResponse:
    """"Byt ledamot": the current member's last day and the new member, in one form."""
    body = get_object_or_404(Body.objects.select_related("structure"), slug=slug)
    seat = get_object_or_404(Seat.objects.select_related("principal", "sector", "body"),
                             pk=seat_pk, body=body)
    today = timezone.localdate()
    members, substitutes = _seat_members(seat, today)
    chosen = request.GET.get("ledamot")
    initial = {"end": replacement.default_end(body, today)}
    if chosen and chosen.isdigit() and int(chosen) in substitutes:
        initial["outgoing"] = int(chosen)
    elif len(members) == 1:
        initial["outgoing"] = members[0].pk
    form = ReplaceForm(request.POST or None, seat=seat, members=members,
                       substitutes=substitutes, initial=initial)
    concerns: list[replacement.Concern] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = replacement.member_replace(
                actor=request.user, outgoing=data["outgoing"], end=data["end"],
                person=data.get("person"), new_person=form.new_person(),
                carry_substitutes=bool(data.get("carry_substitutes")),
                welcome=bool(data.get("welcome")), confirm=bool(data.get("confirm")),
                reason=data.get("reason", ""), seen=form.seen(data["outgoing"]))
        except replacement.ConfirmationNeeded as exc:
            concerns = exc.concerns
        except StaleEdit as exc:
            show_stale(form, exc, field=form.token_field(data["outgoing"].pk))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            text = _("%(new)s replaces %(old)s in %(body)s from %(start)s.") % {
                "new": result.person.name, "old": result.outgoing.person.name,
                "body": body.name, "start": plain_date(result.start)}
            if result.moved:
                text += " " + ngettext(
                    "The substitute %(names)s now stands in for %(new)s.",
                    "The substitutes %(names)s now stand in for %(new)s.",
                    len(result.moved)) % {"names": ", ".join(s.person.name for s in result.moved),
                                          "new": result.person.name}
            text += " " + _welcome_text(result)
            messages.success(request, text)
            if result.login_problem:
                messages.warning(request, _("No login was created for %(person)s: %(problem)s")
                                 % {"person": result.person.name,
                                    "problem": result.login_problem})
            return redirect(body)
    return render(request, "governance/replace.html", {
        "body": body, "seat": seat, "form": form, "members": members, "concerns": concerns,
        "substitutes": substitutes, "rules": _rule_links(concerns)})


def _rule_links(concerns) -> list[str]:
    return sorted({c.rule_id for c in concerns if c.rule_id})


# --- recording an office holder ------------------------------------------------------------

class OfficeForm(_Common):
    office = forms.ChoiceField(label=gettext_lazy("Office"), choices=Office.choices)
    area = forms.ModelChoiceField(label=gettext_lazy("Strategic area"),
                                  queryset=StrategicArea.objects.none(), required=False)
    person = forms.ModelChoiceField(label=gettext_lazy("Holder"), queryset=Person.objects.none(),
                                    help_text=gettext_lazy("A member of the body for the whole "
                                                           "period."))
    start = bounded.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs=DATE))
    end = bounded.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs=DATE),
                            required=False, help_text=gettext_lazy("Empty: until further "
                                                                 "notice."))
    end_current = forms.BooleanField(
        label=gettext_lazy("End the current holder's term the day before"), required=False,
        initial=True)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False,
                           help_text=gettext_lazy("E.g. “Vald vid årets sista möte”."))

    def __init__(self, *args, body: Body, offices: list[str], per_area: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if offices:
            # "1:e vice ordförande" only where the body also has a 2:e (H12).
            second = office_labels.has_second_vice_chair(body.rotation)
            self.fields["office"].choices = [
                (o, office_labels.office_label(o, second_vice_chair=second))
                for o in offices if o in Office.values]
        if per_area:
            self.fields["area"].queryset = StrategicArea.objects.filter(
                structure_id=body.structure_id).order_by("position", "name")
        else:
            del self.fields["area"]
        today = timezone.localdate()
        ids = (Membership.objects.filter(seat__body=body, role__in=[MembershipRole.MEMBER,
                                                                     MembershipRole.CO_OPTED])
               .exclude(end__lt=today).values("person_id"))
        self.fields["person"].queryset = Person.objects.filter(pk__in=ids).select_related(
            "principal").order_by("last_name", "first_name")
        self.fields["person"].label_from_instance = person_label


@login_required
@permission_required("governance.coordinate", raise_exception=True)
def record_office(request: HttpRequest, slug: str) -> HttpResponse:
    """Record an office holder of the body, e.g. next year's chair, with the rotation check."""
    body = get_object_or_404(Body.objects.select_related("structure"), slug=slug)
    today = timezone.localdate()
    start, end = replacement.next_period_dates(body, today)
    offices, per_area = [], False
    try:
        rule = rules.parse_rotation(body.rotation) if body.rotation else None
    except rules.RotationError:
        rule = None
    if rule is not None:
        offices = list(rule.offices)
        per_area = any(spec.per_area for step in rule.cycle for spec in step.values())
    initial = {"start": request.GET.get("fran") or start, "end": end,
               "office": request.GET.get("post") or (offices[0] if offices else Office.CHAIR)}
    form = OfficeForm(request.POST or None, body=body, offices=offices, per_area=per_area,
                      initial=initial)
    concerns: list[replacement.Concern] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = replacement.office_holder_record(
                actor=request.user, body=body, office=data["office"], person=data["person"],
                start=data["start"], end=data.get("end"), area=data.get("area"),
                end_current=bool(data.get("end_current")), note=data.get("note", ""),
                confirm=bool(data.get("confirm")), reason=data.get("reason", ""))
        except replacement.ConfirmationNeeded as exc:
            concerns = exc.concerns
        except ValidationError as exc:
            _apply(form, exc)
        else:
            term = record.term
            text = _("%(person)s is recorded as %(office)s of %(body)s from %(start)s.") % {
                "person": term.person.name, "office": term.office_label.lower(),
                "body": body.name, "start": plain_date(term.start)}
            if term.end:
                text = _("%(person)s is recorded as %(office)s of %(body)s from %(start)s to "
                         "%(end)s.") % {
                    "person": term.person.name, "office": term.office_label.lower(),
                    "body": body.name, "start": plain_date(term.start),
                    "end": plain_date(term.end)}
            if record.ended is not None:
                text += " " + _("%(person)s's term ends on %(end)s.") % {
                    "person": record.ended.person.name,
                    "end": plain_date(record.ended.end or term.start)}
            if record.concerns:
                text += " " + replacement.confirmation_text(record.concerns)
            messages.success(request, text)
            return redirect(body)
    shown_start = form.cleaned_data.get("start") if form.is_bound and hasattr(
        form, "cleaned_data") and form.cleaned_data.get("start") else start
    return render(request, "governance/office_form.html", {
        "body": body, "form": form, "concerns": concerns,
        "requirements": replacement.period_requirements(body, shown_start),
        "rules": _rule_links(concerns)})
