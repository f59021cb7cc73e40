"""Each role lands on its own start page, showing its work, after logging in through the
real login form without a ``next`` address (``LOGIN_REDIRECT_URL`` is ``/start/``,
portal/start.py):

- the coordinator on "Min vecka" (``/samordning/``): the coming meeting of Länsledning,
  in Länsledning's group;
- the editor on the editor's queue (``/redaktion/``): a version approved but not yet
  published;
- a secretary on their bodies' meetings (``/sekreterare/``): Länsledning's meeting;
- a member on Mina sidor (``/mina-sidor/``): the coming meeting of their body.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import PASSWORD, page_shot
from .world import build_world, upload_version

START_PAGES = {
    "coordinator": "/samordning/",
    "editor": "/redaktion/",
    "secretary_a": "/sekreterare/",
    "member_a": "/mina-sidor/",
}
HEADINGS = {"coordinator": "Min vecka", "member_a": "Mina sidor"}


def waiting_version(world):
    """A new version of the world's agreement, approved by the coordinator and waiting
    for the editor to publish it."""
    from documents import services as docs

    version = upload_version(world.document, world.users["editor"], "Reviderad överenskommelse")
    docs.version_submit(actor=world.users["editor"], version=version)
    docs.version_approve(actor=world.users["coordinator"], version=version)
    return version


@pytest.mark.parametrize("persona", list(START_PAGES))
def test_login_lands_on_the_roles_start_page_with_its_work(persona, page, shot):
    world = build_world()
    work = world.meeting.display_title
    if persona == "editor":
        waiting_version(world)
        work = world.document.title
    user = world.user(persona)

    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.wait_for_load_state()

    assert urlsplit(page.url).path == START_PAGES[persona], (
        f"{persona} landed on {page.url}, not on {START_PAGES[persona]}")
    heading = page.get_by_role("heading", level=1)
    assert heading.count() == 1 and heading.is_visible()
    if persona in HEADINGS:
        assert heading.inner_text().strip() == HEADINGS[persona]
    if persona == "coordinator":
        # "Min vecka" groups its rows per body, collapsed: open Länsledning's, as a user does.
        group = f"details#body-{world.body_a.slug}"
        page.locator(f"{group} > summary").click()
        page.wait_for_function(f"document.querySelector('{group}').open")
    main = page.locator("main").inner_text()
    assert work in main, f"{persona}'s start page does not show {work!r}:\n{main[:1500]}"
    assert "koppla din inloggning" not in main, "a dead end instead of the role's page"
    if persona == "editor":
        queue = page.locator("section[aria-labelledby=q-unpublished]").inner_text()
        assert world.document.title in queue, queue
    page_shot(page, persona, "start-page", 1280)
    shot(page, f"{persona} start page")
