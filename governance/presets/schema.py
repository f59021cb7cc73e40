"""Validation of preset files: a whole structure described as data (YAML).

``parse_preset`` turns the raw YAML into plain, fully expanded dataclasses, or raises
``PresetError`` naming the file, the path to every bad field and what is wrong. Nothing
here touches the database, so a bad file is rejected before anything is written. The
format is documented in docs/presets.md.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.text import slugify

from governance import eligibility, rule_index
from governance.rules import RotationError, parse_rotation
from governance.standard_agenda import StandardAgendaError, parse_standard_agenda

FORMAT_VERSION = 1
PRINCIPAL_KINDS = ("region", "municipality", "association")
BODY_KINDS = (
    "political", "presidium", "officials_board", "county_group", "local_group",
    "preparatory", "council", "working_group", "network", "seminar",
)
OFFICES = ("chair", "vice_chair", "second_vice_chair", "convener")
OFFICE_PRINCIPAL_KINDS = ("region", "municipality", "association", "any", "not_chair")
TERM_KINDS = ("political", "agreement", "other")
RULE_ID = re.compile(r"^[A-Z]\d{1,3}$")  # H11, J3, V8; a new region may use its own letter
SECTOR_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KOMMUNER_CSV = Path(__file__).resolve().parent.parent / "data" / "kommuner.csv"


class PresetError(Exception):
    """A preset file that cannot be loaded; ``problems`` lists (path, message) pairs."""

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file = file
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(f"{self.file}: {path}: {message}" for path, message in self.problems)


@cache
def municipalities() -> dict[str, dict[str, str]]:
    """All 290 municipalities from SCB's list, by municipality code."""
    with KOMMUNER_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["kommunkod"]: row for row in csv.DictReader(fh)}


def municipality_name(short: str) -> str:
    """'Sundsvall' → 'Sundsvalls kommun', 'Ånge' → 'Ånge kommun' (Swedish genitive)."""
    if short[-1].lower() in "aeiouyåäösxz":
        return f"{short} kommun"
    return f"{short}s kommun"


# --- the parsed preset ----------------------------------------------------------------

@dataclass
class PrincipalSpec:
    code: str
    name: str
    short_name: str
    slug: str
    kind: str
    county_code: str
    is_party: bool
    note: str = ""


@dataclass
class SeatSpec:
    key: str
    title: str
    principal: str | None  # principal code
    principal_kind: str
    sector: str | None
    qualification: str
    member_count: int
    substitute_count: int
    by_virtue_of_office: bool
    is_co_opted: bool
    position: int
    # Who may hold the seat (issue 13, governance/eligibility.py); {} = anyone.
    eligibility: dict = field(default_factory=dict)


@dataclass
class BodySpec:
    slug: str
    name: str
    short_name: str
    kind: str
    position: int
    parent: str | None
    prepares_for: str | None
    joint_of: list[str]
    area: str | None
    owner_principal: str | None
    mandate: str
    min_meetings_per_year: int | None
    meeting_rule: dict
    notice_days: int
    is_temporary: bool
    ends_on: dt.date | None
    review_interval_months: int | None
    rotation: dict
    rule_refs: list[str]
    seats: list[SeatSpec] = field(default_factory=list)
    # None: the preset does not say, the body gets governance.standard_agenda's defaults.
    standard_agenda: list[dict] | None = None
    # The day the body starts (issue 13): None = with its structure (valid_from).
    starts_on: dt.date | None = None
    # The minimum is only recommended (H14 "förslagsvis minst 4"): advice, not a breach.
    min_meetings_recommended: bool = False


@dataclass
class Preset:
    slug: str
    name: str
    short_name: str
    region: str
    description: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    replaces: dict | None
    termination_notice_months: int | None
    termination_notice_to: str
    office_email: str
    rules: dict
    sources: list[str]
    principals: list[PrincipalSpec]
    sectors: list[tuple[str, str]]
    areas: list[tuple[str, str]]
    terms: list[dict]
    bodies: list[BodySpec]
    file: str = ""


# --- a small checker that remembers where it is -----------------------------------------

class _Checker:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def mapping(self, value: Any, path: str, *, required: set[str], allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping (key: value), got {_kind(value)}")
            return {}
        for key in sorted(required - value.keys()):
            self.fail(f"{path}.{key}" if path else key, "is required but missing")
        for key in sorted(value.keys() - allowed - required, key=str):
            self.fail(f"{path}.{key}" if path else str(key),
                      f"unknown field (allowed: {', '.join(sorted(allowed | required))})")
        return value

    def seq(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_kind(value)}")
            return []
        return value

    def text(self, value: Any, path: str, *, required: bool = True, max_len: int = 200) -> str:
        if value is None or value == "":
            if required:
                self.fail(path, "must not be empty")
            return ""
        if not isinstance(value, str):
            self.fail(path, f"expected text, got {_kind(value)}")
            return ""
        if len(value) > max_len:
            self.fail(path, f"is {len(value)} characters long; at most {max_len} allowed")
        return value.strip()

    def slug(self, value: Any, path: str) -> str:
        text = self.text(value, path, max_len=80)
        if text and not SLUG.match(text):
            self.fail(path, f"'{text}' is not a slug (lower-case a–z, digits and single hyphens)")
        return text

    def integer(self, value: Any, path: str, *, minimum: int = 0, maximum: int = 10_000,
                required: bool = False) -> int | None:
        if value is None:
            if required:
                self.fail(path, "is required but missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected a whole number, got {_kind(value)} {value!r}")
            return None
        if not minimum <= value <= maximum:
            self.fail(path, f"must be between {minimum} and {maximum}, got {value}")
            return None
        return value

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {_kind(value)} {value!r}")
            return default
        return value

    def date(self, value: Any, path: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            self.fail(path, f"expected a date (YYYY-MM-DD), got {_kind(value)} {value!r}")
            return None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                self.fail(path, f"'{value}' is not a date (YYYY-MM-DD)")
                return None
        return value

    def choice(self, value: Any, path: str, choices: tuple[str, ...], *,
               required: bool = True) -> str:
        if value is None and not required:
            return ""
        if value not in choices:
            self.fail(path, f"{value!r} is not one of: {', '.join(choices)}")
            return ""
        return value

    def rule_refs(self, value: Any, path: str) -> list[str]:
        refs = []
        for i, ref in enumerate(self.seq(value, path)):
            if not isinstance(ref, str) or not RULE_ID.match(ref):
                self.fail(f"{path}[{i}]", f"{ref!r} is not a rule id such as H11, J3 or V8")
            else:
                refs.append(ref)
        return refs


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a decimal number", type(None): "nothing"}.get(
        type(value), type(value).__name__)


# --- parsing --------------------------------------------------------------------------

def parse_preset(data: Any, *, file: str) -> Preset:
    """Validate and expand raw preset data; raise ``PresetError`` listing every problem."""
    c = _Checker()
    root = c.mapping(
        data, "",
        required={"format", "structure", "principals", "bodies"},
        allowed={"sectors", "areas", "terms"},
    )
    if root.get("format") is not None and root.get("format") != FORMAT_VERSION:
        c.fail("format", f"unsupported format {root.get('format')!r}; "
                         f"this version reads {FORMAT_VERSION}")
    s = c.mapping(
        root.get("structure", {}), "structure",
        required={"slug", "name", "region"},
        allowed={"short_name", "description", "valid_from", "valid_until", "replaces",
                 "termination_notice_months", "termination_notice_to", "office_email", "rules",
                 "sources"},
    )
    if s:
        c.slug(s.get("slug"), "structure.slug")
        c.text(s.get("name"), "structure.name")
        c.text(s.get("region"), "structure.region")
    valid_from = c.date(s.get("valid_from"), "structure.valid_from")
    valid_until = c.date(s.get("valid_until"), "structure.valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        c.fail("structure.valid_until", "is before valid_from")
    replaces = None
    if s.get("replaces") is not None:
        r = c.mapping(s["replaces"], "structure.replaces", required={"slug", "name"},
                      allowed={"valid_from", "valid_until", "region"})
        replaces = {
            "slug": c.slug(r.get("slug"), "structure.replaces.slug"),
            "name": c.text(r.get("name"), "structure.replaces.name"),
            "valid_from": c.date(r.get("valid_from"), "structure.replaces.valid_from"),
            "valid_until": c.date(r.get("valid_until"), "structure.replaces.valid_until"),
        }
    if replaces and replaces["slug"] and replaces["slug"] == s.get("slug"):
        c.fail("structure.replaces.slug", "a structure cannot replace itself")
    rules = s.get("rules") or {}
    if not isinstance(rules, dict):
        c.fail("structure.rules", f"expected a mapping, got {_kind(rules)}")
        rules = {}
    rules = _json_ready(rules)
    for path, problem in rule_index.check_structure_rules(rules):  # H31 resources
        c.fail(path, problem)
    description = c.text(s.get("description"), "structure.description", required=False,
                         max_len=5000)
    notice_to = c.text(s.get("termination_notice_to"), "structure.termination_notice_to",
                       required=False)
    sources = [str(x) for x in c.seq(s.get("sources"), "structure.sources")]

    principals = _parse_principals(c, root.get("principals"))
    codes = {p.code for p in principals}
    kinds_present = {p.kind for p in principals}

    sectors: list[tuple[str, str]] = []
    for i, item in enumerate(c.seq(root.get("sectors"), "sectors")):
        m = c.mapping(item, f"sectors[{i}]", required={"code", "name"}, allowed=set())
        code = c.text(m.get("code"), f"sectors[{i}].code", max_len=40)
        if code and not SECTOR_CODE.match(code):
            c.fail(f"sectors[{i}].code", f"'{code}' is not a code (lower-case a–z, digits, _)")
        sectors.append((code, c.text(m.get("name"), f"sectors[{i}].name")))
    sector_codes = {code for code, _name in sectors}
    areas: list[tuple[str, str]] = []
    for i, item in enumerate(c.seq(root.get("areas"), "areas")):
        m = c.mapping(item, f"areas[{i}]", required={"code", "name"}, allowed=set())
        areas.append((c.slug(m.get("code"), f"areas[{i}].code"),
                      c.text(m.get("name"), f"areas[{i}].name")))
    area_codes = {code for code, _name in areas}
    _no_duplicates(c, "sectors", [code for code, _ in sectors])
    _no_duplicates(c, "areas", [code for code, _ in areas])

    terms = []
    for i, item in enumerate(c.seq(root.get("terms"), "terms")):
        path = f"terms[{i}]"
        m = c.mapping(item, path, required={"name", "start", "end"}, allowed={"kind"})
        start, end = c.date(m.get("start"), f"{path}.start"), c.date(m.get("end"), f"{path}.end")
        if start and end and end < start:
            c.fail(f"{path}.end", "is before start")
        terms.append({"kind": c.choice(m.get("kind", "political"), f"{path}.kind", TERM_KINDS),
                      "name": c.text(m.get("name"), f"{path}.name"), "start": start, "end": end})

    ctx = _BodyContext(principals=principals, codes=codes, kinds=kinds_present,
                       sectors=sector_codes, areas=areas, area_codes=area_codes)
    bodies: list[BodySpec] = []
    for i, item in enumerate(c.seq(root.get("bodies"), "bodies")):
        bodies.extend(_parse_body(c, item, f"bodies[{i}]", ctx))
    slugs = [b.slug for b in bodies]
    seen_slugs: set[str] = set()
    for slug in slugs:
        if slug in seen_slugs:
            c.fail(f"bodies[{slug}].slug", f"the slug '{slug}' occurs more than once")
        seen_slugs.add(slug)
    known = set(slugs)
    for b in bodies:
        for attr in ("parent", "prepares_for"):
            ref = getattr(b, attr)
            if ref and ref not in known:
                c.fail(f"bodies[{b.slug}].{attr}", f"no body with slug '{ref}' in this preset")
        for ref in b.joint_of:
            if ref not in known:
                c.fail(f"bodies[{b.slug}].joint_of", f"no body with slug '{ref}' in this preset")
        _no_duplicates(c, f"bodies[{b.slug}].seats", [seat.key for seat in b.seats], what="key")
    _no_cycles(c, bodies)
    _check_eligible_refs(c, bodies)
    notice_months = c.integer(s.get("termination_notice_months"),
                              "structure.termination_notice_months", maximum=120)
    short_name = c.text(s.get("short_name"), "structure.short_name", required=False, max_len=60)
    office_email = c.text(s.get("office_email"), "structure.office_email", required=False)
    if office_email and "@" not in office_email:
        c.fail("structure.office_email", f"'{office_email}' is not an e-mail address")

    if c.problems:
        raise PresetError(file, c.problems)
    return Preset(
        slug=s["slug"], name=s["name"].strip(), short_name=short_name,
        region=s["region"].strip(), description=description,
        valid_from=valid_from, valid_until=valid_until, replaces=replaces,
        termination_notice_months=notice_months,
        termination_notice_to=notice_to,
        office_email=office_email, rules=rules, sources=sources,
        principals=principals, sectors=sectors, areas=areas, terms=terms, bodies=bodies,
        file=file,
    )


def _check_eligible(c: _Checker, raw: Any, path: str) -> dict:
    """The shape of an ``eligible`` mapping (governance/eligibility.py); {} when absent."""
    if raw is None:
        return {}
    found = eligibility.problems(raw, offices=OFFICES)
    for sub, message in found:
        c.fail(f"{path}{sub}", message)
    if found:
        return {}
    if raw.get("rule"):
        c.rule_refs([raw["rule"]], f"{path}.rule")
    return _json_ready(raw)


def _check_eligible_refs(c: _Checker, bodies: list[BodySpec]) -> None:
    """Every body and seat an ``eligible`` names exists in this preset."""
    seats = {b.slug: [s.key for s in b.seats] for b in bodies}

    def check(data: dict, path: str, own: str) -> None:
        for i, src in enumerate(data.get("any_of") or []):
            body = src.get("body") or own
            if body not in seats:
                c.fail(f"{path}.any_of[{i}].body", f"no body with slug '{body}' in this preset")
                continue
            for key in src.get("seats") or []:
                if not any(eligibility.seat_key_matches(key, k) for k in seats[body]):
                    c.fail(f"{path}.any_of[{i}].seats",
                           f"the body '{body}' has no seat '{key}' (nor seats made from it)")

    for b in bodies:
        for seat in b.seats:
            if seat.eligibility:
                check(seat.eligibility, f"bodies[{b.slug}].seats[{seat.key}].eligible", b.slug)
        for i, step in enumerate((b.rotation or {}).get("cycle") or []):
            for office, spec in (step.items() if isinstance(step, dict) else []):
                if isinstance(spec, dict) and spec.get("eligible"):
                    check(spec["eligible"], f"bodies[{b.slug}].rotation.cycle[{i}].{office}"
                                            ".eligible", b.slug)


def _json_ready(value: Any) -> Any:
    """Data bound for a JSONField: YAML dates become ISO text, so it saves and compares."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date):  # also datetime
        return value.isoformat()
    return value


def _paragraphs(text: str) -> str:
    """Re-flow hard-wrapped text: lines join, blank lines separate paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _no_duplicates(c: _Checker, path: str, values: list[str], what: str = "code") -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            c.fail(path, f"the {what} '{value}' occurs more than once")
        seen.add(value)


def _no_cycles(c: _Checker, bodies: list[BodySpec]) -> None:
    parent = {b.slug: b.parent for b in bodies}
    for slug in parent:
        seen, cur = set(), slug
        while cur is not None and cur in parent:
            if cur in seen:
                c.fail(f"bodies[{slug}].parent", "the reporting lines form a circle")
                break
            seen.add(cur)
            cur = parent[cur]


def _parse_principals(c: _Checker, raw: Any) -> list[PrincipalSpec]:
    out: list[PrincipalSpec] = []
    kommuner = municipalities()
    for i, item in enumerate(c.seq(raw, "principals")):
        path = f"principals[{i}]"
        m = c.mapping(item, path, required={"kind"},
                      allowed={"code", "name", "short_name", "slug", "county", "party", "note"})
        kind = c.choice(m.get("kind"), f"{path}.kind", PRINCIPAL_KINDS)
        party = c.boolean(m.get("party"), f"{path}.party", kind != "association")
        note = c.text(m.get("note"), f"{path}.note", required=False, max_len=300)
        if kind == "municipality" and "county" in m:
            county = str(m["county"])
            rows = [r for r in kommuner.values() if r["lanskod"] == county]
            if not rows:
                c.fail(f"{path}.county", f"no municipalities with county code '{county}'")
            for row in rows:
                short = row["kommun"]
                out.append(PrincipalSpec(code=row["kommunkod"], name=municipality_name(short),
                                         short_name=short, slug=slugify(short), kind=kind,
                                         county_code=county, is_party=party, note=note))
            continue
        code = c.text(m.get("code"), f"{path}.code", max_len=20)
        if kind == "municipality":
            row = kommuner.get(code)
            if code and row is None:
                c.fail(f"{path}.code", f"'{code}' is not an SCB municipality code")
                continue
            if row is None:
                continue
            short = m.get("short_name") or row["kommun"]
            name = m.get("name") or municipality_name(row["kommun"])
            county = row["lanskod"]
        else:
            name = c.text(m.get("name"), f"{path}.name")
            short = m.get("short_name") or name
            county = str(m.get("county") or "")
        slug = m.get("slug") or slugify(short)
        if not SLUG.match(slug or ""):
            c.fail(f"{path}.slug", f"'{slug}' is not a slug")
        out.append(PrincipalSpec(code=code, name=name, short_name=short, slug=slug, kind=kind,
                                 county_code=county, is_party=party, note=note))
    _no_duplicates(c, "principals", [p.code for p in out])
    _no_duplicates(c, "principals", [p.slug for p in out], what="slug")
    if not out:
        c.fail("principals", "a structure needs at least one principal")
    return out


@dataclass
class _BodyContext:
    principals: list[PrincipalSpec]
    codes: set[str]
    kinds: set[str]
    sectors: set[str]
    areas: list[tuple[str, str]]
    area_codes: set[str]


_BODY_FIELDS = {
    "short_name", "position", "parent", "prepares_for", "joint_of", "area", "owner_principal",
    "mandate", "min_meetings_per_year", "meeting_rule", "notice_days", "temporary", "ends_on",
    "starts_on", "min_meetings_recommended",
    "review_interval_months", "rotation", "rules", "seats", "for_each", "standard_agenda",
}


def _parse_body(c: _Checker, raw: Any, path: str, ctx: _BodyContext) -> list[BodySpec]:
    m = c.mapping(raw, path, required={"slug", "name", "kind"}, allowed=_BODY_FIELDS)
    if not m:
        return []
    combos: list[dict[str, str]] = [{}]
    if m.get("for_each") is not None:
        fe = c.mapping(m["for_each"], f"{path}.for_each", required=set(),
                       allowed={"principal_kind", "area"})
        combos = [{}]
        if "principal_kind" in fe:
            kind = c.choice(fe["principal_kind"], f"{path}.for_each.principal_kind",
                            PRINCIPAL_KINDS)
            combos = [dict(x, principal=p.code, principal_slug=p.slug, principal_name=p.short_name)
                      for x in combos for p in ctx.principals if p.kind == kind]
        if fe.get("area") == "all":
            combos = [dict(x, area=code, area_name=name)
                      for x in combos for code, name in ctx.areas]
        elif "area" in fe:
            c.fail(f"{path}.for_each.area", "the only value allowed is 'all'")
    bodies = []
    for combo in combos:
        fmt = {"principal": combo.get("principal_slug", ""),
               "principal_name": combo.get("principal_name", ""),
               "area": combo.get("area", ""), "area_name": combo.get("area_name", "")}
        try:
            slug = str(m.get("slug", "")).format(**fmt)
            name = str(m.get("name", "")).format(**fmt)
            mandate = str(m.get("mandate") or "").format(**fmt)
        except (KeyError, IndexError, ValueError) as exc:
            c.fail(path, f"a template in slug, name or mandate cannot be filled in: {exc}")
            return []
        bpath = f"bodies[{slug}]" if combo else path
        c.slug(slug, f"{bpath}.slug")
        kind = c.choice(m.get("kind"), f"{path}.kind", BODY_KINDS)
        area = combo.get("area") or m.get("area")
        if area is not None and area not in ctx.area_codes:
            c.fail(f"{path}.area", f"no strategic area with code '{area}' (add it under areas)")
        owner = combo.get("principal") or m.get("owner_principal")
        if owner is not None and owner not in ctx.codes:
            c.fail(f"{path}.owner_principal", f"no principal with code '{owner}'")
        if kind == "local_group" and owner is None:
            c.fail(f"{path}.owner_principal", "a local group needs the principal it belongs to")
        temporary = c.boolean(m.get("temporary"), f"{path}.temporary", False)
        ends_on = c.date(m.get("ends_on"), f"{path}.ends_on")
        if temporary and ends_on is None:
            c.fail(f"{path}.ends_on", "a temporary body needs the date it ends")
        starts_on = c.date(m.get("starts_on"), f"{path}.starts_on")
        if starts_on and ends_on and ends_on < starts_on:
            c.fail(f"{path}.ends_on", "is before starts_on")
        meeting_rule = m.get("meeting_rule") or {}
        if not isinstance(meeting_rule, dict):
            c.fail(f"{path}.meeting_rule", f"expected a mapping, got {_kind(meeting_rule)}")
            meeting_rule = {}
        rotation = _check_rotation(c, m.get("rotation"), f"{path}.rotation", ctx)
        joint_of = []
        for k, ref in enumerate(c.seq(m.get("joint_of"), f"{path}.joint_of")):
            if c.slug(ref, f"{path}.joint_of[{k}]"):
                joint_of.append(ref)
        parent = c.slug(m["parent"], f"{path}.parent") if m.get("parent") is not None else None
        prepares_for = (c.slug(m["prepares_for"], f"{path}.prepares_for")
                        if m.get("prepares_for") is not None else None)
        body = BodySpec(
            slug=slug, name=c.text(name, f"{path}.name"),
            short_name=c.text(m.get("short_name"), f"{path}.short_name", required=False,
                              max_len=60),
            kind=kind, position=c.integer(m.get("position"), f"{path}.position") or 0,
            parent=parent or None, prepares_for=prepares_for or None, joint_of=joint_of,
            area=area, owner_principal=owner, mandate=_paragraphs(mandate),
            min_meetings_per_year=c.integer(m.get("min_meetings_per_year"),
                                            f"{path}.min_meetings_per_year", maximum=366),
            min_meetings_recommended=c.boolean(m.get("min_meetings_recommended"),
                                               f"{path}.min_meetings_recommended", False),
            meeting_rule=_json_ready(meeting_rule),
            notice_days=c.integer(m.get("notice_days"), f"{path}.notice_days", minimum=1,
                                  maximum=365) or 14,
            is_temporary=temporary, ends_on=ends_on, starts_on=starts_on,
            review_interval_months=c.integer(m.get("review_interval_months"),
                                             f"{path}.review_interval_months", minimum=1,
                                             maximum=120),
            rotation=rotation, rule_refs=c.rule_refs(m.get("rules"), f"{path}.rules"),
        )
        if "standard_agenda" in m:
            try:
                body.standard_agenda = parse_standard_agenda(m["standard_agenda"] or [])
            except StandardAgendaError as exc:
                c.fail(f"{path}.standard_agenda{exc.path}", exc.message)
        for j, seat in enumerate(c.seq(m.get("seats"), f"{path}.seats")):
            body.seats.extend(_parse_seat(c, seat, f"{path}.seats[{j}]", ctx, combo,
                                          len(body.seats)))
        bodies.append(body)
    return bodies


def _parse_seat(c: _Checker, raw: Any, path: str, ctx: _BodyContext, combo: dict[str, str],
                position: int) -> list[SeatSpec]:
    m = c.mapping(raw, path, required={"key", "title"},
                  allowed={"principal", "principal_kind", "for_each", "sector", "qualification",
                           "members", "substitutes", "by_virtue_of_office", "co_opted",
                           "overrides", "eligible"})
    if not m:
        return []
    key = c.slug(m.get("key"), f"{path}.key")
    title = c.text(m.get("title"), f"{path}.title")
    sector = m.get("sector")
    if sector is not None and sector not in ctx.sectors:
        c.fail(f"{path}.sector", f"no sector with code '{sector}' (add it under sectors)")
    members = c.integer(m.get("members", 1), f"{path}.members", maximum=500)
    substitutes = c.integer(m.get("substitutes", 0), f"{path}.substitutes", maximum=500)
    if members == 0 and substitutes == 0:
        c.fail(f"{path}.members", "a seat needs room for at least one member or substitute")
    common = {
        "title": title, "sector": sector,
        "qualification": c.text(m.get("qualification"), f"{path}.qualification", required=False),
        "by_virtue_of_office": c.boolean(m.get("by_virtue_of_office"),
                                         f"{path}.by_virtue_of_office", False),
        "is_co_opted": c.boolean(m.get("co_opted"), f"{path}.co_opted", False),
        "eligibility": _check_eligible(c, m.get("eligible"), f"{path}.eligible"),
    }
    principal = m.get("principal")
    if principal == "owner":
        principal = combo.get("principal")
    overrides = m.get("overrides") or {}
    if not isinstance(overrides, dict):
        c.fail(f"{path}.overrides", "expected a mapping of principal code → {members, substitutes}")
        overrides = {}
    # An unquoted code (2480:) reads as a number; the codes are text.
    overrides = {str(code): value for code, value in overrides.items()}
    if m.get("for_each") is not None:
        kind = c.choice(m["for_each"], f"{path}.for_each", PRINCIPAL_KINDS)
        if principal is not None or m.get("principal_kind") is not None:
            c.fail(f"{path}.for_each", "give for_each, principal or principal_kind, not several")
        of_kind = {p.code for p in ctx.principals if p.kind == kind}
        for code in overrides:
            if code not in ctx.codes:
                c.fail(f"{path}.overrides.{code}", f"no principal with code '{code}'")
            elif code not in of_kind:
                c.fail(f"{path}.overrides.{code}", f"the principal '{code}' is not a {kind}, "
                       "so for_each makes no seat for it")
        out = []
        for k, p in enumerate(q for q in ctx.principals if q.kind == kind):
            o = overrides.get(p.code) or {}
            o = c.mapping(o, f"{path}.overrides.{p.code}", required=set(),
                          allowed={"members", "substitutes"})
            out.append(SeatSpec(
                key=f"{key}-{p.slug}", principal=p.code, principal_kind="",
                member_count=c.integer(o.get("members", members),
                                       f"{path}.overrides.{p.code}.members", maximum=500) or 0,
                substitute_count=c.integer(o.get("substitutes", substitutes),
                                           f"{path}.overrides.{p.code}.substitutes",
                                           maximum=500) or 0,
                position=position + k, **common))
            if o and out[-1].member_count == 0 and out[-1].substitute_count == 0:
                c.fail(f"{path}.overrides.{p.code}",
                       "a seat needs room for at least one member or substitute")
        return out
    if overrides:
        c.fail(f"{path}.overrides", "overrides only apply to a seat with for_each")
    if principal is not None and principal not in ctx.codes:
        c.fail(f"{path}.principal", f"no principal with code '{principal}'")
    principal_kind = ""
    if m.get("principal_kind") is not None:
        principal_kind = c.choice(m["principal_kind"], f"{path}.principal_kind", PRINCIPAL_KINDS)
        if principal is not None:
            c.fail(f"{path}.principal_kind", "give principal or principal_kind, not both")
    return [SeatSpec(key=key, principal=principal, principal_kind=principal_kind,
                     member_count=members or 0, substitute_count=substitutes or 0,
                     position=position, **common)]


def _check_rotation(c: _Checker, raw: Any, path: str, ctx: _BodyContext) -> dict:
    """Check the shape of a rotation rule; the rule module gives it meaning."""
    if raw is None:
        return {}
    problems_before = len(c.problems)
    m = c.mapping(raw, path, required={"term", "cycle"},
                  allowed={"election", "extensions", "rules", "presidium_size", "recommendations",
                           "notes", "cycle_start", "extension"})
    if not m:
        return {}
    term = c.mapping(m.get("term"), f"{path}.term", required=set(),
                     allowed={"years", "start_year", "political"})
    c.integer(term.get("years", 1), f"{path}.term.years", minimum=1, maximum=10)
    c.integer(term.get("start_year"), f"{path}.term.start_year", minimum=1990, maximum=2200,
              required=True)
    c.boolean(term.get("political"), f"{path}.term.political", False)
    cycle = c.seq(m.get("cycle"), f"{path}.cycle")
    if not cycle:
        c.fail(f"{path}.cycle", "needs at least one step")
    for i, step in enumerate(cycle):
        spath = f"{path}.cycle[{i}]"
        offices = c.mapping(step, spath, required=set(), allowed=set(OFFICES))
        for office, req in offices.items():
            opath = f"{spath}.{office}"
            r = c.mapping(req, opath, required={"principal_kind"},
                          allowed={"sector", "qualification", "per_area", "among", "rule",
                                   "eligible"})
            kind = c.choice(r.get("principal_kind"), f"{opath}.principal_kind",
                            OFFICE_PRINCIPAL_KINDS)
            if kind == "not_chair" and office == "chair":
                c.fail(f"{opath}.principal_kind", "the chair cannot be 'not_chair'")
            if r.get("sector") is not None and r["sector"] not in ctx.sectors:
                c.fail(f"{opath}.sector", f"no sector with code '{r['sector']}'")
            if r.get("among") is not None and r["among"] not in OFFICES:
                c.fail(f"{opath}.among", f"{r['among']!r} is not an office")
            if r.get("rule") is not None:
                c.rule_refs([r["rule"]], f"{opath}.rule")
            if r.get("eligible") is not None:
                r["eligible"] = _check_eligible(c, r["eligible"], f"{opath}.eligible")
    election = m.get("election")
    if election is not None:
        e = c.mapping(election, f"{path}.election", required={"at"},
                      allowed={"rule", "within_months"})
        c.choice(e.get("at"), f"{path}.election.at",
                 ("last_meeting_of_previous_year", "start_of_term", "any_time"))
        c.integer(e.get("within_months"), f"{path}.election.within_months", minimum=1,
                  maximum=48)
    for i, ext in enumerate(c.seq(m.get("extensions"), f"{path}.extensions")):
        x = c.mapping(ext, f"{path}.extensions[{i}]", required={"period_start", "years"},
                      allowed={"decided_on", "note", "decision"})
        c.integer(x.get("period_start"), f"{path}.extensions[{i}].period_start", minimum=1990,
                  maximum=2200, required=True)
        c.integer(x.get("years"), f"{path}.extensions[{i}].years", minimum=1, maximum=10,
                  required=True)
        decided = c.date(x.get("decided_on"), f"{path}.extensions[{i}].decided_on")
        if decided is not None and isinstance(ext, dict):
            ext["decided_on"] = decided.isoformat()  # YAML reads a date; JSONField needs text
    if m.get("extension") is not None:  # V3/V8: a period may be extended by decision
        x = c.mapping(m.get("extension"), f"{path}.extension", required={"requires"},
                      allowed={"rule"})
        c.choice(x.get("requires"), f"{path}.extension.requires", ("unanimous", "decision"))
        if x.get("rule") is not None:
            c.rule_refs([x["rule"]], f"{path}.extension.rule")
    c.integer(m.get("presidium_size"), f"{path}.presidium_size", minimum=1, maximum=20)
    # Which step of the cycle the first period uses: the starting side (H20 "or vice versa").
    c.integer(m.get("cycle_start"), f"{path}.cycle_start", maximum=max(len(cycle) - 1, 0))
    c.rule_refs(m.get("rules"), f"{path}.rules")
    if len(c.problems) == problems_before:
        # The shape is right; let the rule module say whether it has a meaning (e.g. an
        # extension must name the start year of a period).
        try:
            parse_rotation(m)
        except RotationError as exc:
            c.fail(path, str(exc))
    return m
