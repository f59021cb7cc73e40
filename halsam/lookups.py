"""``__in`` on integer fields without the values no integer column can hold (issue 12 §6).

Django already answers ``id=18446744073709551616`` with "no rows" (its integer lookups
know the column's range), but ``id__in=[18446744073709551616]`` reaches the database:
SQLite cannot bind an integer beyond 64 bits (``OverflowError``), a server error from a
form's multiple choice or an admin filter. Such a value can match no row, so it is left
out of the list; an empty list matches nothing, as Django's ``__in`` does.

Registered on ``IntegerField`` (and so on ``AutoField``, ``BigAutoField`` and the other
integer fields) when the project's admin app is ready (``halsam/apps.py``).
"""
from __future__ import annotations

from django.db import connection
from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def get_prep_lookup(self):
        prepared = super().get_prep_lookup()
        if not isinstance(prepared, list | tuple | set | frozenset):
            return prepared  # a subquery or an expression
        field = self.lhs.output_field
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        low = -(2**63) if low is None else low
        high = 2**63 - 1 if high is None else high
        return [v for v in prepared if not isinstance(v, int) or low <= v <= high]
