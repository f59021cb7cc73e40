"""Issue 12 §7, the chaos test's short run: scripts/chaos_delivery.py in the suite.

A real Celery worker on Redis (db 14 unless HALSAM_TEST_REDIS_URL says otherwise) and a
scratch database (PostgreSQL when it answers, else SQLite), an SMTP sink that is killed
and restarted, the worker killed with SIGKILL 8 times while notices, cancellations and
changed notices go out. ``make chaos`` runs the full version (100 kills).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.broker
def test_issue_12_s7_chaos_short_run_loses_nothing_and_never_contradicts(redis_url, tmp_path):
    """issue 12 §7: 0 lost, 0 stuck, 0 REQUEST after a CANCEL, no notice after its update,
    duplicates only inside the documented window (≤ 1 %, rounded up)."""
    if os.environ.get("CI") and not os.environ.get("CELERY_BROKER_URL"):
        # The run makes its own database and broker db, so one CI pass is enough: the
        # PostgreSQL + Redis one (.ci/run), not the SQLite one before it.
        pytest.skip("in CI the chaos run belongs to the PostgreSQL + Redis pass")
    out = tmp_path / "chaos.json"
    done = subprocess.run(
        [sys.executable, "scripts/chaos_delivery.py", "--kills", "8", "--meetings", "10",
         "--members", "6", "--sink-restarts", "2", "--redis-url", redis_url,
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=480, check=False)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    result = json.loads(out.read_text())
    assert result["kills"] == 8 and result["mails"] > 0
    assert (result["lost"], result["stuck"], result["request_after_cancel"],
            result["notice_after_update"]) == (0, 0, 0, 0)
    assert result["duplicates"] <= result["duplicates_allowed"]
    # The races happened: notices still queued when their meeting was cancelled or changed.
    assert result["statuses"].get("superseded", 0) > 0
