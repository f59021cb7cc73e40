"""The agenda editor (/moten/<id>/dagordning/ …): compact item rows, reorder by drag and
drop or by "Flytta upp"/"Flytta ner", and an item's papers (uploads and register
documents).

Every action is a real form post that works without JavaScript; ``static/js/agenda.js``
makes moving an item a ``fetch`` of the whole new order (``agenda_reorder``) without a
page reload. Each view loads through ``access.meeting_for_editor`` and calls one service.
"""
from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from halsam.concurrency import StaleEdit, show_stale

from . import access, agenda_rules, papers, selectors, services
from .forms import AgendaItemForm, AttachmentForm, apply_errors
from .models import AgendaItem
from .views import gateway

SEARCH_LIMIT = 10


def _item(acc: access.MeetingAccess, item_pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem, pk=item_pk, meeting=acc.meeting)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _agenda_url(meeting_pk: int, item_pk: int | None = None) -> str:
    url = reverse("meetings:agenda", kwargs={"pk": meeting_pk})
    return f"{url}#item-{item_pk}" if item_pk else url


@gateway
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda as compact rows (number, title, kind, presenter and time, papers), each
    with one "Åtgärder" disclosure, and the form that adds an item before the closing
    formalia."""
    acc = access.meeting_for_editor(request.user, pk)
    meeting = acc.meeting
    form = AgendaItemForm(request.POST or None, body=meeting.body)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.agenda_item_add(actor=request.user, meeting=meeting,
                                            **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is added to the agenda as item %(n)d.")
                             % {"title": item.title, "n": item.position})
            return redirect(_agenda_url(meeting.pk, item.pk))
    items = papers.annotate(selectors.agenda_items(meeting, with_attachments=False))
    return render(request, "meetings/agenda.html", {
        "meeting": meeting, "items": items, "form": form,
        "has_closing": any(it.formalia == "closing" for it in items),
        "closing_title": next((it.title for it in items if it.formalia == "closing"), ""),
    })


@gateway
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """One item's title, kind, description, presenter and time."""
    acc = access.meeting_for_editor(request.user, pk)
    item = _item(acc, item_pk)
    initial = {f: getattr(item, f) for f in ("title", "kind", "description", "presenter",
                                              "duration_minutes", "prepares_for")}
    form = AgendaItemForm(request.POST or None, body=acc.meeting.body, initial=initial)
    form.setup_token(item)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in AgendaItemForm.edit_fields}
        try:
            services.agenda_item_update(actor=request.user, item=item, changes=changes,
                                        seen=form.seen())
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Item %(n)d, “%(title)s”, is changed.")
                             % {"n": item.position, "title": form.cleaned_data["title"]})
            return redirect(_agenda_url(acc.meeting.pk, item.pk))
    return render(request, "meetings/item_form.html", {"form": form, "item": item,
                                                       "meeting": acc.meeting})


def _position_message(item: AgendaItem, total: int) -> str:
    return _("“%(title)s” is now item %(n)d of %(total)d.") % {
        "title": item.title, "n": item.position, "total": total}


@require_POST
@gateway
def item_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """"Flytta upp"/"Flytta ner" without JavaScript: one step, then back to the row."""
    acc = access.meeting_for_editor(request.user, pk)
    try:
        item = services.agenda_item_move(actor=request.user, item=_item(acc, item_pk),
                                         direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        total = AgendaItem.objects.filter(meeting=acc.meeting).count()
        messages.success(request, _position_message(item, total))
    return redirect(_agenda_url(acc.meeting.pk, item_pk))


def _order_from(request: HttpRequest) -> tuple[list[int] | None, str]:
    """The proposed order and the id of the item that moved ("" when not said)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return None, ""
        if not isinstance(data, dict):
            return None, ""
        raw, moved = data.get("order"), str(data.get("moved") or "")
        if not isinstance(raw, list) or not raw or len(raw) > agenda_rules.MAX_ORDER or any(
                not isinstance(pk, int) or isinstance(pk, bool) for pk in raw):
            return None, moved
        return list(raw), moved
    values = request.POST.getlist("order")
    raw = values if len(values) > 1 else request.POST.get("order", "")
    return agenda_rules.parse_order(raw), request.POST.get("moved", "")


def _rows(items: list[AgendaItem]) -> list[dict]:
    return [{"id": it.pk, "position": it.position, "title": it.title} for it in items]


@require_POST
@gateway
def agenda_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole new order (item ids), from drag and drop or the enhanced move buttons.

    JSON in, JSON out for ``agenda.js`` (200 with the new numbering; 400 for a malformed
    order; 409 when the agenda changed meanwhile, with the current order); a form post
    without JavaScript is redirected back to the agenda with the message.
    """
    acc = access.meeting_for_editor(request.user, pk)
    order, moved = _order_from(request)
    try:
        if order is None:
            raise ValidationError({"order": ValidationError(
                _("The new order must list the agenda's items."), code=agenda_rules.MALFORMED)})
        items = services.agenda_reorder(actor=request.user, meeting=acc.meeting, order=order)
    except ValidationError as exc:
        code = next((e.code for e in exc.error_dict.get("order", [])), None) \
            if hasattr(exc, "error_dict") else None
        message = " ".join(exc.messages)
        if not _wants_json(request):
            messages.error(request, message)
            return redirect(_agenda_url(acc.meeting.pk))
        current = selectors.agenda_items(acc.meeting, with_attachments=False)
        status = 409 if code == agenda_rules.STALE else 400
        return JsonResponse({"ok": False, "code": code, "message": message,
                             "items": _rows(current)}, status=status)
    moved_item = next((it for it in items if str(it.pk) == str(moved)), None)
    message = (_position_message(moved_item, len(items)) if moved_item is not None
               else ngettext("The agenda's %(n)d item is in the new order.",
                             "The agenda's %(n)d items are in the new order.",
                             len(items)) % {"n": len(items)})
    if not _wants_json(request):
        messages.success(request, message)
        return redirect(_agenda_url(acc.meeting.pk, moved_item.pk if moved_item else None))
    return JsonResponse({"ok": True, "message": message, "items": _rows(items)})


@require_POST
@gateway
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    acc = access.meeting_for_editor(request.user, pk)
    item = _item(acc, item_pk)
    title = item.title
    try:
        services.agenda_item_delete(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(title)s” is removed from the agenda.") % {"title": title})
    return redirect(_agenda_url(acc.meeting.pk))


# --- an item's papers -------------------------------------------------------------------

def _papers_page(request: HttpRequest, acc: access.MeetingAccess, item: AgendaItem, *,
                 upload_form: AttachmentForm | None = None, status: int = 200) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    register = papers.source("register")
    found = (register.search(user=request.user, meeting=acc.meeting, query=query,
                             limit=SEARCH_LIMIT) if register is not None else None)
    papers.annotate([item])
    return render(request, "meetings/agenda_papers.html", {
        "meeting": acc.meeting, "item": item, "query": query, "found": found,
        "has_register": register is not None, "searched": "q" in request.GET,
        "upload_form": upload_form or AttachmentForm(),
        "search_limit": SEARCH_LIMIT,
    }, status=status)


@gateway
def item_papers(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """An item's papers: attach a document from the register (search over the published
    documents the meeting's audience may read, at most ``SEARCH_LIMIT`` shown) or upload
    a file; remove a paper. POST attaches the register document ``document``."""
    acc = access.meeting_for_editor(request.user, pk)
    item = _item(acc, item_pk)
    if request.method == "POST":
        register = papers.source("register")
        raw = request.POST.get("document", "")
        if register is None or not raw.isdigit():
            messages.error(request, _("Choose a document from the register to attach."))
            return redirect("meetings:item_papers", pk=acc.meeting.pk, item_pk=item.pk)
        try:
            paper = register.attach(actor=request.user, item=item, pk=int(raw))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("meetings:item_papers", pk=acc.meeting.pk, item_pk=item.pk)
        messages.success(request, _("“%(paper)s” is attached to item %(n)d, “%(title)s”.")
                         % {"paper": paper.title, "n": item.position, "title": item.title})
        return redirect(_agenda_url(acc.meeting.pk, item.pk))
    return _papers_page(request, acc, item)


@require_POST
@gateway
def attachment_add(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Upload a paper (PDF, DOCX, XLSX or ODT) to an item; errors are shown on the field."""
    acc = access.meeting_for_editor(request.user, pk)
    item = _item(acc, item_pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(actor=request.user, item=item,
                                                 title=form.cleaned_data["title"],
                                                 file=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(paper)s” is attached to item %(n)d, “%(title)s”.")
                             % {"paper": attachment.title, "n": item.position,
                                "title": item.title})
            return redirect(_agenda_url(acc.meeting.pk, item.pk))
    # Shown again with the errors on the fields (no file is kept: choose it again).
    return _papers_page(request, acc, item, upload_form=form)


@require_POST
@gateway
def paper_remove(request: HttpRequest, pk: int, item_pk: int, source: str,
                 paper_pk: int) -> HttpResponse:
    """Take a paper off an item: an upload, or a register document (the document stays in
    the register)."""
    acc = access.meeting_for_editor(request.user, pk)
    item = _item(acc, item_pk)
    try:
        if source == papers.UPLOAD:
            attachment = item.attachments.filter(pk=paper_pk).first()
            if attachment is None:
                raise Http404("no such paper")
            title = attachment.title
            services.attachment_delete(actor=request.user, attachment=attachment)
        else:
            src = papers.source(source)
            if src is None:
                raise Http404("no such source")
            title = next((p.title for p in src.papers([item.pk]).get(item.pk, [])
                          if p.pk == paper_pk), "")
            src.detach(actor=request.user, item=item, pk=paper_pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(paper)s” is removed from item %(n)d, “%(title)s”.")
                         % {"paper": title, "n": item.position, "title": item.title})
    return redirect("meetings:item_papers", pk=acc.meeting.pk, item_pk=item.pk)
