"""How the admin names people, seats and memberships in its choices and searches.

The seven "Förvaltningschef för socialförvaltning/motsvarande" seats of Länsledning
differ only by municipality, and two people may share a name: the labels name the
principal, the title and the body, so the coordinator picks the right one. Each label
reads only the related rows listed in ``SELECT_RELATED`` (select them, and a list of
choices costs one query).
"""
from __future__ import annotations

from .models import Membership, Person, Seat


def person_label(person: Person) -> str:
    """"Sara Exempel (Förvaltningschef, Sundsvalls kommun)"; just the name when both are
    unknown."""
    details = [part for part in (person.title, person.principal.name if person.principal_id
                                 else "") if part]
    return f"{person.name} ({', '.join(details)})" if details else person.name


def seat_label(seat: Seat) -> str:
    """"Timrå kommun – Förvaltningschef för socialförvaltning/motsvarande (Länsledning
    för HälSam)" (the seat's ``__str__``)."""
    return str(seat)


def membership_label(membership: Membership) -> str:
    """"Sara Exempel, ledamot: Sundsvalls kommun – Förvaltningschef … (Länsledning …)"."""
    role = membership.get_role_display().lower()
    return f"{membership.person.name}, {role}: {seat_label(membership.seat)}"


LABELS = {Person: person_label, Seat: seat_label, Membership: membership_label}
SELECT_RELATED = {
    Person: ("principal",),
    Seat: ("body", "principal"),
    Membership: ("person", "seat__body", "seat__principal"),
}
