"""The election at the year's last meeting (H13), reached from the agenda's election item:
``/moten/<id>/dagordning/<item_id>/val/``.

Before it is recorded, the coordinator and the body's secretary choose who was elected to
each office the rotation rule asks for in the period (the rule's proposals first); the
service records the office terms, the ``Election`` and the minutes' decision in one
transaction. Once recorded, everyone who sees the meeting reads who was elected there.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import checks, replacement
from governance.labels import person_label
from governance.models import Membership, MembershipRole, Person
from halsam import form_fields as bounded
from halsam.concurrency import StaleEdit, VersionedFormMixin, show_stale
from halsam.text import join_names

from . import access, elections
from .forms import apply_errors
from .models import AgendaItem
from .views import gateway


class ElectionForm(VersionedFormMixin, forms.Form):
    """One choice per office of the period; the note, the reason and the confirmation."""

    edit_fields = elections.TOKEN_FIELDS

    note = bounded.LineField(label=gettext_lazy("Note"), max_length=300, required=False,
                             help_text=gettext_lazy("E.g. “elected unanimously”."))
    reason = bounded.LineField(
        label=gettext_lazy("Reason for the change"), max_length=300, required=False,
        help_text=gettext_lazy("Saved in the history together with your name."))
    confirm = forms.BooleanField(label=gettext_lazy("I want to save anyway"), required=False)

    def __init__(self, *args, slots: list[elections.Slot], people: list[Person],
                 proposed: dict[str, set[int]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        self.people = {p.pk: p for p in people}
        holder_fields = {}
        for slot in slots:
            ids = proposed.get(slot.office, set())
            first = [(p.pk, person_label(p)) for p in people if p.pk in ids]
            rest = [(p.pk, person_label(p)) for p in people if p.pk not in ids]
            choices: list = [("", _("– choose –"))]
            if first:
                choices.append((_("Proposed by the rotation rule"), first))
            if rest:
                choices.append((_("Other members") if first else _("Members"), rest))
            label = slot.label if slot.area is None else f"{slot.label} ({slot.area.name})"
            holder_fields[slot.key] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, required=True,
                help_text=slot.requirement + (f" ({slot.rule_id})" if slot.rule_id else ""),
                error_messages={"required": _("Choose who was elected %(office)s.")
                                % {"office": label.lower()}})
        # The offices first, in the rule's order.
        self.fields = {**holder_fields, **self.fields}

    def holders(self) -> list[elections.Elected]:
        return [elections.Elected(office=slot.office, area=slot.area,
                                  person=self.people[self.cleaned_data[slot.key]])
                for slot in self.slots]


def _people_and_proposals(item: AgendaItem, period) -> tuple[list[Person], dict[str, set[int]]]:
    """The body's members (and co-opted) during the period, and per office those the
    rotation rule proposes (``checks.body_statuses``' proposals for that period)."""
    body = item.meeting.body
    memberships = (Membership.objects.filter(
        seat__body=body, role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED],
        start__lte=period.end).filter(Q(end__isnull=True) | Q(end__gte=period.start))
        .select_related("person__principal")
        .order_by("person__last_name", "person__first_name", "pk"))
    people = list({m.person_id: m.person for m in memberships}.values())
    status = next((s for s in checks.body_statuses(
        on=period.start - dt.timedelta(days=1), structure_slug=body.structure.slug)
        if s.body.pk == body.pk), None)
    proposed: dict[str, set[int]] = {}
    if status is not None and status.next_period == period:
        proposed = {office: {m.person_id for m in ms} for office, ms in status.proposals.items()}
    return people, proposed


@gateway
def election(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The election item's election: who was elected (once recorded), or the form."""
    acc = access.meeting_for_user(request.user, pk)
    meeting = acc.meeting
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting,
                             election_for_year__isnull=False)
    item.meeting = meeting
    elections.annotate_items([item])
    context = {"meeting": meeting, "item": item, "record": item.election_record,
               "can_edit": acc.can_edit}
    try:
        period = elections.election_period(item)
    except ValidationError as exc:
        context["problem"] = " ".join(exc.messages)
        return render(request, "meetings/election.html", context)
    context["period"] = period
    if item.election_record is not None or not acc.can_edit:
        return render(request, "meetings/election.html", context)
    if meeting.start > timezone.now():
        context["not_yet"] = True
        return render(request, "meetings/election.html", context)
    slots = elections.election_slots(item)
    people, proposed = _people_and_proposals(item, period)
    form = ElectionForm(request.POST or None, slots=slots, people=people, proposed=proposed)
    form.setup_token(item, elections.TOKEN_FIELDS)
    concerns: list[replacement.Concern] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = elections.election_record(
                actor=request.user, item=item, holders=form.holders(), note=data["note"],
                reason=data["reason"], confirm=bool(data["confirm"]), seen=form.seen())
        except replacement.ConfirmationNeeded as exc:
            concerns = exc.concerns
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _(
                "The election of %(body)s for %(period)s is recorded: %(names)s.") % {
                "body": meeting.body.name, "period": period.label,
                "names": join_names([h.person for h in form.holders()])})
            return redirect(reverse("meetings:election", kwargs={
                "pk": meeting.pk, "item_pk": item.pk}) + f"#election-{record.pk}")
    context.update(form=form, concerns=concerns, slots=slots)
    return render(request, "meetings/election.html", context)
