"""The papers of agenda items, whoever keeps them: one list per item.

An item's papers are the files uploaded to it (``AgendaAttachment``) and what other apps
link to it. meetings must not import documents, so the document register plugs in here:
``documents`` registers a ``PaperSource`` from its ``AppConfig.ready()``
(``documents/agenda_papers.py``), and the agenda editor, the meeting page, the agenda PDF
and the notice list every item's papers through ``annotate``, in one query per source
however many items there are. An uploaded paper is checked by the register's inspection
(``inspect_upload``, registered the same way), so both paths refuse the same files.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .models import AgendaAttachment

if TYPE_CHECKING:
    from governance.services import Actor

    from .models import AgendaItem, Meeting

UPLOAD = "upload"


@dataclass(frozen=True)
class Paper:
    """One paper of an item, as the pages list it."""

    source: str  # UPLOAD or the registered source's name
    pk: int  # the row in its source (AgendaAttachment, AgendaPaper …)
    title: str
    url: str
    size: int | None = None
    note: str = ""  # e.g. "from the document register"


@dataclass(frozen=True)
class Candidate:
    """Something a source can attach (a register document), for the chooser."""

    pk: int
    title: str
    note: str = ""


@dataclass(frozen=True)
class Found:
    candidates: list[Candidate]
    total: int


class PaperSource(Protocol):
    """What another app gives to list, find, attach and detach its papers."""

    name: str

    def papers(self, item_ids: Sequence[int]) -> dict[int, list[Paper]]:
        """The papers of each item (one query for all of them)."""

    def search(self, *, user, meeting: Meeting, query: str, limit: int) -> Found:
        """What may be attached to ``meeting``'s items by ``user``, at most ``limit``."""

    def attach(self, *, actor: Actor, item: AgendaItem, pk: int) -> Paper:
        """Attach candidate ``pk``; ``ValidationError`` keyed by field when it may not be."""

    def detach(self, *, actor: Actor, item: AgendaItem, pk: int) -> None:
        """Remove the paper ``pk`` from ``item``."""


class Inspection(Protocol):
    """What the upload inspection found out about an accepted file."""

    content_type: str
    extension: str
    size: int


# ``inspector(file, name, *, max_bytes)``: the one inspection of uploads, the document
# register's (``documents.uploads.inspect_upload``), registered from its ``ready()``;
# raises ``ValidationError`` on the ``file`` field.
Inspector = Callable[..., Inspection]
_inspector: list[Inspector] = []


def register_inspector(inspector: Inspector) -> None:
    """Called from the documents app's ``ready()``; a second call replaces the first."""
    _inspector[:] = [inspector]


def inspect_upload(file: IO[bytes], name: str, *, max_bytes: int) -> Inspection:
    """Check an agenda paper exactly as the register checks its uploads (issue 12 §3):
    type by content, the name's extension, the package and XML limits."""
    if not _inspector:
        raise ImproperlyConfigured("No upload inspection is registered: the documents "
                                   "app must be installed to accept agenda papers.")
    return _inspector[0](file, name, max_bytes=max_bytes)


_sources: dict[str, PaperSource] = {}


def register(source: PaperSource) -> None:
    """Called from an app's ``ready()``; registering the same name again replaces it."""
    _sources[source.name] = source


def source(name: str) -> PaperSource | None:
    return _sources.get(name)


def sources() -> list[PaperSource]:
    return list(_sources.values())


def _uploads(items: Sequence[AgendaItem]) -> dict[int, list[Paper]]:
    meeting_of = {it.pk: it.meeting_id for it in items}
    out: dict[int, list[Paper]] = {}
    rows = (AgendaAttachment.objects.filter(item_id__in=list(meeting_of))
            .only("id", "item_id", "title", "size").order_by("id"))
    for a in rows:
        out.setdefault(a.item_id, []).append(Paper(
            source=UPLOAD, pk=a.pk, title=a.title, size=a.size,
            url=reverse("meetings:attachment", kwargs={"pk": meeting_of[a.item_id],
                                                       "attachment_pk": a.pk})))
    return out


def annotate(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    """Give every item ``papers``: uploads first, then each source's, in a fixed number
    of queries (one for the uploads, one per registered source)."""
    items = list(items)
    if not items or all(hasattr(it, "papers") for it in items):
        # Already done: a notice batch renders the same prefetched items per recipient.
        return items
    found = [_uploads(items)]
    ids = [it.pk for it in items]
    found.extend(src.papers(ids) for src in _sources.values())
    for it in items:
        it.papers = [p for per_source in found for p in per_source.get(it.pk, [])]
    return items
