"""factory-boy factories for the governance models.

Factories write rows directly (no service rules): use them to set up state, and the
services to do what a test is about.
"""
from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from governance.models import (
    Body,
    BodyKind,
    Membership,
    MembershipRole,
    Office,
    OfficeTerm,
    Participation,
    Person,
    Principal,
    PrincipalKind,
    Seat,
    Sector,
    StrategicArea,
    Structure,
    Term,
    TermKind,
)

START = dt.date(2024, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@exempel.invalid")
    password = factory.django.Password("pw-for-tests-only")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Struktur {n}")
    slug = factory.Sequence(lambda n: f"struktur-{n}")
    region = "Region Test"
    valid_from = dt.date(2023, 1, 1)


class PrincipalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Principal
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"9{n:03d}")
    name = factory.Sequence(lambda n: f"Testkommun {n}")
    slug = factory.Sequence(lambda n: f"testkommun-{n}")
    kind = PrincipalKind.MUNICIPALITY


class RegionFactory(PrincipalFactory):
    code = factory.Sequence(lambda n: f"R9{n}")
    name = factory.Sequence(lambda n: f"Testregion {n}")
    slug = factory.Sequence(lambda n: f"testregion-{n}")
    kind = PrincipalKind.REGION


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    structure = factory.SubFactory(StructureFactory)
    principal = factory.SubFactory(PrincipalFactory)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"Sektor {n}")


class StrategicAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicArea

    structure = factory.SubFactory(StructureFactory)
    code = factory.Sequence(lambda n: f"omrade-{n}")
    name = factory.Sequence(lambda n: f"Område {n}")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    structure = factory.SubFactory(StructureFactory)
    kind = TermKind.POLITICAL
    name = "Mandatperioden 2023–2026"
    start = dt.date(2023, 1, 1)
    end = dt.date(2026, 12, 31)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Organ {n}")
    slug = factory.Sequence(lambda n: f"organ-{n}")
    kind = BodyKind.OFFICIALS_BOARD


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    key = factory.Sequence(lambda n: f"plats-{n}")
    title = factory.Sequence(lambda n: f"Plats {n}")
    member_count = 1
    substitute_count = 1


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Förnamn{n}")
    last_name = factory.Sequence(lambda n: f"Efternamn{n}")
    email = factory.Sequence(lambda n: f"person{n}@exempel.invalid")
    principal = factory.SubFactory(PrincipalFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    seat = factory.SubFactory(SeatFactory)
    person = factory.SubFactory(PersonFactory)
    role = MembershipRole.MEMBER
    start = START


class OfficeTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeTerm

    body = factory.SubFactory(BodyFactory)
    office = Office.CHAIR
    person = factory.SubFactory(PersonFactory)
    start = START
