"""Minutes: draft → with the checkers → approved (by a chosen checker: who, when) →
published; forbidden steps are refused with a message keyed by field; history kept."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import MeetingStatus, Minutes, MinutesStatus

from .builders import load_preset, meeting, person, place, seat

pytestmark = pytest.mark.django_db

@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")



@pytest.fixture
def held(halsam):
    """A Länsledning meeting last week with two members; minutes started."""
    a, b = person("sundsvall"), person("timra")
    place(a, seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    place(b, seat("lansledning", "timra", "fc-skolforvaltning"))
    m = meeting("lansledning", dt.date.today() - dt.timedelta(days=7))
    # The checkers are chosen among those present (issue 11): both came.
    services.attendance_record(actor=None, meeting=m, attended={a.pk: True, b.pk: True})
    minutes = services.minutes_create(actor=None, meeting=m)
    return {"meeting": m, "minutes": minutes, "a": a, "b": b}


def status_of(minutes) -> str:
    return Minutes.objects.get(pk=minutes.pk).status


def test_minutes_full_workflow(held):
    m, minutes, a = held["meeting"], held["minutes"], held["a"]
    m.refresh_from_db()
    assert m.status == MeetingStatus.HELD and minutes.status == MinutesStatus.DRAFT
    services.minutes_update(actor=None, minutes=minutes, checkers=[a], summary="Kort.")
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    assert status_of(minutes) == MinutesStatus.WITH_CHECKERS
    approved = services.minutes_approve(actor=None, minutes=minutes, checker=a)
    assert approved.approved_by == a and approved.approved_at is not None
    m.refresh_from_db()
    assert m.status == MeetingStatus.MINUTES_APPROVED
    published = services.minutes_publish(actor=None, minutes=minutes)
    assert published.status == MinutesStatus.PUBLISHED and published.published_at
    m.refresh_from_db()
    assert m.status == MeetingStatus.MINUTES_PUBLISHED
    reasons = list(Minutes.history.filter(id=minutes.pk).order_by("history_date")
                   .values_list("status", flat=True))
    assert reasons == ["draft", "draft", "with_checkers", "approved", "published"]


def test_only_a_chosen_checker_approves(held):
    minutes, a, b = held["minutes"], held["a"], held["b"]
    services.minutes_update(actor=None, minutes=minutes, checkers=[a])
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    with pytest.raises(ValidationError) as exc:
        services.minutes_approve(actor=None, minutes=minutes, checker=b)
    assert "checker" in exc.value.message_dict
    assert "Only a chosen minute checker" in exc.value.message_dict["checker"][0]
    assert status_of(minutes) == MinutesStatus.WITH_CHECKERS


@pytest.mark.parametrize("step", ["approve", "publish"])
def test_draft_cannot_skip_the_checkers(held, step):
    minutes, a = held["minutes"], held["a"]
    services.minutes_update(actor=None, minutes=minutes, checkers=[a])
    with pytest.raises(ValidationError) as exc:
        if step == "approve":
            services.minutes_approve(actor=None, minutes=minutes, checker=a)
        else:
            services.minutes_publish(actor=None, minutes=minutes)
    assert "status" in exc.value.message_dict
    assert "cannot become" in exc.value.message_dict["status"][0]
    assert status_of(minutes) == MinutesStatus.DRAFT


def test_sending_needs_a_checker(held):
    with pytest.raises(ValidationError) as exc:
        services.minutes_send_to_checkers(actor=None, minutes=held["minutes"])
    assert "checkers" in exc.value.message_dict
    assert status_of(held["minutes"]) == MinutesStatus.DRAFT


def test_checkers_must_be_called_to_the_meeting(held):
    outsider = person("kramfors")
    with pytest.raises(ValidationError) as exc:
        services.minutes_update(actor=None, minutes=held["minutes"], checkers=[outsider])
    assert "checkers" in exc.value.message_dict


def test_returned_minutes_go_back_to_draft_and_approved_ones_are_locked(held):
    minutes, a = held["minutes"], held["a"]
    services.minutes_update(actor=None, minutes=minutes, checkers=[a])
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    services.minutes_return(actor=None, minutes=minutes)
    assert status_of(minutes) == MinutesStatus.DRAFT
    services.minutes_send_to_checkers(actor=None, minutes=minutes)
    services.minutes_approve(actor=None, minutes=minutes, checker=a)
    with pytest.raises(ValidationError):
        services.minutes_update(actor=None, minutes=minutes, summary="Ändrat i efterhand")
    item = services.agenda_item_add(actor=None, meeting=held["meeting"], title="Övrigt")
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_update(actor=None, item=item, changes={"notes": "sent"})
    assert "notes" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.minutes_return(actor=None, minutes=minutes)


def test_minutes_only_for_a_meeting_that_took_place(halsam):
    coming = meeting("lansledning", dt.date.today() + dt.timedelta(days=20))
    with pytest.raises(ValidationError):
        services.minutes_create(actor=None, meeting=coming)
    assert not Minutes.objects.exists()


def test_second_minutes_refused(held):
    with pytest.raises(ValidationError):
        services.minutes_create(actor=None, meeting=held["meeting"])
