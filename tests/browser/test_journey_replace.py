"""Issue 11, flow 1 in Debian's Chromium: "Byt ledamot" from the body page in one form,
and recording next year's chair with the rotation check (H11).

Clicks are counted with ``tests/browser/clicks.py``; typing is free.
"""
from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from governance.models import Membership, OfficeTerm, Seat

from .clicks import Clicks
from .conftest import (
    login,
    look_at,
)
from .world import build_world, place_person

REPLACE_TARGET = 6




def test_coordinator_replaces_a_member_in_one_step_and_records_next_years_chair(page, shot):
    """Measured: 2 clicks from the body page to a saved replacement (the "Byt ledamot" link
    and the "Byt ledamot" button; target ≤ 6). Bo Berg ends on 31 December, the new
    member starts on 1 January, gets a welcome and a login invitation. H11: next year's
    chair of Länsledning must come from the side whose turn it is: the other side is
    refused with the rule named, the right one saved and the current chair ended."""
    world = build_world(with_document=False)
    today = timezone.localdate()
    seat = Seat.objects.get(body=world.body_a, key="fc-socialforvaltning-sundsvall")
    bo = place_person(seat=seat, username=None, first="Bo", last="Berg")
    mail.outbox.clear()

    login(page, world.user("coordinator"), next_path=f"/organ/{world.body_a.slug}/")
    clicks = Clicks(page)
    with clicks.navigation():
        clicks.click(page.get_by_role("link", name="Byt ledamot Bo Berg"))
    assert page.get_by_role("heading", name="Byt ledamot", level=1).is_visible()
    assert page.get_by_label("Bo Berg").is_checked()
    assert page.get_by_label("Sista dag för nuvarande ledamot").input_value() \
        == dt.date(today.year, 12, 31).isoformat()
    page.get_by_label("Förnamn").fill("Alva")
    page.get_by_label("Efternamn").fill("Andersson")
    page.get_by_label("E-post").fill("alva.andersson@exempel.invalid")
    page.get_by_label("Titel").fill("Förvaltningschef socialtjänst")
    look_at(page, shot, "byt ledamot")
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Byt ledamot"))
    assert clicks.count <= REPLACE_TARGET, clicks.log

    success = page.locator(".messages, [role=status], .ds-alert").first.inner_text()
    start = dt.date(today.year + 1, 1, 1)
    assert "Alva Andersson ersätter Bo Berg i" in success, success
    assert "alva.andersson@exempel.invalid" in success, success
    shot(page, "body page after the replacement", full_page=False)
    bo.refresh_from_db()
    assert bo.end == dt.date(today.year, 12, 31)
    new = Membership.objects.get(seat=seat, person__last_name="Andersson")
    assert new.start == start
    assert new.history.latest().history_user == world.user("coordinator")
    assert sorted(len(m.to) for m in mail.outbox) == [1, 1]
    assert {m.to[0] for m in mail.outbox} == {"alva.andersson@exempel.invalid"}

    # Next year's chair (H11): the region chairs odd years, a municipal head even years.
    next_year = today.year + 1
    region_year = (next_year - 2023) % 2 == 0
    region_person, municipal_person = world.people["member_a"], new.person
    right, wrong = ((region_person, municipal_person) if region_year
                    else (municipal_person, region_person))
    # This year's chair is Bo Berg, recorded until further notice.
    current = OfficeTerm.objects.create(body=world.body_a, office="chair", person=bo.person,
                                        start=dt.date(today.year, 1, 1))
    page.reload()

    office = Clicks(page)
    with office.navigation():
        office.click(page.get_by_role("link", name="Registrera ordförande eller annan post"))
    assert "H11" in page.locator("main").inner_text()
    assert page.get_by_label("Från", exact=True).input_value() == f"{next_year}-01-01"
    office.select(page.get_by_label("Innehavare", exact=True), str(wrong.pk))
    look_at(page, shot, "registrera post")
    with office.navigation():
        office.click(page.get_by_role("button", name="Spara posten"))
    errors = page.locator(".ds-error-summary").inner_text()
    assert "H11" in errors and "Länsledningens ordförande" in errors, errors
    shot(page, "office refused H11", full_page=False)
    office.select(page.get_by_label("Innehavare", exact=True), str(right.pk))
    with office.navigation():
        office.click(page.get_by_role("button", name="Spara posten"))
    text = page.locator("main").inner_text()
    assert f"{right.name} är registrerad som ordförande" in text, text
    assert office.count <= REPLACE_TARGET, office.log
    term = OfficeTerm.objects.get(body=world.body_a, office="chair", person=right,
                                  start=dt.date(next_year, 1, 1))
    assert term.history.latest().history_user == world.user("coordinator")
    current.refresh_from_db()
    assert current.end == dt.date(today.year, 12, 31)
    shot(page, "body page after the office", full_page=False)
