"""The governance data: structures, principals, bodies, seats, people and their offices.

Every invariant the database can hold is a named constraint here; what it cannot hold
(seat capacity, an office holder must be a member) is enforced by ``services``. Every
model keeps its history (django-simple-history): who changed what, when and why.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from halsam.concurrency import VersionedModel
from halsam.validators import date_in_range, months_in_range, no_control_characters

from .standard_agenda import validate_standard_agenda


class PrincipalKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Municipality")
    ASSOCIATION = "association", _("Association of municipalities")


class BodyKind(models.TextChoices):
    POLITICAL = "political", _("Political body")
    PRESIDIUM = "presidium", _("Presidium")
    OFFICIALS_BOARD = "officials_board", _("Officials' board")
    COUNTY_GROUP = "county_group", _("County coordination group")
    LOCAL_GROUP = "local_group", _("Local collaboration group")
    PREPARATORY = "preparatory", _("Preparatory committee")
    COUNCIL = "council", _("Council")
    WORKING_GROUP = "working_group", _("Working group")
    NETWORK = "network", _("Network")
    SEMINAR = "seminar", _("Seminar")


class Office(models.TextChoices):
    CHAIR = "chair", _("Chair")
    # "Vice chair"; "1:e vice ordförande" only where the body also has a second vice chair
    # (H12): labels.office_label says which.
    VICE_CHAIR = "vice_chair", _("Vice chair")
    SECOND_VICE_CHAIR = "second_vice_chair", _("Second vice chair")
    CONVENER = "convener", _("Convener")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    SUBSTITUTE = "substitute", _("Substitute")
    CO_OPTED = "co_opted", _("Co-opted")
    SECRETARY = "secretary", _("Secretary")


class TermKind(models.TextChoices):
    POLITICAL = "political", _("Political term of office")
    AGREEMENT = "agreement", _("Agreement period")
    OTHER = "other", _("Other")


class Structure(models.Model):
    """A collaboration structure (samverkansstruktur) such as HälSam."""

    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    short_name = models.CharField(_("short name"), max_length=60, blank=True,
                                  validators=[no_control_characters])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    region = models.CharField(_("region"), max_length=120, validators=[no_control_characters])
    description = models.TextField(_("description"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True,
                                  validators=[date_in_range])
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: until further notice."),
        validators=[date_in_range],
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )
    termination_notice_months = models.PositiveSmallIntegerField(
        _("termination notice (months)"),
        null=True,
        blank=True,
        validators=[months_in_range],
        help_text=_(
            "The agreement ends this many months after a notice of termination is handled."
        ),
    )
    termination_notice_to = models.CharField(
        _("notice of termination is sent to"), max_length=200, blank=True
    )
    office_email = models.EmailField(_("office mailbox"), blank=True)
    rules = models.JSONField(
        _("rules (data)"),
        default=dict,
        blank=True,
        help_text=_("Rules from the source documents recorded as data (milestones, follow-ups)."),
    )
    sources = models.JSONField(_("source documents"), default=list, blank=True)
    principals = models.ManyToManyField(
        "Principal", through="Participation", related_name="structures", blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collaboration structure")
        verbose_name_plural = _("collaboration structures")
        ordering = ["name"]
        permissions = [("coordinate", _("Can coordinate: see the dashboard and get the digest"))]
        constraints = [
            models.CheckConstraint(
                name="structure_valid_range",
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="structure_not_own_predecessor",
                condition=~Q(replaces=models.F("pk")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:structure", kwargs={"slug": self.slug})

    def is_in_force(self, on: dt.date) -> bool:
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_until and on > self.valid_until)


class Principal(models.Model):
    """A principal (huvudman): a region, a municipality or an association.

    Principals are shared between structures (a municipality can take part in its
    county's structure and in its predecessor); ``Participation`` says in which, and
    whether as a party to the agreement.
    """

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("SCB municipality code (e.g. 2281), R + county code for a region (R22)."),
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    short_name = models.CharField(_("short name"), max_length=80, blank=True,
                                  validators=[no_control_characters])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PrincipalKind.choices)
    county_code = models.CharField(_("county code"), max_length=2, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("principal")
        verbose_name_plural = _("principals")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="principal_kind_valid", condition=Q(kind__in=PrincipalKind.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """A principal's part in a structure: a party to the agreement, or taking part only."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE,
        related_name="participations"
    )
    principal = models.ForeignKey(
        Principal, verbose_name=_("principal"), on_delete=models.PROTECT,
        related_name="participations"
    )
    is_party = models.BooleanField(_("party to the agreement"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["structure", "principal__kind", "principal__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "principal"], name="participation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} – {self.structure}"


class Sector(models.Model):
    """A sector (verksamhet): health care, social services, school, …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StrategicArea(models.Model):
    """A strategic area (strategiskt område / målgrupp) of one structure."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="areas"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("strategic area")
        verbose_name_plural = _("strategic areas")
        ordering = ["structure", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="area_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """A period of a structure, e.g. the political term 2023–2026."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="terms"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=TermKind.choices, default=TermKind.POLITICAL
    )
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    start = models.DateField(_("start"), validators=[date_in_range])
    end = models.DateField(_("end"), validators=[date_in_range])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["structure", "start"]
        constraints = [
            models.CheckConstraint(name="term_end_after_start",
                                   condition=Q(end__gte=models.F("start"))),
            models.UniqueConstraint(fields=["structure", "kind", "start"],
                                    name="term_unique_start"),
        ]

    def __str__(self) -> str:
        return self.name


# The rules that state a body's least number of meetings a year (SEED_RULES.md).
MEETING_MINIMUM_RULES = ("H7", "H14", "H15", "J2", "V6")


class BodyQuerySet(models.QuerySet):
    def active_on(self, on: dt.date) -> BodyQuerySet:
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))

    def in_force_on(self, on: dt.date) -> BodyQuerySet:
        """Bodies in force on ``on``: their own start and end and their structure's (H25, J7)."""
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=on),
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
            Q(structure__valid_from__isnull=True) | Q(structure__valid_from__lte=on),
            Q(structure__valid_until__isnull=True) | Q(structure__valid_until__gte=on),
        )

    def in_force_in_year(self, year: int) -> BodyQuerySet:
        """Bodies in force on at least one day of the calendar year ``year``."""
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=last),
            Q(ends_on__isnull=True) | Q(ends_on__gte=first),
            Q(structure__valid_from__isnull=True) | Q(structure__valid_from__lte=last),
            Q(structure__valid_until__isnull=True) | Q(structure__valid_until__gte=first),
        )


class Body(models.Model):
    """A body (organ): a group, forum or arena that meets."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="bodies"
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    short_name = models.CharField(_("short name"), max_length=60, blank=True,
                                  validators=[no_control_characters])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    prepares_for = models.ForeignKey(
        "self",
        verbose_name=_("prepares matters for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prepared_by",
    )
    joint_of = models.ManyToManyField(
        "self",
        verbose_name=_("joint body of"),
        symmetrical=False,
        blank=True,
        related_name="joint_bodies",
        help_text=_("For a body shared by several bodies, such as a joint seminar."),
    )
    area = models.ForeignKey(
        StrategicArea,
        verbose_name=_("strategic area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    owner_principal = models.ForeignKey(
        Principal,
        verbose_name=_("owning principal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_bodies",
        help_text=_("For local groups: the municipality the group belongs to."),
    )
    mandate = models.TextField(_("mandate"), blank=True)
    min_meetings_per_year = models.PositiveSmallIntegerField(
        _("minimum meetings per year"), null=True, blank=True,
        validators=[MaxValueValidator(366)],  # the bounds of the presets' schema
    )
    min_meetings_recommended = models.BooleanField(
        _("the minimum is a recommendation"), default=False,
        help_text=_("The source only recommends the number (H14: “förslagsvis minst 4”): a "
                    "shortfall is shown as advice, not as a breach."),
    )
    meeting_rule = models.JSONField(
        _("meeting rule (data)"),
        default=dict,
        blank=True,
        help_text=_(
            "The required mix of meetings, e.g. one theme meeting per area and a joint one."
        ),
    )
    notice_days = models.PositiveSmallIntegerField(_("notice lead time (days)"), default=14,
                                                   validators=[MaxValueValidator(365)])
    is_temporary = models.BooleanField(_("temporary"), default=False)
    starts_on = models.DateField(
        _("starts on"), null=True, blank=True, validators=[date_in_range],
        help_text=_("Empty: from the structure's start."),
    )
    ends_on = models.DateField(_("ends on"), null=True, blank=True, validators=[date_in_range])
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), null=True, blank=True, validators=[months_in_range]
    )
    rotation = models.JSONField(
        _("rotation rule (data)"),
        default=dict,
        blank=True,
        help_text=_("Offices, term length and chair alternation, read by the rule module."),
    )
    # The rotation as the preset last loaded it: the loader compares it with ``rotation``
    # to see a local change (admin, a recorded extension) and keeps that (docs/presets.md).
    rotation_preset = models.JSONField(
        _("rotation rule as last loaded from the preset"), null=True, blank=True,
        editable=False,
    )
    rule_refs = models.JSONField(_("rule ids"), default=list, blank=True)
    standard_agenda = models.JSONField(
        _("standard agenda (formalia)"),
        default=list,
        blank=True,
        validators=[validate_standard_agenda],
        help_text=_(
            "The items every new meeting starts with: opening items first, closing items "
            "(e.g. “Övriga frågor”) last; new items are added before the closing ones."
        ),
    )
    history = HistoricalRecords()

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["structure", "position", "name"]
        constraints = [
            models.CheckConstraint(name="body_kind_valid", condition=Q(kind__in=BodyKind.values)),
            models.CheckConstraint(
                name="body_not_own_parent", condition=~Q(parent=models.F("pk"))
            ),
            models.CheckConstraint(
                name="body_temporary_has_end",
                condition=Q(is_temporary=False) | Q(ends_on__isnull=False),
            ),
            models.CheckConstraint(
                name="body_local_group_has_owner",
                condition=~Q(kind=BodyKind.LOCAL_GROUP) | Q(owner_principal__isnull=False),
            ),
            models.CheckConstraint(
                name="body_notice_days_positive", condition=Q(notice_days__gte=1)
            ),
            models.CheckConstraint(
                name="body_ends_after_start",
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body", kwargs={"slug": self.slug})

    @property
    def min_meetings_rule(self) -> str:
        """The rule id stating the meeting minimum (H7, H14, H15, J2, V6) among the body's
        rule ids, or ""; meetings.rules names the plan's finding by the same ids."""
        return next((r for r in self.rule_refs or () if r in MEETING_MINIMUM_RULES), "")

    @property
    def in_force_from(self) -> dt.date | None:
        """The later of the body's own start and its structure's (H25, J7); None: always."""
        starts = [d for d in (self.starts_on, self.structure.valid_from) if d]
        return max(starts, default=None)

    @property
    def in_force_until(self) -> dt.date | None:
        """The earlier of the body's own end and its structure's; None: until further notice."""
        ends = [d for d in (self.ends_on, self.structure.valid_until) if d]
        return min(ends, default=None)

    @property
    def in_force_rule(self) -> str:
        """The id of the rule stating when the structure is in force (H25, J7), or ""."""
        rules = self.structure.rules if isinstance(self.structure.rules, dict) else {}
        return str(rules.get("in_force_rule") or "")

    def is_in_force(self, on: dt.date) -> bool:
        start, end = self.in_force_from, self.in_force_until
        return (start is None or on >= start) and (end is None or on <= end)


class Seat(models.Model):
    """A seat on a body: who may sit there and how many members and substitutes.

    A preset's "each municipality 1 + 1" is expanded on loading into one seat per
    principal. A seat without a principal is open to any principal of
    ``principal_kind`` (or to anyone, e.g. co-opted participants).
    """

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="seats"
    )
    key = models.SlugField(_("key"), max_length=120)
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    principal = models.ForeignKey(
        Principal,
        verbose_name=_("principal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
    )
    principal_kind = models.CharField(
        _("any principal of kind"), max_length=20, choices=PrincipalKind.choices, blank=True
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="seats"
    )
    qualification = models.CharField(
        _("qualification"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'ordförande i socialnämnd' or 'förvaltningschef för skola'."),
    )
    member_count = models.PositiveSmallIntegerField(_("members"), default=1,
                                                    validators=[MaxValueValidator(500)])
    substitute_count = models.PositiveSmallIntegerField(_("substitutes"), default=0,
                                                        validators=[MaxValueValidator(500)])
    by_virtue_of_office = models.BooleanField(
        _("held by virtue of office"),
        default=False,
        help_text=_("The holder changes when the office (e.g. a committee chair) changes hands."),
    )
    is_co_opted = models.BooleanField(_("co-opted (no vote)"), default=False)
    # Who may hold the seat (issue 13, governance/eligibility.py, docs/presets.md):
    # {rule, level, text, any_of: [{body, seats, offices}]}; empty = anyone of the principal.
    eligibility = models.JSONField(
        _("eligibility"), default=dict, blank=True,
        help_text=_("Who may hold the seat: the holders of which seats or offices of which "
                    "bodies (from the preset)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["body", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "key"], name="seat_key_unique"),
            models.CheckConstraint(
                name="seat_has_places",
                condition=Q(member_count__gte=1) | Q(substitute_count__gte=1),
            ),
            models.CheckConstraint(
                name="seat_principal_or_kind",
                condition=Q(principal__isnull=True) | Q(principal_kind=""),
            ),
            models.CheckConstraint(
                name="seat_principal_kind_valid",
                condition=Q(principal_kind="") | Q(principal_kind__in=PrincipalKind.values),
            ),
        ]

    def __str__(self) -> str:
        # "Timrå kommun – Förvaltningschef för … (Länsledning för HälSam)": the principal
        # tells apart the one seat per municipality a preset's for_each makes.
        if self.principal_id is not None:
            return f"{self.principal} – {self.title} ({self.body})"
        return f"{self.title} ({self.body})"


class Person(models.Model):
    """A person who holds or has held a seat; may have a login."""

    first_name = models.CharField(_("first name"), max_length=100,
                                  validators=[no_control_characters])
    last_name = models.CharField(_("last name"), max_length=100,
                                 validators=[no_control_characters])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True,
                             validators=[no_control_characters])
    title = models.CharField(_("title"), max_length=200, blank=True,
                             validators=[no_control_characters])
    principal = models.ForeignKey(
        Principal,
        verbose_name=_("principal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="person_email_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class MembershipQuerySet(models.QuerySet):
    def active_on(self, on: dt.date) -> MembershipQuerySet:
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class Membership(VersionedModel):
    """A person's place in a seat, as member, substitute, co-opted or secretary."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    substitute_for = models.ForeignKey(
        "self",
        verbose_name=_("substitute for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substitutes",
    )
    start = models.DateField(_("start"), validators=[date_in_range])
    end = models.DateField(_("end"), null=True, blank=True, validators=[date_in_range])
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["seat", "role", "start"]
        constraints = [
            models.CheckConstraint(
                name="membership_end_after_start",
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
            ),
            models.CheckConstraint(
                name="membership_role_valid", condition=Q(role__in=MembershipRole.values)
            ),
            models.CheckConstraint(
                name="membership_substitute_for_only_substitutes",
                condition=Q(substitute_for__isnull=True) | Q(role=MembershipRole.SUBSTITUTE),
            ),
            models.CheckConstraint(
                name="membership_not_own_substitute",
                condition=~Q(substitute_for=models.F("pk")),
            ),
            models.UniqueConstraint(
                fields=["person", "seat", "role", "start"], name="membership_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.seat} ({self.get_role_display()})"

    def is_active(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or self.end >= on)


class OfficeTermQuerySet(models.QuerySet):
    def active_on(self, on: dt.date) -> OfficeTermQuerySet:
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class OfficeTerm(VersionedModel):
    """Who holds an office (chair, vice chair, …) of a body for a period."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="office_terms"
    )
    office = models.CharField(_("office"), max_length=20, choices=Office.choices)
    area = models.ForeignKey(
        StrategicArea,
        verbose_name=_("strategic area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="office_terms",
        help_text=_("For a presidium with one chair per strategic area."),
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="office_terms"
    )
    start = models.DateField(_("start"), validators=[date_in_range])
    end = models.DateField(_("end"), null=True, blank=True, validators=[date_in_range])
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = OfficeTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("office term")
        verbose_name_plural = _("office terms")
        ordering = ["body", "-start", "office"]
        constraints = [
            models.CheckConstraint(
                name="officeterm_end_after_start",
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
            ),
            models.CheckConstraint(
                name="officeterm_office_valid", condition=Q(office__in=Office.values)
            ),
            models.UniqueConstraint(
                fields=["body", "office", "start"],
                condition=Q(area__isnull=True),
                name="officeterm_unique_start",
            ),
            models.UniqueConstraint(
                fields=["body", "office", "area", "start"],
                condition=Q(area__isnull=False),
                name="officeterm_area_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.office_label} – {self.person}"

    @property
    def office_label(self) -> str:
        """"Vice ordförande", or "1:e vice ordförande" on a body that also has a second
        vice chair (H12); reads ``self.body`` (select it)."""
        from .labels import office_term_label

        return office_term_label(self)


class DigestRecord(models.Model):
    """A finding already mailed to a coordinator in a digest: never mailed twice.

    Written in the same transaction that decides to send, keyed by the finding's
    stable key.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="digest_records",
    )
    key = models.CharField(_("finding"), max_length=200)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest record")
        verbose_name_plural = _("digest records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="digestrecord_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.key}"


# Models in modules of their own, imported here so Django registers them with the
# governance app: the queued login e-mails (halsam/account_mail.py) and guardian's object
# permissions on bodies.
from .models_account_mail import AccountMail  # noqa: E402, F401
from .models_permissions import BodyGroupObjectPermission, BodyUserObjectPermission  # noqa: E402, F401
