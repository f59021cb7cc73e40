"""Absence (förhinder) and substitutes (V2): the substitute gets the notice at once, the
signed link works once and refuses forged or expired tokens, attendance is recorded."""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import MembershipRole
from meetings import emails, services
from meetings.models import Absence, Attendance, DeliveryKind, MeetingStatus, NoticeDelivery

from .builders import future_day, load_preset, meeting, person, place, seat

pytestmark = pytest.mark.django_db

@pytest.fixture
def vasterbotten(db):
    load_preset("vasterbotten")

SAMRAD = "samrad-vard-och-omsorg"


@pytest.fixture
def umea(vasterbotten):
    """Umeå's seat in Samrådet (2 members + 2 substitutes, V2) and a coming meeting."""
    s = seat(SAMRAD, "umea")
    a, b = person("umea"), person("umea")
    ma, mb = place(a, s), place(b, s)
    named_for_b = person("umea")
    place(named_for_b, s, MembershipRole.SUBSTITUTE, substitute_for=mb)
    free = person("umea")
    place(free, s, MembershipRole.SUBSTITUTE)
    other = person("skelleftea")
    place(other, seat(SAMRAD, "skelleftea"), MembershipRole.SUBSTITUTE)
    m = meeting(SAMRAD, future_day(20))
    return {"seat": s, "a": a, "b": b, "ma": ma, "mb": mb, "named_for_b": named_for_b,
            "free": free, "other": other, "meeting": m}


def calls(meeting) -> list[int]:
    return list(NoticeDelivery.objects.filter(meeting=meeting, kind=DeliveryKind.SUBSTITUTE_CALL)
                .values_list("person_id", flat=True))


def test_v2_the_named_substitute_is_called_in(umea):
    absence = services.absence_report(actor=None, meeting=umea["meeting"], person=umea["b"])
    assert absence.substitute == umea["named_for_b"]
    assert calls(umea["meeting"]) == [umea["named_for_b"].pk]
    delivery = NoticeDelivery.objects.get(meeting=umea["meeting"], person=umea["named_for_b"])
    assert delivery.as_substitute and delivery.email == umea["named_for_b"].email


def test_v2_else_a_substitute_of_the_same_principal_and_seat(umea):
    absence = services.absence_report(actor=None, meeting=umea["meeting"], person=umea["a"])
    # Not Skellefteå's substitute, and the one named for b only when no free one is left.
    assert absence.substitute == umea["free"]
    assert calls(umea["meeting"]) == [umea["free"].pk]
    second = services.absence_report(actor=None, meeting=umea["meeting"], person=umea["b"])
    assert second.substitute == umea["named_for_b"]
    assert sorted(calls(umea["meeting"])) == sorted([umea["free"].pk, umea["named_for_b"].pk])


def test_v2_no_substitute_left_means_no_call(vasterbotten):
    s = seat(SAMRAD, "vindeln")
    alone = person("vindeln")
    place(alone, s)
    m = meeting(SAMRAD, future_day(20))
    absence = services.absence_report(actor=None, meeting=m, person=alone)
    assert absence.substitute is None
    assert calls(m) == []


def test_absence_twice_is_refused(umea):
    services.absence_report(actor=None, meeting=umea["meeting"], person=umea["a"])
    with pytest.raises(ValidationError) as exc:
        services.absence_report(actor=None, meeting=umea["meeting"], person=umea["a"])
    assert "already reported" in " ".join(exc.value.messages)


def test_not_called_person_cannot_report(umea):
    stranger = person("umea")
    with pytest.raises(ValidationError) as exc:
        services.absence_report(actor=None, meeting=umea["meeting"], person=stranger)
    assert "person" in exc.value.message_dict


def test_substitute_call_goes_through_meeting_notify(umea):
    with mock.patch("meetings.delivery.meeting_notify", return_value=1) as notify:
        services.absence_report(actor=None, meeting=umea["meeting"], person=umea["b"])
    notify.assert_called_once()
    assert notify.call_args.kwargs["kind"] == "substitute_call"
    assert list(notify.call_args.kwargs["person_ids"]) == [umea["named_for_b"].pk]


# --- the signed link --------------------------------------------------------------------

def link(meeting, p) -> str:
    return reverse("meetings:absence_link",
                   kwargs={"pk": meeting.pk, "token": emails.absence_token(meeting, p)})


def test_signed_link_get_confirms_post_reports_once(client, umea):
    url = link(umea["meeting"], umea["b"])
    response = client.get(url)
    assert response.status_code == 200
    assert not Absence.objects.exists()  # a GET (a mail scanner) reports nothing
    response = client.post(url)
    assert response.status_code == 200
    absence = Absence.objects.get()
    assert absence.via_link and absence.person == umea["b"]
    assert absence.substitute == umea["named_for_b"]
    assert calls(umea["meeting"]) == [umea["named_for_b"].pk]
    again = client.post(url)
    assert again.status_code == 200
    assert "already reported" in again.content.decode()
    assert Absence.objects.count() == 1 and len(calls(umea["meeting"])) == 1


def test_the_emails_link_without_the_id_works_too(client, umea):
    url = emails.absence_link(umea["meeting"], umea["a"])
    path = url.split("://", 1)[-1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 200
    assert Absence.objects.get().person == umea["a"]


def test_forged_token_refused(client, umea):
    token = emails.absence_token(umea["meeting"], umea["a"])
    value, _sig = token.rsplit(":", 1)
    forged = signing.TimestampSigner(salt="another-salt").sign_object(
        {"m": umea["meeting"].pk, "p": umea["b"].pk})
    for bad in (f"{value}:AAAAAAAAAAAAAAAA", forged, "nonsense"):
        url = reverse("meetings:absence_link", kwargs={"pk": umea["meeting"].pk, "token": bad})
        assert client.post(url).status_code == 400
    assert not Absence.objects.exists()


def test_token_for_another_meeting_id_refused(client, umea):
    other = meeting(SAMRAD, future_day(40))
    url = reverse("meetings:absence_link", kwargs={
        "pk": other.pk, "token": emails.absence_token(umea["meeting"], umea["a"])})
    assert client.post(url).status_code == 400
    assert not Absence.objects.exists()


def test_expired_token_refused_once_the_meeting_started(client, umea):
    m = umea["meeting"]
    url = link(m, umea["a"])
    later = m.start + dt.timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.post(url)
    assert response.status_code == 410
    assert not Absence.objects.exists()


def test_cancelled_meeting_link_refused(client, umea):
    url = link(umea["meeting"], umea["a"])
    services.meeting_cancel(actor=None, meeting=umea["meeting"], reason="Inställt")
    assert client.post(url).status_code == 410


# --- attendance -------------------------------------------------------------------------

def test_attendance_records_substitute_in_place_of(umea):
    m = umea["meeting"]
    services.absence_report(actor=None, meeting=m, person=umea["b"])
    with mock.patch("django.utils.timezone.now", return_value=m.start + dt.timedelta(hours=1)):
        services.attendance_record(actor=None, meeting=m, attended={
            umea["a"].pk: True, umea["b"].pk: False, umea["named_for_b"].pk: True})
    rows = {a.person_id: a for a in Attendance.objects.filter(meeting=m)}
    assert rows[umea["named_for_b"].pk].in_place_of_id == umea["b"].pk
    assert rows[umea["a"].pk].attended and not rows[umea["b"].pk].attended
    m.refresh_from_db()
    assert m.status == MeetingStatus.HELD


def test_attendance_before_the_meeting_refused(umea):
    with pytest.raises(ValidationError):
        services.attendance_record(actor=None, meeting=umea["meeting"],
                                   attended={umea["a"].pk: True})
    assert timezone.now() < umea["meeting"].start
