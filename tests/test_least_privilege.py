"""Issue 12 §4, least privilege, across the apps: staff status grants no reading, video
links stay out of everything public, the superuser keeps full access.

The probe found every staff user, the editor included, reading every body's non-public
meetings and papers; the public agenda PDF carried the video link. The URL-by-URL
answers are in tests/test_authorization_matrix.py (personas "editor" and "staff"); this
module checks what the lists, the search and the public files contain.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from governance import services as gov
from governance.models import MembershipRole
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups
from meetings import access as meeting_access
from meetings import services as meet_services
from meetings.feeds import calendar_token_issue
from tests.governance.factories import BodyFactory, SeatFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db

VIDEO = "https://video.example/hemligt-rum-4711"
SECRET_WORD = "Hemlighetsfullt"  # in the non-public meeting's title and agenda
# What a page must not show of it (the search page repeats the query itself).
SECRET_TEXTS = ("överläggning", "Zyxpunkt", "Zyxbeskrivning")


def _pdf() -> bytes:
    from tests.documents.core_builders import pdf_bytes

    return pdf_bytes()


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    groups = ensure_role_groups()
    structure = StructureFactory(slug="struktur-minst")
    body = BodyFactory(structure=structure, name="Organ A", slug="organ-a-minst")
    member = UserFactory(username="ledamot-minst")
    person = gov.person_create(actor=None, first_name="Lena", last_name="Ledamot",
                               email="lena@exempel.invalid", user=member)
    gov.membership_start(actor=None, person=person, seat=SeatFactory(body=body, member_count=2),
                         role=MembershipRole.MEMBER, start=dt.date(2020, 1, 1))
    editor = UserFactory(username="redaktor-minst", is_staff=True)
    editor.groups.add(groups[EDITOR_GROUP])
    coordinator = UserFactory(username="koordinator-minst", is_staff=True)
    coordinator.groups.add(groups[COORDINATOR_GROUP])
    staff = UserFactory(username="personal-minst", is_staff=True)
    root = UserFactory(username="root-minst", is_staff=True, is_superuser=True)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=20)
    private = meet_services.meeting_plan(
        actor=coordinator, body=body, start=start, end=start + dt.timedelta(hours=2),
        title=f"{SECRET_WORD} överläggning", place="Regionens hus", video_url=VIDEO,
        is_public=False)
    item = meet_services.agenda_item_add(actor=coordinator, meeting=private,
                                         title=f"{SECRET_WORD} Zyxpunkt",
                                         description=f"{SECRET_WORD} Zyxbeskrivning")
    meet_services.attachment_add(
        actor=coordinator, item=item, title="Underlag",
        file=SimpleUploadedFile("underlag.pdf", _pdf(), content_type="application/pdf"))
    public = meet_services.meeting_plan(
        actor=coordinator, body=body, start=start + dt.timedelta(days=1),
        end=start + dt.timedelta(days=1, hours=2), title="Öppet samråd",
        place="Regionens hus", video_url=VIDEO, is_public=True)
    return {"body": body, "private": private, "public": public, "person": person,
            "users": {"member": member, "editor": editor, "coordinator": coordinator,
                      "staff": staff, "root": root, "anonymous": AnonymousUser()}}


def _client(user) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _pdf_text_and_bytes(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    links = [str(a.get_object().get("/A", {}).get("/URI", "")) for page in reader.pages
             for a in page.get("/Annots") or []]
    return text + " " + " ".join(links)


# --- staff status grants no reading --------------------------------------------------------

@pytest.mark.parametrize("persona", ["editor", "staff"])
def test_staff_without_membership_sees_no_non_public_meeting_anywhere(world, persona):
    """Issue 12 §4: the editor and bare staff neither open the non-public meeting, its
    papers or its calendar file, nor find it on the body page, the year calendar, the
    search or the gateway's lists."""
    user = world["users"][persona]
    client = _client(user)
    private = world["private"]
    attachment = private.items.get(title__startswith=SECRET_WORD).attachments.get()
    for url in (private.get_absolute_url(),
                reverse("meetings:attachment", kwargs={"pk": private.pk,
                                                       "attachment_pk": attachment.pk}),
                reverse("meetings:meeting_ics", kwargs={"pk": private.pk}),
                reverse("meetings:agenda_pdf", kwargs={"pk": private.pk})):
        assert client.get(url).status_code == 403, url
    year = timezone.localtime(private.start).year
    for url in (world["body"].get_absolute_url(),
                reverse("meetings:calendar_year", kwargs={"year": year}),
                reverse("public:search") + f"?q={SECRET_WORD}"):
        html = client.get(url).content.decode()
        assert not [text for text in SECRET_TEXTS if text in html], url
        assert private.get_absolute_url() not in html, url
    assert not meeting_access.visible_meetings(user).filter(pk=private.pk).exists()
    assert not meeting_access.meeting_access(user, private).sees_all


@pytest.mark.parametrize("persona", ["member", "coordinator", "root"])
def test_members_coordinators_and_the_superuser_keep_reading(world, persona):
    """Read rights come from membership and the coordinator role; the superuser keeps
    full access (issue 12 §4)."""
    user = world["users"][persona]
    client = _client(user)
    private = world["private"]
    assert client.get(private.get_absolute_url()).status_code == 200
    assert meeting_access.visible_meetings(user).filter(pk=private.pk).exists()
    html = client.get(world["body"].get_absolute_url()).content.decode()
    assert private.get_absolute_url() in html  # the body page lists it for them
    html = client.get(reverse("public:search") + f"?q={SECRET_WORD}").content.decode()
    assert private.get_absolute_url() in html


def test_body_page_hides_non_public_meetings_from_the_public(world):
    html = Client().get(world["body"].get_absolute_url()).content.decode()
    assert world["public"].get_absolute_url() in html
    assert world["private"].get_absolute_url() not in html


# --- video links only in invitations and personal feeds ------------------------------------

def test_video_link_never_in_public_pages_feeds_files_or_search(world):
    """Issue 12 §4: a public meeting's video link is in no public page (meeting, body,
    calendar, home, search), no public feed, not in the calendar file or the agenda PDF
    the public downloads, and not in the published minutes (a public register
    document)."""
    public = world["public"]
    anonymous = Client()
    year = timezone.localtime(public.start).year
    for url in (public.get_absolute_url(), world["body"].get_absolute_url(),
                reverse("meetings:calendar"),
                reverse("meetings:calendar_year", kwargs={"year": year}),
                reverse("public:home"), reverse("public:search") + "?q=samråd",
                reverse("public:search") + "?q=video",
                reverse("feeds:body", kwargs={"slug": world["body"].slug}),
                reverse("meetings:meeting_ics", kwargs={"pk": public.pk})):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert "video.example" not in response.content.decode(), url
    response = anonymous.get(reverse("meetings:agenda_pdf", kwargs={"pk": public.pk}))
    assert response.status_code == 200
    assert "video.example" not in _pdf_text_and_bytes(response.content)


def test_minutes_pdf_carries_no_video_link(world):
    """The minutes PDF (published minutes become a public register document)."""
    from meetings import pdf

    assert "video.example" not in _pdf_text_and_bytes(pdf.minutes_pdf(world["public"]))


def test_video_link_in_invitations_personal_feeds_and_for_members(world):
    """Where the video link belongs: the notice's invitation and agenda, the personal
    feed, and what members see of their meeting (page, agenda PDF)."""
    from meetings import calendar, pdf
    from meetings.emails import NoticeRecipient

    public, person = world["public"], world["person"]
    event = Calendar.from_ical(calendar.invitation(public, NoticeRecipient(person, False),
                                                   "REQUEST")).walk("VEVENT")[0]
    assert str(event["URL"]) == VIDEO
    assert VIDEO in _pdf_text_and_bytes(pdf.agenda_pdf(public, with_video=True))
    secret = calendar_token_issue(person).token
    assert VIDEO in Client().get(f"/kalender/{secret}.ics").content.decode()
    member = _client(world["users"]["member"])
    assert VIDEO in member.get(public.get_absolute_url()).content.decode()
    response = member.get(reverse("meetings:agenda_pdf", kwargs={"pk": public.pk}))
    assert VIDEO in _pdf_text_and_bytes(response.content)
    assert response["Cache-Control"] == "private, no-store"
