"""Issue 11, flow 2: the notice preview and its confirmation (H23: the secretary or the
coordinator sends the notices).

The preview shows the e-mail as the real send builds it, the count of recipients and who
lacks an e-mail address; the confirm step sends only with the count the user saw; past
and cancelled meetings are refused; a notice period that cannot be met needs an explicit
confirmation; a second send of the same version is impossible; every automatic send says
what went to how many."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from governance.models import MembershipRole, Seat
from meetings import delivery, emails, notice_preview, services
from meetings.models import DeliveryKind, Meeting, NoticeDelivery
from tests.governance.factories import UserFactory

from .builders import (
    coordinator_user,
    future_day,
    load_preset,
    login_person,
    meeting,
    person,
    place,
    seat,
)

pytestmark = pytest.mark.django_db
SV = {"HTTP_ACCEPT_LANGUAGE": "sv"}


@pytest.fixture(autouse=True)
def _english(settings):
    """Overrides tests/meetings/conftest.py: this module asserts the Swedish texts the
    issue names (the portal's language, and the e-mails')."""
    settings.LANGUAGE_CODE = "sv"
    with translation.override("sv"):
        yield


@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(halsam):
    """Länsledningen (notice period 14 days): two members, a substitute, one member
    without an e-mail address, and a meeting 30 days ahead with an agenda."""
    members = [person("sundsvall", name="Anna Berg"), person("timra", name="Bo Ek")]
    place(members[0], seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    place(members[1], seat("lansledning", "timra", "fc-socialforvaltning"))
    substitute = person("sundsvall", name="Cecilia Dahl")
    sundsvall = seat("lansledning", "sundsvall", "fc-socialforvaltning")
    Seat.objects.filter(body__slug="lansledning").update(substitute_count=1)
    sundsvall.refresh_from_db()
    place(substitute, sundsvall, MembershipRole.SUBSTITUTE)
    no_mail = person("ange", name="Dan Utanpost", email=False)
    place(no_mail, seat("lansledning", "ange", "fc-socialforvaltning"))
    m = meeting("lansledning", future_day(30), title="Länsledningens möte")
    services.agenda_item_add(actor=None, meeting=m, title="Lägesbild psykisk hälsa")
    return {"members": members, "substitute": substitute, "no_mail": no_mail, "meeting": m}


@pytest.fixture
def editor(client):
    user = coordinator_user()
    client.force_login(user)
    return user


def preview_url(m) -> str:
    return reverse("meetings:notice_preview", args=[m.pk])


def send_url(m) -> str:
    return reverse("meetings:notice_send", args=[m.pk])


def texts(response) -> list[str]:
    return [str(x) for x in get_messages(response.wsgi_request)]


def sent(m, kind=None) -> int:
    qs = NoticeDelivery.objects.filter(meeting=m)
    return qs.filter(kind=kind).count() if kind else qs.count()


# --- the preview ------------------------------------------------------------------------

def test_h23_preview_shows_the_email_count_and_who_has_no_address(client, editor, world):
    m = world["meeting"]
    response = client.get(preview_url(m), **SV)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.count == 3 and preview.substitutes == 1
    assert [p.name for p in preview.without_email] == ["Dan Utanpost"]
    html = response.content.decode()
    assert "Förhandsgranska kallelsen" in html
    assert "Kallelsen går till 3 mottagare" in html
    assert "1 kallad person saknar e-postadress och får INTE kallelsen" in html
    assert "Dan Utanpost" in html and "Cecilia Dahl" in html
    assert "Skicka kallelsen till 3 mottagare" in html
    # The e-mail is the one the real send builds (same subject and body).
    first = world["members"][0]
    real = emails.notice_message(meeting=m, person=first, kind=DeliveryKind.NOTICE,
                                 as_substitute=False)
    assert preview.mail.recipient.person == first
    assert preview.mail.subject == real.subject
    assert "Lägesbild psykisk hälsa" in str(preview.mail.html)
    assert preview.mail.text.split("/forhinder/")[0] == real.body.split("/forhinder/")[0]
    assert preview.mail.attachment == emails.agenda_pdf_filename(m)
    assert f'href="/moten/{m.pk}/kallelse/dagordning.pdf"' in html
    # The preview's absence link is no credential.
    assert "/forhinder/forhandsvisning/" in str(preview.mail.html)
    assert sent(m) == 0, "a preview sends nothing"


def test_preview_as_a_substitute_shows_the_substitute_notice(client, editor, world):
    m, sub = world["meeting"], world["substitute"]
    response = client.get(preview_url(m), {"som": sub.pk}, **SV)
    mail = response.context["preview"].mail
    assert mail.recipient.person == sub and mail.recipient.as_substitute
    assert "ersättare" in str(mail.html)


def test_agenda_pdf_of_the_notice_is_served_to_editors(client, editor, world):
    response = client.get(reverse("meetings:notice_agenda_pdf", args=[world["meeting"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_preview_and_pdf_are_for_coordinators_and_secretaries(client, world):
    m = world["meeting"]
    for url in (preview_url(m), reverse("meetings:notice_agenda_pdf", args=[m.pk])):
        assert client.get(url).status_code == 302  # anonymous: to the login
    member_user = UserFactory(username="ledamot-preview")
    place(person("kramfors", user=member_user), seat("lansledning", "kramfors",
                                                    "fc-socialforvaltning"))
    client.force_login(member_user)
    assert client.get(preview_url(m)).status_code == 403
    assert client.post(send_url(m), {"count": 3}).status_code == 403
    assert sent(m) == 0
    secretary = UserFactory(username="sekreterare-preview")
    place(person(None, user=secretary), seat("lansledning", None, "adjungerade"),
          MembershipRole.SECRETARY)
    client.force_login(secretary)
    assert client.get(preview_url(m)).status_code == 200


def test_preview_query_count_does_not_grow_with_recipients(client, editor, world):
    m = world["meeting"]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(preview_url(m)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for slug in ("harnosand", "kramfors", "solleftea", "ornskoldsvik"):
        place(person(slug), seat("lansledning", slug, "fc-socialforvaltning"))
        place(person(slug), seat("lansledning", slug, "fc-socialforvaltning"),
              MembershipRole.SUBSTITUTE)
    assert client.get(preview_url(m)).context["preview"].count == 11
    assert count() == few


# --- the confirm step -------------------------------------------------------------------

def test_h23_send_with_the_count_seen_sends_once_and_says_to_how_many(client, editor, world):
    m = world["meeting"]
    response = client.post(send_url(m), {"count": 3}, **SV)
    assert response.status_code == 302 and response["Location"] == m.get_absolute_url()
    assert "Kallelsen skickas till 3 mottagare." in texts(response)
    assert sent(m, DeliveryKind.NOTICE) == 3
    m.refresh_from_db()
    assert m.notice_sent_sequence == m.sequence
    # The page now says when and to how many, with no send button.
    html = client.get(m.get_absolute_url(), **SV).content.decode()
    day = notice_preview.plain_date(timezone.now())
    assert f"Kallelsen skickades {day} till 3 mottagare." in html
    assert preview_url(m) not in html and send_url(m) not in html
    # A second POST (a double click, the back button) is refused and sends nothing.
    again = client.post(send_url(m), {"count": 3}, **SV)
    assert again.status_code == 302
    assert any("skickades redan" in t or "inget skickades igen" in t for t in texts(again))
    assert sent(m) == 3
    # The preview says the same instead of offering a send.
    html = client.get(preview_url(m), **SV).content.decode()
    assert "inget skickades igen" in html and send_url(m) not in html


def test_changed_count_shows_the_preview_again(client, editor, world):
    m = world["meeting"]
    seen = client.get(preview_url(m)).context["preview"].count
    late = person("kramfors", name="Eva Sen")
    place(late, seat("lansledning", "kramfors", "fc-socialforvaltning"))
    response = client.post(send_url(m), {"count": seen}, **SV)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Antalet mottagare har ändrats sedan förhandsgranskningen: nu 4 mottagare i stället " \
           "för 3" in html
    assert response.context["form"].initial["count"] == 4 and "Eva Sen" in html
    assert sent(m) == 0
    assert client.post(send_url(m), {"count": 4}).status_code == 302
    assert sent(m) == 4


def test_post_without_a_count_sends_nothing_and_shows_the_preview(client, editor, world):
    m = world["meeting"]
    response = client.post(send_url(m))
    assert response.status_code == 302 and response["Location"] == preview_url(m)
    assert sent(m) == 0


def test_past_and_cancelled_meetings_are_refused(client, editor, world):
    past = meeting("lansledning", timezone.localdate() - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        services.meeting_notice_send(actor=None, meeting=past)
    assert "status" in exc.value.message_dict
    response = client.post(send_url(past), {"count": 3}, **SV)
    assert any("ingen kallelse skickas för ett möte som har börjat" in t
               for t in texts(response))
    html = client.get(preview_url(past), **SV).content.decode()
    assert "ingen kallelse skickas" in html and send_url(past) not in html

    cancelled = meeting("lansledning", future_day(40))
    services.meeting_cancel(actor=None, meeting=cancelled, reason="Krock")
    with pytest.raises(ValidationError) as exc:
        services.meeting_notice_send(actor=None, meeting=cancelled)
    assert "Mötet är inställt" in " ".join(exc.value.messages) or "cancelled" in " ".join(
        exc.value.messages)
    assert not NoticeDelivery.objects.filter(meeting__in=[past, cancelled]).exists()


# --- the notice period ------------------------------------------------------------------

def test_short_notice_needs_an_explicit_confirmation(client, editor, world):
    """HälSam's notice period is 21 days (the preset); a meeting 10 days ahead cannot keep
    it. Länsledningen has none in the preset and gets the default 14."""
    member = person("sundsvall", name="Frida Politiker")
    place(member, seat("halsam", "sundsvall"))
    m = meeting("halsam", future_day(10))
    assert m.body.notice_days == 21 and world["meeting"].body.notice_days == 14
    html = client.get(preview_url(m), **SV).content.decode()
    assert "Kallelsetiden på 21 dagar kan inte hållas" in html
    assert 'name="short_notice_confirmed"' in html
    response = client.post(send_url(m), {"count": 1}, **SV)
    assert response.status_code == 400
    assert "Bekräfta att kallelsen ska skickas ändå" in response.content.decode()
    assert sent(m) == 0
    response = client.post(send_url(m), {"count": 1, "short_notice_confirmed": "on"}, **SV)
    assert response.status_code == 302 and sent(m, DeliveryKind.NOTICE) == 1


def test_no_warning_when_the_period_can_be_met(client, editor, world):
    html = client.get(preview_url(world["meeting"]), **SV).content.decode()
    assert "kan inte hållas" not in html and 'name="short_notice_confirmed"' not in html
    m = meeting("lansledning", future_day(10))  # 14-day default period
    assert client.get(preview_url(m)).context["preview"].short_notice


def test_service_refuses_short_notice_unless_confirmed(world):
    m = meeting("lansledning", future_day(5))
    with pytest.raises(ValidationError) as exc:
        services.meeting_notice_send(actor=None, meeting=m, short_notice_confirmed=False)
    assert "short_notice_confirmed" in exc.value.message_dict
    assert services.meeting_notice_send(actor=None, meeting=m, short_notice_confirmed=True) == 3


# --- buttons and automatic sends ---------------------------------------------------------

def test_buttons_reflect_what_has_been_sent(client, editor, world):
    m = world["meeting"]
    html = client.get(m.get_absolute_url(), **SV).content.decode()
    assert "Förhandsgranska och skicka kallelsen" in html
    services.meeting_notice_send(actor=None, meeting=m)
    html = client.get(m.get_absolute_url(), **SV).content.decode()
    assert "Förhandsgranska och skicka" not in html and "Kallelse skickad" in html
    # The agenda changes after the notice: a changed notice is offered, once.
    services.agenda_item_add(actor=None, meeting=m, title="Nytt ärende")
    html = client.get(m.get_absolute_url(), **SV).content.decode()
    assert "Förhandsgranska och skicka den ändrade kallelsen" in html
    response = client.get(preview_url(m), **SV)
    assert response.context["is_update"]
    assert "Skicka den ändrade kallelsen till 3 mottagare" in response.content.decode()
    response = client.post(send_url(m), {"count": 3}, **SV)
    assert "En ändrad kallelse skickas till 3 mottagare." in texts(response)
    assert sent(m, DeliveryKind.UPDATE) == 3
    html = client.get(m.get_absolute_url(), **SV).content.decode()
    assert "Förhandsgranska och skicka" not in html


def _edit_data(m: Meeting, **changes) -> dict:
    local = timezone.localtime(m.start)
    data = {"title": m.title, "day": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "end_time": timezone.localtime(m.end).strftime("%H:%M"), "kind": m.kind,
            "place": m.place, "video_url": m.video_url, "is_public": "on"}
    data.update(changes)
    return data


def test_changing_the_time_says_the_changed_notice_goes_to_how_many(client, editor, world):
    m = world["meeting"]
    edit = reverse("meetings:edit", args=[m.pk])
    response = client.post(edit, _edit_data(m, start_time="09:00", end_time="11:00"), **SV)
    assert response.status_code == 302
    assert any("Ingen kallelse har skickats ännu, så inget meddelande gick ut" in t
               for t in texts(response))
    assert sent(m) == 0
    services.meeting_notice_send(actor=None, meeting=m)
    m.refresh_from_db()
    response = client.post(edit, _edit_data(m, start_time="10:00", end_time="12:00"), **SV)
    assert "Mötet är ändrat. En ändrad kallelse skickas till 3 mottagare." in texts(response)
    assert sent(m, DeliveryKind.UPDATE) == 3
    html = client.get(m.get_absolute_url(), **SV).content.decode()
    assert "Förhandsgranska och skicka" not in html, "the update went out: no button"
    # A change that is not in the notice sends nothing, and says so.
    m.refresh_from_db()
    response = client.post(edit, _edit_data(m, is_public=""), **SV)
    assert any("Ändringen ingår inte i kallelsen" in t for t in texts(response))
    assert sent(m) == 6


def test_cancelling_says_whether_a_cancellation_went_out(client, editor, world):
    m = world["meeting"]
    other = meeting("lansledning", future_day(45))
    response = client.post(reverse("meetings:cancel", args=[other.pk]), {"reason": "Krock"},
                           **SV)
    assert ("Mötet är inställt. Ingen kallelse hade skickats, så inget återbud skickades."
            in texts(response))
    services.meeting_notice_send(actor=None, meeting=m)
    response = client.post(reverse("meetings:cancel", args=[m.pk]), {"reason": "Sjukdom"}, **SV)
    assert ("Mötet är inställt. Återbud (inställt möte) skickas till 3 mottagare."
            in texts(response))
    assert sent(m, DeliveryKind.CANCEL) == 3


def test_service_returns_what_was_sent(world):
    m = world["meeting"]
    changed = services.meeting_update(actor=None, meeting=m, changes={"place": "Timrå"})
    assert changed.notified == services.Notified(None, 0, "no_notice_yet")
    services.meeting_notice_send(actor=None, meeting=m)
    changed = services.meeting_update(actor=None, meeting=m, changes={"place": "Härnösand"})
    assert changed.notified == services.Notified("update", 3, "sent")
    cancelled = services.meeting_cancel(actor=None, meeting=m, reason="Krock")
    assert cancelled.notified == services.Notified("cancel", 3, "sent")


def test_the_sender_is_recorded_in_the_history(world):
    m = world["meeting"]
    user = coordinator_user()
    services.meeting_notice_send(actor=user, meeting=m)
    record = m.history.order_by("-history_date").first()
    assert record.history_user == user and record.notice_sent_sequence == 0


def test_recipients_split_matches_the_real_send(world):
    m = world["meeting"]
    called, without = delivery.called_split(m)
    assert [r.person for r in called] == [r.person for r in delivery.recipients(m)]
    assert without == delivery.recipients_without_email(m)


def test_login_person_member_sees_no_notice_controls(client, world):
    m = world["meeting"]
    p = login_person(client, "kramfors")
    place(p, seat("lansledning", "kramfors", "fc-socialforvaltning"))
    html = client.get(m.get_absolute_url(), **SV).content.decode()
    assert preview_url(m) not in html and "notice-state" not in html


def test_the_previews_absence_link_is_refused_gracefully(client, world):
    m = world["meeting"]
    response = client.get(reverse("meetings:absence_link",
                                  kwargs={"pk": m.pk, "token": "forhandsvisning"}))
    assert response.status_code == 400  # "the link is not valid", no absence possible
