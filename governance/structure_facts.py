"""What a structure's rules data says, made readable for its page (``/struktur/<slug>/``).

The presets record facts of the agreements under ``structure.rules`` (a free mapping,
docs/presets.md): the forums a structure replaces and which body takes over their
documents (J7, J4, J5), the follow-ups and their dates (J8, V15), the coordinators and
how their cost is shared (V14), the support the source only proposes. This module turns
that data into plain values with the bodies' names and links resolved, so the page shows
them without a rule in the template. No queries: the caller passes the structure's bodies
and principals, which the page has loaded already.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_SHARE_ORDER = {"municipality": 0, "region": 1}


@dataclass(frozen=True)
class BodyRef:
    """A body named in the data: its name and page, or just the words when it is no body
    of the structure (e.g. "samverkansledarna")."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class Predecessor:
    """A forum the structure replaces (J7, H25), and the body that takes over its
    documents (J4, J5)."""

    name: str
    valid_until: dt.date | None = None
    documents_to: BodyRef | None = None
    rule_id: str = ""
    documents_rule_id: str = ""


@dataclass(frozen=True)
class Milestone:
    """A follow-up the agreement names (J8, V15)."""

    key: str
    name: str
    yearly: bool = False
    due: dt.date | None = None
    start_by: dt.date | None = None
    initiated_by: BodyRef | None = None
    decided_by: BodyRef | None = None
    results_to: tuple[BodyRef, ...] = ()
    reported_at: BodyRef | None = None
    impact_goals: tuple[str, ...] = ()
    rule_id: str = ""


@dataclass(frozen=True)
class CostShare:
    party: str  # "municipality" | "region" | …
    percent: float


@dataclass(frozen=True)
class Coordinators:
    """The structure's coordinators (V14): how many full-time equivalents, placed where,
    and who pays which share."""

    full_time_equivalents: float | None
    placed_at: str = ""
    shares: tuple[CostShare, ...] = ()
    rule_id: str = ""


@dataclass(frozen=True)
class ProposedSupport:
    """Support the source asks about but does not decide (seed 002's question marks)."""

    role: str
    hours_per_year: int | None = None
    meetings_per_year: int | None = None


@dataclass
class StructureFacts:
    predecessors: list[Predecessor] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    coordinators: Coordinators | None = None
    support_proposed: list[ProposedSupport] = field(default_factory=list)

    @property
    def follow_up(self) -> bool:
        return bool(self.milestones or self.coordinators or self.support_proposed)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def structure_facts(*, rules: Mapping[str, Any] | None, bodies: Iterable[Any],
                    principals: Mapping[str, str] | None = None,
                    replaces: Any = None) -> StructureFacts:
    """The facts of ``rules`` (``Structure.rules``) with body slugs resolved against
    ``bodies`` (objects with ``slug``, ``name``, ``short_name``, ``get_absolute_url``) and
    principal codes against ``principals`` (code → name). ``replaces`` is the structure's
    linked predecessor (``Structure.replaces``): without ``rules.replaces_all`` it is the
    only one (HälSam: SocialReKo, H25)."""
    rules = rules if isinstance(rules, Mapping) else {}
    principals = principals or {}
    by_slug = {b.slug: b for b in bodies}

    def ref(value: Any) -> BodyRef | None:
        if not value:
            return None
        body = by_slug.get(str(value))
        if body is None:
            return BodyRef(name=str(value))
        return BodyRef(name=body.short_name or body.name, url=body.get_absolute_url())

    facts = StructureFacts()
    listed = rules.get("replaces_all")
    if isinstance(listed, list) and listed:
        for item in listed:
            if not isinstance(item, Mapping) or not item.get("name"):
                continue
            linked = replaces is not None and item.get("slug") and item.get("slug") == getattr(
                replaces, "slug", None)
            facts.predecessors.append(Predecessor(
                name=str(item["name"]),
                valid_until=_date(item.get("valid_until")) or (
                    replaces.valid_until if linked else None),
                documents_to=ref(item.get("documents_to")),
                rule_id=str(item.get("rule") or ""),
                documents_rule_id=str(item.get("documents_rule") or "")))
    elif replaces is not None:
        facts.predecessors.append(Predecessor(name=replaces.name,
                                              valid_until=replaces.valid_until))

    for item in rules.get("milestones") or []:
        if not isinstance(item, Mapping) or not item.get("name"):
            continue
        facts.milestones.append(Milestone(
            key=str(item.get("key") or ""), name=str(item["name"]),
            yearly=item.get("recurrence") == "yearly", due=_date(item.get("due")),
            start_by=_date(item.get("start_by")), initiated_by=ref(item.get("initiated_by")),
            decided_by=ref(item.get("decided_by")),
            results_to=tuple(r for r in (ref(x) for x in item.get("results_to") or []) if r),
            reported_at=ref(item.get("reported_at")),
            impact_goals=tuple(str(g) for g in item.get("impact_goals") or []),
            rule_id=str(item.get("rule") or "")))

    coordinators = rules.get("coordinators")
    if isinstance(coordinators, Mapping):
        shares = coordinators.get("cost_share_percent") or {}
        placed = str(coordinators.get("placed_at") or "")
        facts.coordinators = Coordinators(
            full_time_equivalents=_number(coordinators.get("full_time_equivalents")),
            placed_at=principals.get(placed, placed),
            # PostgreSQL's jsonb does not keep the file's key order: the municipalities first,
            # then the region, then any other party by name.
            shares=tuple(CostShare(party=str(k), percent=v) for k, v in sorted(
                shares.items(), key=lambda kv: (_SHARE_ORDER.get(str(kv[0]), 2), str(kv[0])))
                         if _number(v) is not None) if isinstance(shares, Mapping) else (),
            rule_id=str(coordinators.get("rule") or ""))

    for item in rules.get("support_proposed") or []:
        if isinstance(item, Mapping) and item.get("role"):
            facts.support_proposed.append(ProposedSupport(
                role=str(item["role"]),
                hours_per_year=item.get("hours_per_year") if isinstance(
                    item.get("hours_per_year"), int) else None,
                meetings_per_year=item.get("meetings_per_year") if isinstance(
                    item.get("meetings_per_year"), int) else None))
    return facts
