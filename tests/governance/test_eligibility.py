"""Who may hold a seat or an office, as data (issue 13 point 2, governance/eligibility.py).

Each test proving a seed rule is named by its id; the seeds' own words are quoted."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import checks, eligibility, rules, services
from governance.models import Body, Membership, OfficeTerm, Principal, Seat, StrategicArea
from governance.presets import load_structure
from governance.presets.schema import PresetError, parse_preset

pytestmark = pytest.mark.django_db
HALSAM = "halsam-vasternorrland"
VB = "vasterbotten"
SUNDSVALL, TIMRA, REGION = "2281", "2262", "R22"
UMEA, VB_REGION = "2480", "R24"

_n = iter(range(10_000))


def _person(code: str, name: str = ""):
    n = next(_n)
    return services.person_create(actor=None, first_name=name or "Person", last_name=f"Nr{n}",
                                  email=f"p{n}@example.se",
                                  principal=Principal.objects.get(code=code))


def _seat(body: str, key: str) -> Seat:
    return Seat.objects.select_related("body", "principal").get(body__slug=body, key=key)


def _sit(person, body: str, key: str, start=dt.date(2023, 1, 1), end=None, role="member"):
    return services.membership_start(actor=None, person=person, seat=_seat(body, key),
                                     role=role, start=start, end=end)


def _chair(person, body: str, year: int, office: str = "chair", area=None):
    return services.office_term_record(
        actor=None, body=Body.objects.get(slug=body), office=office, person=person,
        start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), area=area)


def _status(slug: str, on: dt.date, structure: str = HALSAM):
    return next(s for s in checks.body_statuses(on=on, structure_slug=structure)
                if s.body.slug == slug)


@pytest.fixture
def halsam(db):
    load_structure(HALSAM)


@pytest.fixture
def vasterbotten(db):
    load_structure(VB)


# --- the pure part ----------------------------------------------------------------------

def test_seat_key_matches_the_seats_a_for_each_made():
    assert eligibility.seat_key_matches("fc-skolforvaltning", "fc-skolforvaltning-timra")
    assert eligibility.seat_key_matches("ordf-hsn", "ordf-hsn")
    assert not eligibility.seat_key_matches("ordf-hsn", "ordf-hsnx")
    assert not eligibility.seat_key_matches("fc-skolforvaltning-timra", "fc-skolforvaltning")


def test_satisfied_counts_only_what_is_held_on_the_day():
    elig = eligibility.parse({"rule": "H6", "text": "x", "any_of": [
        {"body": "halsam", "seats": ["ordf-hsn", "ordf-run"]},
        {"body": "samrad", "offices": ["chair"]}]})
    seat = eligibility.Holding("halsam", "seat", "ordf-run", dt.date(2023, 1, 1),
                               dt.date(2024, 12, 31))
    office = eligibility.Holding("samrad", "office", "chair", dt.date(2025, 1, 1))
    assert eligibility.satisfied(elig, [seat], on=dt.date(2024, 6, 1), own_body="x")
    assert not eligibility.satisfied(elig, [seat], on=dt.date(2025, 6, 1), own_body="x")
    assert eligibility.satisfied(elig, [seat, office], on=dt.date(2025, 6, 1), own_body="x")
    # Another seat of the same body, or another office, is not enough.
    other = eligibility.Holding("halsam", "seat", "ordf-socialnamnd-timra", dt.date(2023, 1, 1))
    vice = eligibility.Holding("samrad", "office", "vice_chair", dt.date(2023, 1, 1))
    assert not eligibility.satisfied(elig, [other, vice], on=dt.date(2024, 6, 1), own_body="x")


def test_a_source_without_seats_or_offices_is_any_seat_of_the_body_itself():
    elig = eligibility.parse({"rule": "H9", "text": "x", "any_of": [{}]})
    assert eligibility.satisfied(
        elig, [eligibility.Holding("own", "seat", "whatever", dt.date(2023, 1, 1))],
        on=dt.date(2023, 1, 1), own_body="own")
    assert not eligibility.satisfied(
        elig, [eligibility.Holding("own", "office", "chair", dt.date(2023, 1, 1))],
        on=dt.date(2023, 1, 1), own_body="own")


# --- the preset format --------------------------------------------------------------------

def _preset(eligible, seat_key="plats"):
    return {
        "format": 1,
        "structure": {"slug": "test-elig", "name": "Test", "region": "Region Test"},
        "principals": [{"kind": "region", "code": "R99", "name": "Region Test"}],
        "bodies": [
            {"slug": "a", "name": "A", "kind": "political",
             "seats": [{"key": "ordf", "title": "Ordförande"}]},
            {"slug": "b", "name": "B", "kind": "presidium",
             "seats": [{"key": seat_key, "title": "Plats", "eligible": eligible}]},
        ],
    }


@pytest.mark.parametrize(("eligible", "path", "words"), [
    ({"rule": "H6", "text": "x", "any_of": [{"body": "nope", "seats": ["ordf"]}]},
     "bodies[b].seats[plats].eligible.any_of[0].body", "no body with slug 'nope'"),
    ({"rule": "H6", "text": "x", "any_of": [{"body": "a", "seats": ["vice"]}]},
     "bodies[b].seats[plats].eligible.any_of[0].seats", "has no seat 'vice'"),
    ({"rule": "H6", "text": "x", "any_of": [{"body": "a", "offices": ["king"]}]},
     "bodies[1].seats[0].eligible.any_of[0].offices", "'king' is not an office"),
    ({"rule": "H6", "text": "x", "level": "maybe", "any_of": [{"body": "a"}]},
     "bodies[1].seats[0].eligible.level", "not one of required, recommended"),
    ({"text": "x", "any_of": [{"body": "a"}]},
     "bodies[1].seats[0].eligible.rule", "name the rule id"),
    ({"rule": "H6", "any_of": [{"body": "a"}]},
     "bodies[1].seats[0].eligible.text", "say in words"),
    ({"rule": "H6", "text": "x", "any_of": []},
     "bodies[1].seats[0].eligible.any_of", "at least one"),
    ({"rule": "H6", "text": "x", "among": [], "any_of": [{"body": "a"}]},
     "bodies[1].seats[0].eligible", "unknown field(s) among"),
])
def test_a_bad_eligible_is_rejected_naming_the_field(eligible, path, words):
    with pytest.raises(PresetError) as exc:
        parse_preset(_preset(eligible), file="t.yaml")
    text = exc.value.render()
    assert f"t.yaml: {path}: " in text and words in text, text


def test_a_good_eligible_is_stored_on_the_seat():
    elig = {"rule": "H6", "text": "ordförande i A", "level": "recommended",
            "any_of": [{"body": "a", "seats": ["ordf"]}]}
    preset = parse_preset(_preset(elig), file="t.yaml")
    assert preset.bodies[1].seats[0].eligibility == elig


def test_presets_load_eligibility_and_reload_idempotently(db, capsys):
    for slug in (HALSAM, VB, "jamtland-harjedalen"):
        call_command("load_structure", slug, verbosity=0)
    regionen = _seat("halsam-presidium", "regionen")
    assert regionen.eligibility["rule"] == "H6"
    assert regionen.eligibility["any_of"] == [
        {"body": "halsam", "seats": ["ordf-hsn", "ordf-run", "ordf-vvu"]}]
    history = regionen.history.count()
    call_command("load_structure", HALSAM, verbosity=1)
    assert "already up to date" in capsys.readouterr().out
    assert regionen.history.count() == history


# --- H5, H6: the political presidium -------------------------------------------------------

@pytest.mark.parametrize("year", [2023, 2027])
def test_h5_municipal_presidium_members_are_chosen_among_the_committee_chairs(halsam, year):
    """H5: "Respektive socialpresidium och skolpresidium på länsnivå väljer sin representant
    bland ordförandena" — a chair of a social services committee who sits in HälSam."""
    start = dt.date(year, 1, 1)
    outsider = _person(SUNDSVALL)
    with pytest.raises(ValidationError) as exc:
        _sit(outsider, "halsam-presidium", "socialpresidiet", start=start)
    message = exc.value.message_dict["person"][0]
    assert "(H5, seed 000)" in message and "socialnämnd" in message
    # A school committee chair is not a social services committee chair.
    school_chair = _person(SUNDSVALL)
    _sit(school_chair, "halsam", "ordf-skolnamnd-sundsvall", start=start)
    with pytest.raises(ValidationError):
        _sit(school_chair, "halsam-presidium", "socialpresidiet", start=start)
    _sit(school_chair, "halsam-presidium", "skolpresidiet", start=start)
    chair = _person(TIMRA)
    _sit(chair, "halsam", "ordf-socialnamnd-timra", start=start)
    _sit(chair, "halsam-presidium", "socialpresidiet", start=start)


def test_h5_same_municipality_is_a_recommendation_accepted_with_a_warning(halsam):
    """H5: "rekommendationen är att de väljs från olika kommuner" — a warning, not a block."""
    social, school = _person(SUNDSVALL), _person(SUNDSVALL)
    _sit(social, "halsam", "ordf-socialnamnd-sundsvall")
    _sit(school, "halsam", "ordf-skolnamnd-sundsvall")
    _sit(social, "halsam-presidium", "socialpresidiet")
    _sit(school, "halsam-presidium", "skolpresidiet")  # accepted
    areas = {a.code: a for a in StrategicArea.objects.filter(structure__slug=HALSAM)}
    body = Body.objects.get(slug="halsam-presidium")
    for person, area in ((social, "vuxna"), (school, "barn-och-unga")):
        services.office_term_record(actor=None, body=body, office="chair", person=person,
                                    start=dt.date(2023, 1, 1), end=dt.date(2026, 12, 31),
                                    area=areas[area])
    status = _status("halsam-presidium", dt.date(2024, 3, 1))
    assert not [f for f in status.findings if f.severity == "error"]
    warning = next(f for f in status.findings if f.kind == "municipal_members_same_municipality")
    assert warning.severity == "warning" and warning.rule == "H5"


@pytest.mark.parametrize("year", [2024, 2028])
def test_h6_regional_member_is_a_chair_of_hsn_run_or_vvu(halsam, year):
    """H6: "Från regionen utses en representant bland ordförandena i HSN, RUN och VVU"."""
    start = dt.date(year, 1, 1)
    director = _person(REGION)
    _sit(director, "lansledning", "omradesdirektorer", start=start)
    with pytest.raises(ValidationError) as exc:
        _sit(director, "halsam-presidium", "regionen", start=start)
    assert "(H6, seed 000)" in exc.value.message_dict["person"][0]
    run_chair = _person(REGION)
    _sit(run_chair, "halsam", "ordf-run", start=start)
    _sit(run_chair, "halsam-presidium", "regionen", start=start)


def test_h6_a_member_recorded_before_the_rule_is_reported_as_an_error(halsam):
    """A regional member seated before the eligibility was loaded (a direct row, as old
    data) is reported by the checks and `rotation --check`, never silently accepted."""
    person = _person(REGION, "Gammal")
    Membership.objects.create(person=person, seat=_seat("halsam-presidium", "regionen"),
                              start=dt.date(2023, 1, 1))
    status = _status("halsam-presidium", dt.date(2024, 5, 1))
    found = [f for f in status.findings if f.kind == "not_eligible"]
    assert len(found) == 1 and found[0].severity == "error" and found[0].rule == "H6"
    assert "(H6, seed 000)" in found[0].message and person.name in found[0].message
    with pytest.raises(SystemExit) as exc:
        call_command("rotation", "--check", "--structure", HALSAM, "--on", "2024-05-01")
    assert exc.value.code == 1
    # Once the person chairs RUN (seated there), the finding goes away.
    _sit(person, "halsam", "ordf-run", start=dt.date(2024, 1, 1))
    status = _status("halsam-presidium", dt.date(2024, 5, 1))
    assert not [f for f in status.findings if f.kind == "not_eligible"]


def test_h6_a_member_before_the_structure_starts_is_not_checked(halsam):
    """Before HälSam's start (H25: 2023-01-01) nothing is checked."""
    person = _person(REGION)
    Membership.objects.create(person=person, seat=_seat("halsam-presidium", "regionen"),
                              start=dt.date(2022, 6, 1))
    assert not [f for f in _status("halsam-presidium", dt.date(2022, 9, 1)).findings
                if f.kind == "not_eligible"]
    assert [f for f in _status("halsam-presidium", dt.date(2023, 2, 1)).findings
            if f.kind == "not_eligible"]


# --- H9: the officials' presidium -----------------------------------------------------------

def test_h9_officials_presidium_has_politicians_of_halsam_and_officials_of_lansledning(halsam):
    """H9: "ett presidium med politiker som representerar HälSam inom strategiområden och
    tjänstepersoner som representerar länsledningen"."""
    politician = _person(TIMRA)
    with pytest.raises(ValidationError) as exc:
        _sit(politician, "presidium", "politiker")
    assert "(H9, seed 000)" in exc.value.message_dict["person"][0]
    _sit(politician, "halsam", "ordf-socialnamnd-timra")
    _sit(politician, "halsam-presidium", "socialpresidiet")
    _sit(politician, "presidium", "politiker")

    guest = _person(TIMRA)
    _sit(guest, "lansledning", "adjungerade", role="co_opted")
    with pytest.raises(ValidationError) as exc:  # a co-opted guest is not an official
        _sit(guest, "presidium", "lansledning")
    assert "(H9, seed 000)" in exc.value.message_dict["person"][0]
    head = _person(TIMRA)
    _sit(head, "lansledning", "fc-skolforvaltning-timra")
    _sit(head, "presidium", "lansledning", start=dt.date(2025, 3, 1))


# --- H11: Länsledning's chair in a municipal year -------------------------------------------

def _lansledning_people():
    soc_head, support_head, director = _person(SUNDSVALL), _person(TIMRA), _person(REGION)
    _sit(soc_head, "lansledning", "fc-socialforvaltning-sundsvall")
    _sit(support_head, "lansledning", "chef-samverkan-stod-timra")
    _sit(director, "lansledning", "omradesdirektorer")
    return soc_head, support_head, director


@pytest.mark.parametrize("year", [2024, 2026, 2028])
def test_h11_municipal_year_chair_is_a_head_of_a_social_services_department(halsam, year):
    """H11: "år 2 har en förvaltningschef för socialförvaltning ordföranderollen" — the head
    of social services' support structures (also social services) may not chair."""
    soc_head, support_head, _director = _lansledning_people()
    with pytest.raises(ValidationError) as exc:
        _chair(support_head, "lansledning", year)
    message = exc.value.message_dict["person"][0]
    assert "(H11, seed 000)" in message and "förvaltningschef för socialförvaltning" in message
    _chair(soc_head, "lansledning", year)


@pytest.mark.parametrize("year", [2023, 2025, 2027])
def test_h11_region_year_chair_has_no_such_requirement(halsam, year):
    """H11: "År 1 har regionen ordföranderollen": the region's years are not affected."""
    _soc, _support, director = _lansledning_people()
    _chair(director, "lansledning", year)


def test_h11_proposals_list_only_heads_of_social_services_departments(halsam):
    soc_head, support_head, director = _lansledning_people()
    status = _status("lansledning", dt.date(2025, 11, 22))  # electing 2026, a municipal year
    proposed = [m.person for m in status.proposals["chair"]]
    assert soc_head in proposed and support_head not in proposed and director not in proposed
    status = _status("lansledning", dt.date(2026, 11, 22))  # electing 2027, the region's
    assert [m.person for m in status.proposals["chair"]] == [director]


def test_h11_a_chair_recorded_before_the_rule_is_an_error(halsam):
    _soc, support_head, _director = _lansledning_people()
    OfficeTerm.objects.create(body=Body.objects.get(slug="lansledning"), office="chair",
                              person=support_head, start=dt.date(2026, 1, 1),
                              end=dt.date(2026, 12, 31))
    status = _status("lansledning", dt.date(2026, 5, 1))
    found = [f for f in status.findings if f.kind == "not_eligible"]
    assert [(f.severity, f.rule) for f in found] == [("error", "H11")]
    assert "(H11, seed 000)" in found[0].message
    # The qualification warning of old is gone: the requirement is hard now.
    assert not [f for f in status.findings if f.kind == "qualification_not_recognised"]


# --- H17: the länssamordningsgrupper ------------------------------------------------------

def test_h17_county_groups_are_staffed_from_lansledning_of_the_same_sector(halsam):
    """H17: "Bemannas från länsledningsgrupp med 1–2 förvaltningschefer/områdesdirektörer
    per verksamhet"."""
    soc_head, support_head, director = _lansledning_people()
    school_head = _person(TIMRA)
    _sit(school_head, "lansledning", "fc-skolforvaltning-timra")
    for group in ("lansamordning-barn-och-unga", "lansamordning-vuxna", "lansamordning-aldre"):
        _sit(soc_head, group, "socialtjanst", start=dt.date(2024, 1, 1))
        _sit(director, group, "halso-och-sjukvard", start=dt.date(2024, 1, 1))
        with pytest.raises(ValidationError) as exc:
            _sit(support_head, group, "socialtjanst", start=dt.date(2024, 1, 1))
        assert "(H17, seed 000)" in exc.value.message_dict["person"][0]
    _sit(school_head, "lansamordning-barn-och-unga", "skola", start=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError):  # a social services head is not a school head
        _sit(soc_head, "lansamordning-barn-och-unga", "skola", start=dt.date(2025, 1, 1))
    # Specialists are staffed by need ("utifrån behov av adekvat kompetens"): anyone.
    _sit(_person(TIMRA), "lansamordning-vuxna", "specialister", role="co_opted")


def test_h17_leaving_lansledning_makes_the_county_group_seat_a_finding(halsam):
    head = _person(SUNDSVALL)
    _sit(head, "lansledning", "fc-socialforvaltning-sundsvall", end=dt.date(2025, 6, 30))
    _sit(head, "lansamordning-vuxna", "socialtjanst", start=dt.date(2024, 1, 1))
    assert not [f for f in _status("lansamordning-vuxna", dt.date(2025, 6, 1)).findings
                if f.kind == "not_eligible"]
    found = [f for f in _status("lansamordning-vuxna", dt.date(2025, 9, 1)).findings
             if f.kind == "not_eligible"]
    assert [(f.severity, f.rule) for f in found] == [("error", "H17")]


# --- H4: the presidium's size is data ------------------------------------------------------

def _presidium_rule(size: int) -> rules.RotationRule:
    return rules.parse_rotation({
        "term": {"years": 4, "start_year": 2023, "political": True}, "presidium_size": size,
        "cycle": [{"chair": {"principal_kind": "any", "per_area": True, "rule": "H4"}}]})


def _chairs(*areas):
    return [rules.Holder(office="chair", person_name=f"Ordf {i}", principal_kind="municipality",
                         principal_name="Timrå kommun", area=a) for i, a in enumerate(areas)]


@pytest.mark.parametrize(("size", "areas", "missing"), [
    (3, ("barn-och-unga", "vuxna", "aldre"), 0),   # seed 003: "tre ordförande"
    (3, ("barn-och-unga", "vuxna"), 1),            # one area without a chair
    (4, ("barn-och-unga", "vuxna", "aldre"), 1),   # seed 000: "fyra ordförande"
    (4, ("barn-och-unga", "vuxna"), 2),
    (4, ("barn-och-unga", "vuxna", "aldre", "aldre"), 0),
])
def test_h4_a_missing_presidium_chair_is_a_finding(size, areas, missing):
    """H4: "ett presidium bestående av fyra ordförande" (seed 000) / "tre ordförande"
    (seed 003): the number is data and every missing chair is found."""
    rule = _presidium_rule(size)
    period = rules.period_for(rule, dt.date(2024, 1, 1))
    findings = rules.check_office_holders(
        rule, period, _chairs(*areas), body_name="Presidiet",
        areas=["barn-och-unga", "vuxna", "aldre"])
    gaps = [f for f in findings if f.code == "missing_office_holder"]
    assert len(gaps) == missing
    if size == 4 and len(set(areas)) == 3 and len(areas) == 3:
        assert "presidiet ska ha 4 ordförande (H4, seed 000), men 3 är valda" in gaps[0].message_sv


def test_h4_halsam_preset_says_three_chairs(halsam):
    rule = rules.parse_rotation(Body.objects.get(slug="halsam-presidium").rotation)
    assert rule.presidium_size == 3


# --- Västerbotten: the arbetsutskott and the beredningar -----------------------------------

def _samrad_chairs(year: int):
    region, umea = _person(VB_REGION), _person(UMEA)
    _sit(region, "samrad-vard-och-omsorg", "region")
    _sit(umea, "samrad-vard-och-omsorg", "kommun-umea")
    odd = year % 2 == 1  # the region chairs in odd years (the preset's default for V3)
    _chair(region if odd else umea, "samrad-vard-och-omsorg", year)
    _chair(umea if odd else region, "samrad-vard-och-omsorg", year, office="vice_chair")
    return (region, umea) if odd else (umea, region)


@pytest.mark.parametrize("year", [2023, 2024, 2027])
def test_v4_samradets_arbetsutskott_is_its_chair_and_vice_chair(vasterbotten, year):
    """V4: "Till Samråd vård och omsorg finns ett arbetsutskott (au) där ordförande och
    vice ordförande deltar"."""
    chair, vice = _samrad_chairs(year)
    start = dt.date(year, 2, 1)
    with pytest.raises(ValidationError) as exc:
        _sit(vice, "samrad-arbetsutskott", "ordforande", start=start)
    assert "(V4, seed 004)" in exc.value.message_dict["person"][0]
    _sit(chair, "samrad-arbetsutskott", "ordforande", start=start,
         end=dt.date(year, 12, 31))
    _sit(vice, "samrad-arbetsutskott", "vice-ordforande", start=start,
         end=dt.date(year, 12, 31))
    status = _status("samrad-arbetsutskott", dt.date(year, 6, 1), VB)
    assert not [f for f in status.findings if f.kind == "not_eligible"]


def test_v4_an_au_member_whose_office_ended_is_reported(vasterbotten):
    chair, _vice = _samrad_chairs(2023)
    _sit(chair, "samrad-arbetsutskott", "ordforande", start=dt.date(2023, 1, 1))  # open-ended
    assert not [f for f in _status("samrad-arbetsutskott", dt.date(2023, 6, 1), VB).findings
                if f.kind == "not_eligible"]
    found = [f for f in _status("samrad-arbetsutskott", dt.date(2024, 2, 1), VB).findings
             if f.kind == "not_eligible"]
    assert [(f.severity, f.rule) for f in found] == [("error", "V4")]


@pytest.mark.parametrize("year", [2023, 2026])
def test_v9_lsg_arbetsutskott_is_its_chair_and_vice_chair(vasterbotten, year):
    """V9: "Ett arbetsutskott (Au) till Länssamverkansgruppen föreslås, där ordförande och
    vice ordförande deltar"."""
    region, umea = _person(VB_REGION), _person(UMEA)
    _sit(region, "lansamverkansgruppen", "region")
    _sit(umea, "lansamverkansgruppen", "kommun-umea")
    chair, vice = (region, umea) if year % 2 else (umea, region)
    _chair(chair, "lansamverkansgruppen", year)
    _chair(vice, "lansamverkansgruppen", year, office="vice_chair")
    start = dt.date(year, 1, 1)
    with pytest.raises(ValidationError) as exc:
        _sit(chair, "lsg-arbetsutskott", "vice-ordforande", start=start)
    assert "(V9, seed 004)" in exc.value.message_dict["person"][0]
    _sit(chair, "lsg-arbetsutskott", "ordforande", start=start, end=dt.date(year, 12, 31))
    _sit(vice, "lsg-arbetsutskott", "vice-ordforande", start=start, end=dt.date(year, 12, 31))


def test_v10_beredningarnas_ordforande_have_a_seat_and_sit_in_lsg(vasterbotten):
    """V10: "Ordförande i Beredningen för barn och unga har en plats i
    Länssamverkansgruppen" — the beredning has a chair seat, so the chair can be recorded,
    and LSG's seat is for whoever holds it."""
    for slug in ("beredning-barn-och-unga", "beredning-vuxna-och-aldre"):
        assert Seat.objects.filter(body__slug=slug, key="ordforande").exists()
    chair, other = _person(UMEA), _person(UMEA)
    with pytest.raises(ValidationError) as exc:
        _sit(chair, "lansamverkansgruppen", "ordf-beredning-barn-och-unga")
    assert "(V10, seed 004)" in exc.value.message_dict["person"][0]
    _sit(chair, "beredning-barn-och-unga", "ordforande")
    _sit(chair, "lansamverkansgruppen", "ordf-beredning-barn-och-unga")
    with pytest.raises(ValidationError):  # the other beredning's chair seat
        _sit(other, "lansamverkansgruppen", "ordf-beredning-vuxna-och-aldre")
    # V12: the councils' chairs, co-opted to LSG "vid behov".
    _sit(other, "hjalpmedelsradet", "ordforande")
    _sit(other, "lansamverkansgruppen", "ordf-hjalpmedelsradet", role="co_opted")


# --- query count ---------------------------------------------------------------------------

def test_eligibility_checks_query_count_does_not_grow_with_the_data(halsam, vasterbotten):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            checks.body_statuses(on=dt.date(2026, 5, 1))
        return len(ctx.captured_queries)

    def grow(codes) -> None:
        for code in codes:
            key = Principal.objects.get(code=code).slug
            head, chair, old = _person(code), _person(code), _person(REGION)
            _sit(head, "lansledning", f"fc-socialforvaltning-{key}")
            _sit(head, "lansamordning-vuxna", "socialtjanst")
            _sit(chair, "halsam", f"ordf-socialnamnd-{key}")
            # Seated before the rule (a direct row): reported, one finding each.
            Membership.objects.create(person=old, seat=_seat("presidium", "lansledning"),
                                      start=dt.date(2024, 1, 1))

    grow([SUNDSVALL])
    base = count()
    grow([TIMRA])
    _samrad_chairs(2026)
    assert count() == base
    findings = [f for f in checks.findings(on=dt.date(2026, 5, 1)) if f.kind == "not_eligible"]
    assert len(findings) == 2 and {f.rule for f in findings} == {"H9"}


def test_a_recommended_eligibility_is_accepted_and_shown_as_a_warning(halsam):
    """`level: recommended` never refuses: the seat is taken, the checks warn and "Byt
    ledamot" asks for a confirmation ("Jag vill spara ändå")."""
    from governance import replacement

    seat = _seat("halsam-presidium", "socialpresidiet")
    seat.eligibility = dict(seat.eligibility, level="recommended")
    seat.save()
    outsider, other = _person(SUNDSVALL), _person(TIMRA)
    member = _sit(outsider, "halsam-presidium", "socialpresidiet")
    found = [f for f in _status("halsam-presidium", dt.date(2024, 5, 1)).findings
             if f.kind == "not_eligible"]
    assert [(f.severity, f.rule) for f in found] == [("warning", "H5")]
    concerns = replacement.replacement_concerns(outgoing=member, end=dt.date(2024, 6, 30),
                                                person=other)
    assert [(c.severity, c.rule_id) for c in concerns
            if "rekommenderas" in c.message or "recommended" in c.message] == [("warning", "H5")]
