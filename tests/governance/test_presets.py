"""The structure presets, checked against the seeds' own words, and the preset loader.

Every shipped preset loads, loads again without changing anything, and loads next to
the others. The counts asserted here are the ones the seeds state (rule ids in the test
names, see shared/SEED_RULES.md). Broken files are rejected naming the file and the path
to the bad field, and nothing is written.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.models import (
    Body,
    Participation,
    Principal,
    Seat,
    Sector,
    StrategicArea,
    Structure,
    Term,
)
from governance.presets import PresetError, available_presets, read_preset
from governance.presets.loader import resolve_preset

pytestmark = pytest.mark.django_db

SHIPPED = ["halsam-vasternorrland", "jamtland-harjedalen", "vasterbotten"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "presets.md"
HALSAM_MUNICIPALITIES = ["sundsvall", "ange", "timra", "harnosand", "kramfors", "solleftea",
                         "ornskoldsvik"]
HALSAM_AREAS = ["barn-och-unga", "vuxna", "aldre"]
UMEA, SKELLEFTEA = "2480", "2482"


def load(name: str) -> str:
    out = StringIO()
    call_command("load_structure", name, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Structure, Body, Seat, Principal, Participation, Sector, StrategicArea, Term)
    return {m.__name__: m.objects.count() for m in models}


def history_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in apps.get_app_config("governance").get_models()
            if m.__name__.startswith("Historical")}


def seats_by_principal(body: Body) -> dict[str, tuple[int, int]]:
    return {s.principal.code: (s.member_count, s.substitute_count)
            for s in body.seats.select_related("principal") if s.principal}


@pytest.fixture
def halsam_loaded(db):
    load("halsam-vasternorrland")
    return Structure.objects.get(slug="halsam-vasternorrland")


@pytest.fixture
def jamtland(db):
    load("jamtland-harjedalen")
    return Structure.objects.get(slug="jamtland-harjedalen")


@pytest.fixture
def vasterbotten(db):
    load("vasterbotten")
    return Structure.objects.get(slug="vasterbotten")


# --- every preset ---------------------------------------------------------------------

def test_the_three_seed_structures_ship_as_presets():
    assert set(SHIPPED) <= set(available_presets())


@pytest.mark.parametrize("name", available_presets())
def test_every_preset_loads_and_a_second_load_changes_nothing(name):
    assert "created" in load(name)
    assert Structure.objects.filter(slug=name).exists()
    before, history_before = counts(), history_counts()
    out = load(name)
    assert "already up to date" in out
    assert counts() == before
    assert history_counts() == history_before


def test_all_presets_load_together_with_unique_slugs_and_reload_without_change():
    for name in SHIPPED:
        load(name)
    parsed = [read_preset(resolve_preset(name)) for name in SHIPPED]
    slugs = [b.slug for p in parsed for b in p.bodies]
    assert len(slugs) == len(set(slugs))
    assert Body.objects.filter(structure__slug__in=SHIPPED).count() == len(slugs)
    before, history_before = counts(), history_counts()
    for name in SHIPPED:  # shared rows (sectors, principals) must not flip between presets
        assert "already up to date" in load(name)
    assert counts() == before
    assert history_counts() == history_before


def test_docs_list_exactly_the_body_slugs_the_presets_load():
    for name in SHIPPED:
        load(name)
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Body slugs", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.MULTILINE))
    assert documented
    loaded = set(Body.objects.filter(structure__slug__in=SHIPPED).values_list("slug", flat=True))
    assert documented == loaded


# --- HälSam, Region Västernorrland ---------------------------------------------------------

def test_h1_halsam_has_the_region_and_seven_municipalities_all_parties(halsam_loaded):
    parts = Participation.objects.filter(structure=halsam_loaded).select_related("principal")
    assert len(parts) == 8
    assert all(p.is_party for p in parts)
    assert {p.principal.slug for p in parts if p.principal.kind == "municipality"} == set(
        HALSAM_MUNICIPALITIES)
    assert [p.principal.name for p in parts if p.principal.kind == "region"] == [
        "Region Västernorrland"]


def test_h2_halsam_has_17_political_seats_held_by_virtue_of_office(halsam_loaded):
    seats = list(Body.objects.get(slug="halsam").seats.select_related("principal", "sector"))
    assert len(seats) == 17
    assert sum(s.member_count for s in seats) == 17
    assert all(s.by_virtue_of_office for s in seats)
    municipal = [s for s in seats if s.principal.kind == "municipality"]
    social = [s for s in municipal if s.sector.code == "social_services"]
    school = [s for s in municipal if s.sector.code == "school"]
    assert len(social) == 7 and len(school) == 7
    assert {s.principal.slug for s in social} == {s.principal.slug for s in school} == set(
        HALSAM_MUNICIPALITIES)
    regional = {s.key for s in seats if s.principal.kind == "region"}
    assert regional == {"ordf-hsn", "ordf-run", "ordf-vvu"}


def test_h15_three_county_groups_meet_five_times_a_year(halsam_loaded):
    groups = Body.objects.filter(structure=halsam_loaded, kind="county_group")
    assert sorted(g.area.name for g in groups) == ["Barn och unga", "Vuxna", "Äldre"]
    assert {g.min_meetings_per_year for g in groups} == {5}


def test_h19_twenty_one_local_groups_with_the_contract_slugs(halsam_loaded):
    expected = {f"lokal-{k}-{a}" for k in HALSAM_MUNICIPALITIES for a in HALSAM_AREAS}
    assert len(expected) == 21
    local = Body.objects.filter(structure=halsam_loaded, kind="local_group").select_related(
        "owner_principal", "area")
    assert {b.slug for b in local} == expected
    for body in local:
        assert body.slug == f"lokal-{body.owner_principal.slug}-{body.area.code}"


def test_halsam_contract_slugs(halsam_loaded):
    for slug in ("halsam", "halsam-presidium", "presidium", "lansledning",
                 "lansamordning-barn-och-unga", "lansamordning-vuxna", "lansamordning-aldre"):
        assert Body.objects.filter(structure=halsam_loaded, slug=slug).exists(), slug


def test_h25_halsam_from_2023_replaces_socialreko_ending_2022(halsam_loaded):
    assert halsam_loaded.valid_from == dt.date(2023, 1, 1)
    assert halsam_loaded.replaces.slug == "socialreko"
    assert halsam_loaded.replaces.valid_until == dt.date(2022, 12, 31)


# --- Västerbotten ---------------------------------------------------------------------

def test_v1_vasterbotten_has_fifteen_municipalities_and_the_region(vasterbotten):
    parts = Participation.objects.filter(structure=vasterbotten).select_related("principal")
    assert len(parts) == 16
    assert all(p.is_party for p in parts)
    municipalities = [p.principal for p in parts if p.principal.kind == "municipality"]
    assert len(municipalities) == 15
    assert {m.county_code for m in municipalities} == {"24"}
    assert [p.principal.code for p in parts if p.principal.kind == "region"] == ["R24"]
    assert vasterbotten.rules["not_parties"] == ["Privata skolhuvudmän"]


def test_v2_samrad_seats_umea_and_skelleftea_two_plus_two_region_three_plus_three(vasterbotten):
    body = Body.objects.get(slug="samrad-vard-och-omsorg")
    assert body.kind == "political"
    seats = seats_by_principal(body)
    assert seats.pop(UMEA) == (2, 2)
    assert seats.pop(SKELLEFTEA) == (2, 2)
    assert seats.pop("R24") == (3, 3)
    assert len(seats) == 13
    assert set(seats.values()) == {(1, 1)}


def test_v3_v8_chair_and_vice_from_different_principals_alternating_each_year(vasterbotten):
    for slug, rule in (("samrad-vard-och-omsorg", "V3"), ("lansamverkansgruppen", "V8")):
        rotation = Body.objects.get(slug=slug).rotation
        assert rotation["term"]["years"] == 1
        assert rotation["extensions"] == []
        cycle = rotation["cycle"]
        assert len(cycle) == 2
        for step in cycle:
            assert step["chair"]["principal_kind"] != step["vice_chair"]["principal_kind"]
            assert step["chair"]["rule"] == rule
        assert cycle[0]["chair"]["principal_kind"] != cycle[1]["chair"]["principal_kind"]


def test_v4_v9_arbetsutskott_of_chair_and_vice_chair(vasterbotten):
    for slug, parent in (("samrad-arbetsutskott", "samrad-vard-och-omsorg"),
                         ("lsg-arbetsutskott", "lansamverkansgruppen")):
        au = Body.objects.select_related("parent", "prepares_for").get(slug=slug)
        assert au.kind == "presidium"
        assert au.parent.slug == parent and au.prepares_for.slug == parent
        assert sorted(au.seats.values_list("key", flat=True)) == ["ordforande", "vice-ordforande"]


def test_v5_v13_lsg_prepares_samradet_its_chair_presents_and_samradet_sets_its_uppdrag(
        vasterbotten):
    lsg = Body.objects.get(slug="lansamverkansgruppen")
    assert lsg.prepares_for.slug == "samrad-vard-och-omsorg"
    rule = Body.objects.get(slug="samrad-vard-och-omsorg").meeting_rule
    assert rule["rapporteur"] == {"body": "lansamverkansgruppen", "office": "chair"}
    assert {"body": "lansamverkansgruppen", "set_by": "samrad-vard-och-omsorg",
            "rule": "V13"} in vasterbotten.rules["terms_of_reference"]


def test_v6_yearly_ledningsseminarium(vasterbotten):
    seminar = Body.objects.get(slug="ledningsseminarium")
    assert seminar.kind == "seminar" and seminar.min_meetings_per_year == 1
    assert seminar.meeting_rule["programme_set_by"] == "samrad-vard-och-omsorg"
    assert seminar.meeting_rule["planned_by"] == "lansamverkansgruppen"


def test_v7_lsg_region_four_plus_four(vasterbotten):
    seats = seats_by_principal(Body.objects.get(slug="lansamverkansgruppen"))
    assert seats.pop("R24") == (4, 4)
    assert seats.pop(UMEA) == (2, 2) and seats.pop(SKELLEFTEA) == (2, 2)
    assert len(seats) == 13 and set(seats.values()) == {(1, 1)}


def test_v10_v11_v12_beredningar_and_rad_under_lsg(vasterbotten):
    lsg = Body.objects.get(slug="lansamverkansgruppen")
    children = {b.slug: b for b in lsg.children.select_related("area")}
    for slug, area in (("beredning-barn-och-unga", "Barn och unga"),
                       ("beredning-vuxna-och-aldre", "Vuxna och äldre")):
        assert children[slug].kind == "preparatory"
        assert children[slug].area.name == area
        assert children[slug].review_interval_months == 24  # V11: at least every second year
    for slug in ("hjalpmedelsradet", "samverkansrad-patientsakerhet"):
        assert children[slug].kind == "council"
    seats = {s.key: s for s in lsg.seats.all()}
    assert not seats["ordf-beredning-barn-och-unga"].is_co_opted        # V10: a place in LSG
    assert not seats["ordf-beredning-vuxna-och-aldre"].is_co_opted
    assert seats["ordf-hjalpmedelsradet"].is_co_opted                   # V12: co-opted
    assert seats["ordf-samverkansrad-patientsakerhet"].is_co_opted


def test_v14_v15_coordinators_and_follow_up_as_data(vasterbotten):
    coordinators = vasterbotten.rules["coordinators"]
    assert coordinators["full_time_equivalents"] == 2.0
    assert coordinators["cost_share_percent"] == {"municipality": 50, "region": 50}
    (follow_up,) = vasterbotten.rules["milestones"]
    assert follow_up["start_by"] == "2023-09-01" and follow_up["rule"] == "V15"


def test_v16_until_further_notice_twelve_months_notice_to_samradet(vasterbotten):
    assert vasterbotten.valid_until is None
    assert vasterbotten.termination_notice_months == 12
    assert vasterbotten.termination_notice_to == "Samrådet för vård och omsorg"


# --- Jämtland Härjedalen ----------------------------------------------------------------

def test_j7_jamtland_from_2027_until_further_notice_replacing_three_forums(jamtland):
    assert jamtland.valid_from == dt.date(2027, 1, 1)
    assert jamtland.valid_until is None
    assert jamtland.replaces.slug == "svom-barnarenan"
    assert jamtland.replaces.valid_until == dt.date(2026, 12, 31)
    assert [r["name"] for r in jamtland.rules["replaces_all"]] == [
        "SVOM/Barnarenan", "Fredagsgruppen", "SamReKo HSI"]


def test_jamtland_principals_region_eight_municipalities_and_kfjh_not_a_party(jamtland):
    parts = {p.principal.code: p for p in
             Participation.objects.filter(structure=jamtland).select_related("principal")}
    kfjh = parts.pop("KFJH")
    assert kfjh.principal.kind == "association" and not kfjh.is_party
    assert parts.pop("R23").principal.name == "Region Jämtland Härjedalen"
    assert len(parts) == 8
    assert all(p.is_party and p.principal.county_code == "23" for p in parts.values())


def test_j1_pahsu_about_21_elected_from_socsam_buz_hsn_plus_3_collaboration_leaders(jamtland):
    seats = list(Body.objects.get(slug="pahsu").seats.select_related("principal", "sector"))
    elected = [s for s in seats if not s.is_co_opted]
    assert sum(s.member_count for s in elected) == 21
    assert {s.key.split("-")[0] for s in elected} == {"socsam", "buz", "hsn"}
    (leaders,) = [s for s in seats if s.is_co_opted]
    assert leaders.member_count == 3 and "KFJH" in leaders.qualification


def test_j2_both_arenas_meet_four_times_and_share_a_joint_seminar(jamtland):
    for slug in ("pahsu", "tahsu"):
        assert Body.objects.get(slug=slug).min_meetings_per_year == 4
    seminar = Body.objects.get(slug="pahsu-tahsu-seminarium")
    assert seminar.kind == "seminar" and seminar.min_meetings_per_year == 1
    assert set(seminar.joint_of.values_list("slug", flat=True)) == {"pahsu", "tahsu"}


def test_j3_chair_alternates_between_the_region_and_the_municipalities(jamtland):
    for slug in ("pahsu", "tahsu"):
        rotation = Body.objects.get(slug=slug).rotation
        assert [step["chair"]["principal_kind"] for step in rotation["cycle"]] == [
            "region", "municipality"]
        assert rotation["term"]["start_year"] == 2027


def test_j5_tahsu_about_30_managers_plus_3_leaders_prepares_for_pahsu(jamtland):
    tahsu = Body.objects.select_related("prepares_for").get(slug="tahsu")
    assert tahsu.kind == "officials_board" and tahsu.prepares_for.slug == "pahsu"
    seats = list(tahsu.seats.all())
    assert sum(s.member_count for s in seats if not s.is_co_opted) == 30
    assert sum(s.member_count for s in seats if s.is_co_opted) == 3


def test_j6_supporting_networks_under_tahsu(jamtland):
    network = Body.objects.select_related("parent").get(slug="stodjande-natverk")
    assert network.kind == "network" and network.parent.slug == "tahsu"


def test_j8_yearly_survey_and_in_depth_follow_up_by_2028_09_01(jamtland):
    milestones = {m["key"]: m for m in jamtland.rules["milestones"]}
    assert milestones["arlig-enkat"]["recurrence"] == "yearly"
    assert milestones["fordjupad-uppfoljning"]["due"] == "2028-09-01"


# --- broken preset files --------------------------------------------------------------

MINIMAL: dict = {
    "format": 1,
    "structure": {"slug": "testlan", "name": "Testlän", "region": "Region Test",
                  "rules": {"checked": dt.date(2030, 1, 1)}},
    "sectors": [{"code": "health_care", "name": "Hälso- och sjukvård"}],
    "areas": [{"code": "barn-och-unga", "name": "Barn och unga"}],
    "principals": [
        {"kind": "region", "code": "R25", "name": "Region Norrbotten", "county": "25"},
        {"kind": "municipality", "code": "2580"},
    ],
    "bodies": [
        {"slug": "testgrupp", "name": "Testgrupp", "kind": "officials_board",
         "meeting_rule": {"from": dt.date(2030, 1, 1)},
         "seats": [{"key": "region", "title": "Regionen", "principal": "R25",
                    "sector": "health_care", "members": 2, "substitutes": 2}]},
        {"slug": "testberedning", "name": "Testberedning", "kind": "preparatory",
         "parent": "testgrupp", "area": "barn-och-unga"},
    ],
}


def _write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "testlan.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def _broken(change):
    data = copy.deepcopy(MINIMAL)
    change(data)
    return data


BROKEN = {
    "invalid_yaml": ("format: 1\nstructure: {slug: testlan, name: [unclosed\n", "line "),
    "missing_required_field": (_broken(lambda d: d["structure"].pop("name")), "structure.name"),
    "members_not_a_number": (
        _broken(lambda d: d["bodies"][0]["seats"][0].update(members="two")),
        "bodies[0].seats[0].members"),
    "unknown_field": (_broken(lambda d: d["bodies"][0].update(colour="red")),
                      "bodies[0].colour"),
    "unknown_sector": (_broken(lambda d: d["bodies"][0]["seats"][0].update(sector="skola")),
                       "bodies[0].seats[0].sector"),
    "unknown_area": (_broken(lambda d: d["bodies"][1].update(area="aldre")), "bodies[1].area"),
    "unknown_principal": (_broken(lambda d: d["bodies"][0]["seats"][0].update(principal="R99")),
                          "bodies[0].seats[0].principal"),
    "duplicate_body_slug": (_broken(lambda d: d["bodies"][1].update(slug="testgrupp")),
                            "bodies[testgrupp].slug"),
    "parent_missing": (_broken(lambda d: d["bodies"][1].update(parent="finns-inte")),
                       "bodies[testberedning].parent"),
    "circular_parents": (_broken(lambda d: d["bodies"][0].update(parent="testberedning")),
                         "bodies[testgrupp].parent"),
    "parent_not_a_slug": (_broken(lambda d: d["bodies"][1].update(parent=["testgrupp"])),
                          "bodies[1].parent"),
    "override_for_a_principal_of_another_kind": (
        _broken(lambda d: d["bodies"][0]["seats"].append(
            {"key": "kommun", "title": "Kommunen", "for_each": "municipality",
             "overrides": {"R25": {"members": 2}}})),
        "bodies[0].seats[1].overrides.R25"),
    # valid on its own; the clash is only known once HälSam is in the database
    "slug_of_another_structure": (_broken(lambda d: d["bodies"][1].update(slug="lansledning")),
                                  "bodies[lansledning].slug"),
    "principal_slug_of_another_principal": (
        _broken(lambda d: d["principals"][0].update(slug="sundsvall")),
        "principals[R25].slug"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_preset_names_file_and_field_and_writes_nothing(tmp_path, halsam_loaded, case):
    data, field_path = BROKEN[case]
    path = _write(tmp_path, data)
    before, history_before = counts(), history_counts()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_structure", str(path), stdout=StringIO())
    message = str(excinfo.value)
    assert "nothing was written" in message
    assert f"{path}: {field_path}" in message
    assert counts() == before
    assert history_counts() == history_before


def test_the_minimal_test_preset_itself_loads_and_reloads(tmp_path, db):
    """The broken cases above differ from a valid file by one field only; dates inside
    rules and meeting_rule are stored as ISO text, so a reload finds nothing to change."""
    path = _write(tmp_path, MINIMAL)
    load(str(path))
    structure = Structure.objects.get(slug="testlan")
    assert structure.rules == {"checked": "2030-01-01"}
    assert Body.objects.get(slug="testgrupp").seats.get().substitute_count == 2
    assert "already up to date" in load(str(path))


def test_preset_error_lists_every_problem_as_file_path_message(tmp_path):
    data = _broken(lambda d: (d["structure"].pop("region"),
                              d["bodies"][0]["seats"][0].update(members="two")))
    path = _write(tmp_path, data)
    with pytest.raises(PresetError) as excinfo:
        read_preset(path)
    lines = excinfo.value.render().splitlines()
    assert f"{path}: structure.region: is required but missing" in lines
    assert any(line.startswith(f"{path}: bodies[0].seats[0].members: expected a whole number")
               for line in lines)
