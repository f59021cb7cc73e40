"""Published minutes in the document register, as kind "protokoll" (issue 11, flow 4).

``register_minutes`` receives ``meetings.signals.minutes_published``, which is sent inside
the transaction that publishes the minutes; anything it raises rolls the publishing back,
so the minutes and their register entry are published together or not at all.

For the meeting it finds, or creates, the Document of kind ``minutes`` decided at that
meeting and owned by the meeting's body, and gives it a published version whose file is
the minutes PDF (``meetings.pdf.minutes_pdf``, a tagged PDF) checked and described as an
upload is (``documents.uploads``: type, size, SHA-256, text for search). A meeting that
is not public gives an internal document (``is_public`` False): ``documents.access``
then shows it to the body's members, the coordinators and the editors only.

Idempotent: when the document's version in force already has the same file (same
SHA-256) nothing is written; a re-published meeting with other minutes gets a new
version, and the one before becomes superseded. The machine accessibility check is run
and stored; the editor's checklist stays for the editor (the editor's queue lists it).

The publisher's authority comes from the meetings side (who may publish minutes); the
register's own permission checks (``services.document_create``) are therefore not
applied here, but every row is saved with the publisher as actor and a reason.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.services import save_with_history
from halsam.formats.dates import plain_date

from . import accessibility, services, uploads
from .models import Document, DocumentKind, DocumentVersion, VersionStatus

log = logging.getLogger(__name__)


def minutes_title(meeting) -> str:
    """"Protokoll Länsledningen 12 mars 2026" (Swedish through the catalogue)."""
    return _("Minutes %(body)s %(day)s") % {"body": meeting.body.name,
                                            "day": plain_date(timezone.localdate(meeting.start))}


def minutes_document(meeting) -> Document | None:
    """The register's "protokoll" entry of ``meeting``, if it has one."""
    return (Document.objects.filter(kind=DocumentKind.MINUTES, decided_at=meeting)
            .order_by("pk").first())


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def minutes_register(*, minutes, actor=None) -> DocumentVersion | None:
    """Put the published ``minutes`` in the register; the version in force afterwards, or
    None when it was already there unchanged."""
    with translation.override(settings.LANGUAGE_CODE):  # stored text is in Swedish
        return _register(minutes, actor)


def _register(minutes, actor) -> DocumentVersion | None:
    from meetings import pdf

    meeting = minutes.meeting
    body = meeting.body
    data = pdf.minutes_pdf(meeting)
    day = timezone.localdate(meeting.start)
    name = f"protokoll-{body.slug}-{day.isoformat()}.pdf"
    inspected = uploads.inspect_upload(ContentFile(data, name=name), name)
    reason = _("Minutes published: %(meeting)s") % {"meeting": meeting}

    document = minutes_document(meeting)
    if document is None:
        document = Document(
            title=minutes_title(meeting), kind=DocumentKind.MINUTES, owner_body=body,
            summary=(minutes.summary or "").strip(), valid_from=day,
            is_public=meeting.is_public, decided_at=meeting)
        document.search_text = services.search_text_for(document, None)
        save_with_history(document, actor=actor, reason=reason)
        area = meeting.area or body.area
        if area is not None:
            document.areas.add(area)
    else:
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.is_public and not meeting.is_public:
            # The meeting became internal: so do its minutes.
            document.is_public = False
            save_with_history(document, actor=actor, reason=reason)
    current = (DocumentVersion.objects.select_for_update()
               .filter(document=document, status=VersionStatus.PUBLISHED).first())
    if current is not None and current.sha256 == inspected.sha256:
        return None  # the same minutes are already in force

    number = (DocumentVersion.objects.filter(document=document)
              .aggregate(n=Max("number"))["n"] or 0) + 1
    published_at = minutes.published_at or timezone.now()
    checker = minutes.approved_by
    version = DocumentVersion(
        document=document, number=number, original_name=name, sha256=inspected.sha256,
        size=inspected.size, content_type=inspected.content_type, uploaded_by=_user(actor),
        change_note=_("Approved minutes, published on the meeting page."),
        extracted_text=inspected.text, status=VersionStatus.PUBLISHED,
        approved_by=getattr(checker, "user", None) if checker is not None else None,
        approved_at=minutes.approved_at or published_at, approved_meeting=meeting,
        published_by=_user(actor), published_on=timezone.localdate(published_at))
    if current is not None:
        current.status = VersionStatus.SUPERSEDED
        save_with_history(current, actor=actor, reason=_("Superseded by version %(n)d")
                          % {"n": number})
    version.file.save(name, ContentFile(data), save=False)
    save_with_history(version, actor=actor, reason=reason)
    services._refresh_search_text(document)
    accessibility.machine_check_on_commit(version, actor=actor)  # once, in the worker
    return version


def register_minutes(sender, *, minutes, actor=None, **kwargs) -> None:
    """The receiver of ``meetings.signals.minutes_published`` (connected in
    ``DocumentsConfig.ready``)."""
    minutes_register(minutes=minutes, actor=actor)
