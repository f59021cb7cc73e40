"""A builder of correctly recorded people, seats and office holders for 2022–2036.

Used by ``test_no_false_findings.py`` (issue 13's "no finding is false on any day from
2022 to 2035"). Everything is recorded through the services, so every refusal the
services make (eligibility, capacity, membership for the whole term) applies to the
builder too: a refusal here means either the builder or a rule is wrong, and the error
says which seat or office.

What it assumes, so that it is easy to extend:

- Every seat with places is filled to its member and substitute counts, co-opted seats
  excepted (the seeds fill them "when needed"). A person belongs to the seat's principal,
  or to the first principal of the seat's principal kind, or (a seat open to anyone) to
  the structure's first municipality.
- ``SAME_AS`` says which places the seeds fill with people who already sit elsewhere
  (H5, H6, H9, H17, V10): the place is taken by the same person as the source place.
  Add an entry when a new eligibility rule needs one.
- ``MIRRORS`` says which seats follow an office of another body year by year (V4, V9:
  the arbetsutskott is the chair and the vice chair): a membership per period of the
  source body's rule.
- Seats held by virtue of office (H2) and the seats of a body following the political
  term (H3–H5) are recorded per term of office, the same person confirmed again from the
  new term's start; other memberships run from the body's start until further notice.
- Offices are chosen for every period of a body's rule from its first period (the one
  containing its start, ``rules.first_period``) to the one containing 2036, all recorded
  ahead (H13: the holders of the next period are known before it begins). The choice
  follows ``rules.requirements`` (principal kind, sector, qualification, the other side
  than the chair, among the chairs, one chair per strategic area) and the simple
  eligibility of an office on the body's own seats (H11: ``eligible.any_of`` with
  ``seats``); people are rotated so that the holders change.
- Bodies without a rotation rule whose seat ``ordforande`` is filled (Västerbotten's
  beredningar and councils, V10, V12) get that person recorded as chair.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from governance import rules, services
from governance.models import (
    Body,
    Membership,
    MembershipRole,
    Person,
    Principal,
    PrincipalKind,
    Seat,
    StrategicArea,
    Structure,
)

LAST_YEAR = 2036

# (body slug, seat key) -> the places it copies, one per member place: (body, seat key, n).
SAME_AS: dict[tuple[str, str], list[tuple[str, str, int]]] = {
    # H5: the county's social and school presidiums pick among the chairs who sit in
    # HälSam, recommended from different municipalities; H6: the region among HSN, RUN, VVU.
    ("halsam-presidium", "socialpresidiet"): [("halsam", "ordf-socialnamnd-sundsvall", 0)],
    ("halsam-presidium", "skolpresidiet"): [("halsam", "ordf-skolnamnd-timra", 0)],
    ("halsam-presidium", "regionen"): [("halsam", "ordf-hsn", 0)],
    # H9: the officials' presidium: HälSam's presidium politicians and Länsledning's officials.
    ("presidium", "politiker"): [("halsam-presidium", "socialpresidiet", 0),
                                 ("halsam-presidium", "skolpresidiet", 0),
                                 ("halsam-presidium", "regionen", 0)],
    ("presidium", "lansledning"): [("lansledning", "fc-socialforvaltning-sundsvall", 0),
                                   ("lansledning", "omradesdirektorer", 0),
                                   ("lansledning", "fc-skolforvaltning-timra", 0)],
    # H17: the county groups are staffed from Länsledning's heads.
    ("lansamordning-barn-och-unga", "socialtjanst"): [
        ("lansledning", "fc-socialforvaltning-ange", 0),
        ("lansledning", "fc-socialforvaltning-kramfors", 0)],
    ("lansamordning-barn-och-unga", "skola"): [
        ("lansledning", "fc-skolforvaltning-ange", 0),
        ("lansledning", "fc-skolforvaltning-kramfors", 0)],
    ("lansamordning-barn-och-unga", "halso-och-sjukvard"): [
        ("lansledning", "omradesdirektorer", 0), ("lansledning", "omradesdirektorer", 1)],
    ("lansamordning-vuxna", "socialtjanst"): [
        ("lansledning", "fc-socialforvaltning-harnosand", 0),
        ("lansledning", "fc-socialforvaltning-solleftea", 0)],
    ("lansamordning-vuxna", "halso-och-sjukvard"): [
        ("lansledning", "omradesdirektorer", 2), ("lansledning", "omradesdirektorer", 3)],
    ("lansamordning-aldre", "socialtjanst"): [
        ("lansledning", "fc-socialforvaltning-ornskoldsvik", 0),
        ("lansledning", "fc-socialforvaltning-timra", 0)],
    ("lansamordning-aldre", "halso-och-sjukvard"): [
        ("lansledning", "omradesdirektorer", 0), ("lansledning", "omradesdirektorer", 2)],
    # V10: the beredningar's chairs sit in LSG.
    ("lansamverkansgruppen", "ordf-beredning-barn-och-unga"): [
        ("beredning-barn-och-unga", "ordforande", 0)],
    ("lansamverkansgruppen", "ordf-beredning-vuxna-och-aldre"): [
        ("beredning-vuxna-och-aldre", "ordforande", 0)],
}

# (body slug, seat key) -> (source body slug, office): V4, V9.
MIRRORS: dict[tuple[str, str], tuple[str, str]] = {
    ("samrad-arbetsutskott", "ordforande"): ("samrad-vard-och-omsorg", "chair"),
    ("samrad-arbetsutskott", "vice-ordforande"): ("samrad-vard-och-omsorg", "vice_chair"),
    ("lsg-arbetsutskott", "ordforande"): ("lansamverkansgruppen", "chair"),
    ("lsg-arbetsutskott", "vice-ordforande"): ("lansamverkansgruppen", "vice_chair"),
}

# Bodies whose memberships follow the political term (H3), besides by-virtue seats.
TERM_BODIES = {"halsam-presidium", "presidium"}


class BuildError(AssertionError):
    """The builder could not record something: names the place and the services' reason."""


@dataclass
class World:
    structure: Structure
    start: dt.date  # the first day anything is recorded
    people: dict[tuple[str, str, int], Person] = field(default_factory=dict)
    offices: int = 0
    memberships: int = 0


def _terms(first: dt.date) -> list[tuple[dt.date, dt.date | None]]:
    """The political terms from the one containing ``first`` to 2036; the last open."""
    out = []
    day = first
    while day.year <= LAST_YEAR:
        term = rules.political_term_for(day)
        out.append((max(term.start, first), term.end))
        day = term.end + dt.timedelta(days=1)
    out[-1] = (out[-1][0], None)
    return out


def _order(bodies: list[Body]) -> list[Body]:
    """Sources before the bodies that copy them (SAME_AS, MIRRORS)."""
    slugs = {b.slug for b in bodies}
    deps: dict[str, set[str]] = defaultdict(set)
    for (slug, _key), places in SAME_AS.items():
        deps[slug] |= {p[0] for p in places if p[0] in slugs}
    for (slug, _key), (source, _office) in MIRRORS.items():
        if source in slugs:
            deps[slug].add(source)
    done: list[Body] = []
    by_slug = {b.slug: b for b in bodies}

    def visit(slug: str, path: tuple[str, ...]) -> None:
        if any(b.slug == slug for b in done):
            return
        if slug in path:
            raise BuildError(f"SAME_AS/MIRRORS loop through {slug}")
        for dep in sorted(deps[slug]):
            visit(dep, (*path, slug))
        done.append(by_slug[slug])

    for b in bodies:
        visit(b.slug, ())
    return done


class Builder:
    def __init__(self, structure_slug: str):
        structure = Structure.objects.get(slug=structure_slug)
        self.world = World(structure=structure,
                           start=structure.valid_from or dt.date(2022, 1, 1))
        self.principals = list(Principal.objects.filter(participations__structure=structure)
                               .order_by("kind", "code"))
        self.areas = list(StrategicArea.objects.filter(structure=structure).order_by("position"))
        self.n = 0

    # --- people ---------------------------------------------------------------------------

    def _principal_for(self, seat: Seat) -> Principal:
        if seat.principal_id:
            return seat.principal
        kind = seat.principal_kind or PrincipalKind.MUNICIPALITY
        return next(p for p in self.principals if p.kind == kind)

    def person(self, body: Body, seat: Seat, n: int) -> Person:
        key = (body.slug, seat.key, n)
        if key in self.world.people:
            return self.world.people[key]
        source = SAME_AS.get((body.slug, seat.key))
        if source:
            if n >= len(source):
                raise BuildError(f"SAME_AS names {len(source)} place(s) for {key}, needs {n + 1}")
            if source[n] not in self.world.people:
                raise BuildError(f"{key} copies {source[n]}, which nobody holds")
            person = self.world.people[source[n]]
        else:
            self.n += 1
            principal = self._principal_for(seat)
            person = services.person_create(
                actor=None, first_name=f"{seat.key[:20].replace('-', ' ').title()}",
                last_name=f"{principal.short_name or principal.name} {self.n}".replace(",", ""),
                principal=principal)
        self.world.people[key] = person
        return person

    # --- memberships ----------------------------------------------------------------------

    def _member(self, person: Person, seat: Seat, role: str, start: dt.date,
                end: dt.date | None) -> Membership:
        try:
            m = services.membership_start(actor=None, person=person, seat=seat, role=role,
                                          start=start, end=end, reason="holders builder")
        except ValidationError as exc:
            raise BuildError(f"{seat.body.slug}/{seat.key} {person} from {start}: "
                             f"{exc.message_dict}") from exc
        self.world.memberships += 1
        return m

    def fill(self, body: Body) -> None:
        start = max(self.world.start, body.in_force_from or self.world.start)
        for seat in body.seats.select_related("principal", "sector").order_by("position", "id"):
            if seat.is_co_opted or (body.slug, seat.key) in MIRRORS:
                continue
            periods: list[tuple[dt.date, dt.date | None]] = [(start, None)]
            if seat.by_virtue_of_office or body.slug in TERM_BODIES:
                periods = _terms(start)
            for n in range(seat.member_count):
                person = self.person(body, seat, n)
                for s, e in periods:
                    self._member(person, seat, MembershipRole.MEMBER, s, e)
            for n in range(seat.substitute_count):
                person = self.person(body, seat, 100 + n)
                self._member(person, seat, MembershipRole.SUBSTITUTE, start, None)
        if (not body.rotation and (body.slug, "ordforande") not in MIRRORS
                and body.seats.filter(key="ordforande").exists()):
            seat = body.seats.get(key="ordforande")
            self._office(body, "chair", self.person(body, seat, 0), start, None)

    def mirror(self, body: Body) -> None:
        for seat in body.seats.order_by("position", "id"):
            source = MIRRORS.get((body.slug, seat.key))
            if source is None:
                continue
            source_body = Body.objects.get(slug=source[0])
            terms = list(source_body.office_terms.filter(office=source[1]).order_by("start"))
            for i, t in enumerate(terms):
                end = None if i == len(terms) - 1 else t.end
                self._member(t.person, seat, MembershipRole.MEMBER, t.start, end)

    # --- offices --------------------------------------------------------------------------

    def _office(self, body: Body, office: str, person: Person, start: dt.date,
                end: dt.date | None, area: StrategicArea | None = None) -> None:
        try:
            services.office_term_record(actor=None, body=body, office=office, person=person,
                                        start=start, end=end, area=area,
                                        reason="holders builder")
        except ValidationError as exc:
            raise BuildError(f"{body.slug} {office} {person} from {start}: "
                             f"{exc.message_dict}") from exc
        self.world.offices += 1

    def _candidates(self, body: Body, day: dt.date) -> list[Membership]:
        return list(Membership.objects.active_on(day)
                    .filter(seat__body=body, role=MembershipRole.MEMBER)
                    .select_related("person__principal", "seat__sector")
                    .order_by("seat__position", "seat_id", "person_id"))

    @staticmethod
    def _fits(m: Membership, req: rules.Requirement, chair_kind: str | None,
              step: dict) -> bool:
        kind = m.person.principal.kind
        wanted = req.principal_kind
        if wanted == "not_chair" or req.other_side_than_chair:
            if chair_kind is None or rules.side(kind) == rules.side(chair_kind):
                return False
        if wanted not in ("any", "not_chair") and rules.side(kind) != rules.side(wanted):
            return False
        if wanted == "region" and kind != "region":
            return False
        sector = m.seat.sector.code if m.seat.sector else None
        if req.sector and sector != req.sector:
            return False
        if req.qualification and req.qualification.lower() not in (m.seat.qualification or
                                                                      "").lower():
            return False
        eligible = (step.get(req.office) or {}).get("eligible") or {}
        own_seats = [s for src in eligible.get("any_of") or [] if not src.get("body")
                     for s in src.get("seats") or []]
        return not own_seats or any(m.seat.key == s or m.seat.key.startswith(f"{s}-")
                                    for s in own_seats)

    def offices(self, body: Body) -> None:
        rule = rules.parse_rotation(body.rotation)
        period = rules.first_period(rule, body.in_force_from)
        while period.start.year <= LAST_YEAR:
            self._period(body, rule, period)
            period = rules.next_period(rule, period)

    def _period(self, body: Body, rule: rules.RotationRule, period: rules.Period) -> None:
        start = max(period.start, body.in_force_from or period.start)
        step = (body.rotation.get("cycle") or [])[
            (rule.cycle_start + period.index) % len(rule.cycle)]
        reqs = rules.requirements(rule, period)
        members = self._candidates(body, start)
        # Rotate who is picked from period to period, so that the holders change.
        shift = period.index % max(len(members), 1)
        members = members[shift:] + members[:shift]
        used: set[int] = set()
        chair_kind: str | None = None
        chairs: list[Person] = []
        for office, req in reqs.items():
            if req.among:
                pool = chairs[:1]
                for person in pool:
                    self._office(body, office, person, start, period.end)
                continue
            fitting = [m for m in members if m.person_id not in used
                       and self._fits(m, req, chair_kind, step)]
            wanted = len(self.areas) if req.per_area else 1
            if len(fitting) < wanted:
                raise BuildError(f"{body.slug} {period.label}: nobody among the members fits "
                                 f"{office} ({req})")
            for i, m in enumerate(fitting[:wanted]):
                area = self.areas[i] if req.per_area else None
                self._office(body, office, m.person, start, period.end, area)
                used.add(m.person_id)
                if office == "chair":
                    chairs.append(m.person)
                    chair_kind = chair_kind or m.person.principal.kind


def build(structure_slug: str) -> World:
    """Record people, memberships and office holders of the structure for 2022–2036."""
    b = Builder(structure_slug)
    bodies = _order(list(Body.objects.filter(structure=b.world.structure)
                         .select_related("structure").order_by("position", "name")))
    for body in bodies:
        b.fill(body)
        if body.rotation:
            b.offices(body)
        b.mirror(body)
    return b.world


def slug_matches(pattern: str, slug: str) -> bool:
    return re.fullmatch(pattern, slug) is not None
