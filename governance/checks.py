"""The rotation rules applied to what is recorded: findings, elections due, proposals.

This is the database side of ``governance.rules``: it loads the bodies, their office
holders and their members in a fixed number of queries, turns them into the rule
module's plain values and collects the results per body for the dashboard, the
``rotation --check`` command and the weekly digest.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from halsam.formats.dates import plain_date

from . import election_source, eligibility, labels, reminders, rules
from .models import Body, Membership, MembershipRole, OfficeTerm, StrategicArea
from .reminders import Reminder

ELECTION_WARNING_DAYS = 90


@dataclass
class Finding:
    """One thing the coordinator should know, with a key stable across runs."""

    key: str
    severity: str
    kind: str
    body_slug: str
    body_name: str
    message: str
    rule: str = ""
    due: dt.date | None = None


@dataclass
class OfficeRow:
    office: str
    label: str
    now: rules.Requirement | None
    next: rules.Requirement | None
    holders: list[OfficeTerm]
    # Elected for the next period (recorded ahead, H13) and what the rule says of them.
    next_holders: list[OfficeTerm] = field(default_factory=list)
    next_findings: list[Finding] = field(default_factory=list)

    @property
    def next_ok(self) -> bool:
        """Someone is recorded for the next period and the rule finds nothing wrong."""
        return bool(self.next_holders) and not self.next_findings


@dataclass
class BodyStatus:
    body: Body
    rule: rules.RotationRule | None = None
    period: rules.Period | None = None
    next_period: rules.Period | None = None
    offices: list[OfficeRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    election: rules.ElectionDue | None = None
    proposals: dict[str, list[Membership]] = field(default_factory=dict)
    # The body's rule does not apply yet (the body, its structure or the rule starts
    # later, H25, J7): ``period`` is None and ``next_period`` is the first period.
    starts_on: dt.date | None = None
    # The meeting where the election of the next period is due (H13), from meetings.
    election_meeting: election_source.ElectionMeeting | None = None

    @property
    def worst(self) -> str:
        order = {"error": 0, "warning": 1, "info": 2}
        return min((f.severity for f in self.findings), key=order.get, default="")


def _from_reminder(r: Reminder) -> Finding:
    return Finding(key=r.key, severity=r.severity, kind=r.kind, body_slug=r.body_slug,
                   body_name=r.body_name, message=r.message, rule=r.rule, due=r.due)


def _satisfies(req: rules.Requirement, kind: str, sector: str | None,
               chair_kind: str | None = None) -> bool:
    if req.principal_kind == "not_chair":
        if chair_kind and rules.side(chair_kind) == rules.side(kind):
            return False
    elif req.principal_kind == "municipality":
        if kind not in ("municipality", "association"):
            return False
    elif req.principal_kind != "any" and kind != req.principal_kind:
        return False
    return not req.sector or req.sector == sector


def body_statuses(*, on: dt.date, structure_slug: str | None = None,
                  kind: str | None = None) -> list[BodyStatus]:
    """Every body (with or without a rotation rule) and what its rule says (5 queries)."""
    bodies = Body.objects.select_related("structure").order_by(
        "structure__name", "position", "name")
    if structure_slug:
        bodies = bodies.filter(structure__slug=structure_slug)
    if kind:
        bodies = bodies.filter(kind=kind)
    # A body that has ended (its own end or its structure's) has nothing left to check.
    bodies = list(bodies.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
                  .exclude(structure__valid_until__lt=on))
    statuses = []
    window_start, window_end = on, on
    for body in bodies:
        status = BodyStatus(body=body)
        statuses.append(status)
        if not body.rotation:
            continue
        try:
            rule = rules.parse_rotation(body.rotation)
            starts = rules.rule_starts(rule, body.in_force_from)
            if on < starts:
                # Not in force yet (Jämtland Härjedalen before 2027, J7; HälSam before
                # 2023, H25): nothing recorded to check, only the first election ahead.
                status.starts_on = starts
                status.next_period = rules.first_period(rule, body.in_force_from)
            else:
                status.period = rules.period_for(rule, on)
                status.next_period = rules.next_period(rule, status.period)
        except rules.RotationError as exc:
            status.findings.append(Finding(
                key=f"rule-error:{body.slug}", severity="error", kind="rule_error",
                body_slug=body.slug, body_name=body.name,
                message=_("The rotation rule cannot be read: %(error)s") % {"error": exc}))
            continue
        status.rule = rule
        window_start = min(window_start, (status.period or status.next_period).start)
        window_end = max(window_end, status.next_period.end)

    ids = [s.body.pk for s in statuses if s.rule]
    terms = list(
        OfficeTerm.objects.filter(body_id__in=ids, start__lte=window_end)
        .filter(Q(end__isnull=True) | Q(end__gte=window_start))
        .select_related("person__principal", "area")
        .order_by("start", "office")
    )
    members = list(
        Membership.objects.filter(seat__body_id__in=ids)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .filter(role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED])
        .select_related("person__principal", "seat__sector")
        .order_by("person__last_name", "person__first_name")
    )
    terms_by_body: dict[int, list[OfficeTerm]] = defaultdict(list)
    for t in terms:
        terms_by_body[t.body_id].append(t)
    members_by_body: dict[int, list[Membership]] = defaultdict(list)
    seat_of: dict[tuple[int, int], Membership] = {}
    for m in members:
        members_by_body[m.seat.body_id].append(m)
        seat_of.setdefault((m.seat.body_id, m.person_id), m)
    areas_by_structure: dict[int, list[str]] = defaultdict(list)
    for code, structure_id in StrategicArea.objects.filter(
            structure_id__in={s.body.structure_id for s in statuses}).order_by(
            "position").values_list("code", "structure_id"):
        areas_by_structure[structure_id].append(code)

    # Where each election "at the year's last meeting" is due (H13): one query in meetings.
    due_at = election_source.election_meetings(
        (s.body.pk, s.next_period.start.year - 1) for s in statuses
        if s.period is not None and s.rule.election_at == "last_meeting_of_previous_year")
    for status in statuses:
        if status.rule is None:
            continue
        if status.next_period is not None:
            status.election_meeting = due_at.get(
                (status.body.pk, status.next_period.start.year - 1))
        if status.period is None:
            _apply_first(status, on=on, terms=terms_by_body[status.body.pk],
                         members=members_by_body[status.body.pk], seat_of=seat_of,
                         areas=areas_by_structure[status.body.structure_id])
            continue
        _apply_rule(status, on=on, terms=terms_by_body[status.body.pk],
                    members=members_by_body[status.body.pk], seat_of=seat_of,
                    areas=areas_by_structure[status.body.structure_id])
    # Who may hold the seats and offices (H5, H6, H9, H11, H17, V4, V9, V10; issue 13).
    eligibility.statuses_check(statuses, on=on, terms=terms)
    return statuses


def _holder(t: OfficeTerm, seat_of: dict[tuple[int, int], Membership]) -> rules.Holder:
    m = seat_of.get((t.body_id, t.person_id))
    principal = t.person.principal
    return rules.Holder(
        office=t.office, person_name=t.person.name,
        principal_kind=principal.kind if principal else "",
        principal_name=principal.name if principal else _("no principal"),
        sector=m.seat.sector.code if m and m.seat.sector else None,
        area=t.area.code if t.area else None,
        qualification=(m.seat.qualification or None) if m else None,
    )


def _in(t: OfficeTerm, period: rules.Period) -> bool:
    return t.start <= period.end and (t.end is None or t.end >= period.start)


def _apply_rule(status: BodyStatus, *, on: dt.date, terms: list[OfficeTerm],
                members: list[Membership], seat_of: dict, areas: list[str]) -> None:
    body, rule = status.body, status.rule
    now_reqs = rules.requirements(rule, status.period)
    next_reqs = rules.requirements(rule, status.next_period)
    current = [t for t in terms if _in(t, status.period)]
    upcoming = [t for t in terms
                if _in(t, status.next_period) and t.start >= status.next_period.start]
    for office in rules.OFFICES:
        if office in now_reqs or office in next_reqs:
            status.offices.append(OfficeRow(
                office=office, label=labels.office_label(
                    office, second_vice_chair=labels.has_second_vice_chair(body.rotation)),
                now=now_reqs.get(office), next=next_reqs.get(office),
                holders=[t for t in current if t.office == office]))
    per_area = any(r.per_area for r in now_reqs.values())
    for f in rules.check_office_holders(
            rule, status.period, [_holder(t, seat_of) for t in current], body_name=body.name,
            areas=areas if per_area else None):
        status.findings.append(_finding(body, status.period, f))
    # Those already elected for the next period are checked against its rule too, so a
    # wrong choice shows as soon as it is recorded; an office nobody holds yet is the
    # election's business (below), not a finding.
    rows = {row.office: row for row in status.offices}
    for t in upcoming:
        if t.office in rows:
            rows[t.office].next_holders.append(t)
    if upcoming:
        for f in rules.check_office_holders(
                rule, status.next_period, [_holder(t, seat_of) for t in upcoming],
                body_name=body.name, areas=areas if per_area else None):
            if f.code == "missing_office_holder":
                continue
            finding = _finding(body, status.next_period, f)
            status.findings.append(finding)
            if f.office in rows:
                rows[f.office].next_findings.append(finding)

    # The election of the next period, at the end of this one (H13); or of this period
    # when it is held early in the term (H5) and nobody is recorded yet.
    elections = [(status.next_period, upcoming)]
    if rules.election_due(rule, status.period).at == "start_of_term":
        elections.insert(0, (status.period, current))
    for period, recorded in elections:
        due = rules.election_due(rule, period)
        if any(t.office == "chair" for t in recorded) or due.at == "any_time":
            continue
        # H13: the election is due at the year's last meeting, not on 31 December.
        held_at = status.election_meeting if period == status.next_period else None
        if held_at is not None:
            if held_at.recorded:
                continue
            due = dataclasses.replace(due, due_by=held_at.day)
        if (due.due_by - on).days > ELECTION_WARNING_DAYS:
            continue
        status.election = due
        # Overdue breaks the agreement where the rule fixes the election (H13); "as
        # early as possible in the term" (H5) is a recommendation.
        overdue = due.due_by < on and due.at == "last_meeting_of_previous_year"
        values = {"body": body.name, "period": period.label, "due": plain_date(due.due_by),
                  "rule": rules.source(due.rule_id) if due.rule_id else _("the rotation rule")}
        if overdue and held_at is not None:
            message = _("The election should have taken place at the meeting on %(due)s "
                        "(%(rule)s): no office holders of %(body)s for %(period)s are "
                        "recorded. Record the election.") % values
        else:
            message = _("Election of the offices of %(body)s for %(period)s is due by "
                        "%(due)s (%(rule)s).") % values
        status.findings.append(Finding(
            # A new key once overdue, so the digest mails the escalation too.
            key=f"election:{body.slug}:{period.start.isoformat()}" + (":overdue" if overdue
                                                                      else ""),
            severity="error" if overdue else "warning", kind="election_due",
            body_slug=body.slug, body_name=body.name, due=due.due_by, rule=due.rule_id,
            message=message))
        break

    _propose(status, next_reqs, members=members, upcoming=upcoming)


def _apply_first(status: BodyStatus, *, on: dt.date, terms: list[OfficeTerm],
                 members: list[Membership], seat_of: dict, areas: list[str]) -> None:
    """A body whose rule does not apply yet (H25, J7): no finding about what is (not)
    recorded, only holders already elected for the first period checked against the rule,
    and the reminder to elect them at the time the rule says, ahead of the start.

    A rule electing "at the last meeting of the previous year" (H13) has no meeting of its
    own before the body exists: the election is due 31 December before the first period.
    Before the start the reminder is a warning; once the start has passed without holders
    it is the ordinary missing office holder (``_apply_rule``).
    """
    body, rule, first = status.body, status.rule, status.next_period
    reqs = rules.requirements(rule, first)
    upcoming = [t for t in terms if _in(t, first)]
    for office in rules.OFFICES:
        if office in reqs:
            status.offices.append(OfficeRow(
                office=office, label=labels.office_label(
                    office, second_vice_chair=labels.has_second_vice_chair(body.rotation)),
                now=None, next=reqs[office], holders=[],
                next_holders=[t for t in upcoming if t.office == office]))
    rows = {row.office: row for row in status.offices}
    per_area = any(r.per_area for r in reqs.values())
    if upcoming:
        for f in rules.check_office_holders(
                rule, first, [_holder(t, seat_of) for t in upcoming], body_name=body.name,
                areas=areas if per_area else None):
            if f.code == "missing_office_holder":
                continue
            finding = _finding(body, first, f)
            status.findings.append(finding)
            if f.office in rows:
                rows[f.office].next_findings.append(finding)
    due = rules.election_due(rule, first)
    if (not any(t.office == "chair" for t in upcoming)
            and (due.due_by - on).days <= ELECTION_WARNING_DAYS):
        status.election = due
        status.findings.append(Finding(
            key=f"election:{body.slug}:{first.start.isoformat()}", severity="warning",
            kind="election_due", body_slug=body.slug, body_name=body.name, due=due.due_by,
            rule=due.rule_id,
            message=_("%(body)s starts %(start)s: elect its first office holders for "
                      "%(period)s by %(due)s (%(rule)s).") % {
                "body": body.name, "start": plain_date(status.starts_on),
                "period": first.label, "due": plain_date(due.due_by),
                "rule": rules.source(due.rule_id) if due.rule_id else _("the rotation rule")}))
    _propose(status, reqs, members=members, upcoming=upcoming)


def _propose(status: BodyStatus, reqs: dict[str, rules.Requirement], *,
             members: list[Membership], upcoming: list[OfficeTerm]) -> None:
    """The members who may be elected to each office of the coming period, given the
    chair already elected for it (eligibility narrows them further, ``eligibility``)."""
    chair = next((t for t in upcoming if t.office == "chair"), None)
    chair_kind = chair.person.principal.kind if chair and chair.person.principal else None
    for office, req in reqs.items():
        status.proposals[office] = [
            m for m in members
            if m.person.principal and _satisfies(
                req, m.person.principal.kind, m.seat.sector.code if m.seat.sector else None,
                chair_kind)]


def _finding(body: Body, period: rules.Period, f: rules.Finding) -> Finding:
    return Finding(
        key=f"rotation:{body.slug}:{period.start.isoformat()}:{f.office}:{f.code}:"
            f"{hashlib.sha1(f.message_sv.encode()).hexdigest()[:10]}",  # noqa: S324
        severity=f.severity, kind=f.code, body_slug=body.slug, body_name=body.name,
        message=f.message_sv, rule=f.rule_id)


def findings(*, on: dt.date, structure_slug: str | None = None) -> list[Finding]:
    """Everything the coordinator should act on, across bodies (fixed query count)."""
    out = [f for s in body_statuses(on=on, structure_slug=structure_slug) for f in s.findings]
    out += [_from_reminder(r) for r in reminders.vacancies(on=on, structure_slug=structure_slug)]
    out += [_from_reminder(r) for r in
            reminders.ended_without_successor(on=on, structure_slug=structure_slug)]
    out += [_from_reminder(r) for r in reminders.term_change(on=on, structure_slug=structure_slug)]
    return out
