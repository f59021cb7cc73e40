"""A body's rotation rule (``Body.rotation``) as a form in the admin, not raw JSON.

The rule's shape is the preset's (docs/rotation.md): the term, a cycle of steps (each
step the requirements of the offices for one period), the starting step, the election,
extensions, the presidium size, recommendations, notes and the rule ids. The form shows
each of them as real widgets, in Swedish: one fieldset per step and, inside it, one per
office. What it saves is the same JSON the preset loader writes, checked by the same
function the presets use (``governance.presets.schema._check_rotation``, which also asks
``governance.rules.parse_rotation`` for the rule's meaning); that function's messages are
put in Swedish on the input they concern.

Saving a rule unchanged gives back exactly the stored JSON: a key the stored rule spells
out with its default value (``extensions: []``, ``years: 1``) is kept, and a default the
stored rule leaves out is not added.

The pieces: ``RotationEditor`` binds the sub-forms (from stored JSON or from POST data)
and turns them into JSON; ``RotationWidget`` renders it and reads it back;
``RotationField`` is the form field on the body's admin form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from halsam import form_fields as bounded

from .models import Office, Sector
from .presets.schema import RULE_ID, _check_rotation, _Checker
from .rules import OFFICES, POLITICAL_TERM_YEARS

OFFICE_LABELS = dict(Office.choices)

PRINCIPAL_KIND_CHOICES = [
    ("", _("– not in this step –")),
    ("region", _("The region")),
    ("municipality", _("A municipality")),
    ("association", _("An association of municipalities")),
    ("any", _("Any principal")),
    ("not_chair", _("The side that does not hold the chair")),
]
ELECTION_CHOICES = [
    ("", _("Not stated (before the period starts)")),
    ("last_meeting_of_previous_year", _("At the last meeting of the year before the period")),
    ("start_of_term", _("Early in the term of office")),
    ("any_time", _("Any time before the period starts")),
]
RECOMMENDATION_CHOICES = [
    ("", _("– none –")),
    ("municipal_members_from_different_municipalities",
     _("The municipalities' members come from different municipalities")),
]
AMONG_CHOICES = [("", _("– no –")), *((o, OFFICE_LABELS[o]) for o in OFFICES)]


# --- the small fields ------------------------------------------------------------------

class RuleIdField(forms.CharField):
    """A rule id such as H11 (SEED_RULES.md)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 5}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip().upper()
        if value and not RULE_ID.match(value):
            raise ValidationError(_("Enter a rule id such as H11, J3 or V8."), code="rule_id")
        return value


class RuleIdListField(forms.CharField):
    """Rule ids separated by commas or spaces: "H11, H12, H13"."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        ids = [part.upper() for part in re.split(r"[\s,;]+", text) if part]
        bad = [part for part in ids if not RULE_ID.match(part)]
        if bad:
            raise ValidationError(
                _("“%(ids)s” is not a rule id; enter ids such as H11, J3 or V8."),
                code="rule_id", params={"ids": ", ".join(bad)})
        return ids


def _year_field(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=1990, max_value=2200,
                              **kwargs)


# --- the sub-forms ---------------------------------------------------------------------

class GeneralForm(forms.Form):
    term_years = forms.IntegerField(
        label=_("Length of a period (years)"), required=False, min_value=1, max_value=10,
        help_text=_("Empty: one year, or four for the political term of office."))
    term_start_year = _year_field(_("Year the first period starts"))
    term_political = forms.BooleanField(
        label=_("The period is the political term of office"), required=False)
    cycle_start = forms.IntegerField(
        label=_("Step of the first period"), required=False, min_value=1, max_value=20,
        help_text=_("1: the first period follows step 1. 2: it starts with step 2 "
                    "(“or vice versa”)."))
    election_at = forms.ChoiceField(label=_("When the holders are elected"),
                                    choices=ELECTION_CHOICES, required=False)
    election_rule = RuleIdField(label=_("Rule of the election"))
    election_within_months = forms.IntegerField(
        label=_("Elected within (months of the term)"), required=False, min_value=1,
        max_value=48, help_text=_("Only for “early in the term of office”; empty: 3."))
    presidium_size = forms.IntegerField(
        label=_("Chairs in the presidium"), required=False, min_value=1, max_value=20,
        help_text=_("For a presidium with one chair per strategic area."))
    rules = RuleIdListField(
        label=_("Rules"), required=False, max_length=200,
        help_text=_("The rule ids the rotation follows, separated by commas, e.g. "
                    "“H11, H12, H13”. An office without its own rule refers to the first."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))


class OfficeForm(forms.Form):
    principal_kind = forms.ChoiceField(label=_("Comes from"), choices=PRINCIPAL_KIND_CHOICES,
                                       required=False)
    sector = forms.ChoiceField(label=_("Sector of the seat"), required=False)
    qualification = forms.CharField(label=_("Qualification"), required=False, max_length=200,
                                    help_text=_("E.g. “områdesdirektör”; compared loosely."))
    per_area = forms.BooleanField(label=_("One per strategic area"), required=False)
    among = forms.ChoiceField(label=_("Chosen among the holders of"), choices=AMONG_CHOICES,
                              required=False)
    rule = RuleIdField(label=_("Rule"))

    def __init__(self, *args, sectors: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("– any –")), *sectors]


class StepForm(forms.Form):
    DELETE = forms.BooleanField(label=_("Remove this step"), required=False)


class ExtensionForm(forms.Form):
    period_start = _year_field(_("Start year of the period"))
    years = forms.IntegerField(label=_("Extra years"), required=False, min_value=1,
                               max_value=10)
    decided_on = bounded.DateField(label=_("Decided on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    DELETE = forms.BooleanField(label=_("Remove this extension"), required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        filled = any(cleaned.get(k) not in (None, "") for k in
                     ("period_start", "years", "decided_on", "note"))
        if filled:
            for name in ("period_start", "years"):
                if cleaned.get(name) is None:
                    self.add_error(name, ValidationError(_("This field is required."),
                                                         code="required"))
        return cleaned


class RecommendationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Recommendation"), choices=RECOMMENDATION_CHOICES,
                             required=False)
    rule = RuleIdField(label=_("Rule"))
    DELETE = forms.BooleanField(label=_("Remove this recommendation"), required=False)


# --- the editor: sub-forms ↔ JSON --------------------------------------------------------

@dataclass
class Step:
    index: int
    form: StepForm
    offices: list[tuple[str, OfficeForm]]
    is_new: bool

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def rows(self) -> list[tuple[str, OfficeForm]]:
        """(the office's name, its form), for the template."""
        return [(OFFICE_LABELS[office], form) for office, form in self.offices]


@dataclass
class RotationEditor:
    """The rotation rule's sub-forms, bound to stored JSON (``initial``) or POST ``data``."""

    prefix: str
    general: GeneralForm
    steps: list[Step]
    extensions: list[ExtensionForm]
    recommendations: list[RecommendationForm]
    bound: bool
    errors: list[str] = field(default_factory=list)  # messages for the rule as a whole

    @classmethod
    def build(cls, prefix: str, *, initial: dict | None = None, data=None,
              sectors: list[tuple[str, str]] | None = None) -> RotationEditor:
        sectors = sectors if sectors is not None else sector_choices()
        rule = initial if isinstance(initial, dict) else {}
        bound = data is not None

        def sub(name: str) -> str:
            return f"{prefix}-{name}"

        def count(name: str, stored: int) -> int:
            if not bound:
                return stored + 1  # one empty row to add
            try:
                return max(0, min(int(data.get(sub(f"{name}-TOTAL"), 0)), 50))
            except (TypeError, ValueError):
                return 0

        kwargs: dict[str, Any] = {"data": data} if bound else {}
        general = GeneralForm(prefix=prefix, initial=None if bound else _general_initial(rule),
                              **kwargs)
        cycle = rule.get("cycle") if isinstance(rule.get("cycle"), list) else []
        steps = []
        for i in range(count("cycle", len(cycle))):
            stored = cycle[i] if i < len(cycle) and isinstance(cycle[i], dict) else {}
            step_form = StepForm(prefix=sub(f"cycle-{i}"), **kwargs)
            offices = []
            for office in OFFICES:
                spec = stored.get(office) if isinstance(stored.get(office), dict) else {}
                offices.append((office, OfficeForm(
                    prefix=sub(f"cycle-{i}-{office}"), sectors=sectors,
                    initial=None if bound else _office_initial(spec), **kwargs)))
            steps.append(Step(index=i, form=step_form, offices=offices,
                              is_new=i >= len(cycle) if not bound else False))
        stored_ext = rule.get("extensions") if isinstance(rule.get("extensions"), list) else []
        extensions = [ExtensionForm(prefix=sub(f"ext-{i}"), initial=None if bound else (
            stored_ext[i] if i < len(stored_ext) else None), **kwargs)
            for i in range(count("ext", len(stored_ext)))]
        stored_rec = (rule.get("recommendations")
                      if isinstance(rule.get("recommendations"), list) else [])
        recommendations = [RecommendationForm(prefix=sub(f"rec-{i}"), initial=None if bound else (
            stored_rec[i] if i < len(stored_rec) else None), **kwargs)
            for i in range(count("rec", len(stored_rec)))]
        if bound:
            # A step is new (shown folded) when nothing in it is filled in.
            for step in steps:
                step.is_new = not any(f.data.get(f.add_prefix("principal_kind"))
                                      for _o, f in step.offices)
        return cls(prefix=prefix, general=general, steps=steps, extensions=extensions,
                   recommendations=recommendations, bound=bound)

    # -- reading back ------------------------------------------------------------------

    def forms(self) -> list[forms.Form]:
        out: list[forms.Form] = [self.general]
        for step in self.steps:
            out.append(step.form)
            out.extend(f for _o, f in step.offices)
        return out + self.extensions + self.recommendations

    def to_json(self, original: dict | None = None) -> dict:
        """Validate and return the rule as JSON (``{}`` for no rule); raise
        ``ValidationError`` with Swedish messages, which are also kept on the sub-forms."""
        original = original if isinstance(original, dict) else {}
        if not all(f.is_valid() for f in self.forms()):
            raise ValidationError(_("Correct the rotation rule's fields marked below."),
                                  code="invalid")
        g = self.general.cleaned_data
        steps, step_of = [], []  # the JSON's cycle, and which form step each entry is
        orig_cycle = original.get("cycle") if isinstance(original.get("cycle"), list) else []
        for step in self.steps:
            if step.form.cleaned_data.get("DELETE"):
                continue
            orig_step = (orig_cycle[step.index] if step.index < len(orig_cycle)
                         and isinstance(orig_cycle[step.index], dict) else {})
            entry = {}
            for office, form in step.offices:
                c = form.cleaned_data
                if not c["principal_kind"]:
                    continue
                o = orig_step.get(office) if isinstance(orig_step.get(office), dict) else {}
                spec = {"principal_kind": c["principal_kind"]}
                _put(spec, o, "sector", c["sector"] or None, None)
                _put(spec, o, "qualification", c["qualification"].strip(), "")
                _put(spec, o, "per_area", c["per_area"], False)
                _put(spec, o, "among", c["among"] or None, None)
                _put(spec, o, "rule", c["rule"], "")
                if o.get("eligible"):  # who may hold it: the preset's data, kept (issue 13)
                    spec["eligible"] = o["eligible"]
                entry[office] = spec
            if entry:
                steps.append(entry)
                step_of.append(step)
        extensions, ext_of = [], []
        orig_ext = (original.get("extensions")
                    if isinstance(original.get("extensions"), list) else [])
        for i, form in enumerate(self.extensions):
            c = form.cleaned_data
            if c.get("DELETE") or c.get("period_start") is None:
                continue
            o = orig_ext[i] if i < len(orig_ext) and isinstance(orig_ext[i], dict) else {}
            ext = {"period_start": c["period_start"], "years": c["years"]}
            _put(ext, o, "decided_on", c["decided_on"].isoformat() if c["decided_on"] else None,
                 None)
            _put(ext, o, "note", c["note"].strip(), "")
            if "decision" in o and o.get("period_start") == ext["period_start"]:
                ext["decision"] = o["decision"]  # recorded by the extension form (V3, V8)
            extensions.append(ext)
            ext_of.append(form)
        recommendations = []
        orig_rec = (original.get("recommendations")
                    if isinstance(original.get("recommendations"), list) else [])
        for i, form in enumerate(self.recommendations):
            c = form.cleaned_data
            if c.get("DELETE") or not c.get("kind"):
                continue
            o = orig_rec[i] if i < len(orig_rec) and isinstance(orig_rec[i], dict) else {}
            rec = {"kind": c["kind"]}
            _put(rec, o, "rule", c["rule"], "")
            recommendations.append(rec)

        nothing = (not steps and g["term_start_year"] is None and g["term_years"] is None
                   and not g["election_at"] and not extensions)
        if nothing:
            return {}
        if not steps:
            self.general.add_error(None, ValidationError(
                _("Give at least one step an office (choose where its holder comes from)."),
                code="no_step"))
            raise ValidationError(_("Correct the rotation rule's fields marked below."),
                                  code="invalid")
        if g["cycle_start"] is not None and g["cycle_start"] > len(steps):
            self.general.add_error("cycle_start", ValidationError(
                ngettext("The rule has %(count)d step; choose it.",
                         "The rule has %(count)d steps; choose one of them.",
                         len(steps)) % {"count": len(steps)}, code="cycle_start"))
            raise ValidationError(_("Correct the rotation rule's fields marked below."),
                                  code="invalid")

        o_term = original.get("term") if isinstance(original.get("term"), dict) else {}
        term: dict[str, Any] = {}
        political = g["term_political"]
        default_years = POLITICAL_TERM_YEARS if political else 1
        years = g["term_years"] if g["term_years"] is not None else default_years
        _put(term, o_term, "years", years, default_years)
        if g["term_start_year"] is not None or "start_year" in o_term:
            term["start_year"] = g["term_start_year"]
        _put(term, o_term, "political", political, False)
        rule: dict[str, Any] = {"term": term, "cycle": steps}
        _put(rule, original, "cycle_start",
             (g["cycle_start"] - 1) if g["cycle_start"] is not None else 0, 0)
        o_election = original.get("election") if isinstance(original.get("election"),
                                                            dict) else {}
        if g["election_at"] or g["election_rule"] or g["election_within_months"] is not None:
            election = {"at": g["election_at"] or "any_time"}
            _put(election, o_election, "rule", g["election_rule"], "")
            _put(election, o_election, "within_months", g["election_within_months"], None)
            rule["election"] = election
        _put(rule, original, "extensions", extensions, [])
        _put(rule, original, "presidium_size", g["presidium_size"], None)
        _put(rule, original, "recommendations", recommendations, [])
        _put(rule, original, "notes", g["notes"].strip(), "")
        if "extension" in original:  # whether a period may be extended (V3, V8): data
            rule["extension"] = original["extension"]
        _put(rule, original, "rules", g["rules"], [])

        self._check(rule, step_of, ext_of)
        return rule

    def _check(self, rule: dict, step_of: list[Step], ext_of: list[ExtensionForm]) -> None:
        """The presets' validation; its findings go on the inputs they name, in Swedish."""
        checker = _Checker()
        codes = {code for code, _name in sector_choices()}
        _check_rotation(checker, rule, "rotation", SimpleNamespace(sectors=codes))
        if not checker.problems:
            return
        for path, message in checker.problems:
            form, name = self._input_for(path, message, rule, step_of, ext_of)
            text = swedish_message(message)
            if name is not None and name not in form.fields:
                name = None
            form.add_error(name, ValidationError(text, code="rule"))
        raise ValidationError(_("Correct the rotation rule's fields marked below."),
                              code="invalid")

    def _input_for(self, path: str, message: str, rule: dict, step_of: list[Step],
                   ext_of: list[ExtensionForm]) -> tuple[forms.Form, str | None]:
        """The sub-form and field a problem's path (or, for the whole rule, its text) names."""
        path = path.removeprefix("rotation").lstrip(".")
        if not path:  # parse_rotation's verdict on the whole rule: find the part it names
            m = re.search(r"cycle\[(\d+)\]\.(\w+)", message)
            if m and int(m.group(1)) < len(step_of):
                step = step_of[int(m.group(1))]
                return dict(step.offices)[m.group(2)], "principal_kind"
            m = re.search(r"extension for (\d+)|period starting (\d+)", message)
            if m:
                year = int(m.group(1) or m.group(2))
                for ext, form in zip(rule.get("extensions", []), ext_of, strict=False):
                    if ext["period_start"] == year:
                        return form, "period_start"
            if "cycle_start" in message:
                return self.general, "cycle_start"
            return self.general, None
        m = re.match(r"cycle\[(\d+)\](?:\.(\w+)(?:\.(\w+))?)?", path)
        if m and int(m.group(1)) < len(step_of):
            step = step_of[int(m.group(1))]
            if m.group(2) in OFFICES:
                return dict(step.offices)[m.group(2)], m.group(3) or "principal_kind"
            return self.general, None
        m = re.match(r"extensions\[(\d+)\](?:\.(\w+))?", path)
        if m and int(m.group(1)) < len(ext_of):
            return ext_of[int(m.group(1))], m.group(2) or "period_start"
        simple = {"term.years": "term_years", "term.start_year": "term_start_year",
                  "term.political": "term_political", "cycle_start": "cycle_start",
                  "election.at": "election_at", "election.rule": "election_rule",
                  "election.within_months": "election_within_months",
                  "presidium_size": "presidium_size", "rules": "rules"}
        key = re.sub(r"\[\d+\]$", "", path)
        return self.general, simple.get(key)


def _put(out: dict, original: dict, key: str, value, default) -> None:
    """Write ``value`` unless it is the default and the stored rule left the key out."""
    if value != default or key in original:
        out[key] = value


def _general_initial(rule: dict) -> dict:
    term = rule.get("term") if isinstance(rule.get("term"), dict) else {}
    election = rule.get("election") if isinstance(rule.get("election"), dict) else {}
    cycle_start = rule.get("cycle_start")
    return {
        "term_years": term.get("years"), "term_start_year": term.get("start_year"),
        "term_political": bool(term.get("political", False)),
        "cycle_start": cycle_start + 1 if isinstance(cycle_start, int) else None,
        "election_at": election.get("at", ""), "election_rule": election.get("rule", ""),
        "election_within_months": election.get("within_months"),
        "presidium_size": rule.get("presidium_size"),
        "rules": rule.get("rules") or [], "notes": rule.get("notes") or "",
    }


def _office_initial(spec: dict) -> dict:
    return {"principal_kind": spec.get("principal_kind", ""), "sector": spec.get("sector") or "",
            "qualification": spec.get("qualification") or "",
            "per_area": bool(spec.get("per_area", False)), "among": spec.get("among") or "",
            "rule": spec.get("rule") or ""}


def sector_choices() -> list[tuple[str, str]]:
    return list(Sector.objects.order_by("name").values_list("code", "name"))


# --- the presets' English messages, in Swedish ------------------------------------------

_MESSAGES: list[tuple[re.Pattern, Any]] = [
    (re.compile(r"is required but missing"), lambda m: gettext("This field is required.")),
    (re.compile(r"must be between (\d+) and (\d+)"), lambda m: gettext(
        "Enter a number from %(low)s to %(high)s.") % {"low": m[1], "high": m[2]}),
    (re.compile(r"needs at least one step"), lambda m: gettext(
        "Give at least one step an office (choose where its holder comes from).")),
    (re.compile(r"the chair cannot be 'not_chair'"), lambda m: gettext(
        "The chair cannot come from “the side that does not hold the chair”.")),
    (re.compile(r"'not_chair' needs a chair"), lambda m: gettext(
        "“The side that does not hold the chair” needs a chair in the same step.")),
    (re.compile(r"no sector with code '([^']*)'"), lambda m: gettext(
        "There is no sector with the code “%(code)s”.") % {"code": m[1]}),
    (re.compile(r"is not a rule id"), lambda m: gettext(
        "Enter a rule id such as H11, J3 or V8.")),
    (re.compile(r"is not an office"), lambda m: gettext("Choose one of the offices.")),
    (re.compile(r"is not one of"), lambda m: gettext("Choose one of the options.")),
    (re.compile(r"expected a whole number"), lambda m: gettext("Enter a whole number.")),
    (re.compile(r"date"), lambda m: gettext("Enter a date (YYYY-MM-DD).")),
    (re.compile(r"two extensions for the period starting (\d+)"), lambda m: gettext(
        "There are two extensions of the period starting %(year)s.") % {"year": m[1]}),
    (re.compile(r"the extension for (\d+) is before the rule starts \((\d+)\)"),
     lambda m: gettext("The extension of %(year)s is before the rule's first year "
                       "(%(start)s).") % {"year": m[1], "start": m[2]}),
    (re.compile(r"the extension for (\d+) does not match the start of a period "
                r"\(periods start … ([^)]*)\)"),
     lambda m: gettext("No period starts in %(year)s; give the start year of a period "
                       "(periods start … %(near)s).") % {"year": m[1], "near": m[2]}),
    (re.compile(r"cycle_start"), lambda m: gettext(
        "The step of the first period must be one of the rule's steps.")),
]


def swedish_message(message: str) -> str:
    """The preset validation's message in the user's language."""
    for pattern, render in _MESSAGES:
        found = pattern.search(message)
        if found:
            return render(found)
    return gettext("The rotation rule cannot be used (%(detail)s).") % {"detail": message}


# --- widget and field ---------------------------------------------------------------------

class RotationInput:
    """What the widget read from POST: the data and the field's name, bound on demand."""

    def __init__(self, data, name: str):
        self.data = data
        self.name = name

    def editor(self, sectors=None) -> RotationEditor:
        return RotationEditor.build(self.name, data=self.data, sectors=sectors)


class RotationWidget(forms.Widget):
    """The rotation rule as fieldsets of inputs (templates/admin/governance/rotation.html)."""

    template_name = "admin/governance/rotation.html"
    use_fieldset = True

    def __init__(self, attrs=None, original: dict | None = None):
        super().__init__(attrs)
        self.original = original or {}

    def value_from_datadict(self, data, files, name):
        return RotationInput(data, name)

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-cycle-TOTAL" not in data

    def id_for_label(self, id_):
        return ""  # a group of inputs: named by its legend, each input by its own label

    def format_value(self, value):
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        sectors = sector_choices()
        if isinstance(value, RotationInput):
            editor = value.editor(sectors)
            try:
                editor.to_json(self.original)
            except ValidationError:
                pass
        else:
            editor = RotationEditor.build(name, initial=value if isinstance(value, dict)
                                          else {}, sectors=sectors)
        _describe_errors(editor)
        context["rotation"] = editor
        return context


def _describe_errors(editor: RotationEditor) -> None:
    """Ties each input to its error text (``aria-describedby``), as the portal's forms do."""
    if not editor.bound:
        return
    for form in editor.forms():
        for name in form.errors:
            if name not in form.fields:
                continue
            bound = form[name]
            ids = [f"{bound.auto_id}_error"]
            if form.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            form.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class RotationField(forms.Field):
    """``Body.rotation`` through ``RotationWidget``; cleans to the rule's JSON."""

    widget = RotationWidget

    def __init__(self, *, original: dict | None = None, encoder=None, decoder=None,
                 max_length=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.set_original(original)

    def set_original(self, original: dict | None) -> None:
        """The stored rule, whose explicit defaults a save keeps (see the module's doc)."""
        self.original = original if isinstance(original, dict) else {}
        self.widget.original = self.original

    def to_python(self, value):
        if isinstance(value, RotationInput):
            return value.editor().to_json(self.original)
        if isinstance(value, dict):
            return value
        return {}

    def validate(self, value):
        return None  # to_python has checked everything

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or {})
        except ValidationError:
            return True

    def prepare_value(self, value):
        return value

