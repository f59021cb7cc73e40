"""The rule checks behind the coordinator's pages (issue 3): the findings and elections
of ``governance.checks``, "Min vecka" `/samordning/` (portal/week.py, tested in full in
tests/portal/test_week.py) and the offices per body `/samordning/ordforandeskap/`."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import checks, services
from governance.models import Body, OfficeTerm, Principal, Seat

pytestmark = pytest.mark.django_db
SLUG = "halsam-vasternorrland"
ON = dt.date(2026, 11, 22)


@pytest.fixture
def halsam(db):
    call_command("load_structure", SLUG, verbosity=0)


@pytest.fixture
def coordinator(db):
    user = User.objects.create_user("samordnare", password="x-secret-1")
    user.user_permissions.add(Permission.objects.get(codename="coordinate"))
    return user


def _member(seat_key: str, body: str, n: int, code: str):
    person = services.person_create(actor=None, first_name="Anna", last_name=f"Andersson{n}",
                                    email=f"a{n}@example.se",
                                    principal=Principal.objects.get(code=code))
    seat = Seat.objects.get(body__slug=body, key=seat_key)
    services.membership_start(actor=None, person=person, seat=seat, start=dt.date(2023, 1, 1))
    return person


def _recorded_before_the_rule(**fields) -> OfficeTerm:
    """An office term as old data: a region chair of Länsledning in 2026 (a municipal
    year) is refused by the services since the rule's eligibility (H11, issue 13), but a
    row recorded before must still be reported."""
    return OfficeTerm.objects.create(**fields)


def test_dashboard_is_for_coordinators_only(client, halsam, coordinator):
    assert client.get("/samordning/").status_code == 302
    User.objects.create_user("ledamot", password="x-secret-1")
    client.login(username="ledamot", password="x-secret-1")
    assert client.get("/samordning/").status_code == 403
    client.login(username="samordnare", password="x-secret-1")
    assert client.get("/samordning/").status_code == 200


def test_h11_region_chairing_lansledning_in_a_social_services_year_is_an_error(halsam):
    # 2026 is the fourth year from 2023: a head of social services chairs (H11).
    person = _member("omradesdirektorer", "lansledning", 1, "R22")
    _recorded_before_the_rule(body=Body.objects.get(slug="lansledning"),
                              office="chair", person=person, start=dt.date(2026, 1, 1),
                              end=dt.date(2026, 12, 31))
    status = next(s for s in checks.body_statuses(on=ON, structure_slug=SLUG)
                  if s.body.slug == "lansledning")
    errors = [f for f in status.findings if f.severity == "error"]
    assert len(errors) == 1 and errors[0].rule == "H11"
    assert "Anna Andersson1" in errors[0].message and "Region Västernorrland" in errors[0].message


def test_h13_election_for_next_year_is_due_and_proposals_list_eligible_members(halsam):
    reg = _member("omradesdirektorer", "lansledning", 2, "R22")
    soc = _member("fc-socialforvaltning-sundsvall", "lansledning", 3, "2281")
    school = _member("fc-skolforvaltning-timra", "lansledning", 4, "2262")
    status = next(s for s in checks.body_statuses(on=ON) if s.body.slug == "lansledning")
    # 2027 is year 5 from 2023: the region chairs (H11); election by the end of 2026 (H13).
    assert status.election.due_by == dt.date(2026, 12, 31)
    assert any(f.kind == "election_due" and f.rule == "H13" for f in status.findings)
    assert [m.person for m in status.proposals["chair"]] == [reg]
    assert school in [m.person for m in status.proposals["second_vice_chair"]]
    assert soc not in [m.person for m in status.proposals["second_vice_chair"]]
    # Once next year's chair is recorded the election is no longer due.
    services.office_term_record(actor=None, body=status.body, office="chair", person=reg,
                                start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    status = next(s for s in checks.body_statuses(on=ON) if s.body.slug == "lansledning")
    assert not any(f.kind == "election_due" for f in status.findings)


def test_h11_next_years_chair_is_checked_as_soon_as_it_is_recorded(client, halsam, coordinator,
                                                                   monkeypatch):
    """A chair recorded ahead for 2027 (a region year, H11) is checked against 2027's
    rule: a head of social services is an error at once; an area director of the region
    follows the rule, and the dashboard says so in the office's row."""
    body = Body.objects.get(slug="lansledning")
    soc = _member("fc-socialforvaltning-sundsvall", "lansledning", 5, "2281")
    reg = _member("omradesdirektorer", "lansledning", 6, "R22")
    wrong = services.office_term_record(actor=None, body=body, office="chair", person=soc,
                                        start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    status = next(s for s in checks.body_statuses(on=ON) if s.body.slug == "lansledning")
    errors = [f for f in status.findings if f.severity == "error" and "2027" in f.message]
    assert [f.rule for f in errors] == ["H11"] and "Anna Andersson5" in errors[0].message
    chair_row = next(r for r in status.offices if r.office == "chair")
    assert chair_row.next_holders == [wrong] and not chair_row.next_ok
    # Vice chairs not yet elected for 2027 are the election's business, not findings.
    assert not any(f.kind == "missing_office_holder" and "2027" in f.message
                   for f in status.findings)

    wrong.delete()
    services.office_term_record(actor=None, body=body, office="chair", person=reg,
                                start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    status = next(s for s in checks.body_statuses(on=ON) if s.body.slug == "lansledning")
    assert not [f for f in status.findings if "2027" in f.message and f.severity == "error"]
    chair_row = next(r for r in status.offices if r.office == "chair")
    assert chair_row.next_ok

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: ON)
    client.force_login(coordinator)
    html = client.get("/samordning/ordforandeskap/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    card = html.split('id="body-lansledning"', 1)[1].split("</section>", 1)[0]
    assert "Anna Andersson6" in card and "Följer regeln" in card


def test_findings_keys_are_stable_between_runs(halsam):
    person = _member("omradesdirektorer", "lansledning", 5, "R22")
    _recorded_before_the_rule(body=Body.objects.get(slug="lansledning"),
                              office="chair", person=person, start=dt.date(2026, 1, 1))
    first = {f.key for f in checks.findings(on=ON)}
    assert first == {f.key for f in checks.findings(on=ON)}


def test_dashboard_shows_findings_and_filters(client, halsam, coordinator):
    person = _member("omradesdirektorer", "lansledning", 6, "R22")
    _recorded_before_the_rule(body=Body.objects.get(slug="lansledning"),
                              office="chair", person=person, start=dt.date(2026, 1, 1))
    client.force_login(coordinator)
    html = client.get(
        "/samordning/", {"structure": SLUG, "kind": "officials_board"}
    ).content.decode()
    assert "Anna Andersson6" in html and "H11" in html
    assert "lokal-sundsvall-aldre" not in html  # filtered out by level
    assert client.get("/samordning/", {"kind": "nonsense"}).status_code == 200


@pytest.mark.parametrize("path", ["/samordning/", "/samordning/ordforandeskap/"])
def test_dashboard_query_count_does_not_grow_with_bodies(client, halsam, coordinator, path):
    client.force_login(coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    count()  # warms the process-wide caches (content types, permissions)
    before = count()
    template = Body.objects.get(slug="lansledning")
    for i in range(10):
        b = Body.objects.create(structure=template.structure, name=f"Extra {i}", slug=f"extra-{i}",
                                kind="working_group", rotation=template.rotation)
        Seat.objects.create(body=b, key="regionen", title="Regionen",
                            principal=Principal.objects.get(code="R22"), member_count=2)
        person = _member("regionen", f"extra-{i}", 100 + i, "R22")
        _recorded_before_the_rule(body=b, office="chair", person=person,
                                  start=dt.date(2026, 1, 1))
    assert count() == before


def test_rotation_check_exits_1_on_an_error_and_0_without(halsam, capsys, monkeypatch):
    """`rotation --check` prints the findings and exits 1 when any is an error (H11)."""
    import governance.management.commands.rotation as rotation_command

    monkeypatch.setattr(rotation_command.timezone, "localdate", lambda: ON)
    call_command("rotation", "--check", "--structure", SLUG)  # warnings only: no exit
    assert "0 error(s)" in capsys.readouterr().out
    person = _member("omradesdirektorer", "lansledning", 7, "R22")
    _recorded_before_the_rule(body=Body.objects.get(slug="lansledning"),
                              office="chair", person=person, start=dt.date(2026, 1, 1))
    with pytest.raises(SystemExit) as exc:
        call_command("rotation", "--check", "--structure", SLUG)
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "ERROR" in out and "H11" in out and "Anna Andersson7" in out
    with pytest.raises(CommandError):
        call_command("rotation", "--check", "--structure", "finns-inte")


def test_h11_rule_id_on_the_offices_page_links_to_the_rules_text(client, halsam, coordinator):
    """The requirement of each office names its rule (H11 for Länsledning's chair) as a
    link to the rule's text on /regler/."""
    client.force_login(coordinator)
    html = client.get("/samordning/ordforandeskap/").content.decode()
    card = html.split('id="body-lansledning"', 1)[1].split("</section>", 1)[0]
    assert 'href="/regler/#H11"' in card
    assert 'id="H11"' in client.get("/regler/").content.decode()
