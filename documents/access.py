"""The one gateway for loading documents and their files on behalf of a user.

- **Everyone** sees a public document (``is_public``) once it has a published or
  superseded version, and only those versions.
- **Insiders** see everything of a document, internal ones and drafts included: members
  of the owning body (an active membership today, any role), coordinators (perm
  ``governance.coordinate``) and editors (perm ``documents.publish_document``).
- **Managing** (new documents and versions, metadata, termination) is for the owning
  body's secretaries, coordinators and editors; who may make each workflow step is the
  transition table in ``documents.rules``.

Refusals: an anonymous visitor gets **404** for anything they may not see, so the
existence of an internal document does not leak to the public; a logged-in user who is
not an insider gets **403** for an internal document or version they may not see (they
are staff of a principal and may ask the owning body for access).

Views never filter documents themselves: they call these functions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Membership, MembershipRole

from . import rules
from .models import Document, DocumentVersion, VersionStatus

User = AbstractBaseUser | AnonymousUser

PUBLIC_STATUSES = [VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED]


def is_coordinator(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated
                and user.has_perm("governance.coordinate"))


def is_editor(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated
                and user.has_perm("documents.publish_document"))


def _today() -> dt.date:
    return timezone.localdate()


def body_roles(user: User | None) -> dict[int, set[str]]:
    """The user's active membership roles per body id (one query; empty for anonymous)."""
    if user is None or not user.is_authenticated:
        return {}
    out: dict[int, set[str]] = {}
    for body_id, role in (Membership.objects.active_on(_today())
                          .filter(person__user=user).values_list("seat__body_id", "role")):
        out.setdefault(body_id, set()).add(role)
    return out


@dataclass(frozen=True)
class DocumentAccess:
    """What one user may do with one document."""

    document: Document
    is_member: bool = False
    is_secretary: bool = False
    is_coordinator: bool = False
    is_editor: bool = False
    user_id: int | None = None

    @property
    def sees_internal(self) -> bool:
        """Internal documents and versions that are not published."""
        return self.is_member or self.is_coordinator or self.is_editor

    @property
    def can_manage(self) -> bool:
        """Upload versions, change the metadata, record a termination."""
        return self.is_secretary or self.is_coordinator or self.is_editor

    def roles_for(self, version: DocumentVersion | None = None) -> frozenset[str]:
        """The workflow roles (``rules``) this user has towards ``version``."""
        roles = set()
        if self.is_secretary:
            roles.add(rules.SECRETARY)
        if self.is_coordinator:
            roles.add(rules.COORDINATOR)
        if self.is_editor:
            roles.add(rules.EDITOR)
        if (version is not None and self.user_id is not None
                and version.uploaded_by_id == self.user_id):
            roles.add(rules.UPLOADER)
        return frozenset(roles)

    def sees_version(self, version: DocumentVersion) -> bool:
        return self.sees_internal or (self.document.is_public
                                      and version.status in PUBLIC_STATUSES)


def document_access(user: User | None, document: Document) -> DocumentAccess:
    """What ``user`` may do with ``document`` (at most one query)."""
    roles = body_roles(user).get(document.owner_body_id, set())
    return DocumentAccess(
        document=document, is_member=bool(roles),
        is_secretary=MembershipRole.SECRETARY in roles,
        is_coordinator=is_coordinator(user), is_editor=is_editor(user),
        user_id=user.pk if user is not None and user.is_authenticated else None,
    )


def _refuse(user: User | None) -> None:
    if user is None or not user.is_authenticated:
        raise Http404("no such document")
    raise PermissionDenied


def _has_public_version() -> Exists:
    return Exists(DocumentVersion.objects.filter(document=OuterRef("pk"),
                                                 status__in=PUBLIC_STATUSES))


def publicly_visible(document: Document) -> bool:
    return document.is_public and document.versions.filter(status__in=PUBLIC_STATUSES).exists()


def document_for_user(user: User | None, pk: int) -> DocumentAccess:
    """The document ``pk`` if ``user`` may see it (404 / 403 otherwise, see above)."""
    document = (Document.objects.select_related("owner_body__structure", "decided_at")
                .filter(pk=pk).first())
    if document is None:
        raise Http404("no such document")
    acc = document_access(user, document)
    if acc.sees_internal or publicly_visible(document):
        return acc
    _refuse(user)
    raise AssertionError("unreachable")


def document_for_manager(user: User | None, pk: int) -> DocumentAccess:
    """The document, for its body's secretaries, coordinators and editors."""
    acc = document_for_user(user, pk)
    if not acc.can_manage:
        _refuse(user)
    return acc


def version_for_download(user: User | None, pk: int, number: int) -> DocumentVersion:
    """The version ``number`` of document ``pk`` if ``user`` may have its file."""
    acc = document_for_user(user, pk)
    version = (DocumentVersion.objects.select_related("document")
               .filter(document=acc.document, number=number).first())
    if version is None:
        raise Http404("no such version")
    if not acc.sees_version(version):
        _refuse(user)
    return version


def visible_documents(user: User | None) -> QuerySet[Document]:
    """Every document ``user`` may find in the register (a query, not yet run)."""
    qs = Document.objects.all()
    if is_coordinator(user) or is_editor(user):
        return qs
    public = Q(is_public=True) & Q(_has_public_version())
    own_bodies = list(body_roles(user))
    if own_bodies:
        return qs.filter(public | Q(owner_body_id__in=own_bodies))
    return qs.filter(public)


def can_create_for(user: User | None, body_id: int) -> bool:
    """Whether ``user`` may register a new document owned by the body ``body_id``."""
    if is_coordinator(user) or is_editor(user):
        return True
    return MembershipRole.SECRETARY in body_roles(user).get(body_id, set())


def creatable_body_ids(user: User | None) -> list[int] | None:
    """The bodies ``user`` may register documents for; None means all of them."""
    if is_coordinator(user) or is_editor(user):
        return None
    return [body_id for body_id, roles in body_roles(user).items()
            if MembershipRole.SECRETARY in roles]


def meeting_choices(user: User | None, *, public_only: bool,
                    body_id: int | None = None) -> QuerySet:
    """The meetings a document may name ("decided at", a version's "approved at"): those
    the meetings' gateway lets ``user`` see, only public ones for a public document (the
    document page shows the meeting to whoever sees the document), optionally of one body.
    A query, not yet run, newest first."""
    from meetings.access import visible_meetings

    qs = visible_meetings(user if user is not None else AnonymousUser())
    if public_only:
        qs = qs.filter(is_public=True)
    if body_id is not None:
        qs = qs.filter(body_id=body_id)
    return qs.select_related("body").order_by("-start", "-pk")


def visible_meeting_ids(user: User | None, ids) -> set[int]:
    """Which of the meetings ``ids`` ``user`` may see (one query; none when ``ids`` is
    empty): a document page names only those (issue 12 §4, older rows may name others)."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return set()
    return set(meeting_choices(user, public_only=False).filter(pk__in=wanted)
               .values_list("pk", flat=True))


def meeting_reference_error(user: User | None, meeting, *, is_public: bool,
                            label: str) -> str | None:
    """Why ``meeting`` may not be named on a document (``label``: the field's name), or
    None. The same rule as ``meeting_choices``, for input that did not come from them
    (the admin, a crafted POST, a service call)."""
    if meeting is None:
        return None
    if is_public and not meeting.is_public:
        return _("“%(field)s”: a public document can only name a public meeting.") % {
            "field": label}
    if not meeting_choices(user, public_only=False).filter(pk=meeting.pk).exists():
        return _("“%(field)s”: choose a meeting you may see.") % {"field": label}
    return None

