"""The minutes' pages (issue 11, flow 4): writing them, the workflow steps, the checker's
page in the portal (read, approve or send back with a comment) and the PDFs of the
agenda and the minutes on the meeting page.

- ``/moten/<id>/protokoll/`` the secretary writes the minutes and picks the checkers
  among those present; ``/moten/<id>/protokoll/<action>/`` the workflow steps (POST).
- ``/moten/<id>/protokoll/justera/`` the checker's page (login; chosen checkers only).
- ``/moten/<id>/protokoll.pdf`` the minutes: published ones for everyone who sees the
  meeting; before that for the editors and the checkers, marked as a draft.
- ``/moten/<id>/dagordning.pdf`` the agenda, for everyone who sees the meeting.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from halsam.concurrency import EDIT_FIELD, StaleEdit, show_stale
from halsam.text import join_names

from . import access, pdf, selectors, services
from .forms import MinutesForm, apply_errors
from .models import Attendance, Minutes, MinutesSignature, MinutesStatus
from .views import gateway

OPEN = (MinutesStatus.DRAFT, MinutesStatus.WITH_CHECKERS)


def _minutes_of(meeting) -> Minutes | None:
    return (Minutes.objects.filter(meeting=meeting).select_related("approved_by", "returned_by")
            .prefetch_related("checkers", Prefetch(
                "signatures", MinutesSignature.objects.select_related("person")))
            .first())


def _signing(minutes: Minutes) -> dict:
    """Who has approved in the current round and who is still waited for (the pages show
    both, so no checker is skipped by accident)."""
    waiting_for = minutes.waiting_for()
    return {"signatures": minutes.round_signatures(), "waiting_for": waiting_for,
            "waiting_names": join_names(waiting_for)}


def _approved_message(minutes: Minutes, meeting_name: str | None = None) -> str:
    """After a checker's approval: whom the minutes wait for now, or that they are
    approved (justerat) by all."""
    waiting_for = minutes.waiting_for()
    if waiting_for and meeting_name:
        return _("You have approved the minutes of %(meeting)s. They are now waiting for "
                 "%(names)s.") % {"meeting": meeting_name, "names": join_names(waiting_for)}
    if waiting_for:
        return _("You have approved the minutes. They are now waiting for %(names)s.") % {
            "names": join_names(waiting_for)}
    if meeting_name:
        return _("The minutes of %(meeting)s are approved (justerat). The secretary can now "
                 "publish them.") % {"meeting": meeting_name}
    return _("The minutes are approved (justerat). The secretary can now publish them.")


def _is_checker(acc: access.MeetingAccess, minutes: Minutes | None) -> bool:
    return (minutes is not None and acc.person is not None
            and any(c.pk == acc.person.pk for c in minutes.checkers.all()))


# --- the secretary's page ---------------------------------------------------------------

@gateway
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the minutes: summary, notes, decisions and recommendations per item (with its
    § number), and the checkers, chosen among those present."""
    acc = access.meeting_for_editor(request.user, pk)
    meeting = acc.meeting
    minutes = _minutes_of(meeting)
    if minutes is None:
        return render(request, "meetings/minutes.html", {"meeting": meeting, "minutes": None})
    items = selectors.agenda_items(meeting, with_attachments=False)
    editable = minutes.status in OPEN
    present = selectors.checker_choices(meeting)
    form = MinutesForm(request.POST or None, items=items, people=present,
                       checkers_editable=minutes.status == MinutesStatus.DRAFT,
                       initial={"summary": minutes.summary,
                                "checkers": list(minutes.checkers.all())}, minutes=minutes)
    if request.method == "POST" and editable and form.is_valid():
        # Only what this secretary changed is written; a field someone else changed
        # meanwhile refuses the whole save (issue 12 §1).
        try:
            with transaction.atomic():
                services.minutes_update(
                    actor=request.user, minutes=minutes, summary=form.cleaned_data["summary"],
                    checkers=(list(form.cleaned_data["checkers"])
                              if minutes.status == MinutesStatus.DRAFT else None),
                    seen=form.minutes_seen())
                by_pk = {i.pk: i for i in items}
                for item_pk, changes in form.item_changes().items():
                    services.agenda_item_update(actor=request.user, item=by_pk[item_pk],
                                                changes=changes, reason=_("Minutes written"),
                                                seen=form.item_seen(by_pk[item_pk]),
                                                only_changed=True)
        except StaleEdit as exc:
            show_stale(form, exc, field=(MinutesForm.item_token_field(exc.instance.pk)
                                         if exc.instance._meta.model_name == "agendaitem"
                                         else EDIT_FIELD))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            chosen = list(form.cleaned_data["checkers"])
            if chosen and minutes.status == MinutesStatus.DRAFT:
                messages.success(request, _("The minutes are saved. Minute checkers: %(names)s.")
                                 % {"names": join_names(chosen)})
            else:
                messages.success(request, _("The minutes are saved."))
            return redirect("meetings:minutes", pk=meeting.pk)
    attendance_recorded = Attendance.objects.filter(meeting=meeting).exists()
    return render(request, "meetings/minutes.html", {
        "meeting": meeting, "minutes": minutes, "form": form, "editable": editable,
        "present": present, "attendance_recorded": attendance_recorded, **_signing(minutes),
    })


MINUTES_ACTIONS = {"create", "send", "return", "approve", "publish"}


def _sent_message(minutes: Minutes) -> str:
    mailed = getattr(minutes, "mailed", [])
    unreachable = getattr(minutes, "unreachable", [])
    text = _("The minutes were sent to the minute checkers %(names)s.") % {
        "names": join_names([*mailed, *unreachable])}
    if mailed:
        text += " " + _("An e-mail with a link to approve went to %(names)s.") % {
            "names": join_names(mailed)}
    if unreachable:
        text += " " + _("%(names)s has no e-mail address: tell them yourself that the minutes "
                        "are waiting under “To approve” on My pages.") % {
            "names": join_names(unreachable)}
    return text


@require_POST
@gateway
def minutes_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The minutes' workflow: create, send to the checkers, return, approve, publish."""
    if action not in MINUTES_ACTIONS:
        raise Http404
    if action in ("approve", "return"):
        acc = access.meeting_for_member(request.user, pk)  # the checkers need not be editors
    else:
        acc = access.meeting_for_editor(request.user, pk)
    meeting = acc.meeting
    minutes = Minutes.objects.filter(meeting=meeting).first()
    try:
        if action == "create":
            created = services.minutes_create(actor=request.user, meeting=meeting)
            text = _minutes_started_message(created)
        elif minutes is None:
            raise Http404
        elif action == "send":
            minutes = services.minutes_send_to_checkers(actor=request.user, minutes=minutes)
            text = _sent_message(minutes)
        elif action in ("approve", "return"):
            if acc.person is None or not minutes.checkers.filter(pk=acc.person.pk).exists():
                raise ValidationError(_("Only a chosen minute checker can do that."))
            if action == "approve":
                minutes = services.minutes_approve(actor=request.user, minutes=minutes,
                                                   checker=acc.person)
                text = _approved_message(minutes)
            else:
                services.minutes_return(actor=request.user, minutes=minutes,
                                        checker=acc.person,
                                        comment=request.POST.get("comment", ""))
                text = _("The minutes are sent back to the secretary for changes.")
        else:
            services.minutes_publish(actor=request.user, minutes=minutes)
            text = _("The minutes are published: everyone who may see the meeting can read "
                     "them and download them as a PDF.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, text)
    if acc.can_edit:
        return redirect("meetings:minutes", pk=meeting.pk)
    return redirect(meeting)


def _minutes_started_message(minutes: Minutes) -> str:
    numbers = sorted(n for n in minutes.meeting.items.values_list("section", flat=True) if n)
    if not numbers:
        return _("The minutes are started.")
    return _("The minutes are started. The items are numbered § %(first)s–§ %(last)s.") % {
        "first": numbers[0], "last": numbers[-1]}


# --- the checker's page -----------------------------------------------------------------

class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment for the secretary"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What should be changed before you can approve the minutes."),
        error_messages={"required": gettext_lazy(
            "Write what should be changed, so the secretary knows.")})


@gateway
def minutes_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The checker's page: the minutes read-only, "Justera" and "Skicka tillbaka med
    kommentar". Only the chosen checkers; anyone else gets 403."""
    if not request.user.is_authenticated:
        raise access.LoginRequired
    acc = access.meeting_for_user(request.user, pk)
    meeting = acc.meeting
    minutes = _minutes_of(meeting)
    if not _is_checker(acc, minutes):
        raise PermissionDenied
    waiting = minutes.status == MinutesStatus.WITH_CHECKERS
    form = ReturnForm(request.POST or None) if request.POST.get("action") == "return" \
        else ReturnForm()
    if request.method == "POST" and waiting:
        action = request.POST.get("action")
        try:
            if action == "approve":
                signed = services.minutes_approve(actor=request.user, minutes=minutes,
                                                  checker=acc.person)
                messages.success(request, _approved_message(signed, _meeting_name(meeting)))
                return redirect("portal:home")
            if action == "return" and form.is_valid():
                services.minutes_return(actor=request.user, minutes=minutes, checker=acc.person,
                                        comment=form.cleaned_data["comment"])
                messages.success(request, _(
                    "The minutes of %(meeting)s are sent back to the secretary with your "
                    "comment.") % {"meeting": _meeting_name(meeting)})
                return redirect("portal:home")
        except ValidationError as exc:
            if action != "return":  # e.g. a second "Justera" from another tab: say why
                messages.error(request, " ".join(exc.messages))
                return redirect("meetings:minutes_check", pk=meeting.pk)
            apply_errors(form, exc)
    elif request.method == "POST":
        messages.error(request, _("The minutes are no longer waiting for approval: they are "
                                  "“%(status)s”.") % {"status": minutes.get_status_display()})
        return redirect("meetings:minutes_check", pk=meeting.pk)
    items = selectors.agenda_items(meeting, with_attachments=False)
    attendance = list(Attendance.objects.filter(meeting=meeting, attended=True)
                      .select_related("person", "in_place_of")
                      .order_by("person__last_name", "person__first_name"))
    signing = _signing(minutes)
    my_signature = next((s for s in signing["signatures"] if s.person_id == acc.person.pk),
                        None)
    return render(request, "meetings/minutes_check.html", {
        "meeting": meeting, "minutes": minutes, "items": items, "form": form,
        "waiting": waiting, "attendance": attendance, "my_signature": my_signature, **signing,
    })


def _meeting_name(meeting) -> str:
    from halsam.formats.dates import plain_date

    return f"{meeting.display_title} {plain_date(meeting.start)}"


# --- the PDFs ---------------------------------------------------------------------------

def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Content-Length"] = str(len(data))
    return response


def _file_day(meeting) -> str:
    return timezone.localtime(meeting.start).date().isoformat()


@require_safe
@gateway
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as a PDF: published ones for everyone who may see the meeting; a draft
    (marked as such) for the meeting's editors and the chosen checkers; else 404."""
    acc = access.meeting_for_user(request.user, pk)
    meeting = acc.meeting
    minutes = _minutes_of(meeting)
    if minutes is None:
        raise Http404
    published = minutes.status == MinutesStatus.PUBLISHED
    if not published and not (acc.can_edit or _is_checker(acc, minutes)):
        raise Http404
    data = pdf.minutes_pdf(meeting, draft=not published)
    name = f"protokoll-{slugify(meeting.body.name)}-{_file_day(meeting)}"
    if not published:
        name = f"utkast-{name}"
    return _pdf_response(data, f"{name}.pdf")


@require_safe
@gateway
def agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda (dagordning) as a PDF, for everyone who may see the meeting."""
    acc = access.meeting_for_user(request.user, pk)
    meeting = acc.meeting
    data = pdf.agenda_pdf(meeting, with_video=acc.sees_all)
    response = _pdf_response(data, f"dagordning-{slugify(meeting.body.name)}-"
                                   f"{_file_day(meeting)}.pdf")
    if acc.sees_all:  # it may carry the video link: never from a shared cache
        response["Cache-Control"] = "private, no-store"
    return response
