"""Reads the governance pages need, each with the joins it needs and no more.

Every function here issues a fixed number of queries, whatever the number of bodies,
seats or members (tests/governance/test_views.py asserts it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from .models import Body, Membership, MembershipRole, OfficeTerm, Participation, Structure


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
        .select_related("person__principal", "area")
        .order_by("office", "area__position")
    )
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
