"""The one gateway for loading meetings on behalf of a user.

- Members (an active membership in the meeting's body or a guest body, any role) and
  coordinators (perm ``governance.coordinate``; superusers have every permission) see
  everything of a meeting. Being staff (``is_staff``, the admin) grants nothing here:
  the editor, who is staff for the document admin, reads meetings as anyone else does
  (issue 12 §4, least privilege).
- Everyone else sees a public meeting's time, place and agenda titles and its
  published minutes; a non-public meeting is refused (login asked for when anonymous).
- Editing (agenda, notices, attendance, minutes) is for coordinators and the
  secretaries of the meeting's bodies; approving minutes for the chosen checkers.

Views never filter meetings themselves: they call these functions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from governance.models import Membership, MembershipRole, Person

from .models import Meeting

User = AbstractBaseUser | AnonymousUser


class LoginRequired(Exception):
    """Raised for an anonymous visitor to a non-public meeting: the view asks for a login."""


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    person: Person | None
    is_member: bool
    is_secretary: bool
    is_coordinator: bool
    has_seat: bool = False  # a place as member, substitute or co-opted (not only secretary)

    @property
    def sees_all(self) -> bool:
        """Papers, attendance, absences, the video link: members and coordinators."""
        return self.is_member or self.is_coordinator

    @property
    def can_edit(self) -> bool:
        """Agenda, notices, attendance and minutes: coordinators and secretaries."""
        return self.is_coordinator or self.is_secretary

    @property
    def can_report_absence(self) -> bool:
        return self.person is not None and self.has_seat


def is_coordinator(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("governance.coordinate"))


def person_for_user(user: User) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def _roles(person: Person | None, meeting: Meeting, body_ids: list[int]) -> set[str]:
    if person is None:
        return set()
    days = {timezone.localdate(), timezone.localtime(meeting.start).date()}
    active = Q()
    for day in days:
        active |= Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))
    return set(Membership.objects.filter(active, person=person, seat__body_id__in=body_ids)
               .values_list("role", flat=True))


def meeting_access(user: User, meeting: Meeting) -> MeetingAccess:
    """What ``user`` may do with ``meeting`` (a fixed number of queries)."""
    person = person_for_user(user)
    body_ids = [meeting.body_id, *[b.pk for b in meeting.guest_bodies.all()]]
    roles = _roles(person, meeting, body_ids)
    access = MeetingAccess(
        meeting=meeting, person=person, is_member=bool(roles),
        is_secretary=MembershipRole.SECRETARY in roles,
        is_coordinator=is_coordinator(user),
        has_seat=bool(roles - {MembershipRole.SECRETARY}),
    )
    return access


def _check_visible(user: User, access: MeetingAccess) -> MeetingAccess:
    if access.meeting.is_public or access.sees_all:
        return access
    if not user.is_authenticated:
        raise LoginRequired
    raise PermissionDenied


def meeting_for_user(user: User, pk: int) -> MeetingAccess:
    """The meeting ``pk`` if ``user`` may see it at all, with what they may see of it."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("body__structure", "area", "chair")
        .prefetch_related("guest_bodies"), pk=pk)
    return _check_visible(user, meeting_access(user, meeting))


def meeting_for_member(user: User, pk: int) -> MeetingAccess:
    """The meeting, for someone who sees its papers (members, coordinators)."""
    access = meeting_for_user(user, pk)
    if not access.sees_all:
        if not user.is_authenticated:
            raise LoginRequired
        raise PermissionDenied
    return access


def meeting_for_editor(user: User, pk: int) -> MeetingAccess:
    """The meeting, for a coordinator or a secretary of its bodies; else 403 (or login)."""
    if not user.is_authenticated:
        raise LoginRequired
    access = meeting_for_user(user, pk)
    if not access.can_edit:
        raise PermissionDenied
    return access


def meeting_for_link(meeting_id: int) -> Meeting:
    """The meeting named by a signed absence link (the token is the credential)."""
    try:
        return Meeting.objects.select_related("body").get(pk=meeting_id)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def plan_year_allowed(user: User) -> None:
    """The planning pages are the coordinator's."""
    if not user.is_authenticated:
        raise LoginRequired
    if not is_coordinator(user):
        raise PermissionDenied


def today() -> dt.date:
    return timezone.localdate()


def visible_meetings(user: User) -> QuerySet[Meeting]:
    """The meetings ``user`` may see, for lists and the choices of forms (not yet run)."""
    return Meeting.objects.filter(visible_meetings_q(user))


def member_body_ids(user: User) -> list[int]:
    """The bodies where ``user``'s person holds an active membership today (any role)."""
    if not user.is_authenticated:
        return []
    today_ = timezone.localdate()
    return list(Membership.objects.active_on(today_).filter(person__user=user)
                .values_list("seat__body_id", flat=True).distinct())


def visible_meetings_q(user: User) -> Q:
    """The meetings ``user`` may see at all, as a filter for lists and search (at most one
    query): public ones for everyone; every meeting for coordinators; for a member also
    the meetings of their bodies, as host or guest (``sees_all`` above). Staff status
    adds nothing."""
    if is_coordinator(user):
        return Q()
    visible = Q(is_public=True)
    body_ids = member_body_ids(user)
    if body_ids:
        as_guest = Meeting.guest_bodies.through.objects.filter(
            meeting_id=OuterRef("pk"), body_id__in=body_ids)
        visible |= Q(body_id__in=body_ids) | Q(Exists(as_guest))
    return visible
