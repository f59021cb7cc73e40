"""Elections recorded with the meeting and the minutes item that decided them, and the
escalation of an election that did not happen (issue 13 point 3).

H13, seed 000: "Val inför kommande kalenderår sker vid det sista mötet för innevarande år"
(Länsledning, länssamordningsgrupperna). Länsledning's chair: "år 1 har regionen
ordförandeskapet, år 2 en förvaltningschef för socialförvaltning" (H11, alternating
from 2023); 1st vice chair from the organisation that does not chair, 2nd vice chair a
head of a school department (H12).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import checks, digest, election_source
from governance import services as gov
from governance.models import Body, OfficeTerm, Principal, Seat
from meetings import elections, services
from meetings.models import AgendaItem, Election, ElectionTerm
from portal import week

from .builders import at, coordinator_user, load_preset, meeting

pytestmark = pytest.mark.django_db
START = dt.date(2023, 1, 1)


@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")


def _member(seat_key: str, code: str, name: str):
    first, last = name.split(" ")
    p = gov.person_create(actor=None, first_name=first, last_name=last,
                          email=f"{first.lower()}.{last.lower()}@exempel.invalid",
                          principal=Principal.objects.get(code=code))
    gov.membership_start(actor=None, person=p, seat=Seat.objects.get(
        body__slug="lansledning", key=seat_key), start=START)
    return p


@pytest.fixture
def people(halsam):
    """Länsledning's heads: area directors of the region, heads of social services and
    of school departments of the municipalities (H10)."""
    return {
        "reg": _member("omradesdirektorer", "R22", "Rut Region"),
        "reg2": _member("omradesdirektorer", "R22", "Rolf Regionsson"),
        "soc": _member("fc-socialforvaltning-sundsvall", "2281", "Sara Socialchef"),
        "school": _member("fc-skolforvaltning-timra", "2262", "Stig Skolchef"),
    }


def _year_meetings(year: int) -> tuple:
    """Länsledning's meetings of ``year``: the last one (9 December) carries the election
    item for the next year (H13)."""
    meeting("lansledning", f"{year}-05-12")
    last = meeting("lansledning", f"{year}-12-09")
    item = AgendaItem.objects.get(meeting=last, election_for_year=year + 1)
    return last, item


def _status(on: dt.date) -> checks.BodyStatus:
    return next(s for s in checks.body_statuses(on=on, structure_slug="halsam-vasternorrland")
                if s.body.slug == "lansledning")


def _elections(status: checks.BodyStatus) -> list[checks.Finding]:
    return [f for f in status.findings if f.kind == "election_due"]


@pytest.fixture
def before_the_meeting(monkeypatch):
    """Let "now" be a given moment (the service refuses an election before its meeting)."""
    from django.utils import timezone

    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)
    return set_now


# --- escalation ------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [2024, 2025, 2026, 2029])
def test_h13_election_due_at_the_last_meeting_then_an_error_once_it_has_passed(people, year):
    """H13 "vid det sista mötet för innevarande år": before the year's last meeting the
    election is a warning due on that meeting's day (not 31 December); the day after, with
    nobody recorded for the next year, it is an error naming the meeting."""
    last, item = _year_meetings(year)
    [before] = _elections(_status(dt.date(year, 11, 20)))
    assert before.severity == "warning" and before.due == dt.date(year, 12, 9)
    assert before.rule == "H13"
    [on_the_day] = _elections(_status(dt.date(year, 12, 9)))
    assert on_the_day.severity == "warning"
    status = _status(dt.date(year, 12, 10))
    [after] = _elections(status)
    assert after.severity == "error" and after.key.endswith(":overdue")
    assert "should have taken place at the meeting on 9 December" in after.message
    assert "(H13, seed 000)" in after.message and str(year + 1) in after.message
    assert status.election_meeting.url == elections.election_url(last.pk, item.pk)
    # Holders recorded for the next year (however) end the finding.
    chair = people["reg"] if (year + 1 - 2023) % 2 == 0 else people["soc"]
    gov.office_term_record(actor=None, body=last.body, office="chair", person=chair,
                           start=dt.date(year + 1, 1, 1), end=dt.date(year + 1, 12, 31))
    assert not _elections(_status(dt.date(year, 12, 10)))


def test_h13_a_cancelled_last_meeting_moves_the_due_date_to_the_one_before(people):
    """The election item follows the last meeting that takes place (H13)."""
    meeting("lansledning", "2025-05-12")
    autumn = meeting("lansledning", "2025-10-15")
    last = meeting("lansledning", "2025-12-09")
    services.meeting_cancel(actor=None, meeting=last, reason="Inställt")
    [finding] = _elections(_status(dt.date(2025, 10, 1)))
    assert finding.due == dt.date(2025, 10, 15)
    assert AgendaItem.objects.filter(meeting=autumn, election_for_year=2026).exists()
    [finding] = _elections(_status(dt.date(2025, 10, 16)))
    assert finding.severity == "error"


def test_h13_without_meetings_the_election_is_due_by_31_december(people):
    """No meeting planned in the year: the rule's own date, 31 December, a warning."""
    [finding] = _elections(_status(dt.date(2026, 12, 20)))
    assert finding.due == dt.date(2026, 12, 31) and finding.severity == "warning"


def test_h13_overdue_election_is_in_the_digest_and_on_the_dashboard(people, settings):
    """The escalation reaches the coordinator: the weekly digest mails it (a new finding,
    even though the warning was mailed before) and "Min vecka" lists it as overdue with
    the link to record the election at the meeting."""
    settings.LANGUAGE_CODE = "en"
    last, item = _year_meetings(2025)
    coordinator = coordinator_user()
    coordinator.email = "samordnare@exempel.invalid"
    coordinator.save()
    digest.digest_send(on=dt.date(2025, 11, 24))
    assert "due by 9 December 2025" in mail.outbox[-1].body
    sent = len(mail.outbox)
    digest.digest_send(on=dt.date(2025, 12, 15))
    assert len(mail.outbox) == sent + 1
    assert "should have taken place at the meeting on 9 December 2025" in mail.outbox[-1].body

    page = week.week_page(now=at("2025-12-15", 9))
    entries = [e for g in page.groups if g.body.slug == "lansledning" for e in g.entries
               if e.section == "followups" and "2026" in e.title]
    assert [e.status.code for e in entries] == ["overdue"]
    assert entries[0].action_url == elections.election_url(last.pk, item.pk)
    assert "9 December 2025" in entries[0].detail


def test_h13_rotation_check_exits_1_once_the_last_meeting_passed(people, monkeypatch, capsys):
    from django.core.management import call_command

    import governance.management.commands.rotation as rotation_command

    _year_meetings(2025)
    monkeypatch.setattr(rotation_command.timezone, "localdate", lambda: dt.date(2025, 12, 10))
    with pytest.raises(SystemExit) as exc:
        call_command("rotation", "--check", "--structure", "halsam-vasternorrland")
    assert exc.value.code == 1
    assert "should have taken place" in capsys.readouterr().out


# --- recording ---------------------------------------------------------------------------------

def test_h13_recorded_election_links_meeting_item_terms_and_minutes(people):
    """The service records the terms of the next year, the election with its meeting and
    item, and the minutes item's decision; history says who and why."""
    last, item = _year_meetings(2025)
    user = coordinator_user()
    # 2026 is year 4 from 2023: a head of social services chairs (H11).
    holders = [elections.Elected("chair", people["soc"]),
               elections.Elected("vice_chair", people["reg"]),
               elections.Elected("second_vice_chair", people["school"])]
    election = elections.election_record(actor=user, item=item, holders=holders,
                                         reason="Valberedningens förslag", note="Enhälligt")
    assert (election.meeting, election.agenda_item, election.decided_on) == (
        last, item, dt.date(2025, 12, 9))
    assert (election.period_start, election.period_end) == (dt.date(2026, 1, 1),
                                                            dt.date(2026, 12, 31))
    terms = OfficeTerm.objects.filter(pk__in=ElectionTerm.objects.filter(
        election=election).values("office_term"))
    assert {(t.office, t.person, t.start, t.end) for t in terms} == {
        (h.office, h.person, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) for h in holders}
    item.refresh_from_db()
    assert "Sara Socialchef" in item.decision and "2026" in item.decision
    record = election.history.get()
    assert record.history_user == user and "Valberedningens förslag" in (
        record.history_change_reason)
    assert "9 December 2025" in terms[0].history.first().history_change_reason
    # A second election for the same period is refused.
    with pytest.raises(Exception, match="already recorded"):
        elections.election_record(actor=user, item=item, holders=holders)


def test_h11_refused_holder_leaves_nothing_half_written(people):
    """A chair from the region in a social services year (H11) is refused with the rule
    named, on the chair's field; nothing of the election is written."""
    _last, item = _year_meetings(2025)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        elections.election_record(actor=None, item=item, holders=[
            elections.Elected("chair", people["reg"]),
            elections.Elected("vice_chair", people["soc"]),
            elections.Elected("second_vice_chair", people["school"])])
    assert "H11" in " ".join(exc.value.message_dict["chair"])
    assert not OfficeTerm.objects.filter(start=dt.date(2026, 1, 1)).exists()
    assert not Election.objects.exists()


def test_h13_election_cannot_be_recorded_before_its_meeting(people, before_the_meeting):
    _last, item = _year_meetings(2026)
    before_the_meeting(at("2026-12-01", 9))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="has not taken place yet"):
        elections.election_record(actor=None, item=item, holders=[
            elections.Elected("chair", people["reg"])])
    before_the_meeting(at("2026-12-09", 16))
    elections.election_record(actor=None, item=item, holders=[
        elections.Elected("chair", people["reg"]),
        elections.Elected("vice_chair", people["soc"]),
        elections.Elected("second_vice_chair", people["school"])])
    assert not _elections(_status(dt.date(2026, 12, 10)))


def _form_data(people: dict, chair: str, vice: str, token: str) -> dict:
    return {"chair": people[chair].pk, "vice_chair": people[vice].pk,
            "second_vice_chair": people["school"].pk, "note": "Enhälligt",
            "reason": "Valet vid årets sista möte", "edit_token": token}


def _token(html: str) -> str:
    return html.split('name="edit_token" value="', 1)[1].split('"', 1)[0]


def test_h13_form_records_the_election_from_the_agenda(client, people):
    """From the agenda's election item the coordinator opens the form (the rule's
    proposals first), a wrong chair is refused on the field, the right ones are recorded;
    the agenda, the meeting page and the body page then show who was elected there."""
    last, item = _year_meetings(2025)
    client.force_login(coordinator_user())
    agenda = client.get(reverse("meetings:agenda", args=[last.pk])).content.decode()
    url = reverse("meetings:election", args=[last.pk, item.pk])
    assert f'href="{url}"' in agenda and "Record the election" in agenda

    html = client.get(url).content.decode()
    chair_select = html.split('name="chair"', 1)[1].split("</select>", 1)[0]
    proposed = chair_select.split("Proposed by the rotation rule", 1)[1].split("</optgroup>")[0]
    assert "Sara Socialchef" in proposed and "Rut Region" not in proposed

    refused = client.post(url, _form_data(people, "reg", "soc", _token(html)))
    assert refused.status_code == 200 and "H11" in refused.content.decode()
    assert not Election.objects.exists() and not OfficeTerm.objects.exists()

    done = client.post(url, _form_data(people, "soc", "reg", _token(html)))
    assert done.status_code == 302
    election = Election.objects.get()
    assert election.note == "Enhälligt" and election.agenda_item == item
    page = client.get(url).content.decode()
    assert "Elected for 2026" in page and "Stig Skolchef" in page
    agenda = client.get(reverse("meetings:agenda", args=[last.pk])).content.decode()
    assert "Elected:" in agenda and "Sara Socialchef" in agenda
    detail = client.get(last.get_absolute_url()).content.decode()
    assert "The recorded election" in detail
    # The body page (today 2026: the 2026 holders are in office) names the meeting.
    body = client.get(Body.objects.get(slug="lansledning").get_absolute_url()).content.decode()
    assert "Elected at the meeting on 9 December 2025" in body and f'href="{url}"' in body


def test_h13_form_refuses_a_stale_save(client, people):
    """Someone changed the election item's decision after the form was opened: the save
    is refused as a stale edit (issue 12 §1), nothing written."""
    last, item = _year_meetings(2025)
    client.force_login(coordinator_user())
    url = reverse("meetings:election", args=[last.pk, item.pk])
    token = _token(client.get(url).content.decode())
    services.agenda_item_update(actor=None, item=item, changes={"decision": "Bordlagt."})
    response = client.post(url, _form_data(people, "soc", "reg", token))
    assert response.status_code == 200 and "while you were editing" in (
        response.content.decode())
    assert not Election.objects.exists()


def test_h13_election_page_is_for_editors_and_readable_once_recorded(client, people):
    last, item = _year_meetings(2025)
    url = reverse("meetings:election", args=[last.pk, item.pk])
    member = User.objects.create_user("ledamot", password="x-secret-1")
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200 and 'name="chair"' not in response.content.decode()
    assert client.post(url, {"chair": people["soc"].pk}).status_code == 200
    assert not Election.objects.exists()


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_h13_election_pages_query_count_does_not_grow(client, people):
    """The form, the agenda and the recorded election: the same number of queries with
    four members as with fourteen more."""
    last, item = _year_meetings(2025)
    client.force_login(coordinator_user())
    url = reverse("meetings:election", args=[last.pk, item.pk])
    agenda = reverse("meetings:agenda", args=[last.pk])
    _count(client, url)
    few = _count(client, url), _count(client, agenda)
    for n, seat in enumerate(Seat.objects.filter(body__slug="lansledning",
                                                  key__startswith="fc-s").exclude(
            key__in=["fc-socialforvaltning-sundsvall", "fc-skolforvaltning-timra"])
            .select_related("principal")[:12]):
        _member(seat.key, seat.principal.code, f"Extra Person{n}")
    assert (_count(client, url), _count(client, agenda)) == few
    elections.election_record(actor=None, item=item, holders=[
        elections.Elected("chair", people["soc"]),
        elections.Elected("vice_chair", people["reg"]),
        elections.Elected("second_vice_chair", people["school"])])
    _count(client, url)
    once = _count(client, url), _count(client, agenda)
    gov.office_term_record(actor=None, body=last.body, office="chair", person=people["reg2"],
                           start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    assert (_count(client, url), _count(client, agenda)) == once


def test_h13_checks_ask_the_meetings_in_one_query(people, django_assert_max_num_queries):
    """The election meetings of every body come from one batched query, and the checks'
    query count does not grow with the bodies' meetings."""
    _year_meetings(2025)
    with CaptureQueriesContext(connection) as ctx:
        checks.body_statuses(on=dt.date(2025, 12, 10))
    for slug in ("lansamordning-vuxna", "lansamordning-aldre", "lansamordning-barn-och-unga"):
        meeting(slug, "2025-06-10")
        meeting(slug, "2025-12-03")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        statuses = checks.body_statuses(on=dt.date(2025, 12, 10))
    overdue = {s.body.slug for s in statuses for f in s.findings
               if f.kind == "election_due" and f.severity == "error"}
    assert {"lansledning", "lansamordning-vuxna", "lansamordning-aldre",
            "lansamordning-barn-och-unga"} <= overdue
    with django_assert_max_num_queries(1):
        election_source.election_meetings({(s.body.pk, 2025) for s in statuses})


def test_h13_a_recorded_election_keeps_its_item_when_a_later_meeting_is_planned(
        people, before_the_meeting):
    """The meeting took place (not yet marked held) and its election is recorded; a meeting
    planned later in the year does not take the election item away (H13: the election
    happened there)."""
    last, item = _year_meetings(2026)
    before_the_meeting(at("2026-12-09", 16))
    elections.election_record(actor=None, item=item, holders=[
        elections.Elected("chair", people["reg"]),
        elections.Elected("vice_chair", people["soc"]),
        elections.Elected("second_vice_chair", people["school"])])
    meeting("lansledning", "2026-12-17")
    item.refresh_from_db()
    assert item.meeting == last and Election.objects.get().agenda_item == item
