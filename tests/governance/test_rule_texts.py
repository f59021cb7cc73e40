"""The rules' texts (governance/data/rules.yaml) and the public page /regler/ (issue 10):
every rule id a preset names has its text, and the page gives each rule an anchor."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.rule_texts import RULE_ID, all_rules, rule_text, rules_by_structure

PRESETS = Path(__file__).resolve().parents[2] / "governance" / "presets"


def _rule_ids(node, key: str = "") -> set[str]:
    """Every rule id a preset refers to: the values of `rule:` and `rules:` anywhere."""
    found: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            found |= _rule_ids(v, str(k))
    elif isinstance(node, list):
        for v in node:
            found |= _rule_ids(v, key)
    elif isinstance(node, str) and key in ("rule", "rules") and RULE_ID.match(node):
        found.add(node)
    return found


def test_every_rule_id_in_the_presets_has_a_text():
    files = sorted(PRESETS.glob("*.yaml"))
    assert len(files) >= 3
    referenced: set[str] = set()
    for path in files:
        referenced |= _rule_ids(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert {"H4", "H11", "H13", "J3", "V3", "V8"} <= referenced
    missing = sorted(r for r in referenced if rule_text(r) is None)
    assert not missing, f"rule ids without a text in governance/data/rules.yaml: {missing}"


def test_every_seed_rule_of_the_three_structures_has_a_text():
    """H1–H32, J1–J9 and V1–V21 (SEED_RULES.md), each in its structure, in Swedish."""
    texts = all_rules()
    expected = ({f"H{i}" for i in range(1, 33)} | {f"J{i}" for i in range(1, 10)}
                | {f"V{i}" for i in range(1, 22)})
    assert set(texts) == expected
    prefix = {"halsam": "H", "jamtland": "J", "vasterbotten": "V"}
    for group in rules_by_structure():
        assert all(r.id.startswith(prefix[group.key]) for r in group.rules)
        assert [r.id for r in group.rules] == sorted((r.id for r in group.rules),
                                                     key=lambda i: int(i[1:]))
    assert "år 1 har regionen ordföranderollen" in texts["H11"].text
    assert "alternerar mellan Region Jämtland Härjedalen" in texts["J3"].text
    assert all(r.text and r.title and r.seed for r in texts.values())


@pytest.mark.django_db
def test_rules_page_lists_every_rule_with_an_anchor_per_structure(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/regler/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 2  # the rules are data files, not rows
    html = response.content.decode()
    for group in rules_by_structure():
        assert f'id="{group.key}"' in html and group.name in html
    for rule_id in all_rules():
        assert f'id="{rule_id}"' in html
    assert "Länsledningens ordförande" in html and "(underlag 000)" in html
