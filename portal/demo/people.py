"""The demo's people: every seat filled, office holders, secretaries and the demo logins.

Every member and substitute place of every seat gets a clearly fictive person (Faker
``sv_SE``, seeded; e-mail on the reserved ``.invalid`` domain, phone numbers from the
range PTS reserves for fiction), all through the governance services, so the capacity
and office rules hold and the history says "demo". Seats the seeds fill with people of
another body (HälSam's presidia, the county groups staffed by Länsledningen,
Västerbotten's working committees of the chair and vice chair) reuse those people.
Running it again only fills what is still vacant.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.text import slugify
from faker import Faker

from governance import rules, services, terms
from governance.models import (
    Body,
    Membership,
    MembershipRole,
    Office,
    OfficeTerm,
    Person,
    Principal,
    PrincipalKind,
    Seat,
    Structure,
)
from governance.permissions import login_permissions_sync
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP

from .common import EMAIL_DOMAIN, REASON, Tally

# Seats the seeds fill with people who already sit in another body:
# (body slug pattern, seat key prefix) -> [(source body slug, source)], where the source
# is a seat key prefix of the source body, or "@office" for that body's office holder.
REUSE: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("halsam-presidium", "socialpresidiet"): [("halsam", "ordf-socialnamnd-")],  # H5
    ("halsam-presidium", "skolpresidiet"): [("halsam", "ordf-skolnamnd-")],  # H5
    ("halsam-presidium", "regionen"): [("halsam", "ordf-hsn"), ("halsam", "ordf-run"),
                                       ("halsam", "ordf-vvu")],  # H6
    ("presidium", "politiker"): [("halsam-presidium", "")],  # H9
    # H9: Länsledningen's officials, not its co-opted guests (the preset's eligibility).
    ("presidium", "lansledning"): [("lansledning", key) for key in (
        "fc-socialforvaltning-", "fc-skolforvaltning-", "chef-samverkan-stod-",
        "omradesdirektorer", "regionledningsforvaltningen")],
    ("lansamordning-*", "socialtjanst"): [("lansledning", "fc-socialforvaltning-")],  # H17
    ("lansamordning-*", "skola"): [("lansledning", "fc-skolforvaltning-")],  # H17
    ("lansamordning-*", "halso-och-sjukvard"): [("lansledning", "omradesdirektorer")],  # H17
    ("samrad-arbetsutskott", "ordforande"): [("samrad-vard-och-omsorg", "@chair")],  # V4
    ("samrad-arbetsutskott", "vice-ordforande"): [("samrad-vard-och-omsorg", "@vice_chair")],
    ("lsg-arbetsutskott", "ordforande"): [("lansamverkansgruppen", "@chair")],  # V9
    ("lsg-arbetsutskott", "vice-ordforande"): [("lansamverkansgruppen", "@vice_chair")],
    # V10/V12: the chairs of the beredningar and councils sit in LSG.
    ("lansamverkansgruppen", "ordf-beredning-barn-och-unga"):
        [("beredning-barn-och-unga", "ordforande")],
    ("lansamverkansgruppen", "ordf-beredning-vuxna-och-aldre"):
        [("beredning-vuxna-och-aldre", "ordforande")],
    ("lansamverkansgruppen", "ordf-hjalpmedelsradet"): [("hjalpmedelsradet", "ordforande")],
    ("lansamverkansgruppen", "ordf-samverkansrad-patientsakerhet"):
        [("samverkansrad-patientsakerhet", "ordforande")],
}

# Titles for seats whose qualification says nothing, by sector code (None: no sector).
TITLES = {
    "health_care": ["Verksamhetschef primärvård", "Enhetschef hälso- och sjukvård",
                    "Medicinskt ansvarig sjuksköterska", "Verksamhetschef psykiatri"],
    "social_services": ["Enhetschef socialtjänst", "Verksamhetschef äldreomsorg",
                        "Enhetschef individ- och familjeomsorg"],
    "school": ["Rektor", "Elevhälsochef", "Verksamhetschef grundskola"],
    None: ["Utvecklingsledare", "Strateg", "Samordnare", "Utredare"],
}
# Which sector's people a presidium chair of an area is preferably taken from (H8/H16).
AREA_SECTOR = {"barn-och-unga": "school", "vuxna": "social_services", "aldre": "health_care"}

# Administrative support on every level (H23): one secretary per list of bodies. The
# first of HälSam's is the ``sekreterare`` login. Jämtland's is the co-financed secretary
# for PaHSU's and TaHSU's eight meetings a year; Västerbotten's are its coordinators (V14).
SECRETARIES: dict[str, list[tuple[str, ...]]] = {
    "halsam-vasternorrland": [
        ("lansledning",),
        ("halsam", "halsam-presidium", "presidium"),
        ("lansamordning-barn-och-unga", "lansamordning-vuxna", "lansamordning-aldre"),
    ],
    "vasterbotten": [
        ("samrad-vard-och-omsorg", "samrad-arbetsutskott", "ledningsseminarium"),
        ("lansamverkansgruppen", "lsg-arbetsutskott"),
    ],
    "jamtland-harjedalen": [("pahsu", "tahsu")],
}
SECRETARY_TITLES = {"halsam-vasternorrland": "Nämndsekreterare, HälSam",
                    "vasterbotten": "Regional samverkanskoordinator",
                    "jamtland-harjedalen": "Samfinansierad sekreterare"}

STAFF_LOGINS = [("samordnare", COORDINATOR_GROUP, "Samverkanskoordinator"),
                ("redaktor", EDITOR_GROUP, "Redaktör")]
# Member logins, each linked to a person of a different HälSam body.
MEMBER_LOGINS = [("ledamot-halsam", "halsam"), ("ledamot-lansledning", "lansledning"),
                 ("ledamot-lokal", "lokal-sundsvall-barn-och-unga")]
SECRETARY_LOGIN = ("sekreterare", "lansledning")


@dataclass(frozen=True)
class DemoLogins:
    coordinator: object
    editor: object


def structure_start(structure: Structure, today: dt.date) -> tuple[dt.date, dt.date]:
    """(the day the structure's people are seated from, the day offices are read for).

    People sit from the start of the term running on the day the structure is in force
    (today, or its first day when it starts later, as Jämtland Härjedalen in 2027).
    """
    on = max(today, structure.valid_from or today)
    # The preset's Term row, or the term computed by H3 after the last one written there.
    start = terms.political_term(structure.pk, on).start
    if structure.valid_from and structure.valid_from > start:
        start = structure.valid_from
    return start, on


class Filler:
    """Fills the vacant places of a structure's seats and records its office holders."""

    def __init__(self, structure: Structure, *, seed: int, tally: Tally, today: dt.date):
        self.structure = structure
        self.tally = tally
        self.fake = Faker("sv_SE")
        self.fake.seed_instance(seed)
        self.today = today
        self.start, self.on = structure_start(structure, today)
        self.emails = set(Person.objects.exclude(email="").values_list("email", flat=True))
        self.names = set(Person.objects.values_list("first_name", "last_name"))
        self.principals = list(Principal.objects.filter(participations__structure=structure)
                               .order_by("kind", "name"))
        self.used: Counter = Counter()  # how often a person was reused or a principal picked
        self.phone = 5 + Person.objects.count() % 95

    # --- the order: bodies whose people are reused come first -------------------------

    def fill(self) -> None:
        bodies = list(Body.objects.filter(structure=self.structure)
                      .select_related("structure").order_by("position", "slug"))
        for body in sorted(bodies, key=lambda b: (self._depth(b.slug), b.position, b.slug)):
            seats = body.seats.select_related("principal", "sector").order_by("position", "id")
            for seat in seats:
                self._fill_seat(body, seat)
            self.record_offices(body, on=self.on)
        self._fill_secretaries()

    def _depth(self, slug: str, seen: frozenset = frozenset()) -> int:
        sources = {src for (pattern, _key), pairs in REUSE.items()
                   if fnmatch.fnmatchcase(slug, pattern) for src, _prefix in pairs}
        sources -= seen | {slug}
        return 1 + max((self._depth(s, seen | {slug}) for s in sources), default=-1)

    # --- seats ---------------------------------------------------------------------------

    def _fill_seat(self, body: Body, seat: Seat) -> None:
        member_role = MembershipRole.CO_OPTED if seat.is_co_opted else MembershipRole.MEMBER
        for role, capacity in ((member_role, seat.member_count),
                               (MembershipRole.SUBSTITUTE, seat.substitute_count)):
            taken = seat.memberships.filter(role=role).filter(
                Q(end__isnull=True) | Q(end__gte=self.on)).count()
            for _i in range(capacity - taken):
                person = self._reused_person(body, seat) or self._new_person(body, seat)
                substitute_for = (self._stand_in_for(seat)
                                  if role == MembershipRole.SUBSTITUTE else None)
                start, end = self._seat_dates(seat, person)
                services.membership_start(
                    actor=None, person=person, seat=seat, role=role, start=start, end=end,
                    substitute_for=substitute_for, reason=REASON)
                self.tally.memberships += 1

    def _seat_dates(self, seat: Seat, person: Person) -> tuple[dt.date, dt.date | None]:
        """A seat held by virtue of another body's office (V4, V9: the arbetsutskott) is
        held for that office term; any other from the start of the term."""
        offices = [(src.get("body"), src.get("offices")) for src in
                   (seat.eligibility or {}).get("any_of") or [] if src.get("offices")]
        for slug, names in offices:
            term = (OfficeTerm.objects.active_on(self.on)
                    .filter(body__slug=slug, office__in=names, person=person)
                    .order_by("start").first())
            if term is not None:
                return max(self.start, term.start), term.end
        return self.start, None

    def _fits(self, person: Person, seat: Seat) -> bool:
        if seat.principal_id:
            return person.principal_id == seat.principal_id
        if seat.principal_kind:
            return person.principal is not None and person.principal.kind == seat.principal_kind
        return True

    def _candidates(self, sources: list[tuple[str, str]]) -> list[Person]:
        seat_cond, office_cond = Q(), Q()
        for src_body, prefix in sources:
            if prefix.startswith("@"):
                office_cond |= Q(body__slug=src_body, office=prefix[1:])
            else:
                seat_cond |= Q(seat__body__slug=src_body, seat__key__startswith=prefix)
        people: list[Person] = []
        if seat_cond:
            people += [m.person for m in Membership.objects.active_on(self.start).filter(seat_cond)
                       .filter(role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED])
                       .select_related("person__principal")
                       .order_by("seat__body__position", "seat__position", "id")]
        if office_cond:
            people += [t.person for t in OfficeTerm.objects.active_on(self.on).filter(office_cond)
                       .select_related("person__principal").order_by("office", "id")]
        return people

    def _reused_person(self, body: Body, seat: Seat) -> Person | None:
        sources = [pair for (pattern, prefix), pairs in REUSE.items()
                   if fnmatch.fnmatchcase(body.slug, pattern) and seat.key.startswith(prefix)
                   for pair in pairs]
        if not sources:
            return None
        here = body.seats.filter(memberships__end__isnull=True)
        in_body = set(here.values_list("memberships__person_id", flat=True))
        principals_here = set(here.values_list("memberships__person__principal_id", flat=True))
        office_holders = set(OfficeTerm.objects.active_on(self.on)
                             .values_list("person_id", flat=True))
        best = None
        for p in self._candidates(sources):
            if p.pk in in_body or not self._fits(p, seat):
                continue
            # Office holders first, then a principal not yet in the body (H5), least reused.
            rank = (p.pk not in office_holders, p.principal_id in principals_here,
                    self.used[("person", p.pk)])
            if best is None or rank < best[0]:
                best = (rank, p)
        if best is None:
            return None
        self.used[("person", best[1].pk)] += 1
        return best[1]

    def _principal_for(self, body: Body, seat: Seat) -> Principal:
        if seat.principal_id:
            return seat.principal
        if seat.principal_kind:
            kinds = {seat.principal_kind}
        else:
            kinds = {PrincipalKind.REGION, PrincipalKind.MUNICIPALITY}
            if seat.is_co_opted:  # collaboration leaders come from associations too (J1/J5)
                kinds.add(PrincipalKind.ASSOCIATION)
        pool = [p for p in self.principals if p.kind in kinds] or self.principals
        if not pool:
            raise CommandError(f"No principal of the structure fits the seat {seat}.")
        chosen = min(pool, key=lambda p: (self.used[("principal", body.pk, p.pk)],
                                          self.used[("principal", p.pk)], p.kind, p.name))
        self.used[("principal", body.pk, chosen.pk)] += 1
        self.used[("principal", chosen.pk)] += 1
        return chosen

    def _title_for(self, seat: Seat, principal: Principal) -> str:
        if seat.qualification:
            text = seat.qualification
            return text[0].upper() + text[1:]
        sector = seat.sector.code if seat.sector else None
        if sector is None and principal.kind == PrincipalKind.REGION:
            sector = "health_care"
        elif sector is None and principal.kind == PrincipalKind.MUNICIPALITY:
            sector = self.fake.random_element(["social_services", "school"])
        return self.fake.random_element(TITLES.get(sector) or TITLES[None])

    def _new_person(self, body: Body, seat: Seat | None, *, principal: Principal | None = None,
                    title: str = "") -> Person:
        principal = principal or self._principal_for(body, seat)
        first, last = self.fake.first_name(), self.fake.last_name()
        for _retry in range(20):  # two demo people of the same name would confuse
            if (first, last) not in self.names:
                break
            first, last = self.fake.first_name(), self.fake.last_name()
        self.names.add((first, last))
        base = f"{slugify(first)}.{slugify(last)}"
        email, n = f"{base}@{EMAIL_DOMAIN}", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@{EMAIL_DOMAIN}"
        self.emails.add(email)
        # PTS reserves 070-1740605 … 070-1740699 for fiction.
        phone = f"070-174 06 {self.phone:02d}"
        self.phone = 5 if self.phone == 99 else self.phone + 1
        self.tally.people += 1
        return services.person_create(
            actor=None, first_name=first, last_name=last, email=email, phone=phone,
            title=title or self._title_for(seat, principal), principal=principal, reason=REASON)

    def _stand_in_for(self, seat: Seat) -> Membership | None:
        """The member of the seat with the fewest substitutes, or none."""
        members = (Membership.objects.active_on(self.start)
                   .filter(seat=seat, role=MembershipRole.MEMBER, end__isnull=True)
                   .order_by("id"))
        counts = Counter(Membership.objects.filter(
            seat=seat, role=MembershipRole.SUBSTITUTE, end__isnull=True,
            substitute_for__isnull=False).values_list("substitute_for_id", flat=True))
        return min(members, key=lambda m: (counts[m.pk], m.pk), default=None)

    # --- secretaries (H23) ---------------------------------------------------------------

    def _fill_secretaries(self) -> None:
        region = next((p for p in self.principals if p.kind == PrincipalKind.REGION), None)
        title = SECRETARY_TITLES.get(self.structure.slug, "Sekreterare")
        for slugs in SECRETARIES.get(self.structure.slug, []):
            bodies = list(Body.objects.filter(structure=self.structure, slug__in=slugs)
                          .order_by("position"))
            vacant = [b for b in bodies if not Membership.objects.active_on(self.on).filter(
                seat__body=b, role=MembershipRole.SECRETARY).exists()]
            if not vacant:
                continue
            person = (Membership.objects.active_on(self.on)
                      .filter(seat__body__in=bodies, role=MembershipRole.SECRETARY)
                      .select_related("person").first())
            person = person.person if person else self._new_person(
                vacant[0], None, principal=region or self.principals[0], title=title)
            for body in vacant:
                seat = self._secretary_seat(body, person)
                if seat is None:
                    continue  # a body without seats (a seminar): nobody to support there
                services.membership_start(actor=None, person=person, seat=seat,
                                          role=MembershipRole.SECRETARY, start=self.start,
                                          reason=REASON)
                self.tally.memberships += 1

    def _secretary_seat(self, body: Body, person: Person) -> Seat | None:
        """A seat the secretary's membership can hang on: an open one, else their principal's."""
        seats = list(body.seats.select_related("principal").order_by("position", "id"))
        open_seats = [s for s in seats if not s.principal_id and not s.principal_kind]
        fitting = [s for s in seats if self._fits(person, s)]
        return (open_seats or fitting or [None])[0]

    # --- offices -------------------------------------------------------------------------

    def record_offices(self, body: Body, *, on: dt.date) -> list[OfficeTerm]:
        """Record the office holders of the rotation period running on ``on`` as the body's
        rule asks (H11/H12/H16/V3…); offices already recorded stay. Returns every holder of
        the period."""
        if not body.rotation:
            return []
        rule = rules.parse_rotation(body.rotation)
        try:
            period = rules.period_for(rule, on)
        except rules.RotationError:
            return []  # the rule starts later
        period_start, period_end = max(period.start, self.start), period.end
        chair_kind = None
        chairs: list[Person] = []
        for office, req in rules.requirements(rule, period).items():
            spec = {"principal_kind": req.principal_kind, "sector": req.sector,
                    "qualification": req.qualification}
            if req.among:
                # The convener is chosen by the presidium among its chairs (H4).
                taken = OfficeTerm.objects.filter(body=body, office=office).filter(
                    Q(end__isnull=True) | Q(end__gte=period_start), start__lte=period_end)
                if chairs and not taken.exists():
                    services.office_term_record(actor=None, body=body, office=office,
                                                person=chairs[0], start=period_start,
                                                end=period_end, reason=REASON)
                    self.tally.offices += 1
                continue
            areas = list(self.structure.areas.order_by("position")) if req.per_area else [None]
            for area in areas:
                holder = self._office(body, office, area, spec, chair_kind, period_start,
                                      period_end)
                if office == Office.CHAIR and holder is not None:
                    chairs.append(holder)
                    if holder.principal:
                        chair_kind = holder.principal.kind
        return list(OfficeTerm.objects.active_on(period_start).filter(body=body)
                    .select_related("person__principal", "area").order_by("office", "area"))

    def _office(self, body, office, area, spec, chair_kind, start, end) -> Person | None:
        existing = (OfficeTerm.objects.active_on(start).filter(body=body, office=office,
                                                               area=area)
                    .select_related("person__principal").first())
        if existing is not None:
            return existing.person
        busy = set(OfficeTerm.objects.filter(body=body).filter(
            Q(end__isnull=True) | Q(end__gte=start), start__lte=end)
            .values_list("person_id", flat=True))
        # Who held the office the period before: the holder changes (rotation).
        before = set(OfficeTerm.objects.filter(body=body, office=office, area=area,
                                               end=start - dt.timedelta(days=1))
                     .values_list("person_id", flat=True))
        memberships = (Membership.objects.filter(seat__body=body, role=MembershipRole.MEMBER,
                                                 start__lte=start, end__isnull=True)
                       .select_related("person__principal", "seat__sector")
                       .order_by("seat__position", "id"))
        kind = spec.get("principal_kind", "any")
        hint = AREA_SECTOR.get(area.code) if area is not None else None
        best = None
        for m in memberships:
            p = m.person
            pkind = p.principal.kind if p.principal else None
            if p.pk in busy or (kind in PrincipalKind.values and pkind != kind):
                continue
            if kind == "not_chair" and chair_kind is not None and pkind == chair_kind:
                continue
            sector = m.seat.sector.code if m.seat.sector else None
            if spec.get("sector") and sector != spec["sector"]:
                continue
            if spec.get("qualification") and spec["qualification"] not in m.seat.qualification:
                continue
            rank = (0 if hint is None or sector == hint or (
                hint == "health_care" and pkind == PrincipalKind.REGION) else 1,
                p.pk in before)
            if best is None or rank < best[0]:
                best = (rank, p)
        if best is None:
            return None
        services.office_term_record(actor=None, body=body, office=office, person=best[1],
                                    start=start, end=end, area=area, reason=REASON)
        self.tally.offices += 1
        return best[1]


# --- logins ----------------------------------------------------------------------------------

def _member_of(body_slug: str, on: dt.date) -> Person | None:
    """A person of ``body_slug`` without a login, its chair if it has one."""
    chair = (OfficeTerm.objects.active_on(on)
             .filter(body__slug=body_slug, office=Office.CHAIR, person__user__isnull=True)
             .select_related("person").first())
    if chair is not None:
        return chair.person
    m = (Membership.objects.active_on(on)
         .filter(seat__body__slug=body_slug, role=MembershipRole.MEMBER,
                 person__user__isnull=True)
         .select_related("person").order_by("seat__position", "id").first())
    return m.person if m else None


def _secretary_of(body_slug: str, on: dt.date) -> Person | None:
    m = (Membership.objects.active_on(on)
         .filter(seat__body__slug=body_slug, role=MembershipRole.SECRETARY,
                 person__user__isnull=True)
         .select_related("person").order_by("id").first())
    return m.person if m else None


def create_logins(tally: Tally, groups, password: str, *, today: dt.date) -> DemoLogins:
    """The staff logins and the person logins (members and the secretary), each linked to
    its person and given that person's body permissions at once (no nightly sync needed)."""
    user_model = get_user_model()
    hashed = None  # hashing is slow by design: once for all logins, and only when needed
    staff = {}
    for username, group, label in STAFF_LOGINS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            hashed = hashed or make_password(password)
            user = user_model.objects.create(
                username=username, email=f"{username}@{EMAIL_DOMAIN}", password=hashed,
                is_staff=True)
            tally.users += 1
        user.groups.add(groups[group])
        staff[username] = user
        tally.logins.append((username, label, "–"))

    people = [(u, slug, "Ledamot", _member_of) for u, slug in MEMBER_LOGINS]
    people.append((*SECRETARY_LOGIN, "Sekreterare", _secretary_of))
    for username, body_slug, label, find in people:
        user = user_model.objects.filter(username=username).select_related("person").first()
        if user is None:
            person = find(body_slug, today)
            if person is None:
                continue
            hashed = hashed or make_password(password)
            user = user_model.objects.create(
                username=username, email=person.email, password=hashed,
                first_name=person.first_name, last_name=person.last_name)
            person.user = user
            services.save_with_history(person, actor=None, reason=REASON,
                                       update_fields=["user"])
            tally.users += 1
        # The login sees its bodies now: the permissions follow the memberships at once.
        granted, revoked = login_permissions_sync(user_id=user.pk, on=today)
        tally.permissions += granted + revoked
        person = Person.objects.filter(user=user).first()
        body = Body.objects.filter(slug=body_slug).values_list("name", flat=True).first()
        tally.logins.append((username, label,
                             f"{person.name if person else '–'} ({body or body_slug})"))
    return DemoLogins(coordinator=staff["samordnare"], editor=staff["redaktor"])
