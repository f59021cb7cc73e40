"""The seed rules that are advice or recorded facts rather than checks (issue 13, helper F):
H27–H32, J9, V13, V15–V21, each against the seed's own words.

For each rule the test checks how governance/data/rules.yaml says the portal applies it
(an honest label: these are mostly "Råd", advice, until the matters app of issue 14 makes
them cases), and that the page where its users look shows it: the body whose rule it is
lists it with its label and a link to /regler/, or the structure page does, with the data
the preset holds (H31's resources, V15's date, V16's notice period). The seed's words are
quoted in each docstring; where the shared folder is present, they are also checked
against the seed file itself (``seed_says``).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from governance.models import Body, Structure
from governance.presets import load_structure
from governance.rule_texts import rule_text

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_day(monkeypatch):
    """Make the pages' "today" a given day (a structure's start date matters to them)."""
    def set_day(day: dt.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    return set_day


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_says(seed: str, *words: str) -> None:
    """The seed ``seed`` ("004") states ``words`` (whitespace aside); nothing to check
    where the shared folder is absent (the docstring still quotes them)."""
    files = sorted(SEEDS.glob(f"{seed}_*.txt")) if SEEDS.is_dir() else []
    if not files:
        return
    text = _squash(files[0].read_text(encoding="utf-8"))
    for w in words:
        assert _squash(w) in text, f"seed {seed} does not say {w!r}"


def rule_item(html: str, rule_id: str) -> str:
    """The list item of ``rule_id`` in a page's rules section."""
    start = html.index(f'<a href="/regler/#{rule_id}"><span class="rule-id">{rule_id}</span>')
    return html[start:html.index("</li>", start)]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_shown_as(client, url: str, rule_id: str, label: str) -> str:
    """``url`` lists ``rule_id`` with ``label`` and its Swedish text; returns the item."""
    item = rule_item(page(client, url), rule_id)
    assert f">{label}</span>" in item, (rule_id, label)
    assert _squash(rule_text(rule_id).text)[:60] in _squash(item)
    return item


# --- HälSam (seeds 000, 001) -------------------------------------------------------------

def test_h27_decision_clauses_with_their_own_recipients_shown_as_advice_on_halsam(client):
    """Seed 001: "… (endast till socialtjänster och Region)", "… (endast till kommunernas
    skolförvaltningar)", "Beslutet ska skickas till SocialReKo". Until the matters app
    (issue 14) records att-satser, the rule is advice on HälSam's page."""
    seed_says("001", "(endast till socialtjänster och Region)",
              "(endast till kommunernas skolförvaltningar)", "Beslutet ska skickas till")
    load_structure("halsam-vasternorrland")
    assert rule_text("H27").applies == ("advice",)
    assert "issue 14" in rule_text("H27").where
    item = assert_shown_as(client, "/organ/halsam/", "H27", "Råd")
    assert "endast till kommunernas skolförvaltningar" in item


def test_h28_anchoring_with_majority_and_opposition_shown_on_halsam(client, on_day):
    """Seed 000: "varje organisation har ansvar för att inför och efter beredande beslut i
    Hälsam förankra med sin majoritet och opposition"."""
    seed_says("000", "inför och efter beredande beslut i Hälsam förankra med sin majoritet "
                     "och opposition")
    load_structure("halsam-vasternorrland")
    assert rule_text("H28").applies == ("advice",)
    # Before HälSam's start (H25: 2023-01-01), in its first term and in later ones alike.
    for day in (dt.date(2022, 6, 1), dt.date(2023, 1, 1), dt.date(2026, 12, 31),
                dt.date(2031, 3, 1)):
        on_day(day)
        assert_shown_as(client, "/organ/halsam/", "H28", "Råd")
    # The mandate on the same page says it in the agreement's words too.
    html = page(client, "/organ/halsam/")
    mandate = html[html.index('id="mandate-h"'):]
    assert "förankra med sin majoritet och opposition" in _squash(
        mandate[:mandate.index("</section>")])


def test_h29_each_committee_takes_part_in_its_areas_theme_meetings(client):
    """Seed 000: "Respektive nämnd ansvarar för att delta i arbetet och möten i de
    strategiska områden som berör deras verksamheter." HälSam's page shows it as advice;
    the theme meetings it speaks of are H7's, which the year plan checks."""
    seed_says("000", "Respektive nämnd ansvarar för att delta i arbetet och möten i de "
                     "strategiska områden som berör deras verksamheter")
    load_structure("halsam-vasternorrland")
    assert rule_text("H29").applies == ("advice",)
    assert_shown_as(client, "/organ/halsam/", "H29", "Råd")
    halsam = Body.objects.get(slug="halsam")
    assert halsam.meeting_rule.get("theme_meeting_per_area") is True  # H7, checked


def test_h30_lansledning_answers_for_the_cross_cutting_areas(client):
    """Seed 000, Länsledning, strategic level: "Ansvara för de områden som genomsyrar alla
    grupper; God och nära vård, Psykisk hälsa, Folkhälsa, Hjälpmedel, Patientsäkerhet"."""
    seed_says("000", "Ansvara för de områden som genomsyrar alla grupper; God och nära vård, "
                     "Psykisk hälsa, Folkhälsa, Hjälpmedel, Patientsäkerhet")
    load_structure("halsam-vasternorrland")
    html = page(client, "/organ/lansledning/")
    mandate = html[html.index('id="mandate-h"'):]
    mandate = _squash(mandate[:mandate.index("</section>")]).lower()
    for area in ("god och nära vård", "psykisk hälsa", "folkhälsa", "hjälpmedel",
                 "patientsäkerhet"):
        assert area in mandate, area
    item = assert_shown_as(client, "/organ/lansledning/", "H30", "Råd")
    assert "Patientsäkerhet" in item


def test_h31_resources_table_on_the_structure_page(client):
    """Seed 000, "Administrativt stöd – kostnader": "Samverkanskoordinator 100% 0,9",
    "Kommunikation/redaktör 30% 0,4", "Samordningsfunktion med administration/utredning,
    30%, behov av 3 grupper x 7 kommuner 2,1", "Totalt: 3,4 mnkr"."""
    seed_says("000", "Samverkanskoordinator 100% 0,9", "Kommunikation/redaktör 30% 0,4",
              "3 grupper x 7 kommuner 2,1", "Totalt: 3,4 mnkr")
    load_structure("halsam-vasternorrland")
    data = Structure.objects.get(slug="halsam-vasternorrland").rules["resources"]
    assert [(i["percent"], i["mnkr"]) for i in data["items"]] == [
        (100, "0,9"), (30, "0,4"), (30, "2,1")]
    assert data["total_mnkr"] == "3,4"
    # The parts add up to the total, as the seed's table does.
    assert sum(float(i["mnkr"].replace(",", ".")) for i in data["items"]) == pytest.approx(3.4)
    html = page(client, "/struktur/halsam-vasternorrland/")
    table = html[html.index('id="resources-h"'):]
    table = _squash(re.sub(r"<[^>]+>", " ", table[:table.index("</table>")]))
    assert "Samverkanskoordinator 100 % 0,9" in table
    assert "Kommunikation/redaktör 30 % 0,4" in table
    assert "3 grupper × 7 kommuner 30 % 2,1" in table
    assert "Totalt (lönekostnader inkl. OH) 3,4" in table
    assert rule_text("H31").applies == ("record",)
    assert_shown_as(client, "/struktur/halsam-vasternorrland/", "H31", "Registreras")


def test_h32_county_groups_may_set_up_steering_and_working_groups(client):
    """Seed 000, the länssamordningsgrupper: "Tillsätta styr- och arbetsgrupper för
    gemensamma satsningar vid behov". Each county group's page shows it as advice."""
    seed_says("000", "Tillsätta styr- och arbetsgrupper för gemensamma satsningar vid behov")
    load_structure("halsam-vasternorrland")
    groups = list(Body.objects.filter(kind="county_group").order_by("position"))
    assert len(groups) == 3
    for group in groups:
        assert "H32" in group.rule_refs
        assert "tillsätta styr- och arbetsgrupper" in group.mandate
        assert_shown_as(client, group.get_absolute_url(), "H32", "Råd")


# --- Jämtland Härjedalen (seed 002) ----------------------------------------------------

def test_j9_follow_up_results_back_to_pahsu_kept_as_a_proposal(client, on_day):
    """Seed 002: "Resultatet inklusive förslag till revideringar återförs till PaHSU som kan
    rekommendera överenskommelsens parter ett beslut". Shown as advice on the structure's
    page, before and after its start on 2027-01-01 (J7)."""
    seed_says("002", "Resultatet inklusive förslag till revideringar återförs till PaHSU som "
                     "kan rekommendera överenskommelsens parter ett beslut")
    load_structure("jamtland-harjedalen")
    assert rule_text("J9").applies == ("advice",)
    assert Structure.objects.get(slug="jamtland-harjedalen").valid_from == dt.date(2027, 1, 1)
    assert not any("J9" in b.rule_refs for b in Body.objects.filter(
        structure__slug="jamtland-harjedalen"))
    for day in (dt.date(2026, 6, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1),
                dt.date(2029, 5, 1)):
        on_day(day)
        item = assert_shown_as(client, "/struktur/jamtland-harjedalen/", "J9", "Råd")
        assert "återförs till PaHSU" in item
    # The support the slides only ask about is kept as a proposal, not decided support.
    data = Structure.objects.get(slug="jamtland-harjedalen").rules
    assert data["support_proposed"] and "support" not in data


# --- Västerbotten (seed 004) -----------------------------------------------------------

def test_v13_lsg_terms_of_reference_set_by_samradet(client):
    """Seed 004 §6.1: "Länssamverkansgruppens uppdragsbeskrivning fastställs av Samrådet
    för vård och omsorg." LSG's page names Samrådet; the beredningar's page names LSG
    (V10)."""
    seed_says("004", "Länssamverkansgruppens uppdragsbeskrivning fastställs av Samrådet för "
                     "vård och omsorg.")
    load_structure("vasterbotten")
    html = page(client, "/organ/lansamverkansgruppen/")
    assert "Uppdragsbeskrivningen fastställs av Samrådet." in html
    assert rule_text("V13").applies == ("record",)
    assert_shown_as(client, "/organ/lansamverkansgruppen/", "V13", "Registreras")
    assert "Uppdragsbeskrivningen fastställs av LSG." in page(
        client, "/organ/beredning-barn-och-unga/")


def test_v15_follow_up_started_by_2023_09_01_shown(client):
    """Seed 004 §9: "Parterna ska i samverkan starta en uppföljning av effekten av den nya
    samverkanstrukturen i sin helhet mot beslutade effektmål enligt nedan, senast
    2023-09-01." """
    seed_says("004", "mot beslutade effektmål enligt nedan, senast 2023-09-01",
              "Tydligare samverkansstruktur")
    load_structure("vasterbotten")
    milestone = next(m for m in Structure.objects.get(slug="vasterbotten").rules["milestones"]
                     if m["rule"] == "V15")
    assert milestone["start_by"] == "2023-09-01"
    assert "Tydligare samverkansstruktur" in milestone["impact_goals"]
    html = page(client, "/struktur/vasterbotten/")
    assert "1 september 2023" in html
    assert "Tydligare samverkansstruktur" in html
    assert_shown_as(client, "/struktur/vasterbotten/", "V15", "Registreras")


def test_v16_until_further_notice_twelve_months_after_samradet_handled_it(client):
    """Seed 004 §11: "Överenskommelsen gäller tills vidare … Uppsägning av överenskommelsen
    ställs skriftligen till Samrådet för vård och omsorg. Överenskommelsen upphör att gälla
    tolv månader efter det att en sådan skrivelse behandlats av Samrådet för vård och
    omsorg." """
    seed_says("004", "Överenskommelsen gäller tills vidare",
              "ställs skriftligen till Samrådet för vård och omsorg",
              "tolv månader efter det att en sådan skrivelse behandlats")
    load_structure("vasterbotten")
    structure = Structure.objects.get(slug="vasterbotten")
    assert structure.valid_until is None
    assert structure.termination_notice_months == 12
    assert structure.termination_notice_to == "Samrådet för vård och omsorg"
    html = page(client, "/struktur/vasterbotten/")
    assert "tills vidare" in html
    assert "12 månader" in html and "Samrådet för vård och omsorg" in html
    assert rule_text("V16").applies == ("reminder", "record")
    assert_shown_as(client, "/struktur/vasterbotten/", "V16", "Regel – påminnelse")


def test_v17_matters_of_one_municipality_shown_as_advice(client, on_day):
    """Seed 004 §5.3: "För Umeå, Skellefteå och Lycksele kommuner, planeras ett initialt möte
    mellan de förtroendevalda …"; "samverkansstrukturens koordinatorer involveras om frågan
    kan förmodas beröra mer än en kommun"."""
    seed_says("004", "För Umeå, Skellefteå och Lycksele kommuner, planeras ett initialt möte",
              "koordinatorer involveras om frågan kan förmodas beröra mer än en kommun")
    load_structure("vasterbotten")
    assert rule_text("V17").applies == ("advice",)
    for day in (dt.date(2020, 10, 1), dt.date(2024, 2, 1), dt.date(2033, 9, 1)):
        on_day(day)
        item = assert_shown_as(client, "/struktur/vasterbotten/", "V17", "Råd")
        assert "Umeå, Skellefteå och Lycksele" in item


def test_v18_regionledningsmotet_shown_as_advice(client):
    """Seed 004 §5.1.6: "kan frågan beredas till Regionledningsmötet, som är en arena för
    samråd mellan kommunstyrelserna och regionstyrelsen"."""
    seed_says("004", "kan frågan beredas till Regionledningsmötet, som är en arena för samråd "
                     "mellan kommunstyrelserna och regionstyrelsen")
    load_structure("vasterbotten")
    assert Structure.objects.get(slug="vasterbotten").rules["may_refer_to"] == \
        "Regionledningsmötet"
    assert rule_text("V18").applies == ("advice",)
    item = assert_shown_as(client, "/struktur/vasterbotten/", "V18", "Råd")
    assert "Regionledningsmötet" in item


def test_v19_priority_development_areas_at_the_yearly_ledningsseminarium(client):
    """Seed 004 §5.1: "Diskussion om prioriterade utvecklingsområden sker också årligen i
    det regionala ledningsseminariet." The seminar's page shows it; the yearly seminar
    itself is V6's, which the year plan checks."""
    seed_says("004", "Diskussion om prioriterade utvecklingsområden sker också årligen i det "
                     "regionala ledningsseminariet")
    load_structure("vasterbotten")
    assert rule_text("V19").applies == ("advice",)
    assert rule_text("V6").applies == ("finding",)
    item = assert_shown_as(client, "/organ/ledningsseminarium/", "V19", "Råd")
    assert "Prioriterade utvecklingsområden" in item


def test_v20_matters_go_through_the_line_organisation(client):
    """Seed 004 §7: "frågor som ska lyftas till en annan ansvarsnivå, ska gå via respektive
    huvudmans ordinarie linjefunktion"; "Beskrivning av rutiner för ärendeflödet beslutas
    av Länssamverkansgruppen." """
    seed_says("004", "ska gå via respektive huvudmans ordinarie linjefunktion",
              "Beskrivning av rutiner för ärendeflödet beslutas av Länssamverkansgruppen")
    load_structure("vasterbotten")
    flow = Structure.objects.get(slug="vasterbotten").rules["case_flow"]
    assert flow == {"via": "huvudmännens ordinarie linjefunktion", "documented": True,
                    "routine_decided_by": "lansamverkansgruppen"}
    assert rule_text("V20").applies == ("advice",)
    item = assert_shown_as(client, "/organ/lansamverkansgruppen/", "V20", "Råd")
    assert "linjefunktion" in item


def test_v21_revision_recommended_by_samradet_to_the_parties(client):
    """Seed 004 §9: "Resultatet av uppföljningen redovisas på ett ledningsseminarium …
    Ett förslag till revidering ska rekommenderas av Samråd vård och omsorg till
    överenskommelsens parter, för beslut." """
    seed_says("004", "Resultatet av uppföljningen redovisas på ett ledningsseminarium",
              "Ett förslag till revidering ska rekommenderas av Samråd vård och omsorg till "
              "överenskommelsens parter, för beslut")
    load_structure("vasterbotten")
    data = Structure.objects.get(slug="vasterbotten").rules
    assert data["recommendations_to_all_principals"] is True
    assert next(m for m in data["milestones"] if m["rule"] == "V15")["reported_at"] == \
        "ledningsseminarium"
    assert rule_text("V21").applies == ("advice",)
    assert "issue 14" in rule_text("V21").where
    item = assert_shown_as(client, "/organ/samrad-vard-och-omsorg/", "V21", "Råd")
    assert "ledningsseminarium" in item
