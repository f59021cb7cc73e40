"""Elections recorded with the meeting and the minutes item that decided them (H13).

An ``Election`` says that a meeting of a body elected the office holders of one rotation
period, at the agenda's election item; ``ElectionTerm`` links it to the ``OfficeTerm``
rows it produced. ``OfficeTerm`` lives in governance, which must not import meetings: the
link is kept here, and governance learns of it through ``governance.election_source``.
"""
from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models import Body, OfficeTerm
from halsam.validators import date_in_range, no_control_characters

from .models import AgendaItem, Meeting


class Election(models.Model):
    """The election of a body's office holders for one period, at one meeting."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT,
                             related_name="elections")
    period_start = models.DateField(_("first day of the period"), validators=[date_in_range])
    period_end = models.DateField(_("last day of the period"), validators=[date_in_range])
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                related_name="elections")
    agenda_item = models.OneToOneField(
        AgendaItem, verbose_name=_("election item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="election",
        help_text=_("The agenda item (minutes paragraph) where the election was decided."))
    decided_on = models.DateField(_("decided on"), validators=[date_in_range])
    note = models.CharField(_("note"), max_length=300, blank=True,
                            validators=[no_control_characters])
    terms = models.ManyToManyField(OfficeTerm, verbose_name=_("office terms"),
                                   through="ElectionTerm", related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["body", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["body", "period_start"],
                                    name="election_one_per_body_and_period"),
            models.CheckConstraint(name="election_period_end_after_start",
                                   condition=Q(period_end__gte=F("period_start"))),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.period_start.year}–{self.period_end.year}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        if self.agenda_item_id is None:
            return self.meeting.get_absolute_url()
        return reverse("meetings:election", kwargs={"pk": self.meeting_id,
                                                    "item_pk": self.agenda_item_id})


class ElectionTerm(models.Model):
    """One office term an election produced (each term comes from at most one election)."""

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE,
                                 related_name="elected")
    office_term = models.OneToOneField(OfficeTerm, verbose_name=_("office term"),
                                       on_delete=models.CASCADE, related_name="election_link")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("elected office term")
        verbose_name_plural = _("elected office terms")

    def __str__(self) -> str:
        return str(self.office_term)
