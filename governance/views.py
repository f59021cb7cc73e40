"""Public pages of a structure: the overview and one page per body."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The default structure's overview, or a notice that nothing is loaded yet."""
    structure = selectors.structure_default()
    if structure is None:
        return render(request, "governance/empty.html", status=200)
    return _structure(request, structure.slug)


def structure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A structure: its principals, levels and bodies and the reporting lines between them."""
    return _structure(request, slug)


def _structure(request: HttpRequest, slug: str) -> HttpResponse:
    overview = selectors.structure_overview(slug)
    return render(request, "governance/structure.html", {
        "overview": overview,
        "structure": overview.structure,
        "structures": selectors.structure_list(),
    })


def body_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A body: mandate, parent and children, seats with members and substitutes, offices."""
    page = selectors.body_page(slug, on=timezone.localdate())
    return render(request, "governance/body.html", {"page": page, "body": page.body})
