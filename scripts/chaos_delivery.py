#!/usr/bin/env python
"""The delivery chaos test (issue 12 §7): notices under kill -9, counted at the mail server.

Starts, all on 127.0.0.1:

* an SMTP sink (``chaos_delivery.py sink``, a small asyncio server in a subprocess) that
  stores every accepted message in its own file *before* it answers "250", and that
  this script kills (SIGKILL) and restarts a few times;
* a real Celery worker (prefork, 2 processes) on Redis (``--redis-url``, db 14 by
  default, flushed before and after) and a scratch database: PostgreSQL when it answers
  on 127.0.0.1:5432 (a new database, dropped afterwards), else a file SQLite database;

then queues notices wave after wave (some meetings are then cancelled, some changed, so
cancellations and changed notices race the notices still queued), kills the worker's
process group with SIGKILL ``--kills`` times (restarting it each time), runs the
delivery sweep as beat would (every 10 s, untaken claims after 20 s), and finally lets one worker
finish. Then it reads the sink's files, maps each mail to its delivery (recipient,
meeting UID, METHOD and SEQUENCE of the invitation) and asserts:

* 0 lost: every delivery that is not superseded is sent and reached the sink, and
  every recipient's newest version (the cancellation, the changed notice, or the
  notice) arrived;
* 0 stuck: no delivery is left claimed or retrying;
* 0 REQUEST after a CANCEL for the same meeting and recipient;
* no notice (version n) after a changed notice (version > n) to the same recipient;
* duplicates only inside the documented window (a worker or sink kill within
  ``WINDOW`` seconds after the first copy was accepted), and at most 1 % (rounded up)
  of the mails sent while the kills happened.

Exit code 0 when every assertion holds, 1 otherwise; ``--json`` writes the counts.
``make chaos`` runs it in full (100 kills, several hundred deliveries); the test suite
runs a short version (tests/meetings/test_chaos_delivery.py). See docs/notices.md.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A duplicate is "inside the window" when a kill came this soon after the first copy was
# accepted: the window itself (the server's 250 to our COMMIT) is milliseconds; the
# margin covers the time the killing takes and the clocks of two processes.
WINDOW = 1.0


# --- The SMTP sink ------------------------------------------------------------------------

def sink_main(port: int, directory: Path) -> None:
    """Serve SMTP on 127.0.0.1:``port``; every accepted message becomes a file."""
    directory.mkdir(parents=True, exist_ok=True)
    counter = 0

    def store(data: bytes) -> None:
        nonlocal counter
        counter += 1
        name = f"{time.time_ns()}-{os.getpid()}-{counter}"
        tmp = directory / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, directory / f"{name}.eml")  # whole files only

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(text: str) -> None:
            writer.write(text.encode("ascii") + b"\r\n")

        try:
            say("220 chaos-sink ESMTP")
            await writer.drain()
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    say("250-chaos-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
                elif verb == b"DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    chunks = []
                    while True:
                        chunk = await reader.readline()
                        if not chunk:
                            return  # the client went away: nothing accepted
                        if chunk in (b".\r\n", b".\n"):
                            break
                        chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    store(b"".join(chunks))
                    say("250 accepted")
                elif verb == b"QUIT":
                    say("221 bye")
                    await writer.drain()
                    return
                elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    say("250 OK")
                else:
                    say("502 not implemented")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, limit=1 << 20,
                                            reuse_address=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


# --- Processes ------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Sink:
    def __init__(self, port: int, directory: Path, log):
        self.port, self.directory, self.log = port, directory, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, "sink", "--port", str(self.port),
             "--dir", str(self.directory)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(lambda: _answers(self.port), 20, "the SMTP sink")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group of the process we started
            self.proc.wait(timeout=10)


class Worker:
    def __init__(self, env: dict, log_path: Path):
        self.env, self.log_path = env, log_path
        self.proc: subprocess.Popen | None = None
        self.count = 0

    def start(self) -> None:
        self.count += 1
        self.offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        celery = shutil.which("celery", path=os.path.dirname(sys.executable))
        command = [celery] if celery else [sys.executable, "-m", "celery"]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - the venv's celery
                [*command, "-A", "halsam", "worker", "--pool=prefork", "-c", "2", "-l", "info",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-n", f"chaos{os.getpid()}-{self.count}@%h"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def ready(self) -> bool:
        with self.log_path.open("rb") as log:
            log.seek(self.offset)
            return b" ready." in log.read()

    def wait_ready(self, timeout: float = 60) -> None:
        _wait(lambda: self.ready() or self.proc.poll() is not None, timeout, "the worker")
        if self.proc.poll() is not None:
            raise RuntimeError(f"the worker exited with {self.proc.returncode}; "
                               f"see {self.log_path}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)  # the worker and its pool, nothing else
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


# --- The database ---------------------------------------------------------------------------

class Database:
    """A scratch PostgreSQL database when PostgreSQL answers, else a file SQLite one."""

    def __init__(self, workdir: Path, url: str | None, force_sqlite: bool):
        self.created: str | None = None
        if url:
            self.url = url
        elif not force_sqlite and _answers(5432):
            import psycopg

            self.created = f"halsam_chaos_{uuid.uuid4().hex[:10]}"
            with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres",
                                 autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.created}"')
            self.url = f"postgres://postgres@127.0.0.1:5432/{self.created}"
        else:
            self.url = f"sqlite:///{workdir / 'chaos.sqlite3'}"
        self.vendor = "sqlite" if self.url.startswith("sqlite") else "postgresql"

    def drop(self) -> None:
        if self.created:
            import psycopg

            with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres",
                                 autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.created}" WITH (FORCE)')


# --- The scenario ---------------------------------------------------------------------------

def _setup_django(env: dict, workdir: Path) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(workdir), str(ROOT)]
    import django

    django.setup()


def _make_meeting(n: int, members: int, rng: random.Random) -> int:
    from django.utils import timezone

    from meetings.models import AgendaItem, Meeting
    from tests.governance.factories import (
        BodyFactory,
        MembershipFactory,
        SeatFactory,
        StructureFactory,
    )

    structure = StructureFactory(slug="chaos", name="Kaos", office_email="kansli@chaos.invalid")
    body = BodyFactory(structure=structure, slug=f"chaos-{n}", name=f"Kaosgruppen {n}")
    seat = SeatFactory(body=body, key=f"chaos-{n}", member_count=members, substitute_count=0)
    for _ in range(members):
        MembershipFactory(seat=seat)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=20 + n % 30)
    meeting = Meeting.objects.create(body=body, start=start, end=start + dt.timedelta(hours=2),
                                     title=f"Möte {n}", place="Härnösand",
                                     notice_due_at=start - dt.timedelta(days=14))
    AgendaItem.objects.create(meeting=meeting, position=0, title="Dagordningens godkännande")
    return meeting.pk


def _retrying(work, attempts: int = 20):
    """Run ``work`` again after a database error (a killed worker's lock, SQLite busy)."""
    from django.db import OperationalError, close_old_connections

    for n in range(attempts):
        try:
            return work()
        except OperationalError:
            if n == attempts - 1:
                raise
            close_old_connections()
            time.sleep(0.2)
    return None


def _notify(meeting_id: int) -> None:
    from meetings.delivery import meeting_notify
    from meetings.models import DeliveryKind, Meeting

    meeting = Meeting.objects.get(pk=meeting_id)
    _retrying(lambda: meeting_notify(meeting=meeting, kind=DeliveryKind.NOTICE))


def _act(meeting_id: int, action: str) -> None:
    from meetings import services
    from meetings.models import Meeting

    def work():
        meeting = Meeting.objects.get(pk=meeting_id)
        if action == "cancel":
            services.meeting_cancel(actor=None, meeting=meeting, reason="Kaostest")
        else:
            services.meeting_update(actor=None, meeting=meeting,
                                    changes={"place": "Sundsvalls stadshus"})
    _retrying(work)


def _sweep(stuck_after: float) -> int:
    from meetings.delivery import deliveries_requeue

    return _retrying(lambda: deliveries_requeue(stuck_after=dt.timedelta(seconds=stuck_after)))


def _open_count() -> int:
    from meetings.delivery import PENDING
    from meetings.models import NoticeDelivery

    return NoticeDelivery.objects.filter(status__in=PENDING).count()


# --- Counting -------------------------------------------------------------------------------

def _read_mails(directory: Path) -> list[dict]:
    from icalendar import Calendar

    out = []
    for path in sorted(directory.glob("*.eml"), key=lambda p: int(p.name.split("-")[0])):
        message = message_from_bytes(path.read_bytes())
        (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        event = Calendar.from_ical(part.get_payload(decode=True))
        vevent = event.walk("VEVENT")[0]
        out.append({
            "at": int(path.name.split("-")[0]) / 1e9,
            "to": message["To"].strip().lower(),
            "meeting": int(str(vevent["UID"]).split("@")[0].removeprefix("meeting-")),
            "method": str(event["METHOD"]),
            "sequence": int(vevent["SEQUENCE"]),
        })
    return out


def check(mails: list[dict], kill_times: list[float]) -> dict:
    """Compare what the sink received with the delivery rows; return counts and problems."""
    from meetings.models import DeliveryKind, DeliveryStatus, NoticeDelivery

    rows = list(NoticeDelivery.objects.values("pk", "meeting_id", "person_id", "email", "kind",
                                              "sequence", "status"))
    key_of = {}
    for row in rows:
        method = "CANCEL" if row["kind"] == DeliveryKind.CANCEL else "REQUEST"
        key_of[(row["email"].lower(), row["meeting_id"], method, row["sequence"])] = row["pk"]
    received: dict[int, list[float]] = defaultdict(list)
    unknown = 0
    for mail in mails:
        pk = key_of.get((mail["to"], mail["meeting"], mail["method"], mail["sequence"]))
        if pk is None:
            unknown += 1
        else:
            received[pk].append(mail["at"])
    statuses = Counter(row["status"] for row in rows)
    problems: list[str] = []
    lost = [r["pk"] for r in rows if r["status"] == DeliveryStatus.SENT and not received[r["pk"]]]
    lost += [r["pk"] for r in rows if r["status"] == DeliveryStatus.FAILED]
    # The newest version of each recipient's meeting reached them.
    newest: dict[tuple[int, int], dict] = {}
    for r in rows:
        key = (r["meeting_id"], r["person_id"])
        if key not in newest or r["sequence"] > newest[key]["sequence"]:
            newest[key] = r
    lost += [r["pk"] for r in newest.values() if not received[r["pk"]] and r["pk"] not in lost]
    stuck = [r["pk"] for r in rows if r["status"] in (DeliveryStatus.CLAIMED,
                                                      DeliveryStatus.RETRYING)]
    # Order per recipient and meeting, as the sink received them.
    by_person: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for mail in mails:
        by_person[(mail["to"], mail["meeting"])].append(mail)
    request_after_cancel = notice_after_update = 0
    for seq in by_person.values():
        seen_cancel, highest_request = False, -1
        for mail in seq:
            if mail["method"] == "CANCEL":
                seen_cancel = True
                continue
            if seen_cancel:
                request_after_cancel += 1
            if mail["sequence"] < highest_request:
                notice_after_update += 1
            highest_request = max(highest_request, mail["sequence"])
    # A delivery should reach the sink once when sent and never when superseded; every
    # copy beyond that must come from a kill right after the first copy was accepted.
    expected = {r["pk"]: int(r["status"] == DeliveryStatus.SENT) for r in rows}
    duplicates, outside = 0, []
    for pk, times in received.items():
        extra = len(times) - expected.get(pk, 0)
        if extra > 0:
            duplicates += extra
            first = min(times)
            if not any(first - 0.05 <= k <= first + WINDOW for k in kill_times):
                outside.append(pk)
    # The bound is on the mails that went out while the kills happened.
    during = sum(1 for mail in mails if kill_times and mail["at"] <= max(kill_times) + WINDOW)
    allowed = math.ceil(0.01 * during)
    if lost:
        problems.append(f"{len(lost)} lost deliveries: {sorted(set(lost))[:10]}")
    if stuck:
        problems.append(f"{len(stuck)} stuck deliveries: {stuck[:10]}")
    if unknown:
        problems.append(f"{unknown} mails match no delivery")
    if request_after_cancel:
        problems.append(f"{request_after_cancel} REQUEST after a CANCEL")
    if notice_after_update:
        problems.append(f"{notice_after_update} older notice after a newer one")
    if outside:
        problems.append(f"{len(outside)} duplicates outside the window: {outside[:10]}")
    if duplicates > allowed:
        problems.append(f"{duplicates} duplicates > 1 % of the {during} mails sent while "
                        f"kills happened ({allowed})")
    return {
        "deliveries": len(rows), "statuses": dict(statuses), "mails": len(mails),
        "mails_during_kills": during,
        "duplicates": duplicates, "duplicates_allowed": allowed, "lost": len(set(lost)),
        "stuck": len(stuck), "request_after_cancel": request_after_cancel,
        "notice_after_update": notice_after_update, "problems": problems,
    }


# --- The run --------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible schedule, not a secret
    workdir = Path(tempfile.mkdtemp(prefix="halsam-chaos-"))
    mail_dir = workdir / "mail"
    if not _redis_answers(args.redis_url):
        print(f"chaos: Redis does not answer at {args.redis_url}", file=sys.stderr)
        return 2
    import redis

    broker = redis.Redis.from_url(args.redis_url)
    broker.flushdb()  # our own db number: only stale messages of an earlier chaos run
    database = Database(workdir, args.database_url, args.sqlite)
    port = _free_port()
    (workdir / "chaos_settings.py").write_text(
        "from halsam.settings import *  # noqa: F403\n"
        "EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'\n"
        f"EMAIL_HOST, EMAIL_PORT = '127.0.0.1', {port}\n"
        "EMAIL_USE_TLS = EMAIL_USE_SSL = False\n"
        "EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ''\n"
        "EMAIL_TIMEOUT = 5\n"
        "# The sink is down for a second or two at a time: retry soon and often enough.\n"
        "NOTICE_RETRY_DELAYS = [1] * 60\n")
    env = {**os.environ, "DATABASE_URL": database.url, "CELERY_BROKER_URL": args.redis_url,
           "DJANGO_SETTINGS_MODULE": "chaos_settings", "LOG_LEVEL": "WARNING",
           "HALSAM_DATA_DIR": str(workdir / "data"), "EMAIL_URL": "",
           "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)])}
    sink_log = (workdir / "sink.log").open("ab")
    sink = Sink(port, mail_dir, sink_log)
    worker = Worker(env, workdir / "worker.log")
    kill_times: list[float] = []
    started = time.monotonic()
    result: dict = {}
    try:
        if database.vendor == "sqlite" or database.created:
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                           cwd=ROOT, env=env, check=True, timeout=600)
        _setup_django(env, workdir)
        sink.start()
        waves = max(1, args.kills - 1)  # new work in every cycle but the last
        sink_restarts = {int(args.kills * (n + 1) / (args.sink_restarts + 1))
                         for n in range(args.sink_restarts)}
        made: list[int] = []
        previous: list[int] = []
        acted: set[int] = set()
        last_sweep = 0.0
        for cycle in range(args.kills):
            worker.start()
            # Work while the worker starts: new notices, and cancellations and changes of
            # meetings noticed a moment ago (some of their notices are still queued).
            if cycle < waves:
                count = (round(args.meetings * (cycle + 1) / waves)
                         - round(args.meetings * cycle / waves))
                wave = [_make_meeting(len(made) + n, args.members, rng) for n in range(count)]
                made += wave
                for pk in wave:
                    _notify(pk)
                # A quarter of the new meetings are cancelled and a quarter changed at
                # once (their notices still queued), the rest may be in the next cycle
                # (their notices partly sent).
                for pk in previous + wave:
                    roll = rng.random()
                    if pk in acted or roll >= 0.5:
                        continue
                    _act(pk, "cancel" if roll < 0.25 else "update")
                    acted.add(pk)
                previous = wave
            if time.monotonic() - last_sweep >= args.sweep_every:
                _sweep(args.stuck_after)
                last_sweep = time.monotonic()
            worker.wait_ready()
            if cycle in sink_restarts:
                sink.kill()
                kill_times.append(time.time())
                time.sleep(rng.uniform(0.5, 1.5))
                sink.start()
            time.sleep(rng.uniform(0.2, args.max_run))
            kill_times.append(time.time())
            worker.kill()
            if (cycle + 1) % 10 == 0:
                print(f"chaos: {cycle + 1} kills, {len(list(mail_dir.glob('*.eml')))} mails, "
                      f"{_open_count()} open", flush=True)
        for pk in previous:  # the last wave's actions
            roll = rng.random()
            if pk not in acted and roll < 0.5:
                _act(pk, "cancel" if roll < 0.25 else "update")
        # Recovery: one worker that is not killed, the sweep as beat would run it.
        worker.start()
        worker.wait_ready()
        deadline = time.monotonic() + args.drain_timeout
        while _open_count() and time.monotonic() < deadline:
            if time.monotonic() - last_sweep >= args.sweep_every:
                _sweep(args.stuck_after)
                last_sweep = time.monotonic()
            time.sleep(0.5)
        recovery = round(time.time() - kill_times[-1], 1)  # last kill to nothing open
        time.sleep(3)  # duplicate messages (re-queued ones) reach the worker too
        worker.kill(signal.SIGTERM)
        result = check(_read_mails(mail_dir), kill_times)
        result.update(kills=args.kills, sink_restarts=args.sink_restarts,
                      recovery_seconds_after_last_kill=recovery,
                      database=database.vendor, seconds=round(time.monotonic() - started))
    finally:
        worker.kill()
        sink.kill()
        sink_log.close()
        try:
            broker.flushdb()
        except redis.RedisError:
            pass
        if "django.db" in sys.modules:  # Django was set up
            from django.db import connections

            connections.close_all()
        database.drop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"chaos: kept {workdir}")
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    if result.get("problems"):
        print("chaos: FAILED: " + "; ".join(result["problems"]), file=sys.stderr)
        return 1
    print(f"chaos: OK: {result['deliveries']} deliveries, {result['mails']} mails, "
          f"{result['kills']} kills, {result['duplicates']} duplicates, 0 lost, 0 stuck")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    sink = sub.add_parser("sink", help="run the SMTP sink (used by the run itself)")
    sink.add_argument("--port", type=int, required=True)
    sink.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--kills", type=int, default=100, help="worker kills (default 100)")
    parser.add_argument("--meetings", type=int, default=60, help="meetings (default 60)")
    parser.add_argument("--members", type=int, default=8, help="members each (default 8)")
    parser.add_argument("--sink-restarts", type=int, default=3)
    parser.add_argument("--max-run", type=float, default=2.5,
                        help="longest time a worker runs before it is killed (s)")
    parser.add_argument("--sweep-every", type=float, default=10.0,
                        help="how often the sweep runs (s); beat's interval is 5 min")
    parser.add_argument("--stuck-after", type=float, default=20.0,
                        help="the sweep's threshold for untaken claims (s); STUCK_AFTER is 2 min")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--database-url", default=None,
                        help="a migrated database to use (default: a scratch one)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite even if PostgreSQL answers")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", default=None, help="write the counts to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    if args.command == "sink":
        sink_main(args.port, args.dir)
        return 0
    if args.kills < 1 or args.meetings < 1 or args.members < 1:
        parser.error("--kills, --meetings and --members must be at least 1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
