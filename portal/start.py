"""``/start/``: where a login lands (``LOGIN_REDIRECT_URL``; Django's ``next`` still wins).

Each role has its start page: the coordinator "Min vecka" (``/samordning/``), the
editor the queue (``/redaktion/``), a body's secretary their bodies' meetings
(``/sekreterare/``), a member Mina sidor (``/mina-sidor/``). A login with several roles
lands on the highest (coordinator > editor > secretary > member); the navigation links
the others. A login with no role and no person gets a page that says what it can do
here and whom to ask, not a dead end.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance import access

EDITOR_PERM = "documents.publish_document"

COORDINATOR, EDITOR, SECRETARY, MEMBER = "coordinator", "editor", "secretary", "member"


@dataclass(frozen=True)
class StartPage:
    role: str
    label: str
    url: str


LABELS = {
    COORDINATOR: _("My week"),
    EDITOR: _("Editorial"),
    SECRETARY: _("Secretary"),
    MEMBER: _("My pages"),
}
URL_NAMES = {
    COORDINATOR: "portal:week",
    EDITOR: "documents:editor_queue",
    SECRETARY: "portal:secretary",
    MEMBER: "portal:home",
}


def roles_of(user) -> list[str]:
    """The user's roles, highest first (a few queries; none for the anonymous)."""
    if user is None or not user.is_authenticated:
        return []
    roles = []
    if access.can_coordinate(user):
        roles.append(COORDINATOR)
    if user.has_perm(EDITOR_PERM):
        roles.append(EDITOR)
    if access.bodies_for_user(user, secretary=True).exists():
        roles.append(SECRETARY)
    if access.person_for_user(user) is not None:
        roles.append(MEMBER)
    return roles


def start_pages(user) -> list[StartPage]:
    """The start page of each of the user's roles, highest first."""
    return [StartPage(role=r, label=str(LABELS[r]), url=reverse(URL_NAMES[r]))
            for r in roles_of(user)]


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Send the user to the start page of their highest role, or explain what there is."""
    pages = start_pages(request.user)
    if pages:
        return redirect(pages[0].url)
    return render(request, "portal/start.html")
