"""How the admin names people, seats and memberships in its choices and searches.

The seven "Förvaltningschef för socialförvaltning/motsvarande" seats of Länsledning
differ only by municipality, and two people may share a name: the labels name the
principal, the title and the body, so the coordinator picks the right one. Each label
reads only the related rows listed in ``SELECT_RELATED`` (select them, and a list of
choices costs one query).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .models import Membership, Office, Person, Seat


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


def has_second_vice_chair(rotation: Mapping[str, Any] | None) -> bool:
    """Whether the body's rotation rule has a second vice chair in some step (H12)."""
    cycle = (rotation or {}).get("cycle") if isinstance(rotation, Mapping) else None
    return any(isinstance(step, Mapping) and "second_vice_chair" in step
               for step in cycle or ())


def office_label(office: str, *, second_vice_chair: bool = False) -> str:
    """The office's name: "vice ordförande" for a body's only vice chair, "1:e vice
    ordförande" only beside a second vice chair (H12, Länsledning)."""
    if office == Office.VICE_CHAIR and second_vice_chair:
        return _("First vice chair")
    try:
        return str(Office(office).label)
    except ValueError:
        return office


def office_term_label(term: Any) -> str:
    """The label of an ``OfficeTerm`` on its body (reads ``term.body``: select it)."""
    return office_label(term.office,
                        second_vice_chair=has_second_vice_chair(term.body.rotation))


LABELS = {Person: person_label, Seat: seat_label, Membership: membership_label}
SELECT_RELATED = {
    Person: ("principal",),
    Seat: ("body", "principal"),
    Membership: ("person", "seat__body", "seat__principal"),
}
