"""Issue 12 §6: no 500 from input. A fuzz test over every URL, form and query parameter.

Every URL pattern of the project (the admin's included, from ``get_resolver()``) is
asked as each persona (anonymous, member of A, member of B, secretary of A, editor,
coordinator, superuser; the admin's pages as the superuser, its filters also as the
editor and the coordinator) in three phases:

1. **sweep**: every pattern filled with the real objects of the authorisation matrix's
   world (plus a document without a notice period and a person whose name holds CR/LF,
   issue 12's causes), as every persona. The HTML forms and the query parameters of the
   links on each page are collected.
2. **boundaries**: every path parameter replaced, one at a time, by boundary values
   (0, -1, 2**31, 2**63, 9999, 10000, "", very long, unicode, CR/LF, NUL).
3. **random**: bounded random and boundary values POSTed to every field of the forms
   found (or GET for ``method="get"`` forms), and put in the query parameters the pages
   link to and the views read (``request.GET.get("…")`` in the source), JSON bodies
   POSTed to the site's URLs, and absurd admin filters (years, dates, id lists), until
   the time budget or the number of iterations is spent.

Every request runs in its own rolled-back transaction (the world stays as built) with
``Client(raise_request_exception=False)``; any 5xx is collected with the persona, method,
URL, parameters and exception, and the test fails listing them all.

Environment: ``FUZZ_SEED`` (default fixed, so CI is repeatable), ``FUZZ_SECONDS`` (the
time budget of the three phases, default 60: phase 3 runs until it is spent, and at least
``FUZZ_MIN_RANDOM`` requests, default 150), ``FUZZ_ITERATIONS`` (the most random
requests, default 4000). ``make fuzz`` runs a longer one.
"""
from __future__ import annotations

import io
import os
import random
import re
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import path, reverse

from documents import services as doc_services
from documents.models import DocumentKind
from governance.models import Body, Person
from meetings.feeds import calendar_token_issue
from tests.conftest import close_response
from tests.governance.factories import UserFactory
from tests.test_authorization_matrix import url_patterns
from tests.test_authorization_matrix import world as matrix_world  # noqa: F401 - fixture

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "60"))
# Random requests made even when the sweep used up the time budget.
MIN_RANDOM = int(os.environ.get("FUZZ_MIN_RANDOM", "150"))
ITERATIONS = int(os.environ.get("FUZZ_ITERATIONS", "4000"))
BASE_DIR = Path(__file__).resolve().parent.parent

# --- boundary and random values ------------------------------------------------------------

BIG = [str(2**31), str(2**63), str(2**64), "9" * 40]
INTS = ["0", "-1", "1", "12", "13", "9999", "10000", "99999", *BIG, "1e5", "1.5", "", "x"]
YEARS = ["0", "1", "1999", "2000", "2100", "2101", "9999", "10000", "99999", "-5", *BIG]
DATES = ["", "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "2026-13-01",
         "99999-01-01", "1.1.1", "2026-1-1", "31/12/2026", "\x00"]
DATETIMES = ["9999-12-31T23:59", "10000-01-01T00:00", "0001-01-01T00:00",
             "2026-06-01T25:00", "2026-06-01T12:00", ""]
TIMES = ["24:00", "23:59", "99:99", "-1:00", "", "12:00"]
TEXTS = ["", " ", "x" * 5000, "Å" * 300, "a\r\nb", "a\x00b", "\x1b[31m", "<script>x</script>",
         "Ärende ü\u202e", "\t", "' OR 1=1 --", "%s%n", "../../etc/passwd", "\ud7ff\ufffd"]
PATH_VALUES = ["0", "-1", str(2**31), str(2**63), "9999", "10000", "", "x" * 300, "åäö",
               "a\r\nb", "a\x00b", "..", "%"]
ADMIN_QUERIES = [
    # issue 12: an admin year filter (date_hierarchy / list_filter) with absurd values
    "{f}__year=99999", "{f}__year=9999", "{f}__year=9999&{f}__month=12",
    "{f}__year=9999&{f}__month=12&{f}__day=31", "{f}__year=0", "{f}__year=-1",
    "{f}__month=99999999999999999999", "{f}__gte=99999-01-01", "{f}__lt=10000-01-01",
    # huge id lists (SQLite: "too many SQL variables")
    "id__in=" + ",".join(str(n) for n in range(1, 40001)), "pk__in=" + ",".join(["1"] * 40000),
    "p=99999999999999999999", "p=-1", "o=99", "q=" + "x" * 3000, "e=1", "_facets=1",
]
# The admin is swept as the superuser (every model, every form); the coordinator and the
# editor come in the random phase. tests/test_authorization_matrix.py checks who may.
ADMIN_PERSONAS = ("superuser",)
DATE_FIELDS = ["start", "end", "created", "valid_from", "valid_until", "published_on", "date"]


JSON_BODIES = ['{"order": [1, 2, 3], "moved": "1"}', '{"order": []}', "[]", "null", "{",
               '{"order": [' + ",".join(["9223372036854775808"] * 3) + ']}',
               '{"order": [' + ",".join(str(n) for n in range(5000)) + ']}',
               '{"order": "1,2", "moved": {"x": 1}}', '"' + "x" * 5000 + '"']


def _zip_with_bad_names() -> bytes:
    """A ZIP whose member name is not valid UTF-8 although its flag says so (issue 12)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("ab/content.xml")
        info.flag_bits |= 0x800
        archive.writestr(info, b"<x/>")
        archive.writestr("[Content_Types].xml", b"<Types/>")
    return buffer.getvalue().replace(b"ab/content.xml", b"a\xff/content.xml")


FILES = [
    ("tom.pdf", b""),
    ("handling.pdf", b"%PDF-1.4\n%%EOF\n"),
    ("handling.docx", _zip_with_bad_names()),
    ("handling.odt", _zip_with_bad_names()),
    ("bild.png", os.urandom(64)),
    ("nul\x00.pdf", b"%PDF-1.4"),
    ("x" * 300 + ".pdf", b"%PDF-1.4"),
]


def _int_values(rng: random.Random) -> str:
    return rng.choice(INTS + [str(rng.randint(-10**6, 10**6))])


def _text(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 40)))
    return rng.choice(TEXTS)


# --- HTML forms and links ---------------------------------------------------------------------

@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)
    multipart: bool = False


class PageParser(HTMLParser):
    """The forms of a page (their fields, options and values) and the query parameter
    names of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.params: set[str] = set()
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.params |= {k for k, _v in parse_qsl(urlsplit(a["href"]).query,
                                                     keep_blank_values=True)}
        elif tag == "form":
            self.forms.append(Form(action=a.get("action", ""),
                                   method=(a.get("method") or "get").lower(),
                                   multipart="multipart" in a.get("enctype", "")))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif not self.forms or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset") and not a.get("value"):
                return
            self.forms[-1].fields.append(FormField(a["name"], kind, a.get("value", "")))
        elif tag == "select":
            self._select = FormField(a["name"], "select", multiple="multiple" in a)
            self.forms[-1].fields.append(self._select)
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea")
            self.forms[-1].fields.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data


def _parse(response) -> PageParser:
    parser = PageParser()
    if response.status_code == 200 and "html" in response.get("Content-Type", "") \
            and not getattr(response, "streaming", False):
        parser.feed(response.content.decode("utf-8", "replace"))
    return parser


def _value(f: FormField, rng: random.Random):
    """A value for one field: mostly a plausible one, often a boundary or random one."""
    r = rng.random()
    if f.kind == "file":
        name, content = rng.choice(FILES)
        return SimpleUploadedFile(name, content)
    if f.kind in ("hidden", "submit") and r < 0.7:
        return f.value
    if f.kind == "select":
        if f.options and r < 0.5:
            if f.multiple and r < 0.1:
                return list(f.options)
            return rng.choice(f.options)
        if f.multiple and r < 0.65:
            # a huge list of ids: more than SQLite takes as variables in one query
            return [str(n) for n in range(1, 990)]
        return rng.choice(INTS + ["", "<ingen>"])
    if f.kind == "checkbox":
        return rng.choice([f.value or "on", "", "x" * 100])
    if f.kind == "number" or re.search(r"(year|ar|month|man|days|count|number|pk|id)$",
                                         f.name):
        return rng.choice(YEARS) if "year" in f.name else _int_values(rng)
    if f.kind == "date" or f.name.endswith(("date", "day", "_on", "from", "until")):
        return rng.choice(DATES)
    if f.kind == "datetime-local":
        return rng.choice(DATETIMES)
    if f.kind == "time":
        return rng.choice(TIMES)
    if r < 0.25 and f.value:
        return f.value
    return _text(rng)


def _form_data(form: Form, rng: random.Random) -> dict:
    data: dict = {}
    for f in form.fields:
        if f.kind in ("checkbox", "radio") and rng.random() < 0.3:
            continue
        if rng.random() < 0.05:  # sometimes a field is missing altogether
            continue
        data[f.name] = _value(f, rng)
    return data


# --- the URLs ---------------------------------------------------------------------------------

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _fill(full: str, values: dict[str, str]) -> str | None:
    """The path of a (non-regex) pattern with its parameters from ``values``."""
    if "(?P" in full or "^" in full:
        return None

    def sub(match: re.Match) -> str:
        return quote(str(values.get(match.group(2), "1")), safe="")
    return "/" + CONVERTER.sub(sub, full)


def _view_params() -> set[str]:
    """The query parameters the views read (``GET.get("x")``/``GET["x"]`` in the code)."""
    names: set[str] = set()
    pattern = re.compile(r"GET(?:\.get|\.getlist)?[\(\[]\s*[\"']([\w-]+)[\"']")
    for app in ("halsam", "governance", "meetings", "documents", "portal"):
        for source in (BASE_DIR / app).rglob("*.py"):
            names |= set(pattern.findall(source.read_text(encoding="utf-8")))
    return names


def _where(tb) -> str:
    """The deepest frame of the project's own code in a traceback (" at file:line")."""
    where = ""
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.startswith(str(BASE_DIR)) and "/.venv/" not in filename:
            where = f" at {Path(filename).relative_to(BASE_DIR)}:{line}"
    return where


@dataclass
class Failure:
    persona: str
    method: str
    url: str
    data: str
    status: int
    error: str

    def __str__(self) -> str:
        return (f"{self.status} {self.method} {self.url[:300]} as {self.persona}: "
                f"{self.error}{chr(10) + '      data=' + self.data[:400] if self.data else ''}")


class Fuzzer:
    def __init__(self, users: dict, rng: random.Random) -> None:
        self.users = users
        self.rng = rng
        self.failures: list[Failure] = []
        self.requests = 0
        self.seen: set[tuple[str, str, str]] = set()
        self.time_by_path: dict[str, float] = {}
        self.sessions: dict[str, str] = {}
        for persona, user in users.items():
            if user.is_authenticated:
                client = Client()
                client.force_login(user)
                self.sessions[persona] = client.cookies["sessionid"].value

    def ask(self, persona: str, method: str, url: str, data=None, *, json: bool = False):
        """One request, rolled back; a 5xx is recorded. Returns the response."""
        client = Client(raise_request_exception=False)
        if persona in self.sessions:
            client.cookies["sessionid"] = self.sessions[persona]
        self.requests += 1
        started = time.monotonic()
        with transaction.atomic():
            if method == "post" and json:
                response = client.post(url, data, content_type="application/json",
                                       HTTP_ACCEPT="application/json")
            elif method == "post":
                response = client.post(url, data or {})
            else:
                response = client.get(url, data or {})
            transaction.set_rollback(True)
        close_response(response)
        spent = time.monotonic() - started
        shape = re.sub(r"/\d+/", "/N/", urlsplit(url).path)
        self.time_by_path[shape] = self.time_by_path.get(shape, 0.0) + spent
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            error = (f"{type(exc[1]).__name__}: {str(exc[1])[:200]}{_where(exc[2])}" if exc
                     else "(no exception)")
            shown = {k: (v if isinstance(v, str) and len(v) < 80 else
                         f"<{type(v).__name__} {len(v) if hasattr(v, '__len__') else ''}>")
                     for k, v in (data or {}).items()} if isinstance(data, dict) else data
            key = (method, urlsplit(url).path, error[:60])
            if key not in self.seen:
                self.seen.add(key)
                self.failures.append(Failure(persona, method.upper(), url,
                                             str(shown or ""), response.status_code, error))
        return response


def _fuzz_world(world: dict) -> dict:
    """The matrix's world, plus a superuser and issue 12's bad data: a document without a
    notice period and a person whose name holds CR/LF (saved before the validator)."""
    users = world["users"]
    users["superuser"] = UserFactory(username="superuser", is_staff=True, is_superuser=True)
    coordinator = users["coordinator"]
    document = doc_services.document_create(
        actor=coordinator, title="Avtal utan uppsägningstid", kind=DocumentKind.AGREEMENT,
        owner_body=world["body_a"], is_public=True, termination_notice_months=None)
    person = users["member_a"].person
    Person.objects.filter(pk=person.pk).update(first_name="Anna\r\nBEGIN:VEVENT",
                                               last_name="Test\x07\x1b")
    Body.objects.filter(pk=world["body_a"].pk).update(name="Organ A\r\nX-INJECT:1")
    kwargs = dict(world["kwargs"])
    kwargs["documents:terminate@no-period"] = {"pk": document.pk}
    kwargs["documents:edit@no-period"] = {"pk": document.pk}
    kwargs["feeds:person"] = {"token": calendar_token_issue(person).token}
    return {"users": users, "kwargs": kwargs}


def test_fuzz_no_server_error(matrix_world):  # noqa: F811 - the imported fixture
    """Issue 12 §6: no 5xx from any URL, path value, query parameter or form field, as any
    persona (seed FUZZ_SEED, time budget FUZZ_SECONDS, FUZZ_ITERATIONS requests)."""
    world = _fuzz_world(matrix_world)
    rng = random.Random(SEED)
    fuzzer = Fuzzer(world["users"], rng)
    personas = list(world["users"])
    patterns = list(url_patterns())

    begun = time.monotonic()
    # 1. sweep: every pattern with real objects, as every persona
    pages: list[tuple[str, str, PageParser]] = []
    targets: list[tuple[str, str]] = []  # (key, url)
    for key, full, _p in patterns:
        variants = [k for k in world["kwargs"] if k.split("@", 1)[0] == key] or [key]
        for variant in variants:
            kwargs = world["kwargs"].get(variant)
            try:
                url = reverse(key, kwargs=kwargs) if kwargs else _fill(full, {})
            except Exception:  # noqa: BLE001 - regex patterns without kwargs
                url = None
            if url is None:
                continue
            targets.append((key, url))
    for key, url in targets:
        for persona in personas:
            # the admin: staff only (tests/test_authorization_matrix.py checks the others)
            if key.startswith("admin:") and persona not in ADMIN_PERSONAS:
                continue
            method = "post" if key in ("logout", "admin:logout", "set_language") else "get"
            response = fuzzer.ask(persona, method, url)
            parser = _parse(response)
            if parser.forms or parser.params:
                pages.append((persona, url, parser))

    swept = (time.monotonic() - begun, fuzzer.requests)
    # the sweep found the site's forms (else the fuzz would post nothing and pass)
    assert sum(len(parser.forms) for _p, _u, parser in pages) > 100, "no forms found"

    # 2. boundaries in every path parameter, one at a time
    for key, full, _p in patterns:
        names = [m.group(2) for m in CONVERTER.finditer(full)]
        if not names or "(?P" in full:
            continue
        base = next((world["kwargs"][k] for k in world["kwargs"]
                     if k.split("@", 1)[0] == key), {})
        for name in names:
            values = PATH_VALUES if not key.startswith("admin:") else rng.sample(PATH_VALUES, 1)
            for value in values:
                url = _fill(full, {**{k: str(v) for k, v in base.items()}, name: value})
                fuzzer.ask(rng.choice(["coordinator", "superuser", "secretary_a"]), "get", url)

    bounded = (time.monotonic() - begun, fuzzer.requests)

    # 3. random: forms and query parameters
    params = (_view_params() | {p for _x, _u, parser in pages for p in parser.params}
              | {"_to_field", "_popup", "_changelist_filters", "next"})
    admin_lists = [url for key, url in targets if key.endswith("_changelist")]
    site_targets = [(key, url) for key, url in targets if not key.startswith("admin:")]
    deadline = begun + SECONDS
    done = 0
    while done < ITERATIONS and (done < MIN_RANDOM or time.monotonic() < deadline):
        done += 1
        choice = rng.random()
        if choice < 0.55 and pages:
            persona, url, parser = rng.choice(pages)
            if not parser.forms:
                continue
            form = rng.choice(parser.forms)
            action = form.action or url
            if not action.startswith("/"):
                continue
            data = _form_data(form, rng)
            fuzzer.ask(persona, "post" if form.method == "post" else "get",
                       action, data if form.method == "post" else {
                           k: v for k, v in data.items() if isinstance(v, str | list)})
        elif choice < 0.6:
            # a JSON body (the agenda's drag and drop posts one), well-formed or not
            _key, url = rng.choice(site_targets)
            body = rng.choice(JSON_BODIES)
            fuzzer.ask(rng.choice(personas), "post", url, body, json=True)
        elif choice < 0.8 or not admin_lists:
            _key, url = rng.choice(targets)
            query = {name: rng.choice([_int_values(rng), rng.choice(YEARS), _text(rng),
                                       rng.choice(DATES)])
                     for name in rng.sample(sorted(params), k=min(3, len(params)))}
            fuzzer.ask(rng.choice(personas), "get", url, query)
        else:
            url = rng.choice(admin_lists)
            query = rng.choice(ADMIN_QUERIES).format(f=rng.choice(DATE_FIELDS))
            fuzzer.ask(rng.choice(["coordinator", "editor", "superuser"]), "get",
                       f"{url}?{query}")

    slowest = sorted(fuzzer.time_by_path.items(), key=lambda kv: -kv[1])[:8]
    print(f"fuzz (FUZZ_SEED={SEED}): sweep {swept[1]} requests in {swept[0]:.0f} s, "
          f"boundaries {bounded[1] - swept[1]} by {bounded[0]:.0f} s, random {done} by "
          f"{time.monotonic() - begun:.0f} s; slowest paths: "
          + ", ".join(f"{p} {t:.1f} s" for p, t in slowest))
    report = "\n  ".join(str(f) for f in fuzzer.failures)
    assert not fuzzer.failures, (
        f"{len(fuzzer.failures)} server errors in {fuzzer.requests} requests "
        f"(FUZZ_SEED={SEED}; {done} random):\n  {report}")


def test_fuzz_form_parser_finds_fields():
    """The HTML parser the fuzz relies on finds forms, fields, options and link params
    (else the fuzz would silently post nothing)."""
    html = ('<a href="/x/?year=2026&amp;p=2">x</a><form method="post" action="/y/" '
            'enctype="multipart/form-data"><input name="title" value="T">'
            '<select name="body" multiple><option value="3">A</option></select>'
            '<textarea name="text">hej</textarea><input type="submit"></form>')
    parser = PageParser()
    parser.feed(html)
    assert parser.params == {"year", "p"}
    (form,) = parser.forms
    assert (form.method, form.action, form.multipart) == ("post", "/y/", True)
    assert [(f.name, f.kind) for f in form.fields] == [
        ("title", "text"), ("body", "select"), ("text", "textarea")]
    assert form.fields[1].options == ["3"] and form.fields[1].multiple
    assert form.fields[2].value == "hej"
    assert _fill("moten/<int:pk>/x/<str:token>/", {"pk": "5", "token": "a\r\nb"}) \
        == "/moten/5/x/a%0D%0Ab/"


def _boom(request):
    raise ValueError("a view that fails")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.urls("tests.test_fuzz")
def test_fuzzer_reports_a_server_error(db):
    """The fuzzer sees a 500 and names the URL, persona, data and exception (else the fuzz
    could not fail)."""
    fuzzer = Fuzzer({"anonymous": AnonymousUser()}, random.Random(1))
    fuzzer.ask("anonymous", "post", "/boom/", {"title": "a\r\nb"})
    (failure,) = fuzzer.failures
    text = str(failure)
    assert "500 POST /boom/ as anonymous: ValueError: a view that fails" in text
    assert "tests/test_fuzz.py" in text and "title" in text
