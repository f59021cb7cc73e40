"""Operations that change the document register, one function per use case.

Each service is keyword-only, runs in a transaction, checks who may do it through
``access`` and the transition table in ``rules``, keeps ``Document.search_text`` up to
date (title, summary and the text of the version in force), and records who made the
change and why in the history. Errors are ``ValidationError`` with messages keyed by
field (English msgids, translated by the Swedish catalogue).

``actor`` is always a logged-in user: the register has no anonymous writes, and every
step of the workflow names who made it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import capfirst, get_valid_filename
from django.utils.translation import gettext as _

from governance.models import Body, Principal, StrategicArea
from governance.services import Actor, save_with_history
from halsam.concurrency import Seen, resolve
from halsam.formats.dates import plain_date

from . import access, accessibility, review, rules, uploads
from .models import Document, DocumentKind, DocumentVersion, VersionStatus

# The metadata ``document_update`` may change (areas and principals are lists).
EDITABLE_FIELDS = ("title", "kind", "owner_body", "summary", "valid_from", "valid_until",
                   "until_further_notice", "termination_notice_months",
                   "review_interval_months", "next_review_on", "is_public", "decided_at")


def _status_label(status: str) -> str:
    try:
        return str(VersionStatus(status).label)
    except ValueError:
        return status


def _error(field: str, message: str, code: str) -> ValidationError:
    """An error on ``field`` whose code survives in ``error_dict`` (forms and tests read it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _refused(message: str, code: str = "permission") -> ValidationError:
    return _error("__all__", message, code)


def _require_manager(actor: Actor, document: Document) -> access.DocumentAccess:
    acc = access.document_access(actor, document)
    if not acc.can_manage:
        raise _refused(_("Only the owning body's secretaries, coordinators and editors can "
                         "change this document."))
    return acc


# --- documents --------------------------------------------------------------------------

def _meeting_problem(actor: Actor, meeting, *, is_public: bool, field: str) -> str | None:
    model = Document if field == "decided_at" else DocumentVersion
    label = capfirst(model._meta.get_field(field).verbose_name)
    return access.meeting_reference_error(actor, meeting, is_public=is_public, label=label)


def _check_meeting(actor: Actor, meeting, *, is_public: bool, field: str) -> None:
    """A document or version names only a meeting its author may see, and a public
    document only a public meeting (``access.meeting_reference_error``, issue 12 §4)."""
    problem = _meeting_problem(actor, meeting, is_public=is_public, field=field)
    if problem:
        raise _error(field, problem, "meeting")


def decided_at_problem(*, actor: Actor, document: Document | None, decided_at,
                       is_public: bool) -> str | None:
    """What ``document_create``/``document_update`` would refuse about "decided at" (for a
    form that must not fail later, the admin's): checked for a new document, and for an
    existing one only when the meeting or the publicity changes, so a document whose
    meeting the editor cannot see keeps it when other fields change."""
    if document is not None and document.pk is not None and (
            getattr(decided_at, "pk", None) == document.decided_at_id
            and is_public == document.is_public):
        return None
    return _meeting_problem(actor, decided_at, is_public=is_public, field="decided_at")


def _check_validity(document: Document) -> None:
    codes = rules.validity_problems(rules.Validity(
        valid_from=document.valid_from, valid_until=document.valid_until,
        until_further_notice=document.until_further_notice,
        termination_notice_months=document.termination_notice_months,
        termination_handled_on=document.termination_handled_on))
    messages = {
        "until_before_from": _("“Valid until” cannot be before “valid from”."),
        "until_further_notice_has_end": _("A document valid until further notice has no "
                                          "“valid until” date; leave one of them empty."),
        "no_notice_period": _("A termination needs a notice period in months."),
    }
    errors: dict[str, list[str]] = {}
    for field, code in codes:
        errors.setdefault(field, []).append(messages[code])
    if document.kind not in DocumentKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of document."))
    if not (document.title or "").strip():
        errors.setdefault("title", []).append(_("A document needs a title."))
    if errors:
        raise ValidationError(errors)


def _fill_next_review(document: Document) -> None:
    if document.review_interval_months and document.next_review_on is None:
        start = document.valid_from or timezone.localdate()
        document.next_review_on = rules.next_review(start, document.review_interval_months)


def search_text_for(document: Document, version: DocumentVersion | None) -> str:
    """The text the register searches: lower-cased so that every database compares
    å/ä/ö without case (SQLite's LIKE folds ASCII only)."""
    parts = [document.title, document.summary, version.extracted_text if version else ""]
    return "\n".join(p for p in parts if p).casefold()


def _refresh_search_text(document: Document) -> None:
    current = (DocumentVersion.objects.filter(document=document, status=VersionStatus.PUBLISHED)
               .only("extracted_text").first())
    text = search_text_for(document, current)
    Document.objects.filter(pk=document.pk).update(search_text=text)
    document.search_text = text


@transaction.atomic
def document_create(
    *,
    actor: Actor,
    title: str,
    kind: str,
    owner_body: Body,
    summary: str = "",
    areas: Iterable[StrategicArea] = (),
    principals: Iterable[Principal] = (),
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    until_further_notice: bool = False,
    termination_notice_months: int | None = None,
    review_interval_months: int | None = None,
    next_review_on: dt.date | None = None,
    is_public: bool = True,
    decided_at=None,
    reason: str = "",
) -> Document:
    """Register a new document (its files come as versions, ``version_upload``)."""
    if not access.can_create_for(actor, owner_body.pk):
        raise _refused(_("Only the owning body's secretaries, coordinators and editors can "
                         "register documents for it."))
    document = Document(
        title=title.strip(), kind=kind, owner_body=owner_body, summary=summary.strip(),
        valid_from=valid_from, valid_until=valid_until, until_further_notice=until_further_notice,
        termination_notice_months=termination_notice_months,
        review_interval_months=review_interval_months, next_review_on=next_review_on,
        is_public=is_public, decided_at=decided_at,
    )
    _check_meeting(actor, decided_at, is_public=is_public, field="decided_at")
    _check_validity(document)
    _fill_next_review(document)
    document.search_text = search_text_for(document, None)
    save_with_history(document, actor=actor, reason=reason or _("Document registered"))
    document.areas.set(list(areas))
    document.principals.set(list(principals))
    return document


@transaction.atomic
def document_update(
    *,
    actor: Actor,
    document: Document,
    areas: Iterable[StrategicArea] | None = None,
    principals: Iterable[Principal] | None = None,
    reason: str = "",
    seen: Seen | None = None,
    **fields,
) -> Document:
    """Change a document's metadata (``EDITABLE_FIELDS``; areas and principals as lists).

    ``seen`` is the edit form's token: when someone else changed a field this save writes
    since the form was made, nothing is written (``StaleEdit``, issue 12 §1)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"document_update cannot change {sorted(unknown)}")
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_manager(actor, document)
    if seen is not None:
        related = {name: value for name, value in (("areas", areas), ("principals", principals))
                   if value is not None}
        resolve(document, seen=seen, changes={**fields, **related})
    if "owner_body" in fields and fields["owner_body"].pk != document.owner_body_id:
        if not access.can_create_for(actor, fields["owner_body"].pk):
            raise ValidationError({"owner_body": _("You cannot move the document to a body "
                                                   "whose documents you do not manage.")})
    problem = decided_at_problem(actor=actor, document=document,
                                 decided_at=(fields["decided_at"] if "decided_at" in fields
                                             else document.decided_at),
                                 is_public=fields.get("is_public", document.is_public))
    if problem:
        raise _error("decided_at", problem, "meeting")
    for name, value in fields.items():
        setattr(document, name, value.strip() if isinstance(value, str) else value)
    _check_validity(document)
    _fill_next_review(document)
    save_with_history(document, actor=actor, reason=reason or _("Document changed"))
    if areas is not None:
        document.areas.set(list(areas))
    if principals is not None:
        document.principals.set(list(principals))
    _refresh_search_text(document)
    return document


@transaction.atomic
def document_terminate(
    *, actor: Actor, document: Document, handled_on: dt.date, reason: str = ""
) -> Document:
    """Record that a notice of termination was handled on ``handled_on`` (V16).

    The document then ends ``termination_notice_months`` after that day
    (``rules.termination_end``); a document without a notice period cannot be terminated
    this way (its end is a "valid until" date).
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_manager(actor, document)
    if document.termination_notice_months is None:
        raise _error("termination_handled_on", _(
            "This document has no notice period for termination; set one, or give it a "
            "“valid until” date instead."), "no_notice_period")
    if document.termination_handled_on is not None:
        raise _error("termination_handled_on", _(
            "A notice of termination was already handled on %(day)s.")
            % {"day": plain_date(document.termination_handled_on)}, "already_terminated")
    if document.valid_from is not None and handled_on < document.valid_from:
        raise ValidationError({"termination_handled_on": _(
            "The notice cannot have been handled before the document came into force.")})
    document.termination_handled_on = handled_on
    end = rules.termination_end(handled_on, document.termination_notice_months)
    save_with_history(document, actor=actor, reason=reason or _(
        "Notice of termination handled on %(day)s; the document ends on %(end)s")
        % {"day": plain_date(handled_on), "end": plain_date(end)})
    return document


def termination_ends_on(document: Document) -> dt.date | None:
    return validity_of(document).termination_ends_on


def validity_of(document: Document) -> rules.Validity:
    return rules.Validity(
        valid_from=document.valid_from, valid_until=document.valid_until,
        until_further_notice=document.until_further_notice,
        termination_notice_months=document.termination_notice_months,
        termination_handled_on=document.termination_handled_on)


# --- versions ---------------------------------------------------------------------------

@transaction.atomic
def version_upload(
    *, actor: Actor, document: Document, file: UploadedFile, change_note: str = "",
    reason: str = "",
) -> DocumentVersion:
    """Store a new file as the document's next version (a draft), checked by content.

    The file goes through Django's storage API (``FileField``), so the storage backend
    can be swapped for S3 without touching this code.
    """
    name = (file.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    inspected = uploads.inspect_upload(file, name)
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_manager(actor, document)
    number = (DocumentVersion.objects.filter(document=document)
              .aggregate(n=Max("number"))["n"] or 0) + 1
    file.seek(0)
    safe_name = get_valid_filename(name) or f"dokument{inspected.extension}"
    version = DocumentVersion(
        document=document, number=number, original_name=name[:255], sha256=inspected.sha256,
        size=inspected.size, content_type=inspected.content_type,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        change_note=change_note.strip(), extracted_text=inspected.text,
    )
    version.file.save(safe_name, file, save=False)
    save_with_history(version, actor=actor, reason=reason or _("Version %(n)d uploaded")
                      % {"n": number})
    # Once per version, in the worker, after commit (issue 12 §3); pages read the result.
    accessibility.machine_check_on_commit(version, actor=actor)
    return version


def _transition_error(current: str, target: str, code: str) -> ValidationError:
    params = {"from": _status_label(current), "to": _status_label(target)}
    if code == "final":
        message = _("A version that is “%(from)s” cannot be changed; it cannot become "
                    "“%(to)s”.") % params
    elif code == "not_permitted":
        message = _("You may not move a version from “%(from)s” to “%(to)s”.") % params
    else:
        message = _("A version cannot go from “%(from)s” to “%(to)s”.") % params
    return _error("__all__", message, code)


def _locked_version(version: DocumentVersion) -> DocumentVersion:
    # Lock the document first: every change of a version's status goes through it, so
    # two publications of the same document cannot interleave.
    Document.objects.select_for_update().filter(pk=version.document_id).first()
    return DocumentVersion.objects.select_for_update(of=("self",)).select_related("document").get(
        pk=version.pk)


def _transition(actor: Actor, version: DocumentVersion, target: str) -> DocumentVersion:
    version = _locked_version(version)
    roles = access.document_access(actor, version.document).roles_for(version)
    code = rules.transition_refusal(version.status, target, roles)
    if code is not None:
        raise _transition_error(version.status, target, code)
    return version


def _save_status(version: DocumentVersion, *, actor: Actor, reason: str) -> None:
    save_with_history(version, actor=actor, reason=reason)


@transaction.atomic
def version_submit(*, actor: Actor, version: DocumentVersion, reason: str = "") -> DocumentVersion:
    """Draft → in review. Those who may approve it are told by e-mail once the
    transaction commits (``documents.review``: once per version)."""
    version = _transition(actor, version, VersionStatus.IN_REVIEW)
    version.status = VersionStatus.IN_REVIEW
    _save_status(version, actor=actor, reason=reason or _("Sent for review"))
    review.request_on_commit(version)
    return version


@transaction.atomic
def version_return(*, actor: Actor, version: DocumentVersion, reason: str = "") -> DocumentVersion:
    """In review → draft (sent back for changes)."""
    version = _transition(actor, version, VersionStatus.DRAFT)
    version.status = VersionStatus.DRAFT
    _save_status(version, actor=actor, reason=reason or _("Sent back for changes"))
    return version


@transaction.atomic
def version_approve(
    *, actor: Actor, version: DocumentVersion, meeting=None, reason: str = ""
) -> DocumentVersion:
    """In review → approved, by a coordinator or a secretary of the owning body, optionally
    naming the meeting that approved it."""
    version = _transition(actor, version, VersionStatus.APPROVED)
    _check_meeting(actor, meeting, is_public=version.document.is_public,
                   field="approved_meeting")
    version.status = VersionStatus.APPROVED
    version.approved_by = actor
    version.approved_at = timezone.now()
    version.approved_meeting = meeting
    _save_status(version, actor=actor, reason=reason or _("Approved"))
    return version


@transaction.atomic
def version_publish(
    *, actor: Actor, version: DocumentVersion, published_on: dt.date, reason: str = ""
) -> DocumentVersion:
    """Approved → published by the editor; the version published before becomes
    superseded in the same transaction, and the register searches the new text."""
    version = _transition(actor, version, VersionStatus.PUBLISHED)
    if published_on is None:
        raise ValidationError({"published_on": _("Give the publishing date.")})
    previous = (DocumentVersion.objects.select_for_update()
                .filter(document_id=version.document_id, status=VersionStatus.PUBLISHED).first())
    if previous is not None:
        if previous.number > version.number:
            raise _error("__all__", _(
                "Version %(newer)d is already published; an older version cannot replace it.")
                % {"newer": previous.number}, "older_than_published")
        code = rules.transition_refusal(previous.status, VersionStatus.SUPERSEDED, {rules.SYSTEM})
        assert code is None, code
        previous.status = VersionStatus.SUPERSEDED
        _save_status(previous, actor=actor, reason=_("Superseded by version %(n)d")
                     % {"n": version.number})
    version.status = VersionStatus.PUBLISHED
    version.published_by = actor
    version.published_on = published_on
    _save_status(version, actor=actor, reason=reason or _("Published"))
    _refresh_search_text(version.document)
    return version


@transaction.atomic
def version_withdraw(*, actor: Actor, version: DocumentVersion, reason: str) -> DocumentVersion:
    """Draft, in review, approved or published → withdrawn, with a reason. Nothing is
    deleted: the file stays, marked withdrawn."""
    reason = (reason or "").strip()
    version = _transition(actor, version, VersionStatus.WITHDRAWN)
    if not reason:
        raise _error("reason", _("Give the reason for withdrawing the version."),
                     "reason_required")
    was_published = version.status == VersionStatus.PUBLISHED
    version.status = VersionStatus.WITHDRAWN
    version.withdrawn_reason = reason
    version.withdrawn_at = timezone.now()
    _save_status(version, actor=actor, reason=reason)
    if was_published:
        _refresh_search_text(version.document)
    return version


# The workflow steps by the name the pages use.
TRANSITION_SERVICES = {
    VersionStatus.IN_REVIEW: version_submit,
    VersionStatus.DRAFT: version_return,
    VersionStatus.APPROVED: version_approve,
    VersionStatus.PUBLISHED: version_publish,
    VersionStatus.WITHDRAWN: version_withdraw,
}
