"""Issue 11, flow 7: the calendar link, as a member of Länsledning uses it in Chromium.

On Mina sidor she makes her calendar link, copies it with "Kopiera länken" (the
clipboard holds the address and the page says "Kopierad!"), opens the instructions for
Google Kalender, then opens her coming meeting and downloads it with "Lägg till i
kalender" (one VEVENT with the meeting's UID). Länsledning's page links its public feed
and announces it with <link rel="alternate" type="text/calendar">.
"""
from __future__ import annotations

from pathlib import Path

from icalendar import Calendar

from meetings.feeds import token_hash
from meetings.models import CalendarToken

from .clicks import Clicks
from .conftest import login, look_at
from .world import build_world

TARGET = 5  # copy the link, read the instructions, download a meeting: 5 clicks




def test_member_copies_her_calendar_link_reads_how_and_downloads_a_meeting(context, page, shot):
    """Measured: 5 clicks ("Skapa en kalenderlänk", "Kopiera länken", "Google Kalender",
    the meeting, "Lägg till i kalender")."""
    world = build_world(with_document=False)
    meeting = world.meeting
    member = world.people["member_a"]
    context.grant_permissions(["clipboard-read", "clipboard-write"])

    login(page, world.user("member_a"), next_path="/mina-sidor/")
    clicks = Clicks(page)
    section = page.locator("section[aria-labelledby=calendar-h]")
    with clicks.navigation():
        clicks.click(section.get_by_role("button", name="Skapa en kalenderlänk"))
    stored = CalendarToken.objects.get(person=member, revoked_at__isnull=True).token_hash
    section = page.locator("section[aria-labelledby=calendar-h]")
    field = section.get_by_label("Kalenderlänk")
    # Only the hash is stored; the link shown (once) carries the secret (issue 12 §4).
    secret = field.input_value().rsplit("/kalender/", 1)[1].removesuffix(".ics")
    assert token_hash(secret) == stored
    assert field.get_attribute("readonly") is not None

    clicks.click(section.get_by_role("button", name="Kopiera länken"))
    status = section.locator("[data-copy-status]")
    status.filter(has_text="Kopierad!").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()

    google = section.locator("details", has=page.locator("summary", has_text="Google Kalender"))
    clicks.click(google.locator("summary"))
    assert google.get_attribute("open") is not None
    google.get_by_text("Från webbadress").wait_for(state="visible")  # after the opening
    assert section.locator("summary", has_text="Outlook (webb och skrivbord)").is_visible()
    assert section.locator("summary", has_text="Apple Kalender (iPhone och Mac)").is_visible()
    section.scroll_into_view_if_needed()
    look_at(page, shot, "mina sidor calendar link")

    card = page.locator(f"article[aria-labelledby=meeting-{meeting.pk}-h]")
    with clicks.navigation():
        clicks.click(card.get_by_role("link", name=meeting.display_title, exact=True))
    link = page.get_by_role("link", name="Lägg till i kalender")
    with page.expect_download() as info:
        clicks.click(link)
    download = info.value
    assert download.suggested_filename.startswith(f"{meeting.body.slug}-")
    assert download.suggested_filename.endswith(".ics")
    cal = Calendar.from_ical(Path(download.path()).read_bytes())
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == meeting.uid
    assert int(event["SEQUENCE"]) == meeting.sequence
    assert clicks.count <= TARGET, clicks.log
    assert clicks.count == 5, clicks.log
    look_at(page, shot, "meeting with add to calendar")

    # The body's public feed, from its page.
    page.goto(f"/organ/{meeting.body.slug}/")
    alternate = page.locator('head link[rel=alternate][type="text/calendar"]')
    assert alternate.get_attribute("href").endswith(f"/kalender/organ/{meeting.body.slug}.ics")
    feed = page.request.get(alternate.get_attribute("href"))
    assert feed.status == 200 and meeting.uid in feed.text()
    assert page.locator(".body-feed").get_by_role("link", name="Öppna kalenderfilen").is_visible()
    page.locator(".body-feed").scroll_into_view_if_needed()
    look_at(page, shot, "body page feed")
