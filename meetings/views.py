"""The meeting pages: a meeting, its agenda, absence, attendance and minutes, and the
coordinator's year plan. Each view loads through ``access``, calls one service and
renders or redirects."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.models import Body
from halsam.concurrency import StaleEdit, show_stale
from halsam.formats.dates import plain_date
from halsam.validators import FIRST_YEAR, LAST_YEAR

from . import access, notice_preview, rules, selectors, series_text, services
from .forms import (
    AttendanceForm,
    CancelForm,
    MeetingForm,
    SeriesForm,
    apply_errors,
)
from .models import AgendaAttachment


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
        "notice": notice_preview.notice_state(meeting) if acc.can_edit else None,
        "can_report_absence": (acc.can_report_absence and page.own_absence is None
                               and meeting.status in rules.MEETING_OPEN
                               and meeting.start > timezone.now()),
        "can_withdraw_absence": (page.own_absence is not None
                                 and meeting.status in rules.MEETING_OPEN
                                 and meeting.start > timezone.now()),
    })


@gateway
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A paper of the agenda, for those who see the meeting's papers."""
    acc = access.meeting_for_member(request.user, pk)
    attachment = get_object_or_404(AgendaAttachment, pk=attachment_pk, item__meeting=acc.meeting)
    return FileResponse(attachment.file.open("rb"), as_attachment=False,
                        filename=attachment.file.name.rsplit("/", 1)[-1],
                        content_type=attachment.content_type or "application/octet-stream")


# Absence (förhinder): meetings/absence_views.py.


# The notice's preview and send: meetings/notice_views.py.


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
    form.setup_token(meeting)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.meeting_update(actor=request.user, meeting=meeting,
                                              changes=form.changes(), seen=form.seen())
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, notice_preview.change_message(
                getattr(changed, "notified", None)))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@gateway
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a meeting (with a reason); those notified get a cancellation."""
    acc = access.meeting_for_editor(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.meeting_cancel(actor=request.user, meeting=acc.meeting,
                                                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, notice_preview.cancel_message(
                getattr(cancelled, "notified", None)))
            return redirect(acc.meeting)
    return render(request, "meetings/cancel.html", {"form": form, "meeting": acc.meeting})


# --- agenda: meetings/agenda_views.py ----------------------------------------------------

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


# minutes_edit and minutes_action live in meetings/minutes_views.py (with the checker's
# page and the PDFs).


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
    if not FIRST_YEAR <= year <= LAST_YEAR:  # the <year:…> converter holds it too
        raise Http404
    body = get_object_or_404(Body.objects.select_related("structure"), slug=slug)
    which = request.POST.get("form") if request.method == "POST" else None
    meeting_form = MeetingForm(request.POST if which == "meeting" else None, body=body,
                               prefix="m")
    series_form = SeriesForm(request.POST if which == "series" else None, body=body, prefix="s",
                             initial={"first_day": dt.date(year, 1, 1)}, year=year)
    if which == "meeting" and meeting_form.is_valid():
        try:
            planned = services.meeting_plan(actor=request.user, body=body,
                                            **meeting_form.changes())
        except ValidationError as exc:
            apply_errors(meeting_form, exc)
        else:
            items = planned.items.count()
            messages.success(request, ngettext(
                "The meeting on %(day)s is planned; its agenda starts with %(n)d item from "
                "the body's standard agenda.",
                "The meeting on %(day)s is planned; its agenda starts with %(n)d items from "
                "the body's standard agenda.", items)
                % {"day": plain_date(planned.start), "n": items} if items
                else _("The meeting on %(day)s is planned.") % {"day": plain_date(planned.start)})
            return redirect("meetings:plan", slug=slug, year=year)
    if which == "series" and series_form.is_valid():
        d = series_form.cleaned_data
        try:
            created, series = services.meeting_series_create(
                actor=request.user, body=body, kind=d["kind"], place=d["place"],
                video_url=d["video_url"], is_public=d["is_public"],
                series=services.SeriesRequest(**series_form.series_request()))
        except ValidationError as exc:
            apply_errors(series_form, exc)
        else:
            # The count is what was created; the total is what the page's check counts.
            total = selectors.body_plan(body, year).check.counted
            messages.success(request, series_text.planned(count=len(created), body=body.name,
                                                          year=year, total=total))
            for dropped, text in series_text.changes(series):
                (messages.warning if dropped else messages.info)(request, text)
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
        "year": year, "shortfalls": selectors.plan_shortfalls(year),
        # the neighbours within the years the URL takes (issue 12 §6)
        "years": [y for y in (year - 1, year + 1) if FIRST_YEAR <= y <= LAST_YEAR],
    })
