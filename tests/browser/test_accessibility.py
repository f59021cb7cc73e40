"""WCAG 2.1 A and AA, proved with axe-core in Chromium on every page each persona sees.

Each persona (the authorisation matrix's six) logs in and opens every page of the
project (``pages.PAGES``, one path per named URL pattern, with real objects); every
page that answers 200 with HTML *at the address asked for* (not a redirect to the login)
is checked by axe-core with the tags wcag2a, wcag2aa, wcag21a and wcag21aa, and must
have no violation. Django's admin is checked separately: its own violations are listed
in docs/accessibility-testing.md and a new kind fails the test.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import PlaywrightError, axe, describe, login, save_report
from .pages import NOT_PAGES, PAGES, all_paths, uncovered, url_names
from .world import PERSONAS, build_world

MATRIX_FILE = Path(__file__).resolve().parents[1] / "test_authorization_matrix.py"

# Pages each persona must reach (and so have checked): a floor, so that a broken login or
# a world without objects cannot make the test pass by checking nothing.
MUST_SEE = {
    "anonymous": {"/", "/dokument/", "/tillganglighet/", "meeting", "document"},
    "member_a": {"/", "/mina-sidor/", "meeting", "document"},
    "member_b": {"/", "meeting", "document"},
    "secretary_a": {"meeting", "meeting-agenda", "document"},
    "editor": {"/redaktion/", "/dokument/ny/", "document"},
    "coordinator": {"/samordning/", "/samordning/plan/", "meeting-agenda", "document"},
}

# Django's admin (templates and CSS of django.contrib.admin, not ours): the axe rules it
# is known to break. A rule outside this set fails the admin test. See
# docs/accessibility-testing.md.
KNOWN_DJANGO_ADMIN_VIOLATIONS: set[str] = set()


def _matrix_keys() -> list[str]:
    """The URL names or patterns of the authorisation matrix, once it exists."""
    if not MATRIX_FILE.is_file():
        return []
    spec = importlib.util.spec_from_file_location("tests.test_authorization_matrix",
                                                  MATRIX_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [str(k) for k in getattr(module, "MATRIX", {})]


def _alias(world, path: str) -> str | None:
    meeting, document = f"/moten/{world.meeting.pk}/", f"/dokument/{world.document.pk}/"
    return {meeting: "meeting", f"{meeting}dagordning/": "meeting-agenda",
            document: "document"}.get(path)


def test_every_page_is_in_the_accessibility_check():
    """A new named URL pattern needs a path in tests/browser/pages.py (or a reason in
    NOT_PAGES), so no page escapes the check."""
    missing = uncovered(url_names())
    assert not missing, ("URL patterns without a page in tests/browser/pages.py PAGES "
                         f"(or a reason in NOT_PAGES): {missing}")


def test_every_matrix_entry_is_in_the_accessibility_check():
    """Every entry of the authorisation matrix (tests/test_authorization_matrix.py) that
    names a URL pattern is a page checked here, or a non-page with a reason."""
    keys = _matrix_keys()
    if not keys:
        pytest.skip("tests/test_authorization_matrix.py has no MATRIX yet; the URLconf "
                    "check above covers every pattern meanwhile")
    names = set(url_names())
    known = set(PAGES) | set(NOT_PAGES)
    # A key is a URL name ("meetings:detail") or a pattern ("moten/<int:pk>/"); names
    # are checked directly, patterns through the URLconf check above.
    missing = [k for k in keys if k in names and k not in known and uncovered([k])]
    assert not missing, f"matrix entries missing from tests/browser/pages.py: {missing}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_wcag21_aa_on_every_page_the_persona_sees(persona, page, shot):
    world = build_world()
    user = world.user(persona)
    if user is not None:
        login(page, user)
    checked: list[str] = []
    failures: dict[str, list[dict]] = {}
    for name, path in all_paths(world):
        try:
            response = page.goto(path)
        except PlaywrightError:
            continue  # an error status without a body (405 for POST-only views)
        wanted = urlsplit(path).path
        if (response is None or response.status != 200
                or "text/html" not in (response.headers.get("content-type") or "")
                or urlsplit(page.url).path != wanted):
            continue  # refused, redirected to the login, or not HTML: not this persona's
        checked.append(path)
        violations = axe(page)
        if violations:
            failures[f"{name} {path}"] = violations
            shot(page, f"{persona} {path} violations")
    save_report(f"axe-{persona}", {"checked": checked, "violations": failures})
    seen = set(checked) | {_alias(world, p) for p in checked}
    assert MUST_SEE[persona] <= seen, (
        f"{persona} should reach {sorted(MUST_SEE[persona] - seen)}; checked {checked}")
    assert not failures, f"WCAG 2.1 A/AA violations for {persona}:\n" + "\n".join(
        f"{where}\n{describe(v)}" for where, v in failures.items())


def test_django_admin_pages_break_only_known_rules(page, shot):
    """The coordinator's admin (index, a change list, the membership and office term
    forms): checked, and only the violations Django's own templates are known to have
    are tolerated (listed in docs/accessibility-testing.md)."""
    world = build_world(with_document=False)
    login(page, world.user("coordinator"), next_path="/admin/")
    found: dict[str, list[dict]] = {}
    for path in ("/admin/", "/admin/governance/membership/", "/admin/governance/membership/add/",
                 "/admin/governance/officeterm/add/", "/admin/governance/person/add/"):
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        found[path] = axe(page)
        shot(page, f"admin {path}")
    save_report("axe-django-admin", found)
    unknown = {path: [v for v in vs if v["id"] not in KNOWN_DJANGO_ADMIN_VIOLATIONS]
               for path, vs in found.items()}
    unknown = {p: v for p, v in unknown.items() if v}
    assert not unknown, "new violations in Django's admin:\n" + "\n".join(
        f"{p}\n{describe(v)}" for p, v in unknown.items())
