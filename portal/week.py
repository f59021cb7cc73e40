"""The coordinator's start page "Min vecka" (``/samordning/``) and the offices overview
(``/samordning/ordforandeskap/``).

"Min vecka" gathers what needs the coordinator from every app, grouped per body, each
row with its action one click away: the coming meetings and their notices, absences
and substitutes, minutes waiting for approval or publication, document versions in
review, elections and follow-ups due, and the rule checks' findings explained in words
with a link to the rule's text. ``week_page`` is the selector: a fixed number of
queries whatever the number of bodies, meetings and documents
(tests/portal/test_week.py asserts it).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from governance import checks, election_source, reminders
from governance.forms_public import DashboardFilterForm
from governance.models import Body, Membership
from governance.rule_texts import RuleText, rule_text
from halsam.formats.dates import plain_date, short_date, short_date_time

from .rows import Status, meeting_rows

COMING_DAYS = 21             # coming meetings shown
ABSENCE_RECENT_DAYS = 7      # absences reported this recently, even for a past meeting
MINUTES_LOOK_BACK_DAYS = 120  # meetings this old without published minutes are shown
ELECTION_URGENT_DAYS = 14    # an election due this soon is urgent

SECTIONS = (
    ("meetings", gettext_lazy("Coming meetings")),
    ("absences", gettext_lazy("Absences")),
    ("minutes", gettext_lazy("Minutes waiting")),
    ("documents", gettext_lazy("Documents in review")),
    ("followups", gettext_lazy("Elections and follow-ups")),
    ("findings", gettext_lazy("Findings of the rule checks")),
)

# The counts at the top read "1 avvikelse i regelkontrollen", "2 avvikelser …": each
# section's words in the number's own form (the headings above are SECTIONS).
COUNT_LABELS = {
    "meetings": ngettext_lazy("coming meeting", "coming meetings", "n"),
    "absences": ngettext_lazy("absence", "absences", "n"),
    "minutes": ngettext_lazy("minutes waiting", "minutes waiting", "n"),
    "documents": ngettext_lazy("document in review", "documents in review", "n"),
    "followups": ngettext_lazy("election or follow-up", "elections and follow-ups", "n"),
    "findings": ngettext_lazy("finding of the rule checks", "findings of the rule checks", "n"),
}

# "(H11, seed 000)" and "(rotationsregeln)" in the rule module's sentences: the page
# shows the rule as a link of its own instead.
_SOURCE = re.compile(r"\s*\((?:[A-Z]\d{1,3}, seed \d{3}|rotationsregeln|[A-Z]\d{1,3})\)")


@dataclass
class Entry:
    """One row of the week: what it is about, its state, and the action that settles it."""

    section: str
    title: str
    detail: str = ""
    url: str = ""
    when: dt.datetime | dt.date | None = None
    status: Status | None = None
    action_label: str = ""
    action_url: str = ""
    action_post: bool = False  # the action is a form post (send the notice)
    rule_id: str = ""
    rule: RuleText | None = None
    needs_action: bool = False
    urgent: bool = False

    @property
    def when_label(self) -> str:
        """"tors 4 feb kl. 13.00" for a meeting, "tors 4 feb" for a day."""
        if self.when is None:
            return ""
        if isinstance(self.when, dt.datetime):
            return short_date_time(self.when)
        return short_date(self.when)


@dataclass
class BodyGroup:
    body: Body
    sections: dict[str, list[Entry]] = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        self.sections.setdefault(entry.section, []).append(entry)

    @property
    def entries(self) -> list[Entry]:
        return [e for key, _label in SECTIONS for e in self.sections.get(key, [])]

    @property
    def parts(self) -> list[tuple[str, str, list[Entry]]]:
        """(key, heading, entries) of the sections that have entries, in page order."""
        return [(key, str(label), self.sections[key]) for key, label in SECTIONS
                if self.sections.get(key)]

    @property
    def action_count(self) -> int:
        return sum(1 for e in self.entries if e.needs_action)

    @property
    def urgent_count(self) -> int:
        return sum(1 for e in self.entries if e.urgent)


@dataclass
class Count:
    key: str
    label: str
    total: int
    action: int
    urgent: int


@dataclass
class WeekPage:
    on: dt.date
    groups: list[BodyGroup]
    urgent: list[tuple[Body, Entry]]
    counts: list[Count]
    action_only: bool


def _rule(rule_id: str) -> RuleText | None:
    return rule_text(rule_id) if rule_id else None


def _admin(name: str, *args, query: dict | None = None) -> str:
    url = reverse(f"admin:governance_{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _body_filter(prefix: str, structure_slug: str | None, kind: str | None) -> Q:
    q = Q()
    if structure_slug:
        q &= Q(**{f"{prefix}structure__slug": structure_slug})
    if kind:
        q &= Q(**{f"{prefix}kind": kind})
    return q


# --- the sections -----------------------------------------------------------------------

def _meetings(now: dt.datetime, bodies: Q) -> list[tuple[Body, Entry]]:
    from meetings.models import Meeting, MeetingStatus

    # Whole days: a meeting on the 21st day counts whatever the hour now.
    last_day = timezone.localdate(now) + dt.timedelta(days=COMING_DAYS + 1)
    until = timezone.make_aware(dt.datetime.combine(last_day, dt.time.min))
    rows = meeting_rows(
        Meeting.objects.filter(bodies, start__gte=now, start__lt=until)
        .exclude(status=MeetingStatus.CANCELLED).order_by("start", "pk"), now=now)
    out = []
    for row in rows:
        m = row.meeting
        parts = [row.agenda_label]
        if row.failed:
            parts.append(ngettext("%(n)d notice could not be delivered",
                                  "%(n)d notices could not be delivered", row.failed)
                         % {"n": row.failed})
        status = row.notice
        if row.can_send:
            # To the preview: a notice is sent only after a look at it (issue 11).
            action = (row.send_label, reverse("meetings:notice_preview", args=[m.pk]), False)
        else:
            action = (_("Open the meeting"), m.get_absolute_url(), False)
        out.append((m.body, Entry(
            section="meetings", title=m.display_title, url=m.get_absolute_url(),
            when=m.start, status=status, detail=", ".join(parts),
            action_label=action[0], action_url=action[1], action_post=action[2],
            needs_action=status.needs_action or row.failed > 0,
            urgent=status.urgent or row.failed > 0)))
    return out


def _absences(now: dt.datetime, bodies: Q) -> list[tuple[Body, Entry]]:
    from meetings.models import Absence, MeetingStatus

    absences = (Absence.objects.filter(_prefixed(bodies, "meeting__"))
                .exclude(meeting__status=MeetingStatus.CANCELLED)
                .filter(Q(meeting__end__gte=now)
                        | Q(reported_at__gte=now - dt.timedelta(days=ABSENCE_RECENT_DAYS)))
                .select_related("meeting__body__structure", "person", "substitute")
                .order_by("meeting__start", "reported_at", "pk"))
    out = []
    for a in absences:
        coming = a.meeting.end >= now
        if a.substitute_id:
            status = Status("substitute", _("Substitute called in: %(name)s")
                            % {"name": a.substitute.name}, "success")
        elif coming:
            status = Status("no_substitute", _("No substitute called in"), "warning",
                            needs_action=True, urgent=True)
        else:
            status = Status("no_substitute", _("No substitute was called in"), "neutral")
        out.append((a.meeting.body, Entry(
            section="absences", title=a.person.name, url=a.meeting.get_absolute_url(),
            when=a.meeting.start, status=status,
            detail=_("Reported absence from %(meeting)s") % {
                "meeting": a.meeting.display_title},
            action_label=_("Open the meeting"),
            action_url=a.meeting.get_absolute_url() + "#attendance-h",
            needs_action=status.needs_action, urgent=status.urgent)))
    return out


def _minutes(now: dt.datetime, bodies: Q) -> list[tuple[Body, Entry]]:
    from meetings.models import Meeting, MeetingStatus

    rows = meeting_rows(
        Meeting.objects.filter(bodies, start__lt=now,
                               start__gte=now - dt.timedelta(days=MINUTES_LOOK_BACK_DAYS))
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.MINUTES_PUBLISHED])
        .order_by("start", "pk"), now=now)
    out = []
    for row in rows:
        if row.minutes is None or not row.minutes.needs_action:
            continue
        m = row.meeting
        due = (_("To be published by %(day)s") if row.minutes.code == "approved"
               else _("To be approved by %(day)s")) % {"day": plain_date(row.minutes_due)}
        out.append((m.body, Entry(
            section="minutes", title=m.display_title, url=m.get_absolute_url(), when=m.start,
            status=row.minutes, detail=due, action_label=_("Minutes"),
            action_url=reverse("meetings:minutes", args=[m.pk]),
            needs_action=True, urgent=row.minutes.urgent)))
    return out


def _documents(bodies: Q) -> list[tuple[Body, Entry]]:
    from documents.models import DocumentVersion, VersionStatus

    versions = (DocumentVersion.objects.filter(_prefixed(bodies, "document__owner_body__"),
                                               status=VersionStatus.IN_REVIEW)
                .select_related("document__owner_body__structure", "uploaded_by")
                .order_by("uploaded_at", "pk"))
    return [_document_entry(v) for v in versions]


def _document_entry(v) -> tuple[Body, Entry]:
    from documents.models import VersionStatus
    from documents.views import STEP_OF

    who = ""
    if v.uploaded_by is not None:
        who = v.uploaded_by.get_full_name() or v.uploaded_by.get_username()
    return (v.document.owner_body, Entry(
        section="documents",
        title=_("%(title)s, version %(number)d") % {"title": v.document.title,
                                                    "number": v.number},
        url=v.document.get_absolute_url(), when=v.uploaded_at,
        status=Status("in_review", str(VersionStatus.IN_REVIEW.label), "warning",
                      needs_action=True),
        detail=(_("Uploaded by %(name)s") % {"name": who}) if who else "",
        action_label=_("Review and approve"),
        action_url=reverse("documents:transition", kwargs={
            "pk": v.document_id, "number": v.number,
            "step": STEP_OF[VersionStatus.APPROVED]}),
        needs_action=True))


def awaiting_approval(user) -> list[tuple[Body, Entry]]:
    """The document versions in review that ``user`` may approve (documents.review;
    one query more), for the row group "Under granskning" at the top of the page."""
    from documents.review import awaiting_approval as versions_for

    return [_document_entry(v) for v in versions_for(user)]


def _elections(statuses: list[checks.BodyStatus], on: dt.date) -> list[tuple[Body, Entry]]:
    out = []
    for s in statuses:
        due = s.election
        if due is None:
            continue
        days = (due.due_by - on).days
        if days < 0:
            status = Status("overdue", _("Overdue"), "danger", True, True)
        elif days <= ELECTION_URGENT_DAYS:
            status = Status("soon", _("Due soon"), "warning", True, True)
        else:
            status = Status("coming", _("Coming"), "info", True)
        when = (_("at the last meeting of the year, by %(day)s")
                if due.at == "last_meeting_of_previous_year"
                else _("by %(day)s")) % {"day": plain_date(due.due_by)}
        detail = _("The chair and the other offices are elected %(when)s.") % {"when": when}
        # H13: due at the meeting carrying the election item, and recorded from there.
        held_at = s.election_meeting if due.for_period == s.next_period else None
        if held_at is not None:
            detail = (_("The election should have taken place at the meeting on %(day)s: "
                        "record who was elected.") if days < 0
                      else _("The chair and the other offices are elected at the meeting on "
                             "%(day)s.")) % {"day": plain_date(due.due_by)}
        out.append((s.body, Entry(
            section="followups",
            title=_("Election of the offices for %(period)s") % {"period": due.for_period.label},
            detail=detail,
            url=reverse("portal:offices") + f"#body-{s.body.slug}", when=due.due_by,
            status=status, rule_id=due.rule_id, rule=_rule(due.rule_id),
            action_label=_("Record the election"),
            action_url=held_at.url if held_at is not None and held_at.url else _admin(
                "officeterm_add", query={
                    "body": s.body.pk, "office": "chair",
                    "start": due.for_period.start.isoformat(),
                    "end": due.for_period.end.isoformat()}),
            needs_action=True, urgent=status.urgent)))
    return out


def _followups(on: dt.date, structure_slug: str | None, by_slug: dict[str, Body]
               ) -> list[tuple[Body, Entry]]:
    """Vacancies, memberships ended without a successor and seats held by virtue of
    office to confirm for a new term (governance.reminders), each with its admin page."""
    vacancies = reminders.vacancies(on=on, structure_slug=structure_slug)
    ended = reminders.ended_without_successor(on=on, structure_slug=structure_slug)
    terms = reminders.term_change(on=on, structure_slug=structure_slug)
    # The reminders' keys are stable by contract: "vacancy:<seat>:…", "ended:<membership>",
    # "term:<term>:<membership>".
    ended_ids = [int(r.key.split(":")[1]) for r in ended]
    seat_of = dict(Membership.objects.filter(pk__in=ended_ids).values_list("pk", "seat_id"))
    out = []
    for r in vacancies + ended + terms:
        body = by_slug.get(r.body_slug)
        if body is None:
            continue
        parts = r.key.split(":")
        if r.kind == "vacancy":
            label, url = _("Fill the seat"), _admin("seat_change", int(parts[1]))
        elif r.kind == "ended_without_successor":
            label, url = (_("Record a successor"),
                          _admin("seat_change", seat_of.get(int(parts[1]), 0)))
        else:
            label, url = _("Confirm the membership"), _admin("membership_change", int(parts[2]))
        kind_label = {"vacancy": _("Vacant seat"),
                      "ended_without_successor": _("No successor"),
                      "term_change": _("New term of office")}.get(r.kind, _("To do"))
        out.append((body, Entry(
            section="followups", title=kind_label, detail=_SOURCE.sub("", r.message),
            when=r.due, status=Status(r.kind, kind_label, "warning", True),
            rule_id=r.rule, rule=_rule(r.rule), action_label=label, action_url=url,
            needs_action=True)))
    return out


def finding_status(f: checks.Finding) -> Status:
    """A rule check's finding as a status: a breach is urgent, a warning is to look into."""
    if f.severity == "error":
        return Status("error", _("Breaks the agreement"), "danger", True, True)
    if f.severity == "warning":
        return Status("warning", _("To look into"), "warning", True)
    return Status("info", _("Info"), "info")


def _findings(statuses: list[checks.BodyStatus], on: dt.date, by_pk: dict[int, Body]
              ) -> list[tuple[Body, Entry]]:
    from meetings.selectors import plan_shortfalls

    out = []
    for s in statuses:
        for f in s.findings:
            if f.kind == "election_due":
                continue
            error = f.severity == "error"
            status = finding_status(f)
            if f.kind == "rule_error":
                # The rule itself is wrong, not what is recorded: a task, not a breach.
                error = False
                status = Status("rule_error", _("The rule cannot be read"), "warning", True)
                action = (_("Correct the rule"), _admin("body_change", s.body.pk))
            else:
                action = (_("See the offices"),
                          reverse("portal:offices") + f"#body-{s.body.slug}")
            rule = _rule(f.rule)
            out.append((s.body, Entry(
                section="findings", title=rule.title if rule else _("Rotation rule"),
                detail=_SOURCE.sub("", f.message), status=status, rule_id=f.rule, rule=rule,
                action_label=action[0], action_url=action[1],
                needs_action=True, urgent=error)))
    for shortfall in plan_shortfalls(on.year):
        body = by_pk.get(shortfall.body.pk)
        if body is None:
            continue
        for finding, message in zip(shortfall.check.findings, shortfall.messages, strict=True):
            rule = _rule(finding.rule_id)
            # A recommended minimum (H14) not reached is advice, not a task.
            advice = finding.severity == "info"
            out.append((body, Entry(
                section="findings", title=rule.title if rule else _("The year's meetings"),
                detail=message, rule_id=finding.rule_id, rule=rule,
                status=(Status("plan_advice", _("Recommendation"), "info") if advice
                        else Status("plan", _("The year's plan"), "warning", True)),
                action_label=_("Open the year plan"),
                action_url=reverse("meetings:plan", args=[body.slug, on.year]),
                needs_action=not advice)))
    return out


def _prefixed(q: Q, prefix: str) -> Q:
    """A filter on a meeting's body (``body__…``) moved to another path (``meeting__body__…``)."""
    out = Q()
    for child in q.children:
        key, value = child
        out &= Q(**{prefix + key: value})
    return out


def week_page(*, now: dt.datetime | None = None, structure_slug: str | None = None,
              kind: str | None = None, action_only: bool = False) -> WeekPage:
    """Everything "Min vecka" shows, grouped per body (a fixed number of queries)."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    statuses = checks.body_statuses(on=on, structure_slug=structure_slug, kind=kind)
    by_pk = {s.body.pk: s.body for s in statuses}
    by_slug = {s.body.slug: s.body for s in statuses}
    bodies = _body_filter("body__", structure_slug, kind)
    pairs = (_meetings(now, bodies) + _absences(now, bodies) + _minutes(now, bodies)
             + _documents(_body_filter("", structure_slug, kind)) + _elections(statuses, on)
             + _followups(on, structure_slug, by_slug) + _findings(statuses, on, by_pk))

    groups: dict[int, BodyGroup] = {}
    totals: dict[str, list[int]] = {key: [0, 0, 0] for key, _label in SECTIONS}
    for body, entry in pairs:
        total = totals[entry.section]
        total[0] += 1
        total[1] += entry.needs_action
        total[2] += entry.urgent
        if action_only and not entry.needs_action:
            continue
        groups.setdefault(body.pk, BodyGroup(body=body)).add(entry)
    order = {s.body.pk: i for i, s in enumerate(statuses)}
    ordered = sorted(groups.values(),
                     key=lambda g: (order.get(g.body.pk, len(order)), g.body.name))
    urgent = [(g.body, e) for g in ordered for e in g.entries if e.urgent]
    urgent.sort(key=lambda pair: _sort_time(pair[1].when))
    counts = [Count(key=key, label=str(COUNT_LABELS[key] % {"n": totals[key][0]}),
                    total=totals[key][0], action=totals[key][1], urgent=totals[key][2])
              for key, _label in SECTIONS]
    return WeekPage(on=on, groups=ordered, urgent=urgent, counts=counts,
                    action_only=action_only)


def _sort_time(value: dt.date | dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time.min, tzinfo=dt.UTC)


# --- the views --------------------------------------------------------------------------

@login_required
@permission_required("governance.coordinate", raise_exception=True)
def week(request: HttpRequest) -> HttpResponse:
    """Min vecka: counts at the top, the urgent rows, then every body's rows in a
    collapsed group; filtered by structure, level and "only what needs action"."""
    form = DashboardFilterForm(request.GET or None)
    structure_slug, kind, action_only = form.filters()
    page = week_page(structure_slug=structure_slug, kind=kind, action_only=action_only)
    return render(request, "portal/week.html", {
        "form": form, "page": page, "coming_days": COMING_DAYS,
        "awaiting_approval": awaiting_approval(request.user),
        "filtered": bool(structure_slug or kind or action_only),
    })


@login_required
@permission_required("governance.coordinate", raise_exception=True)
def offices(request: HttpRequest) -> HttpResponse:
    """Per body with a rotation rule: who holds each office now, what the rule requires
    this period and the next, who is elected for the next and who is eligible."""
    form = DashboardFilterForm(request.GET or None)
    structure_slug, kind, _action = form.filters()
    on = timezone.localdate()
    statuses = [s for s in checks.body_statuses(on=on, structure_slug=structure_slug, kind=kind)
                if s.offices or s.findings]
    for s in statuses:
        s.findings_shown = [(finding_status(f), _SOURCE.sub("", f.message), f.rule, _rule(f.rule))
                            for f in s.findings]
    # "Vald vid mötet den …" beside each holder (H13; one query).
    election_source.annotate_terms(t for s in statuses for row in s.offices
                                   for t in [*row.holders, *row.next_holders])
    return render(request, "portal/offices.html", {"form": form, "statuses": statuses, "on": on})
