"""Loading a preset into the database, idempotently.

``load_structure`` reads and validates the whole file first (``schema.parse_preset``)
and only then writes, in one transaction. Rows are found by their natural keys
(structure slug, principal code, body slug, seat key) and saved only when a field
differs, so a second load changes nothing and says so. Nothing is deleted: a seat or
body no longer in the file is reported and left for the coordinator to end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from ..models import (
    Body,
    Participation,
    Principal,
    Seat,
    Sector,
    StrategicArea,
    Structure,
    Term,
)
from ..rules import RotationError, parse_rotation
from ..services import Actor, save_with_history
from ..standard_agenda import parse_standard_agenda
from .schema import Preset, PresetError, parse_preset

PRESET_DIR = Path(__file__).resolve().parent


def available_presets() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def resolve_preset(name: str) -> Path:
    """A preset slug (``halsam-vasternorrland``) or a path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"}:
        return candidate
    return PRESET_DIR / f"{name}.yaml"


def read_preset(path: Path) -> Preset:
    """Read and validate a preset file; raise ``PresetError`` on any problem."""
    file = str(path)
    if not path.is_file():
        known = ", ".join(available_presets())
        raise PresetError(file, [("", f"no such preset file (presets available: {known})")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise PresetError(file, [("", f"the file is not UTF-8 text: {exc}")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PresetError(file, [(where, f"not valid YAML: {problem}")]) from exc
    return parse_preset(data, file=file)


@dataclass
class LoadReport:
    structure: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _Upserter:
    def __init__(self, actor: Actor, reason: str, report: LoadReport):
        self.actor, self.reason, self.report = actor, reason, report

    def __call__(self, model: type, lookup: dict[str, Any], values: dict[str, Any], label: str):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            save_with_history(obj, actor=self.actor, reason=self.reason)
            self.report.created.append(label)
            return obj
        changed = [k for k, v in values.items() if _field_value(obj, k) != _key(v)]
        if changed:
            for k in changed:
                setattr(obj, k, values[k])
            save_with_history(obj, actor=self.actor, reason=self.reason)
            if label not in self.report.created:  # links set just after creation
                self.report.updated.append(f"{label} ({', '.join(changed)})")
        return obj


def _field_value(obj: Any, name: str) -> Any:
    field_obj = obj._meta.get_field(name)
    if field_obj.is_relation:
        return getattr(obj, field_obj.attname)
    return getattr(obj, name)


def _key(value: Any) -> Any:
    return value.pk if hasattr(value, "_meta") else value


@transaction.atomic
def load_preset(preset: Preset, *, actor: Actor = None, reason: str = "",
                reset_rotation: bool = False) -> LoadReport:
    """Bring the database in line with ``preset``; return what was created or updated.

    A body's rotation changed locally since the last load is kept unless
    ``reset_rotation`` (``_rotation``)."""
    report = LoadReport(structure=preset.slug)
    upsert = _Upserter(actor, reason or f"Preset {preset.slug}", report)
    _check_against_database(preset)

    replaces = None
    if preset.replaces:
        r = preset.replaces
        replaces = upsert(Structure, {"slug": r["slug"]}, {
            "name": r["name"], "region": preset.region, "valid_from": r["valid_from"],
            "valid_until": r["valid_until"]}, f"structure {r['slug']}")
    structure = upsert(Structure, {"slug": preset.slug}, {
        "name": preset.name, "short_name": preset.short_name, "region": preset.region,
        "description": preset.description, "valid_from": preset.valid_from,
        "valid_until": preset.valid_until, "replaces": replaces,
        "termination_notice_months": preset.termination_notice_months,
        "termination_notice_to": preset.termination_notice_to,
        "office_email": preset.office_email, "rules": preset.rules, "sources": preset.sources,
    }, f"structure {preset.slug}")

    principals: dict[str, Principal] = {}
    for p in preset.principals:
        principals[p.code] = upsert(Principal, {"code": p.code}, {
            "name": p.name, "short_name": p.short_name, "slug": p.slug, "kind": p.kind,
            "county_code": p.county_code}, f"principal {p.code}")
        upsert(Participation, {"structure": structure, "principal": principals[p.code]},
               {"is_party": p.is_party, "note": p.note}, f"participation {p.code}")
        if replaces is not None and p.is_party:
            upsert(Participation, {"structure": replaces, "principal": principals[p.code]},
                   {"is_party": True, "note": ""}, f"participation {p.code} in {replaces.slug}")

    sectors = {code: upsert(Sector, {"code": code}, {"name": name}, f"sector {code}")
               for code, name in preset.sectors}
    areas = {code: upsert(StrategicArea, {"structure": structure, "code": code},
                          {"name": name, "position": i}, f"area {code}")
             for i, (code, name) in enumerate(preset.areas)}
    for t in preset.terms:
        upsert(Term, {"structure": structure, "kind": t["kind"], "start": t["start"]},
               {"name": t["name"], "end": t["end"]}, f"term {t['name']}")

    bodies: dict[str, Body] = {}
    for b in preset.bodies:  # first pass: the bodies without their links to each other
        bodies[b.slug] = upsert(Body, {"slug": b.slug}, {
            "structure": structure, "name": b.name, "short_name": b.short_name, "kind": b.kind,
            "position": b.position, "area": areas.get(b.area) if b.area else None,
            "owner_principal": principals.get(b.owner_principal) if b.owner_principal else None,
            "mandate": b.mandate, "min_meetings_per_year": b.min_meetings_per_year,
            "min_meetings_recommended": b.min_meetings_recommended,
            "meeting_rule": b.meeting_rule, "notice_days": b.notice_days,
            "is_temporary": b.is_temporary, "ends_on": b.ends_on, "starts_on": b.starts_on,
            "review_interval_months": b.review_interval_months,
            "rotation": _rotation(b.slug, b.rotation, reset=reset_rotation, report=report),
            "rotation_preset": b.rotation,
            "rule_refs": b.rule_refs,
            "standard_agenda": (b.standard_agenda if b.standard_agenda is not None
                                else parse_standard_agenda(None))}, f"body {b.slug}")
    for b in preset.bodies:
        body = upsert(Body, {"slug": b.slug}, {
            "parent": bodies.get(b.parent) if b.parent else None,
            "prepares_for": bodies.get(b.prepares_for) if b.prepares_for else None,
        }, f"body {b.slug}")
        wanted = {bodies[s].pk for s in b.joint_of}
        current = set(body.joint_of.values_list("pk", flat=True))
        if wanted != current:
            body.joint_of.set(wanted)
            if f"body {b.slug}" not in report.created:
                report.updated.append(f"body {b.slug} (joint_of)")
        existing = set(body.seats.values_list("key", flat=True))
        for seat in b.seats:
            upsert(Seat, {"body": body, "key": seat.key}, {
                "title": seat.title,
                "principal": principals.get(seat.principal) if seat.principal else None,
                "principal_kind": seat.principal_kind,
                "sector": sectors.get(seat.sector) if seat.sector else None,
                "qualification": seat.qualification, "member_count": seat.member_count,
                "substitute_count": seat.substitute_count,
                "by_virtue_of_office": seat.by_virtue_of_office, "is_co_opted": seat.is_co_opted,
                "eligibility": seat.eligibility,
                "position": seat.position}, f"seat {b.slug}/{seat.key}")
        for key in sorted(existing - {s.key for s in b.seats}):
            report.kept.append(f"seat {b.slug}/{key} is not in the preset; kept")
    for slug in Body.objects.filter(structure=structure).exclude(
            slug__in=list(bodies)).values_list("slug", flat=True):
        report.kept.append(f"body {slug} is not in the preset; kept")
    return report


def _decided(rotation: Any) -> list[dict]:
    """The extensions of ``rotation`` recorded as decisions of the body (V3, V8: they carry
    the id of ``meetings.RotationExtension``); they are the group's, not the preset's."""
    if not isinstance(rotation, dict):
        return []
    return [e for e in rotation.get("extensions") or []
            if isinstance(e, dict) and e.get("decision") is not None]


def _with_decided(preset_rotation: dict, decided: list[dict]) -> dict:
    """The preset's rotation plus the body's decided extensions the preset does not
    already name (the same period), if the rule still has a meaning with them."""
    if not decided or not preset_rotation:
        return preset_rotation
    out = dict(preset_rotation)
    named = {e.get("period_start") for e in out.get("extensions") or []}
    out["extensions"] = sorted([*(out.get("extensions") or []),
                                *(e for e in decided if e.get("period_start") not in named)],
                               key=lambda e: e.get("period_start") or 0)
    try:
        parse_rotation(out)
    except RotationError:
        return preset_rotation
    return out


def _rotation(slug: str, preset_rotation: dict, *, reset: bool, report: LoadReport) -> dict:
    """The rotation to store for the body ``slug`` (docs/presets.md, "Local changes").

    The body remembers the rotation last loaded (``rotation_preset``). When its rotation
    differs from that — apart from extensions recorded as the body's decisions — it was
    changed locally (the admin) and is kept, with a line in the report when the preset's
    differs from it; ``reset`` takes the preset's. Decided extensions always survive.
    """
    row = Body.objects.filter(slug=slug).values("rotation", "rotation_preset").first()
    if row is None:
        return preset_rotation
    local, loaded = row["rotation"], row["rotation_preset"]
    decided = _decided(local)
    base = dict(local, extensions=[e for e in local.get("extensions") or []
                                   if e not in decided]) if decided else local
    if decided and not base["extensions"] and not (loaded or {}).get("extensions"):
        base.pop("extensions")
        if "extensions" in (loaded or {}):
            base["extensions"] = []
    changed_locally = loaded is not None and base != loaded
    if changed_locally and not reset:
        if _with_decided(preset_rotation, decided) != local:
            report.kept.append(f"body {slug}: the rotation was changed locally since the last "
                               "load; kept (--reset-rotation takes the preset's)")
        return local
    if changed_locally:
        report.updated.append(f"body {slug}: the local rotation replaced by the preset's "
                              "(--reset-rotation)")
    return _with_decided(preset_rotation, decided)


def _check_against_database(preset: Preset) -> None:
    """What only the database knows: slugs and codes other structures already use.

    Runs before anything is written, so a clash leaves the database as it was.
    """
    problems: list[tuple[str, str]] = []
    taken = (Body.objects.filter(slug__in=[b.slug for b in preset.bodies])
             .exclude(structure__slug=preset.slug)
             .values_list("slug", "structure__slug"))
    problems += [(f"bodies[{slug}].slug", f"the slug is already used by the structure '{owner}'")
                 for slug, owner in taken]
    existing = {p.code: p for p in Principal.objects.filter(
        code__in=[p.code for p in preset.principals])}
    by_slug = dict(Principal.objects.filter(slug__in=[p.slug for p in preset.principals])
                   .values_list("slug", "code"))
    for p in preset.principals:
        other = by_slug.get(p.slug)
        if other is not None and other != p.code:
            problems.append((f"principals[{p.code}].slug",
                             f"the slug '{p.slug}' already belongs to the principal '{other}'"))
        known = existing.get(p.code)
        if known is not None and known.kind != p.kind:
            problems.append((f"principals[{p.code}].kind",
                             f"the principal '{p.code}' ({known.name}) is already a "
                             f"{known.kind}, not a {p.kind}"))
    if preset.replaces:
        owner = (Structure.objects.filter(replaces__slug=preset.replaces["slug"])
                 .exclude(slug=preset.slug).values_list("slug", flat=True).first())
        if owner is not None:
            problems.append(("structure.replaces.slug",
                             f"'{preset.replaces['slug']}' is already replaced by '{owner}'"))
    if problems:
        raise PresetError(preset.file or preset.slug, problems)


def load_structure(name: str, *, actor: Actor = None, reason: str = "",
                   reset_rotation: bool = False) -> LoadReport:
    """Read, validate and load the preset named ``name`` (slug or path)."""
    return load_preset(read_preset(resolve_preset(name)), actor=actor, reason=reason,
                       reset_rotation=reset_rotation)
