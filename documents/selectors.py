"""Reads the register pages need, each with its joins and a fixed number of queries.

Search: on PostgreSQL the Swedish full-text configuration (snowball stemming, so
"överenskommelse" finds "överenskommelsen"), ranked, title above summary above the
file's text; elsewhere (SQLite in development) every word of the query, stripped of a
common Swedish ending (``rules.swedish_stem``), must occur in the document's search text.
Only ``Document.search_text`` is searched, which holds the title, the summary and the
text of the *published* version: drafts and withdrawn files are never searchable.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from governance.models import Body, Principal, StrategicArea

from . import access, rules
from .access import DocumentAccess, User
from .models import Document, DocumentKind, DocumentVersion, VersionStatus
from .uploads import EXTENSIONS, extension_of

PAGE_SIZE = 20
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_name(version: DocumentVersion, title: str) -> str:
    """A readable file name: the document's title, the version and the extension
    ("Överenskommelse om samverkan v2.pdf"); the download view sends it RFC 5987 encoded."""
    clean = " ".join(_UNSAFE.sub(" ", title).split()).strip(" .")[:150] or "dokument"
    ext = EXTENSIONS.get(version.content_type) or extension_of(version.original_name)
    return f"{clean} v{version.number}{ext}"


@dataclass
class RegisterFilters:
    q: str = ""
    kind: str = ""
    body: int | None = None
    area: int | None = None
    principal: int | None = None
    in_force: bool = False


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def in_force_q(on: dt.date, notice_periods: list[int]) -> Q:
    """Documents whose dates make them apply on ``on`` and that have a published version.

    The end after a termination (handled + notice months) becomes a comparison of the
    handling date per notice period (``rules.termination_cutoff``), so no month
    arithmetic runs in SQL.
    """
    published = Exists(DocumentVersion.objects.filter(document=OuterRef("pk"),
                                                      status=VersionStatus.PUBLISHED))
    not_ended = Q(termination_handled_on__isnull=True)
    for months in notice_periods:
        not_ended |= Q(termination_notice_months=months,
                       termination_handled_on__gte=rules.termination_cutoff(on, months))
    return (Q(published) & (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=on)) & not_ended)


def notice_periods() -> list[int]:
    """The distinct notice periods of terminated documents (one query)."""
    return sorted(set(Document.objects.filter(termination_handled_on__isnull=False)
                      .values_list("termination_notice_months", flat=True).distinct()))


def _search(qs: QuerySet[Document], q: str) -> QuerySet[Document]:
    if is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (SearchVector("title", weight="A", config="swedish")
                  + SearchVector("summary", weight="B", config="swedish")
                  + SearchVector("search_text", weight="C", config="swedish"))
        query = SearchQuery(q, config="swedish", search_type="websearch")
        return (qs.annotate(search=vector, rank=SearchRank(vector, query)).filter(search=query)
                .order_by("-rank", "title", "pk"))
    words = rules.search_words(q)
    for word in words:
        # search_text is stored lower-cased (services.search_text_for).
        qs = qs.filter(search_text__contains=word)
    return qs


def _published_prefetch() -> Prefetch:
    return Prefetch("versions", to_attr="published_versions",
                    queryset=DocumentVersion.objects.filter(status=VersionStatus.PUBLISHED)
                    .only("id", "document_id", "number", "status", "published_on", "size",
                          "content_type", "original_name"))


def register_documents(user: User | None, filters: RegisterFilters) -> QuerySet[Document]:
    """The documents of the register that ``user`` may see, filtered and searched."""
    qs = access.visible_documents(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.body:
        qs = qs.filter(owner_body_id=filters.body)
    if filters.area:
        qs = qs.filter(Exists(Document.areas.through.objects.filter(
            document_id=OuterRef("pk"), strategicarea_id=filters.area)))
    if filters.principal:
        qs = qs.filter(Exists(Document.principals.through.objects.filter(
            document_id=OuterRef("pk"), principal_id=filters.principal)))
    if filters.in_force:
        qs = qs.filter(in_force_q(timezone.localdate(), notice_periods()))
    qs = qs.select_related("owner_body").prefetch_related(
        _published_prefetch(), Prefetch("areas", StrategicArea.objects.order_by("position")),
        Prefetch("principals", Principal.objects.order_by("name")))
    if filters.q.strip():
        return _search(qs, filters.q.strip())
    return qs.order_by("title", "pk")


@dataclass
class RegisterPage:
    page: Page
    documents: list[Document]
    filters: RegisterFilters
    in_force_ids: set[int] = field(default_factory=set)


def register_page(user: User | None, filters: RegisterFilters, page_number: str | int = 1
                  ) -> RegisterPage:
    """One page of the register; each document gets ``current`` (its published version or
    None) and ``in_force``. A fixed number of queries however many documents there are."""
    qs = register_documents(user, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    documents = list(page.object_list)
    today = timezone.localdate()
    for doc in documents:
        published = getattr(doc, "published_versions", [])
        doc.current = published[0] if published else None
        if doc.current is not None:
            doc.current.download_name = download_name(doc.current, doc.title)
        doc.validity = rules.Validity(
            valid_from=doc.valid_from, valid_until=doc.valid_until,
            until_further_notice=doc.until_further_notice,
            termination_notice_months=doc.termination_notice_months,
            termination_handled_on=doc.termination_handled_on)
        doc.in_force = doc.current is not None and doc.validity.in_force_on(today)
    return RegisterPage(page=page, documents=documents, filters=filters)


def filter_choices() -> dict[str, list]:
    """The bodies, areas and principals the register's filters offer (three queries)."""
    with_docs = Document.objects.filter(owner_body_id=OuterRef("pk"))
    return {
        "bodies": list(Body.objects.filter(Exists(with_docs)).order_by("structure_id", "position",
                                                                         "name")
                       .only("id", "name")),
        "areas": list(StrategicArea.objects.select_related("structure")
                      .order_by("structure_id", "position")),
        "principals": list(Principal.objects.filter(documents__isnull=False).distinct()
                           .order_by("name").only("id", "name")),
    }


# --- the document page ------------------------------------------------------------------

@dataclass
class DocumentPage:
    access: DocumentAccess
    document: Document
    current: DocumentVersion | None
    versions: list[DocumentVersion]
    validity: rules.Validity
    in_force: bool
    areas: list[StrategicArea]
    principals: list[Principal]


def document_page(acc: DocumentAccess) -> DocumentPage:
    """The document with the versions ``acc`` may see, newest first (fixed queries)."""
    document = acc.document
    versions_qs = (DocumentVersion.objects.filter(document=document)
                   .select_related("uploaded_by", "approved_by", "approved_meeting",
                                   "published_by")
                   .order_by("-number"))
    if not acc.sees_internal:
        versions_qs = versions_qs.filter(status__in=access.PUBLIC_STATUSES)
    versions = list(versions_qs)
    for version in versions:
        version.download_name = download_name(version, document.title)
    current = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    validity = rules.Validity(
        valid_from=document.valid_from, valid_until=document.valid_until,
        until_further_notice=document.until_further_notice,
        termination_notice_months=document.termination_notice_months,
        termination_handled_on=document.termination_handled_on)
    return DocumentPage(
        access=acc, document=document, current=current, versions=versions, validity=validity,
        in_force=current is not None and validity.in_force_on(timezone.localdate()),
        areas=list(document.areas.order_by("position")),
        principals=list(document.principals.order_by("name")),
    )


def feed_versions(limit: int = 30) -> list[DocumentVersion]:
    """The most recently published versions of public documents (one query)."""
    return list(DocumentVersion.objects.filter(
        document__is_public=True, published_on__isnull=False,
        status__in=access.PUBLIC_STATUSES).select_related("document__owner_body")
        .order_by("-published_on", "-id")[:limit])


def latest_published(structure_id: int, *, limit: int = 5) -> list[DocumentVersion]:
    """The structure's most recently published versions of public documents (one query)."""
    return list(DocumentVersion.objects.filter(
        document__is_public=True, document__owner_body__structure_id=structure_id,
        published_on__isnull=False, status=VersionStatus.PUBLISHED)
        .select_related("document__owner_body").order_by("-published_on", "-id")[:limit])


def search_documents(user: User | None, q: str, *, limit: int = PAGE_SIZE):
    """The register's search (``register_documents``) for the site's one search: the
    first ``limit`` documents ``user`` may see and how many match in all (2 queries).

    Minutes registered from a meeting are left out: the search shows them once, in its
    own "minutes" group (``meetings.search``)."""
    from governance.selectors import SearchHits

    qs = register_documents(user, RegisterFilters(q=q)).exclude(
        kind=DocumentKind.MINUTES, decided_at__isnull=False)
    return SearchHits(items=list(qs.prefetch_related(None).select_related("owner_body")[:limit]),
                      total=qs.count())
