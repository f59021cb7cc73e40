"""The browser harness: Debian's Chromium driven by Playwright against pytest-django's
live server, with axe-core for the accessibility checks.

- ``live_server`` (overridden here) binds 127.0.0.1; every test that uses it gets
  ``transactional_db`` (pytest-django), so what the test writes is visible to the
  server thread and the database is emptied after each test.
- ``chromium`` is one headless Chromium for the whole session (``/usr/bin/chromium``,
  never a downloaded browser); ``page`` is a fresh browser context and page per test.
- ``axe(page)`` injects ``tests/browser/node_modules/axe-core/axe.min.js`` (installed
  by ``tests/browser/setup.sh``, read from disk, never fetched) and returns the WCAG 2.0
  and 2.1 A/AA violations.
- ``login(page, user)`` logs in through the real login form at ``/accounts/login/``;
  while that page does not exist, through Django's admin login for staff and with a
  session cookie for everyone else (the admin login refuses non-staff accounts).
- ``shot(page, name)`` saves a screenshot under ``test-artifacts/``;
  ``page_shot(page, persona, url_name, width)`` the screenshot of a page of the project,
  ``test-artifacts/pages/<persona>--<url name>--<width>.png``.
- ``reflow(page)`` answers whether the page scrolls sideways at the current viewport
  (WCAG 1.4.10) and, when it does, which elements stick out furthest.

The tests are marked ``browser``. Outside CI a test is skipped, saying why, when
Playwright, Chromium or axe-core is missing (run ``tests/browser/setup.sh``); with
``CI`` set they are never skipped: a missing piece fails them.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the tests skip (or fail in CI) in the ``chromium`` fixture
    class PlaywrightError(Exception):  # type: ignore[no-redef]
        pass

# Playwright's sync API runs an event loop in the main thread; Django's ORM, used by the
# tests between browser steps, refuses to run "in an async context" unless told that
# this is deliberate. The tests and the live server never share a connection mid-query.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("HALSAM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Viewports: the desktop the pages are checked at, a phone for the screenshots, and the
# 320 CSS px of WCAG 1.4.10 (1280 px at 400 % zoom).
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
REFLOW = {"width": 320, "height": 640}
PASSWORD = "browser-test-password-1"  # noqa: S105 - test users only


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_requirements() -> list[str]:
    """What the browser tests need and this machine lacks (empty: all there)."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (pip install -e '.[dev]')")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Debian's Chromium at {CHROMIUM} (tests/browser/setup.sh)")
    if not AXE_JS.is_file():
        missing.append(f"axe-core at {AXE_JS.relative_to(ROOT)} (tests/browser/setup.sh)")
    return missing


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


# --- the server ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(request) -> Iterator:
    """pytest-django's live server on 127.0.0.1 (not "localhost", which may be ::1)."""
    from pytest_django.live_server_helper import LiveServer

    addr = (request.config.getvalue("liveserver")
            or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "127.0.0.1")
    server = LiveServer(addr, start=False)
    if server.thread.connections_override:
        # In-memory SQLite: the server shares the test's one connection. A threaded
        # server let two requests (say, an autocomplete search and a session lookup)
        # use that sqlite3 connection at once, which hung a CI run for good. One
        # request at a time (Django's WSGIServer answers "Connection: close" then, so
        # the browser's parallel requests simply queue).
        server.thread.server_class = _SerialWSGIServer
    server.start()
    yield server
    server.stop()


class _SerialWSGIServer(WSGIServer):
    """Django's WSGIServer, taking (and ignoring) the live server's
    ``connections_override``: LiveServerThread.run() has already installed the shared
    connections in the one thread that answers every request."""

    def __init__(self, *args, connections_override=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fast_browser_settings(settings, tmp_path) -> None:
    """Quick password hashing, uploads in a temporary folder, and e-mail in memory."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Debian Chromium for the session; skipped (outside CI) or failed (in
    CI) when Playwright, Chromium or axe-core is missing."""
    missing = missing_requirements()
    if missing:
        reason = "browser tests need " + "; ".join(missing)
        if in_ci():
            pytest.fail(f"{reason} — in CI the browser tests are never skipped", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(chromium, live_server) -> Iterator:
    ctx = chromium.new_context(base_url=live_server.url, locale="sv-SE",
                               timezone_id="Europe/Stockholm",
                               viewport=DESKTOP)
    ctx.set_default_timeout(15_000)
    # Nothing may be fetched from other sites: any request off the live server fails.
    ctx.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    # Whatever the Content-Security-Policy refuses on any page fails the test (issue 12 §8).
    # Scripts the tests evaluate (axe-core sets inline styles) have no URL: not the site's.
    refused: list[str] = []
    ctx.on("console", lambda msg: refused.append(
        f"{msg.location.get('url')}:{msg.location.get('lineNumber')}: {msg.text}")
        if "Content Security Policy" in msg.text and msg.location.get("url") else None)
    yield ctx
    ctx.close()
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)


@pytest.fixture
def page(context):
    return context.new_page()


# --- helpers ------------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_.-]+", "-", text).strip("-")[:120]


@pytest.fixture
def shot(request):
    """``shot(page, "what is shown")`` saves test-artifacts/<test>--NN-<what>.png."""
    counter = {"n": 0}
    test = _slug(request.node.name)

    def take(page, name: str, full_page: bool = True) -> Path:
        counter["n"] += 1
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{test}--{counter['n']:02d}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def page_shot(page, persona: str, url_name: str, width: int, *, variant: int = 1) -> Path:
    """A full-page screenshot of a page of the project at the current viewport:
    ``test-artifacts/pages/<persona>--<url name>[-<variant>]--<width>.png``."""
    folder = ARTIFACTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    name = url_name.replace(":", "-") + (f"-{variant}" if variant > 1 else "")
    path = folder / f"{_slug(persona)}--{_slug(name)}--{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def settle(page) -> None:
    """Wait until the page has laid itself out again (after a resize): two frames."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r)))")


REFLOW_JS = r"""() => {
    const doc = document.documentElement, vw = window.innerWidth;
    if (doc.scrollWidth <= vw) return null;
    const clips = (el) => {
        // Inside a box that scrolls or clips sideways (a .table-scroll region), an element
        // may be wider than the screen without making the page scroll; but an absolutely
        // positioned one (a visually hidden text) escapes every box between it and its
        // positioned containing block, and so does make the page scroll.
        let position = getComputedStyle(el).position;
        if (position === 'fixed') return false;
        let escaping = position === 'absolute';
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const s = getComputedStyle(a);
            if (!escaping || s.position !== 'static') {
                if (s.overflowX !== 'visible') return a.getBoundingClientRect().right <= vw + 1;
                escaping = s.position === 'absolute' || s.position === 'fixed';
            }
        }
        return false;
    };
    const name = (el) => {
        let d = el.tagName.toLowerCase();
        if (el.id) d += '#' + el.id;
        const cls = (el.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean);
        if (cls.length) d += '.' + cls.slice(0, 3).join('.');
        return d;
    };
    const describe = (el) => {
        // Where it is: up to three named ancestors ("header.site-header nav li a").
        const path = [];
        for (let a = el.parentElement; a && a !== document.body && path.length < 3;
             a = a.parentElement) {
            if (a.id || a.getAttribute('class') || ['nav', 'table', 'form'].includes(
                    a.tagName.toLowerCase())) path.unshift(name(a));
        }
        const text = (el.innerText || el.getAttribute('aria-label') || '').trim()
            .replace(/\s+/g, ' ').slice(0, 60);
        return {element: name(el), where: path.join(' '), text,
                right: Math.round(el.getBoundingClientRect().right),
                width: Math.round(el.getBoundingClientRect().width)};
    };
    const all = [...document.body.querySelectorAll('*')];
    let wide = all.filter(el => {
        const r = el.getBoundingClientRect();
        return !(r.width === 0 && r.height === 0) && r.right > vw + 1 && !clips(el);
    });
    if (!wide.length) {
        // No box sticks out: then content overflows a box (a long word, a nowrap text).
        wide = all.filter(el => getComputedStyle(el).overflowX === 'visible'
            && el.scrollWidth > el.clientWidth + 1
            && el.getBoundingClientRect().left + el.scrollWidth > vw + 1 && !clips(el));
    }
    // The culprits: elements sticking out none of whose children sticks out further.
    const set = new Set(wide);
    const leaves = wide.filter(el => ![...el.children].some(c => set.has(c)));
    leaves.sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
    return {scrollWidth: doc.scrollWidth, innerWidth: vw,
            widest: leaves.slice(0, 3).map(describe)};
}"""


def reflow(page) -> dict | None:
    """None when the page does not scroll sideways at the current viewport
    (``document.documentElement.scrollWidth <= innerWidth``); else the widths and the
    (at most three) elements that stick out furthest."""
    return page.evaluate(REFLOW_JS)


def describe_reflow(found: dict) -> str:
    lines = [f"  scrollWidth {found['scrollWidth']} > innerWidth {found['innerWidth']}"]
    for el in found["widest"]:
        where = f" in {el['where']}" if el.get("where") else ""
        lines.append(f"    {el['element']}{where} (right edge {el['right']} px, width "
                     f"{el['width']} px): {el['text']!r}")
    return "\n".join(lines)


def axe(page, *, exclude: list[str] | None = None) -> list[dict]:
    """The WCAG 2.0/2.1 A and AA violations axe-core finds on ``page``'s document."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: an inline <script> tag would be (rightly)
        # refused by the Content-Security-Policy (issue 12 §8).
        page.evaluate("() => {\n" + AXE_JS.read_text(encoding="utf-8") + "\n}")
    context = {"exclude": [[sel] for sel in exclude]} if exclude else "document"
    result = page.evaluate(
        """async ([ctx, tags]) => {
            const target = ctx === 'document' ? document : ctx;
            const r = await axe.run(target, {runOnly: {type: 'tag', values: tags},
                                             resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))}));
        }""",
        [context, WCAG_TAGS],
    )
    return result


def describe(violations: list[dict]) -> str:
    """A readable list of violations for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


def look_at(page, shot, name: str) -> None:
    """A journey's look at a page: axe at 1280 px, screenshots at 1280 and 390 px, no
    sideways scroll at 320 px (WCAG 1.4.10), then back to the desktop size."""
    violations = axe(page)
    assert not violations, f"{name}:\n{describe(violations)}"
    shot(page, f"{name} 1280")
    page.set_viewport_size(PHONE)
    settle(page)
    shot(page, f"{name} 390")
    page.set_viewport_size(REFLOW)
    settle(page)
    found = reflow(page)
    assert found is None, f"{name} scrolls sideways at 320 px:\n{describe_reflow(found)}"
    page.set_viewport_size(DESKTOP)
    settle(page)


def save_report(name: str, data) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{_slug(name)}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def login_path_exists(page) -> bool:
    response = page.request.get("/accounts/login/")
    return response.status == 200


def login(page, user, password: str = PASSWORD, *, next_path: str = "/") -> str:
    """Log ``user`` in; returns how: "form" (/accounts/login/), "admin" or "session".

    The form is filled and sent with the keyboard (Enter), as a user would.
    """
    if login_path_exists(page):
        page.goto(f"/accounts/login/?next={next_path}")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        assert "/accounts/login/" not in page.url, f"login failed for {user}: {page.url}"
        return "form"
    if user.is_staff:
        page.goto(f"/admin/login/?next={next_path}")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        assert "/login/" not in page.url, f"admin login failed for {user}: {page.url}"
        return "admin"
    if not page.url.startswith("http"):
        page.goto("/")
    session_login(page, user)
    page.goto(next_path)
    return "session"


def session_login(page, user) -> None:
    """Give the browser a session of ``user`` (Django's test client makes it)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": _base_url(page)}])


def _base_url(page) -> str:
    match = re.match(r"^(https?://[^/]+)", page.url)
    if not match:
        raise RuntimeError("open a page of the live server before a session login")
    return match.group(1)
