"""Stored files that follow the transaction of the row that names them.

A ``FileField`` stores its file before the row is inserted (the row needs the stored
name), so a failed insert, or any later error that rolls the transaction back, used to
leave the file behind in ``MEDIA_ROOT`` with no row pointing at it (issue 12 §2: five
orphans from eight parallel uploads). Here, every file stored *inside* an atomic block is
removed again when that block rolls back; after a commit it stays.

How a rollback is noticed: Django has no rollback hook, but it keeps the callbacks given
to ``transaction.on_commit`` until the transaction ends and then either calls them (commit)
or drops them (rollback of the transaction, or of the savepoint they were registered in,
or the connection closed). ``delete_on_rollback`` registers a small marker callable and
watches it with ``weakref.finalize``: dropped without having been called means rolled
back, so the file is deleted. CPython frees the marker as soon as Django drops it, so the
file goes at the moment of the rollback; were the process to die first, the database rolls
back too and the file stays as an orphan (the one case left, see docs/operations.md).

``TransactionalFileSystemStorage`` is the default storage (``STORAGES`` in
``halsam/settings.py``): it calls ``delete_on_rollback`` for every file it saves, so the
services, the admin and model forms are covered without each one remembering to. Outside
an atomic block nothing is registered (there is no transaction to follow); every service
that stores a file is ``@transaction.atomic``.
"""
from __future__ import annotations

import logging
import os
import weakref

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)


def _discard_unless_committed(state: dict[str, bool], storage: Storage, name: str) -> None:
    if state["committed"]:
        return
    try:
        storage.delete(name)
    except Exception:  # a finalizer must not raise; the orphan is logged instead
        logger.exception("Could not remove %s after its transaction rolled back", name)
        return
    _remove_empty_parents(storage, name)


def _remove_empty_parents(storage: Storage, name: str) -> None:
    """Remove the folders that only held ``name`` (upload paths such as
    ``meetings/<id>/<token>/`` make one folder per file), never the storage root."""
    if not isinstance(storage, FileSystemStorage):
        return
    root = os.path.realpath(storage.location)
    folder = os.path.dirname(os.path.realpath(storage.path(name)))
    while folder != root and folder.startswith(root + os.sep):
        try:
            os.rmdir(folder)  # only succeeds on an empty folder
        except OSError:
            return
        folder = os.path.dirname(folder)


def delete_on_rollback(name: str, *, storage: Storage | None = None,
                       using: str = DEFAULT_DB_ALIAS) -> bool:
    """Delete the stored file ``name`` if the current transaction (or savepoint) rolls
    back. Returns whether it was registered (False outside an atomic block)."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return False
    state = {"committed": False}

    def kept() -> None:
        state["committed"] = True

    # The finalizer holds ``state``, never ``kept`` itself: ``kept`` must die exactly when
    # Django lets go of it. atexit=True: a process leaving with the transaction open never
    # commits it, so the file goes then too.
    weakref.finalize(kept, _discard_unless_committed, state,
                     storage if storage is not None else default_storage, name)
    transaction.on_commit(kept, using=using)
    return True


class TransactionalFileSystemStorage(FileSystemStorage):
    """Django's file system storage whose files, saved inside a transaction, are removed
    again if that transaction rolls back (see the module docstring)."""

    def _save(self, name, content):
        name = super()._save(name, content)
        delete_on_rollback(name, storage=self)
        return name
