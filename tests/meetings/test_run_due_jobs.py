"""``manage.py run_due_jobs``: all periodic work once, safe to run twice at the same time."""
from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter

import pytest

from .conftest import ROOT, mails, manage, process_env


def test_run_due_jobs_sends_notices_due_once(make_meeting, django_capture_on_commit_callbacks):
    from django.core import mail
    from django.core.management import call_command

    meeting = make_meeting(members=2)
    out = io.StringIO()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_due_jobs", "--no-digest", stdout=out)
    assert "notices claimed and sent: 4;" in out.getvalue()
    assert Counter(m.to[0] for m in mail.outbox) == Counter(
        {p.email: 1 for p in [*meeting.people, meeting.substitute, meeting.co_opted]})


@pytest.mark.postgres
def test_two_concurrent_runs_send_each_mail_once(scratch_pg, tmp_path):
    """Two run_due_jobs processes at once on one PostgreSQL database: notices due, deliveries
    left behind by a dead worker and a minutes reminder each reach their recipient once."""
    env = process_env(tmp_path, scratch_pg, delay=0.05)
    manage(env, "shell", "-c", "from tests.meetings.conftest import due_meeting_scenario as s; "
                               "s(12, stuck=12, reminder=True)")
    runs = [subprocess.Popen([sys.executable, "manage.py", "run_due_jobs", "--no-digest"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-3000:]
    sent = mails(tmp_path)
    per_recipient = Counter((m["To"], m["Subject"].split(":")[0]) for m in sent)
    assert len(per_recipient) == 12 + 12 + 1
    assert set(per_recipient.values()) == {1}, per_recipient.most_common(3)
