"""The meeting pages: a meeting, its agenda, absence, attendance and minutes, and the
coordinator's year plan. Each view loads through ``access``, calls one service and
renders or redirects."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from governance.models import Body, Person
from halsam.formats.dates import plain_date

from . import access, rules, selectors, services
from .forms import (
    AgendaItemForm,
    AttachmentForm,
    AttendanceForm,
    CancelForm,
    MeetingForm,
    MinutesForm,
    SeriesForm,
    apply_errors,
)
from .models import AgendaAttachment, AgendaItem, Minutes, MinutesStatus


def gateway(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn the access gateway's "log in first" into a redirect to the login page."""
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except access.LoginRequired:
            return redirect_to_login(request.get_full_path())
    return wrapper


# --- the meeting page -------------------------------------------------------------------

@gateway
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting: time and place, agenda (with papers for members), attendance with
    absences and substitutes, minutes when visible, failed notices for coordinators."""
    acc = access.meeting_for_user(request.user, pk)
    page = selectors.meeting_page(acc)
    meeting = acc.meeting
    return render(request, "meetings/detail.html", {
        "page": page, "meeting": meeting, "acc": acc,
        "is_open": meeting.status in rules.MEETING_OPEN,
        "can_report_absence": (acc.can_report_absence and page.own_absence is None
                               and meeting.status in rules.MEETING_OPEN
                               and meeting.end > timezone.now()),
    })


@gateway
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A paper of the agenda, for those who see the meeting's papers."""
    acc = access.meeting_for_member(request.user, pk)
    attachment = get_object_or_404(AgendaAttachment, pk=attachment_pk, item__meeting=acc.meeting)
    return FileResponse(attachment.file.open("rb"), as_attachment=False,
                        filename=attachment.file.name.rsplit("/", 1)[-1],
                        content_type=attachment.content_type or "application/octet-stream")


@require_POST
@gateway
def absence_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A member reports absence (Anmäl förhinder) from the meeting page."""
    acc = access.meeting_for_member(request.user, pk)
    if not acc.can_report_absence:
        raise PermissionDenied
    try:
        absence = services.absence_report(actor=request.user, meeting=acc.meeting,
                                          person=acc.person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _absence_message(request, absence)
    return redirect(acc.meeting)


def _absence_message(request: HttpRequest, absence) -> None:
    if absence.substitute_id:
        messages.success(request, _("Your absence is reported. %(name)s has been called in as "
                                    "your substitute.") % {"name": absence.substitute.name})
    else:
        messages.success(request, _("Your absence is reported. No substitute could be called "
                                    "in; the secretary has been told by the attendance list."))


def absence_link(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The signed "report absence" link from the notice e-mail: no login, single use.

    GET shows a confirmation page (mail scanners follow links), POST reports.
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
    context = {"meeting": meeting, "person": person, "state": "confirm"}
    existing = meeting.absences.select_related("substitute").filter(person=person).first()
    if existing is not None:
        context.update(state="already", absence=existing)
        return render(request, "meetings/absence_link.html", context)
    if request.method == "POST":
        try:
            absence = services.absence_report(actor=None, meeting=meeting, person=person,
                                              via_link=True, reason=_("Reported through the "
                                                                      "e-mail link"))
        except ValidationError as exc:
            context.update(state="error", errors=exc.messages)
            return render(request, "meetings/absence_link.html", context, status=400)
        context.update(state="done", absence=absence)
    return render(request, "meetings/absence_link.html", context)


@require_POST
@gateway
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's or secretary's "send the notice now"."""
    acc = access.meeting_for_editor(request.user, pk)
    try:
        count = services.meeting_notice_send(actor=request.user, meeting=acc.meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ngettext("The notice is being sent to %(count)d recipient.",
                                           "The notice is being sent to %(count)d recipients.",
                                           count) % {"count": count})
    return redirect(acc.meeting)


# --- changing and cancelling a meeting --------------------------------------------------

@gateway
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a planned meeting's time, place or kind; members get an update if notified."""
    acc = access.meeting_for_editor(request.user, pk)
    meeting = acc.meeting
    local_start, local_end = timezone.localtime(meeting.start), timezone.localtime(meeting.end)
    initial = {"title": meeting.title, "day": local_start.date(), "start_time": local_start.time(),
               "end_time": local_end.time(), "kind": meeting.kind, "area": meeting.area,
               "place": meeting.place, "video_url": meeting.video_url,
               "is_public": meeting.is_public}
    form = MeetingForm(request.POST or None, body=meeting.body, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, changes=form.changes())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting is changed."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@gateway
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a meeting (with a reason); those notified get a cancellation."""
    acc = access.meeting_for_editor(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(actor=request.user, meeting=acc.meeting,
                                    reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting is cancelled."))
            return redirect(acc.meeting)
    return render(request, "meetings/cancel.html", {"form": form, "meeting": acc.meeting})


# --- agenda -----------------------------------------------------------------------------

@gateway
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda's items with buttons to move, edit and remove them, and a form to add one."""
    acc = access.meeting_for_editor(request.user, pk)
    meeting = acc.meeting
    form = AgendaItemForm(request.POST or None, body=meeting.body)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The item is added."))
            return redirect("meetings:agenda", pk=meeting.pk)
    items = selectors.agenda_items(meeting, with_attachments=True)
    return render(request, "meetings/agenda.html", {
        "meeting": meeting, "items": items, "form": form, "attachment_form": AttachmentForm(),
    })


def _item(acc: access.MeetingAccess, item_pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem, pk=item_pk, meeting=acc.meeting)


@gateway
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    acc = access.meeting_for_editor(request.user, pk)
    item = _item(acc, item_pk)
    initial = {f: getattr(item, f) for f in ("title", "kind", "description", "presenter",
                                              "duration_minutes", "prepares_for")}
    form = AgendaItemForm(request.POST or None, body=acc.meeting.body, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(actor=request.user, item=item, changes=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The item is changed."))
            return redirect("meetings:agenda", pk=acc.meeting.pk)
    return render(request, "meetings/item_form.html", {"form": form, "item": item,
                                                       "meeting": acc.meeting})


@require_POST
@gateway
def item_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    acc = access.meeting_for_editor(request.user, pk)
    try:
        services.agenda_item_move(actor=request.user, item=_item(acc, item_pk),
                                  direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    url = reverse("meetings:agenda", kwargs={"pk": acc.meeting.pk})
    return redirect(f"{url}#item-{item_pk}")


@require_POST
@gateway
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    acc = access.meeting_for_editor(request.user, pk)
    try:
        services.agenda_item_delete(actor=request.user, item=_item(acc, item_pk))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The item is removed."))
    return redirect("meetings:agenda", pk=acc.meeting.pk)


@require_POST
@gateway
def attachment_add(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    acc = access.meeting_for_editor(request.user, pk)
    item = _item(acc, item_pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, item=item,
                                    title=form.cleaned_data["title"],
                                    file=form.cleaned_data["file"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The paper is attached."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("meetings:agenda", pk=acc.meeting.pk)


# --- attendance and minutes -------------------------------------------------------------

@gateway
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretary records who attended; substitutes are shown in whose place."""
    acc = access.meeting_for_editor(request.user, pk)
    participants = selectors.participants(acc.meeting)
    form = AttendanceForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=request.user, meeting=acc.meeting,
                                       attended=form.attended())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The attendance is recorded."))
            return redirect(acc.meeting)
    return render(request, "meetings/attendance.html", {"form": form, "meeting": acc.meeting})


@gateway
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the minutes: summary, notes, decisions and recommendations per item, checkers."""
    acc = access.meeting_for_editor(request.user, pk)
    meeting = acc.meeting
    minutes = (Minutes.objects.filter(meeting=meeting).prefetch_related("checkers")
               .select_related("approved_by").first())
    if minutes is None:
        return render(request, "meetings/minutes.html", {"meeting": meeting, "minutes": None})
    items = selectors.agenda_items(meeting, with_attachments=False)
    editable = minutes.status in (MinutesStatus.DRAFT, MinutesStatus.WITH_CHECKERS)
    form = MinutesForm(request.POST or None, items=items,
                       people=selectors.checker_choices(meeting),
                       checkers_editable=minutes.status == MinutesStatus.DRAFT,
                       initial={"summary": minutes.summary,
                                "checkers": list(minutes.checkers.all())})
    if request.method == "POST" and editable and form.is_valid():
        try:
            with transaction.atomic():
                services.minutes_update(
                    actor=request.user, minutes=minutes, summary=form.cleaned_data["summary"],
                    checkers=(list(form.cleaned_data["checkers"])
                              if minutes.status == MinutesStatus.DRAFT else None))
                by_pk = {i.pk: i for i in items}
                for item_pk, changes in form.item_changes().items():
                    services.agenda_item_update(actor=request.user, item=by_pk[item_pk],
                                                changes=changes, reason=_("Minutes written"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect("meetings:minutes", pk=meeting.pk)
    return render(request, "meetings/minutes.html", {
        "meeting": meeting, "minutes": minutes, "form": form, "editable": editable,
    })


MINUTES_ACTIONS = {"create", "send", "return", "approve", "publish"}


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
            services.minutes_create(actor=request.user, meeting=meeting)
        elif minutes is None:
            raise Http404
        elif action == "send":
            services.minutes_send_to_checkers(actor=request.user, minutes=minutes)
        elif action == "approve" or action == "return":
            if acc.person is None or not minutes.checkers.filter(pk=acc.person.pk).exists():
                raise ValidationError(_("Only a chosen minute checker can do that."))
            if action == "approve":
                services.minutes_approve(actor=request.user, minutes=minutes, checker=acc.person)
            else:
                services.minutes_return(actor=request.user, minutes=minutes)
        else:
            services.minutes_publish(actor=request.user, minutes=minutes)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, {
            "create": _("The minutes are started."),
            "send": _("The minutes are sent to the minute checkers."),
            "approve": _("You have approved the minutes."),
            "return": _("The minutes are sent back for changes."),
        }.get(action, _("The minutes are published.")))
    if acc.can_edit:
        return redirect("meetings:minutes", pk=meeting.pk)
    return redirect(meeting)


# --- the coordinator's year plan --------------------------------------------------------

@gateway
def plan_index(request: HttpRequest) -> HttpResponse:
    """The bodies to plan, per structure, for this year and the next."""
    access.plan_year_allowed(request.user)
    year = timezone.localdate().year
    bodies = list(Body.objects.select_related("structure").order_by("structure__name",
                                                                     "position", "name"))
    return render(request, "meetings/plan_index.html", {"bodies": bodies, "years": [year,
                                                                                    year + 1]})


@gateway
def plan_body(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Plan a body's year: add a meeting or a series; the minimum and mix are checked."""
    access.plan_year_allowed(request.user)
    if not 2000 <= year <= 2200:
        raise Http404
    body = get_object_or_404(Body.objects.select_related("structure"), slug=slug)
    which = request.POST.get("form") if request.method == "POST" else None
    meeting_form = MeetingForm(request.POST if which == "meeting" else None, body=body,
                               prefix="m")
    series_form = SeriesForm(request.POST if which == "series" else None, body=body, prefix="s",
                             initial={"first_day": dt.date(year, 1, 1)})
    if which == "meeting" and meeting_form.is_valid():
        try:
            services.meeting_plan(actor=request.user, body=body, **meeting_form.changes())
        except ValidationError as exc:
            apply_errors(meeting_form, exc)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("meetings:plan", slug=slug, year=year)
    if which == "series" and series_form.is_valid():
        d = series_form.cleaned_data
        try:
            _created, series = services.meeting_series_create(
                actor=request.user, body=body, kind=d["kind"], place=d["place"],
                video_url=d["video_url"], is_public=d["is_public"],
                series=services.SeriesRequest(
                    frequency=d["frequency"], first_day=d["first_day"], time=d["time"],
                    duration=dt.timedelta(minutes=d["duration_minutes"]), interval=d["interval"],
                    weekday=d["weekday"], week_of_month=d["week_of_month"], count=d["count"],
                    until=d["until"]))
        except ValidationError as exc:
            apply_errors(series_form, exc)
        else:
            messages.success(request, ngettext("%(count)d meeting is planned.",
                                               "%(count)d meetings are planned.",
                                               len(series.starts))
                             % {"count": len(series.starts)})
            for day, name in series.skipped:
                messages.info(request, _("%(day)s is skipped: %(holiday)s.")
                              % {"day": plain_date(day), "holiday": name})
            return redirect("meetings:plan", slug=slug, year=year)
    return render(request, "meetings/plan.html", {
        "plan": selectors.body_plan(body, year), "body": body, "year": year,
        "meeting_form": meeting_form, "series_form": series_form,
        "years": [year - 1, year + 1],
    })


@gateway
def plan_shortfalls(request: HttpRequest, year: int) -> HttpResponse:
    """The bodies below their minimum, or without the required mix, for a year."""
    access.plan_year_allowed(request.user)
    return render(request, "meetings/shortfalls.html", {
        "year": year, "shortfalls": selectors.plan_shortfalls(year), "years": [year - 1, year + 1],
    })
