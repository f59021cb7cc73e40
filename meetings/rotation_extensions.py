"""Rotation extensions recorded as decisions of a meeting (V3, V8), and the body page's
sections that gather from governance and meetings (H8, H18).

V3 (seed 004): "Ordförande och vice ordförande … ett kalenderår i taget, alternerande
varje år. Längre period kan beslutas vid enighet." V8: the same for LSG, longer "efter
beslut i gruppen". Whether a body may extend a period, and what the decision needs, is
its rotation's ``extension`` key (``governance.rotation_decisions.extension_policy``).

- ``rotation_extension_record``: the service; the decision (``RotationExtension``, with
  history) and, through ``governance.rotation_decisions.body_rotation_extend``, the
  extension in ``Body.rotation["extensions"]`` that ``governance.rules`` reads;
- ``rotation_extend``: the coordinator's form ``/organ/<slug>/forlang-ordforandeskap/``;
- ``extensions_section`` and ``area_chairs_section``: the body page's sections,
  registered in ``MeetingsConfig.ready`` (``governance.page_sections``).
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from governance import area_chairs, rules
from governance.models import Body
from governance.rotation_decisions import (
    body_rotation_extend,
    extendable_periods,
    extension_policy,
)
from governance.services import Actor, save_with_history
from halsam import form_fields as bounded
from halsam.formats.dates import long_date, plain_date

from .models import Meeting, MeetingStatus, RotationExtension

HELD = (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED, MeetingStatus.MINUTES_PUBLISHED)


def _period_label(period: rules.Period) -> str:
    first, last = period.start.year, period.end.year
    return str(first) if first == last else f"{first}–{last}"


@transaction.atomic
def rotation_extension_record(*, body: Body, meeting: Meeting, period_start: int, years: int,
                              unanimous: bool, note: str = "", actor: Actor,
                              reason: str = "") -> RotationExtension:
    """Record the body's decision, taken at ``meeting``, that the chair period starting
    ``period_start`` lasts ``years`` years longer. Refuses, naming the field and the rule:
    a body whose rule allows no extension, a meeting of another body or not yet held, a
    decision after the period ended, and, where the rule asks for unanimity (V3), a
    decision not recorded as unanimous. Nothing is written when it refuses."""
    policy = extension_policy(body.rotation)
    if policy is None:
        raise ValidationError({"period_start": ValidationError(
            _("%(body)s's rotation rule does not allow extending a period.")
            % {"body": body.name}, code="not_extendable")})
    if meeting.body_id != body.pk or meeting.status not in HELD:
        raise ValidationError({"meeting": ValidationError(
            _("Choose a meeting of %(body)s that has been held.") % {"body": body.name},
            code="meeting")})
    if policy.unanimous and not unanimous:
        raise ValidationError({"unanimous": ValidationError(
            _("A longer period needs a unanimous decision of %(body)s (%(rule)s); "
              "record the extension only if the decision was unanimous.")
            % {"body": body.name, "rule": policy.source}, code="not_unanimous")})
    decided_on = timezone.localdate(meeting.start)
    try:
        period = rules.period_for_year(rules.parse_rotation(body.rotation), period_start)
    except rules.RotationError as exc:
        raise ValidationError({"period_start": ValidationError(
            _("%(year)s is not the first year of a chair period of %(body)s.")
            % {"year": period_start, "body": body.name}, code="not_a_period")}) from exc
    if period.start.year != period_start:
        raise ValidationError({"period_start": ValidationError(
            _("%(year)s is not the first year of a chair period of %(body)s.")
            % {"year": period_start, "body": body.name}, code="not_a_period")})
    if decided_on > period.end:
        raise ValidationError({"meeting": ValidationError(
            _("The meeting on %(day)s is after the period %(period)s ended; a decision can "
              "only extend a period that has not ended.")
            % {"day": plain_date(decided_on), "period": _period_label(period)},
            code="too_late")})
    if RotationExtension.objects.filter(body=body, period_start=period_start).exists():
        raise ValidationError({"period_start": ValidationError(
            _("The period starting %(year)s is already extended.") % {"year": period_start},
            code="already_extended")})
    why = reason or ngettext(
        "Chair period %(period)s extended by %(years)d year, decided at the meeting on "
        "%(day)s (%(rule)s)",
        "Chair period %(period)s extended by %(years)d years, decided at the meeting on "
        "%(day)s (%(rule)s)", years) % {
        "period": _period_label(period), "years": years, "day": plain_date(decided_on),
        "rule": policy.source}
    decision = RotationExtension(body=body, meeting=meeting, period_start=period_start,
                                 years=years, decided_on=decided_on, unanimous=unanimous,
                                 note=note)
    decision.full_clean(exclude=["body", "meeting"])
    save_with_history(decision, actor=actor, reason=why)
    body_rotation_extend(body=body, period_start=period_start, years=years,
                         decided_on=decided_on, note=note, decision_id=decision.pk,
                         actor=actor, reason=why)
    return decision


class ExtensionForm(forms.Form):
    period_start = forms.TypedChoiceField(label=gettext_lazy("Chair period to extend"),
                                          coerce=int)
    years = forms.IntegerField(label=gettext_lazy("Extra years"), min_value=1, max_value=10,
                               initial=1)
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("Decided at the meeting"), queryset=Meeting.objects.none(),
        help_text=gettext_lazy("A held meeting of the body; its date is the decision's date."))
    unanimous = forms.BooleanField(label=gettext_lazy("The decision was unanimous"),
                                   required=False)
    note = bounded.LineField(label=gettext_lazy("Note"), max_length=300, required=False,
                             help_text=gettext_lazy("E.g. the minutes' paragraph."))
    reason = bounded.LineField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=300,
        help_text=gettext_lazy("Saved in the history together with your name."))

    def __init__(self, *args, body: Body, periods: list[rules.Period], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [(p.start.year, _period_label(p))
                                               for p in periods]
        self.fields["meeting"].queryset = (
            Meeting.objects.filter(body=body, status__in=HELD)
            .select_related("body").order_by("-start"))
        self.fields["meeting"].label_from_instance = (
            lambda m: f"{long_date(m.start)} – {m.display_title}")


@login_required
@permission_required("governance.coordinate", raise_exception=True)
def rotation_extend(request: HttpRequest, slug: str) -> HttpResponse:
    """"Förläng ordförandeperioden": record a body's decision to extend a chair period
    (V3, V8), for a body whose rotation rule allows it (404 otherwise)."""
    body = get_object_or_404(Body.objects.select_related("structure"), slug=slug)
    policy = extension_policy(body.rotation)
    if policy is None:
        raise Http404("no extension rule")
    periods = extendable_periods(body.rotation, on=timezone.localdate())
    form = ExtensionForm(request.POST or None, body=body, periods=periods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = rotation_extension_record(
                body=body, meeting=data["meeting"], period_start=data["period_start"],
                years=data["years"], unanimous=bool(data["unanimous"]),
                note=data.get("note", ""), actor=request.user, reason=data.get("reason", ""))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, extension_text(decision, policy.rule_id))
            return redirect(body)
    return render(request, "meetings/rotation_extension_form.html", {
        "body": body, "form": form, "policy": policy})


def extension_text(decision: RotationExtension, rule_id: str) -> str:
    """"Förlängd till 2028 genom beslut vid mötet den 20 november 2025, enhälligt (V3)"."""
    until = decision.period_start + decision.years  # one-year periods: the usual case
    try:
        rule = rules.parse_rotation(decision.body.rotation)
        until = rules.period_for_year(rule, decision.period_start).end.year
    except rules.RotationError:
        pass
    if decision.unanimous:
        text = _("Extended until %(year)s by decision at the meeting on %(day)s, "
                 "unanimously") % {"year": until, "day": plain_date(decision.decided_on)}
    else:
        text = _("Extended until %(year)s by decision at the meeting on %(day)s") % {
            "year": until, "day": plain_date(decision.decided_on)}
    return f"{text} ({rule_id})." if rule_id else f"{text}."


# --- the body page's sections (governance.page_sections) ---------------------------------

def extensions_section(request: HttpRequest, page) -> dict | None:
    """The chair periods extended by decision (V3, V8), and for coordinators the form's
    link, on the page of a body whose rule allows extensions (one query)."""
    body = page.body
    policy = extension_policy(body.rotation)
    if policy is None:
        return None
    decisions = list(RotationExtension.objects.filter(body=body)
                     .select_related("meeting__body", "body").order_by("period_start"))
    rows = [(d, extension_text(d, policy.rule_id)) for d in decisions]
    can_extend = request.user.has_perm("governance.coordinate")
    return {"template": "meetings/_rotation_extensions.html", "rows": rows,
            "policy": policy, "can_extend": can_extend, "body": body}


def area_chairs_section(request: HttpRequest, page) -> dict | None:
    """On the presidium's page: per chair of an area, the county group they are contact
    politician of and the theme meetings they answer for (H8, H18) — two queries."""
    rule, chairs = area_chairs.area_chairs(page.body, page.offices)
    if rule is None or not chairs:
        return None
    from .access import visible_meetings_q

    on: dt.date = page.on
    first = dt.date(on.year, 1, 1)
    last = dt.date(on.year + 1, 12, 31)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last, dt.time.max))
    meetings = (Meeting.objects.filter(visible_meetings_q(request.user))
                .filter(body__slug=rule.meetings_of, body__structure_id=page.body.structure_id,
                        area_id__in={c.term.area_id for c in chairs},
                        start__gte=start, start__lte=end)
                .exclude(status=MeetingStatus.CANCELLED)
                .select_related("body", "area").order_by("start"))
    by_area: dict[int, list[Meeting]] = {}
    for m in meetings:
        by_area.setdefault(m.area_id, []).append(m)
    for chair in chairs:
        chair.meetings = [m for m in by_area.get(chair.term.area_id, [])
                          if chair.term.start <= timezone.localdate(m.start)
                          and (chair.term.end is None
                               or timezone.localdate(m.start) <= chair.term.end)]
    return {"template": "meetings/_area_chairs.html", "rule": rule, "chairs": chairs,
            "first_year": first.year, "last_year": last.year}
