"""Entry into force (issue 13 point 1) and terms that go on (point 4): H25, J7, H3.

A body is in force from the later of its own start and its structure's; before that (and
after its end) it gives no findings but the reminder of its first election, and takes no
meetings. The political terms go on by the rule after the last one in the preset.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from governance import checks, reminders, rules, services, terms
from governance.models import Body, Principal, Seat, Term
from governance.presets import load_structure
from governance.presets.schema import PresetError
from meetings import selectors
from meetings import services as meeting_services
from meetings.rules import STOCKHOLM

pytestmark = pytest.mark.django_db

HALSAM, JAMTLAND, VASTERBOTTEN = "halsam-vasternorrland", "jamtland-harjedalen", "vasterbotten"


def at(day: str, hour: int = 13) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=STOCKHOLM)


def plan(slug: str, day: str):
    return meeting_services.meeting_plan(actor=None, body=Body.objects.get(slug=slug),
                                         start=at(day), end=at(day, 15), place="Östersund")


@pytest.fixture
def jamtland(db):
    load_structure(JAMTLAND)


@pytest.fixture
def halsam(db):
    load_structure(HALSAM)


# --- in force: the model --------------------------------------------------------------------

def test_j7_body_in_force_from_the_structure_start(jamtland):
    """J7: "Från 2027-01-01 och tillsvidare"."""
    pahsu = Body.objects.select_related("structure").get(slug="pahsu")
    assert pahsu.in_force_from == dt.date(2027, 1, 1)
    assert pahsu.in_force_until is None
    assert not pahsu.is_in_force(dt.date(2026, 12, 31))
    assert pahsu.is_in_force(dt.date(2027, 1, 1))
    assert pahsu.in_force_rule == "J7"
    assert not Body.objects.in_force_on(dt.date(2026, 12, 31)).filter(slug="pahsu").exists()
    assert Body.objects.in_force_on(dt.date(2027, 1, 1)).filter(slug="pahsu").exists()
    assert not Body.objects.in_force_in_year(2026).filter(slug="pahsu").exists()
    assert Body.objects.in_force_in_year(2027).filter(slug="pahsu").exists()


def test_h25_a_body_start_later_than_the_structure_and_its_end(halsam):
    """H25: HälSam from 2023-01-01; a body's own start and end narrow that."""
    body = Body.objects.get(slug="lansamordning-vuxna")
    assert body.in_force_from == dt.date(2023, 1, 1)
    body.starts_on, body.ends_on = dt.date(2028, 1, 1), dt.date(2031, 12, 31)
    body.save()
    assert body.in_force_from == dt.date(2028, 1, 1)
    assert body.in_force_until == dt.date(2031, 12, 31)
    assert [body.is_in_force(dt.date(y, 6, 1)) for y in (2027, 2028, 2031, 2032)] == [
        False, True, True, False]
    in_2032 = Body.objects.in_force_in_year(2032)
    assert not in_2032.filter(pk=body.pk).exists()
    assert in_2032.filter(slug="lansledning").exists()


def test_preset_starts_on_is_read_and_reloading_stays_idempotent(tmp_path, db):
    from governance.presets.loader import PRESET_DIR, load_preset, read_preset

    text = (PRESET_DIR / f"{HALSAM}.yaml").read_text(encoding="utf-8").replace(
        "  - slug: lansamordning-vuxna\n",
        "  - slug: lansamordning-vuxna\n    starts_on: 2028-01-01\n", 1)
    path = tmp_path / "halsam.yaml"
    path.write_text(text, encoding="utf-8")
    load_preset(read_preset(path))
    assert Body.objects.get(slug="lansamordning-vuxna").starts_on == dt.date(2028, 1, 1)
    assert not load_preset(read_preset(path)).changed
    path.write_text(text.replace("starts_on: 2028-01-01",
                                 "starts_on: 2028-01-01\n    ends_on: 2027-12-31"),
                    encoding="utf-8")
    with pytest.raises(PresetError, match=r"ends_on.*before starts_on"):
        read_preset(path)
    path.write_text(text.replace("starts_on: 2028-01-01", "starts_on: soon"), encoding="utf-8")
    with pytest.raises(PresetError, match=r"starts_on"):
        read_preset(path)


# --- before the start: no findings, the first election ----------------------------------

def test_j7_before_2027_only_the_first_election_is_reminded(jamtland):
    """J7 "Från 2027-01-01"; J3 "Ordförandeskapet alternerar mellan RJH och kommunerna":
    with nobody recorded, before the start there is no vacancy, no rule finding and no
    missing office holder, only the reminder to elect PaHSU's and TaHSU's first chairs
    by the day before the start (the rule elects at any time); never an error."""
    assert checks.findings(on=dt.date(2026, 9, 1), structure_slug=JAMTLAND) == []
    found = checks.findings(on=dt.date(2026, 11, 15), structure_slug=JAMTLAND)
    assert sorted((f.kind, f.body_slug, f.severity, f.due) for f in found) == [
        ("election_due", "pahsu", "warning", dt.date(2026, 12, 31)),
        ("election_due", "tahsu", "warning", dt.date(2026, 12, 31))]
    assert "1 januari 2027" in found[0].message and "2027" in found[0].message
    # Once 2027 has begun without chairs, it is the ordinary missing office holder.
    after = checks.findings(on=dt.date(2027, 1, 2), structure_slug=JAMTLAND)
    assert {f.kind for f in after if f.body_slug == "pahsu"} >= {"missing_office_holder"}
    assert "vacancy" in {f.kind for f in after}


def test_j7_rotation_check_exits_0_before_2027_and_1_for_a_wrong_first_chair(jamtland):
    """J7 + J3: `rotation --check --on` before 2027 exits 0; a first chair recorded ahead
    from the wrong side is an error at once."""
    out = io.StringIO()
    call_command("rotation", "--check", "--on", "2026-12-01", "--structure", JAMTLAND,
                 stdout=out)
    assert "0 error(s)" in out.getvalue()
    kommun = Principal.objects.get(code="2380")  # Östersund; 2027 is the region's year
    person = services.person_create(actor=None, first_name="Kim", last_name="Kommun",
                                    principal=kommun)
    services.membership_start(actor=None, person=person,
                              seat=Seat.objects.get(body__slug="pahsu", key="socsam-ostersund"),
                              start=dt.date(2027, 1, 1))
    services.office_term_record(actor=None, body=Body.objects.get(slug="pahsu"),
                                office="chair", person=person, start=dt.date(2027, 1, 1),
                                end=dt.date(2027, 12, 31))
    with pytest.raises(SystemExit) as exit_:
        call_command("rotation", "--check", "--on", "2026-12-01", "--structure", JAMTLAND,
                     stdout=io.StringIO())
    assert exit_.value.code == 1


def test_rotation_on_is_validated_and_sets_the_year(jamtland):
    with pytest.raises(CommandError, match="--on"):
        call_command("rotation", "--check", "--on", "2026-02-30")
    out = io.StringIO()
    call_command("rotation", "tahsu", "--on", "2028-03-01", stdout=out)
    assert "Period 2028" in out.getvalue()


def test_h25_h13_first_election_of_a_body_electing_at_the_last_meeting(halsam):
    """H13 "Val inför kommande kalenderår sker vid det sista mötet för innevarande år":
    a body that does not exist yet has no meeting of its own, so its first election is
    due 31 December of the year before it starts; before the start a warning only."""
    body = Body.objects.get(slug="lansamordning-vuxna")
    body.starts_on = dt.date(2028, 1, 1)
    body.save()
    status = next(s for s in checks.body_statuses(on=dt.date(2027, 11, 1),
                                                  structure_slug=HALSAM)
                  if s.body.slug == body.slug)
    assert status.period is None and status.starts_on == dt.date(2028, 1, 1)
    assert [(f.kind, f.severity, f.due, f.rule) for f in status.findings] == [
        ("election_due", "warning", dt.date(2027, 12, 31), "H13")]
    assert "H13, seed 000" in status.findings[0].message
    vacancies = {r.body_slug for r in reminders.vacancies(on=dt.date(2027, 11, 1))}
    assert body.slug not in vacancies and "lansamordning-aldre" in vacancies


def test_v16_a_rule_starting_after_the_structure_gives_no_rule_error(db):
    """Västerbotten's agreement has no start date (V16 "gäller tills vidare"); its
    rotation starts 2023 (V3): in 2022 that is not an error that "the rule applies from
    2023", only the first election ahead."""
    load_structure(VASTERBOTTEN)
    found = checks.findings(on=dt.date(2022, 12, 1), structure_slug=VASTERBOTTEN)
    assert not [f for f in found if f.severity == "error"]
    assert {f.body_slug for f in found if f.kind == "election_due"} == {
        "samrad-vard-och-omsorg", "lansamverkansgruppen"}


def test_rules_first_period_before_and_after_the_structure_start():
    rule = rules.parse_rotation({"term": {"years": 2, "start_year": 2023},
                                 "cycle": [{"chair": {"principal_kind": "region"}}]})
    # A rule starting before its body runs on: the first period contains the start.
    assert rules.first_period(rule, dt.date(2026, 1, 1)).label == "2025–2026"
    # A rule starting after its body: its own first period.
    assert rules.first_period(rule, dt.date(2020, 1, 1)).label == "2023–2024"
    assert rules.rule_starts(rule, None) == dt.date(2023, 1, 1)


# --- meetings ---------------------------------------------------------------------------

def test_j7_no_meeting_of_pahsu_before_2027(jamtland):
    """J7: a meeting of PaHSU before 2027-01-01 is refused on its start, naming the day
    and the rule; from the start it is accepted."""
    with pytest.raises(ValidationError) as exc:
        plan("pahsu", "2026-11-18")
    message = exc.value.message_dict["start"][0]
    assert "1 januari 2027" in message and "J7, seed 002" in message
    assert plan("pahsu", "2027-01-20").pk


def test_h25_no_meeting_after_a_body_has_ended(halsam):
    body = Body.objects.get(slug="lansamordning-aldre")
    body.ends_on = dt.date(2030, 6, 30)
    body.save()
    with pytest.raises(ValidationError) as exc:
        plan("lansamordning-aldre", "2030-09-10")
    assert "30 juni 2030" in exc.value.message_dict["start"][0]
    assert plan("lansamordning-aldre", "2030-06-10").pk


def test_h25_after_a_body_has_ended_nothing_is_reminded(halsam):
    """A body that has ended has no vacancy, no rule finding and no place "without a
    successor" for the members whose place ended with it."""
    body = Body.objects.get(slug="lansamordning-aldre")
    body.ends_on = dt.date(2030, 6, 30)
    body.save()
    seat = Seat.objects.get(body=body, key="specialister")
    person = services.person_create(actor=None, first_name="Åsa", last_name="Specialist",
                                    principal=Principal.objects.get(code="R22"))
    services.membership_start(actor=None, person=person, seat=seat, start=dt.date(2029, 1, 1),
                              end=dt.date(2030, 6, 30))
    on = dt.date(2030, 9, 1)
    assert not [f for f in checks.findings(on=on, structure_slug=HALSAM)
                if f.body_slug == body.slug]
    assert body.slug in {r.body_slug for r in reminders.vacancies(on=dt.date(2030, 3, 1))}


def test_h25_admin_refuses_a_meeting_before_the_start(halsam, admin_client):
    body = Body.objects.get(slug="lansledning")
    response = admin_client.post("/admin/meetings/meeting/add/", {
        "body": body.pk, "kind": "ordinary", "start_0": "2022-11-16", "start_1": "13:00",
        "end_0": "2022-11-16", "end_1": "15:00", "place": "Sundsvall", "is_public": "on",
        "items-TOTAL_FORMS": 0, "items-INITIAL_FORMS": 0,
        "absences-TOTAL_FORMS": 0, "absences-INITIAL_FORMS": 0})
    assert response.status_code == 200
    assert "1 januari 2023" in response.content.decode()
    assert not body.meetings.exists()


def test_h25_j7_no_missing_meetings_before_the_start(halsam, jamtland):
    """H25 and J7: the yearly plan reports nothing for HälSam in 2022 nor for PaHSU and
    TaHSU in 2026, and does once they are in force."""
    bodies_2022 = {s.body.slug for s in selectors.plan_shortfalls(2022)}
    assert not bodies_2022 & {"halsam", "lansledning", "lansamordning-vuxna"}
    assert selectors.body_plan(Body.objects.get(slug="halsam"), 2022).check.findings == ()
    assert selectors.body_plan(Body.objects.get(slug="pahsu"), 2026).check.findings == ()
    assert {"pahsu", "tahsu"} <= {s.body.slug for s in selectors.plan_shortfalls(2027)}
    assert "lansledning" in {s.body.slug for s in selectors.plan_shortfalls(2023)}


# --- terms that go on (H3) -------------------------------------------------------------

@pytest.mark.parametrize("year", [2026, 2030, 2034])
def test_h3_term_change_reminder_before_every_change(halsam, year):
    """H3 "Mandatperiod … 2023–2026, 2027–2030, …": the reminder to confirm a holder by
    virtue of office comes before every change of term, also after the last term
    written in the preset (2027–2030)."""
    seat = Seat.objects.get(body__slug="halsam", key="ordf-hsn")
    person = services.person_create(actor=None, first_name="Hanna", last_name="HSN",
                                    principal=Principal.objects.get(code="R22"))
    services.membership_start(actor=None, person=person, seat=seat,
                              start=dt.date(year - 3, 1, 1))
    assert reminders.term_change(on=dt.date(year, 6, 1), structure_slug=HALSAM) == []
    found = reminders.term_change(on=dt.date(year, 11, 22), structure_slug=HALSAM)
    label = f"{year + 1}–{year + 4}"
    assert [(r.due, r.rule) for r in found] == [(dt.date(year + 1, 1, 1), "H3")]
    assert f"Mandatperioden {label}" in found[0].message
    assert checks.findings(on=dt.date(year, 11, 22), structure_slug=HALSAM)


def test_h3_terms_computed_after_the_preset_and_recorded_rows_kept(halsam):
    recorded = list(Term.objects.filter(structure__slug=HALSAM))
    assert [t.name for t in recorded][-1] == "Mandatperioden 2027–2030"
    on_2029 = terms.term_on(dt.date(2029, 5, 1), recorded)
    assert on_2029.term_id == recorded[-1].pk
    on_2033 = terms.term_on(dt.date(2033, 5, 1), recorded)
    assert (on_2033.start, on_2033.end, on_2033.term_id) == (
        dt.date(2031, 1, 1), dt.date(2034, 12, 31), None)
    assert on_2033.name == "Mandatperioden 2031–2034"
    assert terms.change_near(dt.date(2034, 12, 1), recorded, window_days=120).start == \
        dt.date(2035, 1, 1)
    assert terms.change_near(dt.date(2033, 6, 1), recorded, window_days=120) is None
