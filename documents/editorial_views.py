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
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import accessibility, reminders
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

class ChecklistForm(forms.Form):
    """The editor's checklist; the labels are the model's (Swedish through the catalogue)."""

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


class StatementForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Statement"), widget=forms.Textarea(
        attrs={"rows": 14}), help_text=gettext_lazy(
        "Compliance status, known shortcomings and how the site was assessed. Paragraphs "
        "are separated by an empty line. How to report problems and the supervisory "
        "authority are always shown below it."))
    contact_email = forms.EmailField(label=gettext_lazy("Contact for accessibility issues"),
                                     required=False)
    assessed_on = forms.DateField(label=gettext_lazy("Last assessed"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Why is it changed?"), max_length=200)


# --- Views ------------------------------------------------------------------------------

@require(is_editor_or_coordinator)
def editor_queue(request: HttpRequest) -> HttpResponse:
    """The editor's queue: approved but unpublished versions, reviews due and overdue,
    validity ending, versions whose accessibility is not in order, recently published."""
    queue = reminders.editor_queue(on=timezone.localdate())
    return render(request, "documents/editorial/queue.html", {
        "queue": queue,
        "accessibility": accessibility.versions_needing_accessibility(),
        "can_check": is_editor(request.user),
        "review_days": reminders.REVIEW_DUE_DAYS, "validity_days": reminders.VALIDITY_DAYS,
        "recent_days": reminders.RECENT_DAYS,
    })


@require(is_editor_or_coordinator)
def version_accessibility(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's machine check and the editor's checklist; POST records the checklist
    (``action=record``) or runs the machine check again (``action=rerun``), editors only."""
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document__owner_body"), pk=pk)
    can_record = is_editor(request.user)
    form = None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if request.POST.get("action") == "rerun":
            accessibility.accessibility_machine_check_run(version=version, actor=request.user)
            messages.success(request, _("The machine check has been run again."))
            return redirect(request.path)
        form = ChecklistForm(request.POST)
        if form.is_valid():
            accessibility.accessibility_check_record(version=version, actor=request.user,
                                                     **form.cleaned_data)
            messages.success(request, _("The accessibility checklist has been recorded."))
            return redirect(request.path)
    summary = accessibility.version_accessibility_summary(version=version)
    if form is None:
        form = ChecklistForm(initial=_checklist_initial(summary))
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
    """The public accessibility statement (tillgänglighetsredogörelse, DOS-lagen): the
    editor's text or a default, how to report problems, and the supervisory authority."""
    statement = accessibility.accessibility_statement_current()
    body = statement.body if statement else accessibility.default_statement_text()
    return render(request, "documents/editorial/statement.html", {
        "statement": statement,
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
        "contact_email": (statement.contact_email if statement else "")
        or _fallback_contact(),
        "today": timezone.localdate(), "digg_url": accessibility.DIGG_URL,
        "can_edit": is_editor(request.user),
    })


def _fallback_contact() -> str:
    from governance.models import Structure

    return (Structure.objects.exclude(office_email="").order_by("pk")
            .values_list("office_email", flat=True).first() or "")


@require(is_editor)
def accessibility_statement_edit(request: HttpRequest) -> HttpResponse:
    """The editor writes the accessibility statement; every change with who and why."""
    statement = accessibility.accessibility_statement_current()
    if request.method == "POST":
        form = StatementForm(request.POST)
        if form.is_valid():
            accessibility.accessibility_statement_save(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The accessibility statement has been saved."))
            return redirect("documents:accessibility_statement")
    else:
        form = StatementForm(initial={
            "body": statement.body if statement else accessibility.default_statement_text(),
            "contact_email": statement.contact_email if statement else _fallback_contact(),
            "assessed_on": statement.assessed_on if statement else timezone.localdate(),
        })
    history = (statement.history.select_related("history_user").order_by("-history_date")[:30]
               if statement else [])
    return render(request, "documents/editorial/statement_edit.html", {
        "form": form, "statement": statement, "history": history,
    })
