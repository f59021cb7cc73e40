"""Meetings: plans, agendas, notices sent exactly once, absence and substitutes, minutes.

Invariants the database can hold are named constraints; the rest (who may be called in
as a substitute, which status follows which) live in ``services`` and the pure
``rules`` module. Every model a user changes keeps its history.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from governance.models import Body, Person, StrategicArea
from halsam.concurrency import VersionedModel
from halsam.formats.dates import plain_date
from halsam.validators import date_in_range, no_control_characters


class MeetingKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary meeting")
    THEME = "theme", _("Theme meeting")
    JOINT = "joint", _("Joint meeting for all areas")
    SEMINAR = "seminar", _("Seminar")
    EXTRA = "extra", _("Extra meeting")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTICE_SENT = "notice_sent", _("Notice sent")
    HELD = "held", _("Held")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
    MINUTES_PUBLISHED = "minutes_published", _("Minutes published")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(VersionedModel):
    """A meeting of a body, or a joint meeting of several bodies."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings"
    )
    guest_bodies = models.ManyToManyField(
        Body, verbose_name=_("also for the bodies"), blank=True, related_name="joint_meetings",
        help_text=_("For a joint meeting: the other bodies whose members are called."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True,
                             validators=[no_control_characters])
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices,
                            default=MeetingKind.ORDINARY)
    area = models.ForeignKey(
        StrategicArea, verbose_name=_("strategic area"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="meetings",
        help_text=_("For a theme meeting: the strategic area it is about."),
    )
    start = models.DateTimeField(_("starts"), validators=[date_in_range])
    end = models.DateTimeField(_("ends"), validators=[date_in_range])
    place = models.CharField(_("place"), max_length=300, blank=True,
                             validators=[no_control_characters])
    video_url = models.URLField(_("video link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    chair = models.ForeignKey(
        Person, verbose_name=_("chair responsible"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="chaired_meetings",
    )
    is_public = models.BooleanField(_("public"), default=True)
    sequence = models.PositiveIntegerField(
        _("calendar version"), default=0,
        help_text=_("Raised on every change that members must be told about (iCalendar SEQUENCE)."),
    )
    notice_due_at = models.DateTimeField(_("notice due"), null=True, blank=True, db_index=True)
    notice_sent_sequence = models.IntegerField(
        _("notice sent for version"), default=-1,
        help_text=_("The calendar version whose notice has gone out; -1 when none has."),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True,
                                     validators=[no_control_characters])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["notice_due_at"])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start"]
        indexes = [models.Index(fields=["body", "start"], name="meeting_body_start")]
        constraints = [
            models.CheckConstraint(name="meeting_end_after_start",
                                   condition=Q(end__gt=models.F("start"))),
            models.CheckConstraint(name="meeting_kind_valid",
                                   condition=Q(kind__in=MeetingKind.values)),
            models.CheckConstraint(name="meeting_status_valid",
                                   condition=Q(status__in=MeetingStatus.values)),
            models.CheckConstraint(name="meeting_theme_has_area",
                                   condition=~Q(kind=MeetingKind.THEME) | Q(area__isnull=False)),
            models.CheckConstraint(name="meeting_place_or_link",
                                   condition=~Q(place="") | ~Q(video_url="")),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} {plain_date(self.start)}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", kwargs={"pk": self.pk})

    @property
    def display_title(self) -> str:
        return self.title or self.body.name

    @property
    def uid(self) -> str:
        """The iCalendar UID: stable for the meeting's whole life."""
        return f"meeting-{self.pk}@{settings.HALSAM_CALENDAR_DOMAIN}"


class AgendaItemKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    DIALOGUE = "dialogue", _("Dialogue")
    PREPARATION = "preparation", _("Preparation of a matter")
    DECISION = "decision", _("Decision")
    ELECTION = "election", _("Election")


class Formalia(models.TextChoices):
    """Where a formal item of the body's standard agenda belongs (governance.standard_agenda)."""

    NONE = "", _("Not a formal item")
    OPENING = "opening", _("Opening formalia")
    CLOSING = "closing", _("Closing formalia")


class AgendaItem(VersionedModel):
    """An item on a meeting's agenda; after the meeting it carries the minutes' notes."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="items")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=AgendaItemKind.choices,
                            default=AgendaItemKind.INFORMATION)
    title = models.CharField(_("title"), max_length=300, validators=[no_control_characters])
    description = models.TextField(_("description"), blank=True)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True,
                                 validators=[no_control_characters])
    duration_minutes = models.PositiveSmallIntegerField(_("time (minutes)"), null=True, blank=True)
    prepares_for = models.ForeignKey(
        Body, verbose_name=_("prepared for"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="prepared_items",
        help_text=_("For the preparation of a matter: the body that will take it up."),
    )
    election_for_year = models.PositiveSmallIntegerField(
        _("election for the year"), null=True, blank=True,
        help_text=_("Set on the election item the rotation rule puts on the year's last meeting."),
    )
    # The minutes' paragraph (§) number: counted per body and calendar year, given once
    # when the minutes are started or sent to the checkers (services._number_items).
    section = models.PositiveIntegerField(_("paragraph (§)"), null=True, blank=True,
                                          editable=False)
    formalia = models.CharField(
        _("formal item"), max_length=10, choices=Formalia.choices, blank=True, default="",
        help_text=_("Set on the items of the body's standard agenda: new items go before the "
                    "closing ones."),
    )
    notes = models.TextField(_("notes"), blank=True)
    decision = models.TextField(_("decision"), blank=True)
    recommendation = models.TextField(_("recommendation to the principals"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.CheckConstraint(name="agendaitem_kind_valid",
                                   condition=Q(kind__in=AgendaItemKind.values)),
            models.CheckConstraint(
                name="agendaitem_election_year_only_on_elections",
                condition=Q(election_for_year__isnull=True) | Q(kind=AgendaItemKind.ELECTION),
            ),
            models.UniqueConstraint(
                fields=["meeting", "election_for_year"],
                condition=Q(election_for_year__isnull=False),
                name="agendaitem_one_election_per_year",
            ),
            models.CheckConstraint(name="agendaitem_formalia_valid",
                                   condition=Q(formalia__in=Formalia.values)),
        ]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: AgendaAttachment, filename: str) -> str:
    return f"meetings/{instance.item.meeting_id}/{secrets.token_hex(8)}/{filename}"


class AgendaAttachment(models.Model):
    """A paper attached to an agenda item (a file; later a link into the register)."""

    item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE,
                             related_name="attachments")
    title = models.CharField(_("title"), max_length=300, validators=[no_control_characters])
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.title


class DeliveryKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    UPDATE = "update", _("Updated notice")
    CANCEL = "cancel", _("Cancellation")
    SUBSTITUTE_CALL = "substitute_call", _("Substitute called in")
    SUBSTITUTE_RELEASE = "substitute_release", _("Substitute no longer needed")
    MINUTES_CHECK = "minutes_check", _("Minutes to check")


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")
    # A notice or update overtaken by a newer version or a cancellation before it went
    # out (issue 12 §7): never sent, so a member never gets an older notice after a newer.
    SUPERSEDED = "superseded", _("Superseded")


class NoticeDelivery(models.Model):
    """One e-mail to one person about one version of a meeting: sent exactly once.

    The row is claimed (inserted) in the same transaction that decides to send; its
    uniqueness per (meeting, person, kind, sequence) is what makes a retry, a second
    worker or a crash mid-batch unable to send twice.
    """

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="deliveries")
    person = models.ForeignKey(Person, verbose_name=_("recipient"), on_delete=models.PROTECT,
                               related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=20, choices=DeliveryKind.choices)
    sequence = models.PositiveIntegerField(_("calendar version"))
    email = models.EmailField(_("address"))
    as_substitute = models.BooleanField(_("as substitute"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.CLAIMED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    # The lease: committed when a worker takes the row, before it talks to the mail
    # server. A claimed row with a lease whose worker is gone is stranded (delivery.py).
    taken_at = models.DateTimeField(_("taken by a worker"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["meeting", "person", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person", "kind", "sequence"],
                                    name="delivery_once_per_version"),
            models.CheckConstraint(name="delivery_kind_valid",
                                   condition=Q(kind__in=DeliveryKind.values)),
            models.CheckConstraint(name="delivery_status_valid",
                                   condition=Q(status__in=DeliveryStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.person} ({self.kind} v{self.sequence})"


class Absence(models.Model):
    """A member's reported absence (förhinder) and the substitute called in."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="absences")
    person = models.ForeignKey(Person, verbose_name=_("absent"), on_delete=models.PROTECT,
                               related_name="absences")
    substitute = models.ForeignKey(Person, verbose_name=_("substitute called in"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="stand_ins")
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    via_link = models.BooleanField(_("reported through the e-mail link"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Set in the transaction that mails the secretary (or coordinators): exactly once.
    secretary_told_at = models.DateTimeField(_("secretary told"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["meeting", "reported_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="absence_once"),
            models.UniqueConstraint(fields=["meeting", "substitute"],
                                    name="absence_substitute_once",
                                    condition=Q(substitute__isnull=False)),
            models.CheckConstraint(name="absence_not_own_substitute",
                                   condition=~Q(substitute=models.F("person"))),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.meeting}"


class Attendance(models.Model):
    """Who attended, recorded by the secretary after the meeting."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="attendance")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="attendance")
    attended = models.BooleanField(_("attended"), default=True)
    in_place_of = models.ForeignKey(Person, verbose_name=_("in place of"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "person__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.meeting}"


class MinutesStatus(models.TextChoices):
    # Context "minutes status": "ett protokoll" is Justerat/Publicerat, while a document
    # version keeps its own "Approved"/"Published" (Godkänd/Publicerad).
    DRAFT = "draft", pgettext_lazy("minutes status", "Draft")
    WITH_CHECKERS = "with_checkers", pgettext_lazy("minutes status", "With the checkers")
    APPROVED = "approved", pgettext_lazy("minutes status", "Approved")
    PUBLISHED = "published", pgettext_lazy("minutes status", "Published")


class Minutes(VersionedModel):
    """The minutes (protokoll/minnesanteckningar) of a meeting and their approval."""

    meeting = models.OneToOneField(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                   related_name="minutes")
    status = models.CharField(_("status"), max_length=20, choices=MinutesStatus.choices,
                              default=MinutesStatus.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    checkers = models.ManyToManyField(Person, verbose_name=_("minute checkers"), blank=True,
                                      related_name="checked_minutes")
    sent_to_checkers_at = models.DateTimeField(_("sent to the checkers"), null=True, blank=True)
    # Each sending to the checkers is a round: the MINUTES_CHECK deliveries carry it as
    # their ``sequence``, so each checker is mailed exactly once per round.
    check_round = models.PositiveIntegerField(_("round with the checkers"), default=0)
    return_comment = models.TextField(_("comment from the checker"), blank=True)
    returned_by = models.ForeignKey(Person, verbose_name=_("sent back by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(Person, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="approved_minutes")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(name="minutes_status_valid",
                                   condition=Q(status__in=MinutesStatus.values)),
            models.CheckConstraint(
                name="minutes_approved_has_who_and_when",
                condition=~Q(status__in=[MinutesStatus.APPROVED, MinutesStatus.PUBLISHED])
                | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="minutes_published_has_date",
                condition=~Q(status=MinutesStatus.PUBLISHED) | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.meeting)

    def round_signatures(self) -> list[MinutesSignature]:
        """Who has approved in the current round, first signer first (prefetch
        ``signatures__person`` and ``checkers`` for a constant number of queries)."""
        return sorted((s for s in self.signatures.all() if s.round == self.check_round),
                      key=lambda s: (s.signed_at, s.pk))

    def waiting_for(self) -> list[Person]:
        """The chosen checkers who have not approved in the current round."""
        signed = {s.person_id for s in self.round_signatures()}
        return [p for p in self.checkers.all() if p.pk not in signed]


class MinutesSignature(models.Model):
    """One chosen checker's approval (justering) of the minutes in one round.

    The minutes are "justerat" only when every chosen checker has signed in the current
    round (``Minutes.check_round``); sending them back and again starts a new round, so
    earlier signatures no longer count.
    """

    minutes = models.ForeignKey(Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE,
                                related_name="signatures")
    person = models.ForeignKey(Person, verbose_name=_("minute checker"),
                               on_delete=models.PROTECT, related_name="minutes_signatures")
    round = models.PositiveIntegerField(_("round with the checkers"))
    signed_at = models.DateTimeField(_("approved on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval of the minutes")
        verbose_name_plural = _("approvals of the minutes")
        ordering = ["minutes", "round", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "person", "round"],
                                    name="minutessignature_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.minutes} ({self.round})"


class CalendarToken(models.Model):
    """A person's calendar feed link; revoking it makes a new one.

    Only the SHA-256 of the secret in the URL is stored (``meetings.feeds.token_hash``):
    the secret is shown once, when it is made, and nobody can read it back, in the admin
    or from a copy of the database (issue 12 §4)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="calendar_tokens")
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(revoked_at__isnull=True),
                                    name="calendartoken_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({'revoked' if self.revoked_at else 'active'})"


class ReminderKind(models.TextChoices):
    MINUTES_NOT_APPROVED = "minutes_not_approved", _("Minutes not approved")
    MINUTES_NOT_PUBLISHED = "minutes_not_published", _("Minutes not published")


class MeetingReminder(models.Model):
    """A reminder already sent about a meeting: exactly once per kind and due date."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="reminders")
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    due = models.DateField(_("due"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting reminder")
        verbose_name_plural = _("meeting reminders")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "due"], name="meetingreminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.kind}"


class RotationExtension(models.Model):
    """A body's decision that a chair period runs longer (V3 "Längre period kan beslutas
    vid enighet", V8), taken at one of its meetings. The service also writes the extension
    into ``Body.rotation["extensions"]``, which ``governance.rules`` reads."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT,
                             related_name="rotation_extensions")
    meeting = models.ForeignKey(Meeting, verbose_name=_("decided at the meeting"),
                                on_delete=models.PROTECT, related_name="rotation_extensions")
    period_start = models.PositiveSmallIntegerField(_("first year of the extended period"))
    years = models.PositiveSmallIntegerField(_("extra years"))
    decided_on = models.DateField(_("decided on"), validators=[date_in_range])
    unanimous = models.BooleanField(_("unanimous decision"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True,
                            validators=[no_control_characters])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rotation extension")
        verbose_name_plural = _("rotation extensions")
        ordering = ["body", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["body", "period_start"],
                                    name="rotationextension_one_per_period"),
            models.CheckConstraint(name="rotationextension_years_positive",
                                   condition=Q(years__gte=1) & Q(years__lte=10)),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.period_start} +{self.years}"


# Elections in a module of their own, imported here so Django registers them with the
# meetings app (H13: the meeting and the minutes item that elected the office holders).
from .models_elections import Election, ElectionTerm  # noqa: E402, F401
