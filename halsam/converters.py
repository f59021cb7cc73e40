"""Path converters with bounds (issue 12 §6): an absurd value is a 404, never a 500.

Registered when this module is imported (``halsam/urls.py`` and every app ``urls.py``
that uses it import it).

``<year:year>``: a year from ``FIRST_YEAR`` to ``LAST_YEAR`` (halsam/validators.py).
A converter's ``to_python`` raising ``ValueError`` makes the pattern not match.
"""
from __future__ import annotations

from django.urls import register_converter

from .validators import FIRST_YEAR, LAST_YEAR


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year {year} out of range")
        return year

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


register_converter(YearConverter, "year")
