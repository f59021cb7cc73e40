"""Issue 11, flow 2 in Debian's Chromium: the notice with a preview and a confirmation
(H23: the secretary sends the notices).

Clicks are counted with ``tests/browser/clicks.py``; typing is free.
"""
from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from governance import services as gov
from governance.models import MembershipRole, Seat
from halsam.formats.dates import plain_date
from meetings import services as meetings
from meetings.models import DeliveryKind, NoticeDelivery

from .clicks import Clicks
from .conftest import (
    login,
    look_at,
)
from .world import at, build_world, next_weekday, place_person

# The issue names no click target for this flow; the journey keeps it at most this.
NOTICE_TARGET = 4




def _message(page) -> str:
    return page.locator("[role=status], [role=alert]").first.inner_text()


def _people(world):
    """Besides Anna Ledamot: a member with a substitute, and a member with no e-mail."""
    seats = list(Seat.objects.filter(body=world.body_a, key__startswith="fc-socialforvaltning")
                 .order_by("key")[:2])
    Seat.objects.filter(pk=seats[0].pk).update(substitute_count=1)
    seats[0].refresh_from_db()
    place_person(seat=seats[0], username=None, first="Bo", last="Berg")
    place_person(seat=seats[0], username=None, first="Cilla", last="Dahl",
                 role=MembershipRole.SUBSTITUTE)
    nomail = gov.person_create(actor=None, first_name="Dan", last_name="Utanpost", email="",
                               principal=seats[1].principal)
    gov.membership_start(actor=None, person=nomail, seat=seats[1], start=dt.date(2023, 1, 1))


def test_secretary_previews_sends_and_changes_the_time_of_a_notice(page, shot):
    """Measured: 4 clicks from the meeting page (the "Förhandsgranska och skicka
    kallelsen" link, the "Skicka kallelsen till 3 mottagare" button, "Ändra tid eller
    plats", "Spara"). The preview shows the e-mail as Anna Ledamot gets it, the agenda
    PDF, 3 recipients (one substitute) and Dan Utanpost, who has no e-mail address and
    will not get it. After sending, the page says when and to how many and has no send
    button; a second POST is refused. Changing the time says "En ändrad kallelse skickas
    till 3 mottagare" and leaves no button."""
    world = build_world(with_document=False)
    _people(world)
    m = world.meeting
    mail.outbox.clear()

    login(page, world.user("secretary_a"), next_path=m.get_absolute_url())
    clicks = Clicks(page)
    with clicks.navigation():
        clicks.click(page.get_by_role("link", name="Förhandsgranska och skicka kallelsen"))
    assert page.get_by_role("heading", name="Förhandsgranska kallelsen", level=1).is_visible()
    who = page.locator("section.notice-who").inner_text()
    assert "Kallelsen går till 3 mottagare" in who and "1 av dem är kallad som ersättare" in who
    assert "1 kallad person saknar e-postadress och får INTE kallelsen" in who
    assert "Dan Utanpost" in who
    mail_box = page.locator("article.notice-mail").inner_text()
    assert "Länsledningens möte" in mail_box and "Psykisk hälsa – lägesbild" in mail_box
    headers = page.locator("dl.notice-headers").inner_text()
    assert "Kallelse: Länsledningens möte" in headers
    pdf_link = page.get_by_role("link", name=f"dagordning-{timezone.localtime(m.start):%Y-%m-%d}")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert not mail.outbox, "a preview sends nothing"
    look_at(page, shot, "kallelse forhandsgranskning")

    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Skicka kallelsen till 3 mottagare"))
    assert "Kallelsen skickas till 3 mottagare." in _message(page)
    assert sorted(x.to[0] for x in mail.outbox) == [
        "anna.ledamot@exempel.invalid", "bo.berg@exempel.invalid",
        "cilla.dahl@exempel.invalid"]
    state = page.locator("#notice-state").inner_text()
    assert f"Kallelsen skickades {plain_date(timezone.now())} till 3 mottagare." in state
    assert page.get_by_role("link", name="Förhandsgranska och skicka").count() == 0
    look_at(page, shot, "mote kallelse skickad")
    # A second send (an old tab, the back button) is refused.
    token = page.evaluate("() => document.cookie.match(/csrftoken=([^;]+)/)?.[1] || ''")
    again = page.request.post(f"/moten/{m.pk}/skicka/", form={"count": "3"},
                              headers={"X-CSRFToken": token, "Referer": page.url})
    assert again.ok
    assert NoticeDelivery.objects.filter(meeting=m).count() == 3

    with clicks.navigation():
        clicks.click(page.get_by_role("link", name="Ändra tid eller plats"))
    page.get_by_label("Börjar").fill("09:30")
    page.get_by_label("Slutar").fill("11:30")
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Spara"))
    assert clicks.count <= NOTICE_TARGET, clicks.log
    assert "Mötet är ändrat. En ändrad kallelse skickas till 3 mottagare." in _message(page)
    assert NoticeDelivery.objects.filter(meeting=m, kind=DeliveryKind.UPDATE).count() == 3
    assert page.get_by_role("link", name="Förhandsgranska och skicka").count() == 0
    shot(page, "mote andrad kallelse skickad 1280")


def test_coordinator_confirms_a_notice_that_cannot_keep_the_notice_period(page, shot):
    """HälSam's notice period is 21 days (the preset); a meeting 8 days ahead shows a
    warning, and the send is refused until the box is checked. Measured: 4 clicks from
    the meeting page (link, send refused, check the box, send)."""
    world = build_world(with_document=False)
    seat = Seat.objects.filter(body__slug="halsam").order_by("key").first()
    place_person(seat=seat, username=None, first="Frida", last="Politiker")
    day = next_weekday(8)
    from governance.models import Body

    m = meetings.meeting_plan(actor=None, body=Body.objects.get(slug="halsam"),
                              start=at(day, 10), end=at(day, 12), place="Sundsvall",
                              title="HälSams möte")
    login(page, world.user("coordinator"), next_path=m.get_absolute_url())
    clicks = Clicks(page)
    with clicks.navigation():
        clicks.click(page.get_by_role("link", name="Förhandsgranska och skicka kallelsen"))
    assert "Kallelsetiden på 21 dagar kan inte hållas" in page.locator("#notice-short").inner_text()
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Skicka kallelsen till 1 mottagare"))
    assert "Bekräfta att kallelsen ska skickas ändå" in page.locator("main").inner_text()
    assert not NoticeDelivery.objects.filter(meeting=m).exists()
    look_at(page, shot, "kallelse kort kallelsetid")
    clicks.check(page.get_by_label("Skicka kallelsen ändå, fast kallelsetiden inte kan hållas"))
    with clicks.navigation():
        clicks.click(page.get_by_role("button", name="Skicka kallelsen till 1 mottagare"))
    assert clicks.count <= 4, clicks.log
    assert "Kallelsen skickas till 1 mottagare." in _message(page)
    assert NoticeDelivery.objects.filter(meeting=m, kind=DeliveryKind.NOTICE).count() == 1
