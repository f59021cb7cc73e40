"""Issue 13 §5: rotation extensions as decisions (V3, V8), the loader keeping a local
rotation, and the presidium chairs' areas (H8, H18)."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from governance import area_chairs, rules
from governance.models import Body, Office, OfficeTerm, Person, StrategicArea
from governance.presets import load_structure
from meetings.models import Meeting, MeetingKind, MeetingStatus, RotationExtension
from meetings.rotation_extensions import area_chairs_section, rotation_extension_record

from .factories import PersonFactory, UserFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def vasterbotten(db):
    load_structure("vasterbotten")


def held(body: Body, day: dt.date, *, status=MeetingStatus.HELD, **fields) -> Meeting:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(13, 0)))
    return Meeting.objects.create(body=body, start=start, end=start + dt.timedelta(hours=2),
                                  place="Regionens hus", status=status, **fields)


def chair_kinds(body: Body, years) -> dict[int, str]:
    rule = rules.parse_rotation(body.rotation)
    return {y: rules.requirements(rule, rules.period_for_year(rule, y))["chair"].principal_kind
            for y in years}


# --- V3: Samrådet, a longer period only by unanimous decision ----------------------------

def test_v3_extension_refused_unless_unanimous(vasterbotten, coordinator):
    """V3 (seed 004): "Ordförandes och vice ordförandes uppdrag kan efter enigt beslut i
    gruppen löpa på längre tid än ett år." A decision not recorded as unanimous is refused,
    naming V3, and nothing is written."""
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    meeting = held(samrad, dt.date(2025, 11, 20))
    with pytest.raises(ValidationError) as exc:
        rotation_extension_record(body=samrad, meeting=meeting, period_start=2025, years=1,
                                  unanimous=False, actor=coordinator)
    assert "unanimous" in exc.value.message_dict
    assert "V3, seed 004" in exc.value.message_dict["unanimous"][0]
    samrad.refresh_from_db()
    assert not RotationExtension.objects.exists()
    assert samrad.rotation["extensions"] == []


def test_v3_unanimous_extension_lengthens_the_period_and_the_cycle_goes_on(vasterbotten,
                                                                           coordinator):
    """V3: the region chairs 2025; extended unanimously, it chairs 2025–2026, and the
    municipalities take their turn in 2027 (no side loses its turn)."""
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    before = chair_kinds(samrad, range(2023, 2031))
    assert before == {2023: "region", 2024: "municipality", 2025: "region",
                      2026: "municipality", 2027: "region", 2028: "municipality",
                      2029: "region", 2030: "municipality"}
    meeting = held(samrad, dt.date(2025, 11, 20))
    decision = rotation_extension_record(body=samrad, meeting=meeting, period_start=2025,
                                         years=1, unanimous=True, note="§ 14",
                                         actor=coordinator)
    samrad.refresh_from_db()
    assert samrad.rotation["extensions"] == [{
        "period_start": 2025, "years": 1, "decided_on": "2025-11-20", "note": "§ 14",
        "decision": decision.pk}]
    rule = rules.parse_rotation(samrad.rotation)
    period = rules.period_for_year(rule, 2026)
    assert (period.start, period.end) == (dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    assert chair_kinds(samrad, range(2023, 2031)) == {
        2023: "region", 2024: "municipality", 2025: "region", 2026: "region",
        2027: "municipality", 2028: "region", 2029: "municipality", 2030: "region"}
    assert decision.decided_on == dt.date(2025, 11, 20) and decision.unanimous


def test_v3_decision_kept_in_history_with_who_and_why(vasterbotten, coordinator):
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    meeting = held(samrad, dt.date(2026, 3, 5))
    decision = rotation_extension_record(body=samrad, meeting=meeting, period_start=2026,
                                         years=2, unanimous=True, actor=coordinator)
    row = decision.history.get()
    assert row.history_user == coordinator
    assert "V3, seed 004" in row.history_change_reason
    assert "2 years" in row.history_change_reason
    body_row = samrad.history.order_by("-history_date", "-history_id").first()
    assert body_row.history_user == coordinator
    assert body_row.rotation["extensions"][0]["decision"] == decision.pk


@pytest.mark.parametrize("case", ["other_body", "not_held", "not_a_period", "after_period",
                                  "twice"])
def test_v3_refusals_name_the_field_and_write_nothing(vasterbotten, coordinator, case):
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    lsg = Body.objects.get(slug="lansamverkansgruppen")
    meeting, start, field = held(samrad, dt.date(2025, 6, 1)), 2025, "meeting"
    if case == "other_body":
        meeting = held(lsg, dt.date(2025, 6, 1))
    elif case == "not_held":
        meeting = held(samrad, dt.date(2025, 6, 2), status=MeetingStatus.PLANNED)
    elif case == "not_a_period":
        rotation_extension_record(body=samrad, meeting=meeting, period_start=2025, years=1,
                                  unanimous=True, actor=coordinator)
        start, field = 2026, "period_start"  # 2026 is inside the period 2025–2026
    elif case == "after_period":
        meeting = held(samrad, dt.date(2026, 1, 15))
    elif case == "twice":
        rotation_extension_record(body=samrad, meeting=meeting, period_start=2025, years=1,
                                  unanimous=True, actor=coordinator)
        field = "period_start"
    rows = RotationExtension.objects.count()
    rotation = Body.objects.get(pk=samrad.pk).rotation
    with pytest.raises(ValidationError) as exc:
        rotation_extension_record(body=samrad, meeting=meeting, period_start=start, years=1,
                                  unanimous=True, actor=coordinator)
    assert field in exc.value.message_dict
    assert RotationExtension.objects.count() == rows
    assert Body.objects.get(pk=samrad.pk).rotation == rotation


def test_v3_body_without_extension_rule_refused(halsam, coordinator):
    """H11's Länsledning alternates every year and its rule allows no extension."""
    lansledning = Body.objects.get(slug="lansledning")
    meeting = held(lansledning, dt.date(2025, 11, 20))
    with pytest.raises(ValidationError) as exc:
        rotation_extension_record(body=lansledning, meeting=meeting, period_start=2025,
                                  years=1, unanimous=True, actor=coordinator)
    assert exc.value.message_dict["period_start"]
    assert not RotationExtension.objects.exists()


# --- V8: LSG, longer by decision of the group (unanimity not required) --------------------

def test_v8_lsg_extension_by_decision_of_the_group(vasterbotten, coordinator):
    """V8 (seed 004): "Ordförandes och vice ordförandes uppdrag kan efter beslut i gruppen
    löpa på längre tid än ett år" — no unanimity asked."""
    lsg = Body.objects.get(slug="lansamverkansgruppen")
    meeting = held(lsg, dt.date(2023, 12, 1))
    rotation_extension_record(body=lsg, meeting=meeting, period_start=2024, years=2,
                              unanimous=False, actor=coordinator)
    lsg.refresh_from_db()
    assert chair_kinds(lsg, range(2023, 2030)) == {
        2023: "region", 2024: "municipality", 2025: "municipality", 2026: "municipality",
        2027: "region", 2028: "municipality", 2029: "region"}


# --- the coordinator's form and the body page ---------------------------------------------

def test_v3_form_refuses_without_unanimity_and_records_with_it(vasterbotten,
                                                               coordinator_client):
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    this_year = timezone.localdate().year
    meeting = held(samrad, timezone.localdate() - dt.timedelta(days=1))
    url = reverse("meetings:rotation_extend", kwargs={"slug": samrad.slug})
    page = coordinator_client.get(url)
    assert page.status_code == 200
    data = {"period_start": this_year, "years": 1, "meeting": meeting.pk, "reason": "Beslut"}
    refused = coordinator_client.post(url, data)
    assert refused.status_code == 200
    assert "V3" in refused.content.decode()
    assert not RotationExtension.objects.exists()
    done = coordinator_client.post(url, {**data, "unanimous": "on"})
    assert done.status_code == 302
    body_page = coordinator_client.get(samrad.get_absolute_url()).content.decode()
    # The page is in Swedish: "Förlängd till 2028 genom beslut vid mötet den …, enhälligt (V3)."
    assert f"Förlängd till {this_year + 1} genom beslut vid mötet den" in body_page
    assert "enhälligt (V3)" in body_page
    assert reverse("meetings:rotation_extend", kwargs={"slug": samrad.slug}) in body_page


def test_v3_form_only_for_coordinators_and_extendable_bodies(vasterbotten, halsam,
                                                            coordinator_client):
    url = reverse("meetings:rotation_extend", kwargs={"slug": "samrad-vard-och-omsorg"})
    client = Client()
    assert client.get(url).status_code == 302  # to the login
    client.force_login(UserFactory(username="ledamot"))
    assert client.get(url).status_code == 403
    assert coordinator_client.get(reverse(
        "meetings:rotation_extend", kwargs={"slug": "lansledning"})).status_code == 404
    page = client.get(reverse("governance:body", kwargs={"slug": "samrad-vard-och-omsorg"}))
    assert "forlang-ordforandeskap" not in page.content.decode()


def _queries(client, url) -> int:
    client.get(url)  # warm the session and the permission caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_v3_body_page_queries_do_not_grow_with_decisions(vasterbotten, coordinator,
                                                         coordinator_client):
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    rotation_extension_record(body=samrad, meeting=held(samrad, dt.date(2023, 5, 1)),
                              period_start=2023, years=1, unanimous=True, actor=coordinator)
    url = samrad.get_absolute_url()
    one = _queries(coordinator_client, url)
    for start, day in ((2025, dt.date(2025, 5, 1)), (2027, dt.date(2027, 5, 1))):
        samrad.refresh_from_db()
        rotation_extension_record(body=samrad, meeting=held(samrad, day), period_start=start,
                                  years=1, unanimous=True, actor=coordinator)
    assert RotationExtension.objects.count() == 3
    assert _queries(coordinator_client, url) == one


# --- the loader keeps a local rotation ------------------------------------------------------

def test_loader_keeps_a_rotation_changed_in_the_admin(vasterbotten):
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    local = {**samrad.rotation, "cycle_start": 1}  # "the municipalities start", say
    samrad.rotation = local
    samrad.save()
    report = load_structure("vasterbotten")
    samrad.refresh_from_db()
    assert samrad.rotation == local
    assert any("samrad-vard-och-omsorg" in line and "changed locally" in line
               for line in report.kept)


def test_loader_reset_rotation_takes_the_presets(vasterbotten):
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    preset = samrad.rotation
    samrad.rotation = {**preset, "cycle_start": 1}
    samrad.save()
    out = StringIO()
    call_command("load_structure", "vasterbotten", "--reset-rotation", "-v", "2", stdout=out)
    samrad.refresh_from_db()
    assert samrad.rotation == preset
    assert "--reset-rotation" in out.getvalue()


def test_loader_applies_a_changed_preset_where_nothing_changed_locally(vasterbotten):
    """Without a local change the preset's new rule is taken, as before."""
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    preset = samrad.rotation
    old = {k: v for k, v in preset.items() if k != "extension"}  # an earlier preset
    Body.objects.filter(pk=samrad.pk).update(rotation=old, rotation_preset=old)
    report = load_structure("vasterbotten")
    samrad.refresh_from_db()
    assert samrad.rotation == preset and samrad.rotation_preset == preset
    assert not any("samrad-vard-och-omsorg" in line for line in report.kept)


def test_loader_keeps_recorded_extensions_even_on_reset(vasterbotten, coordinator):
    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    rotation_extension_record(body=samrad, meeting=held(samrad, dt.date(2025, 11, 20)),
                              period_start=2025, years=1, unanimous=True, actor=coordinator)
    samrad.refresh_from_db()
    extended = samrad.rotation
    out = StringIO()
    call_command("load_structure", "vasterbotten", stdout=out)
    assert "already up to date" in out.getvalue()  # idempotent, nothing "kept" to report
    assert "samrad" not in out.getvalue()
    call_command("load_structure", "vasterbotten", "--reset-rotation", stdout=StringIO())
    samrad.refresh_from_db()
    assert samrad.rotation == extended


# --- H8 and H18: the chairs of the areas ---------------------------------------------------

@pytest.fixture
def presidium_chairs(halsam):
    """Chairs of the political presidium per area: Anna (Barn och unga) and Bo (Äldre) in
    2023–2026, Cecilia (Barn och unga) from 2027."""
    presidium = Body.objects.get(slug="halsam-presidium")
    areas = {a.code: a for a in StrategicArea.objects.filter(
        structure__slug="halsam-vasternorrland")}
    people = {}
    for name, area, start, end in (
            ("Anna", "barn-och-unga", dt.date(2023, 1, 1), dt.date(2026, 12, 31)),
            ("Bo", "aldre", dt.date(2023, 1, 1), dt.date(2026, 12, 31)),
            ("Cecilia", "barn-och-unga", dt.date(2027, 1, 1), None)):
        people[name] = PersonFactory(first_name=name, last_name="Ordförande")
        OfficeTerm.objects.create(body=presidium, office=Office.CHAIR, area=areas[area],
                                  person=people[name], start=start, end=end)
    return people


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2023, 3, 1), "Anna"), (dt.date(2024, 6, 1), "Anna"),
    (dt.date(2026, 12, 31), "Anna"), (dt.date(2027, 1, 1), "Cecilia"),
    (dt.date(2029, 5, 1), "Cecilia")])
def test_h18_county_group_contact_is_the_area_chair_of_the_year(presidium_chairs, day,
                                                                expected):
    """H18 (seed 000): the länssamordningsgrupp's chair keeps contact with HälSam's
    presidium chair of the same area — who changes with the mandate period."""
    group = Body.objects.select_related("structure").get(slug="lansamordning-barn-och-unga")
    contact = area_chairs.contact_politician(group, on=day)
    assert contact.person.first_name == expected
    assert contact.body.slug == "halsam-presidium"


def test_h18_no_contact_without_a_chair_for_the_area_or_outside_county_groups(
        presidium_chairs):
    vuxna = Body.objects.select_related("structure").get(slug="lansamordning-vuxna")
    assert area_chairs.contact_politician(vuxna, on=dt.date(2025, 1, 1)) is None
    aldre = Body.objects.select_related("structure").get(slug="lansamordning-aldre")
    assert area_chairs.contact_politician(aldre, on=dt.date(2025, 1, 1)).person.first_name == "Bo"
    assert area_chairs.contact_politician(aldre, on=dt.date(2027, 1, 1)) is None  # not elected
    local = Body.objects.select_related("structure").get(slug="lokal-timra-aldre")
    assert area_chairs.contact_politician(local, on=dt.date(2025, 1, 1)) is None


def test_h18_county_group_page_names_the_contact_politician(halsam, client):
    presidium = Body.objects.get(slug="halsam-presidium")
    area = StrategicArea.objects.get(structure__slug="halsam-vasternorrland", code="vuxna")
    today = timezone.localdate()
    person = PersonFactory(first_name="Dagny", last_name="Kontakt")
    OfficeTerm.objects.create(body=presidium, office=Office.CHAIR, area=area, person=person,
                              start=today - dt.timedelta(days=30))
    url = reverse("governance:body", kwargs={"slug": "lansamordning-vuxna"})
    page = client.get(url).content.decode()
    assert "Kontaktpolitiker" in page and "Dagny Kontakt" in page
    assert presidium.get_absolute_url() in page
    other = client.get(reverse("governance:body", kwargs={"slug": "lansamordning-aldre"}))
    assert "Kontaktpolitiker" not in other.content.decode()


class _Page:
    def __init__(self, body: Body, on: dt.date):
        self.body, self.on = body, on
        self.offices = list(OfficeTerm.objects.active_on(on).filter(body=body)
                            .select_related("person__principal", "area"))


def _theme(halsam_body, area_code, day, **fields):
    area = StrategicArea.objects.get(structure__slug="halsam-vasternorrland", code=area_code)
    return held(halsam_body, day, kind=MeetingKind.THEME, area=area,
                title=f"Temamöte {area.name}", status=MeetingStatus.PLANNED, **fields)


def test_h8_presidium_chair_answers_for_the_theme_meetings_of_the_area(presidium_chairs, rf):
    """H8 (seed 000): "Respektive ordförande ansvarar för de möten som berör deras
    strategiska område och är kontaktpolitiker för områdets länssamordningsgrupp.\""""
    halsam_body = Body.objects.get(slug="halsam")
    presidium = Body.objects.select_related("structure").get(slug="halsam-presidium")
    bou_2025 = _theme(halsam_body, "barn-och-unga", dt.date(2025, 3, 12))
    bou_2026 = _theme(halsam_body, "barn-och-unga", dt.date(2026, 3, 11))
    aldre_2025 = _theme(halsam_body, "aldre", dt.date(2025, 10, 8))
    bou_2027 = _theme(halsam_body, "barn-och-unga", dt.date(2027, 3, 10))
    _theme(halsam_body, "vuxna", dt.date(2025, 5, 7))
    Meeting.objects.create(body=halsam_body, title="Gemensamt möte", kind=MeetingKind.JOINT,
                           place="Sundsvall", start=bou_2025.start + dt.timedelta(days=60),
                           end=bou_2025.end + dt.timedelta(days=60))
    request = rf.get("/")
    request.user = UserFactory(username="besokare")

    section = area_chairs_section(request, _Page(presidium, dt.date(2025, 6, 1)))
    by_name = {c.term.person.first_name: c for c in section["chairs"]}
    assert [m.pk for m in by_name["Anna"].meetings] == [bou_2025.pk, bou_2026.pk]  # term ends 2026
    assert [m.pk for m in by_name["Bo"].meetings] == [aldre_2025.pk]
    assert [g.slug for g in by_name["Anna"].groups] == ["lansamordning-barn-och-unga"]
    assert [g.slug for g in by_name["Bo"].groups] == ["lansamordning-aldre"]

    section = area_chairs_section(request, _Page(presidium, dt.date(2027, 2, 1)))
    by_name = {c.term.person.first_name: c for c in section["chairs"]}
    assert set(by_name) == {"Cecilia"}  # the chair changes with the mandate period
    assert [m.pk for m in by_name["Cecilia"].meetings] == [bou_2027.pk]


def test_h8_no_area_section_on_other_bodies(presidium_chairs, rf):
    request = rf.get("/")
    request.user = UserFactory(username="besokare")
    lansledning = Body.objects.select_related("structure").get(slug="lansledning")
    assert area_chairs_section(request, _Page(lansledning, dt.date(2025, 6, 1))) is None


def test_h8_presidium_page_lists_theme_meetings_in_fixed_queries(halsam, client):
    presidium = Body.objects.get(slug="halsam-presidium")
    halsam_body = Body.objects.get(slug="halsam")
    today = timezone.localdate()
    areas = list(StrategicArea.objects.filter(structure__slug="halsam-vasternorrland"))
    for i, area in enumerate(areas):
        OfficeTerm.objects.create(body=presidium, office=Office.CHAIR, area=area,
                                  person=PersonFactory(first_name=f"Ordf{i}"),
                                  start=today - dt.timedelta(days=10))
    _theme(halsam_body, areas[0].code, today + dt.timedelta(days=20))
    url = presidium.get_absolute_url()
    one = _queries(client, url)
    for n in range(1, 4):
        for area in areas:
            _theme(halsam_body, area.code, today + dt.timedelta(days=20 + n * 7))
    assert _queries(client, url) == one
    page = client.get(url).content.decode()
    assert "Ansvarar för temamötena" in page
    assert "Kontaktpolitiker för" in page
    assert reverse("governance:body", kwargs={"slug": "lansamordning-barn-och-unga"}) in page
    assert Person.objects.filter(first_name="Ordf0").exists()


def test_h18_county_group_page_queries_do_not_grow(halsam, client):
    url = reverse("governance:body", kwargs={"slug": "lansamordning-vuxna"})
    before = _queries(client, url)
    presidium = Body.objects.get(slug="halsam-presidium")
    today = timezone.localdate()
    for i, area in enumerate(StrategicArea.objects.filter(
            structure__slug="halsam-vasternorrland")):
        OfficeTerm.objects.create(body=presidium, office=Office.CHAIR, area=area,
                                  person=PersonFactory(first_name=f"P{i}"),
                                  start=today - dt.timedelta(days=10))
    assert _queries(client, url) == before


def test_v3_admin_rotation_form_keeps_the_rule_and_the_recorded_decision(vasterbotten,
                                                                         coordinator):
    """Saving the rotation unchanged in the admin keeps `extension` (V3) and the decision's
    id on the extension, so the loader still knows it as the body's decision."""
    from governance.rotation_form import RotationEditor

    from .test_admin import rotation_data

    samrad = Body.objects.get(slug="samrad-vard-och-omsorg")
    rotation_extension_record(body=samrad, meeting=held(samrad, dt.date(2025, 11, 20)),
                              period_start=2025, years=1, unanimous=True, actor=coordinator)
    samrad.refresh_from_db()
    rule = samrad.rotation
    editor = RotationEditor.build("rotation", data=rotation_data(rule))
    saved = editor.to_json(rule)
    assert saved == rule
    assert saved["extension"] == {"requires": "unanimous", "rule": "V3"}
    assert saved["extensions"][0]["decision"] == RotationExtension.objects.get().pk


def test_v3_preset_extension_key_is_checked(tmp_path):
    """A typo in the rotation's `extension` is named with its path, nothing is loaded."""
    from governance.presets import PresetError
    from governance.presets.loader import PRESET_DIR, read_preset

    text = (PRESET_DIR / "vasterbotten.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "vasterbotten.yaml"
    bad.write_text(text.replace("extension: {requires: unanimous, rule: V3}",
                                "extension: {requires: everybody, rule: V3}"),
                   encoding="utf-8")
    with pytest.raises(PresetError) as exc:
        read_preset(bad)
    assert "rotation.extension.requires" in str(exc.value)
    assert "everybody" in str(exc.value)
