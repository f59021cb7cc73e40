"""issue 12 §2: the one file a process killed between storing it and committing its row
can leave behind is found and removed by ``manage.py media_orphans`` (docs/operations.md);
files that a row or a history record names, and young files, are never touched."""
from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.documents.core_builders import (  # noqa: F401 - the fixture
    add_version,
    docx_bytes,
    make_document,
    world_fixture,
)

DAY = 24 * 3600


def _age(path: Path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _run(*args: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("media_orphans", *args, stdout=out, stderr=err)
    return out.getvalue().split(), err.getvalue()


def test_media_orphans_lists_and_removes_only_files_no_row_names(world, settings):
    root = Path(settings.MEDIA_ROOT)
    document = make_document(world)
    version = add_version(world, document, content=docx_bytes())
    kept = root / version.file.name
    # Named only by the history once its row is deleted: still kept.
    second = add_version(world, document, content=docx_bytes("Andra versionen"))
    in_history = root / second.file.name
    type(second).objects.filter(pk=second.pk).delete()
    left = root / "documents" / str(document.pk) / "deadbeef" / "efterlamnad.docx"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"PK")
    young = root / "documents" / "ung.docx"
    young.write_bytes(b"PK")
    for path in (kept, in_history, left):
        _age(path, 3 * DAY)

    listed, summary = _run()
    assert listed == [f"documents/{document.pk}/deadbeef/efterlamnad.docx"]
    assert "1 orphaned file(s) found" in summary
    assert left.exists()

    _run("--delete")
    assert not left.exists() and not left.parent.exists()
    assert kept.exists() and in_history.exists() and young.exists()


@pytest.mark.parametrize("value", ["0", "x", "99999"])
def test_media_orphans_refuses_a_bad_age_with_a_message(value):
    with pytest.raises(CommandError, match="--min-age-hours"):
        call_command("media_orphans", "--min-age-hours", value)
