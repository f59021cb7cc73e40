"""Register documents as papers of agenda items (issue 11, flow 5).

``AgendaPaper`` links an agenda item to a document of the register (the document, not a
version: the paper is always the version in force). ``RegisterPapers`` is the
``meetings.papers.PaperSource`` that ``DocumentsConfig.ready()`` registers, so that the
agenda editor, the meeting page, the agenda PDF and the notice list these documents
with the uploaded papers while meetings never imports documents.

Which documents may be chosen (``attachable_documents``): those with a published
version that the editor may see in the register and the meeting's audience may read:
public documents for a public meeting; for a meeting that is not public, also the
internal documents of the meeting's own bodies (whose members are the audience).
"""
from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from governance.services import Actor, save_with_history
from meetings.models import AgendaItem, Meeting, MeetingStatus
from meetings.papers import Candidate, Found, Paper

from .models import Document, DocumentVersion, VersionStatus

SOURCE = "register"
MAX_RESULTS = 10


class AgendaPaper(models.Model):
    """A register document put on an agenda item as a paper (handling)."""

    item = models.ForeignKey("meetings.AgendaItem", verbose_name=gettext_lazy("agenda item"),
                             on_delete=models.CASCADE, related_name="register_papers")
    document = models.ForeignKey(Document, verbose_name=gettext_lazy("document"),
                                 on_delete=models.PROTECT, related_name="agenda_papers")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("added by"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(gettext_lazy("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        app_label = "documents"
        verbose_name = gettext_lazy("agenda paper from the register")
        verbose_name_plural = gettext_lazy("agenda papers from the register")
        ordering = ["item", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "document"], name="agendapaper_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item} – {self.document}"


# --- reads ------------------------------------------------------------------------------

def attachable_documents(user, meeting: Meeting) -> QuerySet[Document]:
    """The documents ``user`` may put on ``meeting``'s agenda (see the module docstring)."""
    from . import access

    published = Exists(DocumentVersion.objects.filter(document=OuterRef("pk"),
                                                      status=VersionStatus.PUBLISHED))
    audience = Q(is_public=True)
    if not meeting.is_public:
        bodies = [meeting.body_id, *meeting.guest_bodies.values_list("pk", flat=True)]
        audience |= Q(owner_body_id__in=bodies)
    return access.visible_documents(user).filter(published).filter(audience)


def search_attachable(user, meeting: Meeting, query: str, *,
                      limit: int = MAX_RESULTS) -> tuple[list[Document], int]:
    """The first ``limit`` attachable documents matching ``query`` (the register's search;
    without a query, the meeting body's own documents) and how many match (2 queries)."""
    from .selectors import _search

    qs = attachable_documents(user, meeting).select_related("owner_body")
    query = query.strip()[:200]
    if query:
        qs = _search(qs, query)
    else:
        qs = qs.filter(owner_body_id=meeting.body_id).order_by("title", "pk")
    return list(qs[:limit]), qs.count()


# --- writes -----------------------------------------------------------------------------

def _editable(item: AgendaItem) -> None:
    if item.meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"document": _("The meeting is cancelled.")})


@transaction.atomic
def agenda_paper_add(*, actor: Actor, item: AgendaItem, document_id: int,
                     reason: str = "") -> AgendaPaper:
    """Put register document ``document_id`` on ``item`` (refused if the meeting's audience
    may not read it, or it is there already)."""
    item = (AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting")
            .get(pk=item.pk))
    _editable(item)
    document = attachable_documents(actor, item.meeting).filter(pk=document_id).first()
    if document is None:
        raise ValidationError({"document": ValidationError(
            _("This document cannot be a paper of this meeting: it is not published, or "
              "it is internal and the meeting is public."), code="not_attachable")})
    if AgendaPaper.objects.filter(item=item, document=document).exists():
        raise ValidationError({"document": ValidationError(
            _("“%(title)s” is already a paper of this item.") % {"title": document.title},
            code="duplicate")})
    paper = AgendaPaper(item=item, document=document,
                        added_by=actor if getattr(actor, "is_authenticated", False) else None)
    save_with_history(paper, actor=actor,
                      reason=reason or _("Register document attached to the agenda"))
    return paper


@transaction.atomic
def agenda_paper_remove(*, actor: Actor, item: AgendaItem, paper_id: int,
                        reason: str = "") -> None:
    paper = (AgendaPaper.objects.select_related("item__meeting")
             .filter(pk=paper_id, item=item).first())
    if paper is None:
        raise ValidationError({"document": _("That paper is not on this item.")})
    _editable(paper.item)
    paper._history_user = actor if getattr(actor, "is_authenticated", False) else None
    paper._change_reason = reason or _("Register document removed from the agenda")
    paper.delete()


# --- the source meetings lists -----------------------------------------------------------

def _paper(row: AgendaPaper) -> Paper:
    return Paper(source=SOURCE, pk=row.pk, title=row.document.title,
                 url=reverse("documents:detail", kwargs={"pk": row.document_id}),
                 note=_("from the document register"))


class RegisterPapers:
    """``meetings.papers.PaperSource`` for the document register."""

    name = SOURCE

    def papers(self, item_ids: Sequence[int]) -> dict[int, list[Paper]]:
        out: dict[int, list[Paper]] = {}
        rows = (AgendaPaper.objects.filter(item_id__in=list(item_ids))
                .select_related("document").only("id", "item_id", "document__id",
                                                 "document__title").order_by("id"))
        for row in rows:
            out.setdefault(row.item_id, []).append(_paper(row))
        return out

    def search(self, *, user, meeting: Meeting, query: str, limit: int = MAX_RESULTS) -> Found:
        documents, total = search_attachable(user, meeting, query, limit=limit)
        return Found(candidates=[Candidate(pk=d.pk, title=d.title,
                                           note=f"{d.get_kind_display()} · {d.owner_body.name}")
                                 for d in documents], total=total)

    def attach(self, *, actor: Actor, item: AgendaItem, pk: int) -> Paper:
        row = agenda_paper_add(actor=actor, item=item, document_id=pk)
        return _paper(row)

    def detach(self, *, actor: Actor, item: AgendaItem, pk: int) -> None:
        agenda_paper_remove(actor=actor, item=item, paper_id=pk)
