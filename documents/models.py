"""The document register: documents, their immutable versions, publishing and review.

A ``Document`` is the thing people look for (an agreement, a routine); each file is a
``DocumentVersion`` that never changes after it is created (a new file is a new
version). The workflow (draft → in review → approved → published → superseded or
withdrawn) is on the version and is guarded by ``documents.rules``; only published
versions of public documents are shown to the public.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models import Body, Principal, StrategicArea
from halsam.concurrency import EditVersionedModel, VersionedModel
from halsam.validators import date_in_range, months_in_range, no_control_characters


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement (överenskommelse)")
    CONTRACT = "contract", _("Contract (avtal)")
    GUIDELINE = "guideline", _("Guideline (riktlinje)")
    ROUTINE = "routine", _("Routine (rutin)")
    MINUTES = "minutes", _("Minutes (protokoll)")
    NOTES = "notes", _("Meeting notes (minnesanteckningar)")
    TERMS_OF_REFERENCE = "terms_of_reference", _("Terms of reference (uppdragsbeskrivning)")
    RULES_OF_PROCEDURE = "rules_of_procedure", _("Rules of procedure (arbetsordning)")
    REPORT = "report", _("Report (rapport)")
    OTHER = "other", _("Other (övrigt)")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Document(VersionedModel):
    """A document in the register, with its validity and review cycle."""

    title = models.CharField(_("title"), max_length=300, validators=[no_control_characters])
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    owner_body = models.ForeignKey(
        Body, verbose_name=_("owning body"), on_delete=models.PROTECT, related_name="documents"
    )
    areas = models.ManyToManyField(StrategicArea, verbose_name=_("strategic areas"), blank=True,
                                   related_name="documents")
    principals = models.ManyToManyField(Principal, verbose_name=_("principals concerned"),
                                        blank=True, related_name="documents")
    summary = models.TextField(_("summary"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True,
                                  validators=[date_in_range])
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   validators=[date_in_range])
    until_further_notice = models.BooleanField(_("until further notice"), default=False)
    termination_notice_months = models.PositiveSmallIntegerField(
        _("notice period for termination (months)"), null=True, blank=True,
        validators=[months_in_range])
    termination_handled_on = models.DateField(
        _("notice of termination handled on"), null=True, blank=True, validators=[date_in_range])
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), null=True, blank=True, validators=[months_in_range])
    next_review_on = models.DateField(_("next review"), null=True, blank=True, db_index=True,
                                      validators=[date_in_range])
    is_public = models.BooleanField(_("public"), default=True)
    decided_at = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("decided at the meeting"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="decided_documents",
    )
    search_text = models.TextField(
        _("search text"), blank=True, editable=False,
        help_text=_("Title, summary and the text of the version in force."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title"]
        permissions = [("publish_document", _("Can publish documents and edit the "
                                              "accessibility statement (editor)"))]
        constraints = [
            models.CheckConstraint(name="document_kind_valid",
                                   condition=Q(kind__in=DocumentKind.values)),
            models.CheckConstraint(
                name="document_valid_range",
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="document_until_further_notice_has_no_end",
                condition=Q(until_further_notice=False) | Q(valid_until__isnull=True)
                | Q(termination_handled_on__isnull=False),
            ),
            models.CheckConstraint(
                name="document_termination_needs_notice_period",
                condition=Q(termination_handled_on__isnull=True)
                | Q(termination_notice_months__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", kwargs={"pk": self.pk})


def version_path(instance: DocumentVersion, filename: str) -> str:
    return f"documents/{instance.document_id}/{secrets.token_hex(8)}/{filename}"


class DocumentVersion(models.Model):
    """One file of a document. Its content fields never change after creation."""

    IMMUTABLE_FIELDS = ("document_id", "number", "file", "sha256", "size", "content_type",
                        "original_name", "uploaded_by_id", "change_note")

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.PROTECT,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    change_note = models.TextField(_("change note"), blank=True)
    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("approved at the meeting"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="approved_versions",
    )
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_on = models.DateField(_("published"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["extracted_text"])

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique"),
            models.UniqueConstraint(fields=["document"],
                                    condition=Q(status=VersionStatus.PUBLISHED),
                                    name="version_one_published"),
            models.CheckConstraint(name="version_status_valid",
                                   condition=Q(status__in=VersionStatus.values)),
            models.CheckConstraint(name="version_number_positive", condition=Q(number__gte=1)),
            models.CheckConstraint(
                name="version_published_has_who_and_date",
                condition=~Q(status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED])
                | (Q(published_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="version_approved_has_when",
                condition=~Q(status__in=[VersionStatus.APPROVED, VersionStatus.PUBLISHED,
                                         VersionStatus.SUPERSEDED])
                | Q(approved_at__isnull=False),
            ),
            models.CheckConstraint(
                name="version_withdrawn_has_reason",
                condition=~Q(status=VersionStatus.WITHDRAWN) | ~Q(withdrawn_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        # Versions are immutable: the file and what describes it never change.
        if self.pk is not None:
            old = type(self).objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS).first()
            if old is not None:
                for name in self.IMMUTABLE_FIELDS:
                    current = getattr(self, name)
                    if name == "file":
                        current = current.name
                    if old[name] != current:
                        raise ValueError(f"DocumentVersion.{name} cannot change after creation")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Document versions are never deleted; withdraw them instead.")


class AccessibilityCheck(EditVersionedModel):
    """The editor's accessibility checklist for a version (DOS-lagen, WCAG 2.1 AA)."""

    version = models.OneToOneField(DocumentVersion, verbose_name=_("version"),
                                   on_delete=models.CASCADE, related_name="accessibility")
    has_title = models.BooleanField(_("the document has a title"), default=False)
    has_language = models.BooleanField(_("the document's language is set"), default=False)
    is_tagged = models.BooleanField(_("the PDF is tagged"), default=False)
    has_headings = models.BooleanField(_("headings are marked up"), default=False)
    has_alt_texts = models.BooleanField(_("images have alternative texts"), default=False)
    has_contrast = models.BooleanField(_("text has enough contrast"), default=False)
    machine_result = models.JSONField(_("machine check"), default=dict, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accessibility check")
        verbose_name_plural = _("accessibility checks")

    def __str__(self) -> str:
        return str(self.version)

    @property
    def complete(self) -> bool:
        return all((self.has_title, self.has_language, self.is_tagged, self.has_headings,
                    self.has_alt_texts, self.has_contrast))


class DocumentReminderKind(models.TextChoices):
    REVIEW_DUE = "review_due", _("Review due")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    UNPUBLISHED = "unpublished", _("Approved but not published")
    VALIDITY_ENDING = "validity_ending", _("Validity ending")


class DocumentReminder(models.Model):
    """A reminder sent about a document: exactly once per kind and due date."""

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="reminders")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentReminderKind.choices)
    due = models.DateField(_("due"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("document reminder")
        verbose_name_plural = _("document reminders")
        constraints = [
            models.UniqueConstraint(fields=["document", "kind", "due"], name="docreminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document}: {self.kind} {self.due}"


class ReviewRequest(models.Model):
    """The e-mail telling those who may approve a version that it waits for them
    (issue 11): exactly once per version, claimed by this row in the transaction that
    sends it (``documents.review``)."""

    version = models.OneToOneField(DocumentVersion, verbose_name=_("version"),
                                   on_delete=models.CASCADE, related_name="review_request")
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self) -> str:
        return f"{self.version}: {self.recipients}"


class ComplianceStatus(models.TextChoices):
    """How the site complies with lagen (2018:1937), in the words DIGG's model requires."""

    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NOT = "not", _("not compliant")


class AccessibilityStatement(models.Model):
    """The site's accessibility statement (tillgänglighetsredogörelse) after DIGG's model:
    one field per section, edited by the editor through
    ``documents.statement.accessibility_statement_save``.

    A blank section (a statement saved before the sections existed) is shown with its
    default text. ``revision`` counts the saves, so an edit made from an outdated page is
    refused instead of silently overwriting someone else's. ``editor_note`` is for the
    editors only and never shown to visitors.
    """

    introduction = models.TextField(_("who runs the site and the commitment"), blank=True)
    compliance = models.CharField(_("compliance with the Act"), max_length=10,
                                  choices=ComplianceStatus.choices,
                                  default=ComplianceStatus.PARTIAL)
    compliance_text = models.TextField(_("how accessible is the site"), blank=True)
    shortcomings = models.TextField(_("content that is not accessible"), blank=True)
    disproportionate_burden = models.TextField(_("disproportionate burden"), blank=True)
    out_of_scope = models.TextField(_("content outside the scope of the Act"), blank=True)
    alternatives = models.TextField(_("what you can do if you cannot use parts of the site"),
                                    blank=True)
    response_days = models.PositiveSmallIntegerField(
        _("usual response time (working days)"), default=5)
    reporting = models.TextField(_("reporting shortcomings"), blank=True)
    supervision = models.TextField(_("supervision"), blank=True)
    testing = models.TextField(_("how we tested the site"), blank=True)
    contact_email = models.EmailField(_("contact for accessibility issues"), blank=True)
    contact_phone = models.CharField(_("telephone for accessibility issues"), max_length=40,
                                     blank=True)
    assessed_on = models.DateField(_("last assessed"), null=True, blank=True)
    made_on = models.DateField(_("statement made"), null=True, blank=True)
    editor_note = models.TextField(_("internal note to the editors"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")
        constraints = [
            models.CheckConstraint(name="statement_compliance_valid",
                                   condition=Q(compliance__in=ComplianceStatus.values)),
            models.CheckConstraint(name="statement_response_days_range",
                                   condition=Q(response_days__gte=1, response_days__lte=90)),
        ]

    def __str__(self) -> str:
        return str(_("Accessibility statement"))

    def get_absolute_url(self) -> str:
        return reverse("documents:accessibility_statement")


# The link of register documents to agenda items lives with its services and the source
# meetings lists (issue 11, flow 5); imported here so that Django sees the model.
from .agenda_papers import AgendaPaper  # noqa: E402, F401
