"""Absence (förhinder): the confirmation page, the report, the undo and the e-mail link.

``/moten/<id>/forhinder/`` (logged in, a place in the body): GET shows what reporting
will do, computed by ``services.absence_preview`` (the same code the report runs), with
an optional comment; POST reports. When reported, the page says what happened and
offers "Ångra förhinder" (``/moten/<id>/forhinder/angra/``, POST) until the meeting
starts.

``/moten/<id>/forhinder/<token>/`` (the signed link of the notice e-mail, no login):
the same preview, comment and undo. The token names the meeting and the person and is
valid until the meeting starts; it is the credential for both reporting and undoing,
as only the person it was mailed to has it (GET never changes anything: mail scanners
follow links).
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from governance.models import Person

from . import access, services
from .forms import apply_errors
from .models import Absence, Meeting
from .views import gateway


class AbsenceForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Comment (optional)"), max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The secretary gets your comment with the absence, for example "
                               "what you want said about an item."))


# --- the texts: what will happen, what happened -----------------------------------------

def preview_text(plan: services.AbsencePlan) -> str:
    """What reporting will do, in the words the member reads before confirming."""
    sub = plan.substitute
    if plan.outcome == "named":
        return _("Your substitute %(name)s will be called in.") % {"name": sub.name}
    if plan.outcome == "principal":
        return _("A substitute from %(principal)s will be called in.") % {
            "principal": plan.principal}
    if plan.outcome == "no_email":
        return _("%(name)s is your substitute but has no e-mail address here; the secretary "
                 "will be told to call them in.") % {"name": sub.name}
    return _("There is no substitute who can be called in; the secretary will be told that "
             "you are not coming.")


def done_text(absence: Absence, meeting: Meeting) -> str:
    """What reporting did, for the message after the report."""
    plan: services.AbsencePlan = absence.plan  # type: ignore[attr-defined]
    title = {"meeting": meeting.display_title}
    sub = plan.substitute
    if plan.outcome == "named":
        return _("Your absence from %(meeting)s is reported. Your substitute %(name)s has been "
                 "called in, and the secretary has been told.") % {**title, "name": sub.name}
    if plan.outcome == "principal":
        return _("Your absence from %(meeting)s is reported. %(name)s from %(principal)s has "
                 "been called in as your substitute, and the secretary has been told.") % {
            **title, "name": sub.name, "principal": plan.principal}
    if plan.outcome == "no_email":
        return _("Your absence from %(meeting)s is reported. %(name)s has no e-mail address, "
                 "so the secretary has been told to call them in.") % {**title, "name": sub.name}
    return _("Your absence from %(meeting)s is reported. No substitute could be called in; the "
             "secretary has been told that you are not coming.") % title


def reported_text(absence: Absence) -> str:
    """The state of a reported absence (the page shown again later)."""
    if absence.substitute is None:
        return _("You have reported absence. No substitute could be called in; the secretary "
                 "knows that you are not coming.")
    return _("You have reported absence. %(name)s is called in as your substitute.") % {
        "name": absence.substitute.name}


def withdrawn_text(absence: Absence, meeting: Meeting) -> str:
    title = {"meeting": meeting.display_title}
    if absence.substitute_id and absence.released:  # type: ignore[attr-defined]
        return _("Your absence from %(meeting)s is withdrawn and you are expected at the "
                 "meeting. %(name)s has been told that they are no longer needed as your "
                 "substitute.") % {**title, "name": absence.substitute.name}
    if absence.substitute_id:
        return _("Your absence from %(meeting)s is withdrawn and you are expected at the "
                 "meeting. %(name)s no longer stands in for you; they have no e-mail address, "
                 "so please tell them yourself.") % {**title, "name": absence.substitute.name}
    return _("Your absence from %(meeting)s is withdrawn and you are expected at the "
             "meeting.") % title


# --- logged in --------------------------------------------------------------------------

def _next(request: HttpRequest) -> str | None:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None


def _codes(exc: ValidationError) -> set[str | None]:
    return {e.code for errors in getattr(exc, "error_dict", {}).values() for e in errors}


def _own(request: HttpRequest, pk: int) -> access.MeetingAccess:
    acc = access.meeting_for_member(request.user, pk)
    if not acc.can_report_absence:
        raise PermissionDenied
    return acc


@gateway
def absence(request: HttpRequest, pk: int) -> HttpResponse:
    """Report absence: GET shows what will happen and a comment field, POST reports."""
    acc = _own(request, pk)
    meeting, person = acc.meeting, acc.person
    form = AbsenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reported = services.absence_report(actor=request.user, meeting=meeting,
                                               person=person, note=form.cleaned_data["note"])
        except ValidationError as exc:
            if "already_reported" in _codes(exc):  # a double click: say what is the case
                messages.info(request, " ".join(exc.messages))
                return redirect(_next(request) or reverse("meetings:absence",
                                                          kwargs={"pk": meeting.pk}))
            apply_errors(form, exc)
        else:
            messages.success(request, done_text(reported, meeting))
            return redirect(_next(request) or meeting.get_absolute_url())
    existing = (Absence.objects.filter(meeting=meeting, person=person)
                .select_related("substitute").first())
    context = {"meeting": meeting, "person": person, "form": form, "absence": existing,
               "next": _next(request), "plan": None, "refusal": None,
               "can_withdraw": existing is not None and services._absence_open(meeting)}
    if existing is None:
        try:
            plan = services.absence_preview(meeting=meeting, person=person)
        except ValidationError as exc:
            context["refusal"] = " ".join(exc.messages)
        else:
            context.update(plan=plan, preview=preview_text(plan))
    else:
        context["reported"] = reported_text(existing)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/absence.html", context, status=status)


@require_POST
@gateway
def absence_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Ångra förhinder: withdraw my absence; the called-in substitute is released."""
    acc = _own(request, pk)
    try:
        withdrawn = services.absence_withdraw(actor=request.user, meeting=acc.meeting,
                                              person=acc.person,
                                              reason=_("Withdrawn by the member"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, withdrawn_text(withdrawn, acc.meeting))
    return redirect(_next(request) or acc.meeting.get_absolute_url())


# --- the signed link --------------------------------------------------------------------

def absence_link(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The signed "report absence" link from the notice e-mail: no login.

    GET shows what will happen (or what has happened, with the undo); POST reports
    (``action=report``, with the comment) or withdraws (``action=withdraw``).
    """
    from .emails import absence_token_verify

    try:
        meeting_id, person_id = absence_token_verify(token)
    except signing.SignatureExpired:
        return render(request, "meetings/absence_link.html", {"state": "expired"}, status=410)
    except signing.BadSignature:
        return render(request, "meetings/absence_link.html", {"state": "invalid"}, status=400)
    if pk != meeting_id:
        return render(request, "meetings/absence_link.html", {"state": "invalid"}, status=400)
    meeting = access.meeting_for_link(meeting_id)
    person = get_object_or_404(Person, pk=person_id)
    form = AbsenceForm(request.POST if request.method == "POST" else None)
    context: dict = {"meeting": meeting, "person": person, "form": form, "state": "confirm"}
    status = 200
    action = request.POST.get("action", "report") if request.method == "POST" else None
    if action == "withdraw":
        try:
            withdrawn = services.absence_withdraw(
                actor=None, meeting=meeting, person=person,
                reason=_("Withdrawn through the e-mail link"))
        except ValidationError as exc:
            if "not_reported" in _codes(exc):  # a double click: nothing left to withdraw
                context["info"] = exc.messages
            else:
                context.update(state="error", errors=exc.messages)
                status = 400
        else:
            context.update(state="withdrawn", message=withdrawn_text(withdrawn, meeting))
            form = context["form"] = AbsenceForm()
    elif action == "report" and form.is_valid():
        try:
            reported = services.absence_report(
                actor=None, meeting=meeting, person=person, via_link=True,
                note=form.cleaned_data["note"], reason=_("Reported through the e-mail link"))
        except ValidationError as exc:
            if "already_reported" in _codes(exc):  # a double click: say what is the case
                context["info"] = exc.messages
            else:
                context.update(state="error", errors=exc.messages)
                status = 400
        else:
            context.update(state="done", message=done_text(reported, meeting))
    existing = (Absence.objects.filter(meeting=meeting, person=person)
                .select_related("substitute").first())
    if existing is not None:
        if context["state"] == "confirm":
            context["state"] = "already"
        context.update(absence=existing, reported=reported_text(existing))
    elif context["state"] in ("confirm", "withdrawn"):
        try:
            plan = services.absence_preview(meeting=meeting, person=person)
        except ValidationError as exc:
            context.update(state="error" if context["state"] == "confirm" else "withdrawn",
                           errors=exc.messages)
        else:
            context.update(plan=plan, preview=preview_text(plan))
    return render(request, "meetings/absence_link.html", context, status=status)
