"""The seeds' rules in Swedish words (``governance/data/rules.yaml``): what a rule id such
as H11 stands for, for the rules page ``/regler/`` and every finding that names a rule.

The file is read once per process; it holds data, not code, so a new rule or a better
wording needs no code change.

Each rule also says how the portal applies it (``applies``, one or more of ``APPLIES``)
and where a user meets it (``where``, a short Swedish phrase): the rules page and the
body and structure pages show this as a label, so a rule that is only advice is never
mistaken for one that is checked (docs/rules.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext_lazy as _

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.yaml"
RULE_ID = re.compile(r"^[A-Z]\d{1,3}$")

# How the portal applies a rule, strongest first; the label is what the pages show next
# to the rule (words, not colour only), the description what the rules page explains.
APPLIES = {
    "refusal": (_("Rule – refused"),
                _("The portal refuses a record that breaks the rule and says why.")),
    "finding": (_("Rule – checked"),
                _("A breach is reported on the coordinator's page, in the weekly digest "
                  "and by the rotation check.")),
    "reminder": (_("Rule – reminder"),
                 _("The coordinator is reminded ahead of what the rule makes due.")),
    "recommendation": (_("Recommendation"),
                       _("Shown as a recommendation; departing from it gives a warning at "
                         "most, never a refusal.")),
    "record": (_("Recorded"),
               _("The structure holds what the rule says as data, shown on its pages.")),
    "advice": (_("Advice"),
               _("The rule's text is shown where it applies; the portal checks nothing.")),
}


@dataclass(frozen=True)
class RuleText:
    id: str
    structure: str
    seed: str
    title: str
    text: str
    applies: tuple[str, ...] = ("advice",)
    where: str = ""

    @property
    def labels(self) -> list[RuleLabel]:
        """How the portal applies the rule, as labels for the pages (strongest first)."""
        return [RuleLabel(code=code, label=str(APPLIES[code][0])) for code in self.applies]


@dataclass(frozen=True)
class RuleLabel:
    code: str
    label: str


@dataclass(frozen=True)
class StructureRules:
    key: str
    name: str
    preset: str
    seeds: str
    rules: tuple[RuleText, ...]


def _applies(rule_id: str, value: object) -> tuple[str, ...]:
    """``applies: finding`` or ``applies: [refusal, recommendation]`` → the codes, strongest
    first; anything else is an error at load, naming the rule."""
    codes = [value] if isinstance(value, str) else value
    if not isinstance(codes, list) or not codes:
        raise ValueError(f"{RULES_FILE.name}: {rule_id} needs `applies`, one or more of "
                         f"{list(APPLIES)}")
    unknown = [c for c in codes if c not in APPLIES]
    if unknown:
        raise ValueError(f"{RULES_FILE.name}: {rule_id}: unknown `applies` {unknown}; "
                         f"use {list(APPLIES)}")
    order = list(APPLIES)
    return tuple(sorted(set(codes), key=order.index))


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
                                  text=" ".join(entry["text"].split()),
                                  applies=_applies(rule_id, entry.get("applies")),
                                  where=" ".join(str(entry.get("where") or "").split()))
        if not texts[rule_id].where:
            raise ValueError(f"{RULES_FILE.name}: {rule_id} has no `where`")
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


def rules_for(rule_ids: list[str] | tuple[str, ...]) -> list[RuleText]:
    """The texts of ``rule_ids`` in the order given, unknown ids and repeats left out."""
    texts, seen, out = _load()[0], set(), []
    for rule_id in rule_ids:
        if rule_id in texts and rule_id not in seen:
            seen.add(rule_id)
            out.append(texts[rule_id])
    return out


def structure_rules(preset: str) -> StructureRules | None:
    """The rules of the structure loaded from the preset ``preset`` (its slug), or None."""
    return next((g for g in _load()[1] if g.preset == preset), None)


def applies_legend() -> list[tuple[str, str, str]]:
    """(code, label, what it means) for every way a rule is applied, strongest first."""
    return [(code, str(label), str(text)) for code, (label, text) in APPLIES.items()]


def rules_by_structure() -> tuple[StructureRules, ...]:
    """Every rule, grouped per structure in the file's order, each group sorted by id."""
    return _load()[1]
