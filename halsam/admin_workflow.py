"""The workflow holds in the admin too (issue 12 §5).

Statuses move only through the services (``minutes_approve``, ``meeting_cancel``,
``version_publish`` …), which check the transition tables, record who and why and send
what must be sent. So in the admin:

- ``workflow_readonly`` fields (a status and what the service writes with it) are shown,
  never edited;
- an object for which ``record_closed`` is true (approved minutes, and the items and
  meeting they record) is view-only: no change, no delete, and a POST to its change
  form is refused (Django answers 403 when ``has_change_permission`` is false).
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class WorkflowAdminMixin:
    """For a ModelAdmin: status fields read-only, closed records view-only."""

    workflow_readonly: tuple[str, ...] = ()

    def record_closed(self, obj: Any) -> bool:
        """Whether ``obj`` is part of a closed record (override)."""
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, *(f for f in self.workflow_readonly if f not in fields)]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.record_closed(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.record_closed(obj):
            return False
        return super().has_delete_permission(request, obj)


class ClosedParentInlineMixin:
    """For an inline whose rows are part of the parent's record: nothing is added,
    changed or deleted once ``parent_closed(parent)`` is true."""

    def parent_closed(self, parent: Any) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.parent_closed(obj):
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.parent_closed(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.parent_closed(obj):
            return False
        return super().has_delete_permission(request, obj)
