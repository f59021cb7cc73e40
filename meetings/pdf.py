"""PDFs of agendas and minutes, rendered from templates by WeasyPrint.

One helper, ``render_pdf``, with a URL fetcher that refuses everything but the project's
own static files (found through the staticfiles finders) and inline ``data:`` URLs: a
template (or a title typed by a user) can never make the renderer read a local file or
call out to another host. The PDFs are tagged and, with WeasyPrint 63 or later, made as
PDF/UA-1, with the document title and ``lang="sv"`` set, for the accessibility law (DOS).
"""
from __future__ import annotations

import functools
import logging
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import papers
from .models import Meeting, Minutes

log = logging.getLogger(__name__)

# The pdf_variant "pdf/ua-1" appeared in WeasyPrint 63; tagging (pdf_tags) in 63 too.
_WEASY_MAJOR = int(weasyprint.__version__.split(".")[0])
PDF_UA = _WEASY_MAJOR >= 63
# Relative URLs in the templates resolve against this (never fetched over the network).
BASE_URL = "https://halsam.invalid/"


class StaticOnlyFetcher(URLFetcher):
    """Serves static files of the project and data: URLs; refuses anything else."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static_prefix = urlsplit(BASE_URL.rstrip("/") + settings.STATIC_URL)
        if (parts.scheme, parts.netloc) == (static_prefix.scheme, static_prefix.netloc) \
                and parts.path.startswith(static_prefix.path):
            relative = unquote(parts.path[len(static_prefix.path):])
            found = finders.find(relative) if ".." not in relative.split("/") else None
            if found:
                with open(found, "rb") as fh:
                    return URLFetcherResponse(url, body=fh.read())
        log.warning("pdf: refused to fetch %s", url)
        raise ValueError(f"refused to fetch {url}")


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template to a tagged (PDF/UA where possible) PDF in Swedish."""
    with translation.override("sv"):
        html = render_to_string(template, {**context, "base_url": BASE_URL})
    return _html_to_pdf(html)


# The same HTML gives the same PDF: a notice batch attaches one agenda to every recipient,
# so laying it out once per batch (not once per e-mail) is what keeps sending fast.
@functools.lru_cache(maxsize=16)
def _html_to_pdf(html: str) -> bytes:
    options: dict = {"pdf_tags": True, "pdf_identifier": None}
    if PDF_UA:
        options["pdf_variant"] = "pdf/ua-1"
    document = weasyprint.HTML(string=html, base_url=BASE_URL,
                               url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(**options)


def _meeting_context(meeting: Meeting, *, with_video: bool = False) -> dict:
    items = papers.annotate(meeting.items.all())
    return {"meeting": meeting, "items": items, "body": meeting.body,
            "guests": list(meeting.guest_bodies.all()), "with_video": with_video}


def agenda_pdf(meeting: Meeting, *, with_video: bool = False) -> bytes:
    """The agenda (föredragningslista) of a meeting. ``with_video`` only for the notice's
    attachment and for those who see the video link on the meeting page (issue 12 §4)."""
    return render_pdf("meetings/pdf/agenda.html",
                      _meeting_context(meeting, with_video=with_video))


def minutes_pdf(meeting: Meeting, *, draft: bool = False) -> bytes:
    """The minutes: notes, decisions and recommendations per item (with its § number),
    attendance, approval. ``draft`` marks minutes not yet published as a draft. Never the
    video link: published minutes become a public register document."""
    context = _meeting_context(meeting)
    context["draft"] = draft
    context["attendance"] = list(
        meeting.attendance.select_related("person", "in_place_of").order_by(
            "person__last_name", "person__first_name"))
    minutes = (Minutes.objects.select_related("approved_by")
               .prefetch_related("checkers", "signatures__person")
               .filter(meeting=meeting).first())
    context["minutes"] = minutes
    context["checkers"] = list(minutes.checkers.all()) if minutes else []
    # Every checker who approved in the current round (issue 11: all of them sign).
    context["signatures"] = minutes.round_signatures() if minutes else []
    return render_pdf("meetings/pdf/minutes.html", context)
