"""The state the browser tests run against, built through the project's own services.

``build_world()`` loads the HälSam preset (as ``manage.py load_structure`` does) and adds
the six personas of the authorisation matrix — anonymous, a member of body A
(Länsledning), a member of body B (a local group), a secretary of A, the editor and the
coordinator — each with a login, plus a coming meeting of Länsledning with an agenda and
a published agreement owned by Länsledning.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from governance import services as gov
from governance.models import Body, MembershipRole, Person, Principal, Seat
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups

from .conftest import PASSWORD

BODY_A = "lansledning"
BODY_B = "lokal-sundsvall-barn-och-unga"
PERSONAS = ("anonymous", "member_a", "member_b", "secretary_a", "editor", "coordinator")


@functools.cache
def pdf_bytes(text: str) -> bytes:
    """A real, tagged PDF (WeasyPrint) with ``text``."""
    import weasyprint

    html = (f"<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>{text}</title>"
            f"</head><body><h1>{text}</h1><p>{text}</p></body></html>")
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def next_weekday(days: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class World:
    users: dict[str, object] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    body_a: Body | None = None
    body_b: Body | None = None
    meeting: object = None
    document: object = None
    version: object = None

    def user(self, persona: str):
        return self.users.get(persona)


def make_user(username: str, *, staff: bool = False, group=None):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@exempel.invalid",
        is_staff=staff)
    if group is not None:
        user.groups.add(group)
    return user


def place_person(*, seat: Seat, username: str | None, first: str, last: str,
                 role: str = MembershipRole.MEMBER, principal: Principal | None = None,
                 substitute_for=None, start: dt.date | None = None):
    """A new person (with a login when ``username``) in ``seat``; returns the membership."""
    user = make_user(username) if username else None
    principal = principal or seat.principal
    person = gov.person_create(actor=None, first_name=first, last_name=last,
                               email=f"{first}.{last}@exempel.invalid".lower(),
                               principal=principal, user=user, title="Testperson")
    return gov.membership_start(actor=None, person=person, seat=seat, role=role,
                                start=start or dt.date(2023, 1, 1),
                                substitute_for=substitute_for)


def load_preset(slug: str = "halsam-vasternorrland") -> None:
    call_command("load_structure", slug, verbosity=0)


def build_world(*, with_document: bool = True) -> World:
    load_preset()
    groups = ensure_role_groups()
    world = World()
    world.body_a = Body.objects.get(slug=BODY_A)
    world.body_b = Body.objects.get(slug=BODY_B)
    region = Principal.objects.get(code="R22")

    world.users["coordinator"] = make_user("samordnare", staff=True,
                                           group=groups[COORDINATOR_GROUP])
    world.users["editor"] = make_user("redaktor", staff=True, group=groups[EDITOR_GROUP])
    seat_a = Seat.objects.get(body=world.body_a, key="omradesdirektorer")
    m_a = place_person(seat=seat_a, username="ledamot-a", first="Anna", last="Ledamot")
    world.users["member_a"], world.people["member_a"] = m_a.person.user, m_a.person
    seat_b = Seat.objects.get(body=world.body_b, key="kommunen")  # Sundsvall's seat
    m_b = place_person(seat=seat_b, username="ledamot-b", first="Bertil", last="Lokal")
    world.users["member_b"], world.people["member_b"] = m_b.person.user, m_b.person
    co_opted = Seat.objects.get(body=world.body_a, key="adjungerade")
    sec = place_person(seat=co_opted, username="sekreterare-a", first="Sara", last="Sekreterare",
                       role=MembershipRole.SECRETARY, principal=region)
    world.users["secretary_a"], world.people["secretary_a"] = sec.person.user, sec.person

    from meetings import services as meetings

    # Within "Min vecka"'s 21-day window whatever the weekday (at most 19 days ahead).
    day = next_weekday(17)
    world.meeting = meetings.meeting_plan(
        actor=None, body=world.body_a, start=at(day, 13), end=at(day, 15),
        place="Regionens hus, Härnösand", title="Länsledningens möte")
    # The formalia ("Godkännande av dagordningen" …) come from the body's standard agenda.
    for title in ("Psykisk hälsa – lägesbild",
                  "Överenskommelse om samverkan kring barn och unga"):
        meetings.agenda_item_add(actor=None, meeting=world.meeting, title=title,
                                 description="Föredragande: samverkanskoordinatorn.")
    if with_document:
        world.document, world.version = publish_agreement(world, "Överenskommelse om "
                                                          "samordnad individuell plan")
    return world


def publish_agreement(world: World, title: str, *, versions: int = 1):
    """An agreement owned by body A with ``versions`` published versions (the last in force)."""
    from documents import services as docs
    from documents.models import DocumentKind

    editor, coordinator = world.users["editor"], world.users["coordinator"]
    document = docs.document_create(
        actor=editor, title=title, kind=DocumentKind.AGREEMENT, owner_body=world.body_a,
        summary="Hur region och kommuner gör en samordnad individuell plan (SIP).",
        valid_from=dt.date(2024, 1, 1), until_further_notice=True,
        termination_notice_months=12, review_interval_months=24)
    version = None
    for n in range(1, versions + 1):
        version = upload_version(document, editor, f"{title}, version {n}")
        docs.version_submit(actor=editor, version=version)
        docs.version_approve(actor=coordinator, version=version)
        docs.version_publish(actor=editor, version=version,
                             published_on=timezone.localdate() - dt.timedelta(days=30 - n))
    return document, version


def upload_version(document, actor, text: str):
    from documents import services as docs

    upload = SimpleUploadedFile("overenskommelse.pdf", pdf_bytes(text),
                                content_type="application/pdf")
    return docs.version_upload(actor=actor, document=document, file=upload,
                               change_note=text)
