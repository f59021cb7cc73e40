"""A meeting as the start pages show it: its notice, agenda and minutes status and what
can be done next, for the coordinator's week (portal/week.py) and the secretary's page
(portal/secretary.py).

``notice_status`` and ``minutes_status`` are pure functions over plain values (tested
table-driven); ``meeting_rows`` loads any number of meetings with their counts in one
query.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, DateTimeField, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The notice of a meeting, as the coordinator and the secretary need to know it.
NOT_SENT = "not_sent"    # not sent yet; the sweep sends it when the notice period starts
LATE = "late"            # not sent, and the notice period can no longer be met
SENT = "sent"            # sent, and nothing has changed since
CHANGED = "changed"      # sent, but the meeting or its agenda changed since
CANCELLED = "cancelled"
PAST = "past"            # the meeting has begun: notices are no longer the question

# The minutes of a meeting that has taken place.
MINUTES_NONE = "none"
MINUTES_DONE = "published"


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    color: str  # the design system's data-color of its tag: success, info, warning, danger
    needs_action: bool = False
    urgent: bool = False


def notice_status(*, meeting_status: str, start: dt.datetime, now: dt.datetime,
                  sequence: int, sent_sequence: int, notice_due_at: dt.datetime | None,
                  last_notice_at: dt.datetime | None, agenda_changed_at: dt.datetime | None
                  ) -> Status:
    """Where the notice of one meeting stands (plain values; no database)."""
    if meeting_status == "cancelled":
        return Status(CANCELLED, _("Cancelled"), "neutral")
    if start <= now or meeting_status not in ("planned", "notice_sent"):
        return Status(PAST, _("Meeting held"), "neutral")
    if sent_sequence < 0:
        if notice_due_at is not None and notice_due_at <= now:
            return Status(LATE, _("Notice not sent: the notice period cannot be met"),
                          "danger", needs_action=True, urgent=True)
        return Status(NOT_SENT, _("Notice not sent yet"), "info")
    changed = sent_sequence < sequence or (
        agenda_changed_at is not None and last_notice_at is not None
        and agenda_changed_at > last_notice_at)
    if changed:
        return Status(CHANGED, _("Changed since the notice was sent"), "warning",
                      needs_action=True, urgent=True)
    return Status(SENT, _("Notice sent"), "success")


def minutes_status(*, minutes: str | None, meeting_day: dt.date, on: dt.date,
                   approval_days: int, publish_days: int) -> tuple[Status, dt.date | None]:
    """Where the minutes of a meeting held on ``meeting_day`` stand, and by when the next
    step is due (MINUTES_APPROVAL_DAYS to approve, MINUTES_PUBLISH_DAYS to publish)."""
    if minutes == MINUTES_DONE:
        return Status(MINUTES_DONE, _("Minutes published"), "success"), None
    if minutes == "approved":
        due = meeting_day + dt.timedelta(days=publish_days)
        late = on > due
        return Status("approved", _("Minutes approved, not published") if not late
                      else _("Minutes approved, publishing overdue"),
                      "danger" if late else "warning", needs_action=True, urgent=late), due
    due = meeting_day + dt.timedelta(days=approval_days)
    late = on > due
    labels = {
        MINUTES_NONE: (_("Minutes not started"), _("Minutes not started, approval overdue")),
        "draft": (_("Minutes: draft"), _("Minutes: draft, approval overdue")),
        "with_checkers": (_("Minutes with the checkers"),
                          _("Minutes with the checkers, approval overdue")),
    }
    label = labels.get(minutes or MINUTES_NONE, labels[MINUTES_NONE])[int(late)]
    return Status(minutes or MINUTES_NONE, label, "danger" if late else "warning",
                  needs_action=True, urgent=late), due


@dataclass
class MeetingRow:
    meeting: object
    notice: Status
    items: int
    papers: int
    failed: int
    absences: int
    without_substitute: int
    is_past: bool
    minutes: Status | None = None
    minutes_due: dt.date | None = None

    @property
    def agenda_label(self) -> str:
        """"Agenda: 3 items, 2 papers", or that there is no agenda yet."""
        if not self.items:
            return _("No agenda yet")
        text = ngettext("Agenda: %(n)d item", "Agenda: %(n)d items", self.items) % {
            "n": self.items}
        if self.papers:
            text += ", " + ngettext("%(n)d paper", "%(n)d papers", self.papers) % {
                "n": self.papers}
        return text

    @property
    def absence_label(self) -> str:
        """"2 absences, 1 without a substitute", or nothing."""
        if not self.absences:
            return ""
        text = ngettext("%(n)d absence reported", "%(n)d absences reported",
                        self.absences) % {"n": self.absences}
        if self.without_substitute:
            text += ", " + ngettext("%(n)d without a substitute", "%(n)d without a substitute",
                                    self.without_substitute) % {"n": self.without_substitute}
        return text

    @property
    def show_notice(self) -> bool:
        """The notice is still a question (the meeting is coming)."""
        return self.notice.code not in (PAST,)

    @property
    def can_send(self) -> bool:
        """The "send the notice now" action applies (not sent, late or changed)."""
        return self.notice.code in (NOT_SENT, LATE, CHANGED)

    @property
    def send_label(self) -> str:
        """The send button's words: an updated notice once one has gone out."""
        return _("Send the updated notice") if self.notice.code == CHANGED else _(
            "Send the notice")

    @property
    def needs_action(self) -> bool:
        return (self.notice.needs_action or self.failed > 0 or self.without_substitute > 0
                or bool(self.minutes and self.minutes.needs_action))

    @property
    def urgent(self) -> bool:
        return (self.notice.urgent or self.failed > 0
                or (not self.is_past and self.without_substitute > 0)
                or bool(self.minutes and self.minutes.urgent))


def _count(model, path: str, **filters) -> Coalesce:
    rows = (model.objects.filter(**{path: OuterRef("pk")}, **filters).order_by()
            .values(path).annotate(n=Count("pk")).values("n")[:1])
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _latest(queryset, path: str, field: str) -> Subquery:
    rows = (queryset.filter(**{path: OuterRef("pk")}).order_by().values(path)
            .annotate(latest=Max(field)).values("latest")[:1])
    return Subquery(rows, output_field=DateTimeField())


def annotate_meetings(meetings: QuerySet) -> QuerySet:
    """The meetings with what their rows need (counts and times), in the same query."""
    from meetings.models import (
        Absence,
        AgendaAttachment,
        AgendaItem,
        DeliveryKind,
        DeliveryStatus,
        NoticeDelivery,
    )

    return meetings.select_related("body__structure", "minutes").annotate(
        n_items=_count(AgendaItem, "meeting"),
        n_papers=_count(AgendaAttachment, "item__meeting"),
        n_failed=_count(NoticeDelivery, "meeting", status=DeliveryStatus.FAILED),
        n_absences=_count(Absence, "meeting"),
        n_without_substitute=_count(Absence, "meeting", substitute__isnull=True),
        last_notice_at=_latest(NoticeDelivery.objects.filter(
            kind__in=[DeliveryKind.NOTICE, DeliveryKind.UPDATE]), "meeting", "claimed_at"),
        items_changed_at=_latest(AgendaItem.history.model.objects.all(), "meeting",
                                 "history_date"),
        papers_added_at=_latest(AgendaAttachment.objects.all(), "item__meeting", "uploaded_at"),
    )


def meeting_row(meeting, *, now: dt.datetime) -> MeetingRow:
    """The row of one meeting loaded through ``annotate_meetings``."""
    changed = [t for t in (meeting.items_changed_at, meeting.papers_added_at) if t is not None]
    is_past = meeting.start <= now
    row = MeetingRow(
        meeting=meeting,
        notice=notice_status(
            meeting_status=meeting.status, start=meeting.start, now=now,
            sequence=meeting.sequence, sent_sequence=meeting.notice_sent_sequence,
            notice_due_at=meeting.notice_due_at, last_notice_at=meeting.last_notice_at,
            agenda_changed_at=max(changed) if changed else None),
        items=meeting.n_items, papers=meeting.n_papers, failed=meeting.n_failed,
        absences=meeting.n_absences, without_substitute=meeting.n_without_substitute,
        is_past=is_past,
    )
    if is_past and meeting.status != "cancelled":
        minutes = getattr(meeting, "minutes", None)
        row.minutes, row.minutes_due = minutes_status(
            minutes=minutes.status if minutes is not None else None,
            meeting_day=timezone.localtime(meeting.start).date(), on=timezone.localdate(now),
            approval_days=settings.MINUTES_APPROVAL_DAYS,
            publish_days=settings.MINUTES_PUBLISH_DAYS)
    return row


def meeting_rows(meetings: QuerySet, *, now: dt.datetime, limit: int | None = None
                 ) -> list[MeetingRow]:
    """One row per meeting of ``meetings`` (ordered as given, at most ``limit``), in one
    query."""
    annotated = annotate_meetings(meetings)
    if limit is not None:
        annotated = annotated[:limit]
    return [meeting_row(m, now=now) for m in annotated]
