"""The notice preview and its confirm step (docs/notices.md, "Preview and confirmation").

GET  /moten/<id>/kallelse/                 the e-mail as a recipient sees it, the recipients,
                                           those without an e-mail address, the send form
GET  /moten/<id>/kallelse/dagordning.pdf   the agenda PDF the notice carries
POST /moten/<id>/skicka/                   send, with the count the user saw
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from . import access, notice_preview, pdf, services
from .emails import agenda_pdf_filename
from .forms import apply_errors
from .models import DeliveryKind
from .views import gateway


class NoticeSendForm(forms.Form):
    """The confirm step: the recipient count the user saw, and the notice-period box."""

    count = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    short_notice_confirmed = forms.BooleanField(
        required=False,
        label=gettext_lazy("Send the notice anyway, although the notice period cannot be met"))

    def __init__(self, *args, notice_days: int = 14, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["short_notice_confirmed"].help_text = ngettext(
            "The body's notice period is %(days)d day.",
            "The body's notice period is %(days)d days.", notice_days) % {"days": notice_days}


def _recipient_id(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("som", ""))
    except ValueError:
        return None


def _render(request: HttpRequest, preview: notice_preview.NoticePreview, form: NoticeSendForm,
            *, alert: str = "", status: int = 200) -> HttpResponse:
    return render(request, "meetings/notice_preview.html", {
        "meeting": preview.meeting, "preview": preview, "form": form, "alert": alert,
        "is_update": preview.state.kind == DeliveryKind.UPDATE,
    }, status=status)


@require_GET
@gateway
def notice_preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: what is sent, to how many, who cannot be reached; the send form."""
    access.meeting_for_editor(request.user, pk)
    meeting = notice_preview.meeting_for_preview(pk)
    preview = notice_preview.notice_preview(meeting, as_person=_recipient_id(request))
    form = NoticeSendForm(initial={"count": preview.count}, notice_days=preview.notice_days)
    return _render(request, preview, form)


@require_GET
@gateway
def notice_agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda PDF exactly as the notice attaches it (for the preview)."""
    access.meeting_for_editor(request.user, pk)
    meeting = notice_preview.meeting_for_preview(pk)
    response = HttpResponse(pdf.agenda_pdf(meeting, with_video=True),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{agenda_pdf_filename(meeting)}"'
    return response


def _sent_message(kind: str | None, count: int) -> str:
    if kind == DeliveryKind.UPDATE:
        return ngettext("A changed notice is being sent to %(count)d recipient.",
                        "A changed notice is being sent to %(count)d recipients.",
                        count) % {"count": count}
    return ngettext("The notice is being sent to %(count)d recipient.",
                    "The notice is being sent to %(count)d recipients.", count) % {"count": count}


@require_POST
@gateway
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirm step. Without the count (a button of an older page) it sends nothing
    and shows the preview; a changed count or a missing notice-period confirmation shows
    the preview again; a refused send (already sent, past, cancelled) says why."""
    acc = access.meeting_for_editor(request.user, pk)
    if "count" not in request.POST:
        messages.info(request, _("Nothing was sent yet: check the notice and confirm."))
        return redirect("meetings:notice_preview", pk=pk)
    meeting = notice_preview.meeting_for_preview(pk)
    form = NoticeSendForm(request.POST, notice_days=meeting.body.notice_days)
    if form.is_valid():
        kind = notice_preview.notice_state(meeting).kind
        try:
            count = services.meeting_notice_send(
                actor=request.user, meeting=acc.meeting,
                expected_count=form.cleaned_data["count"],
                short_notice_confirmed=form.cleaned_data["short_notice_confirmed"])
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            if "count" in errors:
                preview = notice_preview.notice_preview(meeting)
                fresh = NoticeSendForm(initial={"count": preview.count},
                                       notice_days=preview.notice_days)
                return _render(request, preview, fresh, alert=" ".join(errors["count"]),
                               status=409)
            if "short_notice_confirmed" not in errors:
                messages.error(request, " ".join(exc.messages))
                return redirect(acc.meeting)
            apply_errors(form, exc)
        else:
            messages.success(request, _sent_message(kind, count))
            return redirect(acc.meeting)
    preview = notice_preview.notice_preview(meeting)
    return _render(request, preview, form, status=400)
