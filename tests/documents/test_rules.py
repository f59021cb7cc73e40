"""The pure document rules: the transition table, validity and termination (V16), and
the Swedish stemming of the search fallback. No database."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents import rules
from documents.models import VersionStatus

ALL_ROLES = {rules.UPLOADER, rules.SECRETARY, rules.COORDINATOR, rules.EDITOR}

# Every allowed step, and who may make it (the workflow of issue 5, item 2).
EXPECTED = {
    ("draft", "in_review"): {"uploader", "secretary", "coordinator", "editor"},
    ("in_review", "draft"): {"uploader", "secretary", "coordinator", "editor"},
    ("in_review", "approved"): {"secretary", "coordinator"},
    ("approved", "published"): {"editor"},
    ("published", "superseded"): {"system"},
    ("draft", "withdrawn"): {"uploader", "secretary", "coordinator", "editor"},
    ("in_review", "withdrawn"): {"uploader", "secretary", "coordinator", "editor"},
    ("approved", "withdrawn"): {"secretary", "coordinator", "editor"},
    ("published", "withdrawn"): {"coordinator", "editor"},
}


def test_statuses_match_the_model():
    assert set(rules.STATUSES) == set(VersionStatus.values)


def test_table_is_exactly_the_workflow():
    assert {pair: set(roles) for pair, roles in rules.TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("current,target", list(itertools.product(rules.STATUSES, repeat=2)))
def test_every_pair_of_statuses(current, target):
    """Every (from, to): allowed for exactly the listed roles, refused otherwise with
    the right code."""
    allowed = EXPECTED.get((current, target), set())
    for role in [*ALL_ROLES, rules.SYSTEM]:
        code = rules.transition_refusal(current, target, {role})
        if role in allowed:
            assert code is None
        elif current in ("superseded", "withdrawn"):
            assert code == "final"
        elif (current, target) in EXPECTED:
            assert code == "not_permitted"
        else:
            assert code == "not_allowed"


def test_only_the_editor_publishes():
    assert rules.transition_refusal("approved", "published", {"editor"}) is None
    assert rules.transition_refusal("approved", "published",
                                    {"coordinator", "secretary", "uploader"}) == "not_permitted"


def test_nothing_leaves_superseded_or_withdrawn():
    for current in ("superseded", "withdrawn"):
        assert rules.available_targets(current, ALL_ROLES | {rules.SYSTEM}) == []


def test_no_skipping_steps():
    assert rules.transition_refusal("draft", "approved", ALL_ROLES) == "not_allowed"
    assert rules.transition_refusal("draft", "published", ALL_ROLES) == "not_allowed"
    assert rules.transition_refusal("in_review", "published", ALL_ROLES) == "not_allowed"


def test_unknown_status():
    assert rules.transition_refusal("archived", "draft", ALL_ROLES) == "unknown_status"


def test_available_targets_for_a_secretary():
    assert rules.available_targets("in_review", {"secretary"}) == ["draft", "approved",
                                                                    "withdrawn"]
    assert rules.available_targets("approved", {"secretary"}) == ["withdrawn"]


# --- validity and termination -----------------------------------------------------------

def test_v16_ends_twelve_months_after_the_notice_was_handled():
    """V16: the agreement ends twelve months after Samrådet handled the notice."""
    assert rules.termination_end(dt.date(2025, 3, 15), 12) == dt.date(2026, 3, 15)
    v = rules.Validity(valid_from=dt.date(2023, 1, 1), until_further_notice=True,
                       termination_notice_months=12, termination_handled_on=dt.date(2025, 3, 15))
    assert v.ends_on == dt.date(2026, 3, 15)
    assert v.in_force_on(dt.date(2026, 3, 15))
    assert not v.in_force_on(dt.date(2026, 3, 16))


def test_termination_end_clips_to_the_month():
    assert rules.termination_end(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)


@given(handled=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
       on=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2045, 12, 31)),
       months=st.integers(min_value=0, max_value=36))
def test_termination_cutoff_matches_the_end_date(handled, on, months):
    """The query's comparison (handled >= cutoff) says the same as the end date."""
    cutoff = rules.termination_cutoff(on, months)
    assert (handled >= cutoff) == (rules.termination_end(handled, months) >= on)


def test_validity_ends_at_the_earlier_of_valid_until_and_termination():
    v = rules.Validity(valid_until=dt.date(2025, 12, 31), termination_notice_months=3,
                       termination_handled_on=dt.date(2025, 6, 1))
    assert v.ends_on == dt.date(2025, 9, 1)


def test_in_force_window():
    v = rules.Validity(valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2025, 12, 31))
    assert not v.in_force_on(dt.date(2024, 12, 31))
    assert v.in_force_on(dt.date(2025, 1, 1))
    assert v.in_force_on(dt.date(2025, 12, 31))
    assert not v.in_force_on(dt.date(2026, 1, 1))
    assert rules.Validity().in_force_on(dt.date(2025, 1, 1))


def test_validity_problems():
    assert rules.validity_problems(rules.Validity(
        valid_from=dt.date(2025, 2, 1), valid_until=dt.date(2025, 1, 1))) == [
        ("valid_until", "until_before_from")]
    assert rules.validity_problems(rules.Validity(
        valid_until=dt.date(2025, 1, 1), until_further_notice=True)) == [
        ("valid_until", "until_further_notice_has_end")]
    assert rules.validity_problems(rules.Validity(
        termination_handled_on=dt.date(2025, 1, 1))) == [
        ("termination_notice_months", "no_notice_period")]


def test_v11_review_every_second_year():
    """V11: the beredningar's assignments are revised at least every second year."""
    assert rules.next_review(dt.date(2024, 2, 29), 24) == dt.date(2026, 2, 28)


# --- Swedish stemming (SQLite search fallback) ------------------------------------------

@pytest.mark.parametrize("word,stem", [
    ("överenskommelsen", "överenskommels"),
    ("Överenskommelser", "överenskommels"),
    ("riktlinjerna", "riktlinj"),
    ("rutinen", "rutin"),
    ("avtalet", "avtal"),
    ("ramarna", "ram"),
    ("barn", "barn"),
    ("år", "år"),
])
def test_swedish_stem(word, stem):
    assert rules.swedish_stem(word) == stem


def test_the_stem_of_each_inflected_form_occurs_in_every_other_form():
    forms = ("överenskommelse", "överenskommelsen", "överenskommelser", "överenskommelserna")
    for query, text in itertools.product(forms, repeat=2):
        assert rules.swedish_stem(query) in text


def test_search_words_drops_punctuation_and_duplicates():
    assert rules.search_words("Rutinen, rutiner! \"avtal\"") == ["rutin", "avtal"]
