"""The meetings in the coordinator's admin, with their history.

Day-to-day work happens on the meeting pages (which go through the services); the
admin is for looking things up and correcting records. Changelists select their
related rows up front.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from governance.admin import HistoryAdmin, SearchAdmin
from halsam.admin_workflow import ClosedParentInlineMixin, WorkflowAdminMixin
from halsam.concurrency import VersionedAdminMixin, VersionedInlineMixin

from . import minutes_lock
from .admin_forms import AgendaAttachmentAdminForm, AgendaItemAdminForm, MeetingAdminForm
from .models import (
    Absence,
    AgendaAttachment,
    AgendaItem,
    Attendance,
    CalendarToken,
    Meeting,
    MeetingReminder,
    Minutes,
    MinutesSignature,
    NoticeDelivery,
    RotationExtension,
)


class AgendaItemInline(VersionedInlineMixin, ClosedParentInlineMixin, admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "kind", "title", "description", "presenter", "duration_minutes",
              "prepares_for", "election_for_year"]
    autocomplete_fields = ["prepares_for"]
    ordering = ["position", "id"]

    def parent_closed(self, parent) -> bool:
        return minutes_lock.meeting_closed(parent)  # the approved minutes record the items


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0
    fields = ["person", "substitute", "via_link", "note", "reported_at"]
    readonly_fields = ["reported_at"]
    raw_id_fields = ["person", "substitute"]


@admin.register(Meeting)
class MeetingAdmin(WorkflowAdminMixin, VersionedAdminMixin, HistoryAdmin):
    form = MeetingAdminForm
    list_display = ["__str__", "body", "kind", "start", "status", "is_public"]
    list_filter = ["status", "kind", "is_public", "body__structure"]
    search_fields = ["title", "body__name", "place"]
    date_hierarchy = "start"
    list_select_related = ["body"]
    autocomplete_fields = ["body", "guest_bodies", "chair"]
    # Video links typed without a scheme are https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["sequence", "notice_sent_sequence", "notice_due_at", "created_at"]
    # Planned → notice sent → held → minutes: only the services move it (issue 12 §5).
    workflow_readonly = ("status", "cancel_reason")
    inlines = [AgendaItemInline, AbsenceInline]

    def record_closed(self, obj) -> bool:
        return minutes_lock.meeting_closed(obj)


@admin.register(AgendaItem)
class AgendaItemAdmin(WorkflowAdminMixin, VersionedAdminMixin, HistoryAdmin):
    form = AgendaItemAdminForm
    list_display = ["title", "meeting", "position", "kind"]
    list_select_related = ["meeting__body"]
    search_fields = ["title", "meeting__body__name"]
    raw_id_fields = ["meeting"]

    def record_closed(self, obj) -> bool:
        return minutes_lock.minutes_closed(obj.meeting_id)  # decisions in approved minutes


@admin.register(AgendaAttachment)
class AgendaAttachmentAdmin(HistoryAdmin):
    form = AgendaAttachmentAdminForm
    list_display = ["title", "item", "content_type", "size", "uploaded_at"]
    list_select_related = ["item"]
    raw_id_fields = ["item"]
    readonly_fields = ["content_type", "size", "uploaded_by", "uploaded_at"]

    def save_model(self, request, obj, form, change) -> None:
        # Type and size as the inspection found them, never as the browser said.
        if form.inspected is not None:
            obj.content_type = form.inspected.content_type
            obj.size = form.inspected.size
            if not change:
                obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(SearchAdmin):
    list_display = ["meeting", "person", "kind", "sequence", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["meeting__body", "person"]
    search_fields = ["email", "person__last_name"]
    readonly_fields = [f.name for f in NoticeDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # deliveries are claimed by the notice service only


@admin.register(Attendance)
class AttendanceAdmin(WorkflowAdminMixin, HistoryAdmin):
    list_display = ["person", "meeting", "attended", "in_place_of"]
    list_select_related = ["person", "meeting__body", "in_place_of"]
    raw_id_fields = ["meeting", "person", "in_place_of"]

    def record_closed(self, obj) -> bool:
        return minutes_lock.minutes_closed(obj.meeting_id)  # who was present, as approved


class MinutesSignatureInline(admin.TabularInline):
    """Who approved (justerade) in which round: read-only, written by the service."""

    model = MinutesSignature
    extra = 0
    fields = readonly_fields = ["person", "round", "signed_at"]
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Minutes)
class MinutesAdmin(WorkflowAdminMixin, VersionedAdminMixin, HistoryAdmin):
    """Minutes are started, sent, approved and published on the meeting page (the
    services); here their status and what goes with it are read-only, and approved
    minutes are view-only (issue 12 §5)."""

    list_display = ["meeting", "status", "approved_by", "approved_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["meeting__body", "approved_by"]
    raw_id_fields = ["meeting", "approved_by"]
    filter_horizontal = ["checkers"]
    inlines = [MinutesSignatureInline]
    workflow_readonly = ("meeting", "status", "sent_to_checkers_at", "check_round",
                         "return_comment", "returned_by", "approved_by", "approved_at",
                         "published_at")

    def record_closed(self, obj) -> bool:
        return obj.status in minutes_lock.CLOSED_MINUTES

    def has_add_permission(self, request) -> bool:
        return False  # minutes_create numbers the items and checks the meeting was held


@admin.register(CalendarToken)
class CalendarTokenAdmin(SearchAdmin):
    """Whose calendar links exist, and turning one off. Never the link itself: only its
    hash is stored, and not even that is shown (issue 12 §4). A member makes a new link
    on Mina sidor, where it is shown once."""

    list_display = ["person", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["person"]
    search_fields = ["person__first_name", "person__last_name"]
    fields = readonly_fields = ["person", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # a link is made by its owner, who alone sees it once

    @admin.action(description=_("Turn off the selected calendar links"),
                  permissions=["change"])
    def revoke(self, request, queryset) -> None:
        active = list(queryset.filter(revoked_at__isnull=True).select_related("person"))
        count = CalendarToken.objects.filter(pk__in=[t.pk for t in active]).update(
            revoked_at=timezone.now())
        for token in active:  # who turned it off, in the admin's log of the row
            self.log_change(request, token, [{"changed": {"fields": ["revoked_at"]}}])
        self.message_user(request, ngettext(
            "%(count)d calendar link is turned off.",
            "%(count)d calendar links are turned off.", count) % {"count": count},
            messages.SUCCESS)


@admin.register(MeetingReminder)
class MeetingReminderAdmin(SearchAdmin):
    list_display = ["meeting", "kind", "due", "sent_at"]
    list_select_related = ["meeting__body"]
    readonly_fields = ["meeting", "kind", "due", "sent_at"]

    def has_add_permission(self, request) -> bool:
        # A send record is written by the job that sends (every field is read only here);
        # adding one by hand failed with a server error (issue 12 §6).
        return False




@admin.register(RotationExtension)
class RotationExtensionAdmin(HistoryAdmin):
    """Decisions to extend a chair period (V3, V8), with their history. They are recorded
    through the body page's form ("Förläng ordförandeperioden"), which also writes the
    body's rotation rule; here they are read only."""

    list_display = ["body", "period_start", "years", "decided_on", "unanimous", "meeting"]
    list_select_related = ["body", "meeting__body"]
    readonly_fields = ["body", "meeting", "period_start", "years", "decided_on", "unanimous",
                       "note"]

    def has_add_permission(self, request) -> bool:
        return False
