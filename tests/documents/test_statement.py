"""The accessibility statement after DIGG's model (/tillganglighet/) and its edit page
(/tillganglighet/redigera/): the sections and their defaults, the automatic list of
published documents that fail the machine check, the editor's form (Swedish errors,
history, refusal of a save from an outdated page) and the query count."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import accessibility, statement
from documents.models import (
    AccessibilityCheck,
    AccessibilityStatement,
    ComplianceStatus,
    VersionStatus,
)
from tests.governance.factories import UserFactory

from .editorial_builders import Personas, make_document, make_version, untagged_pdf

STATEMENT = "/tillganglighet/"
STATEMENT_EDIT = "/tillganglighet/redigera/"
DIGG_HEADINGS = [
    "Hur tillgänglig är webbplatsen?",
    "Innehåll som inte är tillgängligt",
    "Vad kan du göra om du inte kan använda delar av webbplatsen?",
    "Rapportera brister i webbplatsens tillgänglighet",
    "Tillsyn",
    "Hur vi testat webbplatsen",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "sv"


@pytest.fixture
def people(db, settings):
    personas = Personas()
    structure = personas.body.structure
    structure.name, structure.office_email = "HälSam Test", "kansli@halsam.invalid"
    structure.save()
    settings.HALSAM_DEFAULT_STRUCTURE = structure.slug
    return personas


def text_of(response) -> str:
    """The page's main content as plain text (soft hyphens removed)."""
    html = response.content.decode()
    main = html[html.index("<main"):html.index("</main>")].replace("\u00ad", "")
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def failing_version(people, title: str, *, problems=("not_tagged", "no_language"),
                    public: bool = True, status: str = VersionStatus.PUBLISHED, number: int = 1):
    """A version of a document whose stored machine check failed with ``problems``."""
    document = make_document(body=people.body, title=title, is_public=public)
    version = make_version(document, number=number, status=status)
    AccessibilityCheck.objects.create(version=version, machine_result={
        "format": "pdf", "readable": True, "problems": list(problems), "warnings": [],
        "passed": False})
    return version


def valid_post(**changes) -> dict:
    data = {
        "introduction": "Region Test står bakom webbplatsen.",
        "compliance": ComplianceStatus.PARTIAL,
        "compliance_text": "Delar av webbplatsen är inte helt tillgängliga.",
        "shortcomings": "Kända brister:\n- Vissa bilder saknar alternativtext (WCAG 1.1.1).\n"
                        "- Kalendern går inte att använda med skärmläsare (WCAG 4.1.2).",
        "disproportionate_burden": "", "out_of_scope": "",
        "alternatives": "Kontakta kansliet så hjälper vi dig.",
        "response_days": "3", "contact_email": "tillganglighet@halsam.invalid",
        "contact_phone": "0611-12 34 56",
        "reporting": "Meddela oss om du hittar brister.",
        "supervision": "DIGG har tillsynen.",
        "testing": "Självskattning med axe-core och tangentbord.",
        "assessed_on": "2026-01-15", "made_on": "2025-09-01",
        "editor_note": "Hemligt: gå igenom kalendern i mars.",
        "reason": "Årlig bedömning", "revision": "0",
    }
    data.update(changes)
    return data


# --- the public page ---------------------------------------------------------------------

def test_default_statement_has_digg_sections_and_is_true_of_the_site(client, people):
    response = client.get(STATEMENT)
    assert response.status_code == 200
    text = text_of(response)
    assert "Tillgänglighetsredogörelse" in text
    assert "<h1>Tillgänglighets\u00adredogörelse</h1>" in response.content.decode()
    for heading in DIGG_HEADINGS:
        assert heading in text, heading
    assert "HälSam Test står bakom den här webbplatsen" in text
    assert "delvis förenlig med lagen (2018:1937)" in text
    assert "axe-core" in text and "320" in text and "tangentbord" in text
    assert "Svarstiden är normalt 5 arbetsdagar." in text
    content = response.content.decode()
    assert statement.DIGG_URL in content
    assert "mailto:kansli@halsam.invalid" in content
    day = timezone.localdate()
    assert f"Den senaste bedömningen gjordes den {day.day} " in text
    assert "Redogörelsen upprättades den" in text and "uppdaterades senast den" in text
    # Visitors are never told about the editors' work.
    assert "standardtext" not in text and STATEMENT_EDIT not in content
    assert "Just nu klarar alla publicerade dokument maskinkontrollen." in text


def test_editors_see_the_internal_notice_and_the_edit_link_visitors_do_not(client, people):
    AccessibilityStatement.objects.create(
        introduction="Intro.", editor_note="Hemligt: gå igenom kalendern i mars.",
        contact_email="a@halsam.invalid", revision=1)
    for user in (None, people.member_user, people.coordinator):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        content = client.get(STATEMENT).content.decode()
        assert "Hemligt" not in content and STATEMENT_EDIT not in content
    client.force_login(people.editor)
    content = client.get(STATEMENT).content.decode()
    assert "Hemligt: gå igenom kalendern i mars." in content and STATEMENT_EDIT in content


def test_failing_published_documents_are_listed_with_their_wcag_criteria(client, people):
    failing_version(people, "Riktlinje utan taggar")
    failing_version(people, "Internt PM", public=False)  # not shown to the public
    failing_version(people, "Gammal rutin", status=VersionStatus.SUPERSEDED)  # not in force
    failing_version(people, "Utkast", status=VersionStatus.DRAFT)
    passing = make_version(make_document(body=people.body, title="Bra överenskommelse"),
                           status=VersionStatus.PUBLISHED)
    accessibility.accessibility_machine_check_run(version=passing)
    assert passing.accessibility.machine_result["passed"] is True
    # A real file through the real machine check: an untagged PDF without title/language.
    real = make_version(make_document(body=people.body, title="Skannad bilaga"),
                        content=untagged_pdf(), status=VersionStatus.PUBLISHED)
    accessibility.accessibility_machine_check_run(version=real)

    listed = statement.documents_failing_machine_check()
    assert [d.title for d in listed] == ["Riktlinje utan taggar", "Skannad bilaga"]
    first = listed[0]
    assert [[c.number for c in p.criteria] for p in first.problems] == [["1.3.1"], ["3.1.1"]]

    text = text_of(client.get(STATEMENT))
    section = text[text.index("Publicerade dokument som inte klarar maskinkontrollen"):]
    assert "Riktlinje utan taggar" in section and "Skannad bilaga" in section
    assert "WCAG 1.3.1 Information och relationer" in section
    assert "WCAG 3.1.1 Sidans språk" in section
    assert "WCAG 2.4.2 Sidans titel" in section  # the real PDF has no title
    for hidden in ("Internt PM", "Gammal rutin", "Utkast", "Bra överenskommelse"):
        assert hidden not in text
    assert "Just nu klarar alla" not in text


def test_saved_sections_replace_the_defaults_and_lists_render_as_lists(client, people):
    client.force_login(people.editor)
    response = client.post(STATEMENT_EDIT, valid_post(
        disproportionate_burden="Äldre protokoll skannade före 2019."))
    assert response.status_code == 302 and response["Location"] == STATEMENT
    client.logout()
    response = client.get(STATEMENT)
    text = text_of(response)
    content = response.content.decode()
    assert "Region Test står bakom webbplatsen." in text
    assert "HälSam Test står bakom" not in text
    assert "<li>Vissa bilder saknar alternativtext (WCAG 1.1.1).</li>" in content
    assert "Oskäligt betungande anpassning" in text and "Äldre protokoll" in text
    assert "Innehåll som inte omfattas av lagkraven" not in text  # blank: not shown
    assert "mailto:tillganglighet@halsam.invalid" in content and "0611-12 34 56" in text
    assert "Svarstiden är normalt 3 arbetsdagar." in text
    assert "Den senaste bedömningen gjordes den 15 januari 2026." in text
    assert "Redogörelsen upprättades den 1 september 2025." in text
    assert "Hemligt" not in content


def test_a_statement_saved_before_the_sections_shows_defaults_for_blank_ones(client, people):
    AccessibilityStatement.objects.create(compliance_text="Gammal text från redaktören.",
                                          compliance=ComplianceStatus.NOT, revision=1)
    text = text_of(client.get(STATEMENT))
    assert "Gammal text från redaktören." in text
    assert "inte förenlig med lagen (2018:1937)" in text
    assert "HälSam Test står bakom den här webbplatsen" in text  # the default introduction
    assert "mailto:" in client.get(STATEMENT).content.decode()  # the office mailbox


def test_blocks_make_paragraphs_and_lists():
    blocks = statement.blocks("Första stycket\nfortsätter.\n\nKända brister:\n- a\n- b\n\n* c")
    assert blocks == [statement.Block(text="Första stycket fortsätter."),
                      statement.Block(text="Kända brister:"),
                      statement.Block(items=("a", "b")), statement.Block(items=("c",))]
    assert statement.blocks("  \n\n ") == []


@pytest.mark.parametrize("n", [2, 12])
def test_statement_page_queries_do_not_grow_with_failing_documents(client, people, n):
    for i in range(n):
        failing_version(people, f"Dokument {i:02d}")
    AccessibilityStatement.objects.create(introduction="Intro.", revision=1)
    client.get(STATEMENT)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(STATEMENT)
    assert response.status_code == 200
    assert response.content.decode().count("Dokument ") >= n
    assert len(ctx.captured_queries) <= 5, [q["sql"] for q in ctx.captured_queries]


def test_edit_page_queries_do_not_grow(client, people):
    counts = []
    for batch in (2, 12):
        for i in range(batch):
            failing_version(people, f"Batch {batch} dokument {i}")
        client.force_login(people.editor)
        client.post(STATEMENT_EDIT, valid_post(revision=str(len(counts)),
                                               reason=f"Omgång {batch}"))
        client.get(STATEMENT_EDIT)  # shows (and so clears) the "saved" message
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(STATEMENT_EDIT).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- the edit form -----------------------------------------------------------------------

def test_edit_form_starts_from_the_defaults_and_saves_with_history(client, people):
    client.force_login(people.editor)
    form = client.get(STATEMENT_EDIT).context["form"]
    organisation_default = statement.default_sections(organisation="HälSam Test")
    assert form.initial["introduction"] == organisation_default["introduction"]
    assert form.initial["testing"] == organisation_default["testing"]
    assert form.initial["contact_email"] == "kansli@halsam.invalid"
    assert form.initial["revision"] == 0
    assert client.post(STATEMENT_EDIT, valid_post()).status_code == 302
    assert client.post(STATEMENT_EDIT, valid_post(
        revision="1", introduction="Ny inledning.", reason="Rättelse")).status_code == 302
    saved = AccessibilityStatement.objects.get()
    assert saved.revision == 2 and saved.introduction == "Ny inledning."
    assert saved.contact_phone == "0611-12 34 56" and saved.response_days == 3
    history = saved.history.order_by("history_date")
    assert [(h.history_user, h.history_change_reason) for h in history] == [
        (people.editor, "Årlig bedömning"), (people.editor, "Rättelse")]
    edit_page = client.get(STATEMENT_EDIT).content.decode()
    assert "Årlig bedömning" in edit_page and "Rättelse" in edit_page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"testing": ""}, "testing", "Detta fält måste fyllas i."),
    ({"shortcomings": "   "}, "shortcomings", "Detta fält måste fyllas i."),
    ({"reason": ""}, "reason", "Detta fält måste fyllas i."),
    ({"contact_email": "", "contact_phone": ""}, "contact_email",
     "Ange en e-postadress eller ett telefonnummer där besökare kan nå er"),
    ({"contact_email": "inte-en-adress"}, "contact_email", "giltig e-postadress"),
    ({"contact_phone": "ring kansliet"}, "contact_phone", "Skriv telefonnumret med siffror"),
    ({"contact_phone": "12-34"}, "contact_phone", "Skriv telefonnumret med siffror"),
    ({"response_days": "0"}, "response_days", "Ange en svarstid på minst 1 arbetsdag."),
    ({"response_days": "365"}, "response_days", "Ange en svarstid på högst 90 arbetsdagar."),
    ({"response_days": "fem"}, "response_days", "ett heltal."),
    ({"assessed_on": "2099-01-01"}, "assessed_on", "Datumet kan inte ligga i framtiden."),
    ({"made_on": "i höstas"}, "made_on", "ett giltigt datum."),
    ({"compliance": "kanske"}, "compliance", "Välj ett giltigt alternativ"),
    ({"testing": "x" * 6001}, "testing", "6000 tecken"),
])
def test_bad_input_gets_a_swedish_message_on_its_field(client, people, changes, field, message):
    client.force_login(people.editor)
    response = client.post(STATEMENT_EDIT, valid_post(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in e for e in errors[field]), errors[field]
    assert message in response.content.decode().replace("&quot;", '"')
    assert not AccessibilityStatement.objects.exists()


def test_full_compliance_is_refused_while_a_published_document_fails(client, people):
    client.force_login(people.editor)
    assert client.post(STATEMENT_EDIT, valid_post(
        compliance=ComplianceStatus.FULL)).status_code == 302  # nothing fails: allowed
    failing_version(people, "Riktlinje utan taggar")
    response = client.post(STATEMENT_EDIT, valid_post(compliance=ComplianceStatus.FULL,
                                                      revision="1"))
    assert response.status_code == 200
    assert ("Webbplatsen kan inte vara helt förenlig med lagen när 1 publicerat dokument "
            "inte klarar maskinkontrollen") in response.context["form"].errors["compliance"][0]
    assert AccessibilityStatement.objects.get().revision == 1


def test_a_save_from_an_outdated_page_is_refused_and_keeps_the_editors_text(client, people):
    eva = UserFactory(username="redaktor2", first_name="Eva", last_name="Ek")
    eva.groups.add(*people.editor.groups.all())  # a second editor
    client.force_login(people.editor)
    assert client.get(STATEMENT_EDIT).context["form"].initial["revision"] == 0

    second = Client()
    second.force_login(eva)
    assert second.post(STATEMENT_EDIT, valid_post(
        introduction="Evas text.", reason="Evas ändring")).status_code == 302

    # The first editor saves from the page opened before Eva's save.
    response = client.post(STATEMENT_EDIT, valid_post(introduction="Min text."))
    assert response.status_code == 200
    form = response.context["form"]
    assert "Eva Ek sparade redogörelsen efter att du öppnade den här sidan" in \
        form.non_field_errors()[0]
    assert form["introduction"].value() == "Min text."  # nothing typed is lost
    assert form["revision"].value() == "1"
    assert AccessibilityStatement.objects.get().introduction == "Evas text."
    assert "Eva Ek sparade redogörelsen" in response.content.decode()

    # Saving again, knowingly, replaces Eva's text.
    data = valid_post(introduction="Min text.", revision=form["revision"].value())
    assert client.post(STATEMENT_EDIT, data).status_code == 302
    saved = AccessibilityStatement.objects.get()
    assert (saved.introduction, saved.revision) == ("Min text.", 2)


def test_the_service_refuses_unknown_fields_and_stale_revisions(people):
    with pytest.raises(TypeError):
        statement.accessibility_statement_save(actor=people.editor, reason="x",
                                               seen_revision=0, body="gammalt fält")
    statement.accessibility_statement_save(actor=people.editor, reason="Första",
                                           seen_revision=0, introduction="A")
    with pytest.raises(statement.StaleStatementError) as exc:
        statement.accessibility_statement_save(actor=people.editor, reason="Andra",
                                               seen_revision=0, introduction="B")
    assert exc.value.revision == 1 and exc.value.code == "stale"
    assert AccessibilityStatement.objects.get().introduction == "A"


def test_default_dates_are_those_of_the_installed_software(people):
    page = statement.statement_page()
    assert page.statement is None
    assert page.assessed_on == page.made_on == page.updated_on
    assert page.assessed_on <= timezone.localdate()
    assert page.assessed_on >= timezone.localdate() - dt.timedelta(days=1)


# --- the migration ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_migration_moves_the_old_text_into_the_sections():
    from django.db.migrations.executor import MigrationExecutor

    old, new = [("documents", "0001_initial")], [("documents",
                                                  "0002_accessibility_statement_sections")]
    executor = MigrationExecutor(connection)
    executor.migrate(old)
    old_apps = executor.loader.project_state(old).apps
    old_apps.get_model("documents", "AccessibilityStatement").objects.create(
        body="Webbplatsen är delvis förenlig.", assessed_on=dt.date(2025, 3, 1))
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(new)
    try:
        new_apps = executor.loader.project_state(new).apps
        row = new_apps.get_model("documents", "AccessibilityStatement").objects.get()
        assert row.compliance_text == "Webbplatsen är delvis förenlig."
        assert row.made_on == dt.date(2025, 3, 1) and row.revision == 1
        assert row.introduction == ""  # shown with its default
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
