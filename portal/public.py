"""The public front of the site: the home page ``/``.

It gathers from every app (the structure, its meetings, its published documents), so it
lives here, above them. URL namespace ``public``.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from governance import selectors
from governance.views import render_structure


def home(request: HttpRequest) -> HttpResponse:
    """The default structure's overview, or a notice that nothing is loaded yet."""
    structure = selectors.structure_default()
    if structure is None:
        return render(request, "governance/empty.html", status=200)
    return render_structure(request, structure.slug)


app_name = "public"
urlpatterns = [
    path("", home, name="home"),
]
