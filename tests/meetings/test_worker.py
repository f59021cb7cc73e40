"""THE REAL WORKER TEST: Celery workers on Redis, killed mid-batch, restarted.

Skipped (with the reason) only when Redis does not answer on 127.0.0.1:6379 or
PostgreSQL on 5432; CI has both. The worker runs against a scratch PostgreSQL database
(a subprocess cannot share pytest's SQLite test database) and its own Redis db number,
and writes e-mail to files so the test can count them per recipient.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest

from .conftest import ROOT, mails, manage, process_env

BROKER = "redis://127.0.0.1:6379/13"
RECIPIENTS = 40


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _celery() -> list[str]:
    found = shutil.which("celery", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-m", "celery"]


def _start_worker(env: dict, log) -> subprocess.Popen:
    # Our own session, so the kill below reaches the pool's children and nothing else.
    return subprocess.Popen(
        [*_celery(), "-A", "halsam", "worker", "--pool=prefork", "-c", "2", "-l", "info",
         "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"test{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _kill(worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)  # the group of the process we started (its pid)
    worker.wait(timeout=30)


def _sent_count(env: dict) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM meetings_noticedelivery "
                            "WHERE status = 'sent'").fetchone()[0]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.broker
@pytest.mark.postgres
def test_worker_killed_mid_batch_leaves_every_recipient_one_notice(scratch_pg, tmp_path):
    if not _redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # our own db number: stale test messages only
    env = process_env(tmp_path, scratch_pg, broker=BROKER, delay=0.4)
    log = (tmp_path / "worker.log").open("w")
    workers: list[subprocess.Popen] = []
    try:
        # The sweep claims 40 deliveries and queues 40 tasks on Redis after commit.
        manage(env, "shell", "-c",
               "from tests.meetings.conftest import due_meeting_scenario as s; "
               f"s({RECIPIENTS}); from meetings.delivery import notices_sweep as n; "
               "print(n())")
        workers.append(_start_worker(env, log))
        _wait(lambda: len(mails(tmp_path)) >= 6, 120, "the first notices")
        # Kill while both processes are in the middle of a send (the delay runs before
        # a message is written, as a server accepts it only at the end of DATA).
        last = max(p.stat().st_mtime for p in (tmp_path / "mail").glob("*.log"))
        _wait(lambda: time.time() - last > 0.1, 5, "a quiet moment")
        _kill(workers[0])
        at_kill = len(mails(tmp_path))
        assert at_kill < RECIPIENTS, "the batch finished before the kill; slow the backend"
        assert _sent_count(env) == at_kill

        workers.append(_start_worker(env, log))
        # The killed worker's reserved messages wait in Redis' unacked set for an hour:
        # the stuck sweep (run as if its few minutes had passed) queues them again.
        manage(env, "shell", "-c",
               "import datetime as dt; from django.utils import timezone; "
               "from meetings.delivery import deliveries_requeue as r; "
               "print(r(now=timezone.now() + dt.timedelta(minutes=10)))")
        _wait(lambda: _sent_count(env) == RECIPIENTS, 180, "every delivery to be sent")
        time.sleep(2)  # let duplicate messages (re-queued ones) reach the worker too
    finally:
        for worker in workers:
            _kill(worker, signal.SIGTERM if worker is workers[-1] else signal.SIGKILL)
        log.close()
    per_recipient = Counter(m["To"] for m in mails(tmp_path))
    assert len(per_recipient) == RECIPIENTS
    assert set(per_recipient.values()) == {1}, per_recipient.most_common(3)
