"""Forms of the register pages. They parse input; the services decide what is allowed."""
from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from governance.models import Body, Principal, StrategicArea
from halsam import form_fields as bounded
from halsam.concurrency import VersionedFormMixin

from . import access
from .models import ComplianceStatus, Document, DocumentKind
from .selectors import RegisterFilters


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form, by field where the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class RegisterFilterForm(forms.Form):
    """The register's search and filters (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *DocumentKind.choices])
    body = forms.TypedChoiceField(label=_("Owning body"), required=False, coerce=int,
                                  empty_value=None)
    area = forms.TypedChoiceField(label=_("Strategic area"), required=False, coerce=int,
                                  empty_value=None)
    principal = forms.TypedChoiceField(label=_("Principal"), required=False, coerce=int,
                                       empty_value=None)
    in_force = forms.BooleanField(label=_("Only documents in force"), required=False)

    def __init__(self, *args, choices: dict[str, list], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("All bodies"))] + [
            (b.pk, b.name) for b in choices["bodies"]]
        self.fields["area"].choices = [("", _("All areas"))] + [
            (a.pk, f"{a.name} ({a.structure.short_name or a.structure.name})")
            for a in choices["areas"]]
        self.fields["principal"].choices = [("", _("All principals"))] + [
            (p.pk, p.name) for p in choices["principals"]]

    def filters(self) -> RegisterFilters:
        # An unknown choice in the URL drops that filter rather than failing the page.
        self.is_valid()
        data = self.cleaned_data
        return RegisterFilters(q=data.get("q") or "", kind=data.get("kind") or "",
                               body=data.get("body"), area=data.get("area"),
                               principal=data.get("principal"),
                               in_force=bool(data.get("in_force")))


def limit_meeting_choices(field: forms.ModelChoiceField, *, user, document: Document | None,
                          bound: bool) -> None:
    """"Decided at" offers only what the meetings' gateway lets ``user`` see (issue 12 §4):
    public meetings only on an existing public document's form; on a new document's form
    and on a submitted form every meeting the user sees, non-public ones marked (the
    service refuses a non-public one for a public document, with a message on the field).
    The document's own meeting stays a choice, unnamed when the user may not see it, so
    saving other fields never drops it."""
    existing = document is not None and document.pk is not None
    public_only = existing and document.is_public and not bound
    choices = access.meeting_choices(user, public_only=public_only)
    hidden: int | None = None
    current = document.decided_at_id if existing else None
    if current is not None and not choices.filter(pk=current).exists():
        if not access.meeting_choices(user, public_only=False).filter(pk=current).exists():
            hidden = current
        choices = choices.model.objects.filter(
            Q(pk__in=choices.values("pk")) | Q(pk=current)).select_related("body").order_by(
            "-start", "-pk")
    field.queryset = choices

    def label(meeting) -> str:
        if meeting.pk == hidden:
            return str(_("(a meeting you cannot see)"))
        if not meeting.is_public:
            return str(_("%(meeting)s (not public)") % {"meeting": meeting})
        return str(meeting)

    field.label_from_instance = label


class DocumentForm(VersionedFormMixin, forms.ModelForm):
    """A document's metadata, for registering or changing it (changing carries the edit
    token, issue 12 §1)."""

    class Meta:
        model = Document
        fields = ["title", "kind", "owner_body", "summary", "areas", "principals", "valid_from",
                  "valid_until", "until_further_notice", "termination_notice_months",
                  "review_interval_months", "next_review_on", "is_public", "decided_at"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "next_review_on": forms.DateInput(attrs={"type": "date"}),
            "areas": forms.CheckboxSelectMultiple,
            "principals": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, body_ids: list[int] | None = None, user=None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bodies = Body.objects.order_by("structure_id", "position", "name")
        if body_ids is not None:
            bodies = bodies.filter(pk__in=body_ids)
        self.fields["owner_body"].queryset = bodies
        self.fields["areas"].queryset = StrategicArea.objects.order_by("structure_id", "position")
        self.fields["principals"].queryset = Principal.objects.order_by("name")
        self.fields["decided_at"].required = False
        limit_meeting_choices(self.fields["decided_at"], user=user, document=self.instance,
                              bound=self.is_bound)
        bounded.apply_model_validators(self)  # dates and months in range (issue 12 §6)

    def _post_clean(self) -> None:
        # The services validate the document; the model's own checks would run twice.
        pass


class UploadForm(forms.Form):
    """A new file for a document: it becomes the next version, as a draft."""

    file = forms.FileField(label=_("File (PDF, Word, Excel or OpenDocument text)"))
    change_note = forms.CharField(label=_("What changed"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class TransitionForm(forms.Form):
    """One workflow step: a reason (required to withdraw), a meeting (approve), a date
    (publish). The view shows only the fields the step uses."""

    reason = forms.CharField(label=_("Reason / comment"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    meeting = forms.ModelChoiceField(label=_("Approved at the meeting"), required=False,
                                     queryset=None)
    published_on = bounded.DateField(label=_("Publishing date"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, target: str, document: Document, user=None,
                 accessibility_problems: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        # The owning body's meetings the user may see; public ones for a public document
        # (the version table shows the meeting to whoever sees the version).
        self.fields["meeting"].queryset = access.meeting_choices(
            user, public_only=document.is_public, body_id=document.owner_body_id)
        if target != "approved":
            del self.fields["meeting"]
        if target != "published":
            del self.fields["published_on"]
        else:
            self.fields["published_on"].required = True
            self.fields["published_on"].initial = timezone.localdate()
        if target == "withdrawn":
            self.fields["reason"].required = True
            self.fields["reason"].label = _("Reason for withdrawal")
        if target == "published" and accessibility_problems:
            # DOS-lagen: a version that fails the accessibility check is published only
            # when the editor confirms it and says why (docs/accessibility.md).
            self.fields["confirm_accessibility"] = forms.BooleanField(
                label=_("I have read the accessibility problems above and publish anyway"),
                required=True)
            self.fields["reason"].required = True
            self.fields["reason"].label = _("Why the version is published with these problems")


class TerminationForm(forms.Form):
    handled_on = bounded.DateField(label=_("Notice of termination handled on"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Comment"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


_PHONE = re.compile(r"^\+?[\d\s\-()]+$")
SECTION_MAX_LENGTH = 6000


def _section(label, help_text, *, required: bool = True, rows: int = 5) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, required=required,
                           max_length=SECTION_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": rows}))


class StatementForm(forms.Form):
    """The accessibility statement after DIGG's model: one field per section, the contact,
    the dates, the editors' internal note and the reason for the change. ``revision`` is
    the revision the form was made from (a save from an outdated page is refused)."""

    introduction = _section(
        _("Who runs the site and the commitment"),
        _("The opening of the statement: who is behind the site and that you want everyone "
          "to be able to use it."), rows=4)
    compliance = forms.ChoiceField(
        label=_("Compliance with the Act (lagen (2018:1937))"), choices=ComplianceStatus.choices,
        widget=forms.RadioSelect,
        help_text=_("DIGG's wording. Partially compliant when anything is listed under "
                    "\"Content that is not accessible\"."))
    compliance_text = _section(_("How accessible is the site?"),
                               _("A short explanation of the status for visitors."), rows=4)
    shortcomings = _section(
        _("Content that is not accessible"),
        _("The known shortcomings, each with the WCAG success criterion it fails where known "
          "(\"- Some images lack alternative texts (WCAG 1.1.1).\"). Lines starting "
          "with a dash become a list. The published documents that fail the machine check "
          "are listed below this text automatically."), rows=8)
    disproportionate_burden = _section(
        _("Disproportionate burden (section 12)"),
        _("Optional: content you claim would be disproportionately burdensome to make "
          "accessible, and why. Shown only when filled in."), required=False, rows=3)
    out_of_scope = _section(
        _("Content outside the scope of the Act (section 9)"),
        _("Optional: for example office files published before 23 September 2018 that are "
          "not needed for current administrative processes. Shown only when filled in."),
        required=False, rows=3)
    alternatives = _section(_("What can you do if you cannot use parts of the site?"),
                            _("Alternative ways to get the content. The contact and the "
                              "response time below are shown after it."), rows=4)
    response_days = forms.IntegerField(
        label=_("Usual response time (working days)"), min_value=1, max_value=90,
        error_messages={"min_value": _("Give a response time of at least 1 working day."),
                        "max_value": _("Give a response time of at most 90 working days.")})
    contact_email = forms.EmailField(label=_("E-mail for accessibility issues"),
                                     required=False)
    contact_phone = forms.CharField(label=_("Telephone for accessibility issues"),
                                    required=False, max_length=40)
    reporting = _section(_("Report shortcomings in the site's accessibility"),
                         _("How visitors tell you about problems."), rows=4)
    supervision = _section(_("Supervision"),
                           _("The link to DIGG's report form is always shown after this "
                             "text."), rows=4)
    testing = _section(_("How we tested the site"),
                       _("The method (self-assessment or an external review) and what is "
                         "tested."), rows=8)
    assessed_on = bounded.DateField(label=_("Date of the latest assessment"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    made_on = bounded.DateField(label=_("Date the statement was made"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    editor_note = forms.CharField(
        label=_("Internal note to the editors"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never shown to visitors: for example what to check at the next "
                    "assessment."))
    reason = forms.CharField(label=_("Why is it changed?"), max_length=200)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, failing_documents: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.failing_documents = failing_documents

    def clean_contact_phone(self) -> str:
        phone = " ".join(self.cleaned_data["contact_phone"].split())
        if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
            raise ValidationError(
                _("Write the telephone number with digits, for example 0611-12 34 56 or "
                  "+46 611 12 34 56."), code="phone")
        return phone

    def _not_in_future(self, name: str):
        day = self.cleaned_data[name]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        return day

    def clean_assessed_on(self):
        return self._not_in_future("assessed_on")

    def clean_made_on(self):
        return self._not_in_future("made_on")

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("contact_email") and not data.get("contact_phone") \
                and "contact_email" not in self.errors and "contact_phone" not in self.errors:
            self.add_error("contact_email", ValidationError(
                _("Give an e-mail address or a telephone number where visitors can reach "
                  "you: the Act requires a way to report shortcomings."), code="no_contact"))
        if data.get("compliance") == ComplianceStatus.FULL and self.failing_documents:
            self.add_error("compliance", ValidationError(
                ngettext("The site cannot be fully compliant while %(count)d published "
                         "document fails the machine check (it is listed under \"Content "
                         "that is not accessible\").",
                         "The site cannot be fully compliant while %(count)d published "
                         "documents fail the machine check (they are listed under "
                         "\"Content that is not accessible\").",
                         self.failing_documents) % {"count": self.failing_documents},
                code="full_with_failing"))
        return data

    def statement_fields(self) -> dict:
        """The cleaned values the service saves (without the reason and revision)."""
        return {name: value for name, value in self.cleaned_data.items()
                if name not in ("reason", "revision")}
