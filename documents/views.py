"""The register pages: the register (/dokument/), a document, its files and the workflow
steps. Each view loads through ``access``, calls one service and renders or redirects."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from halsam.concurrency import StaleEdit, show_stale
from halsam.formats.dates import plain_date
from halsam.text import join_names

from . import access, review, rules, selectors, services
from .accessibility import accessibility_ready
from .forms import (
    DocumentForm,
    RegisterFilterForm,
    TerminationForm,
    TransitionForm,
    UploadForm,
    apply_errors,
)
from .models import DocumentVersion, ReviewRequest, VersionStatus
from .uploads import max_upload_bytes

# The workflow steps in URLs (Swedish slugs) → the status they lead to.
STEPS = {
    "granskning": VersionStatus.IN_REVIEW,
    "tillbaka": VersionStatus.DRAFT,
    "godkann": VersionStatus.APPROVED,
    "publicera": VersionStatus.PUBLISHED,
    "dra-tillbaka": VersionStatus.WITHDRAWN,
}
STEP_OF = {status: slug for slug, status in STEPS.items()}


def _bound(request: HttpRequest, *, files: bool = False) -> tuple:
    """The form data of a POST (even an empty one), or nothing for a GET."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The register: search, filters (kind, body, area, principal, in force), one page."""
    choices = selectors.filter_choices()
    form = RegisterFilterForm(request.GET or None, choices=choices)
    filters = form.filters() if request.GET else selectors.RegisterFilters()
    page = selectors.register_page(request.user, filters, request.GET.get("sida") or 1)
    query = request.GET.copy()
    query.pop("sida", None)
    return render(request, "documents/register.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_create": request.user.is_authenticated
        and access.creatable_body_ids(request.user) != [],
    })


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document: the version in force, the history of versions, validity and review;
    workflow buttons for those who may use them."""
    acc = access.document_for_user(request.user, pk)
    page = selectors.document_page(acc)
    steps = {}
    for version in page.versions:
        targets = rules.available_targets(version.status, acc.roles_for(version))
        steps[version.pk] = [(STEP_OF[t], VersionStatus(t).label) for t in targets
                             if t in STEP_OF]
    rows = [(v, steps.get(v.pk, [])) for v in page.versions]
    # The meetings named on the page, only where the viewer may see them (issue 12 §4).
    named = access.visible_meeting_ids(request.user, [
        acc.document.decided_at_id, *(v.approved_meeting_id for v in page.versions)])
    return render(request, "documents/detail.html", {
        "page": page, "document": acc.document, "acc": acc, "rows": rows,
        "named_meetings": named,
        "can_terminate": acc.can_manage and acc.document.termination_notice_months is not None
        and acc.document.termination_handled_on is None,
    })


@require_GET
def download(request: HttpRequest, pk: int, number: int, filename: str = "") -> HttpResponse:
    """A version's file, served through Django after the access check (never from the
    media URL): the stored content type, a readable name, and no content sniffing."""
    version = access.version_for_download(request.user, pk, number)
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("the file is missing from storage") from exc
    response = FileResponse(handle, content_type=version.content_type,
                            as_attachment=version.content_type != "application/pdf",
                            filename=selectors.download_name(version, version.document.title))
    response["X-Content-Type-Options"] = "nosniff"
    public = version.document.is_public and version.status in access.PUBLIC_STATUSES
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Register a new document (secretaries for their bodies, coordinators, editors)."""
    body_ids = access.creatable_body_ids(request.user)
    if body_ids == []:
        raise PermissionDenied
    form = DocumentForm(*_bound(request), body_ids=body_ids, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            document = services.document_create(actor=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The document is registered. Upload its file."))
            return redirect("documents:upload", pk=document.pk)
    return render(request, "documents/document_form.html", {"form": form, "document": None})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a document's metadata."""
    acc = access.document_for_manager(request.user, pk)
    form = DocumentForm(*_bound(request), instance=acc.document, user=request.user,
                        body_ids=access.creatable_body_ids(request.user))
    form.setup_token(acc.document, DocumentForm.Meta.fields, known=form.initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in DocumentForm.Meta.fields
                if name in form.cleaned_data}
        try:
            services.document_update(actor=request.user, document=acc.document,
                                     areas=data.pop("areas"), principals=data.pop("principals"),
                                     seen=form.seen(), **data)
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The document is changed."))
            return redirect(acc.document)
    return render(request, "documents/document_form.html",
                  {"form": form, "document": acc.document})


@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a new file: it becomes the next version, a draft."""
    acc = access.document_for_manager(request.user, pk)
    form = UploadForm(*_bound(request, files=True))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_upload(actor=request.user, document=acc.document,
                                              file=form.cleaned_data["file"],
                                              change_note=form.cleaned_data["change_note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Version %(n)d is uploaded as a draft.")
                             % {"n": version.number})
            return redirect(acc.document)
    return render(request, "documents/upload.html", {
        "form": form, "document": acc.document,
        "limit_mb": max_upload_bytes() // (1024 * 1024)})


@login_required
def transition(request: HttpRequest, pk: int, number: int, step: str) -> HttpResponse:
    """One workflow step of a version (send for review, send back, approve, publish,
    withdraw); the service refuses what the transition table forbids."""
    target = STEPS.get(step)
    if target is None:
        raise Http404("unknown step")
    acc = access.document_for_user(request.user, pk)
    version = DocumentVersion.objects.filter(document=acc.document, number=number).first()
    if version is None or not acc.sees_version(version):
        raise Http404("no such version")
    problems: list[str] = []
    if target == VersionStatus.PUBLISHED:
        _ready, problems = accessibility_ready(version)
    form = TransitionForm(*_bound(request), target=target, document=acc.document,
                          user=request.user,
                          accessibility_problems=problems)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reason = data.get("reason", "")
        if problems:  # kept in the version's history with the editor's reason
            reason = f"{reason} [{'; '.join(problems)}]"
        kwargs: dict = {"actor": request.user, "version": version, "reason": reason}
        if target == VersionStatus.APPROVED:
            kwargs["meeting"] = data.get("meeting")
        if target == VersionStatus.PUBLISHED:
            kwargs["published_on"] = data["published_on"]
        told_before = ReviewRequest.objects.filter(version=version).first()
        try:
            done = services.TRANSITION_SERVICES[target](**kwargs)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _step_message(request, done, target, told_before))
            return redirect(acc.document)
    can_send_back = (target == VersionStatus.APPROVED and VersionStatus.DRAFT in
                     rules.available_targets(version.status, acc.roles_for(version)))
    return render(request, "documents/transition.html", {
        "form": form, "document": acc.document, "version": version,
        "target_label": VersionStatus(target).label, "step": step,
        "accessibility_problems": problems,
        "download_name": selectors.download_name(version, acc.document.title),
        "send_back_step": STEP_OF[VersionStatus.DRAFT] if can_send_back else "",
    }, status=400 if request.method == "POST" else 200)


def _step_message(request: HttpRequest, version: DocumentVersion, target: str,
                  told_before: ReviewRequest | None) -> str:
    """What the step did and to whom ("Version 3 av … skickades för granskning till Anna
    Andersson och Bo Berg")."""
    params = {"n": version.number, "title": version.document.title}
    if target == VersionStatus.IN_REVIEW:
        if told_before is not None:
            return _("Version %(n)d of “%(title)s” is in review again. Those who may approve "
                     "it were told by e-mail on %(day)s, when it was first sent for review; "
                     "they are not told again.") % {
                **params, "day": plain_date(timezone.localdate(told_before.sent_at))}
        people = review.approvers(version, exclude_user_id=request.user.pk)
        told = [p for p in people if p.email]
        missing = [p for p in people if not p.email]
        if not told:
            return _("Version %(n)d of “%(title)s” is in review, but nobody who may approve "
                     "it has an e-mail address: tell the owning body's secretary or a "
                     "coordinator yourself.") % params
        text = _("Version %(n)d of “%(title)s” was sent for review to %(names)s.") % {
            **params, "names": join_names(told)}
        if missing:
            text += " " + ngettext(
                "%(names)s has no e-mail address and was not told.",
                "%(names)s have no e-mail address and were not told.", len(missing)) % {
                "names": join_names(missing)}
        return text
    if target == VersionStatus.APPROVED:
        return _("Version %(n)d of “%(title)s” is approved; an editor can now publish it.") \
            % params
    if target == VersionStatus.PUBLISHED:
        return _("Version %(n)d of “%(title)s” is published from %(day)s.") % {
            **params, "day": plain_date(version.published_on)}
    if target == VersionStatus.DRAFT:
        return _("Version %(n)d of “%(title)s” is sent back for changes and is a draft "
                 "again.") % params
    return _("Version %(n)d of “%(title)s” is now “%(status)s”.") % {
        **params, "status": VersionStatus(target).label}


@login_required
def terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the handling of a notice of termination (V16)."""
    acc = access.document_for_manager(request.user, pk)
    form = TerminationForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_terminate(
                actor=request.user, document=acc.document,
                handled_on=form.cleaned_data["handled_on"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The notice of termination is recorded; the document "
                                        "ends on %(day)s.")
                             % {"day": plain_date(services.termination_ends_on(document))})
            return redirect(document)
    return render(request, "documents/terminate.html", {"form": form,
                                                        "document": acc.document})
