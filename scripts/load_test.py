#!/usr/bin/env python3
"""A bounded load test of the real stack (issue 12 §10; docs/performance.md "Load test").

On 127.0.0.1: gunicorn (``--web-workers``), PostgreSQL (a scratch database of its own),
Redis (db 14, a queue of its own) and a Celery worker, with the demo data. For
``--duration`` seconds ``--users`` concurrent users read pages, feeds and papers (some
anonymous, some logged in as members), while a coordinator changes meetings whose
notice went out (each change sends an "Ändrad kallelse" through the worker) and adds
agenda items. The mail goes to an SMTP sink in this process.

It reports p50/p95 per kind of request and the errors, then waits for the worker to
finish and compares the NoticeDelivery rows made during the run with the mails the
sink received. It fails (exit 1) on any error (5xx, a refused connection, a non-200
answer to a URL that answered 200 before the run, a coordinator's change that was not
saved), on a notice lost (a row not sent, or sent without a mail) or duplicated (two
mails for one row). Exit 2: PostgreSQL or Redis does not answer.

    .venv/bin/python scripts/load_test.py                      # 50 users, 60 s (make load)
    .venv/bin/python scripts/load_test.py --users 10 --duration 15   # the CI run
"""
from __future__ import annotations

import argparse
import email
import email.policy
import html.parser
import http.client
import http.cookies
import json
import os
import random
import re
import shutil
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("HALSAM_TEST_POSTGRES_URL",
                              "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HALSAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
MEMBER_LOGINS = ("ledamot-halsam", "ledamot-lansledning", "ledamot-lokal")
COORDINATOR = "samordnare"
PASSWORD = "demo-halsam-2026"  # noqa: S105 - the demo's printed password
SKIP_PATHS = ("/admin/", "/accounts/logout", "/i18n/", "/static/", "/media/", "/healthz")


# --- an SMTP sink -------------------------------------------------------------------------

class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts every message and keeps it; just enough SMTP for Django's backend."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self._reply("220 halsam-load-test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250-halsam-load-test\r\n250 8BITMIME")
            elif verb == "MAIL":
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self.server.lock:
                    self.server.messages.append((recipients, b"".join(data)))
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:  # RSET, NOOP
                self._reply("250 OK")

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


# --- HTTP ---------------------------------------------------------------------------------

class FormParser(html.parser.HTMLParser):
    """The forms of a page: action, method and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append({"action": a.get("action") or "", "method":
                               (a.get("method") or "get").lower(), "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1]["fields"][a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.forms[-1]["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1]["fields"].setdefault(a["name"], None)
        elif tag == "option" and self._select:
            fields = self.forms[-1]["fields"]
            if fields.get(self._select) is None or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1]["fields"][a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


class Client:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None,
                referer: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = referer or f"http://127.0.0.1:{self.port}{path}"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closed an idle keep-alive connection: a browser reconnects.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, dict(response.headers), content

    def get_forms(self, path: str) -> tuple[int, FormParser]:
        status, _headers, content = self.request("GET", path)
        parser = FormParser()
        parser.feed(content.decode("utf-8", "replace"))
        return status, parser

    def login(self, username: str) -> None:
        status, page = self.get_forms("/accounts/login/")
        form = next(f for f in page.forms if "username" in f["fields"])
        fields = {**form["fields"], "username": username, "password": PASSWORD}
        status, headers, _ = self.request("POST", "/accounts/login/", fields)
        if status != 302:
            raise RuntimeError(f"login of {username} failed: {status}")


# --- the run ------------------------------------------------------------------------------

@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    edits: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def kind_of(path: str) -> str:
    if path.endswith(".ics") or "/feed/" in path:
        return "feed"
    if path.endswith(".pdf") or "/bilagor/" in path or re.search(r"/dokument/\d+/v\d+/", path):
        return "paper"
    return "page"


def crawl(client: Client, start: list[str], limit: int) -> dict[str, list[str]]:
    """The GET-able URLs reachable from start that answer 200, by kind."""
    seen, queue, found = set(start), list(start), defaultdict(list)
    while queue and sum(len(v) for v in found.values()) < limit:
        path = queue.pop(0)
        status, headers, content = client.request("GET", path)
        if status != 200:
            continue
        found[kind_of(path)].append(path)
        if "text/html" not in headers.get("Content-Type", ""):
            continue
        parser = FormParser()
        parser.feed(content.decode("utf-8", "replace"))
        for href in parser.links:
            parts = urlsplit(urljoin(f"http://127.0.0.1:{client.port}{path}", href))
            if parts.netloc != f"127.0.0.1:{client.port}" or parts.query:
                continue
            target = parts.path
            if target not in seen and not target.startswith(SKIP_PATHS):
                seen.add(target)
                queue.append(target)
    return found


def reader(port: int, login: str | None, pools: dict[str, list[str]], stop: threading.Event,
           results: Results, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - traffic, not secrets
    client = Client(port)
    if login:
        client.login(login)
    kinds = [k for k in ("page", "feed", "paper") if pools.get(k)]
    if not kinds:
        results.record("setup", 0.0, "the crawl found no URL to read")
        return
    weights = {"page": 6, "feed": 2, "paper": 2}
    while not stop.is_set():
        kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
        path = rng.choice(pools[kind])
        started = time.perf_counter()
        try:
            status, _headers, _content = client.request("GET", path)
            error = None if status == 200 else f"{status} on {path}"
        except OSError as exc:
            error = f"{type(exc).__name__} on {path}"
        results.record(f"{kind} ({'member' if login else 'public'})",
                       time.perf_counter() - started, error)
        time.sleep(rng.uniform(0.05, 0.3))  # a person reads before the next click


def coordinator(port: int, meetings: list[int], stop: threading.Event,
                results: Results) -> None:
    """Changes the place of meetings whose notice went out; adds agenda items."""
    client = Client(port)
    client.login(COORDINATOR)
    n = 0
    while not stop.is_set() and meetings:
        n += 1
        pk = meetings[n % len(meetings)]
        if n % 2:
            path, change, name = f"/moten/{pk}/andra/", "place", "meeting change"
        else:
            path, change, name = f"/moten/{pk}/dagordning/", "title", "agenda item"
        started = time.perf_counter()
        try:
            status, page = client.get_forms(path)
            form = next((f for f in page.forms if f["method"] == "post"
                         and change in f["fields"]), None)
            if status != 200 or form is None:
                raise RuntimeError(f"no form with {change} on {path} ({status})")
            fields = {k: v for k, v in form["fields"].items() if v is not None}
            fields[change] = f"Lasttest {n} {uuid.uuid4().hex[:6]}"
            action = urljoin(path, form["action"]) if form["action"] else path
            status, headers, content = client.request("POST", action, fields, referer=path)
            error = None if status == 302 else f"{status} (not saved) on {path}"
        except (OSError, RuntimeError) as exc:
            error = str(exc)
        results.record(f"edit: {name}", time.perf_counter() - started, error)
        if not error:
            results.edits[name] += 1
        stop.wait(2.0)


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


# --- the stack ----------------------------------------------------------------------------

def _answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=3).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:  # noqa: C901 - one linear script
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--members", type=float, default=0.3,
                        help="share of users logged in as members (0-1)")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--drain-timeout", type=float, default=180.0,
                        help="seconds to wait for the worker to send every notice")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the database and data folder for the next run with the "
                             "same DIR (skips the set-up then); drop it by hand afterwards")
    args = parser.parse_args()
    if not 1 <= args.users <= 500 or not 1 <= args.duration <= 3600 \
            or not 1 <= args.web_workers <= 16 or not 0 <= args.members <= 1:
        parser.error("--users 1-500, --duration 1-3600, --web-workers 1-16, --members 0-1")

    pg, redis = urlsplit(PG_ADMIN_URL), urlsplit(REDIS_URL)
    for what, parts, default in (("PostgreSQL", pg, 5432), ("Redis", redis, 6379)):
        if not _answers(parts.hostname or "127.0.0.1", parts.port or default):
            print(f"load test: {what} does not answer at {parts.netloc}", file=sys.stderr)
            return 2

    import psycopg

    run_id = uuid.uuid4().hex[:8]
    if args.keep:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
        if not (work / "db_name").is_file():
            (work / "db_name").write_text(f"halsam_load_{run_id}")
        db_name = (work / "db_name").read_text().strip()
    else:
        db_name = f"halsam_load_{run_id}"
        work = Path(tempfile.mkdtemp(prefix="halsam-load-"))
    ready = args.keep is not None and (work / "ready").is_file()
    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    db_url = pg._replace(path=f"/{db_name}").geturl()
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "HALSAM_"))}
    base_env.update({"DJANGO_SETTINGS_MODULE": "halsam.settings", "DATABASE_URL": db_url,
                     "HALSAM_DATA_DIR": str(work / "data"), "PYTHONPATH": str(BASE_DIR),
                     "LOG_LEVEL": "WARNING"})
    port = free_port()
    stack_env = {**base_env, "CELERY_BROKER_URL": REDIS_URL,
                 "CELERY_TASK_DEFAULT_QUEUE": f"halsam-load-{run_id}",
                 "EMAIL_URL": f"smtp://127.0.0.1:{sink.server_address[1]}",
                 "HALSAM_BASE_URL": f"http://127.0.0.1:{port}"}
    processes: list[subprocess.Popen] = []
    bin_dir = Path(sys.executable).parent
    if not ready:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db_name}"')
    try:
        started = time.monotonic()
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        for command in ([] if ready else (["migrate", "--no-input", "--verbosity", "0"],
                                          ["load_structure", "halsam-vasternorrland"],
                                          ["demo"])):
            # Set-up without the broker: the demo's own tasks run in-process.
            done = subprocess.run([*manage, *command], env=base_env, cwd=BASE_DIR,  # noqa: S603
                                  capture_output=True, text=True, check=False)
            if done.returncode:  # the demo logs every task: shown only when it fails
                raise RuntimeError(f"{command[0]} failed:\n{done.stdout[-3000:]}"
                                   f"{done.stderr[-3000:]}")
        print(f"load test: demo data ready in {time.monotonic() - started:.0f} s")
        if args.keep:
            (work / "ready").touch()

        logs = {name: (work / f"{name}.log").open("w") for name in ("web", "worker")}
        processes.append(subprocess.Popen(  # noqa: S603
            [str(bin_dir / "gunicorn"), "halsam.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.web_workers), "--timeout", "60"],
            env=stack_env, cwd=BASE_DIR, stdout=logs["web"], stderr=subprocess.STDOUT))
        processes.append(subprocess.Popen(  # noqa: S603
            [str(bin_dir / "celery"), "-A", "halsam", "worker", "--loglevel", "WARNING",
             "--concurrency", "2", "-n", f"load-{run_id}@%h"],
            env=stack_env, cwd=BASE_DIR, stdout=logs["worker"], stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 90
        while True:
            try:
                if Client(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or processes[0].poll() is not None:
                raise RuntimeError("gunicorn did not become healthy: "
                                   + (work / "web.log").read_text()[-2000:])
            time.sleep(0.5)

        # The Django side of this process, for the targets and the final count.
        os.environ.update(stack_env)
        import django

        django.setup()
        from django.utils import timezone

        from meetings.models import Meeting, MeetingStatus, NoticeDelivery

        baseline = NoticeDelivery.objects.order_by("-pk").values_list("pk", flat=True).first()
        baseline = baseline or 0
        # Meetings a day or more ahead whose notice went out: a change of place sends
        # every member an update.
        meetings = list(Meeting.objects.filter(
            start__gt=timezone.now() + timedelta(days=1),
            notice_sent_sequence__gte=0, status=MeetingStatus.NOTICE_SENT)
            .order_by("start").values_list("pk", flat=True)[:6])

        pools = {None: crawl(Client(port), ["/", "/kalender/", "/dokument/",
                                            "/dokument/feed/"], 250)}
        for login in MEMBER_LOGINS:  # each member reads what that member may see
            member_client = Client(port)
            member_client.login(login)
            pools[login] = crawl(member_client, ["/mina-sidor/", "/kalender/",
                                                 "/dokument/"], 150)
        print("load test: URLs found: " + json.dumps(
            {who or "public": {k: len(v) for k, v in p.items()}
             for who, p in pools.items()}))
        print(f"load test: {args.users} users for {args.duration:.0f} s; the coordinator "
              f"changes meetings {meetings}")

        results, stop = Results(), threading.Event()
        threads = []
        members = round(args.users * args.members)
        for i in range(args.users):
            login = MEMBER_LOGINS[i % len(MEMBER_LOGINS)] if i < members else None
            pool = pools[login]
            threads.append(threading.Thread(target=reader, daemon=True, args=(
                port, login, pool, stop, results, i)))
        threads.append(threading.Thread(target=coordinator, daemon=True,
                                        args=(port, meetings, stop, results)))
        for thread in threads:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in threads:
            thread.join(timeout=90)

        # Every notice made during the run must reach a final state, then be counted.
        final = ("sent", "superseded", "failed")
        deadline = time.monotonic() + args.drain_timeout
        while True:
            rows = NoticeDelivery.objects.filter(pk__gt=baseline)
            open_rows = rows.exclude(status__in=final).count()
            if not open_rows or time.monotonic() > deadline:
                break
            time.sleep(1)
        time.sleep(2)  # the last QUIT after the last commit
        sent = Counter(email.lower() for email in rows.filter(status="sent")
                       .values_list("email", flat=True))
        with sink.lock:
            mails = Counter(addr.lower() for rcpts, _data in sink.messages for addr in rcpts)
            keys = Counter(_calendar_key(rcpts, data) for rcpts, data in sink.messages)
        by_status = Counter(rows.values_list("status", flat=True))
        lost = {a: n - mails[a] for a, n in sent.items() if mails[a] < n}
        extra = {a: n - sent[a] for a, n in mails.items() if n > sent[a]}
        doubled = {k: n for k, n in keys.items() if k and n > 1}

        report = {"users": args.users, "duration_s": args.duration, "kinds": {},
                  "errors": len(results.errors), "edits": dict(results.edits),
                  "deliveries": dict(by_status), "open_deliveries": open_rows,
                  "mails": sum(mails.values()), "lost": sum(lost.values()),
                  "duplicated": sum(extra.values()) + sum(n - 1 for n in doubled.values())}
        print(f"\n{'kind':<24}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
              f"{'req/s':>8}")
        for kind in sorted(results.latencies):
            values = results.latencies[kind]
            row = {"requests": len(values), "p50_ms": round(percentile(values, 50) * 1000),
                   "p95_ms": round(percentile(values, 95) * 1000),
                   "max_ms": round(max(values) * 1000)}
            report["kinds"][kind] = row
            print(f"{kind:<24}{row['requests']:>9}{row['p50_ms']:>9}{row['p95_ms']:>9}"
                  f"{row['max_ms']:>9}{len(values) / args.duration:>8.1f}")
        print(f"\nerrors: {len(results.errors)}")
        for line in sorted(Counter(results.errors).items(), key=lambda x: -x[1])[:20]:
            print(f"  {line[1]} x {line[0]}")
        print(f"coordinator's changes saved: {dict(results.edits)}")
        print(f"notices made during the run: {dict(by_status)}; still open: {open_rows}; "
              f"mails received: {sum(mails.values())}; lost: {report['lost']} {lost or ''}; "
              f"duplicated: {report['duplicated']} {extra or ''} {doubled or ''}")
        if args.json:
            args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
        ok = (not results.errors and not open_rows and not lost and not extra
              and not doubled and sum(results.edits.values()) > 0
              and by_status.get("sent", 0) > 0)
        if not results.edits or not by_status.get("sent"):
            print("load test: the coordinator's changes sent no notice; nothing was proven",
                  file=sys.stderr)
        print("load test: " + ("passed" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        sink.shutdown()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        if not args.keep:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            shutil.rmtree(work, ignore_errors=True)


def _calendar_key(recipients: list[str], data: bytes) -> tuple | None:
    """(recipient, UID, SEQUENCE, METHOD) of a mail's calendar part, if it has one."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            text = part.get_content()
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            uid = re.search(r"^UID:(.+)$", text, flags=re.MULTILINE)
            seq = re.search(r"^SEQUENCE:(\d+)", text, flags=re.MULTILINE)
            method = re.search(r"^METHOD:(\w+)", text, flags=re.MULTILINE)
            return (tuple(sorted(recipients)), uid and uid.group(1).strip(),
                    seq and seq.group(1), method and method.group(1))
    return None


if __name__ == "__main__":
    sys.exit(main())
