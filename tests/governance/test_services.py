"""The governance services: what they allow, what they refuse (and on which field),
and the invariants the database itself refuses."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance import services
from governance.models import (
    BodyKind,
    Membership,
    MembershipRole,
    Office,
    OfficeTerm,
    PrincipalKind,
    Seat,
)

from .factories import (
    BodyFactory,
    MembershipFactory,
    OfficeTermFactory,
    PersonFactory,
    PrincipalFactory,
    RegionFactory,
    SeatFactory,
    StrategicAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JAN = dt.date(2024, 1, 1)
JUN30 = dt.date(2024, 6, 30)
JUL1 = dt.date(2024, 7, 1)
DEC31 = dt.date(2024, 12, 31)


@pytest.fixture
def kommun():
    return PrincipalFactory(name="Sundsvalls kommun")


@pytest.fixture
def seat(kommun):
    """A seat of one member and one substitute, for the municipality."""
    return SeatFactory(principal=kommun, member_count=1, substitute_count=1)


def person_of(principal, **kwargs):
    return PersonFactory(principal=principal, **kwargs)


def start(seat, person, role=MembershipRole.MEMBER, on=JAN, end=None, substitute_for=None,
          actor=None):
    return services.membership_start(actor=actor, person=person, seat=seat, role=role,
                                     start=on, end=end, substitute_for=substitute_for)


def refused_on(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# --- membership_start ------------------------------------------------------------------

def test_membership_start_gives_a_place_and_a_substitute_standing_in(seat, kommun):
    member = start(seat, person_of(kommun))
    substitute = start(seat, person_of(kommun), MembershipRole.SUBSTITUTE, substitute_for=member)
    assert Membership.objects.active_on(JAN).filter(seat=seat).count() == 2
    assert list(member.substitutes.all()) == [substitute]


def test_membership_start_refuses_a_member_beyond_the_seat_capacity(seat, kommun):
    start(seat, person_of(kommun))
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun), on=JUL1)
    assert refused_on(excinfo) == {"seat"}
    assert seat.memberships.count() == 1


def test_membership_start_refuses_a_substitute_beyond_the_seat_capacity(seat, kommun):
    start(seat, person_of(kommun), MembershipRole.SUBSTITUTE)
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun), MembershipRole.SUBSTITUTE)
    assert refused_on(excinfo) == {"seat"}


def test_membership_start_counts_only_overlapping_periods(seat, kommun):
    start(seat, person_of(kommun), end=JUN30)
    # The next member starting the day after the first one ends fits …
    start(seat, person_of(kommun), on=JUL1, end=DEC31)
    # … and so does one after both, but not one overlapping the second.
    start(seat, person_of(kommun), on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun), on=dt.date(2024, 12, 1), end=dt.date(2024, 12, 15))
    assert refused_on(excinfo) == {"seat"}


def test_membership_start_counts_a_future_place_as_taken(kommun):
    seat = SeatFactory(principal=kommun, member_count=1, substitute_count=0)
    start(seat, person_of(kommun), on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun), on=JAN)  # open-ended: runs into 2025
    assert refused_on(excinfo) == {"seat"}
    start(seat, person_of(kommun), on=JAN, end=DEC31)  # ends in time: fits


def test_membership_start_refuses_a_person_of_another_principal(seat):
    other = PrincipalFactory(name="Ånge kommun")
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(other))
    assert refused_on(excinfo) == {"person"}


def test_membership_start_refuses_a_person_not_of_the_seats_principal_kind(kommun):
    seat = SeatFactory(principal=None, principal_kind=PrincipalKind.REGION)
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun))
    assert refused_on(excinfo) == {"person"}
    with pytest.raises(ValidationError) as excinfo:
        start(seat, PersonFactory(principal=None))
    assert refused_on(excinfo) == {"person"}
    start(seat, person_of(RegionFactory()))


def test_membership_start_refuses_the_same_person_twice_in_a_seat(kommun):
    seat = SeatFactory(principal=kommun, member_count=2, substitute_count=1)
    person = person_of(kommun)
    start(seat, person)
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person, MembershipRole.SUBSTITUTE)
    assert refused_on(excinfo) == {"person"}


def test_membership_start_refuses_standing_in_for_a_member_of_another_seat(seat, kommun):
    other_seat = SeatFactory(body=seat.body, principal=kommun)
    other_member = start(other_seat, person_of(kommun))
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun), MembershipRole.SUBSTITUTE, substitute_for=other_member)
    assert refused_on(excinfo) == {"substitute_for"}


def test_membership_start_refuses_substitute_for_on_a_member(seat, kommun):
    member = start(seat, person_of(kommun))
    seat.member_count = 2
    seat.save()
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun), MembershipRole.MEMBER, substitute_for=member)
    assert refused_on(excinfo) == {"substitute_for"}


def test_membership_start_refuses_an_end_before_the_start(seat, kommun):
    with pytest.raises(ValidationError) as excinfo:
        start(seat, person_of(kommun), on=JUL1, end=JUN30)
    assert "end" in refused_on(excinfo)


# --- membership_end ----------------------------------------------------------------------

def test_membership_end_frees_the_place_from_the_next_day(seat, kommun):
    member = start(seat, person_of(kommun))
    services.membership_end(actor=None, membership=member, end=JUN30)
    member.refresh_from_db()
    assert member.end == JUN30
    start(seat, person_of(kommun), on=JUL1)


def test_membership_end_refuses_an_end_before_the_start_or_after_an_earlier_end(seat, kommun):
    member = start(seat, person_of(kommun), on=JUL1)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_end(actor=None, membership=member, end=JUN30)
    assert refused_on(excinfo) == {"end"}
    services.membership_end(actor=None, membership=member, end=DEC31)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_end(actor=None, membership=member, end=dt.date(2025, 6, 1))
    assert refused_on(excinfo) == {"end"}


def test_membership_end_refuses_ending_an_office_holders_membership(seat, kommun):
    member = start(seat, person_of(kommun))
    services.office_term_record(actor=None, body=seat.body, office=Office.CHAIR,
                                person=member.person, start=JAN, end=DEC31)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_end(actor=None, membership=member, end=JUN30)
    assert refused_on(excinfo) == {"end"}
    # Ending on the office's last day, or later, is fine.
    services.membership_end(actor=None, membership=member, end=DEC31)


# --- office_term_record / office_term_end ----------------------------------------------------

@pytest.fixture
def board(kommun):
    """A body with two member places and the two people in them."""
    seat = SeatFactory(principal=kommun, member_count=2, substitute_count=1)
    a = start(seat, person_of(kommun)).person
    b = start(seat, person_of(kommun)).person
    return seat.body, seat, a, b


def test_office_term_record_and_end(board):
    body, _seat, a, b = board
    chair = services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=a,
                                        start=JAN)
    services.office_term_record(actor=None, body=body, office=Office.VICE_CHAIR, person=b,
                                start=JAN, end=DEC31)
    assert set(OfficeTerm.objects.active_on(JUL1).values_list("person", flat=True)) == {a.pk, b.pk}
    services.office_term_end(actor=None, office_term=chair, end=DEC31)
    chair.refresh_from_db()
    assert chair.end == DEC31
    with pytest.raises(ValidationError) as excinfo:
        services.office_term_end(actor=None, office_term=chair, end=dt.date(2023, 12, 31))
    assert refused_on(excinfo) == {"end"}


def test_office_term_record_refuses_an_office_holder_who_is_not_a_member(board, kommun):
    body, _seat, _a, _b = board
    outsider = person_of(kommun)
    with pytest.raises(ValidationError) as excinfo:
        services.office_term_record(actor=None, body=body, office=Office.CHAIR,
                                    person=outsider, start=JAN)
    assert refused_on(excinfo) == {"person"}


def test_office_term_record_refuses_a_term_longer_than_the_membership(kommun):
    seat = SeatFactory(principal=kommun)
    person = start(seat, person_of(kommun), end=JUN30).person
    with pytest.raises(ValidationError) as excinfo:
        services.office_term_record(actor=None, body=seat.body, office=Office.CHAIR,
                                    person=person, start=JAN, end=DEC31)
    assert refused_on(excinfo) == {"person"}
    with pytest.raises(ValidationError) as excinfo:  # open-ended office, ending membership
        services.office_term_record(actor=None, body=seat.body, office=Office.CHAIR,
                                    person=person, start=JAN)
    assert refused_on(excinfo) == {"person"}


def test_office_term_record_refuses_an_overlapping_holder_of_the_same_office(board):
    body, _seat, a, b = board
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=a,
                                start=JAN, end=DEC31)
    with pytest.raises(ValidationError) as excinfo:
        services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=b,
                                    start=JUL1)
    assert refused_on(excinfo) == {"start"}
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=b,
                                start=dt.date(2025, 1, 1))


def test_office_term_record_allows_one_chair_per_area_but_not_one_person_twice(board):
    """H4: a presidium has one chair per strategic area; one person holds one office."""
    body, _seat, a, b = board
    area1 = StrategicAreaFactory(structure=body.structure)
    area2 = StrategicAreaFactory(structure=body.structure)
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=a,
                                start=JAN, area=area1)
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=b,
                                start=JAN, area=area2)
    with pytest.raises(ValidationError) as excinfo:
        services.office_term_record(actor=None, body=body, office=Office.VICE_CHAIR, person=a,
                                    start=JUL1)
    assert refused_on(excinfo) == {"office"}


def test_h4_the_convener_is_one_of_the_chairs(board):
    """H4: the convener is chosen among the chairs, so a chair may also be convener,
    but the convener may not also be vice chair."""
    body, _seat, a, b = board
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=a, start=JAN)
    services.office_term_record(actor=None, body=body, office=Office.CONVENER, person=a,
                                start=JAN, end=DEC31)
    services.office_term_record(actor=None, body=body, office=Office.VICE_CHAIR, person=b,
                                start=JAN)
    with pytest.raises(ValidationError) as excinfo:
        services.office_term_record(actor=None, body=body, office=Office.CONVENER, person=b,
                                    start=dt.date(2025, 1, 1))
    assert refused_on(excinfo) == {"office"}


def test_office_term_record_refuses_an_area_of_another_structure(board):
    body, _seat, a, _b = board
    foreign = StrategicAreaFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=a,
                                    start=JAN, area=foreign)
    assert refused_on(excinfo) == {"area"}


# --- person_create -------------------------------------------------------------------------

def test_person_create_refuses_a_second_person_with_the_same_email(kommun):
    user = UserFactory()
    services.person_create(actor=user, first_name="Anna", last_name="Test",
                           email="Anna@Exempel.invalid", principal=kommun)
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(actor=user, first_name="Anna", last_name="Annan",
                               email="anna@exempel.invalid")
    assert refused_on(excinfo) == {"email"}


# --- what the database refuses by itself -------------------------------------------------------

def integrity_error(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_db_refuses_a_membership_ending_before_it_starts():
    integrity_error(MembershipFactory, start=JUL1, end=JUN30)


def test_db_refuses_an_office_term_ending_before_it_starts():
    integrity_error(OfficeTermFactory, start=JUL1, end=JUN30)


def test_db_refuses_substitute_for_on_a_non_substitute():
    member = MembershipFactory()
    integrity_error(MembershipFactory, seat=member.seat, role=MembershipRole.MEMBER,
                    substitute_for=member)


def test_db_refuses_a_local_group_without_owner():
    """H19: a local group belongs to one municipality."""
    integrity_error(BodyFactory, kind=BodyKind.LOCAL_GROUP, owner_principal=None)
    BodyFactory(kind=BodyKind.LOCAL_GROUP, owner_principal=PrincipalFactory())


def test_db_refuses_a_seat_without_places():
    integrity_error(SeatFactory, member_count=0, substitute_count=0)
    SeatFactory(member_count=0, substitute_count=1)


def test_db_refuses_a_temporary_body_without_end_date():
    integrity_error(BodyFactory, is_temporary=True, ends_on=None)
    BodyFactory(is_temporary=True, ends_on=DEC31)


def test_db_refuses_a_duplicate_seat_key_in_a_body():
    seat = SeatFactory(key="ordf")
    integrity_error(SeatFactory, body=seat.body, key="ordf")
    SeatFactory(key="ordf")  # another body may use the same key
    assert Seat.objects.filter(key="ordf").count() == 2


def test_db_refuses_a_seat_with_both_principal_and_principal_kind():
    integrity_error(SeatFactory, principal=PrincipalFactory(),
                    principal_kind=PrincipalKind.MUNICIPALITY)
