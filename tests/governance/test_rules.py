"""The pure rotation rule module (``governance.rules``), against the seeds' own words.

No database: the HälSam rules are read from the preset file itself (so a test proves the
*data* says what the seed says), the Jämtland and Västerbotten rules from dicts in the
same shape. Each test names the rule it proves.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import rules
from governance.presets.loader import available_presets, read_preset, resolve_preset
from governance.presets.schema import PresetError, parse_preset
from governance.rules import Holder, RotationError

YEARS = range(2023, 2033)  # ten consecutive years from HälSam's start (H25)
REGION = "Region Västernorrland"


@pytest.fixture(scope="module")
def halsam_rotations() -> dict[str, dict]:
    preset = read_preset(resolve_preset("halsam-vasternorrland"))
    return {b.slug: b.rotation for b in preset.bodies if b.rotation}


def _rule(halsam_rotations: dict[str, dict], slug: str) -> rules.RotationRule:
    return rules.parse_rotation(halsam_rotations[slug])


def _reqs(rule: rules.RotationRule, year: int) -> dict[str, rules.Requirement]:
    return rules.requirements(rule, rules.period_for_year(rule, year))


def _kinds(reqs: dict[str, rules.Requirement]) -> dict[str, tuple[str, str | None]]:
    return {office: (r.principal_kind, r.sector) for office, r in reqs.items()}


# --- HälSam: Länsledning (H11, H12, H13) ------------------------------------------------

def test_h11_h12_lansledning_chair_alternates_region_then_social_services(halsam_rotations):
    """H11: 'År 1 har regionen ordföranderollen och år 2 har en förvaltningschef för
    socialtjänsten uppdraget', 1 year at a time from 2023. H12: '1e vice ordförande ...
    den organisation som inte är ordförande', '2e vice ordförande ... förvaltningschef för
    skola'."""
    rule = _rule(halsam_rotations, "lansledning")
    for year in YEARS:
        period = rules.period_for_year(rule, year)
        assert (period.start, period.end) == (dt.date(year, 1, 1), dt.date(year, 12, 31))
        year_1 = (year - 2023) % 2 == 0
        chair = ("region", None) if year_1 else ("municipality", "social_services")
        vice = ("municipality", None) if year_1 else ("region", None)
        reqs = _reqs(rule, year)
        assert _kinds(reqs) == {"chair": chair, "vice_chair": vice,
                                "second_vice_chair": ("municipality", "school")}, year
        assert (reqs["chair"].rule_id, reqs["vice_chair"].rule_id,
                reqs["second_vice_chair"].rule_id) == ("H11", "H12", "H12")
        assert reqs["vice_chair"].other_side_than_chair


def test_h13_election_at_the_end_of_the_previous_year(halsam_rotations):
    """H13: 'Val inför kommande kalenderår sker vid det sista mötet för innevarande år'
    (Länsledning and the three länssamordningsgrupper); until meetings exist, the year's end."""
    for slug in ("lansledning", "lansamordning-barn-och-unga", "lansamordning-vuxna",
                 "lansamordning-aldre"):
        rule = _rule(halsam_rotations, slug)
        for year in YEARS:
            due = rules.election_due(rule, rules.period_for_year(rule, year))
            assert due.due_by == dt.date(year - 1, 12, 31), (slug, year)
            assert (due.at, due.rule_id) == ("last_meeting_of_previous_year", "H13")


# --- HälSam: länssamordningsgrupper (H16) ---------------------------------------------

@pytest.mark.parametrize(("slug", "chair", "vice"), [
    ("lansamordning-barn-och-unga", ("municipality", "school"), ("region", None)),
    ("lansamordning-vuxna", ("municipality", "social_services"), ("region", None)),
    ("lansamordning-aldre", ("region", "health_care"), ("municipality", None)),
])
def test_h16_lansamordning_chair_and_deputy_every_year(halsam_rotations, slug, chair, vice):
    """H16: 1 year at a time; one from the municipalities and one from the region; BoU chair
    from the school heads, Vuxna from the social services heads, Äldre from the region's
    area directors."""
    rule = _rule(halsam_rotations, slug)
    for year in YEARS:
        period = rules.period_for_year(rule, year)
        assert period.end == dt.date(year, 12, 31)
        reqs = _reqs(rule, year)
        assert _kinds(reqs) == {"chair": chair, "vice_chair": vice}
        assert rules.side(reqs["chair"].principal_kind) != rules.side(
            reqs["vice_chair"].principal_kind)
        assert reqs["chair"].rule_id == "H16"
    if slug == "lansamordning-aldre":
        assert _reqs(rule, 2030)["chair"].qualification == "områdesdirektör"


# --- HälSam: lokal samverkan (H20) -------------------------------------------------------

def test_h20_lokal_samverkan_two_year_periods_alternate(halsam_rotations):
    """H20: 'minst två år i taget och växlar mellan huvudmännen. År 1–2 är ordförande från
    kommunen och vice ordförande från regionen, år 3–4 ... från regionen ...'."""
    rule = _rule(halsam_rotations, "lokal-sundsvall-vuxna")
    expected_start = 2023
    for n in range(8):
        period = rules.period_for_year(rule, expected_start)
        assert (period.start.year, period.end.year) == (expected_start, expected_start + 1)
        assert rules.period_for_year(rule, expected_start + 1) == period
        municipality_chairs = n % 2 == 0
        reqs = _reqs(rule, expected_start)
        assert _kinds(reqs) == (
            {"chair": ("municipality", None), "vice_chair": ("region", None)}
            if municipality_chairs else
            {"chair": ("region", None), "vice_chair": ("municipality", None)})
        assert reqs["chair"].rule_id == "H20"
        expected_start += 2


def test_h20_starting_side_is_data_per_group(halsam_rotations):
    """H20 '... eller vice versa': a group whose rotation says cycle_start: 1 starts with the
    region chairing; the default (no field) is the municipality for 2023–2024."""
    data = dict(halsam_rotations["lokal-timra-aldre"], cycle_start=1)
    flipped, default = rules.parse_rotation(data), _rule(halsam_rotations, "lokal-timra-aldre")
    for year in range(2023, 2039):
        a, b = _reqs(flipped, year), _reqs(default, year)
        assert a["chair"].principal_kind == b["vice_chair"].principal_kind
        assert a["vice_chair"].principal_kind == b["chair"].principal_kind
    assert _reqs(flipped, 2023)["chair"].principal_kind == "region"


# --- HälSam: political presidium (H3, H4, H5) --------------------------------------------

def test_h3_political_term_periods(halsam_rotations):
    """H3: the political term is the four-year mandatperiod 2023–2026, 2027–2030, …"""
    rule = _rule(halsam_rotations, "halsam-presidium")
    for year in range(2023, 2055):
        first = 2023 + (year - 2023) // 4 * 4
        expected = (dt.date(first, 1, 1), dt.date(first + 3, 12, 31))
        period = rules.period_for_year(rule, year)
        assert (period.start, period.end) == expected, year
        national = rules.political_term_for(dt.date(year, 6, 30))
        assert (national.start, national.end) == expected
    assert rules.political_term_for(dt.date(2022, 12, 31)).start == dt.date(2019, 1, 1)
    assert rules.period_for_year(rule, 2027).label == "2027–2030"


def test_h4_h5_presidium_chair_per_area_convener_among_chairs(halsam_rotations):
    """H4: chairs each answering for one strategic area (the number is data: 3), one of
    them convener, chosen by the presidium; H5: elected as early as possible in the term."""
    rule = _rule(halsam_rotations, "halsam-presidium")
    assert rule.presidium_size == 3
    for year in range(2023, 2035):
        reqs = _reqs(rule, year)
        assert set(reqs) == {"chair", "convener"}
        assert reqs["chair"].per_area and reqs["chair"].principal_kind == "any"
        assert reqs["convener"].among == "chair"
        due = rules.election_due(rule, rules.period_for_year(rule, year))
        term_start = 2023 + (year - 2023) // 4 * 4
        assert due.due_by == dt.date(term_start, 3, 31)
        assert (due.at, due.rule_id) == ("start_of_term", "H5")


# --- Västerbotten (V3, V8) and Jämtland (J3) ------------------------------------------

def _v3(start_year: int = 2024, extensions: list | None = None) -> dict:
    """Samrådet/LSG as the Västerbotten preset writes it: yearly, chair and vice from the
    two principals, alternating, extensions recorded by the group's decision."""
    return {
        "term": {"years": 1, "start_year": start_year},
        "cycle": [
            {"chair": {"principal_kind": "region", "rule": "V3"},
             "vice_chair": {"principal_kind": "not_chair", "rule": "V3"}},
            {"chair": {"principal_kind": "municipality", "rule": "V3"},
             "vice_chair": {"principal_kind": "not_chair", "rule": "V3"}},
        ],
        "election": {"at": "any_time", "rule": "V3"},
        "extensions": extensions or [],
    }


def _chair_by_year(rule: rules.RotationRule, years: range) -> dict[int, str]:
    return {y: _reqs(rule, y)["chair"].principal_kind for y in years}


def test_v3_v8_chair_and_vice_alternate_every_calendar_year():
    """V3/V8: 'Ordförande representerar den ena huvudmannen, och vice ordförande ... den
    andra ... löper på ett kalenderår och skiftar mellan huvudmännen årligen.'"""
    rule = rules.parse_rotation(_v3())
    chairs = _chair_by_year(rule, range(2024, 2034))
    assert chairs == {y: "region" if (y - 2024) % 2 == 0 else "municipality"
                      for y in range(2024, 2034)}
    for year in range(2024, 2034):
        reqs = _reqs(rule, year)
        assert reqs["vice_chair"].principal_kind == rules._opposite(chairs[year])
        assert rules.period_for_year(rule, year).end == dt.date(year, 12, 31)


def test_v3_v8_extension_lengthens_the_period_and_shifts_the_cycle():
    """V3 '... kan efter enigt beslut i gruppen löpa på längre tid än ett år', V8 likewise:
    an extension of the period starting 2025 by one year makes it 2025–2026 and the
    alternation continues from there (2027 the other side), not skipping a step."""
    rule = rules.parse_rotation(_v3(extensions=[
        {"period_start": 2025, "years": 1, "decided_on": "2025-10-01", "note": "enigt beslut"}]))
    assert rule.extensions[0].decided_on == dt.date(2025, 10, 1)
    assert _chair_by_year(rule, range(2024, 2034)) == {
        2024: "region", 2025: "municipality", 2026: "municipality", 2027: "region",
        2028: "municipality", 2029: "region", 2030: "municipality", 2031: "region",
        2032: "municipality", 2033: "region"}
    extended = rules.period_for_year(rule, 2026)
    assert (extended.start, extended.end, extended.extended_by) == (
        dt.date(2025, 1, 1), dt.date(2026, 12, 31), 1)
    assert rules.next_period(rule, extended).start == dt.date(2027, 1, 1)


def test_v3_extension_must_name_the_start_of_a_period():
    """An extension for a year in which no period starts has no meaning: a clear error,
    both from the rule module and when the preset is validated."""
    with pytest.raises(RotationError, match="does not match the start of a period"):
        rules.parse_rotation(_v3(extensions=[{"period_start": 2025, "years": 1},
                                             {"period_start": 2026, "years": 1}]))
    preset = {
        "format": 1,
        "structure": {"slug": "test", "name": "Test", "region": "Testlän"},
        "principals": [{"kind": "region", "code": "R99", "name": "Region Test"}],
        "bodies": [{"slug": "lsg", "name": "LSG", "kind": "officials_board",
                    "rotation": _v3(extensions=[{"period_start": 2022, "years": 1}])}],
    }
    with pytest.raises(PresetError, match="bodies\\[0\\].rotation: .*before"):
        parse_preset(preset, file="test.yaml")


@pytest.mark.parametrize("years", [1, 2])
def test_j3_chair_alternates_between_rjh_and_the_municipalities_from_2027(years):
    """J3: 'Ordförandeskap alternerar mellan RJH och kommunerna' (PaHSU and TaHSU), in force
    from 2027-01-01 (J7); the period length is data (default one year)."""
    rule = rules.parse_rotation({
        "term": {"years": years, "start_year": 2027},
        "cycle": [{"chair": {"principal_kind": "region", "rule": "J3"}},
                  {"chair": {"principal_kind": "municipality", "rule": "J3"}}],
    })
    for year in range(2027, 2027 + 8 * years):
        n = (year - 2027) // years
        period = rules.period_for_year(rule, year)
        assert period.start == dt.date(2027 + n * years, 1, 1)
        assert period.end == dt.date(2027 + (n + 1) * years - 1, 12, 31)
        assert _reqs(rule, year)["chair"].principal_kind == ("region" if n % 2 == 0
                                                             else "municipality")
    with pytest.raises(RotationError, match="from 2027"):
        rules.period_for_year(rule, 2026)


def test_every_preset_rotation_is_readable_for_ten_years():
    """Every rotation rule in every preset file (HälSam, Jämtland, Västerbotten as they are
    added) has a meaning for ten years from its start, with no gaps between periods."""
    checked = 0
    for name in available_presets():
        for body in read_preset(resolve_preset(name)).bodies:
            if not body.rotation:
                continue
            rule = rules.parse_rotation(body.rotation)
            previous = None
            for period in rules.iter_periods(rule, until_year=rule.start_year + 9):
                assert rules.requirements(rule, period), body.slug
                if previous is not None:
                    assert period.start == previous.end + dt.timedelta(days=1)
                previous = period
            checked += 1
    assert checked >= 26  # HälSam alone: presidium, Länsledning, 3 LSG, 21 local groups


# --- properties ----------------------------------------------------------------------------

@st.composite
def alternating_rules(draw) -> rules.RotationRule:
    """A two-step alternating rule in the presets' shape, with random extensions."""
    years = draw(st.integers(1, 4))
    start = draw(st.integers(2000, 2040))
    vice_style = draw(st.sampled_from(["not_chair", "concrete", "none"]))
    steps = []
    for chair in ("region", "municipality"):
        step: dict = {"chair": {"principal_kind": chair, "rule": "V3"}}
        if vice_style == "not_chair":
            step["vice_chair"] = {"principal_kind": "not_chair", "rule": "V3"}
        elif vice_style == "concrete":
            step["vice_chair"] = {"principal_kind": rules._opposite(chair), "rule": "H20"}
        steps.append(step)
    data: dict = {"term": {"years": years, "start_year": start}, "cycle": steps,
                  "cycle_start": draw(st.integers(0, 1)), "extensions": []}
    for index in sorted(draw(st.sets(st.integers(0, 12), max_size=4))):
        so_far = rules.parse_rotation(data)
        period = list(rules.iter_periods(so_far, until_year=start + 60))[index]
        data["extensions"].append({"period_start": period.start.year,
                                   "years": draw(st.integers(1, 3))})
    return rules.parse_rotation(data)


@settings(max_examples=150, deadline=None)
@given(rule=alternating_rules())
def test_property_alternating_rule_never_repeats_a_side(rule):
    """No principal kind chairs two periods running; an extension only lengthens a period
    (V3/V8, H11, H20, J3)."""
    periods = list(rules.iter_periods(rule, until_year=rule.start_year + 40))
    extra = {e.period_start: e.years for e in rule.extensions}
    for a, b in zip(periods, periods[1:], strict=False):
        ka = rules.requirements(rule, a)["chair"].principal_kind
        kb = rules.requirements(rule, b)["chair"].principal_kind
        assert ka != kb, (a, b)
    for p in periods[:-1]:
        assert p.end.year - p.start.year + 1 == rule.term_years + extra.get(p.start.year, 0)


@settings(max_examples=150, deadline=None)
@given(rule=alternating_rules())
def test_property_chair_and_vice_from_different_sides(rule):
    """Where the rule says chair and vice come from different sides (H12, H16, H20, V3),
    the requirements always put them on different sides."""
    for period in rules.iter_periods(rule, until_year=rule.start_year + 30):
        reqs = rules.requirements(rule, period)
        if "vice_chair" in reqs:
            assert reqs["vice_chair"].other_side_than_chair
            assert rules.side(reqs["chair"].principal_kind) != rules.side(
                reqs["vice_chair"].principal_kind)


@settings(max_examples=200, deadline=None)
@given(rule=alternating_rules(), offset=st.integers(0, 365 * 30))
def test_property_every_date_falls_in_exactly_one_period(rule, offset):
    """Periods tile the calendar from the rule's start: the period of a date contains it,
    and its neighbours end the day before and start the day after."""
    day = dt.date(rule.start_year, 1, 1) + dt.timedelta(days=offset)
    period = rules.period_for(rule, day)
    assert period.start <= day <= period.end
    following = rules.next_period(rule, period)
    assert following.start == period.end + dt.timedelta(days=1)
    assert following.index == period.index + 1
    if period.index > 0:
        before = rules.period_for(rule, period.start - dt.timedelta(days=1))
        assert before.end == period.start - dt.timedelta(days=1)
    assert rules.period_for(rule, period.start) == rules.period_for(rule, period.end) == period


def test_dates_before_the_rule_starts_are_an_error(halsam_rotations):
    """HälSam starts 2023-01-01 (H25): there is no rotation to compute for 2022."""
    rule = _rule(halsam_rotations, "lansledning")
    with pytest.raises(RotationError, match="applies from 2023"):
        rules.period_for(rule, dt.date(2022, 12, 31))
    assert rules.period_for(rule, dt.date(2023, 1, 1)).index == 0


# --- checking office holders ------------------------------------------------------------

def _check(halsam_rotations, slug: str, year: int, holders: list[Holder], name: str,
           **kw) -> list[rules.Finding]:
    rule = _rule(halsam_rotations, slug)
    return rules.check_office_holders(rule, rules.period_for_year(rule, year), holders,
                                      body_name=name, **kw)


def _codes(findings: list[rules.Finding]) -> set[tuple[str, str, str]]:
    return {(f.severity, f.code, f.office) for f in findings}


def _lansledning(year: int, chair: Holder) -> list[Holder]:
    region_side = chair.principal_kind == "region"
    vice = (Holder("vice_chair", "Bo Berg", "municipality", "Timrå kommun", "social_services")
            if region_side else Holder("vice_chair", "Cia Ek", "region", REGION, "health_care"))
    return [chair, vice,
            Holder("second_vice_chair", "Dan Ås", "municipality", "Kramfors kommun", "school")]


def test_h11_region_chairing_lansledning_two_years_running_is_an_error(halsam_rotations):
    """H11: the region chairs in year 1 (2023) and may not chair again in 2024."""
    anna = Holder("chair", "Anna Andersson", "region", REGION, "health_care")
    assert _check(halsam_rotations, "lansledning", 2023, _lansledning(2023, anna),
                  "Länsledning") == []
    findings = _check(halsam_rotations, "lansledning", 2024,
                      [anna, Holder("vice_chair", "Bo Berg", "municipality", "Timrå kommun"),
                       Holder("second_vice_chair", "Dan Ås", "municipality", "Kramfors kommun",
                              "school")],
                      "Länsledning")
    # The chair is wrong (H11), and so is the vice chair kept from 2023 (H12: in 2024 the
    # vice chair comes from the region, the side that does not chair).
    assert [(f.severity, f.code, f.office, f.rule_id) for f in findings] == [
        ("error", "wrong_principal_kind", "chair", "H11"),
        ("error", "wrong_principal_kind", "vice_chair", "H12")]
    assert findings[0].message_sv == (
        "Ordförande i Länsledning 2024 ska komma från socialtjänsten i en kommun "
        "(H11, seed 000), men Anna Andersson företräder hälso- och sjukvården i "
        "Region Västernorrland.")


def test_h11_municipal_chair_must_be_a_head_of_social_services(halsam_rotations):
    """H11 year 2: 'en förvaltningschef för socialtjänsten' — a school head is wrong."""
    eva = Holder("chair", "Eva Lund", "municipality", "Sundsvalls kommun", "school")
    findings = _check(halsam_rotations, "lansledning", 2028, _lansledning(2028, eva),
                      "Länsledning")
    assert _codes(findings) == {("error", "wrong_sector", "chair")}
    assert "Eva Lund företräder skolan i Sundsvalls kommun" in findings[0].message_sv


def test_h12_same_side_vice_chair_is_an_error(halsam_rotations):
    """H12: the 1st vice chair represents the organisation that does not chair."""
    holders = [Holder("chair", "Anna Andersson", "region", REGION),
               Holder("vice_chair", "Olle Ek", "region", REGION),
               Holder("second_vice_chair", "Dan Ås", "municipality", "Kramfors kommun",
                      "school")]
    findings = _check(halsam_rotations, "lansledning", 2027, holders, "Länsledning")
    assert _codes(findings) == {("error", "same_side_as_chair", "vice_chair")}
    assert "(H12, seed 000)" in findings[0].message_sv
    assert "1:e vice ordförande i Länsledning 2027" in findings[0].message_sv


@pytest.mark.parametrize("slug", ["lansamordning-aldre", "lansamordning-vuxna"])
def test_h16_deputy_from_the_same_side_as_the_chair_is_an_error(halsam_rotations, slug):
    """H16: 'en från kommunerna och en från regionen'."""
    if slug == "lansamordning-aldre":
        chair = Holder("chair", "Ali Berg", "region", REGION, "health_care", None,
                       "områdesdirektör hälso- och sjukvård")
        vice = Holder("vice_chair", "Britt Sund", "region", REGION, "health_care")
    else:
        chair = Holder("chair", "Ali Berg", "municipality", "Ånge kommun", "social_services")
        vice = Holder("vice_chair", "Britt Sund", "municipality", "Timrå kommun")
    findings = _check(halsam_rotations, slug, 2026, [chair, vice], "LSG")
    assert _codes(findings) == {("error", "same_side_as_chair", "vice_chair")}
    assert findings[0].rule_id == "H16"


def test_h20_local_group_that_forgot_to_switch(halsam_rotations):
    """H20: after 2023–2024 with the municipality chairing, the region chairs 2025–2026."""
    holders = [Holder("chair", "Kim Nord", "municipality", "Sundsvalls kommun"),
               Holder("vice_chair", "Lo Syd", "region", REGION)]
    ok = _check(halsam_rotations, "lokal-sundsvall-vuxna", 2024, holders,
                "Lokal samverkan Sundsvall – Vuxna")
    assert ok == []
    findings = _check(halsam_rotations, "lokal-sundsvall-vuxna", 2025, holders,
                      "Lokal samverkan Sundsvall – Vuxna")
    assert _codes(findings) == {("error", "wrong_principal_kind", "chair"),
                                ("error", "wrong_principal_kind", "vice_chair")}
    assert findings[0].message_sv == (
        "Ordförande i Lokal samverkan Sundsvall – Vuxna 2025–2026 ska komma från regionen "
        "(H20, seed 000), men Kim Nord företräder Sundsvalls kommun.")


def test_missing_office_holder_is_a_warning(halsam_rotations):
    holders = [Holder("chair", "Anna Andersson", "region", REGION)]
    findings = _check(halsam_rotations, "lansledning", 2025, holders, "Länsledning")
    assert _codes(findings) == {("warning", "missing_office_holder", "vice_chair"),
                                ("warning", "missing_office_holder", "second_vice_chair")}
    assert all(f.severity != "error" for f in findings)


def _presidium(**overrides) -> list[Holder]:
    people = {
        "barn-och-unga": Holder("chair", "Sara Ström", "municipality", "Sundsvalls kommun",
                                "school", "barn-och-unga"),
        "vuxna": Holder("chair", "Per Vik", "municipality", "Härnösands kommun",
                        "social_services", "vuxna"),
        "aldre": Holder("chair", "Ulla Björk", "region", REGION, "health_care", "aldre"),
    }
    people.update(overrides)
    chairs = [h for h in people.values() if h is not None]
    return [*chairs, Holder("convener", "Per Vik", "municipality", "Härnösands kommun")]


AREAS = ("barn-och-unga", "vuxna", "aldre")


def test_h4_h5_presidium_as_recommended_has_no_findings(halsam_rotations):
    assert _check(halsam_rotations, "halsam-presidium", 2027, _presidium(),
                  "HälSams politiska presidium", areas=AREAS) == []


def test_h5_municipal_members_from_the_same_municipality_is_only_a_warning(halsam_rotations):
    """H5: 'En rekommendation är att dessa väljs från olika kommuner' — warn, do not block."""
    holders = _presidium(vuxna=Holder("chair", "Per Vik", "municipality", "Sundsvalls kommun",
                                      "social_services", "vuxna"))
    holders[-1] = Holder("convener", "Per Vik", "municipality", "Sundsvalls kommun")
    findings = _check(halsam_rotations, "halsam-presidium", 2027, holders,
                      "HälSams politiska presidium", areas=AREAS)
    assert [(f.severity, f.code, f.rule_id) for f in findings] == [
        ("warning", "municipal_members_same_municipality", "H5")]
    assert findings[0].message_sv == (
        "HälSams politiska presidium 2027–2030: kommunernas ledamöter rekommenderas komma "
        "från olika kommuner (H5, seed 000), men Per Vik och Sara Ström företräder båda "
        "Sundsvalls kommun.")


def test_h4_convener_not_among_the_chairs_and_areas(halsam_rotations):
    """H4: one chair per strategic area; the convener is one of them."""
    holders = _presidium(aldre=None, vuxna=Holder("chair", "Per Vik", "municipality",
                                                   "Härnösands kommun", None, "barn-och-unga"))
    holders[-1] = Holder("convener", "Nils Utom", "region", REGION)
    findings = _check(halsam_rotations, "halsam-presidium", 2023, holders,
                      "HälSams politiska presidium", areas=AREAS)
    assert _codes(findings) == {("error", "not_among", "convener"),
                                ("error", "two_holders_for_area", "chair"),
                                ("warning", "missing_office_holder", "chair")}
    # Without the list of areas, the presidium size from the data (H4: 3) is the measure.
    no_areas = _check(halsam_rotations, "halsam-presidium", 2023, holders[:1],
                      "HälSams politiska presidium")
    assert ("warning", "missing_office_holder", "chair") in _codes(no_areas)


@settings(max_examples=100, deadline=None)
@given(rule=alternating_rules(), offset=st.integers(0, 30))
def test_property_holders_who_follow_the_rule_give_no_errors(rule, offset):
    period = rules.period_for_year(rule, rule.start_year + offset)
    names = {"region": "Region X", "municipality": "X kommun"}
    holders = []
    for office, req in rules.requirements(rule, period).items():
        holders.append(Holder(office, f"Person {office}", req.principal_kind,
                              names[req.principal_kind], req.sector))
    findings = rules.check_office_holders(rule, period, holders, body_name="Gruppen")
    assert findings == []
    # Swapping the sides of chair and vice always breaks the rule.
    swapped = [Holder(h.office, h.person_name, rules._opposite(h.principal_kind) or "",
                      names[rules._opposite(h.principal_kind) or "region"]) for h in holders]
    errors = [f for f in rules.check_office_holders(rule, period, swapped, body_name="G")
              if f.severity == "error"]
    assert errors


def test_h12_right_vice_beside_a_wrong_chair_only_blames_the_chair(halsam_rotations):
    """2024: a region chair is wrong (H11); a region vice chair is what H12 asks for."""
    holders = [Holder("chair", "Anna Andersson", "region", REGION),
               Holder("vice_chair", "Cia Ek", "region", REGION),
               Holder("second_vice_chair", "Dan Ås", "municipality", "Kramfors kommun",
                      "school")]
    findings = _check(halsam_rotations, "lansledning", 2024, holders, "Länsledning")
    assert _codes(findings) == {("error", "wrong_principal_kind", "chair")}


def test_v3_chair_from_either_side_keeps_not_chair_as_a_relation():
    """V3 read as 'chair from either principal, vice from the other': the vice chair's kind
    is not known until the chair is elected, so it stays the relation not_chair, and a
    same-side pair is an error."""
    rule = rules.parse_rotation({
        "term": {"years": 1, "start_year": 2024},
        "cycle": [{"chair": {"principal_kind": "any", "rule": "V3"},
                   "vice_chair": {"principal_kind": "not_chair", "rule": "V3"}}],
    })
    period = rules.period_for_year(rule, 2030)
    vice = rules.requirements(rule, period)["vice_chair"]
    assert (vice.principal_kind, vice.other_side_than_chair) == ("not_chair", True)
    summary = rules.rotation_summary(rule, period, body_slug="samrad")
    assert summary["offices"]["vice_chair"] == {"principal_kind": "not_chair", "sector": None,
                                                "rule": "V3"}
    assert summary["election"] == {"due_by": "2029-12-31"}
    ok = [Holder("chair", "A", "municipality", "Umeå kommun"),
          Holder("vice_chair", "B", "region", "Region Västerbotten")]
    assert rules.check_office_holders(rule, period, ok, body_name="Samrådet") == []
    same = [ok[0], Holder("vice_chair", "B", "municipality", "Skellefteå kommun")]
    findings = rules.check_office_holders(rule, period, same, body_name="Samrådet")
    assert [(f.severity, f.code, f.rule_id) for f in findings] == [
        ("error", "same_side_as_chair", "V3")]
    assert "(V3, seed 004)" in findings[0].message_sv


def _preset_rule(preset: str, slug: str, **changes) -> rules.RotationRule:
    body = next(b for b in read_preset(resolve_preset(preset)).bodies if b.slug == slug)
    return rules.parse_rotation({**body.rotation, **changes})


@pytest.mark.parametrize(("slug", "rule_id"), [("samrad-vard-och-omsorg", "V3"),
                                                ("lansamverkansgruppen", "V8")])
def test_v3_v8_vasterbotten_preset_alternates_yearly_and_extends(slug, rule_id):
    """V3/V8 as the Västerbotten preset states them: one calendar year, chair and vice from
    the two principals, switching every year; a recorded extension shifts the cycle."""
    rule = _preset_rule("vasterbotten", slug)
    chairs = _chair_by_year(rule, range(rule.start_year, rule.start_year + 10))
    for year, kind in chairs.items():
        reqs = _reqs(rule, year)
        assert rules.side(reqs["vice_chair"].principal_kind) != rules.side(kind)
        assert reqs["chair"].rule_id == rule_id
        assert rules.period_for_year(rule, year).end == dt.date(year, 12, 31)
        if year > rule.start_year:
            assert kind != chairs[year - 1]
    first = rule.start_year + 2
    extended = _preset_rule("vasterbotten", slug,
                            extensions=[{"period_start": first, "years": 1}])
    after = _chair_by_year(extended, range(first, first + 8))
    assert after[first] == after[first + 1] == chairs[first]
    assert all(after[y] == chairs[y - 1] for y in range(first + 2, first + 8))


@pytest.mark.parametrize("slug", ["pahsu", "tahsu"])
def test_j3_jamtland_preset_alternates_from_2027(slug):
    """J3 as the Jämtland preset states it: from 2027 (J7), one year by default."""
    rule = _preset_rule("jamtland-harjedalen", slug)
    assert rule.start_year == 2027
    chairs = _chair_by_year(rule, range(2027, 2037))
    assert {rules.side(k) for k in chairs.values()} == {"region", "municipal"}
    assert all(chairs[y] != chairs[y + 1] for y in range(2027, 2036))
    two_year = _preset_rule("jamtland-harjedalen", slug,
                            term={"years": 2, "start_year": 2027})
    assert rules.period_for_year(two_year, 2028).start == dt.date(2027, 1, 1)
    assert _chair_by_year(two_year, range(2027, 2031)) == {
        2027: chairs[2027], 2028: chairs[2027], 2029: chairs[2028], 2030: chairs[2028]}
