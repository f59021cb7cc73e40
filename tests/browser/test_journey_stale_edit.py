"""Issue 12 §1 in Debian's Chromium: two people edit the same meeting at once.

The coordinator and the secretary open the meeting's edit form in two browsers. The
coordinator saves a new place; the secretary, whose form still shows the old one, then
saves a new title and place. The secretary's save is refused with "Ändrat av … medan du
redigerade" and the other change is shown; what she typed stays in the form, and the
coordinator's place is what the meeting keeps.
"""
from __future__ import annotations

from meetings.models import Meeting

from .conftest import DESKTOP, login, look_at
from .world import build_world


def test_second_editor_is_told_of_the_first_change_and_loses_nothing(page, chromium,
                                                                     live_server, shot):
    world = build_world(with_document=False)
    meeting = world.meeting
    url = f"/moten/{meeting.pk}/andra/"

    login(page, world.user("coordinator"), next_path=url)
    other = chromium.new_context(base_url=live_server.url, locale="sv-SE",
                                 timezone_id="Europe/Stockholm", viewport=DESKTOP)
    try:
        second = other.new_page()
        login(second, world.user("secretary_a"), next_path=url)
        assert second.locator("input[name=place]").input_value() == meeting.place

        page.fill("input[name=place]", "Sundsvalls sjukhus, sal 3")
        with page.expect_navigation():
            page.get_by_role("button", name="Spara").click()

        second.fill("input[name=title]", "Länsledningens möte (ändrat)")
        second.fill("input[name=place]", "Kommunhuset, Härnösand")
        second.get_by_role("button", name="Spara").click()
        second.wait_for_load_state()

        alert = second.get_by_text("medan du redigerade")
        assert alert.count() >= 1 and alert.first.is_visible()
        main = second.locator("main").inner_text()
        assert "Ändrat av" in main and "Den andra ändringen" in main, main[:2000]
        assert "Sundsvalls sjukhus, sal 3" in main, "the other change is not shown"
        # What the secretary typed is still in her form.
        assert second.locator("input[name=title]").input_value() == \
            "Länsledningens möte (ändrat)"
        look_at(second, shot, "stale save refused")
    finally:
        other.close()

    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.place == "Sundsvalls sjukhus, sal 3"
    assert meeting.title != "Länsledningens möte (ändrat)"


def test_the_not_found_page_is_swedish_and_accessible(page, shot):
    """Issue 12 §8: the localised 404 page in Chromium (axe, 1280/390 px, 320 px reflow)."""
    response = page.goto("/finns-inte/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).count() == 1
    look_at(page, shot, "not found")
