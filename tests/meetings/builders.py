"""State for the meetings tests, built through the governance and meetings services.

Plain functions: each test module declares its own fixtures on top of them.
"""
from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import Permission
from django.core.management import call_command

from governance import services as gov
from governance.models import Body, MembershipRole, Person, Principal, Seat
from meetings import services
from meetings.rules import STOCKHOLM
from tests.governance.factories import UserFactory

_n = itertools.count(1)
START = dt.date(2024, 1, 1)


def at(day: dt.date | str, hour: int = 13, minute: int = 0) -> dt.datetime:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM)


def person(principal: Principal | str | None = None, *, user=None, email: bool = True,
           name: str = "") -> Person:
    if isinstance(principal, str):
        principal = Principal.objects.get(slug=principal)
    n = next(_n)
    first, _sep, last = (name or f"Test{n} Person{n}").partition(" ")
    return gov.person_create(actor=None, first_name=first, last_name=last or f"P{n}",
                             email=f"person{n}@exempel.invalid" if email else "",
                             principal=principal, user=user)


def seat(body_slug: str, principal_slug: str | None = None, key_prefix: str = "") -> Seat:
    qs = Seat.objects.filter(body__slug=body_slug, key__startswith=key_prefix)
    if principal_slug:
        qs = qs.filter(principal__slug=principal_slug)
    return qs.order_by("position", "id").first()


def place(p: Person, seat_: Seat, role: str = MembershipRole.MEMBER, substitute_for=None,
          start: dt.date = START):
    return gov.membership_start(actor=None, person=p, seat=seat_, role=role, start=start,
                                substitute_for=substitute_for)


def meeting(body_slug: str, day: dt.date | str, *, hours: int = 2, **kwargs):
    body = Body.objects.get(slug=body_slug)
    start = at(day)
    kwargs.setdefault("place", "Regionens hus")
    return services.meeting_plan(actor=None, body=body, start=start,
                                 end=start + dt.timedelta(hours=hours), **kwargs)


def coordinator_user():
    user = UserFactory(username=f"koordinator{next(_n)}", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="coordinate",
                                                     content_type__app_label="governance"))
    return user


def login_person(client, principal=None):
    """A person with a login, logged in with ``client``."""
    user = UserFactory(username=f"user-p{next(_n)}")
    p = person(principal, user=user)
    client.force_login(user)
    return p


def load_preset(slug: str) -> None:
    """Load a preset with the management command, as the coordinator would."""
    call_command("load_structure", slug, verbosity=0)


def future_day(days: int = 30) -> dt.date:
    from django.utils import timezone

    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day
