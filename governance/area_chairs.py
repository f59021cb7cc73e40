"""H8 and H18: the presidium chairs of the strategic areas, the meetings they answer for
and the county groups they are contact politician of.

Seed 000: "Respektive ordförande ansvarar för de möten som berör deras strategiska område
och är kontaktpolitiker för områdets länssamordningsgrupp" (H8), and the group's chair
keeps contact with HälSam's presidium chair of the same area (H18). Which body's chairs,
which body's meetings and which groups is data: the structure's ``rules.area_chairs``
(docs/presets.md)::

    area_chairs: {body: halsam-presidium, office: chair, meetings_of: halsam,
                  contact_for: county_group, rules: [H8, H18]}

Reads only; the theme meetings a chair answers for are gathered by the meetings app
(``meetings.body_sections``), since governance does not import meetings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .models import Body, OfficeTerm, Structure


@dataclass(frozen=True)
class AreaChairsRule:
    body: str                    # slug of the body whose per-area office holders answer
    office: str = "chair"
    meetings_of: str = ""        # slug of the body whose meetings of an area they answer for
    contact_for: str = "county_group"  # kind of the bodies they are contact politician of
    rule_ids: tuple[str, ...] = ("H8", "H18")


def area_chairs_rule(structure: Structure) -> AreaChairsRule | None:
    """The structure's ``rules.area_chairs``, or ``None`` (no query)."""
    data = (structure.rules or {}).get("area_chairs") if isinstance(structure.rules,
                                                                       dict) else None
    if not isinstance(data, dict) or not data.get("body"):
        return None
    return AreaChairsRule(
        body=str(data["body"]), office=str(data.get("office") or "chair"),
        meetings_of=str(data.get("meetings_of") or ""),
        contact_for=str(data.get("contact_for") or "county_group"),
        rule_ids=tuple(str(r) for r in data.get("rules") or ("H8", "H18")))


def contact_politician(body: Body, *, on: dt.date) -> OfficeTerm | None:
    """The contact politician of a county group (H8, H18): the presidium chair of the
    group's strategic area in office on ``on`` (one query; none for other bodies)."""
    rule = area_chairs_rule(body.structure)
    if rule is None or body.kind != rule.contact_for or body.area_id is None:
        return None
    return (OfficeTerm.objects.active_on(on)
            .filter(body__slug=rule.body, body__structure_id=body.structure_id,
                    office=rule.office, area_id=body.area_id)
            .select_related("person__principal", "body", "area").order_by("-start").first())


@dataclass
class AreaChair:
    """One chair of an area on the presidium's page, with what they answer for."""

    term: OfficeTerm
    groups: list[Body] = field(default_factory=list)   # contact politician of (H8, H18)
    meetings: list = field(default_factory=list)       # theme meetings (H8), filled by meetings


def area_chairs(body: Body, offices: list[OfficeTerm]) -> tuple[AreaChairsRule | None,
                                                                list[AreaChair]]:
    """On the presidium's own page: its chairs of an area (from the page's ``offices``)
    and the county groups of their areas (one query; none on other pages)."""
    rule = area_chairs_rule(body.structure)
    if rule is None or body.slug != rule.body:
        return None, []
    chairs = [AreaChair(term=t) for t in offices if t.office == rule.office and t.area_id]
    if not chairs:
        return rule, []
    groups: dict[int, list[Body]] = {}
    for group in (Body.objects.filter(structure_id=body.structure_id, kind=rule.contact_for,
                                      area_id__in={c.term.area_id for c in chairs})
                  .only("slug", "name", "area_id").order_by("position", "name")):
        groups.setdefault(group.area_id, []).append(group)
    for chair in chairs:
        chair.groups = groups.get(chair.term.area_id, [])
    return rule, chairs
