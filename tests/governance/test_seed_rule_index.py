"""Issue 13's "Done when", made permanent: every rule of SEED_RULES.md is either enforced
(a refusal or a finding) or shown where its text is only advice, and each has a test
named by its id.

- every id in SEED_RULES.md has its text in governance/data/rules.yaml with a valid
  ``applies`` (how the portal applies it) and ``where`` (where a user meets it);
- every id has at least one test function ``test_<id>_…`` (lower case; several ids may
  lead the name, ``test_v3_v8_…``) somewhere under tests/;
- the rules page shows each rule's label in words, the body pages list their rules and
  the structure page the rules no body carries, so every rule shows outside /regler/.

SEED_RULES.md lives in the shared folder beside the project (``../shared``); without it
the tests that read it skip and say so.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import rule_texts
from governance.models import Body
from governance.presets import load_structure
from governance.rule_texts import APPLIES, all_rules, rules_by_structure

PROJECT = Path(__file__).resolve().parents[2]
TESTS = PROJECT / "tests"
SEED_RULES = PROJECT.parent / "shared" / "SEED_RULES.md"
PRESETS = ("halsam-vasternorrland", "jamtland-harjedalen", "vasterbotten")
TABLE_ROW = re.compile(r"^\|\s*([HJV]\d+)\s*\|")
TEST_NAME = re.compile(r"\bdef\s+test_((?:[hjv]\d+_)+)", re.IGNORECASE)


def seed_rule_ids() -> list[str]:
    """The ids of SEED_RULES.md's tables, in their order; skips without the shared folder."""
    if not SEED_RULES.is_file():
        pytest.skip(f"{SEED_RULES} is absent (the shared folder beside the project): "
                    "the seed rules cannot be listed")
    ids = [m.group(1) for line in SEED_RULES.read_text(encoding="utf-8").splitlines()
           if (m := TABLE_ROW.match(line))]
    assert ids, f"no rule table rows found in {SEED_RULES}"
    return ids


def ids_with_a_named_test() -> dict[str, list[str]]:
    """id → the files with a test function named by it (``def test_h5_…``)."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        for m in TEST_NAME.finditer(path.read_text(encoding="utf-8")):
            for rule_id in m.group(1).rstrip("_").split("_"):
                found.setdefault(rule_id.upper(), []).append(str(path.relative_to(PROJECT)))
    return found


def test_every_seed_rule_is_in_rules_yaml_with_how_the_portal_applies_it():
    ids = seed_rule_ids()
    texts = all_rules()
    missing = [i for i in ids if i not in texts]
    assert not missing, f"seed rules without an entry in governance/data/rules.yaml: {missing}"
    for rule_id in ids:
        rule = texts[rule_id]
        assert rule.applies and set(rule.applies) <= set(APPLIES), rule_id
        assert rule.where, f"{rule_id} does not say where a user meets it"
        assert [label.code for label in rule.labels] == list(rule.applies)
    # Nothing in rules.yaml that SEED_RULES.md does not have.
    assert sorted(texts) == sorted(ids)


def test_every_seed_rule_has_a_test_named_by_its_id():
    """"Each has a test named by its id" (issue 13, Done when)."""
    ids = seed_rule_ids()
    named = ids_with_a_named_test()
    missing = [i for i in ids if i not in named]
    assert not missing, ("seed rules without a test function named test_<id>_… under "
                         f"tests/: {', '.join(missing)}")


def test_the_test_name_scan_reads_chained_ids_and_only_test_functions(tmp_path):
    sample = ("def test_v3_v8_chair_alternates():\n"
              "def test_h5_warns():\n"
              "def helper_h6_not_a_test():\n"
              "def test_h2_halsam_has_17_seats():\n")
    found = {i.upper() for m in TEST_NAME.finditer(sample)
             for i in m.group(1).rstrip("_").split("_")}
    assert found == {"V3", "V8", "H5", "H2"}


def test_an_unknown_or_missing_applies_is_an_error_at_load(tmp_path, monkeypatch):
    data = yaml.safe_load(rule_texts.RULES_FILE.read_text(encoding="utf-8"))
    data["rules"]["H1"]["applies"] = "maybe"
    bad = tmp_path / "rules.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(rule_texts, "RULES_FILE", bad)
    with pytest.raises(ValueError, match=r"H1: unknown `applies` \['maybe'\]"):
        rule_texts._load.__wrapped__()
    del data["rules"]["H1"]["applies"]
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="H1 needs `applies`"):
        rule_texts._load.__wrapped__()
    data["rules"]["H1"]["applies"] = ["record", "refusal"]
    data["rules"]["H1"]["where"] = ""
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="H1 has no `where`"):
        rule_texts._load.__wrapped__()


def test_several_applies_are_kept_strongest_first():
    assert rule_texts._applies("X1", ["advice", "refusal", "advice"]) == ("refusal", "advice")


@pytest.mark.django_db
def test_rules_page_labels_each_rule_in_words_with_a_legend(client):
    html = client.get("/regler/").content.decode()
    # The legend explains every label once, in Swedish.
    for label in ("Regel – spärr", "Regel – kontroll", "Regel – påminnelse",
                  "Rekommendation", "Registreras", "Råd"):
        assert f">{label}</span>" in html, label
    assert "Så tillämpar portalen reglerna" in html
    # Each rule carries its labels as text and where a user meets it.
    h14 = html[html.index('id="H14"'):]
    h14 = h14[:h14.index("</div>")]
    assert 'data-applies="recommendation">Rekommendation</span>' in h14
    assert "Visas som rekommendation" in h14
    h11 = html[html.index('id="H11"'):]
    h11 = h11[:h11.index("</div>")]
    assert ">Regel – spärr</span>" in h11 and ">Regel – kontroll</span>" in h11


@pytest.mark.django_db
def test_every_rule_shows_on_a_body_page_or_its_structure_page(client):
    """No rule is only on /regler/: a body's page lists its rule_refs, the structure's
    page the rules no body carries, each linked to its text."""
    for slug in PRESETS:
        load_structure(slug)
    shown: set[str] = set()
    for body in Body.objects.order_by("position"):
        html = client.get(body.get_absolute_url()).content.decode()
        for rule_id in body.rule_refs:
            assert f'href="/regler/#{rule_id}"' in html, (body.slug, rule_id)
            shown.add(rule_id)
    for group in rules_by_structure():
        html = client.get(f"/struktur/{group.preset}/").content.decode()
        for rule in group.rules:
            if rule.id not in shown:
                assert f'href="/regler/#{rule.id}"' in html, (group.preset, rule.id)
                shown.add(rule.id)
    assert shown == set(all_rules())


@pytest.mark.django_db
def test_body_page_lists_its_rules_with_labels_and_links(client):
    load_structure("halsam-vasternorrland")
    html = client.get("/organ/lansledning/").content.decode()
    section = html[html.index('id="body-rules-h"'):]
    section = section[:section.index("</section>")]
    assert "Överenskommelsens regler" in section
    for rule_id in ("H10", "H11", "H12", "H13", "H14", "H22", "H30"):
        assert f'href="/regler/#{rule_id}"' in section
    assert ">Rekommendation</span>" in section  # H14
    assert ">Råd</span>" in section  # H22, H30


@pytest.mark.django_db
def test_rule_sections_add_no_query_per_body_or_rule(client):
    """The structure page's rules section is built from the bodies it has loaded; the
    body page's from the body's row: more bodies or rules, same query count."""
    load_structure("vasterbotten")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    structure_before = count("/struktur/vasterbotten/")
    body_before = count("/organ/lansamverkansgruppen/")
    lsg = Body.objects.get(slug="lansamverkansgruppen")
    for i in range(5):
        Body.objects.create(structure=lsg.structure, slug=f"extra-{i}", name=f"Extra {i}",
                            kind=lsg.kind, position=900 + i, rule_refs=["V17", "V18", "V1"])
    lsg.rule_refs = [*lsg.rule_refs, "V17", "V18", "V19", "V21"]
    lsg.save(update_fields=["rule_refs"])
    assert count("/struktur/vasterbotten/") == structure_before
    assert count("/organ/lansamverkansgruppen/") == body_before


def test_h31_resources_in_a_preset_are_checked_when_it_is_read(tmp_path):
    """A resource row without its role, or with a key the page does not read, is named
    file, path and problem (docs/presets.md), like every other preset error."""
    from governance.presets import PresetError, read_preset

    source = PROJECT / "governance" / "presets" / "halsam-vasternorrland.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    items = data["structure"]["rules"]["resources"]["items"]
    items[0].pop("role")
    items[1]["cost"] = 1
    items[2]["percent"] = "trettio"
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PresetError) as excinfo:
        read_preset(path)
    lines = excinfo.value.render().splitlines()
    assert f"{path}: structure.rules.resources.items[0]: needs a `role`" in lines
    assert f"{path}: structure.rules.resources.items[1]: unknown keys ['cost']" in lines
    assert (f"{path}: structure.rules.resources.items[2].percent: expected a whole number"
            in lines)
    assert read_preset(source)  # the shipped file itself reads
