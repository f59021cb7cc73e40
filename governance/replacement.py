"""Replacing a member in one step ("Byt ledamot") and recording an office holder, with
the eligibility and rotation checks run before anything is saved (issue 11, flow 1).

- ``replacement_concerns`` / ``member_replace``: end the current holder of a seat on a
  day and start the new one the day after, in one transaction. The capacity check
  counts the ending (the outgoing membership is left out of the overlap: it ends the
  day before the new one starts). Substitutes standing in for the outgoing member move
  to the new one when asked; the new member gets a welcome e-mail, and a login with an
  invitation to choose a password when they have none.
- ``office_concerns`` / ``office_holder_record``: record who holds an office (chair,
  vice chair, …) for a period, checked against the body's rotation rule
  (``governance.rules``): the findings the new holder *adds* are what count.

A concern is a ``Concern``: ``error`` refuses (naming the rule and its text), ``warning``
is a recommendation the user must confirm ("Jag vill spara ändå"); the confirmation is
kept in the history's change reason. ``ConfirmationNeeded`` (a ``ValidationError`` keyed
``confirm``) is raised when warnings are not confirmed.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from halsam.concurrency import Seen, resolve
from halsam.formats.dates import plain_date

from . import eligibility, rules
from . import labels as office_labels
from .models import (
    Body,
    Membership,
    MembershipRole,
    OfficeTerm,
    Person,
    PrincipalKind,
    Seat,
    StrategicArea,
)
from .models_account_mail import AccountMail
from .rule_texts import rule_text
from .services import (
    Actor,
    membership_end,
    membership_end_validate,
    membership_start,
    membership_validate,
    office_term_end,
    office_term_record,
    office_term_validate,
    person_create,
    person_login_create,
    save_with_history,
)

log = logging.getLogger(__name__)

ERROR, WARNING = "error", "warning"
# Words of a rule's title that mark it as the rule on who sits on a body.
_COMPOSITION = re.compile(r"sammansättning|representation|bemanning|plats", re.IGNORECASE)


@dataclass(frozen=True)
class Concern:
    """One thing a check found: an ``error`` refuses, a ``warning`` needs confirming."""

    severity: str
    message: str
    rule_id: str = ""

    @property
    def rule_title(self) -> str:
        text = rule_text(self.rule_id) if self.rule_id else None
        return text.title if text else ""

    @property
    def rule_text(self) -> str:
        text = rule_text(self.rule_id) if self.rule_id else None
        return text.text if text else ""

    def __str__(self) -> str:
        if self.rule_id and self.rule_title:
            return f"{self.message} ({self.rule_id} {self.rule_title})"
        return self.message


class ConfirmationNeeded(ValidationError):
    """Recommendations the user has not confirmed; ``concerns`` lists them."""

    def __init__(self, concerns: list[Concern]):
        self.concerns = concerns
        super().__init__({"confirm": [_("Confirm that you want to save despite the "
                                        "recommendation: %(what)s") % {"what": str(c)}
                                      for c in concerns]})


def refuse(concerns: list[Concern], *, key: str = "person") -> None:
    """Raise a ``ValidationError`` naming every hard concern (rule id and text)."""
    errors = [c for c in concerns if c.severity == ERROR]
    if errors:
        raise ValidationError({key: [refusal_text(c) for c in errors]})


def refusal_text(c: Concern) -> str:
    if c.rule_id and c.rule_title:
        return _("%(message)s Rule %(rule)s (%(title)s): %(text)s") % {
            "message": c.message, "rule": c.rule_id, "title": c.rule_title, "text": c.rule_text}
    return c.message


def confirmation_text(concerns: list[Concern]) -> str:
    """The history's note of confirmed recommendations (empty when there are none)."""
    warnings = [str(c) for c in concerns if c.severity == WARNING]
    if not warnings:
        return ""
    return _("Saved despite the recommendation: %(what)s") % {"what": " ".join(warnings)}


def _reason(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def default_end(body: Body, on: dt.date | None = None) -> dt.date:
    """The sensible last day of a holder being replaced: the end of the current political
    term for a body whose rule follows it (H3), else the end of the current year."""
    on = on or timezone.localdate()
    try:
        rule = rules.parse_rotation(body.rotation) if body.rotation else None
    except rules.RotationError:
        rule = None
    if rule is not None and rule.political:
        return rules.political_term_for(on).end
    return dt.date(on.year, 12, 31)


def composition_rule(body: Body) -> str:
    """The id of the body's rule on who sits there (H10, J1, V7 …), or ""."""
    for rule_id in body.rule_refs or []:
        text = rule_text(str(rule_id))
        if text and _COMPOSITION.search(text.title):
            return text.id
    return ""


# --- replacing a member ------------------------------------------------------------------

def _qualification_fits(qualification: str, title: str) -> bool:
    """Whether a person's title names the seat's qualification: its first word (the role,
    "förvaltningschef", "ordförande", "områdesdirektör") appears in the title, or the
    title in the qualification."""
    q, t = qualification.lower().strip(), title.lower().strip()
    first = re.split(r"[\s,/(]+", q, maxsplit=1)[0]
    return bool(first) and (first in t or t in q)


def seat_concerns(*, person: Person, seat: Seat, start: dt.date,
                  outgoing: Membership | None = None) -> list[Concern]:
    """The seat's requirements on ``person`` (principal and kind: hard; qualification and
    the rotation rule's recommendations: to confirm)."""
    body = seat.body
    out: list[Concern] = []
    rule_id = composition_rule(body)
    if seat.principal_id and person.principal_id != seat.principal_id:
        out.append(Concern(ERROR, _("%(person)s does not represent %(principal)s, which this "
                                    "seat belongs to.")
                           % {"person": person.name, "principal": seat.principal.name}, rule_id))
    elif seat.principal_kind and (person.principal is None
                                  or person.principal.kind != seat.principal_kind):
        out.append(Concern(ERROR, _("This seat is for a principal of the kind “%(kind)s”; "
                                    "%(person)s does not represent one.")
                           % {"kind": seat.get_principal_kind_display(), "person": person.name},
                           rule_id))
    if seat.qualification and person.title and not _qualification_fits(seat.qualification,
                                                                         person.title):
        out.append(Concern(WARNING, _("The seat “%(seat)s” is for %(qualification)s; %(person)s "
                                      "is recorded as %(title)s.")
                           % {"seat": seat.title, "qualification": seat.qualification,
                              "person": person.name, "title": person.title}, rule_id))
    # Already sitting on the body in another seat at the same time.
    elsewhere = (Membership.objects.active_on(start)
                 .filter(seat__body=body, role=MembershipRole.MEMBER)
                 .exclude(seat=seat).select_related("seat"))
    if person.pk is not None:
        other = elsewhere.filter(person=person).first()
        if other is not None:
            out.append(Concern(WARNING, _("%(person)s is already a member of %(body)s in the "
                                          "seat “%(seat)s”.")
                               % {"person": person.name, "body": body.name,
                                  "seat": other.seat.title}))
    out += _recommendations(person=person, body=body, start=start, outgoing=outgoing)
    # An eligibility that is only recommended (a required one is refused by
    # membership_validate, naming the rule): confirm to save anyway (issue 13).
    unmet = eligibility.unmet_seat(person=person, seat=seat, start=start)
    if unmet is not None and not unmet.required:
        out.append(Concern(WARNING, _("The seat “%(seat)s” is recommended for %(who)s; "
                                      "%(person)s holds no such place.")
                           % {"seat": seat.title, "who": unmet.text, "person": person.name},
                           unmet.rule_id))
    return out


def _recommendations(*, person: Person, body: Body, start: dt.date,
                     outgoing: Membership | None) -> list[Concern]:
    """The rotation rule's recommendations on the members (H5: municipal members from
    different municipalities)."""
    try:
        rule = rules.parse_rotation(body.rotation) if body.rotation else None
    except rules.RotationError:
        return []
    if rule is None or person.principal is None \
            or person.principal.kind != PrincipalKind.MUNICIPALITY:
        return []
    out = []
    for kind, rule_id in rule.recommendations:
        if kind != "municipal_members_from_different_municipalities":
            continue
        same = (Membership.objects.active_on(start)
                .filter(seat__body=body, role=MembershipRole.MEMBER,
                        person__principal=person.principal).select_related("person"))
        if person.pk is not None:
            same = same.exclude(person=person)
        if outgoing is not None:
            same = same.exclude(pk=outgoing.pk)
        names = sorted({m.person.name for m in same})
        if names:
            out.append(Concern(WARNING, _("The municipalities' members of %(body)s are "
                                          "recommended to come from different municipalities, "
                                          "but %(others)s already represents %(principal)s.")
                               % {"body": body.name, "others": ", ".join(names),
                                  "principal": person.principal.name}, rule_id))
    return out


def replacement_concerns(*, outgoing: Membership, end: dt.date, person: Person) -> list[Concern]:
    """Everything that stands in the way of ``person`` replacing ``outgoing`` from the day
    after ``end``, without saving anything. Hard breaks of the seat's own limits (dates,
    capacity counting the ending, the outgoing's office) raise ``ValidationError``."""
    seat = outgoing.seat
    start = end + dt.timedelta(days=1)
    if outgoing.role != MembershipRole.MEMBER:
        raise ValidationError({"outgoing": _("Only a member can be replaced here.")})
    if person.pk is not None and person.pk == outgoing.person_id:
        raise ValidationError({"person": _("%(person)s cannot replace themselves.")
                               % {"person": person.name}})
    membership_end_validate(membership=outgoing, end=end)
    concerns = seat_concerns(person=person, seat=seat, start=start, outgoing=outgoing)
    refuse(concerns)
    # The outgoing membership ends the day before: left out, the capacity counts the ending.
    membership_validate(person=person, seat=seat, role=MembershipRole.MEMBER, start=start,
                        exclude_pk=outgoing.pk)
    return concerns


@dataclass
class Replacement:
    outgoing: Membership
    membership: Membership
    person: Person
    moved: list[Membership] = field(default_factory=list)
    login_created: bool = False
    login_problem: str = ""
    welcome_to: str = ""
    welcome_problem: str = ""
    invitation: AccountMail | None = None  # the queued login invitation
    concerns: list[Concern] = field(default_factory=list)

    @property
    def start(self) -> dt.date:
        return self.membership.start


def linked_substitutes(outgoing: Membership, *, on: dt.date) -> list[Membership]:
    """The substitutes standing in for ``outgoing`` who still hold their place on ``on``."""
    return list(outgoing.substitutes.filter(role=MembershipRole.SUBSTITUTE)
                .filter(Q(end__isnull=True) | Q(end__gte=on)).select_related("person")
                .order_by("person__last_name", "person__first_name"))


@transaction.atomic
def member_replace(
    *,
    actor: Actor,
    outgoing: Membership,
    end: dt.date,
    person: Person | None = None,
    new_person: dict | None = None,
    carry_substitutes: bool = True,
    welcome: bool = True,
    confirm: bool = False,
    reason: str = "",
    seen: Seen | None = None,
) -> Replacement:
    """End ``outgoing`` on ``end`` and give its seat to ``person`` (or a person made from
    ``new_person``: first_name, last_name, email, title, principal) from the day after.

    ``seen`` is the form's token of ``outgoing``: when someone else changed that
    membership since (ended it, replaced the member), nothing is done (``StaleEdit``,
    issue 12 §1).

    All or nothing: the checks run first; an error raises ``ValidationError`` (keyed by
    field), unconfirmed recommendations raise ``ConfirmationNeeded``.
    """
    seat = Seat.objects.select_for_update(of=("self",)).select_related(
        "principal", "body").get(pk=outgoing.seat_id)
    outgoing = (Membership.objects.select_for_update(of=("self",))
                .select_related("person", "seat__body", "seat__principal").get(pk=outgoing.pk))
    resolve(outgoing, seen=seen, changes={"end": end}, strict=True)
    if (person is None) == (new_person is None):
        raise ValidationError({"person": _("Choose an existing person or enter a new one.")})
    start = end + dt.timedelta(days=1)
    candidate = person
    if candidate is None:
        candidate = Person(first_name=new_person.get("first_name", "").strip(),
                           last_name=new_person.get("last_name", "").strip(),
                           email=(new_person.get("email") or "").strip().lower(),
                           title=new_person.get("title", ""),
                           principal=new_person.get("principal") or seat.principal)
        if candidate.email and Person.objects.filter(email__iexact=candidate.email).exists():
            raise ValidationError({"email": _(
                "Another person already has the e-mail address %(email)s; choose them in "
                "the list instead.") % {"email": candidate.email}})
    concerns = replacement_concerns(outgoing=outgoing, end=end, person=candidate)
    warnings = [c for c in concerns if c.severity == WARNING]
    if warnings and not confirm:
        raise ConfirmationNeeded(warnings)

    what = _("Replace a member: %(new)s replaces %(old)s in %(body)s from %(start)s.") % {
        "new": candidate.name, "old": outgoing.person.name, "body": seat.body.name,
        "start": plain_date(start)}
    full_reason = _reason(what, reason, confirmation_text(warnings))
    if person is None:
        person = person_create(actor=actor, first_name=candidate.first_name,
                               last_name=candidate.last_name, email=candidate.email,
                               title=candidate.title, principal=candidate.principal,
                               reason=full_reason)
    membership_end(actor=actor, membership=outgoing, end=end, reason=full_reason)
    membership = membership_start(actor=actor, person=person, seat=seat, start=start,
                                  reason=full_reason)
    result = Replacement(outgoing=outgoing, membership=membership, person=person,
                         concerns=concerns)
    if carry_substitutes:
        for sub in linked_substitutes(outgoing, on=start):
            sub.substitute_for = membership
            save_with_history(sub, actor=actor, update_fields=["substitute_for"], reason=_reason(
                _("Substitute for %(new)s instead of %(old)s from %(start)s.") % {
                    "new": person.name, "old": outgoing.person.name,
                    "start": plain_date(start)}, reason))
            result.moved.append(sub)
    if welcome and person.email:
        if person.user_id is None:
            try:
                user = person_login_create(actor=actor, person=person, reason=full_reason)
            except ValidationError as exc:
                result.login_problem = " ".join(exc.messages)
            else:
                person.user = user
                result.login_created = True
                # Queued with the login, sent after commit and retried (issue 12 §8).
                from halsam.accounts import send_login_invitation

                result.invitation = send_login_invitation(user, requested_by=actor)
        result.welcome_to = person.email
        transaction.on_commit(lambda: _welcome(membership.pk, result))
    return result


def _welcome(membership_pk: int, result: Replacement) -> None:
    """Send the welcome after commit; a mail failure is told to the coordinator on the
    page instead of answering 500 for a replacement already saved (issue 12 §8)."""
    try:
        send_welcome(membership_pk)
    except Exception as exc:
        log.warning("welcome mail for membership %s failed", membership_pk, exc_info=True)
        result.welcome_problem = f"{type(exc).__name__}: {exc}"


def send_welcome(membership_pk: int) -> None:
    """E-mail the new member their welcome: the body, the seat, from when, where to look."""
    membership = Membership.objects.select_related("person__user", "seat__body").get(
        pk=membership_pk)
    person, body = membership.person, membership.seat.body
    base = settings.HALSAM_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {"person": person, "body": body, "seat": membership.seat,
                   "start": plain_date(membership.start),
                   "body_url": base + body.get_absolute_url(),
                   "portal_url": base + reverse("portal:home"),
                   "has_login": person.user_id is not None
                   and person.user.has_usable_password()}
        from halsam.mail import render_subject

        subject = render_subject("governance/email/welcome_subject.txt", context)
        text = render_to_string("governance/email/welcome.txt", context)
    send_mail(subject, text, None, [person.email])
    log.info("welcome mail sent for membership %s", membership_pk)


# --- recording an office holder -----------------------------------------------------------

def _holders(body: Body, period: rules.Period, terms: list[OfficeTerm]) -> list[rules.Holder]:
    """The office terms as the rule module's holders, with their seat's sector."""
    person_ids = {t.person_id for t in terms}
    seat_of: dict[tuple[int, int], Membership] = {}
    for m in (Membership.objects.filter(seat__body=body, person_id__in=person_ids,
                                        role__in=[MembershipRole.MEMBER, MembershipRole.CO_OPTED])
              .filter(start__lte=period.end).filter(Q(end__isnull=True) | Q(end__gte=period.start))
              .select_related("seat__sector").order_by("role", "start")):
        seat_of.setdefault((body.pk, m.person_id), m)
    from .checks import _holder

    return [_holder(t, seat_of) for t in terms]


def office_concerns(*, body: Body, office: str, person: Person, start: dt.date,
                    end: dt.date | None = None, area: StrategicArea | None = None,
                    exclude_pk: int | None = None,
                    ending: OfficeTerm | None = None) -> list[Concern]:
    """What the body's rotation rule says of ``person`` holding ``office`` from ``start``:
    the findings (errors and warnings) the new term adds in each period it covers.

    ``ending`` is a term of the same office that the same save ends the day before.
    """
    try:
        rule = rules.parse_rotation(body.rotation) if body.rotation else None
    except rules.RotationError:
        return []
    if rule is None:
        return []
    try:
        period = rules.period_for(rule, start)
    except rules.RotationError:
        return []
    last = end or period.end
    out: list[Concern] = []
    seen: set[str] = set()
    areas = list(StrategicArea.objects.filter(structure_id=body.structure_id)
                 .order_by("position").values_list("code", flat=True))
    for _i in range(8):  # at most eight periods: a term longer than that is not a rotation
        terms = list(OfficeTerm.objects.filter(body=body, start__lte=period.end)
                     .filter(Q(end__isnull=True) | Q(end__gte=period.start))
                     .exclude(pk=exclude_pk).select_related("person__principal", "area"))
        if ending is not None and period.start >= start:
            # The current holder's term ends the day before ``start``: not in this period.
            terms = [t for t in terms if t.pk != ending.pk]
        proposed = OfficeTerm(body=body, office=office, person=person, start=start, end=end,
                              area=area)
        per_area = any(r.per_area for r in rules.requirements(rule, period).values())
        kwargs = {"body_name": body.name, "areas": areas if per_area else None}
        before = {(f.code, f.message_sv) for f in rules.check_office_holders(
            rule, period, _holders(body, period, terms), **kwargs)}
        after = rules.check_office_holders(rule, period,
                                           _holders(body, period, [*terms, proposed]), **kwargs)
        for f in after:
            if f.code == "missing_office_holder" or (f.code, f.message_sv) in before \
                    or f.message_sv in seen:
                continue
            seen.add(f.message_sv)
            out.append(Concern(ERROR if f.severity == rules.ERROR else WARNING,
                               _strip_source(f.message_sv), f.rule_id))
        if period.end >= last:
            break
        period = rules.next_period(rule, period)
    return out


_SOURCE = re.compile(r"\s*\((?:[A-Z]\d{1,3}, seed \d{3}|rotationsregeln|[A-Z]\d{1,3})\)")


def _strip_source(message: str) -> str:
    """The rule module's sentence without "(H11, seed 000)": the concern names the rule."""
    return _SOURCE.sub("", message)


def current_holder(*, body: Body, office: str, area: StrategicArea | None,
                   start: dt.date) -> OfficeTerm | None:
    """The term of ``office`` that began before ``start`` and still runs on it (or is
    open-ended): the one a new holder from ``start`` takes over from."""
    return (OfficeTerm.objects.filter(body=body, office=office, area=area, start__lt=start)
            .filter(Q(end__isnull=True) | Q(end__gte=start)).select_related("person")
            .order_by("-start").first())


@dataclass
class OfficeRecord:
    term: OfficeTerm
    ended: OfficeTerm | None
    concerns: list[Concern]


@transaction.atomic
def office_holder_record(
    *,
    actor: Actor,
    body: Body,
    office: str,
    person: Person,
    start: dt.date,
    end: dt.date | None = None,
    area: StrategicArea | None = None,
    end_current: bool = True,
    note: str = "",
    confirm: bool = False,
    reason: str = "",
) -> OfficeRecord:
    """Record ``person`` as holder of ``office`` from ``start``, after the rotation check:
    a break of the rule refuses (naming it), a recommendation needs ``confirm``. With
    ``end_current`` the holder whose term still runs on ``start`` ends the day before."""
    Body.objects.select_for_update().filter(pk=body.pk).exists()
    ending = current_holder(body=body, office=office, area=area, start=start) \
        if end_current else None
    if ending is not None and ending.person_id == person.pk:
        ending = None  # the same person again: their term is not cut short
    concerns = office_concerns(body=body, office=office, person=person, start=start, end=end,
                               area=area, ending=ending)
    refuse(concerns)
    # The service's own checks (membership for the whole term, no double holder), with the
    # current holder's term as it will be.
    office_term_validate(body=body, office=office, person=person, start=start, end=end,
                         area=area, exclude_pk=ending.pk if ending else None)
    warnings = [c for c in concerns if c.severity == WARNING]
    if warnings and not confirm:
        raise ConfirmationNeeded(warnings)
    label = office_labels.office_label(
        office, second_vice_chair=office_labels.has_second_vice_chair(body.rotation))
    what = _("%(person)s recorded as %(office)s of %(body)s from %(start)s.") % {
        "person": person.name, "office": str(label).lower(), "body": body.name,
        "start": plain_date(start)}
    full_reason = _reason(what, reason, confirmation_text(warnings))
    if ending is not None:
        office_term_end(actor=actor, office_term=ending, end=start - dt.timedelta(days=1),
                        reason=full_reason)
    term = office_term_record(actor=actor, body=body, office=office, person=person, start=start,
                              end=end, area=area, note=note, reason=full_reason)
    return OfficeRecord(term=term, ended=ending, concerns=concerns)


def next_period_dates(body: Body, on: dt.date | None = None) -> tuple[dt.date, dt.date | None]:
    """The default period of a new office holder: the next period of the body's rotation
    rule when its election is due (or the current one when nobody holds it yet), else from
    1 January next year, open-ended."""
    on = on or timezone.localdate()
    try:
        rule = rules.parse_rotation(body.rotation) if body.rotation else None
        if rule is not None:
            period = rules.next_period(rule, rules.period_for(rule, on))
            return period.start, period.end
    except rules.RotationError:
        pass
    return dt.date(on.year + 1, 1, 1), None


def period_requirements(body: Body, start: dt.date) -> list[tuple[str, str, str]]:
    """(office label, requirement in words, rule id) of the period containing ``start``."""
    try:
        rule = rules.parse_rotation(body.rotation) if body.rotation else None
        if rule is None:
            return []
        period = rules.period_for(rule, start)
    except rules.RotationError:
        return []
    step = rules.step_for(rule, period)
    out = []
    for office, req in rules.requirements(rule, period).items():
        label = rules._office_sv(office, step).capitalize()
        text = f"{label} {period.label}: ska {rules._requirement_sv(req)}"
        if req.among:
            text += f", väljs bland {rules._plural_sv(req.among, step)}"
        out.append((office, text, req.rule_id))
    return out
