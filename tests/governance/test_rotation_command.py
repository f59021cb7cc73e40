"""``manage.py rotation <body-slug> --year YYYY [--json]`` on the loaded HälSam preset."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.models import Body

pytestmark = pytest.mark.django_db


@pytest.fixture
def halsam(db):
    call_command("load_structure", "halsam-vasternorrland", verbosity=0, stdout=StringIO())


def _rotation(*args: str) -> str:
    out = StringIO()
    call_command("rotation", *args, stdout=out)
    return out.getvalue()


def _json(slug: str, year: int) -> dict:
    text = _rotation(slug, "--year", str(year), "--json")
    assert text.count("\n") <= 1  # exactly one JSON object
    return json.loads(text)


def test_h11_h12_h13_lansledning_2027_json(halsam):
    """2027 is year 5 from 2023: the region chairs (H11), a municipality is 1st vice (H12),
    a school head 2nd vice (H12), elected by the end of 2026 (H13)."""
    assert _json("lansledning", 2027) == {
        "body": "lansledning",
        "period": {"start": "2027-01-01", "end": "2027-12-31"},
        "offices": {
            "chair": {"principal_kind": "region", "sector": None, "rule": "H11"},
            "vice_chair": {"principal_kind": "municipality", "sector": None, "rule": "H12"},
            "second_vice_chair": {"principal_kind": "municipality", "sector": "school",
                                  "rule": "H12"},
        },
        "election": {"due_by": "2026-12-31"},
    }


def test_h11_lansledning_2028_social_services_head_chairs(halsam):
    data = _json("lansledning", 2028)
    assert data["offices"]["chair"] == {"principal_kind": "municipality",
                                        "sector": "social_services", "rule": "H11"}
    assert data["offices"]["vice_chair"]["principal_kind"] == "region"
    assert data["election"] == {"due_by": "2027-12-31"}


def test_h16_lansamordning_aldre_json_has_no_second_vice_chair(halsam):
    assert _json("lansamordning-aldre", 2025) == {
        "body": "lansamordning-aldre",
        "period": {"start": "2025-01-01", "end": "2025-12-31"},
        "offices": {
            "chair": {"principal_kind": "region", "sector": "health_care", "rule": "H16"},
            "vice_chair": {"principal_kind": "municipality", "sector": None, "rule": "H16"},
        },
        "election": {"due_by": "2024-12-31"},
    }


def test_h20_lokal_samverkan_json_two_year_period(halsam):
    assert _json("lokal-kramfors-barn-och-unga", 2026) == {
        "body": "lokal-kramfors-barn-och-unga",
        "period": {"start": "2025-01-01", "end": "2026-12-31"},
        "offices": {
            "chair": {"principal_kind": "region", "sector": None, "rule": "H20"},
            "vice_chair": {"principal_kind": "municipality", "sector": None, "rule": "H20"},
        },
        "election": {"due_by": "2024-12-31"},
    }


def test_h20_starting_side_edited_on_one_group_changes_only_that_group(halsam):
    body = Body.objects.get(slug="lokal-solleftea-vuxna")
    body.rotation = {**body.rotation, "cycle_start": 1}
    body.save(update_fields=["rotation"])
    assert _json("lokal-solleftea-vuxna", 2023)["offices"]["chair"]["principal_kind"] == "region"
    assert _json("lokal-solleftea-aldre", 2023)["offices"]["chair"]["principal_kind"] == (
        "municipality")


def test_h3_h4_political_presidium_json(halsam):
    assert _json("halsam-presidium", 2029) == {
        "body": "halsam-presidium",
        "period": {"start": "2027-01-01", "end": "2030-12-31"},
        "offices": {
            "chair": {"principal_kind": "any", "sector": None, "rule": "H4"},
            "convener": {"principal_kind": "any", "sector": None, "rule": "H4"},
        },
        "election": {"due_by": "2027-03-31"},
    }


def test_v3_extension_stored_on_the_body_shifts_the_json(halsam):
    """An extension recorded in the body's rule (V3/V8 style) lengthens that period."""
    body = Body.objects.get(slug="lansledning")
    body.rotation = {**body.rotation, "extensions": [{"period_start": 2025, "years": 1}]}
    body.save(update_fields=["rotation"])
    data = _json("lansledning", 2026)
    assert data["period"] == {"start": "2025-01-01", "end": "2026-12-31"}
    assert data["offices"]["chair"]["principal_kind"] == "region"
    assert _json("lansledning", 2027)["offices"]["chair"]["principal_kind"] == "municipality"


def test_table_output_is_readable(halsam):
    text = _rotation("lansledning", "--year", "2024")
    assert "Länsledning för HälSam (lansledning)" in text
    assert "Period 2024: 2024-01-01 – 2024-12-31" in text
    chair_line = next(line for line in text.splitlines() if line.startswith("chair "))
    assert "municipality" in chair_line and "social services" in chair_line
    assert "H11" in chair_line
    assert "due by 2023-12-31" in text


def test_unknown_slug_is_a_command_error(halsam):
    with pytest.raises(CommandError, match="No body with the slug 'no-such-body'"):
        _rotation("no-such-body", "--year", "2027", "--json")


def test_body_without_rotation_rule_is_a_command_error(halsam):
    assert Body.objects.get(slug="presidium").rotation == {}
    with pytest.raises(CommandError, match="has no rotation rule"):
        _rotation("presidium", "--year", "2027", "--json")


def test_year_before_the_rule_starts_is_a_command_error(halsam):
    with pytest.raises(CommandError, match="applies from 2023"):
        _rotation("lansledning", "--year", "2022", "--json")


def test_missing_slug_is_a_command_error(halsam):
    with pytest.raises(CommandError, match="Give the slug of a body"):
        _rotation("--json")
