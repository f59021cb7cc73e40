"""The meetings in the coordinator's admin, with their history.

Day-to-day work happens on the meeting pages (which go through the services); the
admin is for looking things up and correcting records. Changelists select their
related rows up front.
"""
from __future__ import annotations

from django.contrib import admin
from django.db import models

from governance.admin import HistoryAdmin, SearchAdmin

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
)


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "kind", "title", "description", "presenter", "duration_minutes",
              "prepares_for", "election_for_year"]
    autocomplete_fields = ["prepares_for"]
    ordering = ["position", "id"]


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0
    fields = ["person", "substitute", "via_link", "note", "reported_at"]
    readonly_fields = ["reported_at"]
    raw_id_fields = ["person", "substitute"]


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    list_display = ["__str__", "body", "kind", "start", "status", "is_public"]
    list_filter = ["status", "kind", "is_public", "body__structure"]
    search_fields = ["title", "body__name", "place"]
    date_hierarchy = "start"
    list_select_related = ["body"]
    autocomplete_fields = ["body", "guest_bodies", "chair"]
    # Video links typed without a scheme are https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["sequence", "notice_sent_sequence", "notice_due_at", "created_at"]
    inlines = [AgendaItemInline, AbsenceInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(HistoryAdmin):
    list_display = ["title", "meeting", "position", "kind"]
    list_select_related = ["meeting__body"]
    search_fields = ["title", "meeting__body__name"]
    raw_id_fields = ["meeting"]


@admin.register(AgendaAttachment)
class AgendaAttachmentAdmin(HistoryAdmin):
    list_display = ["title", "item", "content_type", "size", "uploaded_at"]
    list_select_related = ["item"]
    raw_id_fields = ["item"]
    readonly_fields = ["content_type", "size", "uploaded_by", "uploaded_at"]


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
class AttendanceAdmin(HistoryAdmin):
    list_display = ["person", "meeting", "attended", "in_place_of"]
    list_select_related = ["person", "meeting__body", "in_place_of"]
    raw_id_fields = ["meeting", "person", "in_place_of"]


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
class MinutesAdmin(HistoryAdmin):
    list_display = ["meeting", "status", "approved_by", "approved_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["meeting__body", "approved_by"]
    raw_id_fields = ["meeting", "approved_by"]
    filter_horizontal = ["checkers"]
    inlines = [MinutesSignatureInline]


@admin.register(CalendarToken)
class CalendarTokenAdmin(SearchAdmin):
    list_display = ["person", "created_at", "revoked_at"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    readonly_fields = ["token", "created_at"]


@admin.register(MeetingReminder)
class MeetingReminderAdmin(SearchAdmin):
    list_display = ["meeting", "kind", "due", "sent_at"]
    list_select_related = ["meeting__body"]
    readonly_fields = ["meeting", "kind", "due", "sent_at"]


