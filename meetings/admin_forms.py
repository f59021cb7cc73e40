"""Forms of the meetings admin that keep the workflow (issue 12 §5).

- ``AgendaAttachmentAdminForm``: a paper uploaded in the admin goes through the same
  inspection as one uploaded on the agenda page (``services.inspect_attachment``, the
  register's ``inspect_upload``); its content type and size come from that inspection.
- ``AgendaItemAdminForm``: no item is added to, or moved onto, a meeting whose minutes
  are approved.
- ``MeetingAdminForm``: no meeting of a body before it is in force or after it has
  ended (H25, J7), as the services refuse it.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from . import minutes_lock, papers, services
from .models import AgendaAttachment, AgendaItem


class AgendaAttachmentAdminForm(forms.ModelForm):
    inspected: papers.Inspection | None = None

    class Meta:
        model = AgendaAttachment
        fields = ["item", "title", "file"]  # the admin's fieldsets decide what is shown

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new file, not the one stored already
            try:
                self.inspected = services.inspect_attachment(upload)
            except ValidationError as exc:
                raise ValidationError(exc.error_dict["file"]) from exc  # codes kept
        return upload

    def clean(self):
        data = super().clean()
        item = data.get("item")
        if item is not None and minutes_lock.minutes_closed(item.meeting_id):
            self.add_error("item", minutes_lock.closed_error().error_dict["__all__"][0])
        return data


class AgendaItemAdminForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["meeting", "position", "kind", "title", "description", "presenter",
                  "duration_minutes", "prepares_for", "election_for_year", "formalia", "notes",
                  "decision", "recommendation"]

    def clean(self):
        data = super().clean()
        meeting = data.get("meeting")
        if meeting is not None and minutes_lock.minutes_closed(meeting.pk):
            self.add_error("meeting", minutes_lock.closed_error().error_dict["__all__"][0])
        return data


class MeetingAdminForm(forms.ModelForm):
    """No ``Meta``: the admin builds the form for ``Meeting`` with its own fields (a
    ``Meta.fields`` here would also decide the admin's fields, and the edit token's)."""

    def clean(self):
        data = super().clean()
        body, start = data.get("body"), data.get("start")
        if body is not None and start is not None:
            for field, texts in services.meeting_outside_force(body, start).items():
                for text in texts:
                    self.add_error(field, text)
        return data
