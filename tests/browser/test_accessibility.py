"""WCAG 2.1 A and AA, proved in Chromium on every page each persona sees, with axe-core
at 1280 px and the reflow check (WCAG 1.4.10) at 320 CSS px; screenshots of every page.

Each persona (the authorisation matrix's six) logs in and opens every page of the
project (``pages.PAGES``, one path per named URL pattern, with real objects). Every page
that answers 200 with HTML *at the address asked for* (not a redirect to the login) is
loaded once and then:

1. checked by axe-core with the tags wcag2a, wcag2aa, wcag21a and wcag21aa at 1280 px:
   there must be no violation;
2. photographed at 1280 and 390 px (full page) by the one persona with the widest view
   of it (``screenshot_persona``): ``test-artifacts/pages/<persona>--<url name>--<w>.png``;
3. narrowed to 320 CSS px: ``document.documentElement.scrollWidth <= innerWidth``, so
   nothing scrolls sideways; a failure names the elements that stick out furthest.

The coordinator's admin gets the same (axe with zero violations, the screenshots, and the
reflow check) on the pages the coordinator uses: the index, the change list, add and
change form of each model they keep, and a history page.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from .conftest import (
    DESKTOP,
    PHONE,
    REFLOW,
    PlaywrightError,
    axe,
    describe,
    describe_reflow,
    login,
    page_shot,
    reflow,
    save_report,
    settle,
)
from .pages import NOT_PAGES, PAGES, all_paths, uncovered, url_names
from .world import PERSONAS, build_world

MATRIX_FILE = Path(__file__).resolve().parents[1] / "test_authorization_matrix.py"

# Pages each persona must reach (and so have checked): a floor, so that a broken login or
# a world without objects cannot make the test pass by checking nothing.
MUST_SEE = {
    "anonymous": {"/", "/dokument/", "/tillganglighet/", "meeting", "document"},
    "member_a": {"/", "/mina-sidor/", "meeting", "document"},
    "member_b": {"/", "meeting", "document"},
    "secretary_a": {"/sekreterare/", "meeting", "meeting-agenda", "document"},
    "editor": {"/redaktion/", "/dokument/ny/", "/tillganglighet/redigera/", "document"},
    "coordinator": {"/samordning/", "/samordning/plan/", "meeting-agenda", "document"},
}

# Who photographs a page: the first persona of this order that may see it (by the
# authorisation matrix), so the screenshot shows the most of it.
SCREENSHOT_ORDER = ("coordinator", "editor", "secretary_a", "member_a", "member_b",
                    "anonymous", "staff")
# Pages better shown by someone else: a member's own page, the secretary's page, and the
# pages made for visitors who are not logged in.
SCREENSHOT_PERSONA = {
    "portal:home": "member_a",
    "portal:secretary": "secretary_a",
    "meetings:absence_link": "anonymous",
    "login": "anonymous",
    "password_reset": "anonymous",
    "password_reset_done": "anonymous",
    "password_reset_complete": "anonymous",
}

# Django's admin: the axe rules it is known to break. A rule outside this set fails the
# admin test. Empty: the admin must have no violation (docs/accessibility-testing.md).
KNOWN_DJANGO_ADMIN_VIOLATIONS: set[str] = set()


@cache
def _matrix() -> dict[str, dict[str, int | str]]:
    """tests/test_authorization_matrix.py's MATRIX (empty while it does not exist)."""
    if not MATRIX_FILE.is_file():
        return {}
    spec = importlib.util.spec_from_file_location("tests.test_authorization_matrix",
                                                  MATRIX_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(getattr(module, "MATRIX", {}))


def _matrix_keys() -> list[str]:
    return [str(k) for k in _matrix()]


def screenshot_persona(url_name: str) -> str | None:
    """The persona who photographs the pages of ``url_name``; None when the matrix does
    not say who may see it (then every persona that reaches it does)."""
    if url_name in SCREENSHOT_PERSONA:
        return SCREENSHOT_PERSONA[url_name]
    rows = [answers for key, answers in _matrix().items() if key.split("@", 1)[0] == url_name]
    if not rows:
        return None
    allowed = {p for answers in rows for p, status in answers.items() if status == 200}
    return next((p for p in SCREENSHOT_ORDER if p in allowed), None)


def _alias(world, path: str) -> str | None:
    meeting, document = f"/moten/{world.meeting.pk}/", f"/dokument/{world.document.pk}/"
    return {meeting: "meeting", f"{meeting}dagordning/": "meeting-agenda",
            document: "document"}.get(path)


def check_page(page, *, persona: str, url_name: str, variant: int, photograph: bool,
               shot) -> tuple[list[dict], dict | None]:
    """axe at 1280 px, the screenshots at 1280 and 390 px, the reflow check at 320 px of
    the page loaded in ``page``; returns the violations and the reflow failure."""
    violations = axe(page)
    if violations:
        shot(page, f"{persona} {url_name} violations")
    if photograph:
        page_shot(page, persona, url_name, DESKTOP["width"], variant=variant)
        page.set_viewport_size(PHONE)
        settle(page)
        page_shot(page, persona, url_name, PHONE["width"], variant=variant)
    page.set_viewport_size(REFLOW)
    settle(page)
    overflow = reflow(page)
    if overflow:
        shot(page, f"{persona} {url_name} reflow 320", full_page=False)
    page.set_viewport_size(DESKTOP)
    return violations, overflow


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
    bases = {k.split("@", 1)[0] for k in keys}
    missing = [k for k in sorted(bases) if k in names and k not in known and uncovered([k])]
    assert not missing, f"matrix entries missing from tests/browser/pages.py: {missing}"


def test_every_page_has_one_screenshot_persona():
    """Each page of the matrix is photographed by a persona that may see it."""
    for key, answers in _matrix().items():
        name = key.split("@", 1)[0]
        if name in NOT_PAGES or name.startswith("admin:"):
            continue
        persona = screenshot_persona(name)
        if any(status == 200 for status in answers.values()):
            assert persona is not None, name
            assert any(_matrix()[k].get(persona) == 200 for k in _matrix()
                       if k.split("@", 1)[0] == name), (name, persona)


def test_the_reflow_check_finds_sideways_scrolling_and_names_the_culprit(page):
    """The check itself: a 600 px wide box makes a 320 px page scroll sideways and is
    named; the same box inside a scrolling region (a .table-scroll) does not count, but
    an absolutely positioned text that escapes the region does."""
    page.set_viewport_size(REFLOW)
    page.set_content("<!DOCTYPE html><html lang='sv'><body style='margin:0'><main>"
                     "<p>Kort text.</p><div id='bred' class='tabell' style='width:600px'>"
                     "Bred tabell</div></main></body></html>")
    found = reflow(page)
    assert found is not None and found["scrollWidth"] >= 600 and found["innerWidth"] == 320
    assert found["widest"][0]["element"] == "div#bred.tabell", found
    assert "div#bred.tabell" in describe_reflow(found)
    page.set_content("<!DOCTYPE html><html lang='sv'><body style='margin:0'><main>"
                     "<div class='table-scroll' style='overflow-x:auto' role='region' "
                     "tabindex='0' aria-label='Tabell'><div style='width:600px'>Bred tabell"
                     "</div></div></main></body></html>")
    assert reflow(page) is None
    # A visually hidden text positioned out of a scrolling region that is not positioned
    # escapes it, and makes the page scroll.
    page.set_content("<!DOCTYPE html><html lang='sv'><body style='margin:0'><main>"
                     "<div class='table-scroll' style='overflow-x:auto'><div style='width:"
                     "600px'>Bred <span class='dold' style='position:absolute;left:500px;"
                     "width:1px;height:1px;overflow:hidden'>dold text</span></div></div>"
                     "</main></body></html>")
    found = reflow(page)
    assert found is not None and found["widest"][0]["element"] == "span.dold", found


@pytest.mark.parametrize("persona", PERSONAS)
def test_wcag21_aa_and_reflow_on_every_page_the_persona_sees(persona, page, shot):
    world = build_world()
    user = world.user(persona)
    if user is not None:
        login(page, user)
    checked: list[str] = []
    failures: dict[str, list[dict]] = {}
    overflows: dict[str, dict] = {}
    variants: dict[str, int] = {}
    for name, path in all_paths(world):
        variants[name] = variants.get(name, 0) + 1
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
        photographer = screenshot_persona(name)
        violations, overflow = check_page(
            page, persona=persona, url_name=name, variant=variants[name], shot=shot,
            photograph=photographer in (persona, None))
        if violations:
            failures[f"{name} {path}"] = violations
        if overflow:
            overflows[f"{name} {path}"] = overflow
    save_report(f"axe-{persona}", {"checked": checked, "violations": failures,
                                   "reflow_320": overflows})
    seen = set(checked) | {_alias(world, p) for p in checked}
    assert MUST_SEE[persona] <= seen, (
        f"{persona} should reach {sorted(MUST_SEE[persona] - seen)}; checked {checked}")
    problems = []
    if failures:
        problems.append(f"WCAG 2.1 A/AA violations (axe) for {persona}:\n" + "\n".join(
            f"{where}\n{describe(v)}" for where, v in failures.items()))
    if overflows:
        problems.append(f"pages that scroll sideways at 320 CSS px for {persona} "
                        "(WCAG 1.4.10 reflow):\n" + "\n".join(
                            f"{where}\n{describe_reflow(o)}" for where, o in overflows.items()))
    assert not problems, "\n\n".join(problems)


# --- the coordinator's admin ---------------------------------------------------------------

def _office_term(world):
    """An office term to open in the admin: this year's convener of the local group
    (recorded through the service; the preset records none)."""
    from governance import services as gov
    from governance.models import OfficeTerm

    term = OfficeTerm.objects.order_by("pk").first()
    if term is not None:
        return term
    year = timezone.localdate().year
    return gov.office_term_record(actor=None, body=world.body_b, office="convener",
                                  person=world.people["member_b"], start=dt.date(year, 1, 1),
                                  end=dt.date(year, 12, 31), reason="Testvärld")


def admin_paths(world) -> list[tuple[str, str]]:
    """(name, path) of the admin pages the coordinator uses."""
    from governance.models import Membership, Seat

    seat = Seat.objects.filter(body=world.body_a).order_by("pk").first()
    membership = Membership.objects.filter(person=world.people["member_a"]).first()
    objects = {
        ("governance", "structure"): world.body_a.structure.pk,
        ("governance", "body"): world.body_a.pk,
        ("governance", "seat"): seat.pk,
        ("governance", "person"): world.people["member_a"].pk,
        ("governance", "membership"): membership.pk,
        ("governance", "officeterm"): _office_term(world).pk,
        ("meetings", "meeting"): world.meeting.pk,
        ("documents", "document"): world.document.pk,
    }
    coordinator = world.user("coordinator")
    out = [("admin:index", "/admin/")]
    for (app, model), pk in objects.items():
        base = f"/admin/{app}/{model}/"
        out.append((f"admin:{app}_{model}_changelist", base))
        # Documents are registered on the portal's own form (/dokument/ny/); where the
        # coordinator may not add in the admin there is no add form to check.
        if coordinator.has_perm(f"{app}.add_{model}"):
            out.append((f"admin:{app}_{model}_add", f"{base}add/"))
        out.append((f"admin:{app}_{model}_change", f"{base}{pk}/change/"))
    out.append(("admin:governance_body_history",
                f"/admin/governance/body/{world.body_a.pk}/history/"))
    return out


ADMIN_GROUPS = {
    "governance": ("admin:index", "admin:governance_structure", "admin:governance_body",
                   "admin:governance_seat", "admin:governance_person"),
    "meetings-documents": ("admin:governance_membership", "admin:governance_officeterm",
                           "admin:meetings_meeting", "admin:documents_document"),
}


@pytest.mark.parametrize("group", list(ADMIN_GROUPS))
def test_coordinators_admin_pages_pass_axe_and_reflow(group, page, shot):
    """The coordinator's admin (index; change list, add and change form of structure,
    body, seat, person, membership, office term, meeting and document; a history page):
    no axe violation, no sideways scrolling at 320 px; screenshots at 1280 and 390 px.
    Split in two groups so that two workers share it."""
    world = build_world()
    login(page, world.user("coordinator"), next_path="/admin/")
    wanted = ADMIN_GROUPS[group]
    found: dict[str, list[dict]] = {}
    overflows: dict[str, dict] = {}
    for name, path in admin_paths(world):
        if not name.startswith(wanted):
            continue
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        assert urlsplit(page.url).path == path, f"{path} went to {page.url}"
        violations, overflow = check_page(page, persona="coordinator", url_name=name,
                                          variant=1, photograph=True, shot=shot)
        found[path] = violations
        if overflow:
            overflows[path] = overflow
    assert found, f"no admin page in group {group}"
    save_report(f"axe-admin-{group}", {"violations": found, "reflow_320": overflows})
    unknown = {path: [v for v in vs if v["id"] not in KNOWN_DJANGO_ADMIN_VIOLATIONS]
               for path, vs in found.items()}
    unknown = {p: v for p, v in unknown.items() if v}
    problems = []
    if unknown:
        problems.append("axe violations in the coordinator's admin:\n" + "\n".join(
            f"{p}\n{describe(v)}" for p, v in unknown.items()))
    if overflows:
        problems.append("admin pages that scroll sideways at 320 CSS px:\n" + "\n".join(
            f"{p}\n{describe_reflow(o)}" for p, o in overflows.items()))
    assert not problems, "\n\n".join(problems)
