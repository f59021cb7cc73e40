"""What the coordinator needs to act on, as data: vacancies, ended memberships, term changes.

Each function returns plain ``Reminder`` values with a stable ``key`` (so a digest can
remember which it has already mailed) and runs a fixed number of queries whatever the
size of the structure.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from halsam.formats.dates import plain_date

from . import terms
from .models import Body, Membership, MembershipRole, Seat

INFO, WARNING, ERROR = "info", "warning", "error"


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: str
    severity: str
    body_slug: str
    body_name: str
    due: dt.date | None
    message: str
    rule: str = ""


def _seats(structure_slug: str | None):
    seats = Seat.objects.all()
    if structure_slug:
        seats = seats.filter(body__structure__slug=structure_slug)
    return seats


def vacancies(*, on: dt.date, structure_slug: str | None = None) -> list[Reminder]:
    """Seats with fewer current members or substitutes than they have places (1 query)."""
    active = Q(memberships__start__lte=on) & (
        Q(memberships__end__isnull=True) | Q(memberships__end__gte=on))
    seats = (
        _seats(structure_slug)
        .filter(Q(body__ends_on__isnull=True) | Q(body__ends_on__gte=on))
        # A structure or body not yet in force (J7: from 2027) or no longer in force has
        # no places to fill.
        .exclude(body__structure__valid_from__gt=on)
        .exclude(body__starts_on__gt=on)
        .exclude(body__structure__valid_until__lt=on)
        .annotate(
            members=Count("memberships",
                          filter=active & Q(memberships__role=MembershipRole.MEMBER)),
            subs=Count("memberships",
                       filter=active & Q(memberships__role=MembershipRole.SUBSTITUTE)),
        )
        .filter((Q(members__lt=F("member_count")) & Q(is_co_opted=False))
                | Q(subs__lt=F("substitute_count")))
        .select_related("body", "principal")
        .order_by("body__structure_id", "body__position", "body__name", "position", "id")
    )
    out = []
    for seat in seats:
        missing_m = 0 if seat.is_co_opted else seat.member_count - seat.members
        missing_s = seat.substitute_count - seat.subs
        parts = []
        if missing_m > 0:
            parts.append(ngettext("%(n)d of %(total)d member place",
                                  "%(n)d of %(total)d member places", seat.member_count) % {
                "n": missing_m, "total": seat.member_count})
        if missing_s > 0:
            parts.append(ngettext("%(n)d of %(total)d substitute place",
                                  "%(n)d of %(total)d substitute places",
                                  seat.substitute_count) % {
                "n": missing_s, "total": seat.substitute_count})
        out.append(Reminder(
            key=f"vacancy:{seat.pk}:{missing_m}:{missing_s}",
            kind="vacancy", severity=WARNING, body_slug=seat.body.slug, body_name=seat.body.name,
            due=None,
            message=_("%(seat)s: %(missing)s vacant.") % {
                "seat": seat.title + (f" ({seat.principal.short_name or seat.principal.name})"
                                      if seat.principal else ""),
                "missing": _(" and ").join(parts)},
        ))
    return out


def ended_without_successor(*, on: dt.date, structure_slug: str | None = None,
                            look_back_days: int = 365) -> list[Reminder]:
    """Memberships that ended (within ``look_back_days``) with nobody after them (1 query)."""
    successor = Membership.objects.filter(
        seat_id=OuterRef("seat_id"), role=OuterRef("role"), start__gt=OuterRef("start")
    ).exclude(pk=OuterRef("pk"))
    ended = (
        Membership.objects.filter(end__lt=on, end__gte=on - dt.timedelta(days=look_back_days),
                                  role__in=[MembershipRole.MEMBER, MembershipRole.SUBSTITUTE])
        .filter(~Exists(successor))
        # A place that ended with its body or structure (issue 13) needs no successor.
        .exclude(seat__body__ends_on__isnull=False, end__gte=F("seat__body__ends_on"))
        .exclude(seat__body__structure__valid_until__isnull=False,
                 end__gte=F("seat__body__structure__valid_until"))
        .select_related("person", "seat__body")
        .order_by("seat__body__position", "seat__body__name", "end")
    )
    if structure_slug:
        ended = ended.filter(seat__body__structure__slug=structure_slug)
    return [
        Reminder(
            key=f"ended:{m.pk}", kind="ended_without_successor", severity=WARNING,
            body_slug=m.seat.body.slug, body_name=m.seat.body.name, due=m.end,
            message=_("%(person)s left “%(seat)s” on %(end)s and no successor is recorded.") % {
                "person": m.person.name, "seat": m.seat.title, "end": plain_date(m.end)},
        )
        for m in ended
    ]


def term_change(*, on: dt.date, structure_slug: str | None = None,
                window_days: int = 120) -> list[Reminder]:
    """A new political term starting soon (or just started): every seat held by virtue of
    office needs its holder confirmed (H2, H3), 2 queries.

    The terms go on by the rule (2027–2030, 2031–2034, …), not only as far as the
    preset's ``terms:`` rows (``governance.terms``), so the reminder comes before every
    change.
    """
    recorded = terms.recorded_by_structure(structure_slug=structure_slug)
    held = (
        Membership.objects.filter(seat__by_virtue_of_office=True)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("person", "seat__body__structure")
        .order_by("seat__body__position", "seat__position", "seat_id")
    )
    if structure_slug:
        held = held.filter(seat__body__structure__slug=structure_slug)
    held = list(held)
    if not held:
        return []
    by_structure = {sid: terms.change_near(on, recorded[sid], window_days=window_days)
                    for sid in {m.seat.body.structure_id for m in held}}
    # A seat whose holder has a membership from the new term's start is confirmed.
    confirmed = {m.seat_id for m in held
                 if by_structure[m.seat.body.structure_id] is not None
                 and m.start >= by_structure[m.seat.body.structure_id].start}
    out = []
    for m in held:
        term = by_structure[m.seat.body.structure_id]
        if term is None or m.seat_id in confirmed:
            continue
        # A body that has ended by the new term has no seat to confirm.
        if not m.seat.body.is_in_force(term.start) and not m.seat.body.is_in_force(on):
            continue
        out.append(Reminder(
            key=f"term:{term.key}:{m.pk}", kind="term_change", severity=WARNING,
            body_slug=m.seat.body.slug, body_name=m.seat.body.name, due=term.start,
            message=_("%(term)s starts %(start)s: confirm that %(person)s still holds "
                      "“%(seat)s”, held by virtue of office (H2, H3).") % {
                "term": term.name, "start": plain_date(term.start), "person": m.person.name,
                "seat": m.seat.title},
            rule="H3",
        ))
    return out


def bodies_with_rotation(structure_slug: str | None = None):
    bodies = Body.objects.exclude(rotation={}).select_related("structure")
    if structure_slug:
        bodies = bodies.filter(structure__slug=structure_slug)
    return bodies.order_by("structure__name", "position", "name")
