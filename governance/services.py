"""Operations that change the governance data, one function per use case.

Each service is keyword-only, runs in a transaction, checks what the database cannot
(seat capacity, an office holder must be a member of the body) and records who made
the change and why in the history. Errors are ``ValidationError`` with Swedish
messages keyed by the field they concern, so forms and the admin can show them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from halsam.formats.dates import plain_date

from . import eligibility
from .models import (
    Body,
    Membership,
    MembershipRole,
    Office,
    OfficeTerm,
    Person,
    Seat,
    StrategicArea,
)
from .permissions import body_permissions_sync, membership_permissions_sync  # noqa: F401 (daily sync)

Actor = AbstractBaseUser | AnonymousUser | None


def save_with_history(
    instance: models.Model, *, actor: Actor, reason: str = "", **save_kwargs
) -> None:
    """Save ``instance`` so that its history row names ``actor`` and ``reason``."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor  # read by simple-history
    instance._change_reason = reason or ""
    instance.save(**save_kwargs)


def _overlaps(q_start: dt.date, q_end: dt.date | None) -> Q:
    """Rows whose [start, end] period overlaps [q_start, q_end] (None = open-ended)."""
    cond = Q(end__isnull=True) | Q(end__gte=q_start)
    if q_end is not None:
        cond &= Q(start__lte=q_end)
    return cond


def max_concurrent(periods: Iterable[tuple[dt.date, dt.date | None]], start: dt.date,
                    end: dt.date | None) -> int:
    """The largest number of ``periods`` running on any one day of [start, end]."""
    events: list[tuple[dt.date, int]] = []
    for p_start, p_end in periods:
        s = max(p_start, start)
        e = p_end if end is None else (min(p_end, end) if p_end else end)
        if e is not None and e < s:
            continue
        events.append((s, 1))
        if e is not None:
            events.append((e + dt.timedelta(days=1), -1))
    events.sort(key=lambda ev: (ev[0], ev[1]))
    current = best = 0
    for _day, delta in events:
        current += delta
        best = max(best, current)
    return best


def _fmt(day: dt.date) -> str:
    return plain_date(day)


def membership_validate(
    *,
    person: Person,
    seat: Seat,
    role: str,
    start: dt.date,
    end: dt.date | None = None,
    substitute_for: Membership | None = None,
    exclude_pk: int | None = None,
    exclude_pks: Iterable[int] = (),
    pending: Iterable[tuple[int | None, str, dt.date, dt.date | None]] = (),
) -> None:
    """Raise ``ValidationError`` when the membership would break a rule of the seat.

    ``exclude_pks`` and ``pending`` let a form that changes several rows at once (an admin
    inline) check each row against the others as they will be saved: the stored rows it
    changes are left out and ``pending`` (person id, role, start, end) counted instead, so
    an ending typed in the same form frees the place (issue 11)."""
    errors: dict[str, list[str]] = {}
    if end is not None and end < start:
        errors.setdefault("end", []).append(_("The end date cannot be before the start date."))
    if role not in MembershipRole.values:
        errors.setdefault("role", []).append(_("Unknown role."))
    if seat.principal_id and person.principal_id != seat.principal_id:
        errors.setdefault("person", []).append(
            _("%(person)s does not represent %(principal)s, which this seat belongs to.")
            % {"person": person.name, "principal": seat.principal.name}
        )
    elif seat.principal_kind and (
        person.principal is None or person.principal.kind != seat.principal_kind
    ):
        errors.setdefault("person", []).append(
            _("This seat is for a principal of the kind “%(kind)s”; "
              "%(person)s does not represent one.")
            % {"kind": seat.get_principal_kind_display(), "person": person.name}
        )
    if "person" not in errors and role in (MembershipRole.MEMBER, MembershipRole.CO_OPTED):
        # Who may hold the seat, as data (H5, H6, H9, H17, V4, V9, V10; issue 13).
        refusal = eligibility.seat_refusal(person=person, seat=seat, start=start)
        if refusal:
            errors.setdefault("person", []).append(refusal)
    if substitute_for is not None:
        if role != MembershipRole.SUBSTITUTE:
            errors.setdefault("substitute_for", []).append(
                _("Only a substitute can stand in for a member.")
            )
        elif substitute_for.seat_id != seat.pk or substitute_for.role != MembershipRole.MEMBER:
            errors.setdefault("substitute_for", []).append(
                _("A substitute can only stand in for a member of the same seat.")
            )
    if errors:
        raise ValidationError(errors)

    overlapping = Membership.objects.filter(seat=seat).filter(_overlaps(start, end))
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if exclude_pks:
        overlapping = overlapping.exclude(pk__in=list(exclude_pks))
    rows = list(overlapping.values_list("person_id", "role", "start", "end"))
    rows += [(pid, r, s, e) for pid, r, s, e in pending
             if (e is None or e >= start) and (end is None or s <= end)]
    if any(person_id == person.pk for person_id, *_rest in rows):
        raise ValidationError(
            {"person": _("%(person)s already has a place in this seat during that period.")
             % {"person": person.name}}
        )
    capacity = {
        MembershipRole.MEMBER: seat.member_count,
        MembershipRole.SUBSTITUTE: seat.substitute_count,
    }.get(role)
    if capacity is not None:
        same_role = [(s, e) for _pid, r, s, e in rows if r == role]
        if max_concurrent(same_role, start, end) + 1 > capacity:
            if role == MembershipRole.MEMBER:
                text = ngettext(
                    "The seat “%(seat)s” has room for %(count)d member, and that place is "
                    "taken during the period from %(start)s.",
                    "The seat “%(seat)s” has room for %(count)d members, and they are all "
                    "taken during the period from %(start)s.", capacity)
            else:
                text = ngettext(
                    "The seat “%(seat)s” has room for %(count)d substitute, and that place is "
                    "taken during the period from %(start)s.",
                    "The seat “%(seat)s” has room for %(count)d substitutes, and they are all "
                    "taken during the period from %(start)s.", capacity)
            raise ValidationError(
                {"seat": text % {"seat": seat.title, "count": capacity, "start": _fmt(start)}})


@transaction.atomic
def membership_start(
    *,
    actor: Actor,
    person: Person,
    seat: Seat,
    role: str = MembershipRole.MEMBER,
    start: dt.date,
    end: dt.date | None = None,
    substitute_for: Membership | None = None,
    reason: str = "",
) -> Membership:
    """Give ``person`` a place in ``seat`` from ``start``."""
    # Lock the seat so two concurrent starts cannot both take the last place.
    seat = Seat.objects.select_for_update(of=("self",)).select_related("principal").get(pk=seat.pk)
    membership_validate(
        person=person, seat=seat, role=role, start=start, end=end, substitute_for=substitute_for
    )
    membership = Membership(
        person=person, seat=seat, role=role, start=start, end=end, substitute_for=substitute_for
    )
    save_with_history(membership, actor=actor, reason=reason or _("Membership started"))
    # The login's object permissions on the body, in this transaction (docs/roles.md).
    body_permissions_sync(person=person, body_ids=[seat.body_id])
    return membership


def membership_end_validate(*, membership: Membership, end: dt.date,
                            check_already_ended: bool = True) -> None:
    """Raise ``ValidationError`` when ``membership`` cannot end on ``end``: before it
    started, after it already ended, or while its holder still holds an office there."""
    if end < membership.start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    if check_already_ended and membership.end is not None and membership.end < end:
        raise ValidationError(
            {"end": _("The membership already ended on %(end)s.") % {"end": _fmt(membership.end)}}
        )
    body_id = membership.seat.body_id
    office = (
        OfficeTerm.objects.filter(body_id=body_id, person_id=membership.person_id)
        .filter(Q(end__isnull=True) | Q(end__gt=end)).select_related("body").first()
    )
    covering = (
        Membership.objects.filter(person_id=membership.person_id, seat__body_id=body_id)
        .exclude(pk=membership.pk)
        .filter(Q(end__isnull=True) | Q(end__gt=end))
        .exists()
    )
    if office is not None and not covering:
        raise ValidationError(
            {"end": _("%(person)s is %(office)s of the body beyond %(end)s; end that office "
                      "term first.")
             % {"person": membership.person.name, "office": office.office_label.lower(),
                "end": _fmt(end)}}
        )


@transaction.atomic
def membership_end(
    *, actor: Actor, membership: Membership, end: dt.date, reason: str = ""
) -> Membership:
    """End ``membership`` on ``end`` (the last day it holds)."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("person", "seat")
        .get(pk=membership.pk)
    )
    membership_end_validate(membership=membership, end=end)
    membership.end = end
    save_with_history(membership, actor=actor, reason=reason or _("Membership ended"),
                      update_fields=["end"])
    # Revoked only if no other membership of the person in the body is active today.
    body_permissions_sync(person=membership.person, body_ids=[membership.seat.body_id])
    return membership


def office_term_validate(
    *,
    body: Body,
    office: str,
    person: Person,
    start: dt.date,
    end: dt.date | None = None,
    area: StrategicArea | None = None,
    exclude_pk: int | None = None,
) -> None:
    """Raise ``ValidationError`` when the office term cannot be recorded."""
    if office not in Office.values:
        raise ValidationError({"office": _("Unknown office.")})
    if end is not None and end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    if area is not None and area.structure_id != body.structure_id:
        raise ValidationError({"area": _("The strategic area belongs to another structure.")})
    memberships = Membership.objects.filter(
        person=person,
        seat__body=body,
        role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED],
        start__lte=start,
    ).filter(Q(end__isnull=True) | Q(end__gte=end or start))
    if end is None:
        memberships = memberships.filter(end__isnull=True)
    if not memberships.exists():
        raise ValidationError(
            {"person": _("%(person)s must be a member of %(body)s for the whole term of office "
                         "to hold an office there.")
             % {"person": person.name, "body": body.name}}
        )
    # Who may hold the office in the period of ``start`` (H11, data of the rotation rule).
    refusal = eligibility.office_refusal(body=body, office=office, person=person, start=start)
    if refusal:
        raise ValidationError({"person": refusal})
    clash = OfficeTerm.objects.filter(body=body, office=office, area=area).filter(
        _overlaps(start, end)
    )
    same_person = OfficeTerm.objects.filter(body=body, person=person).filter(_overlaps(start, end))
    # The convener is chosen among the chairs (H4), so a chair may also be convener.
    chair_and_convener = {Office.CHAIR, Office.CONVENER}
    if office in chair_and_convener:
        same_person = same_person.exclude(office__in=chair_and_convener - {office})
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
        same_person = same_person.exclude(pk=exclude_pk)
    other = clash.select_related("person").first()
    if other is not None:
        raise ValidationError(
            {"start": _("%(person)s already holds that office from %(start)s; end that term "
                        "first.")
             % {"person": other.person.name, "start": _fmt(other.start)}}
        )
    double = same_person.select_related("body").first()
    if double is not None:
        raise ValidationError(
            {"office": _("%(person)s already holds the office of %(office)s in the same period.")
             % {"person": person.name, "office": double.office_label.lower()}}
        )


@transaction.atomic
def office_term_record(
    *,
    actor: Actor,
    body: Body,
    office: str,
    person: Person,
    start: dt.date,
    end: dt.date | None = None,
    area: StrategicArea | None = None,
    note: str = "",
    reason: str = "",
) -> OfficeTerm:
    """Record that ``person`` holds ``office`` of ``body`` from ``start``."""
    Body.objects.select_for_update().filter(pk=body.pk).exists()
    office_term_validate(body=body, office=office, person=person, start=start, end=end, area=area)
    term = OfficeTerm(body=body, office=office, person=person, start=start, end=end, area=area,
                      note=note)
    save_with_history(term, actor=actor, reason=reason or _("Office term recorded"))
    return term


@transaction.atomic
def office_term_end(
    *, actor: Actor, office_term: OfficeTerm, end: dt.date, reason: str = ""
) -> OfficeTerm:
    """End ``office_term`` on ``end``."""
    office_term = OfficeTerm.objects.select_for_update().get(pk=office_term.pk)
    if end < office_term.start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    office_term.end = end
    save_with_history(office_term, actor=actor, reason=reason or _("Office term ended"),
                      update_fields=["end"])
    return office_term


@transaction.atomic
def person_login_create(*, actor: Actor, person: Person, reason: str = ""):
    """Give ``person`` a login of their own, for the member portal: the user name is the
    person's e-mail address and there is no password yet (they choose one through the
    link ``halsam.accounts.send_login_invitation`` mails). Not staff, no model-wide
    permission: what the login may see follows from the person's memberships, synced
    here in the same transaction."""
    from django.contrib.auth import get_user_model

    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id is not None:
        raise ValidationError({"user": _("%(person)s already has a login.")
                               % {"person": person.name}})
    email = person.email.strip().lower()
    if not email:
        raise ValidationError({"email": _("%(person)s has no e-mail address; a login needs one "
                                          "for choosing the password.")
                               % {"person": person.name}})
    user_model = get_user_model()
    if len(email) > user_model._meta.get_field("username").max_length:
        raise ValidationError({"email": _("The e-mail address %(email)s is too long to be a "
                                          "user name.") % {"email": email}})
    if user_model.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise ValidationError({"email": _("A login with the e-mail address %(email)s already "
                                          "exists; choose it as the person's login instead.")
                               % {"email": email}})
    user = user_model(username=email, email=email, first_name=person.first_name[:150],
                      last_name=person.last_name[:150])
    user.set_unusable_password()
    user.save()
    person.user = user
    save_with_history(person, actor=actor, reason=reason or _("Login created"),
                      update_fields=["user"])
    body_permissions_sync(person=person)
    return user


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
    principal=None,
    user=None,
    reason: str = "",
) -> Person:
    """Create a person; the e-mail address, when given, must be unique."""
    email = email.strip().lower()
    if email and Person.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("Another person already has the e-mail address %(email)s.")
             % {"email": email}})
    person = Person(first_name=first_name.strip(), last_name=last_name.strip(), email=email,
                    phone=phone, title=title, principal=principal, user=user)
    person.full_clean(exclude=["user", "principal"])
    save_with_history(person, actor=actor, reason=reason or _("Person created"))
    return person
