"""End-to-end journeys in Debian's Chromium, as a new user would make them (issue 6.7).

Each journey starts from the state ``world.build_world()`` makes through the project's
services, logs in through the real login form and then only clicks, types and reads
what the pages show, in Swedish. What the journey should have changed is then checked
in the database and, for e-mail, in Django's test outbox. Screenshots of each step are
saved under ``test-artifacts/``.

- the coordinator adds a new member to Länsledning in the admin, records next year's
  chair, and sees the rule check (H11) pass on /samordning/;
- a member opens their next meeting from /mina-sidor/, reads the agenda, reports
  absence, and their substitute's notice arrives (V2, Västerbotten's Samråd för vård
  och omsorg: HälSam's preset has no substitutes);
- the editor uploads a new version of an agreement, the coordinator approves it, the
  editor records the accessibility checklist and publishes it; the public register
  shows the new version in force and the old one superseded.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from governance.models import Body, Membership, MembershipRole, OfficeTerm, Principal, Seat

from .conftest import login
from .world import PASSWORD, at, build_world, next_weekday, pdf_bytes, place_person


def choose(page, field_id: str, search: str, option: str | re.Pattern) -> None:
    """Pick ``option`` in the admin's autocomplete field ``field_id`` by typing
    ``search``, as a user does (select2: open, type, choose)."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-container--open li.select2-results__option", has_text=option) \
        .first.click()
    page.wait_for_function(
        f"() => document.getElementById('{field_id}').value !== ''")


def admin_save(page) -> None:
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    errors = page.locator(".errornote, .errorlist")
    assert errors.count() == 0, errors.all_inner_texts()


def test_coordinator_adds_a_member_to_lansledning_and_records_next_years_chair(page, shot):
    """H11: Länsledning's chair alternates every calendar year between the region (2023,
    2025, 2027 …) and a municipal head of social services (2024, 2026 …); H13: next
    year's offices are elected before the year begins."""
    world = build_world(with_document=False)
    next_year = timezone.localdate().year + 1
    region_year = (next_year - 2023) % 2 == 0
    if region_year:
        principal, seat_key = Principal.objects.get(code="R22"), "omradesdirektorer"
        title = "Områdesdirektör hälso- och sjukvård"
    else:
        principal, seat_key = Principal.objects.get(code="2281"), "fc-socialforvaltning-sundsvall"
        title = "Socialchef"
    seat = Seat.objects.get(body=world.body_a, key=seat_key)

    login(page, world.user("coordinator"), next_path="/samordning/ordforandeskap/")
    card = page.locator("#body-lansledning")
    assert "H13" in card.inner_text(), "the election of next year's offices should be due"
    shot(page, "dashboard before", full_page=False)

    # A new person …
    page.get_by_role("link", name="Administration").click()
    page.goto("/admin/governance/person/add/")
    page.fill("#id_first_name", "Maria")
    page.fill("#id_last_name", "Nordin")
    page.fill("#id_email", "maria.nordin@exempel.invalid")
    page.fill("#id_title", title)
    choose(page, "id_principal", principal.name, principal.name)
    page.fill("#id_change_reason", "Ny i länsledningen")
    shot(page, "new person")
    admin_save(page)

    # … gets a place in Länsledning …
    page.goto("/admin/governance/membership/add/")
    choose(page, "id_person", "Nordin", "Maria Nordin")
    choose(page, "id_seat", seat_key, seat.title)
    page.select_option("#id_role", MembershipRole.MEMBER)
    page.fill("#id_start", timezone.localdate().isoformat())
    page.fill("#id_change_reason", "Utsedd till länsledningen")
    shot(page, "new membership")
    admin_save(page)
    membership = Membership.objects.get(person__last_name="Nordin", seat=seat)
    assert membership.history.first().history_user == world.user("coordinator")
    assert membership.history.first().history_change_reason == "Utsedd till länsledningen"

    # … and is recorded as next year's chair.
    page.goto("/admin/governance/officeterm/add/")
    choose(page, "id_body", "Länsledning", re.compile(rf"^\s*{re.escape(world.body_a.name)}\s*$"))
    page.select_option("#id_office", "chair")
    choose(page, "id_person", "Nordin", "Maria Nordin")
    page.fill("#id_start", f"{next_year}-01-01")
    page.fill("#id_end", f"{next_year}-12-31")
    page.fill("#id_change_reason", f"Vald vid årets sista möte (H13) för {next_year}")
    shot(page, "chair for next year")
    admin_save(page)
    term = OfficeTerm.objects.get(body=world.body_a, office="chair", person=membership.person)
    assert (term.start, term.end) == (dt.date(next_year, 1, 1), dt.date(next_year, 12, 31))

    # The rule check on the coordinator's page passes.
    # Back to the portal through the same main menu the admin shows.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Min vecka") \
        .click()
    page.get_by_role("link", name=re.compile("^Poster per organ")).click()
    card = page.locator("#body-lansledning")
    chair_row = card.locator("tr", has=page.locator("th", has_text=re.compile("^Ordförande$")))
    row_text = chair_row.inner_text()
    assert "Maria Nordin" in row_text and "Följer regeln" in row_text, row_text
    assert "Följer inte regeln" not in card.inner_text()
    assert f"val för {next_year}" not in card.inner_text().lower()
    chair_row.scroll_into_view_if_needed()
    shot(page, "dashboard after", full_page=False)


def test_member_reads_the_agenda_reports_absence_and_the_substitute_is_called(page, shot):
    """V2: a substitute attends when the regular member is absent; the substitute named
    for the member gets the notice as soon as the absence is reported."""
    call_command("load_structure", "vasterbotten", verbosity=0)
    body = Body.objects.get(slug="samrad-vard-och-omsorg")
    seat = Seat.objects.get(body=body, key="kommun-umea")
    member = place_person(seat=seat, username="ledamot-umea", first="Ulla", last="Lind")
    substitute = place_person(seat=seat, username=None, first="Sven", last="Berg",
                              role=MembershipRole.SUBSTITUTE, substitute_for=member)
    from meetings import services as meetings

    day = next_weekday(20)
    meeting = meetings.meeting_plan(actor=None, body=body, start=at(day, 9, 30),
                                    end=at(day, 12), place="Region Västerbotten, Umeå",
                                    title="Samråd för vård och omsorg")
    for title in ("Mötets öppnande", "Uppföljning av överenskommelsen om hemsjukvård",
                  "Nästa möte"):
        meetings.agenda_item_add(actor=None, meeting=meeting, title=title)
    meetings.meeting_notice_send(actor=None, meeting=meeting)
    assert any(member.person.email in m.to for m in mail.outbox), "the notice went out"
    mail.outbox.clear()

    login(page, member.person.user, next_path="/mina-sidor/")
    assert page.get_by_role("heading", name="Mina sidor", level=1).is_visible()
    shot(page, "my pages")
    page.locator("section[aria-labelledby=coming-h]").get_by_role(
        "link", name=meeting.display_title, exact=True).click()
    assert page.url.endswith(f"/moten/{meeting.pk}/")
    agenda = page.locator("section[aria-labelledby=agenda-h]")
    assert "Uppföljning av överenskommelsen om hemsjukvård" in agenda.inner_text()
    shot(page, "meeting and agenda")

    with page.expect_navigation():  # the confirmation page (issue 11, flow 3)
        page.get_by_role("link", name="Anmäl förhinder").click()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Anmäl förhinder").click()
    body_text = page.locator("main").inner_text()
    assert "Sven Berg" in body_text, body_text
    shot(page, "absence reported")

    sent = [m for m in mail.outbox if substitute.person.email in m.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    notice = sent[0]
    assert "ersättare" in notice.subject.lower() and meeting.display_title in notice.subject
    assert "Ulla Lind" in notice.body
    kinds = {a[2] if isinstance(a, tuple) else a.get_content_type() for a in notice.attachments}
    assert "application/pdf" in kinds
    calendars = [alt for alt in getattr(notice, "alternatives", [])
                 if "text/calendar" in alt[1]]
    assert calendars, "the notice carries the meeting as an iCalendar invitation"

    # The member's own page says who comes instead.
    page.goto("/mina-sidor/")
    assert "Sven Berg" in page.locator("section[aria-labelledby=coming-h]").inner_text()


def test_editor_publishes_a_new_version_and_the_register_marks_the_old_superseded(
        page, context, chromium, live_server, shot, tmp_path):
    """The register keeps every version (immutable); publishing version 2 puts it in
    force and marks version 1 superseded, for the public too."""
    world = build_world()
    document, first = world.document, world.version
    new_file = tmp_path / "overenskommelse-2027.pdf"
    new_file.write_bytes(pdf_bytes("Överenskommelse om SIP, reviderad"))

    login(page, world.user("editor"), next_path=f"/dokument/{document.pk}/")
    page.get_by_role("link", name="Ladda upp en ny version").click()
    page.get_by_label("Fil (PDF, Word, Excel eller OpenDocument-text)").set_input_files(
        str(new_file))
    page.get_by_label("Vad som har ändrats").fill("Reviderad efter länsledningens beslut")
    shot(page, "upload")
    page.get_by_role("button", name="Ladda upp").click()
    page.wait_for_url(f"**/dokument/{document.pk}/")
    second = document.versions.get(number=first.number + 1)
    page.locator(f"a[href$='/v{second.number}/steg/granskning/']").click()
    page.get_by_role("button", name="Bekräfta").click()
    page.wait_for_url(f"**/dokument/{document.pk}/")

    # The coordinator approves it, in a browser of their own.
    other = chromium.new_context(base_url=live_server.url, locale="sv-SE")
    try:
        coordinator = other.new_page()
        login(coordinator, world.user("coordinator"), next_path=f"/dokument/{document.pk}/")
        coordinator.locator(f"a[href$='/v{second.number}/steg/godkann/']").click()
        coordinator.get_by_role("button", name="Bekräfta").click()
        coordinator.wait_for_url(f"**/dokument/{document.pk}/")
    finally:
        other.close()

    # The editor checks accessibility (DOS-lagen) and publishes.
    page.goto(f"/redaktion/version/{second.pk}/tillganglighet/")
    for box in page.locator("form input[type=checkbox]").all():
        box.check()
    shot(page, "accessibility checklist")
    page.get_by_role("button", name="Registrera checklistan").click()
    page.wait_for_load_state()
    page.goto(f"/dokument/{document.pk}/")
    page.locator(f"a[href$='/v{second.number}/steg/publicera/']").click()
    assert page.locator("#a11y-h").count() == 0, "no accessibility problems are left"
    page.get_by_label("Publiceringsdatum").fill(timezone.localdate().isoformat())
    shot(page, "publish")
    page.get_by_role("button", name="Bekräfta").click()
    page.wait_for_url(f"**/dokument/{document.pk}/")

    # The public sees it: a fresh browser with nobody logged in.
    public = chromium.new_context(base_url=live_server.url, locale="sv-SE")
    try:
        anon = public.new_page()
        anon.goto("/dokument/?q=samordnad")
        assert document.title in anon.locator("main").inner_text()
        anon.get_by_role("link", name=document.title).first.click()
        versions = anon.locator("section[aria-labelledby=versions-h]")
        row_new = versions.locator(
            "tr", has=anon.locator("th", has_text=f"Version {second.number}"))
        row_old = versions.locator("tr", has=anon.locator("th", has_text=f"Version {first.number}"))
        assert "Publicerad" in row_new.inner_text(), row_new.inner_text()
        assert "Ersatt" in row_old.inner_text(), row_old.inner_text()
        shot(anon, "public register")
        response = anon.request.get(row_new.locator("a").first.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    finally:
        public.close()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")


# --- the keyboard-only journey -------------------------------------------------------------

FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim(),
            label: el.getAttribute('aria-label') || '', href: el.getAttribute('href') || '',
            id: el.id, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
            shadow: s.boxShadow !== 'none', visible: el.getClientRects().length > 0};
}"""


def tab_to(page, wanted, *, limit: int = 80) -> dict:
    """Press Tab until the focused element matches ``wanted`` (a function of the focus
    description); every element passed on the way must show where the focus is
    (WCAG 2.4.7) and be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        if focus is None:
            continue
        assert focus["visible"], f"focus on an invisible element: {focus}"
        assert focus["outline"] or focus["shadow"], f"no visible focus indicator: {focus}"
        if wanted(focus):
            return focus
    raise AssertionError(f"not reached with {limit} presses of Tab")


def text_is(text: str):
    return lambda f: f["text"].startswith(text)


@pytest.mark.parametrize("persona", ["member_a"])
def test_keyboard_only_journey(page, shot, persona):
    """Without a mouse: skip to the content, log in, open the next meeting from my pages,
    report absence; then search the register and open a document. Every element on the
    way shows its focus."""
    world = build_world()
    user = world.user(persona)
    page.goto("/")
    focus = tab_to(page, lambda f: True)
    assert focus["text"] == "Hoppa till innehållet", "the skip link comes first"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    page.goto("/")
    tab_to(page, text_is("Logga in"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/**")
    tab_to(page, lambda f: f["id"] == "id_username")
    page.keyboard.type(user.get_username())
    tab_to(page, lambda f: f["id"] == "id_password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    shot(page, "logged in")

    tab_to(page, text_is("Mina sidor"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/mina-sidor/")
    tab_to(page, lambda f: f["href"] == f"/moten/{world.meeting.pk}/")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/moten/{world.meeting.pk}/")
    tab_to(page, text_is("Anmäl förhinder"))
    shot(page, "absence button focused", full_page=False)
    with page.expect_navigation():  # the confirmation page (issue 11, flow 3)
        page.keyboard.press("Enter")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"].startswith("Anmäl förhinder"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Du har anmält förhinder" in page.locator("main").inner_text()
    from meetings.models import Absence
    assert Absence.objects.filter(meeting=world.meeting,
                                  person=world.people[persona]).exists()

    tab_to(page, text_is("Dokument"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/dokument/")
    tab_to(page, lambda f: f["id"] == "id_q")
    page.keyboard.type("samordnad")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, lambda f: f["href"] == f"/dokument/{world.document.pk}/")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dokument/{world.document.pk}/")
    shot(page, "document by keyboard")


def test_keyboard_only_editor_uploads_a_version_and_sends_it_for_review(page, shot, tmp_path):
    """The editor's task without a mouse: from the register to the document, a new version
    uploaded (the file chooser opened with the space bar), then sent for review."""
    world = build_world()
    document = world.document
    new_file = tmp_path / "overenskommelse-v2.pdf"
    new_file.write_bytes(pdf_bytes("Överenskommelse om SIP, version 2"))
    login(page, world.user("editor"), next_path="/")
    tab_to(page, text_is("Dokument"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/dokument/")
    tab_to(page, lambda f: f["href"] == f"/dokument/{document.pk}/")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dokument/{document.pk}/")
    tab_to(page, text_is("Ladda upp en ny version"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dokument/{document.pk}/ny-version/")
    tab_to(page, lambda f: f["tag"] == "input" and f["id"] == "id_file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(new_file))
    tab_to(page, lambda f: f["id"] == "id_change_note")
    page.keyboard.type("Ny version efter remiss")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Ladda upp")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    second = document.versions.get(number=world.version.number + 1)
    assert second.change_note == "Ny version efter remiss"
    tab_to(page, lambda f: f["href"].endswith(f"/v{second.number}/steg/granskning/"),
           limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/v{second.number}/steg/granskning/")
    tab_to(page, text_is("Bekräfta"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    second.refresh_from_db()
    assert second.status == "in_review"
    shot(page, "sent for review by keyboard")


def test_keyboard_only_coordinator_filters_the_dashboard(page, shot):
    """The coordinator's filter works from the keyboard: choose a level, send the form."""
    world = build_world(with_document=False)
    login(page, world.user("coordinator"), next_path="/samordning/")
    tab_to(page, lambda f: f["tag"] == "select" and f["id"] == "id_kind")
    for _ in range(20):  # the arrow keys move through the options, as in any browser
        if page.evaluate("() => document.getElementById('id_kind').value") == "county_group":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.getElementById('id_kind').value") == "county_group"
    tab_to(page, text_is("Visa"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "kind=county_group" in page.url
    assert page.locator("#body-lansledning").count() == 0
    assert page.evaluate("() => document.getElementById('id_kind').value") == "county_group"
    shot(page, "dashboard filtered")


def test_absence_link_by_keyboard_for_a_person_without_a_login(page, shot):
    """The signed link in the notice e-mail works without logging in, by keyboard too."""
    from meetings.emails import absence_token

    world = build_world(with_document=False)
    person = world.people["member_a"]
    page.goto(f"/moten/{world.meeting.pk}/forhinder/{absence_token(world.meeting, person)}/")
    tab_to(page, lambda f: f["tag"] == "button" and "förhinder" in f["text"].lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "anmält" in page.locator("main").inner_text().lower()
    shot(page, "absence by link")

