"""Elections at the year's last meeting (H13: "Val inför kommande kalenderår sker vid det
sista mötet för innevarande år", seed 000), recorded with the meeting and the minutes item
that decided them.

- ``election_slots``: the offices the body's rotation rule asks for in the period an
  election item elects for, with the rule's requirement in words.
- ``election_record``: the service behind the form: the office terms of the period through
  governance's office-holder service (every rotation and eligibility check applies), the
  ``Election`` and its links, the minutes item's decision, all in one transaction.
- ``election_link``: an election for office terms already recorded (the demo, holders
  entered in the admin before the form existed).
- ``annotate_items``: each election item's recorded election (``item.election_record``)
  for the agenda, meeting and minutes pages, in two queries at most.
- ``register``: fills ``governance.election_source`` (called from ``MeetingsConfig.ready``).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import election_source, labels, replacement
from governance import rules as rotation_rules
from governance.models import OfficeTerm, Person, StrategicArea
from governance.services import Actor, save_with_history
from halsam.concurrency import Seen, resolve
from halsam.formats.dates import plain_date

from .models import AgendaItem, AgendaItemKind, Meeting, MeetingStatus, Minutes, MinutesStatus
from .models_elections import Election, ElectionTerm
from .rules import STOCKHOLM

TOKEN_FIELDS = ("decision",)


@dataclass(frozen=True)
class Slot:
    """One office to fill at the election (one per strategic area where the rule says so)."""

    office: str
    area: StrategicArea | None
    label: str
    requirement: str
    rule_id: str

    @property
    def key(self) -> str:
        return self.office if self.area is None else f"{self.office}_{self.area.code}"


@dataclass(frozen=True)
class Elected:
    office: str
    person: Person
    area: StrategicArea | None = None

    @property
    def key(self) -> str:
        return self.office if self.area is None else f"{self.office}_{self.area.code}"


def _period(item: AgendaItem) -> tuple[rotation_rules.RotationRule, rotation_rules.Period]:
    body = item.meeting.body
    if item.kind != AgendaItemKind.ELECTION or item.election_for_year is None:
        raise ValidationError({"__all__": _("Only the election item that the rotation rule "
                                            "puts on the year's last meeting records an "
                                            "election.")})
    if not body.rotation:
        raise ValidationError({"__all__": _("%(body)s has no rotation rule: its office "
                                            "holders are recorded on the body's page.")
                               % {"body": body.name}})
    try:
        rule = rotation_rules.parse_rotation(body.rotation)
        period = rotation_rules.period_for(rule, dt.date(item.election_for_year, 1, 1))
    except rotation_rules.RotationError as exc:
        raise ValidationError({"__all__": _("The rotation rule cannot be read: %(error)s")
                               % {"error": exc}}) from exc
    return rule, period


def election_period(item: AgendaItem) -> rotation_rules.Period:
    """The period the election item elects for (the whole period starting in its year)."""
    return _period(item)[1]


def election_slots(item: AgendaItem) -> list[Slot]:
    """The offices the rule asks for in the item's period, in the rule's order (2 queries)."""
    rule, period = _period(item)
    body = item.meeting.body
    texts = {office: (text, rule_id) for office, text, rule_id
             in replacement.period_requirements(body, period.start)}
    second = labels.has_second_vice_chair(body.rotation)
    areas = list(StrategicArea.objects.filter(structure_id=body.structure_id)
                 .order_by("position"))
    out = []
    for office, req in rotation_rules.requirements(rule, period).items():
        text, rule_id = texts.get(office, ("", req.rule_id))
        label = labels.office_label(office, second_vice_chair=second)
        for area in (areas if req.per_area else [None]):
            out.append(Slot(office=office, area=area, label=label, requirement=text,
                            rule_id=rule_id))
    return out


def _locked_item(item: AgendaItem) -> AgendaItem:
    return (AgendaItem.objects.select_for_update(of=("self",))
            .select_related("meeting__body__structure").get(pk=item.pk))


def _check_meeting(item: AgendaItem, period: rotation_rules.Period) -> None:
    meeting = item.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"__all__": _("The meeting is cancelled.")})
    if meeting.start > timezone.now():
        raise ValidationError({"__all__": _(
            "The meeting on %(day)s has not taken place yet: record the election after the "
            "meeting.") % {"day": plain_date(timezone.localtime(meeting.start).date())}})
    done = (Election.objects.filter(body=meeting.body, period_start=period.start)
            .select_related("meeting").first())
    if done is not None:
        raise ValidationError({"__all__": _(
            "The election of %(body)s for %(period)s is already recorded (at the meeting on "
            "%(day)s).") % {"body": meeting.body.name, "period": period.label,
                            "day": plain_date(done.decided_on)}})


def _decision_text(period: rotation_rules.Period, terms: Sequence[OfficeTerm],
                   second_vice_chair: bool) -> str:
    parts = []
    for t in terms:
        who = t.person.name + (f", {t.person.principal.name}" if t.person.principal else "")
        office = labels.office_label(t.office, second_vice_chair=second_vice_chair)
        if t.area is not None:
            office = f"{office} ({t.area.name})"
        parts.append(f"{office}: {who}")
    return _("For %(period)s were elected: %(holders)s.") % {
        "period": period.label, "holders": "; ".join(parts)}


def _minutes_open(meeting: Meeting) -> bool:
    """The minutes may still take the decision: none yet, or a draft."""
    status = (Minutes.objects.filter(meeting=meeting).values_list("status", flat=True)
              .first())
    return status in (None, MinutesStatus.DRAFT)


def _create(*, actor: Actor, item: AgendaItem, period: rotation_rules.Period,
            terms: Sequence[OfficeTerm], note: str, reason: str) -> Election:
    meeting = item.meeting
    election = Election(body=meeting.body, period_start=period.start, period_end=period.end,
                        meeting=meeting, agenda_item=item, note=note[:300],
                        decided_on=timezone.localtime(meeting.start, STOCKHOLM).date())
    election.full_clean(exclude=["body", "meeting", "agenda_item"])
    save_with_history(election, actor=actor, reason=reason)
    for term in terms:
        save_with_history(ElectionTerm(election=election, office_term=term), actor=actor,
                          reason=reason)
    # The minutes item records it (H13), unless the secretary has written the decision or
    # the minutes are already with the checkers.
    if not item.decision.strip() and _minutes_open(meeting):
        item.decision = _decision_text(period, terms,
                                       labels.has_second_vice_chair(meeting.body.rotation))
        save_with_history(item, actor=actor, reason=reason, update_fields=["decision"])
    return election


@transaction.atomic
def election_record(*, actor: Actor, item: AgendaItem, holders: Sequence[Elected],
                    reason: str = "", note: str = "", confirm: bool = False,
                    seen: Seen | None = None) -> Election:
    """Record the election decided at ``item`` (the election item of a held meeting): the
    office terms of the period it elects for and the ``Election`` linking them to the
    meeting and the item.

    Each holder goes through ``governance.replacement.office_holder_record`` (membership for
    the whole term, one holder per office, the rotation rule, eligibility); a refusal comes
    back as a ``ValidationError`` keyed by the slot (``chair``, ``vice_chair``, …), and
    nothing is written. Recommendations (H5) need ``confirm`` (``ConfirmationNeeded``).
    ``seen`` is the form's edit token on the item: a change to its decision since refuses.
    """
    item = _locked_item(item)
    period = election_period(item)
    resolve(item, seen=seen, changes={}, strict=True)
    _check_meeting(item, period)
    slots = {s.key: s for s in election_slots(item)}
    chosen: dict[str, Elected] = {}
    errors: dict[str, list[str]] = defaultdict(list)
    for h in holders:
        if h.key not in slots:
            errors["__all__"].append(_("The rotation rule asks for no such office in "
                                       "%(period)s.") % {"period": period.label})
        elif h.key in chosen:
            errors[h.key].append(_("Choose one person for the office."))
        else:
            chosen[h.key] = h
    for key, slot in slots.items():
        if key not in chosen:
            errors[key].append(_("Choose who was elected %(office)s.") % {
                "office": slot.label.lower()})
    if errors:
        raise ValidationError(dict(errors))
    meeting = item.meeting
    body = meeting.body
    what = _("Elected at the meeting on %(day)s (%(body)s), item “%(item)s”.") % {
        "day": plain_date(timezone.localtime(meeting.start).date()), "body": body.name,
        "item": item.title}
    full_reason = " ".join(p for p in (what, reason.strip()) if p)
    terms: list[OfficeTerm] = []
    concerns: list[replacement.Concern] = []
    for key in slots:  # the rule's order: the chair first, so the vice chairs' side is known
        h = chosen[key]
        try:
            with transaction.atomic():
                record = replacement.office_holder_record(
                    actor=actor, body=body, office=h.office, person=h.person,
                    start=period.start, end=period.end, area=h.area, end_current=True,
                    confirm=True, reason=full_reason)
        except ValidationError as exc:
            messages = (sum(exc.message_dict.values(), []) if hasattr(exc, "error_dict")
                        else exc.messages)
            errors[key].extend(messages)
            continue
        terms.append(record.term)
        concerns += [c for c in record.concerns if c.severity == replacement.WARNING]
    if errors:
        raise ValidationError(dict(errors))
    if concerns and not confirm:
        raise replacement.ConfirmationNeeded(concerns)
    return _create(actor=actor, item=item, period=period, terms=terms, note=note,
                   reason=" ".join(p for p in (full_reason,
                                               replacement.confirmation_text(concerns)) if p))


@transaction.atomic
def election_link(*, actor: Actor, item: AgendaItem, terms: Iterable[OfficeTerm],
                  reason: str = "", note: str = "") -> Election:
    """Record that the election at ``item`` produced ``terms``, already recorded (by the
    admin, or the demo): each must be an office of the body within the item's period."""
    item = _locked_item(item)
    period = election_period(item)
    _check_meeting(item, period)
    terms = list(terms)
    wrong = [t for t in terms if t.body_id != item.meeting.body_id
             or not (period.start <= t.start <= period.end)]
    if not terms or wrong:
        raise ValidationError({"__all__": _("Only office terms of %(body)s starting in "
                                            "%(period)s can be linked to this election.")
                               % {"body": item.meeting.body.name, "period": period.label}})
    return _create(actor=actor, item=item, period=period, terms=terms, note=note,
                   reason=reason or _("Election recorded"))


# --- reads ---------------------------------------------------------------------------------

def election_url(meeting_id: int, item_id: int) -> str:
    return reverse("meetings:election", kwargs={"pk": meeting_id, "item_pk": item_id})


def annotate_items(items: list[AgendaItem]) -> list[AgendaItem]:
    """Set ``election_record`` on each item: its ``Election`` with ``holders`` (office
    label, person, principal, area), or ``None``. No query without an election item, two
    with."""
    for item in items:
        item.election_record = None
    ids = [i.pk for i in items if i.election_for_year is not None]
    if not ids:
        return items
    found = {e.agenda_item_id: e for e in Election.objects.filter(agenda_item_id__in=ids)
             .select_related("body").prefetch_related(Prefetch(
                 "elected", ElectionTerm.objects.select_related(
                     "office_term__person__principal", "office_term__area")
                 .order_by("office_term__office", "office_term__area__position")))}
    order = {office: n for n, office in enumerate(rotation_rules.OFFICES)}
    for item in items:
        election = found.get(item.pk)
        if election is None:
            continue
        second = labels.has_second_vice_chair(election.body.rotation)
        terms = sorted((link.office_term for link in election.elected.all()),
                       key=lambda t: (order.get(t.office, 9), t.area.position if t.area else 0))
        election.holders = [
            (labels.office_label(t.office, second_vice_chair=second), t.person.name,
             t.person.principal.name if t.person.principal else "",
             t.area.name if t.area else "") for t in terms]
        item.election_record = election
    return items


def _meetings_due(pairs: set[tuple[int, int]]
                  ) -> dict[tuple[int, int], election_source.ElectionMeeting]:
    """For (body id, year) pairs: the meeting of ``year`` where the election for the next
    period is due, and whether it is recorded (one query)."""
    years = {year for _body, year in pairs}
    rows = (Meeting.objects.filter(
        body_id__in={body for body, _year in pairs},
        start__gte=dt.datetime(min(years), 1, 1, tzinfo=STOCKHOLM),
        start__lt=dt.datetime(max(years) + 1, 1, 1, tzinfo=STOCKHOLM))
        .exclude(status=MeetingStatus.CANCELLED)
        .annotate(
            item_id=Subquery(AgendaItem.objects.filter(
                meeting=OuterRef("pk"), election_for_year__isnull=False)
                .order_by("pk").values("pk")[:1]),
            elected_for=Subquery(Election.objects.filter(meeting=OuterRef("pk"))
                                 .order_by("-period_start").values("period_start")[:1]))
        .order_by("start", "pk").values_list("pk", "body_id", "start", "item_id",
                                             "elected_for"))
    by_pair: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for pk, body_id, start, item_id, elected_for in rows:
        local = start.astimezone(STOCKHOLM)
        by_pair[(body_id, local.year)].append((pk, local.date(), item_id, elected_for))
    out = {}
    for pair in pairs:
        found = by_pair.get(pair)
        if not found:
            continue
        period_start = dt.date(pair[1] + 1, 1, 1)
        with_item = [row for row in found if row[2] is not None]
        pk, day, item_id, _elected = (with_item or found)[-1]
        url = election_url(pk, item_id) if item_id else reverse("meetings:detail",
                                                                 kwargs={"pk": pk})
        out[pair] = election_source.ElectionMeeting(
            meeting_id=pk, day=day, url=url,
            recorded=any(row[3] == period_start for row in found))
    return out


def _terms_elected(term_ids: list[int]) -> dict[int, election_source.ElectedAt]:
    """Office term id → the meeting that elected its holder (one query)."""
    # ``[0]`` when empty: the query runs anyway (Django skips an empty ``__in``), so the
    # pages' query count is the same with and without holders.
    rows = ElectionTerm.objects.filter(office_term_id__in=term_ids or [0]).values_list(
        "office_term_id", "election__decided_on", "election__meeting_id",
        "election__agenda_item_id")
    return {term_id: election_source.ElectedAt(
        day=day, url=election_url(meeting_id, item_id) if item_id
        else reverse("meetings:detail", kwargs={"pk": meeting_id}))
        for term_id, day, meeting_id, item_id in rows}


def register() -> None:
    election_source.register(meetings=_meetings_due, terms=_terms_elected)

