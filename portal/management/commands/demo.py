"""``manage.py demo``: fill HälSam with fictive people, office holders and demo logins.

Every member and substitute place of every seat of the HälSam preset gets a clearly
fictive person (Faker ``sv_SE``, seeded; e-mail on the reserved ``.invalid`` domain,
phone numbers from the range PTS reserves for fiction), all through the services, so
the capacity and office rules hold and the history says "demo". Seats that the seeds
fill with people from another body (the political presidium among the HälSam chairs,
the officials' presidium from Länsledning, the county groups staffed by Länsledning)
reuse those people. Running it again only fills what is still vacant: on a complete
demo it changes nothing and says so.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from governance import rules, services
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
    Term,
)
from governance.presets import PresetError, load_structure
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups

PRESET = "halsam-vasternorrland"
DEFAULT_PASSWORD = "demo-halsam-2026"  # noqa: S105 - a printed demo password, by design
EMAIL_DOMAIN = "exempel.invalid"  # RFC 2606: can never reach anyone
SEED = 2026
REASON = "Demo data (manage.py demo)"

# Seats the seeds fill with people who already sit in another body:
# (body slug pattern, seat key prefix) -> [(source body slug, source seat key prefix)].
REUSE: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("halsam-presidium", "socialpresidiet"): [("halsam", "ordf-socialnamnd-")],  # H5
    ("halsam-presidium", "skolpresidiet"): [("halsam", "ordf-skolnamnd-")],  # H5
    ("halsam-presidium", "regionen"): [("halsam", "ordf-hsn"), ("halsam", "ordf-run"),
                                       ("halsam", "ordf-vvu")],  # H6
    ("presidium", "politiker"): [("halsam-presidium", "")],  # H9
    ("presidium", "lansledning"): [("lansledning", "")],  # H9
    ("lansamordning-*", "socialtjanst"): [("lansledning", "fc-socialforvaltning-")],  # H17
    ("lansamordning-*", "skola"): [("lansledning", "fc-skolforvaltning-")],  # H17
    ("lansamordning-*", "halso-och-sjukvard"): [("lansledning", "omradesdirektorer")],  # H17
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


@dataclass
class Tally:
    people: int = 0
    memberships: int = 0
    offices: int = 0
    users: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.people or self.memberships or self.offices or self.users)


class Command(BaseCommand):
    help = "Fill every seat of the HälSam preset with fictive people and create demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help=f"password of the demo logins (default {DEFAULT_PASSWORD})")
        parser.add_argument("--seed", type=int, default=SEED, help="Faker seed")

    def handle(self, *args, password: str, seed: int, **options):
        try:
            tally = self._run(password=password, seed=seed)
        except PresetError as exc:
            raise CommandError(f"The HälSam preset could not be loaded.\n{exc}") from exc
        if tally.changed:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data created: {tally.people} people, {tally.memberships} memberships, "
                f"{tally.offices} office terms, {tally.users} logins."))
        else:
            self.stdout.write("The demo data is already there; nothing was changed.")
        self._print_logins(tally, password)

    @transaction.atomic
    def _run(self, *, password: str, seed: int) -> Tally:
        if not Structure.objects.filter(slug=PRESET).exists():
            load_structure(PRESET, reason=REASON)
        groups = ensure_role_groups()
        filler = _Filler(Structure.objects.get(slug=PRESET), seed=seed)
        filler.fill()
        tally = filler.tally
        _create_logins(tally, groups, password)
        return tally

    def _print_logins(self, tally: Tally, password: str) -> None:
        rows = [("Login", "Role", "Person / body")] + tally.logins
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        self.stdout.write("")
        for i, row in enumerate(rows):
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        if tally.users:
            self.stdout.write(f"\nPassword of every demo login: {password}")
        else:
            self.stdout.write("\nThe logins existed already; their passwords were not changed.")


class _Filler:
    """Fills the vacant places of a structure's seats and records the current offices."""

    def __init__(self, structure: Structure, *, seed: int):
        self.structure = structure
        self.tally = Tally()
        self.fake = Faker("sv_SE")
        self.fake.seed_instance(seed)
        self.today = timezone.localdate()
        term = (Term.objects.filter(structure=structure, start__lte=self.today,
                                    end__gte=self.today).order_by("start").first())
        self.start = term.start if term else dt.date(self.today.year, 1, 1)
        self.emails = set(Person.objects.exclude(email="").values_list("email", flat=True))
        self.principals = list(Principal.objects.filter(participations__structure=structure)
                               .order_by("kind", "name"))
        self.used = Counter()  # how often a person was reused or a principal picked
        self.phone = 5

    # --- the order: bodies whose people are reused come first -------------------------

    def fill(self) -> None:
        bodies = list(Body.objects.filter(structure=self.structure)
                      .select_related("structure").order_by("position", "slug"))
        for body in sorted(bodies, key=lambda b: (self._depth(b.slug), b.position, b.slug)):
            seats = body.seats.select_related("principal", "sector").order_by("position", "id")
            for seat in seats:
                self._fill_seat(body, seat)
            self._record_offices(body)

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
                Q(end__isnull=True) | Q(end__gte=self.today)).count()
            for _i in range(capacity - taken):
                person = self._reused_person(body, seat) or self._new_person(body, seat)
                substitute_for = (self._stand_in_for(seat)
                                  if role == MembershipRole.SUBSTITUTE else None)
                services.membership_start(
                    actor=None, person=person, seat=seat, role=role, start=self.start,
                    substitute_for=substitute_for, reason=REASON)
                self.tally.memberships += 1

    def _fits(self, person: Person, seat: Seat) -> bool:
        if seat.principal_id:
            return person.principal_id == seat.principal_id
        if seat.principal_kind:
            return person.principal is not None and person.principal.kind == seat.principal_kind
        return True

    def _reused_person(self, body: Body, seat: Seat) -> Person | None:
        sources = [pair for (pattern, prefix), pairs in REUSE.items()
                   if fnmatch.fnmatchcase(body.slug, pattern) and seat.key.startswith(prefix)
                   for pair in pairs]
        if not sources:
            return None
        cond = Q()
        for src_body, prefix in sources:
            cond |= Q(seat__body__slug=src_body, seat__key__startswith=prefix)
        candidates = (Membership.objects.active_on(self.start).filter(cond)
                      .filter(role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED])
                      .select_related("person__principal", "seat__body")
                      .order_by("seat__body__position", "seat__position", "id"))
        here = body.seats.filter(memberships__end__isnull=True)
        in_body = set(here.values_list("memberships__person_id", flat=True))
        principals_here = set(here.values_list("memberships__person__principal_id", flat=True))
        office_holders = set(OfficeTerm.objects.active_on(self.today)
                             .values_list("person_id", flat=True))
        best = None
        for m in candidates:
            p = m.person
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
        kinds = ({seat.principal_kind} if seat.principal_kind
                 else {PrincipalKind.REGION, PrincipalKind.MUNICIPALITY})
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

    def _new_person(self, body: Body, seat: Seat) -> Person:
        principal = self._principal_for(body, seat)
        first, last = self.fake.first_name(), self.fake.last_name()
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
            title=self._title_for(seat, principal), principal=principal, reason=REASON)

    def _stand_in_for(self, seat: Seat) -> Membership | None:
        """The member of the seat with the fewest substitutes, or none."""
        members = (Membership.objects.active_on(self.start)
                   .filter(seat=seat, role=MembershipRole.MEMBER, end__isnull=True)
                   .order_by("id"))
        counts = Counter(Membership.objects.filter(
            seat=seat, role=MembershipRole.SUBSTITUTE, end__isnull=True,
            substitute_for__isnull=False).values_list("substitute_for_id", flat=True))
        return min(members, key=lambda m: (counts[m.pk], m.pk), default=None)

    # --- offices -------------------------------------------------------------------------

    def _record_offices(self, body: Body) -> None:
        """Record this period's office holders as the body's rotation rule asks (H11/H12…)."""
        if not body.rotation:
            return
        rule = rules.parse_rotation(body.rotation)
        try:
            period = rules.period_for(rule, self.today)
        except rules.RotationError:
            return  # the rule starts later (e.g. Jämtland from 2027)
        period_start, period_end = max(period.start, self.start), period.end
        chair_kind = None
        chairs: list[Person] = []
        for office, req in rules.requirements(rule, period).items():
            spec = {"principal_kind": req.principal_kind, "sector": req.sector,
                    "qualification": req.qualification}
            if req.among:
                # The convener is chosen by the presidium among its chairs (H4).
                if chairs and not OfficeTerm.objects.filter(body=body, office=office).exists():
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

    def _office(self, body, office, area, spec, chair_kind, start, end) -> Person | None:
        existing = (OfficeTerm.objects.active_on(start).filter(body=body, office=office,
                                                               area=area)
                    .select_related("person__principal").first())
        if existing is not None:
            return existing.person
        busy = set(OfficeTerm.objects.filter(body=body).filter(
            Q(end__isnull=True) | Q(end__gte=start), start__lte=end)
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
            rank = 0 if hint is None or sector == hint or (
                hint == "health_care" and pkind == PrincipalKind.REGION) else 1
            if best is None or rank < best[0]:
                best = (rank, p)
        if best is None:
            return None
        services.office_term_record(actor=None, body=body, office=office, person=best[1],
                                    start=start, end=end, area=area, reason=REASON)
        self.tally.offices += 1
        return best[1]


# --- logins --------------------------------------------------------------------------------

def _member_of(body_slug: str) -> Person | None:
    """A person of ``body_slug`` without a login, its chair if it has one."""
    today = timezone.localdate()
    chair = (OfficeTerm.objects.active_on(today)
             .filter(body__slug=body_slug, office=Office.CHAIR, person__user__isnull=True)
             .select_related("person").first())
    if chair is not None:
        return chair.person
    m = (Membership.objects.active_on(today)
         .filter(seat__body__slug=body_slug, role=MembershipRole.MEMBER,
                 person__user__isnull=True)
         .select_related("person").order_by("seat__position", "id").first())
    return m.person if m else None


def _create_logins(tally: Tally, groups, password: str) -> None:
    user_model = get_user_model()
    hashed = make_password(password)  # hashing is slow by design: once for all logins
    staff = [("samordnare", COORDINATOR_GROUP, "Samverkanskoordinator"),
             ("redaktor", EDITOR_GROUP, "Redaktör")]
    for username, group, label in staff:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create(
                username=username, email=f"{username}@{EMAIL_DOMAIN}", password=hashed,
                is_staff=True)
            tally.users += 1
        user.groups.add(groups[group])
        tally.logins.append((username, label, "–"))

    # Member logins, each linked to a person in a different body.
    members = [("ledamot-halsam", "halsam"), ("ledamot-lansledning", "lansledning"),
               ("ledamot-lokal", "lokal-sundsvall-barn-och-unga")]
    for username, body_slug in members:
        user = user_model.objects.filter(username=username).select_related("person").first()
        if user is None:
            person = _member_of(body_slug)
            if person is None:
                continue
            user = user_model.objects.create(
                username=username, email=person.email, password=hashed,
                first_name=person.first_name, last_name=person.last_name)
            person.user = user
            services.save_with_history(person, actor=None, reason=REASON,
                                       update_fields=["user"])
            tally.users += 1
        person = getattr(user, "person", None)
        body = Body.objects.filter(slug=body_slug).values_list("name", flat=True).first()
        tally.logins.append((username, "Ledamot",
                             f"{person.name if person else '–'} ({body or body_slug})"))
