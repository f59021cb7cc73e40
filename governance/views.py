"""Public pages of a structure: the overview and one page per body."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import checks, reminders, selectors
from .forms_public import DashboardFilterForm


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
    })


def body_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A body: mandate, parent and children, seats with members and substitutes, offices."""
    page = selectors.body_page(slug, on=timezone.localdate())
    # The body's coming and past meetings (one query); non-public ones for staff only.
    from meetings.selectors import body_meetings

    meetings = body_meetings(page.body, include_private=request.user.is_staff)
    return render(request, "governance/body.html",
                  {"page": page, "body": page.body, "meetings": meetings})


@login_required
@permission_required("governance.coordinate", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The coordinator's overview: per body the offices now and next period, findings,
    elections due and vacancies; filtered by structure and level."""
    form = DashboardFilterForm(request.GET or None)
    structure_slug = kind = None
    if form.is_valid():
        structure_slug = (form.cleaned_data["structure"].slug
                          if form.cleaned_data["structure"] else None)
        kind = form.cleaned_data["kind"] or None
    on = timezone.localdate()
    statuses = checks.body_statuses(on=on, structure_slug=structure_slug, kind=kind)
    slugs = {s.body.slug for s in statuses}
    vacancies = [r for r in reminders.vacancies(on=on, structure_slug=structure_slug)
                 if r.body_slug in slugs]
    other = [r for r in reminders.ended_without_successor(on=on, structure_slug=structure_slug)
             + reminders.term_change(on=on, structure_slug=structure_slug) if r.body_slug in slugs]
    by_body: dict[str, list] = {}
    for r in vacancies + other:
        by_body.setdefault(r.body_slug, []).append(r)
    rows = [(s, by_body.get(s.body.slug, [])) for s in statuses]
    counts = {"error": 0, "warning": 0}
    for s in statuses:
        for f in s.findings:
            if f.severity in counts:
                counts[f.severity] += 1
    counts["warning"] += len(vacancies) + len(other)
    return render(request, "governance/dashboard.html", {
        "form": form, "rows": rows, "on": on, "counts": counts,
        "elections": [s for s in statuses if s.election],
    })
