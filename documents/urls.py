"""The register (/dokument/ …), the editor's pages (/redaktion/) and /tillganglighet/."""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.http import HttpRequest, HttpResponse
from django.urls import path

from . import views
from .feeds import PublishedDocumentsFeed

app_name = "documents"


def _editorial(name: str) -> Callable[..., HttpResponse]:
    """A view of ``documents.editorial_views``, imported on first use so this module does
    not depend on that one at import time (management commands, checks, partial setups)."""
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        module = import_module("documents.editorial_views")
        return getattr(module, name)(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = name
    return view


urlpatterns = [
    path("dokument/", views.register, name="register"),
    path("dokument/feed/", PublishedDocumentsFeed(), name="feed"),
    path("dokument/ny/", views.create, name="create"),
    path("dokument/<int:pk>/", views.detail, name="detail"),
    path("dokument/<int:pk>/andra/", views.edit, name="edit"),
    path("dokument/<int:pk>/ny-version/", views.upload, name="upload"),
    path("dokument/<int:pk>/uppsagning/", views.terminate, name="terminate"),
    path("dokument/<int:pk>/v<int:number>/steg/<slug:step>/", views.transition,
         name="transition"),
    path("dokument/<int:pk>/v<int:number>/<str:filename>", views.download, name="download"),
    # The editor's pages (documents/editorial_views.py).
    path("redaktion/", _editorial("editor_queue"), name="editor_queue"),
    path("redaktion/version/<int:pk>/tillganglighet/", _editorial("version_accessibility"),
         name="version_accessibility"),
    path("tillganglighet/", _editorial("accessibility_statement"),
         name="accessibility_statement"),
    path("tillganglighet/redigera/", _editorial("accessibility_statement_edit"),
         name="accessibility_statement_edit"),
]
