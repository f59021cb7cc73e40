"""The demo's living year: every body's meetings of this year and the next.

All through the meetings services, in the order a year runs:

- each body gets as many meetings a year as its minimum and its meeting rule ask (H7:
  a theme meeting per strategic area and a joint one; J2/V6: the yearly seminars), or
  a default for its kind where the seeds leave the number to the structure (H21);
- held meetings (before today) have their agenda, attendance and minutes: approved by a
  minute checker and published, except the last weeks' minutes, which are still on
  their way (draft, with the checkers, approved) so the coordinator and the secretary
  have something to do; an election held at the year's last meeting (H13) records the
  office holders of the next period through the rotation rule;
- coming meetings have their agenda in the weeks ahead, papers attached in the nearest
  weeks, and the notice sent when it is due (``meeting_notice_send``, as the
  coordinator's "send now"); one member of Västerbotten's LSG has reported absence and
  their substitute is called in (V2/V7).

The demo logins' bodies (and the LSG with substitutes) have a meeting in the coming
days, and Länsledningen one in the last two weeks, whatever the day the demo is made
(``year.soon``/``year.recent``). A body that already has meetings is left alone, so a
second run changes nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from governance.models import Body, BodyKind, Membership, MembershipRole, Office, OfficeTerm
from meetings import elections, services
from meetings import papers as agenda_papers
from meetings.models import (
    Absence,
    AgendaItem,
    AgendaItemKind,
    Meeting,
    MeetingKind,
    Minutes,
)
from meetings.rules import STOCKHOLM

from . import content, year
from .common import EMAIL_DOMAIN, REASON, Tally
from .documents import Register, filename, paper_pdf
from .people import Filler

# Meetings a year where the seeds leave the number to the structure (H21: Länsledningen
# sets it; these are its defaults), never fewer than the body's own minimum.
PER_YEAR = {BodyKind.POLITICAL: 4, BodyKind.PRESIDIUM: 4, BodyKind.OFFICIALS_BOARD: 5,
            BodyKind.COUNTY_GROUP: 5, BodyKind.LOCAL_GROUP: 4, BodyKind.PREPARATORY: 4,
            BodyKind.COUNCIL: 2, BodyKind.SEMINAR: 1}
HOURS = {BodyKind.POLITICAL: (dt.time(13), 3 * 60), BodyKind.PRESIDIUM: (dt.time(8, 30), 90),
         BodyKind.OFFICIALS_BOARD: (dt.time(9), 3 * 60),
         BodyKind.COUNTY_GROUP: (dt.time(9), 3 * 60),
         BodyKind.LOCAL_GROUP: (dt.time(13, 15), 105), BodyKind.SEMINAR: (dt.time(9), 7 * 60)}
DEFAULT_HOURS = (dt.time(9), 2 * 60)
# Local groups meet before Länsledningen's meetings, so their last meeting of the year
# (where they elect, H13/H20) is in November.
MONTHS = {BodyKind.LOCAL_GROUP: (2, 4, 9, 11)}
PLACES = {
    "halsam-vasternorrland": ["Regionens hus, Sundsvall", "Kommunhuset, Härnösand",
                              "Stadshuset, Örnsköldsvik", "Kommunhuset, Kramfors"],
    "vasterbotten": ["Regionens hus, Umeå", "Stadshuset, Skellefteå", "Kommunhuset, Lycksele"],
    "jamtland-harjedalen": ["Regionens hus, Östersund",
                            "Kommunförbundet Jämtlands län, Östersund"],
}
RESIDENTIAL_PLACE = "Konferensgård i Höga Kusten, Kramfors"

# The bodies of the demo logins (and the LSG whose substitutes are called in) meet soon.
SOON = ("halsam", "lansledning", "lokal-sundsvall-barn-och-unga", "lansamverkansgruppen")
SOON_LEAD = 6  # days from today
# The secretary's body has met lately: minutes with the checkers.
RECENT = ("lansledning",)
RECENT_LAG, RECENT_WITHIN = 10, 14
# A meeting cancelled in the year (a local group's first meeting of the year, if held).
CANCELLED = ("lokal-kramfors-vuxna", "Inställt: för få deltagare kunde komma.")
# Who reports absence: a member of this body whose substitute is named (V2/V7), and one
# of HälSam's Länsledning, which has no substitutes (the seeds give none).
ABSENT_FROM = ("lansamverkansgruppen", "lansledning")

AGENDA_DAYS = 42  # coming meetings this close have their agenda …
PAPER_DAYS = 28  # … and their papers
# Minutes of a meeting held this many days ago or fewer are still a draft, with the
# checkers, approved; older ones are published.
DRAFT_DAYS, CHECKERS_DAYS, APPROVED_DAYS = 5, 14, 20
APPROVED_AFTER, PUBLISHED_AFTER = dt.timedelta(days=9), dt.timedelta(days=13)
SEATED = (MembershipRole.MEMBER, MembershipRole.CO_OPTED)


@dataclasses.dataclass
class Planned:
    day: dt.date
    kind: str = MeetingKind.ORDINARY
    area: object = None
    title: str = ""
    residential: bool = False


class Year:
    """Builds the meetings of one structure."""

    def __init__(self, *, structure, filler: Filler, register: Register, coordinator,
                 secretary, tally: Tally, now: dt.datetime, seed: int):
        self.structure = structure
        self.filler = filler
        self.register = register
        self.coordinator = coordinator
        self.secretary = secretary  # the ``sekreterare`` login: Länsledningen's secretary
        self.tally = tally
        self.now = now
        self.today = timezone.localdate(now)
        self.random = random.Random(f"{seed}/{structure.slug}")  # noqa: S311 - not a secret
        self.places = PLACES.get(structure.slug) or [structure.region or structure.name]
        self.areas = list(structure.areas.order_by("position"))

    # --- which bodies, how many meetings, which days --------------------------------------

    def build(self) -> list[Meeting]:
        """Every body's meetings; returns the coming meetings whose notice went out."""
        noticed: list[Meeting] = []
        bodies = (Body.objects.filter(structure=self.structure).select_related(
            "structure", "area", "owner_principal", "prepares_for", "parent")
            .order_by("position", "slug"))
        for body in bodies:
            if Meeting.objects.filter(body=body).exists():
                continue  # made before (or by the coordinator): left alone
            noticed += self._body(body)
        return noticed

    def _guests(self, body: Body) -> list[Body]:
        """Whom a seminar body without seats of its own calls (J2, V6)."""
        if body.kind != BodyKind.SEMINAR:
            return []
        slugs = {(body.meeting_rule or {}).get("planned_by")} - {None}
        guests = list(body.joint_of.all())
        guests += [b for b in [body.parent] if b is not None]
        guests += list(Body.objects.filter(structure=body.structure, slug__in=slugs))
        return list({b.pk: b for b in guests if b.pk != body.pk}.values())

    def _per_year(self, body: Body) -> int:
        return max(body.min_meetings_per_year or 0, PER_YEAR.get(body.kind, 0))

    def _plan(self, body: Body) -> list[Planned]:
        count = self._per_year(body)
        days = []
        for y in year.demo_years(self.today):
            in_force = self.structure.valid_from is None or self.structure.valid_from <= dt.date(
                y, 12, 31)
            if in_force and (body.ends_on is None or body.ends_on >= dt.date(y, 1, 1)):
                # A body that must meet soon keeps the year-end meeting of the usual months.
                months = MONTHS.get(body.kind) if body.slug not in SOON else None
                days += year.year_days(body.slug, y, count,
                                       months=months if len(months or ()) == count else None)
        # A meeting outside the days the body is in force is refused (H25, J7).
        days = [d for d in days if body.is_in_force(d)]
        if not days:
            return []
        slots = [year.Day(d) for d in days]
        if body.slug in SOON:
            slots = year.soon(days, today=self.today, lead=SOON_LEAD,
                              within=max(body.notice_days - 1, 1))
        if body.slug in RECENT:
            slots = year.recent(slots, today=self.today, lag=RECENT_LAG, within=RECENT_WITHIN)
        plans = []
        by_year: dict[int, int] = {}
        rule = body.meeting_rule or {}
        for slot in slots:
            if slot.extra:
                plans.append(Planned(slot.day, MeetingKind.EXTRA, title="Extra möte"))
                continue
            i = by_year.get(slot.day.year, 0)
            by_year[slot.day.year] = i + 1
            plans.append(self._kind_of(body, rule, i, slot.day))
        return plans

    def _kind_of(self, body: Body, rule: dict, i: int, day: dt.date) -> Planned:
        """The i-th meeting of a year: themes per area first (H7), then joint meetings."""
        themes = self.areas if rule.get("theme_meeting_per_area") else []
        if i < len(themes):
            area = themes[i]
            return Planned(day, MeetingKind.THEME, area=area, title=f"Temamöte {area.name}")
        if i < len(themes) + int(rule.get("joint_meetings") or 0):
            return Planned(day, MeetingKind.JOINT, title="Gemensamt möte för alla områden"
                           + (" (internat)" if rule.get("joint_may_be_residential") else ""),
                           residential=bool(rule.get("joint_may_be_residential")))
        if body.kind == BodyKind.SEMINAR:
            return Planned(day, MeetingKind.SEMINAR)
        return Planned(day)

    # --- one body ----------------------------------------------------------------------------

    def _body(self, body: Body) -> list[Meeting]:
        guests = self._guests(body)
        if not body.seats.exists() and not guests:
            return []  # nobody to call (the seeds name no members)
        plans = self._plan(body)
        meetings = [self._meeting(body, plan, guests, n) for n, plan in enumerate(plans)]
        if body.slug == CANCELLED[0]:
            held = [m for m in meetings if m.end < self.now and m.start.year == self.today.year]
            if held:
                services.meeting_cancel(actor=self.coordinator, meeting=held[0],
                                        reason=CANCELLED[1])
                meetings.remove(held[0])
        actor = self._actor(body)
        with_agenda = [m for m in meetings
                       if m.start < self.now + dt.timedelta(days=AGENDA_DAYS)]
        topics: dict[int, content.Topic] = {}
        counter: dict[int, int] = {}
        for meeting in with_agenda:
            i = counter.get(meeting.start.year, 0)
            counter[meeting.start.year] = i + 1
            # The formalia came with the body's standard agenda; new items go before the
            # closing ones ("Övriga frågor", "Mötets avslutande").
            topics.update(self._formalia(actor, meeting))
            for topic in content.AFTER_OPENING + self._topics(body, meeting, i):
                topics[self._item(actor, meeting, topic).pk] = topic
        services.election_item_sync(actor=actor, body=body,
                                    years={m.start.year for m in meetings})
        noticed = []
        for meeting in with_agenda:
            if meeting.end < self.now:
                self._hold(actor, meeting, topics)
            else:
                if meeting.start < self.now + dt.timedelta(days=PAPER_DAYS):
                    self._papers(actor, meeting, topics)
                # A meeting under way gets no notice (refused since issue 11).
                if meeting.notice_due_at <= self.now < meeting.start:
                    self.tally.notices += services.meeting_notice_send(
                        actor=self.coordinator, meeting=meeting)
                    noticed.append(meeting)
        return noticed

    def _actor(self, body: Body):
        """Länsledningen's secretary keeps its meetings; the coordinator all others (H23)."""
        if self.secretary is not None and Membership.objects.active_on(self.today).filter(
                seat__body=body, role=MembershipRole.SECRETARY,
                person__user=self.secretary).exists():
            return self.secretary
        return self.coordinator

    def _meeting(self, body: Body, plan: Planned, guests: list[Body], n: int) -> Meeting:
        begins, minutes = HOURS.get(body.kind, DEFAULT_HOURS)
        start = dt.datetime.combine(plan.day, begins, tzinfo=STOCKHOLM)
        end = start + dt.timedelta(minutes=minutes)
        place, video = self._place(body, plan, n)
        if plan.residential:
            start = dt.datetime.combine(plan.day, dt.time(10), tzinfo=STOCKHOLM)
            end = dt.datetime.combine(plan.day + dt.timedelta(days=1), dt.time(15),
                                      tzinfo=STOCKHOLM)
        meeting = services.meeting_plan(
            actor=self.coordinator, body=body, start=start, end=end, kind=plan.kind,
            area=plan.area, title=plan.title, place=place, video_url=video,
            chair=self._chair(body, plan), is_public=body.kind != BodyKind.PRESIDIUM,
            guest_bodies=guests, reason=REASON, sync_election=False)
        self.tally.meetings += 1
        return meeting

    def _place(self, body: Body, plan: Planned, n: int) -> tuple[str, str]:
        if plan.residential:
            return RESIDENTIAL_PLACE, ""
        if body.kind == BodyKind.LOCAL_GROUP and body.owner_principal is not None:
            town = body.owner_principal.short_name or body.owner_principal.name
            return ("Kommunhuset, " if n % 2 == 0 else "Hälsocentralen, ") + town, ""
        if body.kind in (BodyKind.COUNTY_GROUP, BodyKind.PRESIDIUM) and n % 3 == 1:
            return "Digitalt möte", f"https://mote.{EMAIL_DOMAIN}/{body.slug}"
        return self.places[n % len(self.places)], ""

    def _chair(self, body: Body, plan: Planned):
        """The body's chair on the day; a theme meeting is led by the presidium chair of its
        area and the joint meeting by the convener (H8)."""
        if plan.kind in (MeetingKind.THEME, MeetingKind.JOINT):
            presidium = Body.objects.filter(prepares_for=body, kind=BodyKind.PRESIDIUM,
                                            rotation__isnull=False).exclude(rotation={}).first()
            if presidium is not None:
                office = Office.CHAIR if plan.kind == MeetingKind.THEME else Office.CONVENER
                term = (OfficeTerm.objects.active_on(plan.day)
                        .filter(body=presidium, office=office, area=plan.area)
                        .select_related("person").first())
                return term.person if term else None
        term = (OfficeTerm.objects.active_on(plan.day)
                .filter(body=body, office=Office.CHAIR, area__isnull=True)
                .select_related("person").first())
        return term.person if term else None

    # --- agendas -----------------------------------------------------------------------------

    def _topics(self, body: Body, meeting: Meeting, i: int) -> list[content.Topic]:
        if meeting.kind == MeetingKind.THEME:
            return content.TOPICS["halsam-theme"]
        if meeting.kind == MeetingKind.JOINT:
            return content.TOPICS["halsam-joint"]
        key = body.slug
        for prefix in ("lansamordning", "lokal"):
            if key.startswith(prefix + "-"):
                key = prefix
        topics = content.TOPICS.get(key) or content.TOPICS.get(
            content.BY_KIND.get(body.kind, ""), [])
        if len(topics) <= 2:
            return list(topics)
        return [topics[(2 * i) % len(topics)], topics[(2 * i + 1) % len(topics)]]

    def _fill(self, text: str, meeting: Meeting, **extra: object) -> str:
        body = meeting.body
        area = meeting.area or body.area
        y = timezone.localtime(meeting.start).year
        values = {"body": body.name, "area": area.name.lower() if area else "alla målgrupper",
                  "year": y, "next_year": y + 1, "next_year_2": y + 2,
                  "principal": (body.owner_principal.short_name or body.owner_principal.name)
                  if body.owner_principal else body.structure.short_name,
                  "place": meeting.place or "digitalt", "checkers": "", "present": "",
                  "called": "", **extra}
        return text.format(**values)

    def _presenter(self, topic: content.Topic, meeting: Meeting) -> str:
        if topic.presenter == "chair":
            return meeting.chair.name if meeting.chair else "Ordföranden"
        if topic.presenter == "secretary":
            m = (Membership.objects.active_on(self.today)
                 .filter(seat__body=meeting.body, role=MembershipRole.SECRETARY)
                 .select_related("person").first())
            return m.person.name if m else "Sekreteraren"
        if topic.presenter == "rapporteur":  # V5: LSG's chair presents in Samrådet
            source = (meeting.body.meeting_rule or {}).get("rapporteur") or {}
            term = (OfficeTerm.objects.active_on(timezone.localdate(meeting.start))
                    .filter(body__slug=source.get("body"), office=source.get("office"))
                    .select_related("person").first())
            return f"{term.person.name} (föredragande)" if term else "Föredraganden"
        return topic.presenter

    def _item(self, actor, meeting: Meeting, topic: content.Topic) -> AgendaItem:
        kind = topic.kind
        prepares_for = meeting.body.prepares_for if kind == AgendaItemKind.PREPARATION else None
        if kind == AgendaItemKind.PREPARATION and prepares_for is None:
            kind = AgendaItemKind.DECISION
        item = services.agenda_item_add(
            actor=actor, meeting=meeting, title=self._fill(topic.title, meeting), kind=kind,
            description=self._fill(topic.description, meeting),
            presenter=self._presenter(topic, meeting), duration_minutes=topic.minutes,
            prepares_for=prepares_for, reason=REASON)
        self.tally.items += 1
        return item

    def _formalia(self, actor, meeting: Meeting) -> dict[int, content.Topic]:
        """The standard agenda's items of ``meeting`` with their presenter and time."""
        by_title = {t.title: t for t in content.OPENING + content.CLOSING}
        out: dict[int, content.Topic] = {}
        for item in meeting.items.exclude(formalia="").order_by("position"):
            topic = by_title.get(item.title)
            if topic is None:
                continue
            services.agenda_item_update(
                actor=actor, item=item, reason=REASON,
                changes={"presenter": self._presenter(topic, meeting),
                         "duration_minutes": topic.minutes})
            out[item.pk] = topic
            self.tally.items += 1
        return out

    def _papers(self, actor, meeting: Meeting, topics: dict[int, content.Topic]) -> None:
        """The papers of the items whose topic has one; else one for the first matter."""
        items = [i for i in meeting.items.order_by("position")
                 if i.pk in topics and topics[i.pk] not in content.OPENING + content.CLOSING
                 + content.AFTER_OPENING]
        papers = [(i, self._fill(topics[i.pk].paper, meeting)) for i in items
                  if topics[i.pk].paper]
        if not papers and items:
            papers = [(items[0], f"Underlag: {items[0].title}")]
        for item, title in papers:
            data = paper_pdf(title=title, body=meeting.body, description=item.description)
            upload = SimpleUploadedFile(filename(title), data, content_type="application/pdf")
            services.attachment_add(actor=actor, item=item, title=title, file=upload,
                                    reason=REASON)
            self.tally.papers += 1
        # A document of the body's own from the register, as a paper of its first matter
        # (the agenda editor's "Bifoga en handling" → "Ur dokumentregistret").
        source = agenda_papers.source("register")
        if source is not None and items:
            found = source.search(user=actor, meeting=meeting, query="", limit=1)
            if found.candidates:
                source.attach(actor=actor, item=items[0], pk=found.candidates[0].pk)
                self.tally.papers += 1

    # --- held meetings -------------------------------------------------------------------------

    def _called(self, meeting: Meeting) -> list:
        bodies = [meeting.body_id, *meeting.guest_bodies.values_list("pk", flat=True)]
        rows = (Membership.objects.active_on(timezone.localdate(meeting.start))
                .filter(seat__body_id__in=bodies, role__in=SEATED)
                .select_related("person__principal").order_by("seat__position", "id"))
        return list({m.person_id: m.person for m in rows}.values())

    def _hold(self, actor, meeting: Meeting, topics: dict[int, content.Topic]) -> None:
        called = self._called(meeting)
        attended = {p.pk: self.random.random() > 0.12 for p in called}
        came = [p for p in called if attended[p.pk]] or called[:2]
        for p in came:
            attended[p.pk] = True
        if attended:
            services.attendance_record(actor=actor, meeting=meeting, attended=attended,
                                       reason=REASON)
        else:
            services.meeting_mark_held(actor=actor, meeting=meeting)
        minutes = services.minutes_create(actor=actor, meeting=meeting, reason=REASON)
        self.tally.minutes += 1
        chair_id = meeting.chair_id
        # Those present check the minutes (issue 11): a demo login among them first (so
        # its Mina sidor shows "Att justera"; the member logins are chairs), then others.
        logins = [p for p in came if p.user_id is not None][:1]
        checkers = (logins + [p for p in came if p.pk != chair_id and p not in logins])[:2] \
            or came[:1]
        names = " och ".join(p.name for p in checkers) or "ingen"
        fill = {"checkers": names, "present": len(came), "called": len(called)}
        for item in meeting.items.order_by("position"):
            changes = self._minutes_of(item, topics.get(item.pk), meeting, fill)
            if changes:
                services.agenda_item_update(actor=actor, item=item, changes=changes,
                                            reason=REASON)
        services.minutes_update(actor=actor, minutes=minutes, checkers=checkers or None,
                                summary=self._fill(content.SUMMARY, meeting, **fill),
                                reason=REASON)
        age = (self.today - timezone.localdate(meeting.start)).days
        if age <= DRAFT_DAYS or not checkers:
            return
        minutes = services.minutes_send_to_checkers(actor=actor, minutes=minutes, reason=REASON)
        if age <= CHECKERS_DAYS:
            if len(checkers) > 1:
                # One checker has approved; the minutes wait for the other (the demo login
                # first in the list), which the pages show as "väntar på".
                services.minutes_approve(
                    actor=actor, minutes=minutes, checker=checkers[-1], reason=REASON,
                    approved_at=min(meeting.end + dt.timedelta(days=2), self.now))
            return
        # Every chosen checker approves (justerar), a day apart; the last one's signature
        # makes the minutes "Justerat".
        for i, checker in enumerate(checkers):
            signed_at = meeting.end + APPROVED_AFTER - dt.timedelta(days=len(checkers) - 1 - i)
            minutes = services.minutes_approve(actor=actor, minutes=minutes, checker=checker,
                                               approved_at=min(signed_at, self.now),
                                               reason=REASON)
        if age <= APPROVED_DAYS:
            return
        minutes = services.minutes_publish(
            actor=actor, minutes=minutes, reason=REASON,
            published_at=min(meeting.end + PUBLISHED_AFTER, self.now))
        self.register.minutes(Minutes.objects.select_related("meeting__body").get(
            pk=minutes.pk))

    def _minutes_of(self, item: AgendaItem, topic: content.Topic | None, meeting: Meeting,
                    fill: dict) -> dict[str, str]:
        if item.election_for_year is not None:
            return {"decision": self._election(meeting.body, item.election_for_year, item)}
        if topic is None:
            return {}
        changes = {"notes": self._fill(topic.notes, meeting, **fill),
                   "decision": self._fill(topic.decision, meeting, **fill),
                   "recommendation": self._fill(topic.recommendation, meeting, **fill)}
        return {k: v for k, v in changes.items() if v}

    def _election(self, body: Body, for_year: int, item: AgendaItem | None = None) -> str:
        """The election at the year's last meeting (H13): the rotation rule's holders of the
        next period, recorded as office terms and linked to the meeting's election item
        (``meetings.elections``: the agenda shows who was elected, the body page "Vald vid
        mötet den …")."""
        terms = self.filler.record_offices(body, on=dt.date(for_year, 1, 1))
        elected = [t for t in terms if t.start >= dt.date(for_year, 1, 1)]
        if item is not None and elected:
            elections.election_link(actor=self.coordinator, item=item, terms=elected,
                                    reason=REASON)
        if not terms:
            return f"Valet av ordförande och vice ordförande för {for_year} bordlades."
        parts = [f"{t.office_label}{' för ' + t.area.name.lower() if t.area else ''}: "
                 f"{t.person.name}" + (f", {t.person.principal.name}" if t.person.principal else "")
                 for t in terms]
        return f"Till uppdragen för {for_year} valdes\n" + "\n".join(parts)

    # --- absence -----------------------------------------------------------------------------

    def absences(self, noticed: list[Meeting]) -> None:
        """A member who cannot come reports it; their substitute is called in (V2)."""
        for slug in ABSENT_FROM:
            meeting = next((m for m in noticed if m.body.slug == slug), None)
            if meeting is None or Absence.objects.filter(meeting__body=meeting.body).exists():
                continue
            day = timezone.localdate(meeting.start)
            members = (Membership.objects.active_on(day)
                       .filter(seat__body=meeting.body, role=MembershipRole.MEMBER,
                               person__user__isnull=True)
                       .exclude(person__office_terms__in=OfficeTerm.objects.active_on(day))
                       .select_related("person").order_by("seat__position", "id"))
            named = members.filter(Q(substitutes__end__isnull=True)
                                   | Q(substitutes__end__gte=day),
                                   substitutes__isnull=False).first()
            absent = named or members.first()
            if absent is None:
                continue
            if slug == ABSENT_FROM[0]:  # reported, withdrawn ("Ångra förhinder"), reported again
                services.absence_report(actor=None, meeting=meeting, person=absent.person,
                                        note="Krockar med kommunstyrelsens sammanträde.",
                                        reason=REASON)
                services.absence_withdraw(actor=None, meeting=meeting, person=absent.person,
                                          reason="Kommunstyrelsen flyttades; kan komma ändå.")
            services.absence_report(actor=None, meeting=meeting, person=absent.person,
                                    via_link=True, note="Annat uppdrag samma dag.",
                                    reason=REASON)
            self.tally.absences += 1

