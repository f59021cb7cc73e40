"""The year calendar of a structure's meetings: ``/kalender/`` (this year) and
``/kalender/<year>/``, month by month as pictures with the meetings listed under each;
and one meeting as a calendar file, ``/moten/<id>/kalender.ics`` ("Lägg till i kalender").

Everyone sees the public meetings; members also their bodies' meetings, coordinators and
staff every meeting (``access.visible_meetings_q``). ``?struktur=<slug>`` picks another
structure than the default one.
"""
from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dates, timezone
from django.views.decorators.http import require_safe

from governance import selectors as governance_selectors
from halsam.validators import FIRST_YEAR, LAST_YEAR

from . import access, calendar, month_calendar, selectors


def year_calendar(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The twelve months of ``year`` (default: this year) with the structure's meetings."""
    today = timezone.localdate()
    year = year or today.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("year out of range")
    structures = governance_selectors.structure_list()
    slug = request.GET.get("struktur", "")
    if slug:
        structure = next((s for s in structures if s.slug == slug), None)
        if structure is None:
            raise Http404("no such structure")
    else:
        structure = governance_selectors.structure_default()
    if structure is None:
        return render(request, "governance/empty.html")
    meetings = selectors.calendar_meetings(structure.pk, year,
                                           access.visible_meetings_q(request.user))
    months = month_calendar.year_calendar(year, meetings, today)
    query = f"?struktur={structure.slug}" if slug else ""
    return render(request, "meetings/calendar.html", {
        "structure": structure, "structures": structures, "year": year, "months": months,
        "count": sum(1 for m in meetings if not m.cancelled), "query": query,
        "previous": year - 1 if year > FIRST_YEAR else None,
        "next": year + 1 if year < LAST_YEAR else None,
        "this_year": today.year,
        "weekdays": [(dates.WEEKDAYS_ABBR[i], x) for i, x in month_calendar.weekday_columns()],
        "month_names": dates.MONTHS,
        "is_member_view": request.user.is_authenticated,
    })


@require_safe
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """/moten/<id>/kalender.ics: the meeting as a calendar file, for whoever may see the
    meeting; the video link only for those who see it on the meeting page (3 queries)."""
    try:
        acc = access.meeting_for_user(request.user, pk)
    except access.LoginRequired:
        return redirect_to_login(request.get_full_path())
    meeting = acc.meeting
    response = HttpResponse(calendar.single(meeting, with_video=acc.sees_all),
                            content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(meeting.start).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{meeting.body.slug}-{day}.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
