"""The editor's pages: the queue (/redaktion/), a version's accessibility check, and the
public accessibility statement (/tillganglighet/) with its edit page.

Editors are users with ``documents.publish_document``; coordinators
(``governance.coordinate``) may look at the queue and the checks. Anonymous users are
sent to the login page, everybody else gets 403.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from halsam.concurrency import StaleEdit, VersionedFormMixin, show_stale

from . import accessibility, reminders, review, statement
from .forms import StatementForm
from .models import AccessibilityCheck, DocumentVersion

EDITOR_PERM = "documents.publish_document"
COORDINATOR_PERM = "governance.coordinate"


def is_editor(user) -> bool:
    return user.is_authenticated and user.has_perm(EDITOR_PERM)


def is_editor_or_coordinator(user) -> bool:
    return user.is_authenticated and (user.has_perm(EDITOR_PERM)
                                      or user.has_perm(COORDINATOR_PERM))


def require(test: Callable[..., bool]) -> Callable:
    """Login redirect for anonymous users, 403 for those who fail ``test``."""
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


# --- Forms ------------------------------------------------------------------------------

class ChecklistForm(VersionedFormMixin, forms.Form):
    """The editor's checklist; the labels are the model's (Swedish through the catalogue).
    Once recorded, it carries the check's edit token (issue 12 §1)."""

    edit_fields = (*accessibility.CHECKLIST_FIELDS, "note")

    has_title = forms.BooleanField(required=False)
    has_language = forms.BooleanField(required=False)
    is_tagged = forms.BooleanField(required=False, help_text=gettext_lazy(
        "For a Word or OpenDocument file: the structure is built with the program's styles "
        "(headings, lists, tables), so that it survives conversion to a tagged PDF."))
    has_headings = forms.BooleanField(required=False)
    has_alt_texts = forms.BooleanField(required=False, help_text=gettext_lazy(
        "Also tick when the document has no images."))
    has_contrast = forms.BooleanField(required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in accessibility.CHECKLIST_FIELDS:
            self.fields[name].label = AccessibilityCheck._meta.get_field(name).verbose_name


# --- Views ------------------------------------------------------------------------------

@require(is_editor_or_coordinator)
def editor_queue(request: HttpRequest) -> HttpResponse:
    """The editor's queue: versions in review this user may approve ("Under
    granskning"), approved but unpublished versions, reviews due and overdue,
    validity ending, versions whose accessibility is not in order, recently published."""
    queue = reminders.editor_queue(on=timezone.localdate())
    in_review = review.awaiting_approval(request.user)
    return render(request, "documents/editorial/queue.html", {
        "queue": queue,
        # Only the versions this user may approve; an editor who may approve none sees
        # how many wait for the owning bodies' secretaries and the coordinators.
        "in_review": [(v, review.approve_url(v)) for v in in_review],
        "in_review_elsewhere": 0 if in_review else review.in_review_count(),
        "accessibility": accessibility.versions_needing_accessibility(),
        "can_check": is_editor(request.user),
        "review_days": reminders.REVIEW_DUE_DAYS, "validity_days": reminders.VALIDITY_DAYS,
        "recent_days": reminders.RECENT_DAYS,
    })


@require(is_editor_or_coordinator)
def version_accessibility(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's stored machine check (or that it is pending) and the editor's checklist;
    POST records the checklist (``action=record``) or queues the machine check again
    (``action=rerun``), editors only. A GET never runs the check."""
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document__owner_body"), pk=pk)
    can_record = is_editor(request.user)
    form = None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if request.POST.get("action") == "rerun":
            # Queued, like the first run: a page never reads the file (issue 12 §3).
            accessibility.machine_check_on_commit(version, force=True, actor=request.user)
            messages.success(request, _("The machine check will be run again in the "
                                        "background; reload the page in a moment."))
            return redirect(request.path)
        form = ChecklistForm(request.POST)
        recorded = AccessibilityCheck.objects.filter(version=version).first()
        if recorded is not None:
            form.setup_token(recorded)
        if form.is_valid():
            answers = {name: form.cleaned_data[name] for name in ChecklistForm.edit_fields}
            try:
                accessibility.accessibility_check_record(
                    version=version, actor=request.user, **answers,
                    seen=form.seen() if recorded is not None else None)
            except StaleEdit as exc:
                show_stale(form, exc)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The accessibility checklist has been recorded."))
                return redirect(request.path)
    summary = accessibility.version_accessibility_summary(version=version)
    if form is None:
        form = ChecklistForm(initial=_checklist_initial(summary))
        if summary.check is not None:
            form.setup_token(summary.check)
    history = (summary.check.history.select_related("history_user").order_by("-history_date")[:20]
               if summary.check else [])
    return render(request, "documents/editorial/version_accessibility.html", {
        "version": version, "document": version.document, "summary": summary, "form": form,
        "can_record": can_record, "history": history,
        "machine_problems": accessibility.problem_messages(summary.machine.get("problems", [])),
    })


def _checklist_initial(summary: accessibility.AccessibilitySummary) -> dict:
    """The recorded answers, or, before the first check, what the machine found."""
    if summary.check is not None and summary.check.checked_at is not None:
        initial = {name: getattr(summary.check, name) for name in accessibility.CHECKLIST_FIELDS}
        initial["note"] = summary.check.note
        return initial
    machine = summary.machine
    return {"has_title": bool(machine.get("has_title")),
            "has_language": bool(machine.get("has_language")),
            "is_tagged": bool(machine.get("tagged")),
            "has_headings": bool(machine.get("has_headings"))}


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The public accessibility statement (tillgänglighetsredogörelse, DOS-lagen) after
    DIGG's model: the editor's sections (or their defaults), the compliance status, the
    published documents that fail the machine check, the contact, DIGG and the dates."""
    return render(request, "documents/editorial/statement.html", {
        "page": statement.statement_page(), "can_edit": is_editor(request.user),
    })


@require(is_editor)
def accessibility_statement_edit(request: HttpRequest) -> HttpResponse:
    """The editor edits the statement section by section; every save with who and why,
    and a save from an outdated page is refused (the form keeps the editor's text)."""
    failing = statement.documents_failing_machine_check()
    current = statement.accessibility_statement_current()
    if request.method == "POST":
        form = StatementForm(request.POST, failing_documents=len(failing))
        if form.is_valid():
            try:
                statement.accessibility_statement_save(
                    actor=request.user, reason=form.cleaned_data["reason"],
                    seen_revision=form.cleaned_data["revision"], **form.statement_fields())
            except statement.StaleStatementError as exc:
                # Keep the editor's text; the next save is made from the current revision.
                data = request.POST.copy()
                data["revision"] = str(exc.revision)
                form = StatementForm(data, failing_documents=len(failing))
                form.is_valid()
                form.add_error(None, exc)
            else:
                messages.success(request, _("The accessibility statement has been saved."))
                return redirect("documents:accessibility_statement")
    else:
        form = StatementForm(initial=statement.statement_initial(),
                             failing_documents=len(failing))
    history = (current.history.select_related("history_user").order_by("-history_date")[:30]
               if current else [])
    return render(request, "documents/editorial/statement_edit.html", {
        "form": form, "statement": current, "history": history, "failing": failing,
        "digg_url": statement.DIGG_URL,
    })
