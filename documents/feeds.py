"""/dokument/feed/: an Atom feed of newly published versions of public documents."""
from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.rules import STOCKHOLM

from . import selectors
from .models import DocumentVersion


class PublishedDocumentsFeed(Feed):
    """The 30 most recently published versions; superseded ones stay in the feed (they
    were news when published), internal documents never appear."""

    feed_type = Atom1Feed
    title = gettext_lazy("Published documents")
    subtitle = gettext_lazy("Agreements, guidelines, routines and minutes newly published in "
                            "the document register.")
    link = reverse_lazy("documents:register")

    def items(self) -> list[DocumentVersion]:
        return selectors.feed_versions()

    def item_title(self, item: DocumentVersion) -> str:
        return _("%(title)s, version %(number)d") % {"title": item.document.title,
                                                     "number": item.number}

    def item_description(self, item: DocumentVersion) -> str:
        parts = [item.document.get_kind_display(), item.document.owner_body.name]
        if item.document.summary:
            parts.append(item.document.summary)
        if item.change_note:
            parts.append(item.change_note)
        return " – ".join(str(p) for p in parts)

    def item_link(self, item: DocumentVersion) -> str:
        return reverse("documents:detail", kwargs={"pk": item.document_id})

    def item_guid(self, item: DocumentVersion) -> str:
        return f"document-version-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: DocumentVersion) -> dt.datetime:
        return dt.datetime.combine(item.published_on, dt.time(0, 0), tzinfo=STOCKHOLM)

    def item_updateddate(self, item: DocumentVersion) -> dt.datetime:
        return self.item_pubdate(item)
