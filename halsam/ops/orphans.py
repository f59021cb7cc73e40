"""Media files that no row names: what a process killed between storing a file and
committing its row leaves behind (docs/operations.md, "SQLite under concurrent use").

Every ``FileField`` of every model counts, history tables included (an old version's
file is still named by its history), so nothing a row or a history record points at is
ever reported. Files younger than ``min_age`` are left alone: their transaction may still
be open.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

BATCH = 2000


def _file_fields() -> Iterator[tuple[type[models.Model], str]]:
    """Each model's file fields, and the same columns of its history table
    (simple-history stores a file field there as text)."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field.attname
                history = getattr(model, "history", None)
                if history is not None and hasattr(history, "model"):
                    yield history.model, field.attname


def referenced_names() -> set[str]:
    """Every stored name any row names, read in batches of ``BATCH``."""
    names: set[str] = set()
    for model, attname in _file_fields():
        rows = (model._base_manager.exclude(**{attname: ""}).exclude(**{attname: None})
                .values_list(attname, flat=True).order_by())
        names.update(str(name) for name in rows.iterator(chunk_size=BATCH))
    return names


def orphaned_files(*, min_age: dt.timedelta, root: Path | None = None,
                   now: float | None = None) -> list[Path]:
    """The files below MEDIA_ROOT that no row names and that are older than ``min_age``."""
    root = Path(root or settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    known = referenced_names()
    cutoff = (now if now is not None else time.time()) \
        - min_age.total_seconds()
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if path.relative_to(root).as_posix() in known:
                continue
            if path.stat().st_mtime <= cutoff:
                found.append(path)
    return sorted(found)


def remove(paths: list[Path], *, root: Path | None = None) -> None:
    """Delete ``paths`` and the folders they leave empty (never ``root`` itself)."""
    root = Path(root or settings.MEDIA_ROOT)
    for path in paths:
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != root and root in parent.parents and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
