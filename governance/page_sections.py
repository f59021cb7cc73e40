"""Sections that apps above governance add to the body page (``/organ/<slug>/``).

Governance does not import meetings or documents; an upper app registers a function in
its ``AppConfig.ready`` that returns the context of one section (with the key
``template``, the template that renders it) or ``None`` for no section. The body page
includes each section after the offices. Each function must keep the page's query count
independent of the data (a fixed number of queries).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

BodySection = Callable[[HttpRequest, Any], "dict[str, Any] | None"]

_BODY_SECTIONS: list[BodySection] = []


def register_body_section(section: BodySection) -> BodySection:
    """Add ``section(request, page)`` to the body page (once, however often registered)."""
    if section not in _BODY_SECTIONS:
        _BODY_SECTIONS.append(section)
    return section


def body_sections(request: HttpRequest, page: Any) -> list[dict[str, Any]]:
    """The registered sections' contexts for the body page ``page`` (a ``BodyPage``)."""
    out = []
    for section in _BODY_SECTIONS:
        ctx = section(request, page)
        if ctx:
            out.append(ctx)
    return out
