"""Public pages of a structure: the overview, one page per body and the rules' texts.

The coordinator's week (``/samordning/``) gathers from meetings and documents too, so it
lives in the portal app (portal/week.py)."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import area_chairs, page_sections, rule_texts, selectors
from .models import BodyKind


def structure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A structure: its principals, levels and bodies and the reporting lines between them."""
    return render_structure(request, slug)


def render_structure(request: HttpRequest, slug: str) -> HttpResponse:
    """The overview page of the structure ``slug`` (also the home page's, portal/public.py)."""
    overview = selectors.structure_overview(slug)
    return render(request, "governance/structure.html", {
        "overview": overview,
        "structure": overview.structure,
        "structures": selectors.structure_list(),
        "pictures": selectors.structure_pictures(overview.structure, on=timezone.localdate()),
    })


def body_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A body: mandate, parent and children, seats with members and substitutes, offices."""
    page = selectors.body_page(slug, on=timezone.localdate())
    # The body's coming and past meetings (one query), as far as the meetings' gateway lets
    # the visitor see them (members and coordinators also the non-public ones).
    from meetings.access import visible_meetings_q
    from meetings.selectors import body_meetings

    meetings = body_meetings(page.body, visible=visible_meetings_q(request.user))
    # The structure diagram with this body highlighted; a local group's page also shows
    # the grid of local groups, so the diagram's cluster box points there.
    is_local = page.body.kind == BodyKind.LOCAL_GROUP
    pictures = selectors.structure_pictures(
        page.body.structure, on=page.on, current=page.body.pk,
        cluster_url="#lokal-samverkan" if is_local
        else page.body.structure.get_absolute_url() + "#lokal-samverkan")
    return render(request, "governance/body.html", {
        "page": page, "body": page.body, "meetings": meetings, "pictures": pictures,
        "show_grid": is_local and pictures.grid is not None,
        # H8, H18: a county group's contact politician; sections of the apps above (V3).
        "contact": area_chairs.contact_politician(page.body, on=page.on),
        "sections": page_sections.body_sections(request, page)})


def rules_page(request: HttpRequest) -> HttpResponse:
    """The seeds' rules in Swedish, per structure, each with an anchor (``/regler/#H11``)
    that findings and the coordinator's week link to."""
    return render(request, "governance/rules.html",
                  {"groups": rule_texts.rules_by_structure(),
                   "legend": rule_texts.applies_legend()})
