"""Full-text search of the register (issue 5, item 5): inflected Swedish forms are found,
on PostgreSQL through the Swedish text-search configuration and on SQLite through the
suffix-stripping fallback. Only the published version's text is searched."""
from __future__ import annotations

import pytest
from django.db import connection

from documents import selectors
from documents.selectors import RegisterFilters

from .core_builders import (  # noqa: F401 - fixtures
    add_version,
    docx_bytes,
    make_document,
    publish,
    published_document,
    world_fixture,
)


def _search(user, q: str) -> list[str]:
    return [d.title for d in selectors.register_documents(user, RegisterFilters(q=q))]


@pytest.fixture
def corpus(world):
    published_document(world, title="Avtal om hjälpmedel",
                       content=docx_bytes("Denna överenskommelsen gäller tills vidare."))
    published_document(world, title="Riktlinjer för SIP", summary="Samordnad individuell plan",
                       content=docx_bytes("Rutinerna för barn och unga."))
    published_document(world, title="Överenskommelser om psykisk hälsa",
                       content=docx_bytes("Psykiatrin och socialtjänsten."))
    draft = make_document(world, title="Hemligt utkast")
    add_version(world, draft, name="u.docx",
                content=docx_bytes("överenskommelsen med sekretessbelagda formuleringar"))
    return world


def _common_expectations(world) -> None:
    anon = world.anonymous
    # "överenskommelse" finds "överenskommelsen" (file text) and "Överenskommelser" (title).
    assert sorted(_search(anon, "överenskommelse")) == ["Avtal om hjälpmedel",
                                                        "Överenskommelser om psykisk hälsa"]
    assert sorted(_search(anon, "Överenskommelsen")) == ["Avtal om hjälpmedel",
                                                         "Överenskommelser om psykisk hälsa"]
    assert _search(anon, "riktlinjerna") == ["Riktlinjer för SIP"]
    assert _search(anon, "rutin") == ["Riktlinjer för SIP"]  # "Rutinerna" in the file
    assert _search(anon, "individuell") == ["Riktlinjer för SIP"]  # the summary
    assert _search(anon, "psykisk socialtjänsten") == ["Överenskommelser om psykisk hälsa"]
    assert _search(anon, "cykelbanor") == []
    # The draft's text is never searched, not even for its members.
    assert _search(world.member_a, "sekretessbelagda") == []
    assert "Hemligt utkast" in _search(world.member_a, "hemligt")  # it is visible to them


def test_search_finds_inflected_forms_with_the_sqlite_fallback(corpus):
    if connection.vendor == "postgresql":
        pytest.skip("the fallback is what runs on SQLite; PostgreSQL has its own test")
    _common_expectations(corpus)


@pytest.mark.postgres
def test_search_finds_inflected_forms_with_postgresql_swedish_config(corpus):
    """On PostgreSQL: SearchVector/SearchQuery with config "swedish", ranked (title first)."""
    if connection.vendor != "postgresql":
        pytest.skip("the test database is not PostgreSQL (run with DATABASE_URL=postgres://…; "
                    "CI does)")
    _common_expectations(corpus)
    # Ranked: the title match (weight A) comes before the file-text match (weight C).
    assert _search(corpus.anonymous, "överenskommelse") == [
        "Överenskommelser om psykisk hälsa", "Avtal om hjälpmedel"]


def test_fallback_words_are_combined_with_and(corpus):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite fallback")
    assert _search(corpus.anonymous, "överenskommelsen hjälpmedel") == ["Avtal om hjälpmedel"]


def test_search_through_the_register_page(client, corpus):
    response = client.get("/dokument/", {"q": "överenskommelse"})
    titles = {d.title for d in response.context["page"].documents}
    assert titles == {"Avtal om hjälpmedel", "Överenskommelser om psykisk hälsa"}


def test_withdrawing_the_published_version_removes_its_text_from_search(world):
    from documents import services

    document = make_document(world, title="Avtal")
    version = publish(world, add_version(world, document,
                                         content=docx_bytes("Hjälpmedelsrådet"),
                                         name="a.docx"))
    assert _search(world.anonymous, "hjälpmedelsrådet") == ["Avtal"]
    services.version_withdraw(actor=world.editor, version=version, reason="Fel")
    assert _search(world.coordinator, "hjälpmedelsrådet") == []
