"""Issue 12 §1: optimistic concurrency on the meetings' edit forms and admin change forms.

Two people open the same meeting, agenda item or minutes; the first saves; the second's
save is refused with "Changed by X at HH:MM while you were editing" (Swedish: "Ändrat av X
kl. HH:MM medan du redigerade"), their input kept, the other change shown, nothing
overwritten, and the history holds exactly the first change. The minutes form writes only
the fields the user changed, so two people writing different fields both keep theirs.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from halsam.concurrency import StaleEdit, read_token
from meetings import services
from meetings.models import AgendaItem, Meeting, Minutes

from ..concurrency_helpers import admin_post_data, editor_client, post_data

pytestmark = pytest.mark.django_db

STALE = re.compile(r"Changed by Anna Ek at \d\d:\d\d while you were editing")


@pytest.fixture
def two(db):
    """Anna Ek and Bo Berg, both coordinators, each in their own browser."""
    anna, anna_user = editor_client("anna-ek", "Anna", "Ek")
    bo, bo_user = editor_client("bo-berg", "Bo", "Berg")
    return {"anna": anna, "bo": bo, "anna_user": anna_user, "bo_user": bo_user}


@pytest.fixture
def held(make_meeting):
    """A meeting three days ago with minutes started (three agenda items)."""
    m = make_meeting(start=timezone.now().replace(microsecond=0) - dt.timedelta(days=3))
    minutes = services.minutes_create(actor=None, meeting=m)
    return m, minutes


def _text(response) -> str:
    return response.content.decode()


def _changes_by(instance, user) -> int:
    return instance.history.filter(history_user=user).count()


# --- the meeting ------------------------------------------------------------------------

def test_meeting_edit_second_save_is_refused_and_first_kept(make_meeting, two):
    """issue 12 §1: two people change a meeting's place; the second save is refused with
    who and when, the other change is shown, the first is kept, history has only it."""
    meeting = make_meeting()
    url = reverse("meetings:edit", args=[meeting.pk])
    form_a = two["anna"].get(url).context["form"]
    form_b = two["bo"].get(url).context["form"]

    data_a = post_data(form_a) | {"place": "Sundsvalls stadshus"}
    assert two["anna"].post(url, data_a).status_code == 302
    data_b = post_data(form_b) | {"place": "Östersunds rådhus"}
    response = two["bo"].post(url, data_b)

    assert response.status_code == 200
    text = _text(response)
    assert STALE.search(text), text[:3000]
    assert "The other change" in text and "Sundsvalls stadshus" in text
    assert 'value="Östersunds rådhus"' in text  # Bo's input is kept
    meeting.refresh_from_db()
    assert meeting.place == "Sundsvalls stadshus"
    assert _changes_by(meeting, two["anna_user"]) == 1
    assert _changes_by(meeting, two["bo_user"]) == 0

    # Having seen the other change, Bo can save on purpose (the form carries a new token).
    again = post_data(response.context["form"])
    assert two["bo"].post(url, again).status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Östersunds rådhus"


def test_meeting_edit_not_refused_for_a_change_outside_the_form(make_meeting, two):
    """issue 12 §1: a save that raised the version without touching the form's fields
    (the notice sent, here the chair set) does not refuse the edit."""
    meeting = make_meeting()
    url = reverse("meetings:edit", args=[meeting.pk])
    form_b = two["bo"].get(url).context["form"]
    locked = Meeting.objects.get(pk=meeting.pk)
    locked.chair = meeting.people[0]
    locked.save()
    response = two["bo"].post(url, post_data(form_b) | {"place": "Östersunds rådhus"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Östersunds rådhus" and meeting.chair == meeting.people[0]


def test_meeting_edit_with_a_forged_token_gives_a_form_error_not_500(make_meeting, two):
    """issue 12 §1/§6: an altered token is a message on the form, no 500, nothing saved."""
    meeting = make_meeting()
    url = reverse("meetings:edit", args=[meeting.pk])
    data = post_data(two["bo"].get(url).context["form"]) | {"place": "X", "edit_token": "x:y"}
    response = two["bo"].post(url, data)
    assert response.status_code == 200
    assert "too old or incomplete" in _text(response)
    meeting.refresh_from_db()
    assert meeting.place != "X"


# --- an agenda item ----------------------------------------------------------------------

def test_agenda_item_edit_second_save_is_refused(make_meeting, two):
    """issue 12 §1: the agenda item form refuses the second of two saves of the title."""
    meeting = make_meeting()
    item = meeting.items.order_by("position")[1]
    url = reverse("meetings:item_edit", args=[meeting.pk, item.pk])
    form_a = two["anna"].get(url).context["form"]
    form_b = two["bo"].get(url).context["form"]
    assert two["anna"].post(url, post_data(form_a) | {"title": "Lägesbild från Anna"}
                            ).status_code == 302
    response = two["bo"].post(url, post_data(form_b) | {"title": "Lägesbild från Bo"})
    assert response.status_code == 200
    assert STALE.search(_text(response))
    assert "Lägesbild från Anna" in _text(response)
    item.refresh_from_db()
    assert item.title == "Lägesbild från Anna"
    assert _changes_by(item, two["anna_user"]) == 1 and _changes_by(item, two["bo_user"]) == 0


def test_agenda_item_edit_survives_a_renumbering(make_meeting, two):
    """issue 12 §1: moving other items raises the version but changes no field of the
    form: the edit is saved."""
    meeting = make_meeting()
    items = list(meeting.items.order_by("position"))
    url = reverse("meetings:item_edit", args=[meeting.pk, items[1].pk])
    form_b = two["bo"].get(url).context["form"]
    services.agenda_item_move(actor=two["anna_user"], item=items[2], direction="up")
    response = two["bo"].post(url, post_data(form_b) | {"title": "Ny rubrik"})
    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=items[1].pk).title == "Ny rubrik"


# --- the minutes -------------------------------------------------------------------------

def test_minutes_different_fields_both_kept(held, two):
    """issue 12 §1: Anna writes a decision, Bo the summary, from the same loaded form:
    both are kept (the minutes form writes only what the user changed)."""
    meeting, minutes = held
    item = meeting.items.order_by("position")[1]
    url = reverse("meetings:minutes", args=[meeting.pk])
    form_a = two["anna"].get(url).context["form"]
    form_b = two["bo"].get(url).context["form"]
    data_a = post_data(form_a) | {f"decision_{item.pk}": "Beslutades att anta planen."}
    assert two["anna"].post(url, data_a).status_code == 302
    data_b = post_data(form_b) | {"summary": "Mötet behandlade lägesbilden."}
    response = two["bo"].post(url, data_b)
    assert response.status_code == 302, _text(response)[:3000]
    item.refresh_from_db()
    minutes = Minutes.objects.get(pk=minutes.pk)
    assert item.decision == "Beslutades att anta planen."
    assert minutes.summary == "Mötet behandlade lägesbilden."
    # Bo's save did not write the item at all.
    assert _changes_by(item, two["bo_user"]) == 0
    assert _changes_by(minutes, two["anna_user"]) == 0


def test_minutes_same_field_refused_and_first_kept(held, two):
    """issue 12 §1 (the probe's lost update): both write the same decision; the second is
    refused with who and when and the other decision shown; Anna's decision stays and the
    item's history has exactly her change."""
    meeting, _minutes = held
    item = meeting.items.order_by("position")[1]
    url = reverse("meetings:minutes", args=[meeting.pk])
    form_a = two["anna"].get(url).context["form"]
    form_b = two["bo"].get(url).context["form"]
    before = item.history.count()
    assert two["anna"].post(url, post_data(form_a) | {
        f"decision_{item.pk}": "Beslutades att anta planen."}).status_code == 302
    response = two["bo"].post(url, post_data(form_b) | {
        f"decision_{item.pk}": "Beslutades att avslå planen.",
        "summary": "Bos sammanfattning."})
    assert response.status_code == 200
    text = _text(response)
    assert STALE.search(text)
    assert "Beslutades att anta planen." in text  # the other change
    assert "Beslutades att avslå planen." in text  # Bo's input kept
    item.refresh_from_db()
    assert item.decision == "Beslutades att anta planen."
    assert item.history.count() == before + 1
    assert item.history.latest().history_user == two["anna_user"]
    # All or nothing: Bo's summary was not saved either.
    assert Minutes.objects.get(meeting=meeting).summary == ""


def test_minutes_summary_both_changed_refused(held, two):
    """issue 12 §1: the summary written by both: the second is refused."""
    meeting, minutes = held
    url = reverse("meetings:minutes", args=[meeting.pk])
    form_a = two["anna"].get(url).context["form"]
    form_b = two["bo"].get(url).context["form"]
    assert two["anna"].post(url, post_data(form_a) | {"summary": "Annas."}).status_code == 302
    response = two["bo"].post(url, post_data(form_b) | {"summary": "Bos."})
    assert response.status_code == 200 and STALE.search(_text(response))
    assert Minutes.objects.get(pk=minutes.pk).summary == "Annas."


def test_minutes_update_service_checks_under_lock(held):
    """issue 12 §1: the service itself refuses a stale save (not only the view)."""
    meeting, minutes = held
    from halsam.concurrency import edit_token

    token = read_token(edit_token(minutes, ("summary", "checkers")), minutes)
    services.minutes_update(actor=None, minutes=minutes, summary="Först.")
    with pytest.raises(StaleEdit) as exc:
        services.minutes_update(actor=None, minutes=minutes, summary="Sen.", seen=token)
    assert exc.value.code == "stale"
    assert [c.value for c in exc.value.changes] == ["Först."]
    assert Minutes.objects.get(pk=minutes.pk).summary == "Först."


# --- the admin ---------------------------------------------------------------------------

@pytest.fixture
def admins(db):
    anna, anna_user = editor_client("anna-admin", "Anna", "Ek", superuser=True)
    bo, bo_user = editor_client("bo-admin", "Bo", "Berg", superuser=True)
    return {"anna": anna, "bo": bo, "anna_user": anna_user, "bo_user": bo_user}


def _admin_race(admins, url: str, field: str, value_a: str, value_b: str):
    data_a = admin_post_data(admins["anna"].get(url)) | {field: value_a}
    data_b = admin_post_data(admins["bo"].get(url)) | {field: value_b}
    response_a = admins["anna"].post(url, data_a)
    assert response_a.status_code == 302, _text(response_a)[:3000]
    return admins["bo"].post(url, data_b)


def test_admin_meeting_change_refuses_a_stale_save(make_meeting, admins):
    """issue 12 §1: the admin's meeting change form refuses the second save."""
    meeting = make_meeting()
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    response = _admin_race(admins, url, "place", "Annas lokal", "Bos lokal")
    assert response.status_code == 200
    assert STALE.search(_text(response))
    assert "Annas lokal" in _text(response)
    meeting.refresh_from_db()
    assert meeting.place == "Annas lokal"
    assert _changes_by(meeting, admins["bo_user"]) == 0
    assert _changes_by(meeting, admins["anna_user"]) == 1


def test_admin_minutes_change_refuses_a_stale_save(held, admins):
    """issue 12 §1: the admin's minutes change form refuses the second save."""
    _meeting, minutes = held
    url = reverse("admin:meetings_minutes_change", args=[minutes.pk])
    response = _admin_race(admins, url, "summary", "Annas sammanfattning",
                           "Bos sammanfattning")
    assert response.status_code == 200
    assert STALE.search(_text(response))
    assert Minutes.objects.get(pk=minutes.pk).summary == "Annas sammanfattning"
    assert _changes_by(minutes, admins["bo_user"]) == 0


def test_admin_agenda_item_change_refuses_a_stale_save(make_meeting, admins):
    """issue 12 §1: the admin's agenda item change form refuses the second save."""
    meeting = make_meeting()
    item = meeting.items.first()
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    response = _admin_race(admins, url, "title", "Annas rubrik", "Bos rubrik")
    assert response.status_code == 200 and STALE.search(_text(response))
    assert AgendaItem.objects.get(pk=item.pk).title == "Annas rubrik"


def _inline_prefix(data: dict, item: AgendaItem) -> str:
    return next(key.removesuffix("-id") for key, value in data.items()
                if key.endswith("-id") and value == str(item.pk))


def test_admin_agenda_item_inline_refuses_a_stale_row(make_meeting, admins):
    """issue 12 §1: an agenda item changed in the meeting's admin form (inline) after
    someone else changed it is refused; the other change stays."""
    meeting = make_meeting()
    item = meeting.items.order_by("position")[1]
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data_b = admin_post_data(admins["bo"].get(url))
    services.agenda_item_update(actor=admins["anna_user"], item=item,
                                changes={"title": "Annas rubrik"})
    prefix = _inline_prefix(data_b, item)
    response = admins["bo"].post(url, data_b | {f"{prefix}-title": "Bos rubrik"})
    assert response.status_code == 200
    assert STALE.search(_text(response))
    assert AgendaItem.objects.get(pk=item.pk).title == "Annas rubrik"


def test_admin_meeting_save_does_not_overwrite_an_item_changed_meanwhile(make_meeting, admins):
    """issue 12 §1: Bo's meeting form still holds an item's old title (Django would save
    the row back, as it differs from the saved one): the save is refused, Anna's title
    stays. Rows that nobody changed are saved with the meeting as before."""
    meeting = make_meeting()
    item = meeting.items.order_by("position")[1]
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data_b = admin_post_data(admins["bo"].get(url))
    services.agenda_item_update(actor=admins["anna_user"], item=item,
                                changes={"title": "Annas rubrik"})
    response = admins["bo"].post(url, data_b | {"place": "Bos lokal"})
    assert response.status_code == 200
    assert STALE.search(_text(response))
    assert AgendaItem.objects.get(pk=item.pk).title == "Annas rubrik"
    assert Meeting.objects.get(pk=meeting.pk).place != "Bos lokal"
    # Loaded afresh, the same save goes through and keeps Anna's title.
    fresh = admin_post_data(admins["bo"].get(url))
    assert admins["bo"].post(url, fresh | {"place": "Bos lokal"}).status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).title == "Annas rubrik"
    assert Meeting.objects.get(pk=meeting.pk).place == "Bos lokal"


def test_minutes_checkers_and_summary_from_two_people_both_kept(make_meeting, two):
    """issue 12 §1: Anna chooses the minute checkers, Bo writes the summary from the form
    as loaded (no checkers ticked): both are kept; Bo's save does not untick Anna's."""
    meeting = make_meeting(start=timezone.now().replace(microsecond=0) - dt.timedelta(days=3))
    services.attendance_record(actor=None, meeting=meeting,
                               attended={p.pk: True for p in meeting.people})
    minutes = services.minutes_create(actor=None, meeting=meeting)
    url = reverse("meetings:minutes", args=[meeting.pk])
    form_a = two["anna"].get(url).context["form"]
    form_b = two["bo"].get(url).context["form"]
    chosen = [str(p.pk) for p in meeting.people[:2]]
    assert two["anna"].post(url, post_data(form_a) | {"checkers": chosen}).status_code == 302
    response = two["bo"].post(url, post_data(form_b) | {"summary": "Bos sammanfattning."})
    assert response.status_code == 302, _text(response)[:3000]
    minutes = Minutes.objects.get(pk=minutes.pk)
    assert sorted(str(p.pk) for p in minutes.checkers.all()) == sorted(chosen)
    assert minutes.summary == "Bos sammanfattning."


def test_a_token_of_another_row_is_refused(make_meeting, two):
    """issue 12 §1: a token made for one agenda item does not pass for another."""
    meeting = make_meeting()
    first, second = meeting.items.order_by("position")[:2]
    from halsam.concurrency import edit_token

    url = reverse("meetings:item_edit", args=[meeting.pk, second.pk])
    data = post_data(two["bo"].get(url).context["form"]) | {
        "title": "Annat", "edit_token": edit_token(first, ("title",))}
    response = two["bo"].post(url, data)
    assert response.status_code == 200 and "too old or incomplete" in _text(response)
    assert AgendaItem.objects.get(pk=second.pk).title != "Annat"


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_one_wins_one_is_refused(make_meeting):
    """issue 12 §1, the check under the row lock: two threads save the summary from the
    same token at once. Exactly one is written; the other gets ``StaleEdit`` (PostgreSQL:
    the second waits for the first's lock; SQLite: one writer at a time)."""
    import threading
    import time

    from django.db import connections

    from halsam.concurrency import edit_token

    meeting = make_meeting(start=timezone.now().replace(microsecond=0) - dt.timedelta(days=3))
    minutes = services.minutes_create(actor=None, meeting=meeting)
    token = edit_token(minutes, ("summary", "checkers"))
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(text: str) -> None:
        try:
            barrier.wait(timeout=10)
            for attempt in range(40):
                try:
                    services.minutes_update(actor=None, minutes=minutes, summary=text,
                                            seen=read_token(token, minutes))
                    outcome[text] = "saved"
                    return
                except StaleEdit:
                    outcome[text] = "refused"
                    return
                except Exception as exc:  # SQLite: "database is locked" → try again
                    if "locked" not in str(exc) or attempt == 39:
                        raise
                    time.sleep(0.05)
        except BaseException as exc:  # noqa: BLE001
            outcome[text] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("Annas.", "Bos.")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome.values()) == ["refused", "saved"], outcome
    winner = next(text for text, result in outcome.items() if result == "saved")
    saved = Minutes.objects.get(pk=minutes.pk)
    assert saved.summary == winner
    assert saved.history.filter(summary__in=["Annas.", "Bos."]).count() == 1
