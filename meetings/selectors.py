"""Reads the meeting pages need, each with its joins and a fixed number of queries.

No function here issues more queries when a meeting has more items, attendees or
absences, or a year more meetings (tests/meetings/test_views.py asserts it).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.models import Body, Membership, MembershipRole, Person, StrategicArea

from . import papers, rules
from .access import MeetingAccess
from .models import (
    Absence,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)

# --- the meeting page -------------------------------------------------------------------

@dataclass
class Participant:
    person: Person
    role: str
    seat_title: str
    absent: bool = False
    substitute: Person | None = None  # called in for this person
    in_place_of: Person | None = None  # this person comes for someone
    attended: bool | None = None


@dataclass
class MeetingPage:
    access: MeetingAccess
    meeting: Meeting
    items: list[AgendaItem]
    participants: list[Participant] = field(default_factory=list)
    minutes: Minutes | None = None
    show_minutes: bool = False
    failed: list = field(default_factory=list)
    own_absence: Absence | None = None


def agenda_items(meeting: Meeting, *, with_attachments: bool) -> list[AgendaItem]:
    """The agenda in order; ``with_attachments``: each item's ``papers`` too, uploads and
    register documents (``meetings.papers``), in a fixed number of queries."""
    from .elections import annotate_items

    qs = AgendaItem.objects.filter(meeting=meeting).select_related("prepares_for").order_by(
        "position", "id")
    # Each election item's recorded election (H13): ``item.election_record``.
    if with_attachments:
        return annotate_items(papers.annotate(qs))
    return annotate_items(list(qs))


def participants(meeting: Meeting) -> list[Participant]:
    """Everyone called to the meeting, with absences, substitutes and attendance (3 queries)."""
    on = timezone.localtime(meeting.start).date()
    body_ids = [meeting.body_id, *[b.pk for b in meeting.guest_bodies.all()]]
    memberships = (Membership.objects.active_on(on).filter(seat__body_id__in=body_ids)
                   .exclude(role=MembershipRole.SECRETARY)
                   .select_related("person", "seat").order_by("seat__body_id", "seat__position",
                                                             "role", "person__last_name"))
    absences = {a.person_id: a for a in Absence.objects.filter(meeting=meeting)
                .select_related("person", "substitute")}
    attendance = {a.person_id: a.attended for a in Attendance.objects.filter(meeting=meeting)}
    stand_ins = {a.substitute_id: a.person for a in absences.values() if a.substitute_id}
    seen: set[int] = set()
    out: list[Participant] = []
    for m in memberships:
        if m.person_id in seen:
            continue
        seen.add(m.person_id)
        absence = absences.get(m.person_id)
        out.append(Participant(
            person=m.person, role=m.role, seat_title=m.seat.title, absent=absence is not None,
            substitute=absence.substitute if absence else None,
            in_place_of=stand_ins.get(m.person_id), attended=attendance.get(m.person_id)))
    return out


def meeting_page(access: MeetingAccess) -> MeetingPage:
    """Everything the meeting page shows to this viewer, loaded in a fixed number of queries."""
    meeting = access.meeting
    page = MeetingPage(access=access, meeting=meeting,
                       items=agenda_items(meeting, with_attachments=access.sees_all))
    minutes = (Minutes.objects.filter(meeting=meeting).select_related("approved_by")
               .prefetch_related("checkers", "signatures__person").first())
    page.minutes = minutes
    if minutes is not None:
        # Everyone who approved (justerat), not only the last of the checkers.
        from halsam.text import join_names

        minutes.signer_names = join_names([s.person for s in minutes.round_signatures()])
        page.show_minutes = (minutes.status == MinutesStatus.PUBLISHED or access.can_edit
                             or (access.person is not None
                                 and any(c.pk == access.person.pk for c in minutes.checkers.all())))
    if access.sees_all:
        page.participants = participants(meeting)
        if access.person is not None:
            page.own_absence = next((Absence(person=p.person, substitute=p.substitute)
                                     for p in page.participants
                                     if p.absent and p.person.pk == access.person.pk), None)
    if access.is_coordinator or access.is_secretary:
        page.failed = deliveries_failed(meeting)
    return page


def deliveries_failed(meeting: Meeting) -> list:
    try:
        from .delivery import deliveries_failed as failed
    except ImportError:  # the notices side is not installed yet
        return []
    return list(failed(meeting))


# --- the year plan ----------------------------------------------------------------------

@dataclass
class BodyPlan:
    body: Body
    year: int
    meetings: list[Meeting]
    check: rules.PlanCheck
    messages: list[str]


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime(year, 1, 1, tzinfo=rules.STOCKHOLM),
            dt.datetime(year + 1, 1, 1, tzinfo=rules.STOCKHOLM))


def _planned_by_body(bodies: Iterable[Body], year: int
                     ) -> dict[int, tuple[list[rules.PlannedMeeting], list[rules.PlannedMeeting]]]:
    """Per body, the year's own meetings and the shared ones that count for it (2 queries).

    A body's own meetings count for everything; a meeting where it is a guest, or of
    the joint seminar body its rule names (J2), counts for the seminar/joint mix only.
    """
    bodies = list(bodies)
    start, end = _year_range(year)
    by_slug: dict[str, list[int]] = defaultdict(list)
    for b in bodies:
        slug = (b.meeting_rule or {}).get("joint_seminar_body")
        if slug:
            by_slug[slug].append(b.pk)
    ids = [b.pk for b in bodies]
    rows = list(Meeting.objects.filter(start__gte=start, start__lt=end)
                .filter(Q(body_id__in=ids) | Q(body__slug__in=list(by_slug)))
                .values_list("pk", "body_id", "body__slug", "start", "kind", "area__code",
                             "status"))
    guests = list(Meeting.guest_bodies.through.objects.filter(
        body_id__in=ids, meeting__start__gte=start, meeting__start__lt=end)
        .values_list("meeting_id", "body_id", "meeting__start", "meeting__kind",
                     "meeting__area__code", "meeting__status"))
    own: dict[int, list[rules.PlannedMeeting]] = {pk: [] for pk in ids}
    shared: dict[int, dict[int, rules.PlannedMeeting]] = {pk: {} for pk in ids}
    shared_kinds = ("seminar", "joint")
    for pk, body_id, slug, when, kind, area, status in rows:
        planned = rules.PlannedMeeting(start=when, kind=kind, area=area,
                                       cancelled=status == MeetingStatus.CANCELLED)
        if body_id in own:
            own[body_id].append(planned)
        for other in by_slug.get(slug, []):
            if other != body_id and kind in shared_kinds:
                shared[other][pk] = planned
    for pk, body_id, when, kind, area, status in guests:
        if kind in shared_kinds:
            shared[body_id][pk] = rules.PlannedMeeting(
                start=when, kind=kind, area=area, cancelled=status == MeetingStatus.CANCELLED)
    return {pk: (own[pk], list(shared[pk].values())) for pk in ids}


def _check(body: Body, year: int, own: list[rules.PlannedMeeting],
           shared: list[rules.PlannedMeeting], areas: list[tuple[str, str]]) -> rules.PlanCheck:
    # The minimum counts the body's own meetings only (J2: "4 a year plus a joint seminar");
    # the mix counts shared seminars and joint meetings too.
    minimum = rules.plan_check(year=year, meetings=own, minimum=body.min_meetings_per_year,
                               rule_ids=body.rule_refs,
                               recommended=body.min_meetings_recommended)
    mix = rules.plan_check(year=year, meetings=own + shared, minimum=None,
                           meeting_rule=body.meeting_rule, areas=areas, rule_ids=body.rule_refs)
    return rules.PlanCheck(year=year, counted=minimum.counted, minimum=body.min_meetings_per_year,
                           findings=minimum.findings + mix.findings)


def _areas_by_structure(structure_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for sid, code, name in (StrategicArea.objects.filter(structure_id__in=set(structure_ids))
                            .order_by("position", "name").values_list("structure_id", "code",
                                                                      "name")):
        out[sid].append((code, name))
    return out


def finding_message(finding: rules.PlanFinding) -> str:
    p = dict(finding.params)
    if finding.code == "below_minimum":
        # Each number gets its own plural: "1 möte planerat …; minst 4 gånger per år".
        p["planned"] = ngettext("%(count)d meeting planned for %(year)d",
                                "%(count)d meetings planned for %(year)d", p["count"]) % p
        if finding.recommended:
            p["rule"] = finding.rule_id or _("the agreement")
            return ngettext(
                "%(planned)s; recommended: at least %(minimum)d meeting a year (%(rule)s).",
                "%(planned)s; recommended: at least %(minimum)d meetings a year (%(rule)s).",
                p["minimum"]) % p
        return ngettext("%(planned)s; the body must meet at least %(minimum)d time a year.",
                        "%(planned)s; the body must meet at least %(minimum)d times a year.",
                        p["minimum"]) % p
    if finding.code == "theme_missing":
        return _("No theme meeting for the strategic area %(area)s in %(year)d.") % p
    if finding.code == "joint_missing":
        return ngettext(
            "%(count)d of %(wanted)d joint meeting for all areas planned for %(year)d.",
            "%(count)d of %(wanted)d joint meetings for all areas planned for %(year)d.",
            p["wanted"]) % p
    if finding.code == "seminar_missing":
        return ngettext("%(count)d of %(wanted)d joint seminar planned for %(year)d.",
                        "%(count)d of %(wanted)d joint seminars planned for %(year)d.",
                        p["wanted"]) % p
    return finding.code


def _in_force_in_year(body: Body, year: int) -> bool:
    start, end = body.in_force_from, body.in_force_until
    return ((start is None or start <= dt.date(year, 12, 31))
            and (end is None or end >= dt.date(year, 1, 1)))


def body_plan(body: Body, year: int) -> BodyPlan:
    """A body's meetings in ``year`` and the check of its minimum and mix (5 queries)."""
    start, end = _year_range(year)
    meetings = list(Meeting.objects.filter(body=body, start__gte=start, start__lt=end)
                    .select_related("area").prefetch_related("guest_bodies").order_by("start"))
    own, shared = _planned_by_body([body], year)[body.pk]
    areas = _areas_by_structure([body.structure_id])[body.structure_id]
    check = _check(body, year, own, shared, areas)
    if not _in_force_in_year(body, year):
        # Before the body or its structure is in force (H25, J7) there is no plan to keep.
        check = rules.PlanCheck(year=year, counted=check.counted, minimum=check.minimum,
                                findings=())
    return BodyPlan(body=body, year=year, meetings=meetings, check=check,
                    messages=[finding_message(f) for f in check.findings])


@dataclass
class Shortfall:
    body: Body
    check: rules.PlanCheck
    messages: list[str]


def plan_shortfalls(year: int) -> list[Shortfall]:
    """Bodies whose plan for ``year`` is below their minimum or lacks the required mix.

    Four queries whatever the number of bodies and meetings.
    """
    bodies = list(Body.objects.in_force_in_year(year)
                  .filter(Q(min_meetings_per_year__isnull=False) | ~Q(meeting_rule={}))
                  # A body or structure that comes into force later (H25, J7) or has
                  # ended has nothing to plan that year: in_force_in_year leaves it out.
                  .select_related("structure").order_by("structure__name", "position", "name"))
    planned = _planned_by_body(bodies, year)
    areas = _areas_by_structure(b.structure_id for b in bodies)
    out = []
    for body in bodies:
        own, shared = planned[body.pk]
        check = _check(body, year, own, shared, areas[body.structure_id])
        if check.findings:
            out.append(Shortfall(body=body, check=check,
                                 messages=[finding_message(f) for f in check.findings]))
    return out


# --- lists ------------------------------------------------------------------------------

@dataclass
class BodyMeetings:
    coming: list[Meeting]
    past: list[Meeting]


def body_meetings(body: Body, *, visible: Q, now: dt.datetime | None = None,
                  limit: int = 10) -> BodyMeetings:
    """A body's coming and past meetings (its own and as a guest) in one query, as far
    as ``visible`` (``access.visible_meetings_q`` of the viewer) lets them be seen."""
    now = now or timezone.now()
    qs = Meeting.objects.filter(Q(body=body) | Q(guest_bodies=body)).filter(visible).distinct()
    window = dt.timedelta(days=400)
    rows = list(qs.filter(start__gte=now - window, start__lt=now + window)
                .select_related("body").order_by("start"))
    coming = [m for m in rows if m.end >= now][:limit]
    past = [m for m in rows if m.end < now][::-1][:limit]
    return BodyMeetings(coming=coming, past=past)


def checker_choices(meeting: Meeting) -> list[Person]:
    """Who may be chosen as minute checker (justerare): those recorded as present,
    substitutes who came included (one query)."""
    return [a.person for a in Attendance.objects.filter(meeting=meeting, attended=True)
            .select_related("person").order_by("person__last_name", "person__first_name")]


# --- the year calendar (meetings/month_calendar.py) -------------------------------------

def calendar_meetings(structure_id: int, year: int, visible: Q) -> list:
    """The meetings of the structure's bodies in ``year`` that pass ``visible`` (from
    ``access.visible_meetings_q``), as ``month_calendar.CalendarMeeting`` (one query)."""
    from .month_calendar import CalendarMeeting

    start, end = _year_range(year)
    rows = (Meeting.objects.filter(visible, body__structure_id=structure_id, start__gte=start,
                                   start__lt=end)
            .select_related("body").order_by("start", "id"))
    return [CalendarMeeting(id=m.pk, start=timezone.localtime(m.start), title=m.display_title,
                            body_name=m.body.name, url=m.get_absolute_url(),
                            cancelled=m.status == MeetingStatus.CANCELLED) for m in rows]


def next_public_meetings(structure_id: int, *, limit: int = 5,
                         now: dt.datetime | None = None) -> list[Meeting]:
    """The structure's next public meetings that are not cancelled (one query)."""
    now = now or timezone.now()
    return list(Meeting.objects.filter(body__structure_id=structure_id, is_public=True,
                                       end__gte=now)
                .exclude(status=MeetingStatus.CANCELLED)
                .select_related("body").order_by("start", "id")[:limit])
