"""One named lock per job, held until the current transaction ends.

Periodic jobs that read a whole table and then write the difference (the permission sync)
must not interleave with a second run of themselves. On PostgreSQL the lock is a
transaction-scoped advisory lock (``pg_advisory_xact_lock``), released by the commit or
rollback; a second run waits for the first and then sees its result. On SQLite nothing is
needed: the project opens every transaction with ``BEGIN IMMEDIATE``
(``halsam/settings.py``), which already lets one writer in at a time.
"""
from __future__ import annotations

import hashlib

from django.db import DEFAULT_DB_ALIAS, transaction


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


def transaction_lock(name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Take the lock ``name`` for the rest of the current transaction (must be inside an
    atomic block; waits while another transaction holds it)."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "transaction_lock() needs an atomic block: the lock ends with the transaction.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
