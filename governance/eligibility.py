"""Who may hold a seat or an office, as data (issue 13, point 2).

A seat (``Seat.eligibility``) or an office of a rotation rule (``eligible`` on an office
of a cycle step in ``Body.rotation``) may say that its holder must, on the day, hold
certain seats or offices elsewhere::

    eligible:
      rule: H6
      level: required            # or: recommended (a warning, never a refusal)
      text: ordförande i HSN, RUN eller VVU i HälSam
      any_of:
        - {body: halsam, seats: [ordf-hsn, ordf-run, ordf-vvu]}

Each entry of ``any_of`` is a *source*: the holders of ``seats`` (seat keys; the key of
a ``for_each`` seat matches every seat it made, ``fc-skolforvaltning`` matches
``fc-skolforvaltning-timra``) and/or of ``offices`` (chair, vice_chair, …) of ``body``
(a slug; left out: the body itself). Without ``seats`` and ``offices`` any seat of the
body counts. A *qualification* (H6 "a chair of HSN, RUN or VVU", H11 "a head of a social
services department") is such a source: the seat that the qualification gives in a named
body (docs/presets.md).

The first half of the module is pure (plain values, no database); the second loads what
people hold in a fixed number of queries and is used by the services (refusal), by
``governance.checks`` (findings, proposals) and by the tests.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

REQUIRED, RECOMMENDED = "required", "recommended"
LEVELS = (REQUIRED, RECOMMENDED)
SEAT, OFFICE = "seat", "office"


# --- the pure part ------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """The holders of ``seats`` and/or ``offices`` of the body ``body`` ("" = the body itself)."""

    body: str = ""
    seats: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    sources: tuple[Source, ...]
    rule_id: str = ""
    text: str = ""
    level: str = REQUIRED

    @property
    def required(self) -> bool:
        return self.level == REQUIRED

    def bodies(self, own: str) -> set[str]:
        return {s.body or own for s in self.sources}


@dataclass(frozen=True)
class Holding:
    """Something a person holds: a seat (by key) or an office of a body, for a time."""

    body: str
    kind: str  # seat | office
    key: str
    start: dt.date
    end: dt.date | None = None

    def on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


def parse(data: Any) -> Eligibility | None:
    """The stored mapping as an ``Eligibility``; None when empty. Tolerant: the schema
    (``problems``) rejects bad data before it is stored."""
    if not data or not isinstance(data, Mapping):
        return None
    sources = []
    for src in data.get("any_of") or []:
        if isinstance(src, Mapping):
            sources.append(Source(body=str(src.get("body") or ""),
                                  seats=tuple(str(k) for k in src.get("seats") or ()),
                                  offices=tuple(str(o) for o in src.get("offices") or ())))
    if not sources:
        return None
    return Eligibility(sources=tuple(sources), rule_id=str(data.get("rule") or ""),
                       text=str(data.get("text") or ""),
                       level=str(data.get("level") or REQUIRED))


def problems(data: Any, *, offices: Sequence[str]) -> list[tuple[str, str]]:
    """What is wrong with an ``eligible`` mapping: (sub-path, message) pairs, "" = itself.
    Whether the named bodies and seats exist is checked by the preset schema."""
    if not isinstance(data, Mapping):
        return [("", f"expected a mapping with any_of, got {type(data).__name__}")]
    out: list[tuple[str, str]] = []
    unknown = set(data) - {"rule", "level", "text", "any_of"}
    if unknown:
        out.append(("", f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; allowed: "
                        "any_of, level, rule, text"))
    if data.get("level", REQUIRED) not in LEVELS:
        out.append((".level", f"{data.get('level')!r} is not one of {', '.join(LEVELS)}"))
    if not str(data.get("text") or "").strip():
        out.append((".text", "say in words who may hold it (used in the messages)"))
    rule = data.get("rule")
    if not isinstance(rule, str) or not rule.strip():
        out.append((".rule", "name the rule id the eligibility comes from (e.g. H6)"))
    any_of = data.get("any_of")
    if not isinstance(any_of, list) or not any_of:
        out.append((".any_of", "needs a list of at least one {body, seats, offices}"))
        return out
    for i, src in enumerate(any_of):
        path = f".any_of[{i}]"
        if not isinstance(src, Mapping):
            out.append((path, "expected a mapping {body, seats, offices}"))
            continue
        extra = set(src) - {"body", "seats", "offices"}
        if extra:
            out.append((path, f"unknown field(s) {', '.join(sorted(map(str, extra)))}"))
        for name in ("seats", "offices"):
            value = src.get(name)
            if value is not None and (not isinstance(value, list)
                                      or not all(isinstance(v, str) for v in value)):
                out.append((f"{path}.{name}", "expected a list of names"))
        for office in src.get("offices") or []:
            if isinstance(office, str) and office not in offices:
                out.append((f"{path}.offices", f"{office!r} is not an office "
                                               f"({', '.join(offices)})"))
    return out


def seat_key_matches(pattern: str, key: str) -> bool:
    """A listed key matches itself and every seat a ``for_each`` made of it."""
    return key == pattern or key.startswith(pattern + "-")


def satisfied(elig: Eligibility, holdings: Iterable[Holding], *, on: dt.date,
              own_body: str) -> bool:
    """Whether someone holding ``holdings`` may hold the seat or office on ``on``."""
    held = [h for h in holdings if h.on(on)]
    for src in elig.sources:
        body = src.body or own_body
        for h in held:
            if h.body != body:
                continue
            if h.kind == SEAT and (not src.seats and not src.offices
                                   or any(seat_key_matches(k, h.key) for k in src.seats)):
                return True
            if h.kind == OFFICE and h.key in src.offices:
                return True
    return False


def office_eligibility(rotation: Mapping[str, Any], rule: Any, period: Any,
                       office: str) -> Eligibility | None:
    """The ``eligible`` of ``office`` in the cycle step that ``period`` uses (a parsed
    ``rules.RotationRule`` and ``rules.Period``; the raw step holds the mapping)."""
    cycle = rotation.get("cycle") or [] if isinstance(rotation, Mapping) else []
    if not cycle:
        return None
    step = cycle[(rule.cycle_start + period.index) % len(cycle)]
    spec = step.get(office) if isinstance(step, Mapping) else None
    return parse(spec.get("eligible")) if isinstance(spec, Mapping) else None


def rotation_eligibilities(rotation: Mapping[str, Any]) -> list[Eligibility]:
    """Every ``eligible`` of a rotation rule (to know which bodies it points at)."""
    out = []
    for step in (rotation.get("cycle") or []) if isinstance(rotation, Mapping) else []:
        for spec in step.values() if isinstance(step, Mapping) else []:
            elig = parse(spec.get("eligible")) if isinstance(spec, Mapping) else None
            if elig is not None:
                out.append(elig)
    return out


# --- the database part ---------------------------------------------------------------------

def holdings_for(person_ids: Iterable[int], body_slugs: Iterable[str], *, start: dt.date,
                 end: dt.date, fixed: bool = False) -> dict[int, list[Holding]]:
    """What each person holds in the named bodies at some time in [start, end]: their
    places (members and co-opted; a substitute does not hold the seat) and their offices.
    Two queries, whatever the number of people and bodies; with ``fixed`` also when there
    is nobody to look up, so that a page's query count does not depend on the data."""
    from django.db.models import Q

    from .models import Membership, MembershipRole, OfficeTerm

    person_ids, body_slugs = set(person_ids), set(body_slugs)
    out: dict[int, list[Holding]] = defaultdict(list)
    if not fixed and (not person_ids or not body_slugs):
        return out
    # An empty ``__in`` list is answered without a query: ask for no one instead.
    person_ids, body_slugs = person_ids or {0}, body_slugs or {""}
    running = Q(start__lte=end) & (Q(end__isnull=True) | Q(end__gte=start))
    for pid, slug, key, s, e in (
            Membership.objects.filter(running, person_id__in=person_ids,
                                      seat__body__slug__in=body_slugs,
                                      role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED])
            .values_list("person_id", "seat__body__slug", "seat__key", "start", "end")):
        out[pid].append(Holding(slug, SEAT, key, s, e))
    for pid, slug, office, s, e in (
            OfficeTerm.objects.filter(running, person_id__in=person_ids,
                                      body__slug__in=body_slugs)
            .values_list("person_id", "body__slug", "office", "start", "end")):
        out[pid].append(Holding(slug, OFFICE, office, s, e))
    return out


def _source_label(rule_id: str) -> str:
    from .rules import source

    return source(rule_id)


def seat_refusal(*, person, seat, start: dt.date) -> str | None:
    """The Swedish refusal when ``person`` may not take ``seat`` on ``start`` by a
    *required* eligibility; None when they may (or the seat says nothing)."""
    from django.utils.translation import gettext as _

    from halsam.formats.dates import plain_date

    elig = unmet_seat(person=person, seat=seat, start=start)
    if elig is None or not elig.required:
        return None
    return _("%(person)s cannot take the seat “%(seat)s”: it is for %(who)s (%(rule)s), and "
             "on %(day)s %(person)s holds no such place.") % {
        "person": person.name, "seat": seat.title, "who": elig.text,
        "rule": _source_label(elig.rule_id), "day": plain_date(start)}


def unmet_seat(*, person, seat, start: dt.date) -> Eligibility | None:
    """The seat's eligibility when ``person`` does not meet it on ``start`` (a person not
    yet saved holds nothing), else None."""
    elig = parse(seat.eligibility)
    if elig is None:
        return None
    own = seat.body.slug
    held = (holdings_for([person.pk], elig.bodies(own), start=start, end=start)
            if person.pk is not None else {})
    if satisfied(elig, held.get(person.pk, []), on=start, own_body=own):
        return None
    return elig


def office_refusal(*, body, office: str, person, start: dt.date) -> str | None:
    """The Swedish refusal when ``person`` may not hold ``office`` of ``body`` from
    ``start`` by a *required* eligibility of the body's rotation rule; None otherwise."""
    from django.utils.translation import gettext as _

    from halsam.formats.dates import plain_date

    from . import labels, rules

    if not body.rotation:
        return None
    try:
        rule = rules.parse_rotation(body.rotation)
        period = rules.period_for(rule, start)
    except rules.RotationError:
        return None
    elig = office_eligibility(body.rotation, rule, period, office)
    if elig is None or not elig.required:
        return None
    held = (holdings_for([person.pk], elig.bodies(body.slug), start=start, end=start)
            if person.pk is not None else {})
    if satisfied(elig, held.get(person.pk, []), on=start, own_body=body.slug):
        return None
    return _("%(person)s cannot be %(office)s of %(body)s in %(period)s: the office is for "
             "%(who)s (%(rule)s), and on %(day)s %(person)s holds no such place.") % {
        "person": person.name, "office": labels.office_label(
            office, second_vice_chair=labels.has_second_vice_chair(body.rotation)).lower(),
        "body": body.name, "period": period.label, "who": elig.text,
        "rule": _source_label(elig.rule_id), "day": plain_date(start)}


def statuses_check(statuses: Sequence[Any], *, on: dt.date,
                   terms: Sequence[Any]) -> None:
    """Add to each ``checks.BodyStatus`` the findings on holders who may not hold their
    seat or office (also those recorded before the rule was loaded), and keep in its
    proposals only those who may hold the office. Three queries, whatever the data."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from halsam.formats.dates import plain_date

    from . import labels
    from .models import Membership, MembershipRole

    # A body not in force on the day (before its start, H25, J7) is not checked.
    by_id = {s.body.pk: s for s in statuses if s.body.is_in_force(on)}
    if not statuses:
        return
    seated = list(
        Membership.objects.filter(seat__body_id__in=list(by_id) or [0],
                                  role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED],
                                  start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .exclude(seat__eligibility={})
        .select_related("person", "seat")
        .order_by("seat__position", "seat_id", "start"))
    seat_checks = [(m, parse(m.seat.eligibility)) for m in seated]
    seat_checks = [(m, e) for m, e in seat_checks if e is not None]

    # Offices: the current and the next period's holders, and the proposals.
    office_checks: list[tuple[Any, Any, Any, Eligibility, dt.date]] = []
    proposal_checks: list[tuple[Any, str, Eligibility, dt.date]] = []
    for status in statuses:
        if status.rule is None or status.period is None or status.body.pk not in by_id:
            continue
        for period in (status.period, status.next_period):
            if period is None:
                continue
            for t in terms:
                if t.body_id != status.body.pk or t.start > period.end \
                        or (t.end is not None and t.end < period.start):
                    continue
                if period is status.next_period and t.start < period.start:
                    continue
                elig = office_eligibility(status.body.rotation, status.rule, period, t.office)
                if elig is not None:
                    office_checks.append((status, period, t, elig, max(on, t.start)))
    for status in statuses:
        if status.rule is None or status.next_period is None:
            continue
        for office in status.proposals:
            elig = office_eligibility(status.body.rotation, status.rule, status.next_period,
                                      office)
            if elig is not None:
                proposal_checks.append((status, office, elig, on))

    people: set[int] = set()
    slugs: set[str] = set()
    last = on
    for m, _e in seat_checks:
        people.add(m.person_id)
    for status, _period, t, e, day in office_checks:
        people.add(t.person_id)
        slugs |= e.bodies(status.body.slug)
        last = max(last, day)
    for status, office, e, _day in proposal_checks:
        people |= {m.person_id for m in status.proposals[office]}
        slugs |= e.bodies(status.body.slug)
    # A seat's own body is known by id only: name it through the statuses.
    for m, e in seat_checks:
        slugs |= e.bodies(by_id[m.seat.body_id].body.slug)
    held = holdings_for(people, slugs, start=on, end=last, fixed=True)

    for m, e in seat_checks:
        status = by_id[m.seat.body_id]
        if satisfied(e, held.get(m.person_id, []), on=on, own_body=status.body.slug):
            continue
        text = (_("%(person)s sits in %(body)s in the seat “%(seat)s”, which is for %(who)s "
                  "(%(rule)s), but on %(day)s holds no such place.") if e.required else
                _("%(person)s sits in %(body)s in the seat “%(seat)s”, which is recommended "
                  "for %(who)s (%(rule)s), but on %(day)s holds no such place."))
        _add(status, key=f"eligibility:{status.body.slug}:seat:{m.pk}",
             severity="error" if e.required else "warning", rule_id=e.rule_id,
             message=text % {"person": m.person.name, "body": status.body.name,
                             "seat": m.seat.title, "who": e.text,
                             "rule": _source_label(e.rule_id), "day": plain_date(on)})
    for status, period, t, e, day in office_checks:
        if satisfied(e, held.get(t.person_id, []), on=day, own_body=status.body.slug):
            continue
        if _already_faulted(status, t.person.name, period.label):
            continue  # the rotation rule already blames this holder: one fault, one finding
        office = labels.office_label(t.office, second_vice_chair=labels.has_second_vice_chair(
            status.body.rotation)).lower()
        text = (_("%(person)s is %(office)s of %(body)s in %(period)s, an office for %(who)s "
                  "(%(rule)s), but on %(day)s holds no such place.") if e.required else
                _("%(person)s is %(office)s of %(body)s in %(period)s, an office recommended "
                  "for %(who)s (%(rule)s), but on %(day)s holds no such place."))
        _add(status, key=f"eligibility:{status.body.slug}:office:{t.pk}:{period.start.year}",
             severity="error" if e.required else "warning", rule_id=e.rule_id,
             message=text % {"person": t.person.name, "office": office,
                             "body": status.body.name, "period": period.label, "who": e.text,
                             "rule": _source_label(e.rule_id), "day": plain_date(day)})
    for status, office, e, day in proposal_checks:
        if not e.required:
            continue
        status.proposals[office] = [
            m for m in status.proposals[office]
            if satisfied(e, held.get(m.person_id, []), on=day, own_body=status.body.slug)]


def _already_faulted(status: Any, person: str, period: str) -> bool:
    return any(f.severity == "error" and f.kind in _RULE_FAULTS and person in f.message
               and period in f.message for f in status.findings)


_RULE_FAULTS = {"wrong_principal_kind", "wrong_sector", "same_side_as_chair"}


def _add(status: Any, *, key: str, severity: str, message: str, rule_id: str) -> None:
    from .checks import Finding

    status.findings.append(Finding(key=key, severity=severity, kind="not_eligible",
                                   body_slug=status.body.slug, body_name=status.body.name,
                                   message=message, rule=rule_id))
