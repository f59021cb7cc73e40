"""The public front of the site: the home page ``/`` and the one search ``/sok/``.

Both gather from every app (the structure, its meetings, its published documents), so
they live here, above them. URL namespace ``public``. Each app answers for its own part
and for who may see what: governance (bodies are public), ``meetings.search`` (through
``meetings.access``) and the documents register's search (through ``documents.access``).
"""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from documents import selectors as document_selectors
from governance import selectors
from governance.selectors import SearchHits
from meetings import search as meeting_search
from meetings import selectors as meeting_selectors

HOME_MEETINGS = 5
HOME_DOCUMENTS = 5
QUERY_MIN, QUERY_MAX = 2, 100


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=QUERY_MAX, strip=True,
        help_text=_("Bodies, meetings, agenda items, published minutes and documents."),
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
    )

    def clean_q(self) -> str:
        q = " ".join(self.cleaned_data["q"].split())
        if q and len(q) < QUERY_MIN:
            raise forms.ValidationError(
                ngettext("Write at least %(count)d character.",
                         "Write at least %(count)d characters.", QUERY_MIN),
                code="min_length", params={"count": QUERY_MIN})
        return q


def home(request: HttpRequest) -> HttpResponse:
    """The default structure: what it is, its picture, its next public meetings, its latest
    published documents and the search box; or a notice that nothing is loaded yet."""
    structure = selectors.structure_default()
    if structure is None:
        return render(request, "governance/empty.html", status=200)
    overview = selectors.structure_overview(structure.slug)
    pictures = selectors.structure_pictures(
        overview.structure, on=timezone.localdate(),
        cluster_url=structure.get_absolute_url() + "#lokal-samverkan")
    return render(request, "portal/public/home.html", {
        "structure": overview.structure,
        "overview": overview,
        "pictures": pictures,
        "meetings": meeting_selectors.next_public_meetings(structure.pk, limit=HOME_MEETINGS),
        "documents": document_selectors.latest_published(structure.pk, limit=HOME_DOCUMENTS),
        "form": SearchForm(),
    })


@dataclass
class ResultGroup:
    """One kind of result on the search page."""

    key: str
    heading: str
    hits: SearchHits
    more_url: str = ""


def _groups(user, q: str) -> list[ResultGroup]:
    bodies = selectors.search_bodies(q)
    found = meeting_search.search(user, q)
    documents = document_selectors.search_documents(user, q, limit=selectors.SEARCH_LIMIT)

    # ngettext with literal strings, so that makemessages finds them.
    n = {"bodies": bodies.total, "meetings": found.meetings.total, "items": found.items.total,
         "minutes": found.minutes.total, "documents": documents.total}
    return [
        ResultGroup("bodies", ngettext("%(count)d body", "%(count)d bodies", n["bodies"])
                    % {"count": n["bodies"]}, bodies),
        ResultGroup("meetings", ngettext("%(count)d meeting", "%(count)d meetings",
                                         n["meetings"]) % {"count": n["meetings"]},
                    found.meetings),
        ResultGroup("items", ngettext("%(count)d agenda item", "%(count)d agenda items",
                                      n["items"]) % {"count": n["items"]}, found.items),
        ResultGroup("minutes", ngettext("%(count)d set of minutes", "%(count)d sets of minutes",
                                        n["minutes"]) % {"count": n["minutes"]}, found.minutes),
        ResultGroup("documents", ngettext("%(count)d document", "%(count)d documents",
                                          n["documents"]) % {"count": n["documents"]}, documents,
                    more_url=reverse("documents:register") + "?" + urlencode({"q": q})),
    ]


def search(request: HttpRequest) -> HttpResponse:
    """The one search: bodies, meetings, agenda items, published minutes and documents,
    grouped by kind with their counts, each kind bounded; only what the user may see."""
    form = SearchForm(request.GET or None)
    q = ""
    groups: list[ResultGroup] = []
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"]
        if q:
            groups = _groups(request.user, q)
    return render(request, "portal/public/search.html", {
        "form": form, "q": q, "groups": groups,
        "total": sum(g.hits.total for g in groups),
        "limit": selectors.SEARCH_LIMIT,
    })


app_name = "public"
urlpatterns = [
    path("", home, name="home"),
    path("sok/", search, name="search"),
]
