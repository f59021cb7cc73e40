"""Where each seed rule shows: a body's rules on its page, the rules no body carries on the
structure's page, and what the structure's rule data (``Structure.rules``) says in words.

Every rule of SEED_RULES.md is either checked by the portal or shown where its users look
(issue 13). A body lists the rules of its ``rule_refs`` with how the portal applies them
(``governance.rule_texts.APPLIES``); the structure page lists the rest, so no rule is only
on ``/regler/``. The structure's free rule data (written in the preset, docs/presets.md)
is read here, not in templates: the resources (H31) and who sets a body's terms of
reference (V10, V12, V13); the follow-ups and coordinators (J8, V15, V14) are
``governance.structure_facts``'s.
``check_structure_rules`` is the preset schema's check of the keys read here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .rule_texts import RuleText, rules_for, structure_rules

# The keys of ``structure.rules`` this module reads, with the keys each entry may have.
RESOURCE_ITEM_KEYS = {"level", "role", "percent", "mnkr"}


@dataclass(frozen=True)
class Resource:
    level: str
    role: str
    percent: int | None
    mnkr: str


@dataclass(frozen=True)
class Resources:
    items: tuple[Resource, ...]
    total_mnkr: str
    note: str
    rule: str


@dataclass(frozen=True)
class StructureRulePage:
    """What the structure page shows about its rules (no queries: built from loaded rows)."""

    rules: list[RuleText]                       # the rules no body of the structure carries
    resources: Resources | None = None

    @property
    def has_anything(self) -> bool:
        return bool(self.rules or self.resources)


@dataclass(frozen=True)
class BodyRulePage:
    rules: list[RuleText]
    terms_set_by: str = ""       # the name of the body that sets this body's uppdrag
    terms_rule: str = ""


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _name(slug: Any, names: Mapping[str, str]) -> str:
    """A body's name for its slug in the data, or the word the data uses (samverkansledarna)."""
    return names.get(str(slug), str(slug)) if slug else ""


def resources(data: Mapping[str, Any]) -> Resources | None:
    raw = data.get("resources")
    if not isinstance(raw, Mapping):
        return None
    items = tuple(
        Resource(level=str(i.get("level", "")), role=str(i.get("role", "")),
                 percent=_int(i.get("percent")), mnkr=str(i.get("mnkr", "")))
        for i in raw.get("items") or [] if isinstance(i, Mapping))
    return Resources(items=items, total_mnkr=str(raw.get("total_mnkr") or ""),
                     note=str(raw.get("note") or ""), rule=str(raw.get("rule") or ""))


def structure_rule_page(structure: Any, bodies: Iterable[Any]) -> StructureRulePage:
    """The structure page's rules: those of the structure (``/regler/``) that no body of
    ``bodies`` lists, and the structure's rule data in words. ``bodies`` are the structure's
    loaded bodies (``slug``, ``name``, ``short_name``, ``rule_refs``): no query here."""
    bodies = list(bodies)
    carried = {r for b in bodies for r in (b.rule_refs or [])}
    group = structure_rules(structure.slug)
    rules = [r for r in group.rules if r.id not in carried] if group else []
    data = structure.rules if isinstance(structure.rules, Mapping) else {}
    return StructureRulePage(rules=rules, resources=resources(data))


def terms_of_reference(body: Any) -> Mapping[str, Any] | None:
    """The structure data's entry saying who sets ``body``'s terms of reference (V13)."""
    data = body.structure.rules if isinstance(body.structure.rules, Mapping) else {}
    for entry in data.get("terms_of_reference") or []:
        if isinstance(entry, Mapping) and entry.get("body") == body.slug:
            return entry
    return None


def body_rule_page(body: Any, names: Mapping[str, str] | None = None) -> BodyRulePage:
    """The rules a body's page lists (its ``rule_refs``), and who sets its terms of
    reference when the structure's data says so (V13). ``names``: slug → name of the
    structure's bodies, for the body that sets the terms; without it the slug shows."""
    entry = terms_of_reference(body)
    set_by = _name(entry.get("set_by"), names or {}) if entry else ""
    rule = str(entry.get("rule") or "") if entry else ""
    return BodyRulePage(rules=rules_for(body.rule_refs or []), terms_set_by=set_by,
                        terms_rule=rule)


def check_structure_rules(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems with the keys of ``structure.rules`` this module reads, as (path, problem)
    for the preset schema (``governance.presets.schema``); other keys are free data."""
    problems: list[tuple[str, str]] = []
    base = "structure.rules"
    res = data.get("resources")
    if res is not None:
        if not isinstance(res, Mapping) or not isinstance(res.get("items"), list):
            problems.append((f"{base}.resources", "expected a mapping with a list `items`"))
        else:
            for i, item in enumerate(res["items"]):
                if not isinstance(item, Mapping) or not item.get("role"):
                    problems.append((f"{base}.resources.items[{i}]", "needs a `role`"))
                elif set(item) - RESOURCE_ITEM_KEYS:
                    problems.append((f"{base}.resources.items[{i}]",
                                     f"unknown keys {sorted(set(item) - RESOURCE_ITEM_KEYS)}"))
                elif item.get("percent") is not None and _int(item["percent"]) is None:
                    problems.append((f"{base}.resources.items[{i}].percent",
                                     "expected a whole number"))
    return problems
