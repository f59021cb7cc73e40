"""Small text helpers every app's messages share."""
from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import get_text_list
from django.utils.translation import gettext


def join_names(people: Iterable) -> str:
    """"Anna Andersson, Bo Berg och Cecilia Ek": the ``name`` of each, joined with the
    active language's "and"."""
    return str(get_text_list([p.name for p in people], gettext("and")))
