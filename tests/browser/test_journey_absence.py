"""Issue 11, flow 3: absence that is safe, as a member makes it in Chromium.

From Mina sidor a member of Samråd för vård och omsorg (Västerbotten, V2: Umeå has two
members and two substitutes) opens "Anmäl förhinder", reads what will happen (her named
substitute is called in), writes a comment and reports; the message says what happened.
Her substitute gets the call and the secretary the comment. She then undoes the absence
("Ångra förhinder"): the substitute is told he is no longer needed.
"""
from __future__ import annotations

from django.core import mail
from django.core.management import call_command

from governance.models import Body, MembershipRole, Seat
from meetings.models import Absence, DeliveryKind, NoticeDelivery

from .clicks import Clicks
from .conftest import login, look_at
from .world import at, next_weekday, place_person

TARGET = 4  # issue 11: ≤ 4 clicks from Mina sidor to a reported absence




def test_member_reports_absence_with_a_comment_from_mina_sidor_and_undoes_it(page, shot):
    """V2: the substitute named for the member is called in, and released on undo.

    Measured: 3 clicks from Mina sidor to a reported absence ("Anmäl förhinder", the
    comment field, "Anmäl förhinder"), and 1 more to undo it ("Ångra förhinder").
    """
    call_command("load_structure", "vasterbotten", verbosity=0)
    body = Body.objects.get(slug="samrad-vard-och-omsorg")
    seat = Seat.objects.get(body=body, key="kommun-umea")
    member = place_person(seat=seat, username="ledamot-umea", first="Ulla", last="Lind")
    substitute = place_person(seat=seat, username=None, first="Sven", last="Berg",
                              role=MembershipRole.SUBSTITUTE, substitute_for=member)
    secretary = place_person(seat=seat, username=None, first="Karin", last="Ek",
                             role=MembershipRole.SECRETARY)
    from meetings import services as meetings

    day = next_weekday(20)
    meeting = meetings.meeting_plan(actor=None, body=body, start=at(day, 9, 30),
                                    end=at(day, 12), place="Region Västerbotten, Umeå",
                                    title="Samråd för vård och omsorg")
    meetings.agenda_item_add(actor=None, meeting=meeting, title="Uppföljning av hemsjukvården")
    mail.outbox.clear()

    login(page, member.person.user, next_path="/mina-sidor/")
    card = page.locator(f"article[aria-labelledby=meeting-{meeting.pk}-h]")
    assert card.is_visible()
    clicks = Clicks(page)

    with clicks.navigation():
        clicks.click(card.get_by_role("link", name="Anmäl förhinder"))
    main = page.locator("main")
    assert "Din ersättare Sven Berg kallas in." in main.inner_text()
    assert not Absence.objects.exists(), "the confirmation page changes nothing"
    look_at(page, shot, "confirmation")

    comment = page.get_by_label("Kommentar (frivillig)")
    clicks.click(comment)
    comment.fill("Krockar med kommunstyrelsen; jag läser handlingarna till punkt 1.")
    with clicks.navigation():
        clicks.click(main.get_by_role("button", name="Anmäl förhinder"))
    assert clicks.count <= TARGET, clicks.log
    assert clicks.count == 3, clicks.log

    assert page.url.split("#")[0].endswith("/mina-sidor/")
    text = page.locator("main").inner_text()
    assert ("Ditt förhinder till Samråd för vård och omsorg är anmält. Din ersättare Sven Berg "
            "har kallats in och sekreteraren har fått veta det.") in text, text
    assert "Du har anmält förhinder." in page.locator(
        f"article[aria-labelledby=meeting-{meeting.pk}-h]").inner_text()
    absence = Absence.objects.get()
    assert absence.person == member.person and absence.substitute == substitute.person
    assert absence.note.startswith("Krockar med kommunstyrelsen")
    called = [m for m in mail.outbox if m.to == [substitute.person.email]]
    assert len(called) == 1 and "Ulla Lind" in called[0].body
    told = [m for m in mail.outbox if m.to == [secretary.person.email]]
    assert len(told) == 1 and "Krockar med kommunstyrelsen" in told[0].body
    assert "Sven Berg" in told[0].body
    look_at(page, shot, "reported")

    mail.outbox.clear()
    card = page.locator(f"article[aria-labelledby=meeting-{meeting.pk}-h]")
    with clicks.navigation():
        clicks.click(card.get_by_role("button", name="Ångra förhinder"))
    text = page.locator("main").inner_text()
    assert "Ditt förhinder till Samråd för vård och omsorg är ångrat och du väntas till mötet." \
        in text, text
    assert "Sven Berg har fått besked om att hen inte längre behövs" in text
    assert not Absence.objects.exists()
    released = [m for m in mail.outbox if m.to == [substitute.person.email]]
    assert len(released) == 1 and "behövs inte längre" in released[0].subject
    assert NoticeDelivery.objects.filter(kind=DeliveryKind.SUBSTITUTE_RELEASE).count() == 1
    assert page.locator(f"article[aria-labelledby=meeting-{meeting.pk}-h]").get_by_role(
        "link", name="Anmäl förhinder").is_visible()
    look_at(page, shot, "undone")
    assert clicks.count == 4, clicks.log
