"""Approved minutes are the record: read-only everywhere (issue 12 §5).

Once the minutes of a meeting are approved (justerat) or published, neither they nor
the notes, decisions and recommendations on the meeting's agenda items change, no item
of that meeting is removed, and who attended stays as recorded. The services refuse
(``minutes_update``, ``agenda_item_update``, ``agenda_item_delete``,
``attendance_record``) and the admin shows these objects read-only (``meetings.admin``);
both ask here.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Meeting, MeetingStatus, Minutes, MinutesStatus

CLOSED_MINUTES = frozenset({MinutesStatus.APPROVED, MinutesStatus.PUBLISHED})
# The meeting's own status follows the minutes (services.minutes_approve / _publish).
CLOSED_MEETINGS = frozenset({MeetingStatus.MINUTES_APPROVED, MeetingStatus.MINUTES_PUBLISHED})
# The fields of an agenda item that belong to the minutes.
DECISION_FIELDS = ("notes", "decision", "recommendation")


def minutes_closed(meeting_id: int | None) -> bool:
    """Whether the meeting's minutes are approved or published (one query)."""
    if meeting_id is None:
        return False
    return Minutes.objects.filter(meeting_id=meeting_id, status__in=CLOSED_MINUTES).exists()


def meeting_closed(meeting: Meeting | None) -> bool:
    """The same from a loaded meeting, without a query."""
    return meeting is not None and meeting.status in CLOSED_MEETINGS


def closed_error(field: str = "__all__") -> ValidationError:
    return ValidationError({field: ValidationError(
        _("The minutes are approved: they, and the items and decisions in them, can no "
          "longer be changed or removed."), code="minutes_approved")})
