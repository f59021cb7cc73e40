"""Forms of the register pages. They parse input; the services decide what is allowed."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Body, Principal, StrategicArea

from .models import Document, DocumentKind
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


class DocumentForm(forms.ModelForm):
    """A document's metadata, for registering or changing it."""

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

    def __init__(self, *args, body_ids: list[int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bodies = Body.objects.order_by("structure_id", "position", "name")
        if body_ids is not None:
            bodies = bodies.filter(pk__in=body_ids)
        self.fields["owner_body"].queryset = bodies
        self.fields["areas"].queryset = StrategicArea.objects.order_by("structure_id", "position")
        self.fields["principals"].queryset = Principal.objects.order_by("name")
        self.fields["decided_at"].required = False
        self.fields["decided_at"].queryset = self.fields["decided_at"].queryset.select_related(
            "body").order_by("-start")

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
    published_on = forms.DateField(label=_("Publishing date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, target: str, document: Document,
                 accessibility_problems: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from meetings.models import Meeting

        self.target = target
        self.fields["meeting"].queryset = (Meeting.objects.filter(body_id=document.owner_body_id)
                                           .order_by("-start"))
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
    handled_on = forms.DateField(label=_("Notice of termination handled on"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Comment"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
