"""The document register in the admin, with its history.

Documents are created and changed through the services (``document_create`` /
``document_update``), and a file uploaded on the change form becomes a new version
through ``version_upload``, checked by content like on the register's pages. Versions
are shown read-only: their content never changes, and their workflow steps happen on
the document page (``/dokument/<id>/``), where the transition table guards them.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from governance.admin import HistoryAdmin, SearchAdmin
from halsam.concurrency import VersionedAdminMixin

from . import access, services, uploads
from .forms import limit_meeting_choices
from .models import (
    AccessibilityCheck,
    AccessibilityStatement,
    Document,
    DocumentReminder,
    DocumentVersion,
)


class DocumentAdminForm(forms.ModelForm):
    new_file = forms.FileField(label=_("Upload a new version"), required=False,
                               help_text=_("PDF, DOCX, XLSX or ODT; it becomes the next "
                                           "version, as a draft."))
    change_note = forms.CharField(label=_("What changed in the new version"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    change_reason = forms.CharField(label=_("Reason for the change"), required=False,
                                    max_length=300)

    request: HttpRequest | None = None

    class Meta:
        model = Document
        fields = ["title", "kind", "owner_body", "summary", "areas", "principals", "valid_from",
                  "valid_until", "until_further_notice", "termination_notice_months",
                  "review_interval_months", "next_review_on", "is_public", "decided_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Choices through the gateways (issue 12 §4): the bodies whose documents the user
        # manages, the meetings they may see (forms.limit_meeting_choices).
        user = self.request.user if self.request is not None else None
        if "owner_body" in self.fields:
            body_ids = access.creatable_body_ids(user)
            if body_ids is not None:
                current = [self.instance.owner_body_id] if self.instance.pk else []
                self.fields["owner_body"].queryset = self.fields["owner_body"].queryset.filter(
                    pk__in=[*body_ids, *current])
        if "decided_at" in self.fields:
            limit_meeting_choices(self.fields["decided_at"], user=user, document=self.instance,
                                  bound=self.is_bound)

    def clean_new_file(self):
        upload = self.cleaned_data.get("new_file")
        if upload:
            try:
                uploads.inspect_upload(upload, upload.name or "")
            except ValidationError as exc:
                raise ValidationError(exc.error_dict["file"]) from exc  # codes kept
            upload.seek(0)
        return upload

    def clean(self):
        data = super().clean()
        body = data.get("owner_body")
        user = self.request.user if self.request is not None else None
        if body is not None and not access.can_create_for(user, body.pk):
            self.add_error("owner_body", _("You do not manage the documents of this body."))
        if "decided_at" in self.fields and "decided_at" not in self.errors:
            problem = services.decided_at_problem(
                actor=user, document=self.instance, decided_at=data.get("decided_at"),
                is_public=bool(data.get("is_public")))
            if problem:
                self.add_error("decided_at", problem)
        return data


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["number", "status", "original_name", "content_type", "size", "uploaded_by",
              "uploaded_at", "published_on", "change_note"]
    readonly_fields = fields
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(VersionedAdminMixin, HistoryAdmin):
    form = DocumentAdminForm
    list_display = ["title", "kind", "owner_body", "is_public", "valid_from", "valid_until",
                    "next_review_on"]
    list_filter = ["kind", "is_public", "owner_body__structure"]
    search_fields = ["title", "summary"]
    list_select_related = ["owner_body"]
    # Plain choices, not the autocomplete or raw-id lookups: those open the bodies' and
    # meetings' admin, which is not the editor's (issue 12 §4).
    filter_horizontal = ["areas", "principals"]
    readonly_fields = ["termination_handled_on", "created_at"]
    inlines = [VersionInline]

    # Fields of the form only (an upload, its note, the reason): nothing to show to those
    # who may only look.
    FORM_ONLY = ("new_file", "change_note", "change_reason")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return [f for f in fields if f not in self.FORM_ONLY]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS
                if name in form.cleaned_data}
        reason = form.cleaned_data.get("change_reason", "")
        if change:
            saved = services.document_update(
                actor=request.user, document=obj, reason=reason,
                areas=form.cleaned_data.get("areas"),
                principals=form.cleaned_data.get("principals"), **data)
        else:
            saved = services.document_create(
                actor=request.user, reason=reason, areas=form.cleaned_data.get("areas", ()),
                principals=form.cleaned_data.get("principals", ()), **data)
        obj.pk = saved.pk
        form.instance = saved

    def save_related(self, request, form, formsets, change) -> None:
        # Areas and principals were set by the service; versions come only as uploads (the
        # read-only inline saves nothing, but the change message reads its result).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        upload = form.cleaned_data.get("new_file")
        if upload:
            version = services.version_upload(
                actor=request.user, document=form.instance, file=upload,
                change_note=form.cleaned_data.get("change_note", ""))
            messages.success(request, _("Version %(n)d is uploaded as a draft.")
                             % {"n": version.number})


@admin.register(DocumentVersion)
class DocumentVersionAdmin(HistoryAdmin):
    list_display = ["__str__", "status", "content_type", "size", "uploaded_at", "published_on"]
    list_filter = ["status"]
    list_select_related = ["document"]
    search_fields = ["document__title", "original_name"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in DocumentVersion._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # new versions are uploads on the document (services.version_upload)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # versions are never deleted, only withdrawn


@admin.register(AccessibilityCheck)
class AccessibilityCheckAdmin(HistoryAdmin):
    list_display = ["version", "checked_by", "checked_at"]
    list_select_related = ["version__document", "checked_by"]
    raw_id_fields = ["version"]
    # What the machine found, and who recorded the checklist when, are written by the
    # services only (documents.accessibility; issue 12 §3, §5).
    readonly_fields = ["machine_result", "checked_by", "checked_at"]


@admin.register(DocumentReminder)
class DocumentReminderAdmin(SearchAdmin):
    list_display = ["document", "kind", "due", "sent_at"]
    list_select_related = ["document"]
    readonly_fields = ["document", "kind", "due", "sent_at"]

    def has_add_permission(self, request) -> bool:
        # A send record is written by the job that sends (every field is read only here);
        # adding one by hand failed with a server error (issue 12 §6).
        return False


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(HistoryAdmin):
    """Read only: the editor edits the statement at /tillganglighet/redigera/, where a save
    from an outdated page is refused (``documents.statement``)."""

    list_display = ["__str__", "compliance", "assessed_on", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
