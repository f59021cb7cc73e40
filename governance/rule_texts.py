"""The seeds' rules in Swedish words (``governance/data/rules.yaml``): what a rule id such
as H11 stands for, for the rules page ``/regler/`` and every finding that names a rule.

The file is read once per process; it holds data, not code, so a new rule or a better
wording needs no code change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.yaml"
RULE_ID = re.compile(r"^[A-Z]\d{1,3}$")


@dataclass(frozen=True)
class RuleText:
    id: str
    structure: str
    seed: str
    title: str
    text: str


@dataclass(frozen=True)
class StructureRules:
    key: str
    name: str
    preset: str
    seeds: str
    rules: tuple[RuleText, ...]


def _sort_key(rule_id: str) -> tuple[str, int]:
    return rule_id[:1], int(rule_id[1:])


@cache
def _load() -> tuple[dict[str, RuleText], tuple[StructureRules, ...]]:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    texts: dict[str, RuleText] = {}
    for rule_id, entry in data["rules"].items():
        if not RULE_ID.match(rule_id):
            raise ValueError(f"{RULES_FILE.name}: {rule_id!r} is not a rule id")
        texts[rule_id] = RuleText(id=rule_id, structure=entry["structure"],
                                  seed=str(entry["seed"]), title=entry["title"].strip(),
                                  text=" ".join(entry["text"].split()))
    groups = []
    for s in data["structures"]:
        rules = tuple(sorted((t for t in texts.values() if t.structure == s["key"]),
                             key=lambda t: _sort_key(t.id)))
        groups.append(StructureRules(key=s["key"], name=s["name"], preset=s["preset"],
                                     seeds=str(s["seeds"]), rules=rules))
    unknown = {t.structure for t in texts.values()} - {g.key for g in groups}
    if unknown:
        raise ValueError(f"{RULES_FILE.name}: rules of unknown structures {sorted(unknown)}")
    return texts, tuple(groups)


def rule_text(rule_id: str) -> RuleText | None:
    """The rule ``rule_id`` (``"H11"``) in words, or None for an id without a text."""
    return _load()[0].get(rule_id)


def all_rules() -> dict[str, RuleText]:
    return dict(_load()[0])


def rules_by_structure() -> tuple[StructureRules, ...]:
    """Every rule, grouped per structure in the file's order, each group sorted by id."""
    return _load()[1]
