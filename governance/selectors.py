"""Reads the governance pages need, each with the joins it needs and no more.

Every function here issues a fixed number of queries, whatever the number of bodies,
seats or members (tests/governance/test_views.py asserts it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse

from . import diagrams, election_source
from .models import (
    Body,
    BodyKind,
    Membership,
    MembershipRole,
    OfficeTerm,
    Participation,
    Principal,
    StrategicArea,
    Structure,
)
from .structure_facts import StructureFacts, structure_facts


def structure_default() -> Structure | None:
    """The structure shown on the home page: the configured one, else the first."""
    slug = settings.HALSAM_DEFAULT_STRUCTURE
    structure = Structure.objects.filter(slug=slug).first() if slug else None
    if structure is None:
        structure = Structure.objects.filter(bodies__isnull=False).order_by("name").first()
    return structure


def structure_list() -> list[Structure]:
    """Structures that have bodies, for the switcher on the home page."""
    return list(Structure.objects.filter(bodies__isnull=False).distinct().order_by("name"))


@dataclass
class BodyNode:
    body: Body
    children: list[BodyNode] = field(default_factory=list)


@dataclass
class StructureOverview:
    structure: Structure
    roots: list[BodyNode]
    parties: list[Participation]
    others: list[Participation]
    body_count: int
    joint: dict[int, list[Body]]
    # Predecessors, follow-ups, coordinators from structure.rules (J7, J8, V14, V15).
    facts: StructureFacts = field(default_factory=StructureFacts)


def structure_overview(slug: str) -> StructureOverview:
    """A structure with its bodies as a tree of reporting lines (4 queries)."""
    structure = get_object_or_404(Structure.objects.select_related("replaces"), slug=slug)
    bodies = list(
        Body.objects.filter(structure=structure)
        .select_related("prepares_for", "area", "owner_principal")
        .order_by("position", "name")
    )
    nodes = {b.pk: BodyNode(b) for b in bodies}
    roots: list[BodyNode] = []
    for b in bodies:
        parent = nodes.get(b.parent_id)
        (parent.children if parent else roots).append(nodes[b.pk])
    joint: dict[int, list[Body]] = {}
    through = Body.joint_of.through.objects.filter(from_body__structure=structure).values_list(
        "from_body_id", "to_body_id"
    )
    by_pk = {b.pk: b for b in bodies}
    for from_id, to_id in through:
        if to_id in by_pk:
            joint.setdefault(from_id, []).append(by_pk[to_id])
    participations = list(
        Participation.objects.filter(structure=structure).select_related("principal")
        .order_by("principal__kind", "principal__name")
    )
    return StructureOverview(
        structure=structure,
        roots=roots,
        parties=[p for p in participations if p.is_party],
        others=[p for p in participations if not p.is_party],
        body_count=len(bodies),
        joint=joint,
        facts=structure_facts(rules=structure.rules, bodies=bodies, replaces=structure.replaces,
                              principals={p.principal.code: p.principal.name
                                          for p in participations}),
    )


@dataclass
class SeatView:
    seat: object
    members: list[Membership]
    substitutes: list[Membership]
    others: list[Membership]
    vacant_members: int
    vacant_substitutes: int


@dataclass
class BodyPage:
    body: Body
    children: list[Body]
    joint_of: list[Body]
    joint_bodies: list[Body]
    prepared_by: list[Body]
    seats: list[SeatView]
    offices: list[OfficeTerm]
    on: dt.date


def body_page(slug: str, *, on: dt.date) -> BodyPage:
    """A body with its links, seats, current members and office holders (8 queries)."""
    body = get_object_or_404(
        Body.objects.select_related(
            "structure", "parent", "prepares_for", "area", "owner_principal"
        ),
        slug=slug,
    )
    active = (
        Membership.objects.active_on(on)
        .select_related("person__principal", "substitute_for__person")
        .order_by("role", "person__last_name", "person__first_name")
    )
    seats = list(
        body.seats.select_related("principal", "sector")
        .prefetch_related(Prefetch("memberships", queryset=active, to_attr="current"))
        .order_by("position", "id")
    )
    seat_views = []
    for seat in seats:
        members = [m for m in seat.current if m.role == MembershipRole.MEMBER]
        subs = [m for m in seat.current if m.role == MembershipRole.SUBSTITUTE]
        others = [m for m in seat.current
                  if m.role not in (MembershipRole.MEMBER, MembershipRole.SUBSTITUTE)]
        seat_views.append(SeatView(
            seat=seat, members=members, substitutes=subs, others=others,
            vacant_members=max(seat.member_count - len(members), 0) if not seat.is_co_opted else 0,
            vacant_substitutes=max(seat.substitute_count - len(subs), 0),
        ))
    offices = list(
        OfficeTerm.objects.active_on(on).filter(body=body)
        .select_related("body", "person__principal", "area")
        .order_by("office", "area__position")
    )
    # "Vald vid mötet den …": the meeting that elected each holder (H13; one query).
    election_source.annotate_terms(offices)
    related = Body.objects.only("slug", "name", "short_name", "structure_id").order_by(
        "position", "name")
    return BodyPage(
        body=body,
        children=list(related.filter(parent=body)),
        joint_of=list(related.filter(joint_bodies=body)),
        joint_bodies=list(related.filter(joint_of=body)),
        prepared_by=list(related.filter(Q(prepares_for=body) & ~Q(parent=body))),
        seats=seat_views,
        offices=offices,
        on=on,
    )


# --- pictures: the structure diagram and the local group grid (governance/diagrams.py) -----

@dataclass
class StructurePictures:
    """The structure's diagram (wide and narrow layouts) and its local group grid."""

    structure: Structure
    wide: diagrams.Diagram
    narrow: diagrams.Diagram
    grid: diagrams.Grid | None
    body_count: int
    level_count: int


def diagram_bodies(structure_id: int) -> list[diagrams.DiagramBody]:
    """The structure's bodies as the pictures need them (2 queries)."""
    rows = list(Body.objects.filter(structure_id=structure_id)
                .order_by("position", "name")
                .values_list("id", "name", "short_name", "slug", "kind", "parent_id",
                             "prepares_for_id", "position", "owner_principal_id", "area_id"))
    joint: dict[int, list[int]] = {}
    for from_id, to_id in (Body.joint_of.through.objects
                           .filter(from_body__structure_id=structure_id)
                           .order_by("to_body__position").values_list("from_body_id",
                                                                      "to_body_id")):
        joint.setdefault(from_id, []).append(to_id)
    labels = dict(BodyKind.choices)
    return [
        diagrams.DiagramBody(
            id=pk, name=name, short_name=short, kind=kind, kind_label=str(labels.get(kind, kind)),
            url=reverse("governance:body", kwargs={"slug": slug}), parent_id=parent,
            prepares_for_id=prepares, joint_of_ids=tuple(joint.get(pk, ())), position=position,
            owner_id=owner, area_id=area)
        for pk, name, short, slug, kind, parent, prepares, position, owner, area in rows
    ]


def _member_counts(local_ids: list[int], on: dt.date) -> dict[int, int]:
    """Per local group the number of its members on ``on``, the grid's cell text."""
    return dict(Membership.objects.active_on(on)
                .filter(seat__body_id__in=local_ids, role=MembershipRole.MEMBER)
                .values("seat__body_id").annotate(n=Count("id"))
                .values_list("seat__body_id", "n"))


def structure_pictures(structure: Structure, *, on: dt.date, current: int | None = None,
                       cluster_url: str = "#lokal-samverkan") -> StructurePictures:
    """The pictures of ``structure``, with the body ``current`` highlighted (6 queries)."""
    bodies = diagram_bodies(structure.pk)
    grid = None
    local_ids = [b.id for b in bodies if b.kind == diagrams.LOCAL_GROUP]
    if local_ids:
        principals = [diagrams.GridAxis(id=pk, name=short or name) for pk, name, short in
                      Principal.objects.filter(owned_bodies__id__in=local_ids).distinct()
                      .order_by("name").values_list("id", "name", "short_name")]
        areas = [diagrams.GridAxis(id=pk, name=name) for pk, name in
                 StrategicArea.objects.filter(structure=structure)
                 .order_by("position", "name").values_list("id", "name")]
        grid = diagrams.local_group_grid(bodies, principals, areas,
                                         counts=_member_counts(local_ids, on), current=current)
    wide = diagrams.structure_diagram(bodies, current=current, cluster_url=cluster_url)
    narrow = diagrams.structure_diagram(bodies, narrow=True, current=current,
                                        cluster_url=cluster_url)
    return StructurePictures(structure=structure, wide=wide, narrow=narrow, grid=grid,
                             body_count=len(bodies),
                             level_count=len({b.row for b in wide.boxes}))


# --- search (the site's one search, portal/public.py) -------------------------------------

SEARCH_LIMIT = 20
SEARCH_MAX_WORDS = 8


@dataclass
class SearchHits:
    """The first ``limit`` matches of one kind and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


def search_words(q: str) -> list[str]:
    """The words of a query (at most ``SEARCH_MAX_WORDS``), without duplicates."""
    words: list[str] = []
    for word in q.split():
        if word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    return words[:SEARCH_MAX_WORDS]


def words_q(q: str, fields: list[str], *, restricted: dict[str, Q] | None = None) -> Q:
    """Every word of ``q`` in some field, ignoring case and diacritics (governance.search's
    ``unaccent``); a field in ``restricted`` counts only where its condition holds."""
    restricted = restricted or {}
    out = Q()
    for word in search_words(q):
        any_field = Q()
        for name in [*fields, *restricted]:
            match = Q(**{f"{name}__unaccent__icontains": word})
            any_field |= (match & restricted[name]) if name in restricted else match
        out &= any_field
    return out


def search_bodies(q: str, *, limit: int = SEARCH_LIMIT) -> SearchHits:
    """Bodies whose name, short name, mandate, principal or area has every word, those with
    every word in their name first (2 queries). Bodies are public: everyone finds them."""
    in_name = words_q(q, ["name", "short_name"])
    qs = (Body.objects.filter(words_q(q, ["name", "short_name", "mandate",
                                          "owner_principal__name", "area__name"]))
          .annotate(by_name=Case(When(in_name, then=Value(0)), default=Value(1)))
          .select_related("structure")
          .order_by("by_name", "structure__name", "position", "name"))
    return SearchHits(items=list(qs[:limit]), total=qs.count())
