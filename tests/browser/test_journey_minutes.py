"""Issue 11, flow 4 in Chromium: minutes that reach their checkers.

The secretary records the attendance of last week's Länsledning meeting, starts and
writes the minutes (the items get their § numbers), picks a checker among those present
and sends; the checker gets the e-mail, opens Mina sidor → Att justera → Justera; the
secretary publishes and the minutes PDF link on the meeting page works.
"""
from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from governance.models import Seat
from meetings.models import AgendaItem, Minutes, MinutesStatus

from .clicks import Clicks
from .conftest import login, look_at
from .world import build_world, place_person


def _logout(page) -> None:
    page.context.clear_cookies()


def test_secretary_sends_minutes_to_a_present_checker_who_approves_on_my_pages(page, shot):
    """Measured: the secretary 8 clicks from the meeting page to "sent" (Registrera
    närvaro, untick the absent, Spara, Protokoll, Påbörja protokollet, tick the checker,
    Spara protokollet, Skicka till justerarna); the checker 2 clicks from Mina sidor
    (Att justera → Justera); publishing 2 clicks from the meeting page. The issue sets no
    target for flow 4; these figures are asserted so they cannot grow unnoticed."""
    world = build_world(with_document=False)
    from meetings import services

    anna = world.people["member_a"]  # Anna Ledamot, with a login
    seat = Seat.objects.get(body=world.body_a, key="omradesdirektorer")
    absent = place_person(seat=seat, username=None, first="Olle", last="Borta").person
    start = timezone.now().replace(microsecond=0, second=0) - dt.timedelta(days=3)
    meeting = services.meeting_plan(actor=None, body=world.body_a, start=start,
                                    end=start + dt.timedelta(hours=2),
                                    place="Regionens hus, Härnösand",
                                    title="Länsledningens möte i november")
    services.agenda_item_add(actor=None, meeting=meeting, title="Psykisk hälsa – lägesbild")
    mail.outbox.clear()

    # --- the secretary: attendance, minutes, checker among the present, send ------------
    login(page, world.user("secretary_a"), next_path=meeting.get_absolute_url())
    clicks = Clicks(page)
    with clicks.navigation():
        clicks.click(page.get_by_role("link", name="Registrera närvaro"))
    box = page.get_by_label("Olle Borta")
    if box.is_checked():
        clicks.click(box)  # Olle did not come
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Spara"))
    with clicks.navigation():
        clicks.click(page.get_by_role("link", name="Protokoll", exact=True))
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Påbörja protokollet"))
    assert "§ " in page.locator("main").inner_text()
    # Only those present are offered as checkers: Anna yes, Olle (absent) no.
    assert page.get_by_label(anna.name).count() == 1
    assert page.get_by_label("Olle Borta").count() == 0
    page.locator("textarea").nth(1).fill("Lägesbilden presenterades och diskuterades.")
    clicks.check(page.get_by_label(anna.name))
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Spara protokollet"))
    look_at(page, shot, "minutes written")
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Skicka till justerarna"))
    text = page.locator("main").inner_text()
    assert f"Protokollet skickades till justerarna {anna.name}." in text, text
    assert f"Ett mejl med en länk för att justera gick till {anna.name}." in text
    secretary_clicks = clicks.count
    assert secretary_clicks <= 8, clicks.log

    checks = [m for m in mail.outbox if anna.email in m.to]
    assert len(checks) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert checks[0].subject.startswith("Protokoll att justera")
    assert f"/moten/{meeting.pk}/protokoll/justera/" in checks[0].body
    assert absent.pk not in Minutes.objects.get(meeting=meeting).checkers.values_list(
        "pk", flat=True)

    # --- the checker: Mina sidor → Att justera → Justera ---------------------------------
    _logout(page)
    login(page, world.user("member_a"), next_path="/mina-sidor/")
    clicks = Clicks(page)
    to_check = page.locator("section[aria-labelledby=to-check-h]")
    assert to_check.get_by_role("heading", name="Att justera").is_visible()
    look_at(page, shot, "my pages to approve")
    with clicks.navigation():
        clicks.click(to_check.get_by_role("link"))
    assert "Lägesbilden presenterades" in page.locator("main").inner_text()
    look_at(page, shot, "checker page")
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Justera", exact=True))
    assert "är justerat" in page.locator("main").inner_text()
    assert page.locator("section[aria-labelledby=to-check-h]").count() == 0
    checker_clicks = clicks.count
    assert checker_clicks <= 2, clicks.log
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_by == anna

    # --- the secretary publishes; the PDF link works --------------------------------------
    _logout(page)
    login(page, world.user("secretary_a"), next_path=meeting.get_absolute_url())
    clicks = Clicks(page)
    with clicks.navigation():
        clicks.click(page.get_by_role("link", name="Protokoll", exact=True))
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Publicera protokollet"))
    assert "Protokollet är publicerat" in page.locator("main").inner_text()
    assert clicks.count <= 2, clicks.log
    page.goto(meeting.get_absolute_url())
    first = AgendaItem.objects.filter(meeting=meeting).order_by("position", "id").first()
    assert f"§ {first.section}" in page.locator("main").inner_text()
    look_at(page, shot, "meeting with minutes")
    link = page.get_by_role("link", name="Hämta protokollet (pdf)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    agenda = page.request.get(page.get_by_role("link", name="Hämta dagordningen (pdf)")
                              .get_attribute("href"))
    assert agenda.status == 200 and "dagordning-" in agenda.headers["content-disposition"]
    # Anna's Mina sidor: "Tidigare möten" links the published minutes.
    _logout(page)
    login(page, world.user("member_a"), next_path="/mina-sidor/")
    past = page.locator("section[aria-labelledby=past-h]")
    assert past.get_by_role("link", name="Protokoll (pdf)").count() >= 1
