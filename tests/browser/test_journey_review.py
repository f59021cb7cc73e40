"""Issue 11, flow 4 (documents side): a version under review reaches its approvers.

The editor sends a new version of Länsledning's agreement for review from the document
page; the message names who is told, and those who may approve it (Länsledning's
secretary and the coordinator) get one e-mail each with the link to the approval page.
The coordinator logs in, finds the version under "Under granskning" on their start page
("Min vecka"), and approves it. The editor's queue lists it as approved-not-published.
"""
from __future__ import annotations

from django.core import mail

from .clicks import Clicks
from .conftest import DESKTOP, login, look_at
from .world import build_world, upload_version

TARGET = 4  # two clicks for the editor, two for the approver




def test_editor_sends_a_version_for_review_and_the_coordinator_approves_it_from_min_vecka(
        page, chromium, live_server, shot):
    """Measured: 4 clicks: the editor 2 ("→ Under granskning" on the document page,
    "Bekräfta"), the coordinator 2 ("Granska och godkänn" under "Under granskning" on
    Min vecka, "Bekräfta")."""
    world = build_world()
    document, editor = world.document, world.user("editor")
    draft = upload_version(document, editor, "Överenskommelse om SIP, reviderad efter remiss")
    mail.outbox.clear()
    clicks = Clicks(page)

    login(page, editor, next_path=f"/dokument/{document.pk}/")
    with clicks.navigation():
        clicks.click(page.locator(f"a[href$='/v{draft.number}/steg/granskning/']"))
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Bekräfta"))
    message = page.locator(".ds-alert, [role=status], .messages").first.inner_text()
    assert (f"Version {draft.number} av ”{document.title}” skickades för granskning till "
            "Sara Sekreterare och samordnare.") in message, message
    look_at(page, shot, "sent for review")

    # One e-mail per approver, with the approval link; not to the editor who sent it.
    approve_path = f"/dokument/{document.pk}/v{draft.number}/steg/godkann/"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "samordnare@exempel.invalid", "sara.sekreterare@exempel.invalid"]
    assert all(approve_path in m.body for m in mail.outbox)
    assert all(m.subject == f"Att godkänna: version {draft.number} av {document.title}"
               for m in mail.outbox)

    # The coordinator, in a browser of their own, lands on Min vecka.
    other = chromium.new_context(base_url=live_server.url, locale="sv-SE",
                                 timezone_id="Europe/Stockholm", viewport=DESKTOP)
    try:
        coordinator = other.new_page()
        login(coordinator, world.user("coordinator"), next_path="/start/")
        assert coordinator.url.endswith("/samordning/"), coordinator.url
        section = coordinator.locator("section[aria-labelledby=review-h]")
        assert section.get_by_role("heading", name="Under granskning").is_visible()
        assert "1 dokumentversion väntar på ditt godkännande." in section.inner_text()
        look_at(coordinator, shot, "min vecka under granskning")
        approver = Clicks(coordinator)
        with approver.navigation():
            approver.click(section.get_by_role("link", name="Granska och godkänn").first)
        assert coordinator.url.endswith(approve_path)
        assert coordinator.get_by_role("link", name="Läs version").count() == 1
        look_at(coordinator, shot, "approval page")
        with approver.navigation():
            approver.click(coordinator.get_by_role("button", name="Bekräfta"))
        text = coordinator.locator("main").inner_text()
        assert (f"Version {draft.number} av ”{document.title}” är godkänd; en redaktör kan nu "
                "publicera den.") in text, text
    finally:
        other.close()
    draft.refresh_from_db()
    assert draft.status == "approved"
    assert approver.count + clicks.count <= TARGET, clicks.log + approver.log
    assert approver.count + clicks.count == 4

    # The editor's queue: nothing under review any more, the version waits to be published.
    page.goto("/redaktion/")
    queue = page.locator("main").inner_text()
    assert "Under granskning" in queue and "Ingen version väntar på godkännande." in queue
    assert document.title in page.locator("section[aria-labelledby=q-unpublished]").inner_text()
    look_at(page, shot, "editor queue")
    assert len(mail.outbox) == 2  # approving sends nothing more to the approvers
