"""Operations that change meetings, agendas, absences, attendance and minutes.

Each service is keyword-only, runs in a transaction, checks what the database cannot
and records who made the change and why (``save_with_history``). Errors are
``ValidationError`` with messages keyed by field. Notices go out through
``meetings.delivery.meeting_notify`` (the notices engineer's module), which claims one
delivery row per recipient in the caller's transaction and sends after commit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance import rules as rotation_rules
from governance.models import (
    Body,
    Membership,
    MembershipRole,
    Person,
    Principal,
    StrategicArea,
)
from governance.services import Actor, save_with_history
from governance.standard_agenda import StandardAgendaError, parse_standard_agenda
from halsam.concurrency import Seen, resolve
from halsam.formats.dates import plain_date

from . import agenda_rules, minutes_lock, papers, rules, signals
from .models import (
    Absence,
    AgendaAttachment,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    DeliveryKind,
    Election,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesSignature,
    MinutesStatus,
    NoticeDelivery,
)

# Fields whose change members must be told about (a new calendar version).
NOTIFIED_FIELDS = ("start", "end", "place", "video_url", "title")
EDITABLE_FIELDS = (*NOTIFIED_FIELDS, "kind", "area", "chair", "is_public")
DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def _notify(*, meeting: Meeting, kind: str, person_ids: Iterable[int] | None = None,
            actor: Actor = None) -> int:
    # Imported here: delivery.py belongs to the notices side and imports this app's models.
    from . import delivery

    return delivery.meeting_notify(meeting=meeting, kind=kind, person_ids=person_ids,
                                   actor=actor)


@dataclass(frozen=True)
class Notified:
    """What an update or a cancellation sent: ``kind`` (None when nothing), how many, why.

    ``reason``: ``sent``; ``no_notice_yet`` (no notice had gone out, so nobody is told);
    ``not_in_notice`` (the change is not in the notice); ``unchanged``.
    """
    kind: str | None
    count: int
    reason: str


# --- meetings ---------------------------------------------------------------------------

def _validate_meeting(meeting: Meeting) -> None:
    errors: dict[str, list[str]] = {}
    if meeting.start and meeting.end and meeting.end <= meeting.start:
        errors.setdefault("end", []).append(_("The meeting must end after it starts."))
    if not meeting.place and not meeting.video_url:
        errors.setdefault("place", []).append(_("Give a place, a video link or both."))
    if meeting.kind not in MeetingKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of meeting."))
    if meeting.kind == MeetingKind.THEME and meeting.area_id is None:
        errors.setdefault("area", []).append(_("A theme meeting needs its strategic area."))
    if meeting.area_id is not None and meeting.area.structure_id != meeting.body.structure_id:
        errors.setdefault("area", []).append(
            _("The strategic area belongs to another structure."))
    if meeting.start and meeting.body_id is not None:
        day = meeting.start.astimezone(rules.STOCKHOLM).date()
        for name, texts in _outside_force(meeting.body, day).items():
            errors.setdefault(name, []).extend(texts)
    if errors:
        raise ValidationError(errors)


def meeting_outside_force(body: Body, start: dt.datetime) -> dict[str, list[str]]:
    """The errors (on ``start``) of a meeting of ``body`` at ``start`` outside the days the
    body is in force (H25, J7); empty when it is in force. Also for the admin's form."""
    return _outside_force(body, start.astimezone(rules.STOCKHOLM).date())


def _outside_force(body: Body, day: dt.date) -> dict[str, list[str]]:
    """A body takes no meetings before it is in force or after it has ended (H25, J7)."""
    start, end = body.in_force_from, body.in_force_until
    rule = rotation_rules.source(body.in_force_rule) if body.in_force_rule else _("the agreement")
    if start and day < start:
        return {"start": [_("%(body)s is in force from %(start)s (%(rule)s): a meeting "
                            "cannot be held before that.") % {
            "body": body.name, "start": plain_date(start), "rule": rule}]}
    if end and day > end:
        return {"start": [_("%(body)s is in force until %(end)s (%(rule)s): a meeting "
                            "cannot be held after that.") % {
            "body": body.name, "end": plain_date(end), "rule": rule}]}
    return {}


def _notice_due(meeting: Meeting) -> dt.datetime:
    return meeting.start - dt.timedelta(days=meeting.body.notice_days)


@transaction.atomic
def meeting_plan(
    *,
    actor: Actor,
    body: Body,
    start: dt.datetime,
    end: dt.datetime,
    kind: str = MeetingKind.ORDINARY,
    area: StrategicArea | None = None,
    title: str = "",
    place: str = "",
    video_url: str = "",
    chair: Person | None = None,
    is_public: bool = True,
    guest_bodies: Sequence[Body] = (),
    reason: str = "",
    sync_election: bool = True,
    with_standard_agenda: bool = True,
) -> Meeting:
    """Put a meeting of ``body`` in the plan (status planned), its agenda started from the
    body's standard agenda (formalia). Every way of planning (one meeting, a series)
    comes through here."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": _("Give the time with its time zone.")})
    meeting = Meeting(body=body, start=start, end=end, kind=kind, area=area, title=title,
                      place=place, video_url=video_url, chair=chair, is_public=is_public)
    _validate_meeting(meeting)
    meeting.notice_due_at = _notice_due(meeting)
    save_with_history(meeting, actor=actor, reason=reason or _("Meeting planned"))
    guests = [b for b in guest_bodies if b.pk != body.pk]
    if guests:
        meeting.guest_bodies.set(guests)
    if with_standard_agenda:
        standard_agenda_apply(actor=actor, meeting=meeting)
    if sync_election:
        election_item_sync(actor=actor, body=body, years=[start.astimezone(rules.STOCKHOLM).year])
    return meeting


@dataclass(frozen=True)
class SeriesRequest:
    frequency: str
    first_day: dt.date
    time: dt.time
    duration: dt.timedelta
    interval: int = 1
    weekday: int | None = None
    week_of_month: int | None = None
    count: int | None = None
    until: dt.date | None = None
    # Without ``until`` the series ends here (default: 31 December of the first day's year).
    last_day: dt.date | None = None


@transaction.atomic
def meeting_series_create(
    *,
    actor: Actor,
    body: Body,
    series: SeriesRequest,
    kind: str = MeetingKind.ORDINARY,
    place: str = "",
    video_url: str = "",
    is_public: bool = True,
    reason: str = "",
) -> tuple[list[Meeting], rules.Series]:
    """Plan a series of meetings from a recurrence rule, within its period; a date on a
    Swedish public holiday moves to the next weekday or is dropped (``Series.changes``)."""
    from .series_text import error as series_error

    try:
        planned = rules.series_dates(
            frequency=series.frequency, first_day=series.first_day, time=series.time,
            interval=series.interval, weekday=series.weekday, week_of_month=series.week_of_month,
            count=series.count, until=series.until, last_day=series.last_day)
    except rules.SeriesError as exc:
        raise series_error(exc) from exc
    if series.duration <= dt.timedelta(0):
        raise ValidationError({"duration": _("The meeting must end after it starts.")})
    meetings = [
        meeting_plan(actor=actor, body=body, start=start, end=start + series.duration, kind=kind,
                     place=place, video_url=video_url, is_public=is_public,
                     reason=reason or _("Meeting planned in a series"), sync_election=False)
        for start in planned.starts
    ]
    election_item_sync(actor=actor, body=body,
                       years={s.astimezone(rules.STOCKHOLM).year for s in planned.starts})
    return meetings, planned


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("body", "area")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_update(
    *, actor: Actor, meeting: Meeting, changes: Mapping[str, object], reason: str = "",
    seen: Seen | None = None,
) -> Meeting:
    """Change a planned meeting; after a notice went out, members get an update.

    ``seen`` is the edit form's token: a change saved by someone else since, to a field
    this form writes, refuses the save (``StaleEdit``, halsam/concurrency.py).
    The returned meeting carries ``notified`` (a ``Notified``): what was sent to how many.
    """
    meeting = _locked(meeting)
    if meeting.status not in rules.MEETING_OPEN:
        raise ValidationError({"status": _("Only a planned meeting can be changed; this one is "
                                           "“%(status)s”.")
                               % {"status": meeting.get_status_display()}})
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("These fields cannot be changed here: %(fields)s.")
                               % {"fields": ", ".join(sorted(unknown))}})
    changes = resolve(meeting, seen=seen, changes=changes)
    old_year = meeting.start.astimezone(rules.STOCKHOLM).year
    changed = [name for name, value in changes.items() if getattr(meeting, name) != value]
    if not changed:
        meeting.notified = Notified(None, 0, "unchanged")
        return meeting
    for name in changed:
        setattr(meeting, name, changes[name])
    _validate_meeting(meeting)
    meeting.notice_due_at = _notice_due(meeting)
    notify = meeting.notice_sent_sequence >= 0 and any(f in NOTIFIED_FIELDS for f in changed)
    if any(f in NOTIFIED_FIELDS for f in changed):
        meeting.sequence += 1
    save_with_history(meeting, actor=actor, reason=reason or _("Meeting changed"))
    if notify:
        meeting.notified = Notified("update", _notify(meeting=meeting, kind="update",
                                                      actor=actor), "sent")
    elif any(f in NOTIFIED_FIELDS for f in changed):
        meeting.notified = Notified(None, 0, "no_notice_yet")
    else:
        meeting.notified = Notified(None, 0, "not_in_notice")
    new_year = meeting.start.astimezone(rules.STOCKHOLM).year
    election_item_sync(actor=actor, body=meeting.body, years={old_year, new_year})
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a meeting; members who got the notice get a cancellation.

    The returned meeting carries ``notified`` (a ``Notified``): what was sent to how many.
    """
    meeting = _locked(meeting)
    if not rules.can_transition(rules.MEETING_TRANSITIONS, meeting.status, MeetingStatus.CANCELLED):
        raise ValidationError({"status": _("A meeting that is “%(status)s” cannot be cancelled.")
                               % {"status": meeting.get_status_display()}})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:300]
    meeting.sequence += 1
    save_with_history(meeting, actor=actor, reason=reason or _("Meeting cancelled"))
    if meeting.notice_sent_sequence >= 0:
        meeting.notified = Notified("cancel", _notify(meeting=meeting, kind="cancel",
                                                      actor=actor), "sent")
    else:
        meeting.notified = Notified(None, 0, "no_notice_yet")
    election_item_sync(actor=actor, body=meeting.body,
                       years=[meeting.start.astimezone(rules.STOCKHOLM).year])
    return meeting


@transaction.atomic
def meeting_notice_send(*, actor: Actor, meeting: Meeting, expected_count: int | None = None,
                        short_notice_confirmed: bool | None = None) -> int:
    """The coordinator's or secretary's "send now": the notice, or a changed notice.

    Refused (``status``) for a cancelled, held or started meeting and when the current
    version's notice has gone out and the agenda has not changed since (no double send;
    ``notice_preview.notice_state``). When the agenda changed after the notice, a new
    version is made so that members get the changed agenda once. The preview's confirm
    step passes ``expected_count`` (the number of recipients the user saw; refused with
    ``count`` when it has changed) and ``short_notice_confirmed`` (the checkbox; a first
    notice that cannot keep the body's notice period is refused without it). Callers
    without a user in front of a preview (the demo, scripts) leave both None.
    Returns the number of recipients.
    """
    from . import delivery, notice_preview

    meeting = _locked(meeting)
    state = notice_preview.notice_state(meeting)
    if not state.can_send:
        raise ValidationError({"status": state.refusal})
    if expected_count is not None:
        count = len(delivery.recipients(meeting))
        if count != expected_count:
            raise ValidationError({"count": ngettext(
                "The number of recipients has changed since the preview: now %(count)d "
                "recipient instead of %(seen)d. Check the list and send again.",
                "The number of recipients has changed since the preview: now %(count)d "
                "recipients instead of %(seen)d. Check the list and send again.", count)
                % {"count": count, "seen": expected_count}})
    if (short_notice_confirmed is False and state.kind == "notice"
            and notice_preview.notice_period_unmet(meeting)):
        raise ValidationError({"short_notice_confirmed": ngettext(
            "The notice period of %(days)d day cannot be met. Confirm that the notice is to "
            "be sent anyway.",
            "The notice period of %(days)d days cannot be met. Confirm that the notice is to "
            "be sent anyway.", meeting.body.notice_days) % {"days": meeting.body.notice_days}})
    if state.kind == "notice":
        return _notify(meeting=meeting, kind="notice", actor=actor)
    if meeting.notice_sent_sequence >= meeting.sequence:
        meeting.sequence += 1
        save_with_history(meeting, actor=actor, reason=_("Changed notice sent"),
                          update_fields=["sequence"])
    return _notify(meeting=meeting, kind="update", actor=actor)


@transaction.atomic
def meeting_mark_held(*, actor: Actor, meeting: Meeting) -> Meeting:
    """Record that a meeting has taken place (it must have started)."""
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.HELD:
        return meeting
    if not rules.can_transition(rules.MEETING_TRANSITIONS, meeting.status, MeetingStatus.HELD):
        raise ValidationError({"status": _("A meeting that is “%(status)s” cannot be marked as "
                                           "held.") % {"status": meeting.get_status_display()}})
    if meeting.start > timezone.now():
        raise ValidationError({"status": _("The meeting has not started yet.")})
    meeting.status = MeetingStatus.HELD
    save_with_history(meeting, actor=actor, reason=_("Meeting held"), update_fields=["status"])
    return meeting


# --- the election item (H13) ------------------------------------------------------------

def _election_target_year(body: Body, year: int) -> int | None:
    if not body.rotation:
        return None
    try:
        rule = rotation_rules.parse_rotation(body.rotation)
    except rotation_rules.RotationError:
        return None
    if year + 1 < rule.start_year:
        return None
    starts = [p.start.year for p in rotation_rules.iter_periods(rule, until_year=year + 1)]
    return rules.election_year_after(election_at=rule.election_at, period_starts=starts, year=year)


@transaction.atomic
def election_item_sync(*, actor: Actor, body: Body, years: Iterable[int]) -> None:
    """Keep the election item on ``body``'s last meeting of each of ``years`` (H13).

    Run after every change to the body's meetings: the item moves with the last meeting,
    and goes when no meeting is left in the year. An item on a meeting already held
    stays where it is (the election took place there).
    """
    for year in sorted(set(years)):
        for_year = _election_target_year(body, year)
        if for_year is None:
            continue
        in_year = list(
            Meeting.objects.filter(body=body, start__year=year).values_list("pk", "start", "status")
        )
        target = rules.election_meeting(
            [(pk, start, status == MeetingStatus.CANCELLED) for pk, start, status in in_year],
            year=year)
        existing = list(AgendaItem.objects.select_for_update(of=("self",))
                        .select_related("meeting")
                        .filter(meeting__body=body, election_for_year=for_year))
        if any(i.meeting.status not in rules.MEETING_OPEN | {MeetingStatus.CANCELLED}
               for i in existing) or (existing and Election.objects.filter(
                   agenda_item__in=existing).exists()):
            continue  # held at a meeting already (or the election recorded): the record stays
        if target is None:
            for item in existing:
                _item_delete(actor=actor, item=item, reason=_("No meeting left in the year"))
            continue
        keep = next((i for i in existing if i.meeting_id == target), None)
        for item in existing:
            if item is not keep:
                _item_delete(actor=actor, item=item,
                             reason=_("The election moves to the year's last meeting"))
        if keep is None:
            item = AgendaItem(
                meeting_id=target, kind=AgendaItemKind.ELECTION, election_for_year=for_year,
                title=_("Election of chair and vice chairs for %(year)d") % {"year": for_year})
            # After the opening formalia, before the meeting's own items (H13).
            _item_insert(item, actor=actor, after_opening=True,
                         reason=_("The rotation rule puts the election on the year's last "
                                  "meeting"))


# --- agenda -----------------------------------------------------------------------------

def _next_position(meeting_id: int) -> int:
    top = AgendaItem.objects.filter(meeting_id=meeting_id).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def _agenda_editable(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"__all__": _("The meeting is cancelled.")})


def _item_validate(item: AgendaItem) -> None:
    errors: dict[str, list[str]] = {}
    if not item.title.strip():
        errors.setdefault("title", []).append(_("Give the item a title."))
    if item.kind not in AgendaItemKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of item."))
    if item.kind == AgendaItemKind.PREPARATION and item.prepares_for_id is None:
        errors.setdefault("prepares_for", []).append(
            _("Say which body the matter is prepared for."))
    if item.election_for_year is not None and item.kind != AgendaItemKind.ELECTION:
        errors.setdefault("kind", []).append(
            _("The election item put there by the rotation rule stays an election."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_item_add(
    *,
    actor: Actor,
    meeting: Meeting,
    title: str,
    kind: str = AgendaItemKind.INFORMATION,
    description: str = "",
    presenter: str = "",
    duration_minutes: int | None = None,
    prepares_for: Body | None = None,
    reason: str = "",
) -> AgendaItem:
    """Add an item to the agenda, before the closing formalia ("Övriga frågor" …)."""
    meeting = _locked(meeting)
    _agenda_editable(meeting)
    item = AgendaItem(meeting=meeting, title=title.strip(), kind=kind, description=description,
                      presenter=presenter, duration_minutes=duration_minutes,
                      prepares_for=prepares_for)
    _item_validate(item)
    _item_insert(item, actor=actor, reason=reason or _("Agenda item added"))
    return item


def _item_label(item: AgendaItem) -> str:
    """How a refused change names the item: "§ 12 Budget: " (or "3. Budget: ")."""
    number = f"§ {item.section}" if item.section else f"{item.position}."
    return f"{number} {item.title}: "


ITEM_FIELDS = ("title", "kind", "description", "presenter", "duration_minutes", "prepares_for",
               "notes", "decision", "recommendation")


@transaction.atomic
def agenda_item_update(
    *, actor: Actor, item: AgendaItem, changes: Mapping[str, object], reason: str = "",
    seen: Seen | None = None, only_changed: bool = False,
) -> AgendaItem:
    """Change an agenda item, or write the minutes' notes on it while the minutes are open.

    ``seen`` is the edit form's token (``StaleEdit`` when someone else changed a field
    this save writes). With ``only_changed`` (the minutes form) only the fields the user
    changed since ``seen`` are written, so that two people writing different fields both
    keep their text."""
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=item.pk)
    )
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("These fields cannot be changed here: %(fields)s.")
                               % {"fields": ", ".join(sorted(unknown))}})
    _agenda_editable(item.meeting)
    changes = resolve(item, seen=seen, changes=changes, partial=only_changed,
                      label_prefix=_item_label(item))
    if not changes:
        return item
    if {"notes", "decision", "recommendation"} & set(changes):
        status = (Minutes.objects.filter(meeting_id=item.meeting_id)
                  .values_list("status", flat=True).first())
        if status in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED):
            raise ValidationError({"notes": _("The minutes are approved and can no longer be "
                                              "changed.")})
    for name, value in changes.items():
        setattr(item, name, value.strip() if isinstance(value, str) and name == "title" else value)
    _item_validate(item)
    save_with_history(item, actor=actor, reason=reason or _("Agenda item changed"))
    return item


@transaction.atomic
def agenda_item_move(*, actor: Actor, item: AgendaItem, direction: str) -> AgendaItem:
    """Move an item one step ``up`` or ``down``; positions are renumbered 1…n."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Move up or down.")})
    Meeting.objects.select_for_update().filter(pk=item.meeting_id).exists()
    items = list(AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    _renumber(items, actor=actor)
    return next(it for it in items if it.pk == item.pk)


@transaction.atomic
def agenda_reorder(
    *, actor: Actor, meeting: Meeting, order: Sequence[int], reason: str = ""
) -> list[AgendaItem]:
    """Put the agenda in ``order`` (every item id once), the drag-and-drop editor's save.

    Refused, with nothing moved, when the order does not name exactly the agenda's items:
    someone added or removed an item since the editor loaded the page.
    """
    meeting = _locked(meeting)
    _agenda_editable(meeting)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))
    problem = agenda_rules.order_problem([it.pk for it in items], order)
    if problem is not None:
        messages = {
            agenda_rules.MALFORMED: _("The new order must list the agenda's items."),
            agenda_rules.DUPLICATE: _("The new order names an item twice."),
            agenda_rules.STALE: _("The agenda was changed by someone else while you were "
                                  "moving items. It is shown as it is now; move the item "
                                  "again."),
        }
        raise ValidationError({"order": ValidationError(messages[problem], code=problem)})
    by_pk = {it.pk: it for it in items}
    ordered = [by_pk[pk] for pk in order]
    _renumber(ordered, actor=actor, reason=reason)
    return ordered


@transaction.atomic
def standard_agenda_apply(*, actor: Actor, meeting: Meeting) -> list[AgendaItem]:
    """Start a new meeting's agenda with the body's standard agenda (formalia), in order."""
    try:
        entries = parse_standard_agenda(meeting.body.standard_agenda or [])
    except StandardAgendaError:
        return []  # the admin refuses a broken one; an old bad value must not stop planning
    start = _next_position(meeting.pk) - 1
    items = []
    for offset, entry in enumerate(entries, start=1):
        item = AgendaItem(meeting=meeting, position=start + offset, title=entry["title"],
                          kind=entry["kind"], formalia=entry["part"])
        save_with_history(item, actor=actor, reason=_("From the body's standard agenda"))
        items.append(item)
    return items


def _item_insert(item: AgendaItem, *, actor: Actor, reason: str,
                 after_opening: bool = False) -> None:
    """Save the new ``item`` where it belongs (``agenda_rules.insert_index``) and renumber."""
    items = list(AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "id"))
    index = agenda_rules.insert_index([it.formalia for it in items], after_opening=after_opening)
    item.position = index + 1
    save_with_history(item, actor=actor, reason=reason)
    _renumber([*items[:index], item, *items[index:]], actor=actor)


def _renumber(items: list[AgendaItem], *, actor: Actor, reason: str = "") -> None:
    for position, it in enumerate(items, start=1):
        if it.position != position:
            it.position = position
            save_with_history(it, actor=actor, reason=reason or _("Agenda reordered"),
                              update_fields=["position"])


def _item_delete(*, actor: Actor, item: AgendaItem, reason: str) -> None:
    item._history_user = actor if getattr(actor, "is_authenticated", False) else None
    item._change_reason = reason
    item.delete()


@transaction.atomic
def agenda_item_delete(*, actor: Actor, item: AgendaItem, reason: str = "") -> None:
    """Remove an item from the agenda (not the election item the rotation rule puts there)."""
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=item.pk)
    )
    _agenda_editable(item.meeting)
    if minutes_lock.minutes_closed(item.meeting_id):
        raise minutes_lock.closed_error()  # the item is part of the approved record (§5)
    if item.election_for_year is not None:
        raise ValidationError({"__all__": _("The election item follows the rotation rule; it "
                                            "moves with the year's last meeting.")})
    _item_delete(actor=actor, item=item, reason=reason or _("Agenda item removed"))
    rest = AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "id")
    _renumber(list(rest), actor=actor)


# --- attachments ------------------------------------------------------------------------

PDF, DOCX, XLSX, ODT = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
)
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", ODT: ".odt"}


def inspect_attachment(file: UploadedFile) -> papers.Inspection:
    """The one upload inspection for an agenda paper (issue 12 §3), within
    ``MEETINGS_ATTACHMENT_MAX_BYTES``; ``ValidationError`` on ``file``. The admin's form
    calls it too."""
    limit = getattr(settings, "MEETINGS_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)
    if file.size is None or file.size > limit:
        raise ValidationError({"file": _("The file is larger than %(mb)d MB.")
                               % {"mb": limit // (1024 * 1024)}})
    name = (file.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    inspected = papers.inspect_upload(file, name, max_bytes=limit)
    file.seek(0)
    return inspected


@transaction.atomic
def attachment_add(
    *, actor: Actor, item: AgendaItem, title: str, file: UploadedFile, reason: str = ""
) -> AgendaAttachment:
    """Attach a paper (PDF, DOCX, XLSX or ODT) to an agenda item, checked by the register's
    inspection (``papers.inspect_upload``: type by content, name, package and XML limits)."""
    inspected = inspect_attachment(file)
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    _agenda_editable(item.meeting)
    file.seek(0)
    name = (file.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    attachment = AgendaAttachment(item=item, title=title.strip() or name, file=file,
                                  content_type=inspected.content_type, size=inspected.size,
                                  uploaded_by=actor if getattr(actor, "is_authenticated",
                                                               False) else None)
    save_with_history(attachment, actor=actor, reason=reason or _("Paper attached"))
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Actor, attachment: AgendaAttachment, reason: str = "") -> None:
    attachment._history_user = actor if getattr(actor, "is_authenticated", False) else None
    attachment._change_reason = reason or _("Paper removed")
    attachment.delete()


# --- absence and attendance -------------------------------------------------------------

def _places(meeting: Meeting, on: dt.date) -> list[tuple[rules.Place, Membership]]:
    bodies = [meeting.body_id, *meeting.guest_bodies.values_list("pk", flat=True)]
    rows = (Membership.objects.active_on(on).filter(seat__body_id__in=bodies)
            .select_related("seat", "person"))
    return [(rules.Place(membership_id=m.pk, person_id=m.person_id, seat_id=m.seat_id,
                         principal_id=m.seat.principal_id or m.person.principal_id, role=m.role,
                         substitute_for_id=m.substitute_for_id, start=m.start), m) for m in rows]


SEATED_ROLES = (MembershipRole.MEMBER, MembershipRole.SUBSTITUTE, MembershipRole.CO_OPTED)


@dataclass(frozen=True)
class AbsencePlan:
    """What reporting an absence does (V2), computed by the code that then does it.

    ``substitute`` is who will be called in (None: no one can be); ``named`` whether they
    are the substitute named for the absent member; ``principal`` the name of the
    principal whose substitute comes. The preview page and ``absence_report`` both use
    ``_absence_plan``, so the page says what the report then does.
    """

    substitute: Person | None = None
    named: bool = False
    principal: str = ""

    @property
    def outcome(self) -> str:
        """``named``, ``principal``, ``no_email`` (chosen, but no e-mail to call them
        with: the secretary calls them) or ``none``."""
        if self.substitute is None:
            return "none"
        if not self.substitute.email:
            return "no_email"
        return "named" if self.named else "principal"


def _refusal(field: str, message: str, code: str) -> ValidationError:
    """A refusal keyed by ``field`` whose ``code`` the views can read."""
    return ValidationError({field: ValidationError(message, code=code)})


def _absence_open(meeting: Meeting) -> bool:
    return meeting.status in rules.MEETING_OPEN and meeting.start > timezone.now()


def _absence_plan(meeting: Meeting, person: Person) -> AbsencePlan:
    if not _absence_open(meeting):
        raise _refusal("__all__", _("Absence can only be reported before the meeting starts."),
                       "closed")
    if Absence.objects.filter(meeting=meeting, person=person).exists():
        raise _refusal("__all__", _("%(person)s has already reported absence from this "
                                    "meeting.") % {"person": person.name}, "already_reported")
    places = _places(meeting, meeting.start.astimezone(rules.STOCKHOLM).date())
    own = [p for p, _m in places if p.person_id == person.pk and p.role in SEATED_ROLES]
    taken = list(Absence.objects.filter(meeting=meeting).values_list("person_id", "substitute_id"))
    called = {sub for _p, sub in taken if sub is not None}
    if not own and person.pk not in called:
        raise _refusal("person", _("%(person)s is not called to this meeting.")
                       % {"person": person.name}, "not_called")
    member_place = next((p for p in own if p.role == MembershipRole.MEMBER), None)
    if member_place is None:
        return AbsencePlan()
    choice = rules.choose_substitute(absent=member_place, places=[p for p, _m in places],
                                     unavailable=called | {p for p, _s in taken})
    if choice is None:
        return AbsencePlan()
    substitute = next(m.person for p, m in places if p.membership_id == choice.membership_id)
    principal = (Principal.objects.filter(pk=choice.principal_id).values_list("name", flat=True)
                 .first() or "")
    return AbsencePlan(substitute=substitute, principal=principal,
                       named=choice.substitute_for_id == member_place.membership_id)


def absence_preview(*, meeting: Meeting, person: Person) -> AbsencePlan:
    """What ``absence_report`` would do now; ``ValidationError`` when it would refuse."""
    return _absence_plan(meeting, person)


def _substitute_mail(meeting: Meeting, person_id: int, kind: str) -> int:
    """Claim the call (or release) e-mail to a substitute, exactly once per call.

    For these two kinds the delivery's ``sequence`` is the call's round: the n-th call of
    a person to a meeting is round n-1, and its release has the same round. A member who
    withdraws and reports again calls the substitute anew (a new round) exactly once.
    """
    from . import delivery

    last = (NoticeDelivery.objects.filter(meeting=meeting, person_id=person_id,
                                          kind=DeliveryKind.SUBSTITUTE_CALL)
            .aggregate(last=Max("sequence"))["last"])
    if kind == DeliveryKind.SUBSTITUTE_CALL:
        sequence = 0 if last is None else last + 1
    elif last is None:
        return 0  # never called by e-mail: nothing to release by e-mail
    else:
        sequence = last
    return delivery.meeting_notify(meeting=meeting, kind=kind, person_ids=[person_id],
                                   sequence=sequence)


def _tell_secretary(absence_id: int) -> None:
    from .tasks import tell_secretary_of_absence

    tell_secretary_of_absence.delay(absence_id)


@transaction.atomic
def absence_report(
    *, actor: Actor, meeting: Meeting, person: Person, via_link: bool = False, note: str = "",
    reason: str = "",
) -> Absence:
    """Record that ``person`` cannot come (förhinder) and call in their substitute (V2).

    The substitute is the one named for the absent member, else a substitute of the
    same principal in the same seat who is not already called in or absent; they get
    the notice at once (delivery kind ``substitute_call``). The secretary of the body
    (or the coordinators) is told after commit, exactly once (``secretary_told_at``).
    Only before the meeting starts; a second report (a double click) is refused.
    The returned absence carries the ``plan`` that was carried out.
    """
    meeting = _locked(meeting)
    plan = _absence_plan(meeting, person)
    absence = Absence(meeting=meeting, person=person, via_link=via_link,
                      note=note.strip()[:300], substitute=plan.substitute)
    try:
        with transaction.atomic():
            save_with_history(absence, actor=actor, reason=reason or _("Absence reported"))
    except IntegrityError as exc:  # a concurrent report won (the lock is PostgreSQL's)
        raise _refusal("__all__", _("%(person)s has already reported absence from this "
                                    "meeting.") % {"person": person.name},
                       "already_reported") from exc
    absence.plan = plan  # type: ignore[attr-defined]
    if plan.substitute is not None:
        _substitute_mail(meeting, plan.substitute.pk, DeliveryKind.SUBSTITUTE_CALL)
    absence_id = absence.pk
    transaction.on_commit(lambda: _tell_secretary(absence_id), robust=True)
    return absence


@transaction.atomic
def absence_withdraw(*, actor: Actor, meeting: Meeting, person: Person,
                     reason: str = "") -> Absence:
    """Withdraw a reported absence (Ångra förhinder) until the meeting starts.

    The row goes (its history keeps who withdrew it and why); the substitute who was
    called gets a "no longer needed" e-mail (``substitute_release``) and no longer
    stands in; a secretary who was told of the absence is told it is withdrawn. The
    returned (deleted) absence carries ``released``: how many release e-mails were claimed.
    """
    meeting = _locked(meeting)
    if not _absence_open(meeting):
        raise _refusal("__all__", _("An absence can only be withdrawn before the meeting "
                                    "starts."), "closed")
    absence = (Absence.objects.select_for_update(of=("self",)).select_related("substitute")
               .filter(meeting=meeting, person=person).first())
    if absence is None:
        raise _refusal("__all__", _("%(person)s has no reported absence from this meeting "
                                    "to withdraw.") % {"person": person.name}, "not_reported")
    released = 0
    if absence.substitute_id is not None:
        released = _substitute_mail(meeting, absence.substitute_id,
                                    DeliveryKind.SUBSTITUTE_RELEASE)
    if getattr(actor, "is_authenticated", False):
        absence._history_user = actor
    absence._change_reason = reason or _("Absence withdrawn")
    told = absence.secretary_told_at is not None
    absence.delete()
    absence.released = released  # type: ignore[attr-defined]
    if told:
        from .absence_mail import absence_withdrawn_tell

        ids = (meeting.pk, person.pk, absence.substitute_id)
        transaction.on_commit(lambda: absence_withdrawn_tell(*ids), robust=True)
    return absence


@transaction.atomic
def attendance_record(
    *, actor: Actor, meeting: Meeting, attended: Mapping[int, bool], reason: str = ""
) -> list[Attendance]:
    """Record who attended (person id → attended); substitutes are noted in whose place.

    Marks the meeting as held if it has started and was still planned.
    """
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"__all__": _("The meeting is cancelled.")})
    if minutes_lock.meeting_closed(meeting):
        raise minutes_lock.closed_error()  # who was present is in the approved minutes (§5)
    if meeting.start > timezone.now():
        raise ValidationError({"__all__": _("Attendance can be recorded once the meeting has "
                                            "started.")})
    expected = {p.person_id for p, _m in _places(meeting, meeting.start.astimezone(
        rules.STOCKHOLM).date()) if p.role != MembershipRole.SECRETARY}
    in_place_of = dict(Absence.objects.filter(meeting=meeting, substitute__isnull=False)
                       .values_list("substitute_id", "person_id"))
    expected |= set(in_place_of)
    stray = set(attended) - expected
    if stray:
        raise ValidationError({"__all__": _("Only people called to the meeting can be recorded.")})
    existing = {a.person_id: a for a in Attendance.objects.filter(meeting=meeting)}
    rows = []
    for person_id, came in sorted(attended.items()):
        row = existing.get(person_id) or Attendance(meeting=meeting, person_id=person_id)
        row.attended = bool(came)
        row.in_place_of_id = in_place_of.get(person_id)
        save_with_history(row, actor=actor, reason=reason or _("Attendance recorded"))
        rows.append(row)
    if meeting.status in rules.MEETING_OPEN:
        meeting_mark_held(actor=actor, meeting=meeting)
    return rows


# --- minutes ----------------------------------------------------------------------------

def _minutes_move(minutes: Minutes, target: str) -> None:
    if not rules.can_transition(rules.MINUTES_TRANSITIONS, minutes.status, target):
        raise ValidationError(
            {"status": _("Minutes that are “%(current)s” cannot become “%(target)s”.")
             % {"current": minutes.get_status_display(),
                "target": MinutesStatus(target).label}},
            code="transition")
    minutes.status = target


def _minutes_locked(minutes: Minutes) -> Minutes:
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=minutes.pk)
    )


@transaction.atomic
def minutes_create(*, actor: Actor, meeting: Meeting, reason: str = "") -> Minutes:
    """Start the minutes of a meeting that has taken place (a draft)."""
    meeting = _locked(meeting)
    if Minutes.objects.filter(meeting=meeting).exists():
        raise ValidationError({"__all__": _("The meeting already has minutes.")})
    if meeting.status in rules.MEETING_OPEN:
        meeting_mark_held(actor=actor, meeting=meeting)
    elif meeting.status != MeetingStatus.HELD:
        raise ValidationError({"__all__": _("Minutes can only be written for a meeting that "
                                            "has taken place.")})
    minutes = Minutes(meeting=meeting)
    save_with_history(minutes, actor=actor, reason=reason or _("Minutes started"))
    from .minutes_mail import number_items  # the § numbers of the body's year

    number_items(actor=actor, meeting=meeting)
    return minutes


@transaction.atomic
def minutes_update(
    *, actor: Actor, minutes: Minutes, summary: str | None = None,
    checkers: Sequence[Person] | None = None, reason: str = "", seen: Seen | None = None,
) -> Minutes:
    """Change the summary or choose the minute checkers (justerare) while not approved.

    With ``seen`` (the minutes form's token) only what the user changed since is written,
    and a field someone else changed meanwhile is refused (``StaleEdit``)."""
    minutes = _minutes_locked(minutes)
    if minutes.status not in (MinutesStatus.DRAFT, MinutesStatus.WITH_CHECKERS):
        raise ValidationError({"__all__": _("The minutes are approved and can no longer be "
                                            "changed.")})
    proposed = {name: value for name, value in (("summary", summary), ("checkers", checkers))
                if value is not None}
    if seen is not None:
        written = resolve(minutes, seen=seen, changes=proposed, partial=True)
        summary, checkers = written.get("summary"), written.get("checkers")
        if not written:
            return minutes
    if checkers is not None:
        # Only someone present can check the minutes: attendance recorded as attended
        # (a substitute who came included); an absent member never.
        present = set(Attendance.objects.filter(meeting=minutes.meeting, attended=True)
                      .values_list("person_id", flat=True))
        absent = [p for p in checkers if p.pk not in present]
        if absent:
            from halsam.text import join_names

            if not present:
                raise ValidationError({"checkers": _(
                    "Record the attendance first: the minute checkers are chosen among "
                    "those present.")})
            raise ValidationError({"checkers": ngettext(
                "The minute checkers are chosen among those present at the meeting; "
                "%(names)s was not present.",
                "The minute checkers are chosen among those present at the meeting; "
                "%(names)s were not present.", len(absent)) % {"names": join_names(absent)}})
        if minutes.status != MinutesStatus.DRAFT:
            raise ValidationError({"checkers": _("The checkers can only be changed while the "
                                                 "minutes are a draft.")})
        minutes.checkers.set(checkers)
    if summary is not None:
        minutes.summary = summary
    save_with_history(minutes, actor=actor, reason=reason or _("Minutes changed"))
    return minutes


@transaction.atomic
def minutes_send_to_checkers(*, actor: Actor, minutes: Minutes, reason: str = "") -> Minutes:
    """Send the draft to the chosen minute checkers."""
    from .minutes_mail import claim_checker_mails, number_items

    minutes = _minutes_locked(minutes)
    _minutes_move(minutes, MinutesStatus.WITH_CHECKERS)
    if not minutes.checkers.exists():
        raise ValidationError({"checkers": _("Choose at least one minute checker first.")})
    minutes.sent_to_checkers_at = timezone.now()
    minutes.check_round += 1  # a new round: each checker is mailed once more
    minutes.return_comment, minutes.returned_by = "", None  # the comment is dealt with
    save_with_history(minutes, actor=actor, reason=reason or _("Minutes sent to the checkers"))
    number_items(actor=actor, meeting=minutes.meeting)
    # Who was mailed this round and who has no address (for the secretary's message).
    minutes.mailed, minutes.unreachable = claim_checker_mails(minutes)
    return minutes


@transaction.atomic
def minutes_return(*, actor: Actor, minutes: Minutes, reason: str = "", comment: str = "",
                   checker: Person | None = None) -> Minutes:
    """A checker sends the minutes back to draft for changes, with a comment for the
    secretary (kept on the minutes until they are sent again)."""
    minutes = _minutes_locked(minutes)
    if checker is not None and not minutes.checkers.filter(pk=checker.pk).exists():
        raise ValidationError({"checker": _("Only a chosen minute checker can send the "
                                            "minutes back.")}, code="not_checker")
    _minutes_move(minutes, MinutesStatus.DRAFT)
    minutes.return_comment = comment.strip()
    minutes.returned_by = checker
    save_with_history(minutes, actor=actor, reason=reason or comment.strip()[:200]
                      or _("Minutes returned for changes"))
    from .minutes_mail import tell_secretaries_returned

    transaction.on_commit(lambda: tell_secretaries_returned(minutes), robust=True)
    return minutes


def _recorded_time(at: dt.datetime | None, *, after: dt.datetime | None) -> dt.datetime:
    """``at`` (default now) for a step recorded after the fact: never in the future, never
    before the step it follows. A wrong time is the caller's error, not the user's."""
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at) or at > now or (after is not None and at < after):
        raise ValueError(f"cannot record {at!r}: after {after!r} and not later than now")
    return at


@transaction.atomic
def minutes_approve(
    *, actor: Actor, minutes: Minutes, checker: Person, reason: str = "",
    approved_at: dt.datetime | None = None,
) -> Minutes:
    """One chosen checker approves (justerar) the minutes: their signature is kept for the
    current round. Only when every chosen checker has signed in this round are the minutes
    approved (``approved_by`` the last signer, ``approved_at`` the latest signature); until
    then they stay with the checkers (``Minutes.waiting_for()`` names who is left). A
    second approval by the same checker in the same round is refused (``checker``, code
    ``already_signed``).

    ``approved_at`` records a signature made earlier (on paper); it defaults to now.
    """
    minutes = _minutes_locked(minutes)  # two checkers at once serialise here
    approved_at = _recorded_time(approved_at, after=minutes.meeting.start)
    checkers = list(minutes.checkers.all())
    if not any(c.pk == checker.pk for c in checkers):
        raise ValidationError({"checker": _("Only a chosen minute checker can approve the "
                                            "minutes.")}, code="not_checker")
    if minutes.status != MinutesStatus.WITH_CHECKERS:
        _minutes_move(minutes, MinutesStatus.APPROVED)  # refuses with the current status
    signatures = list(MinutesSignature.objects.filter(minutes=minutes,
                                                      round=minutes.check_round))
    earlier = next((s for s in signatures if s.person_id == checker.pk), None)
    if earlier is not None:
        from halsam.formats.dates import plain_date

        raise ValidationError({"checker": ValidationError(_(
            "%(name)s already approved these minutes on %(day)s; each minute checker "
            "approves once.") % {"name": checker.name, "day": plain_date(earlier.signed_at)},
            code="already_signed")})
    signature = MinutesSignature(minutes=minutes, person=checker, round=minutes.check_round,
                                 signed_at=approved_at)
    save_with_history(signature, actor=actor, reason=reason or _("Minutes approved by %(name)s")
                      % {"name": checker.name})
    signatures.append(signature)
    signed = {s.person_id for s in signatures}
    if any(c.pk not in signed for c in checkers):
        return minutes  # the others still approve; the status stays "with the checkers"
    _minutes_move(minutes, MinutesStatus.APPROVED)
    minutes.approved_by = checker
    minutes.approved_at = max(s.signed_at for s in signatures)
    save_with_history(minutes, actor=actor, reason=reason or _("Minutes approved"))
    meeting = minutes.meeting
    if rules.can_transition(rules.MEETING_TRANSITIONS, meeting.status,
                            MeetingStatus.MINUTES_APPROVED):
        meeting.status = MeetingStatus.MINUTES_APPROVED
        save_with_history(meeting, actor=actor, reason=_("Minutes approved"),
                          update_fields=["status"])
    return minutes


@transaction.atomic
def minutes_publish(
    *, actor: Actor, minutes: Minutes, reason: str = "", published_at: dt.datetime | None = None
) -> Minutes:
    """Publish approved minutes to everyone who may see the meeting (``published_at``: when
    they were made public, if earlier than now)."""
    minutes = _minutes_locked(minutes)
    _minutes_move(minutes, MinutesStatus.PUBLISHED)
    minutes.published_at = _recorded_time(published_at, after=minutes.approved_at)
    save_with_history(minutes, actor=actor, reason=reason or _("Minutes published"))
    meeting = minutes.meeting
    if rules.can_transition(rules.MEETING_TRANSITIONS, meeting.status,
                            MeetingStatus.MINUTES_PUBLISHED):
        meeting.status = MeetingStatus.MINUTES_PUBLISHED
        save_with_history(meeting, actor=actor, reason=_("Minutes published"),
                          update_fields=["status"])
    signals.minutes_published.send(sender=Minutes, minutes=minutes, actor=actor)
    return minutes


def people_called(meeting: Meeting) -> list[Person]:
    """Everyone with a place in the meeting's bodies on its date (for choosing checkers)."""
    ids = {p.person_id for p, _m in _places(meeting, meeting.start.astimezone(
        rules.STOCKHOLM).date()) if p.role != MembershipRole.SECRETARY}
    return list(Person.objects.filter(Q(pk__in=ids)).order_by("last_name", "first_name"))
