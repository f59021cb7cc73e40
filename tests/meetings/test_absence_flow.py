"""Absence that is safe (issue 11, flow 3): a confirmation page that says truthfully what
will happen (V2: the named substitute, else one of the same principal, else none), a
comment, "Ångra förhinder" until the meeting starts, the substitute released, the
secretary (or the coordinators) told exactly once, and re-reporting after an undo."""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance.models import MembershipRole, Principal
from meetings import absence_mail, emails, services
from meetings.models import Absence, DeliveryKind, NoticeDelivery
from meetings.selectors import participants
from tests.governance.factories import UserFactory

from .builders import coordinator_user, future_day, load_preset, meeting, person, place, seat

pytestmark = pytest.mark.django_db

SAMRAD = "samrad-vard-och-omsorg"


@pytest.fixture
def vasterbotten(db):
    load_preset("vasterbotten")


def _member(principal: str, name: str):
    """A person with a login (for the member's pages)."""
    user = UserFactory(username=f"u-{name.split()[0].lower()}-{principal}")
    return person(principal, user=user, name=name)


@pytest.fixture
def umea(vasterbotten):
    """Umeå's seat in Samrådet (V2: 2 members + 2 substitutes), a secretary, a meeting."""
    s = seat(SAMRAD, "umea")
    a = _member("umea", "Anna Lindqvist")
    b = _member("umea", "Bertil Öberg")
    ma, mb = place(a, s), place(b, s)
    named_for_b = person("umea", name="Cecilia Named")
    place(named_for_b, s, MembershipRole.SUBSTITUTE, substitute_for=mb)
    free = person("umea", name="David Free")
    place(free, s, MembershipRole.SUBSTITUTE)
    m = meeting(SAMRAD, future_day(20))
    return {"seat": s, "a": a, "b": b, "ma": ma, "mb": mb, "named_for_b": named_for_b,
            "free": free, "meeting": m}


@pytest.fixture
def secretary(umea):
    sec = person("umea", name="Sara Sekreterare")
    place(sec, umea["seat"], MembershipRole.SECRETARY)
    return sec


def deliveries(meeting, kind) -> list[tuple[int, int]]:
    return list(NoticeDelivery.objects.filter(meeting=meeting, kind=kind)
                .order_by("sequence").values_list("person_id", "sequence"))


def page_url(m) -> str:
    return reverse("meetings:absence", kwargs={"pk": m.pk})


def to_secretary(address: str) -> list:
    return [msg for msg in mail.outbox if msg.to == [address] and "Absence" in msg.subject]


# --- the truthful preview: the same code decides ---------------------------------------

def test_v2_preview_names_the_named_substitute_and_the_report_calls_them(client, umea):
    m = umea["meeting"]
    plan = services.absence_preview(meeting=m, person=umea["b"])
    assert plan.outcome == "named" and plan.substitute == umea["named_for_b"]
    client.force_login(umea["b"].user)
    response = client.get(page_url(m))
    assert response.status_code == 200
    assert "Your substitute Cecilia Named will be called in." in response.content.decode()
    assert not Absence.objects.exists()
    response = client.post(page_url(m), {"note": "Krockar med kommunstyrelsen"}, follow=True)
    absence = Absence.objects.get()
    assert absence.substitute == plan.substitute and absence.note == "Krockar med kommunstyrelsen"
    text = response.content.decode()
    assert "Your substitute Cecilia Named has been called in, and the secretary has been told." \
        in text
    assert deliveries(m, DeliveryKind.SUBSTITUTE_CALL) == [(umea["named_for_b"].pk, 0)]


def test_v2_preview_says_a_substitute_of_the_principal_when_none_is_named(client, umea):
    m = umea["meeting"]
    principal = Principal.objects.get(slug="umea").name
    plan = services.absence_preview(meeting=m, person=umea["a"])
    assert plan.outcome == "principal" and plan.principal == principal
    client.force_login(umea["a"].user)
    text = client.get(page_url(m)).content.decode()
    assert f"A substitute from {principal} will be called in." in text
    text = client.post(page_url(m), {"note": ""}, follow=True).content.decode()
    assert f"David Free from {principal} has been called in as your substitute" in text
    assert Absence.objects.get().substitute == plan.substitute == umea["free"]


def test_v2_preview_says_no_substitute_exists_and_the_secretary_is_told(
        client, vasterbotten, django_capture_on_commit_callbacks):
    s = seat(SAMRAD, "vindeln")
    alone = _member("vindeln", "Erik Ensam")
    place(alone, s)
    sec = person("vindeln", name="Siv Sekreterare")
    place(sec, s, MembershipRole.SECRETARY)
    m = meeting(SAMRAD, future_day(20))
    assert services.absence_preview(meeting=m, person=alone).outcome == "none"
    client.force_login(alone.user)
    text = client.get(page_url(m)).content.decode()
    assert ("There is no substitute who can be called in; the secretary will be told that you "
            "are not coming.") in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(m), {"note": "Sjuk"}, follow=True)
    assert "No substitute could be called in; the secretary has been told" in \
        response.content.decode()
    assert deliveries(m, DeliveryKind.SUBSTITUTE_CALL) == []
    (told,) = to_secretary(sec.email)
    assert "without a substitute" in told.subject
    assert "No substitute could be called in" in told.body and "Sjuk" in told.body


def test_a_substitute_without_e_mail_is_named_and_the_secretary_told_to_call_them(
        client, umea, secretary, django_capture_on_commit_callbacks):
    umea["named_for_b"].email = ""
    umea["named_for_b"].save()
    plan = services.absence_preview(meeting=umea["meeting"], person=umea["b"])
    assert plan.outcome == "no_email"
    with django_capture_on_commit_callbacks(execute=True):
        services.absence_report(actor=None, meeting=umea["meeting"], person=umea["b"])
    assert deliveries(umea["meeting"], DeliveryKind.SUBSTITUTE_CALL) == []
    (told,) = to_secretary(secretary.email)
    assert "could not be called in" in told.body and "Cecilia Named" in told.body


# --- the secretary or the coordinators, exactly once -----------------------------------

def test_the_secretary_is_told_once_with_the_comment_and_who_was_called(
        umea, secretary, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        absence = services.absence_report(actor=None, meeting=umea["meeting"], person=umea["b"],
                                          note="Tar gärna del av protokollet")
    (told,) = to_secretary(secretary.email)
    assert "Bertil Öberg" in told.subject
    assert "Tar gärna del av protokollet" in told.body
    assert "Cecilia Named has been called in as substitute" in told.body
    absence.refresh_from_db()
    assert absence.secretary_told_at is not None
    # Again, by the task or the sweep: nothing more.
    assert absence_mail.absence_tell(absence_id=absence.pk) == 0
    later = absence.reported_at + dt.timedelta(hours=1)
    assert absence_mail.absences_sweep(now=later) == 0
    assert len(to_secretary(secretary.email)) == 1


def test_the_coordinators_are_told_where_the_body_has_no_secretary(
        umea, django_capture_on_commit_callbacks):
    coordinator = coordinator_user()
    coordinator.email = "koordinator@exempel.invalid"
    coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.absence_report(actor=None, meeting=umea["meeting"], person=umea["a"])
    assert len(to_secretary(coordinator.email)) == 1


def test_a_failed_telling_is_retried_by_the_sweep_once(umea, secretary):
    with mock.patch("meetings.services._tell_secretary"):  # the task never ran
        absence = services.absence_report(actor=None, meeting=umea["meeting"], person=umea["a"])
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=OSError("mail server down")):
        with pytest.raises(OSError):
            absence_mail.absence_tell(absence_id=absence.pk)
    absence.refresh_from_db()
    assert absence.secretary_told_at is None
    later = absence.reported_at + absence_mail.RETRY_AFTER + dt.timedelta(seconds=1)
    assert absence_mail.absences_sweep(now=later) == 1
    assert absence_mail.absences_sweep(now=later) == 0
    assert len(to_secretary(secretary.email)) == 1


# --- undo and report again --------------------------------------------------------------

def test_undo_releases_the_substitute_and_a_new_report_calls_them_again_once(
        client, umea, secretary, django_capture_on_commit_callbacks):
    m, b, sub = umea["meeting"], umea["b"], umea["named_for_b"]
    client.force_login(b.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(m), {"note": "Första"})
    assert [p.in_place_of for p in participants(m) if p.person == sub] == [b]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:absence_withdraw", kwargs={"pk": m.pk}),
                               follow=True)
    text = response.content.decode()
    assert "is withdrawn and you are expected at the meeting" in text
    assert "Cecilia Named has been told that they are no longer needed" in text
    assert not Absence.objects.exists()
    history = Absence.history.filter(history_type="-").get()
    assert history.history_user == b.user and history.history_change_reason == \
        "Withdrawn by the member"
    assert [p.in_place_of for p in participants(m) if p.person == sub] == [None]
    assert deliveries(m, DeliveryKind.SUBSTITUTE_RELEASE) == [(sub.pk, 0)]
    (release,) = [x for x in mail.outbox if x.to == [sub.email]]
    assert "No longer needed as substitute" in release.subject
    assert "no longer needed as a substitute" in release.body
    assert len([x for x in to_secretary(secretary.email) if "withdrawn" in x.subject]) == 1
    # Reporting again calls the substitute again: a new round, sent exactly once.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(m), {"note": "Ändå inte"})
    assert deliveries(m, DeliveryKind.SUBSTITUTE_CALL) == [(sub.pk, 0), (sub.pk, 1)]
    assert len([x for x in mail.outbox if x.to == [sub.email]]) == 1
    assert Absence.objects.get().note == "Ändå inte"
    assert len(to_secretary(secretary.email)) == 1


def test_undo_twice_says_there_is_nothing_to_undo(client, umea):
    m = umea["meeting"]
    services.absence_report(actor=None, meeting=m, person=umea["b"])
    client.force_login(umea["b"].user)
    url = reverse("meetings:absence_withdraw", kwargs={"pk": m.pk})
    client.post(url)
    response = client.post(url, follow=True)
    assert "has no reported absence from this meeting to withdraw" in response.content.decode()
    assert deliveries(m, DeliveryKind.SUBSTITUTE_RELEASE) == [(umea["named_for_b"].pk, 0)]


def test_no_absence_and_no_undo_once_the_meeting_has_started(client, umea):
    m = umea["meeting"]
    services.absence_report(actor=None, meeting=m, person=umea["b"])
    started = m.start + dt.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=started):
        with pytest.raises(ValidationError) as exc:
            services.absence_report(actor=None, meeting=m, person=umea["a"])
        assert "before the meeting starts" in " ".join(exc.value.messages)
        with pytest.raises(ValidationError):
            services.absence_withdraw(actor=None, meeting=m, person=umea["b"])
        client.force_login(umea["a"].user)
        text = client.get(page_url(m)).content.decode()
        assert "Absence can only be reported before the meeting starts." in text
        assert 'name="note"' not in text
    assert Absence.objects.count() == 1


# --- double clicks and races -----------------------------------------------------------

def test_double_post_gives_one_absence_and_one_call(client, umea):
    m = umea["meeting"]
    client.force_login(umea["b"].user)
    first = client.post(page_url(m), {"note": "x"})
    second = client.post(page_url(m), {"note": "x"}, follow=True)
    assert first.status_code == 302
    assert "has already reported absence" in second.content.decode()
    assert Absence.objects.count() == 1
    assert len(deliveries(m, DeliveryKind.SUBSTITUTE_CALL)) == 1


def test_a_report_that_loses_the_race_is_refused_without_a_second_call(umea):
    """Both requests computed their plan before either saved: the unique constraint
    refuses the second, inside its own transaction, and no second call is claimed."""
    m = umea["meeting"]
    plan = services.absence_preview(meeting=m, person=umea["b"])
    services.absence_report(actor=None, meeting=m, person=umea["b"])
    with mock.patch("meetings.services._absence_plan", return_value=plan):
        with pytest.raises(ValidationError) as exc:
            services.absence_report(actor=None, meeting=m, person=umea["b"])
    assert "already reported" in " ".join(exc.value.messages)
    assert Absence.objects.count() == 1
    assert len(deliveries(m, DeliveryKind.SUBSTITUTE_CALL)) == 1


# --- who may ----------------------------------------------------------------------------

def test_permissions(client, umea, secretary):
    m = umea["meeting"]
    url, undo = page_url(m), reverse("meetings:absence_withdraw", kwargs={"pk": m.pk})
    assert client.get(url).status_code == 302  # anonymous: to the login
    assert "/login/" in client.get(url).headers["Location"]
    outsider = _member("skelleftea", "Olle Utanför")
    place(outsider, seat("lansamverkansgruppen", "skelleftea") or seat(SAMRAD, "skelleftea"))
    client.force_login(outsider.user)
    if outsider.memberships.filter(seat__body__slug=SAMRAD).exists():
        pytest.skip("the outsider found no other body")
    assert client.get(url).status_code == 403
    assert client.post(undo).status_code == 403
    secretary.user = UserFactory(username="sekreteraren")
    secretary.save()
    client.force_login(secretary.user)
    assert client.get(url).status_code == 403  # a secretary has no seat to be absent from
    services.absence_report(actor=None, meeting=m, person=umea["b"])
    client.force_login(umea["a"].user)
    client.post(undo)  # a's undo does not touch b's absence
    assert Absence.objects.get().person == umea["b"]


# --- the signed e-mail link -------------------------------------------------------------

def test_link_previews_reports_with_a_comment_undoes_and_reports_again(
        client, umea, django_capture_on_commit_callbacks):
    m, b = umea["meeting"], umea["b"]
    url = reverse("meetings:absence_link", kwargs={"pk": m.pk,
                                                   "token": emails.absence_token(m, b)})
    text = client.get(url).content.decode()
    assert "Your substitute Cecilia Named will be called in." in text
    assert not Absence.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        text = client.post(url, {"action": "report", "note": "Via länken"}).content.decode()
    assert "Your substitute Cecilia Named has been called in" in text
    absence = Absence.objects.get()
    assert absence.via_link and absence.note == "Via länken"
    with django_capture_on_commit_callbacks(execute=True):
        text = client.post(url, {"action": "withdraw"}).content.decode()
    assert "is withdrawn and you are expected at the meeting" in text
    assert "Cecilia Named will be called in." in text  # ready to report again
    assert not Absence.objects.exists()
    assert Absence.history.filter(history_type="-").get().history_change_reason == \
        "Withdrawn through the e-mail link"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "report", "note": "Igen"})
    assert deliveries(m, DeliveryKind.SUBSTITUTE_CALL) == [(umea["named_for_b"].pk, 0),
                                                           (umea["named_for_b"].pk, 1)]
    assert deliveries(m, DeliveryKind.SUBSTITUTE_RELEASE) == [(umea["named_for_b"].pk, 0)]


# --- Mina sidor and the meeting page ----------------------------------------------------

def test_mina_sidor_and_the_meeting_page_offer_report_then_undo(client, umea):
    m = umea["meeting"]
    client.force_login(umea["b"].user)
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{page_url(m)}?next=' in home
    detail = client.get(m.get_absolute_url()).content.decode()
    assert f'href="{page_url(m)}"' in detail
    services.absence_report(actor=None, meeting=m, person=umea["b"])
    undo = reverse("meetings:absence_withdraw", kwargs={"pk": m.pk})
    home = client.get(reverse("portal:home")).content.decode()
    assert f'action="{undo}"' in home and "You have reported absence." in home
    detail = client.get(m.get_absolute_url()).content.decode()
    assert f'action="{undo}"' in detail
    response = client.post(undo, {"next": "/mina-sidor/#meeting-1-h"})
    assert response.headers["Location"] == "/mina-sidor/#meeting-1-h"
    response = client.post(page_url(m), {"next": "https://evil.example/"})
    assert response.headers["Location"] == m.get_absolute_url()  # only our own pages


# --- queries ----------------------------------------------------------------------------

def test_the_absence_page_queries_do_not_grow_with_the_seat(client, umea,
                                                            django_assert_max_num_queries):
    m = umea["meeting"]
    client.force_login(umea["a"].user)
    client.get(page_url(m))
    with django_assert_max_num_queries(30) as few:
        assert client.get(page_url(m)).status_code == 200
    for n, slug in enumerate(["vindeln", "mala", "lycksele", "storuman"]):
        member, sub = person(slug), person(slug)
        membership = place(member, seat(SAMRAD, slug))
        place(sub, seat(SAMRAD, slug), MembershipRole.SUBSTITUTE, substitute_for=membership)
        if n % 2:
            services.absence_report(actor=None, meeting=m, person=member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page_url(m)).status_code == 200
