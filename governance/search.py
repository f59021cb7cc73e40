"""Searches that ignore diacritics and case: "harnosand" finds "Härnösand", "Timrå" "Timra".

``unaccent`` is a transform on every ``CharField`` and ``TextField`` (``EmailField`` and
``SlugField`` included): ``body__name__unaccent__icontains="Timrå"``. It strips the
diacritics from *both* sides of the comparison, so the term may be typed either way:

- on PostgreSQL it compiles to the ``unaccent`` extension's ``UNACCENT(...)`` (created by
  the migration ``governance/migrations/0004_unaccent_extension.py``);
- on SQLite to ``HALSAM_UNACCENT(...)``, the Python function :func:`fold_diacritics`,
  registered on every SQLite connection as it is opened (``connection_created``);
- elsewhere it leaves the text as it is.

Case is the ``icontains`` lookup's business (``UPPER(...) LIKE`` on PostgreSQL; SQLite's
``LIKE`` ignores the case of ASCII letters, which is all that is left after folding
Swedish text).

:class:`DiacriticSearchMixin` makes a ``ModelAdmin``'s ``search_fields`` (and so its
autocomplete search) go through ``unaccent`` without spelling it in every list: each
plain text field in ``search_fields`` is searched as ``<field>__unaccent__icontains``.
Django's admin semantics stay: every word of the term must match some field.
"""
from __future__ import annotations

import unicodedata

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.backends.signals import connection_created
from django.db.models import lookups
from django.db.models.constants import LOOKUP_SEP

SQLITE_FUNCTION = "HALSAM_UNACCENT"

# Letters that Unicode does not decompose into a base letter and a mark; as PostgreSQL's
# unaccent.rules map them.
_LIGATURES = str.maketrans({
    "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ß": "ss",
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "ı": "i",
})


def fold_diacritics(text: str | None) -> str | None:
    """``"Härnösand"`` → ``"Harnosand"``, ``"Sámi"`` → ``"Sami"``: the letters without marks.

    Case is kept. ``None`` stays ``None`` (SQL NULL).
    """
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Unaccent(models.Transform):
    """The text without diacritics (see the module's docstring for each database)."""

    lookup_name = "unaccent"
    function = "UNACCENT"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION,
                              **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)

    def as_sql(self, compiler, connection, **extra_context):
        # Another database: no folding, the plain column (still case-insensitive below).
        return compiler.compile(self.lhs)


class _UnaccentRhsMixin:
    """Folds the searched term in the database too, with the same function as the column."""

    def process_rhs(self, compiler, connection):
        sql, params = super().process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"UNACCENT({sql})", params
        if connection.vendor == "sqlite":
            return f"{SQLITE_FUNCTION}({sql})", params
        return sql, params


@Unaccent.register_lookup
class UnaccentIContains(_UnaccentRhsMixin, lookups.IContains):
    pass


@Unaccent.register_lookup
class UnaccentIExact(_UnaccentRhsMixin, lookups.IExact):
    pass


@Unaccent.register_lookup
class UnaccentIStartsWith(_UnaccentRhsMixin, lookups.IStartsWith):
    pass


@Unaccent.register_lookup
class UnaccentExact(_UnaccentRhsMixin, lookups.Exact):
    pass


def _register_sqlite_function(connection) -> None:
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold_diacritics,
                                              deterministic=True)


def _on_connection_created(sender, connection, **kwargs) -> None:
    _register_sqlite_function(connection)


def register() -> None:
    """Register the transform and the SQLite function (``GovernanceConfig.ready``)."""
    models.CharField.register_lookup(Unaccent)
    models.TextField.register_lookup(Unaccent)
    connection_created.connect(_on_connection_created, dispatch_uid="halsam.unaccent")
    for connection in connections.all(initialized_only=True):
        _register_sqlite_function(connection)  # opened before the app was ready


def unaccent_search_field(model: type[models.Model], field_name: str) -> str:
    """``"body__name"`` → ``"body__name__unaccent"`` when it ends in a text field.

    Fields with a prefix (``^``, ``=``, ``@``), an explicit lookup or a non-text target
    (a number, a date) are returned unchanged.
    """
    if field_name[:1] in "^=@":
        return field_name
    opts = model._meta
    field = None
    for part in field_name.split(LOOKUP_SEP):
        try:
            field = opts.get_field(opts.pk.name if part == "pk" else part)
        except FieldDoesNotExist:
            return field_name  # a lookup or transform is spelt out already
        if field.is_relation and field.related_model is not None:
            opts = field.related_model._meta
    if isinstance(field, models.CharField | models.TextField) and not field.is_relation:
        return f"{field_name}{LOOKUP_SEP}{Unaccent.lookup_name}"
    return field_name


class DiacriticSearchMixin:
    """For ``ModelAdmin``: search every text field of ``search_fields`` ignoring diacritics.

    The changelist search and the autocomplete views (which call ``get_search_results``)
    both use it.
    """

    def get_search_fields(self, request):
        return [unaccent_search_field(self.model, str(name))
                for name in super().get_search_fields(request)]
