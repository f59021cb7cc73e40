"""The agenda editor (issue 11, flow 5): the body's standard agenda (formalia) on every
new meeting, new items before the closing formalia, the election item after the opening
ones (H13), reorder by the whole order (drag and drop) or one step (no JavaScript), and
papers from the document register or uploaded, listed together."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services as doc_services
from documents.agenda_papers import AgendaPaper, search_attachable
from documents.models import DocumentKind
from governance.models import Body, MembershipRole
from governance.presets.schema import PresetError, parse_preset
from governance.roles import EDITOR_GROUP, ensure_role_groups
from governance.standard_agenda import (
    DEFAULT_STANDARD_AGENDA,
    KINDS,
    StandardAgendaError,
    parse_standard_agenda,
)
from meetings import agenda_rules, papers, pdf, services
from meetings.models import AgendaItem, AgendaItemKind, Formalia
from tests.governance.factories import UserFactory

from .builders import (
    coordinator_user,
    future_day,
    load_preset,
    login_person,
    meeting,
    person,
    place,
    seat,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DEFAULT_TITLES = [e["title"] for e in DEFAULT_STANDARD_AGENDA]
OPENING = DEFAULT_TITLES[:3]
CLOSING = DEFAULT_TITLES[3:]


@pytest.fixture
def halsam(db):
    load_preset("halsam-vasternorrland")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def titles(m) -> list[str]:
    return list(AgendaItem.objects.filter(meeting=m).order_by("position", "id")
                .values_list("title", flat=True))


def ids(m) -> list[int]:
    return list(AgendaItem.objects.filter(meeting=m).order_by("position", "id")
                .values_list("pk", flat=True))


def secretary_of_lansledning(client):
    secretary = login_person(client)
    place(secretary, seat("lansledning", None, "adjungerade"), MembershipRole.SECRETARY)
    return secretary


# --- the rules (pure) -------------------------------------------------------------------

@pytest.mark.parametrize(("formalia", "after_opening", "expected"), [
    ([], False, 0),
    ([], True, 0),
    (["opening", "opening", "opening", "closing", "closing"], False, 3),
    (["opening", "opening", "opening", "closing", "closing"], True, 3),
    (["opening", "opening", "", "", "closing"], False, 4),
    (["opening", "opening", "", "", "closing"], True, 2),
    (["", "", ""], False, 3),
    (["", "", ""], True, 0),
    (["opening", "", "opening", "closing"], True, 3),  # the last opening before the closing
    (["closing", "opening"], True, 0),  # moved by hand: never after a closing item
])
def test_insert_index(formalia, after_opening, expected):
    assert agenda_rules.insert_index(formalia, after_opening=after_opening) == expected


@pytest.mark.parametrize(("current", "proposed", "problem"), [
    ([1, 2, 3], [3, 1, 2], None),
    ([1, 2, 3], [1, 1, 2], agenda_rules.DUPLICATE),
    ([1, 2, 3], [1, 2], agenda_rules.STALE),
    ([1, 2, 3], [1, 2, 3, 4], agenda_rules.STALE),
    ([1, 2, 3], [1, 2, 4], agenda_rules.STALE),
    ([1, 2, 3], [1, "2", 3], agenda_rules.MALFORMED),
    ([1, 2, 3], [1, True, 3], agenda_rules.MALFORMED),
])
def test_order_problem(current, proposed, problem):
    assert agenda_rules.order_problem(current, proposed) == problem


def test_parse_order():
    assert agenda_rules.parse_order("3, 1,2") == [3, 1, 2]
    assert agenda_rules.parse_order(["3", "1"]) == [3, 1]
    assert agenda_rules.parse_order("3;1") is None
    assert agenda_rules.parse_order("") is None


def test_standard_agenda_defaults_and_normalising():
    assert parse_standard_agenda(None) == DEFAULT_STANDARD_AGENDA
    assert [e["title"] for e in DEFAULT_STANDARD_AGENDA] == [
        "Mötets öppnande", "Val av justerare", "Godkännande av dagordningen", "Övriga frågor",
        "Mötets avslutande"]
    assert parse_standard_agenda([]) == []
    assert parse_standard_agenda(["Upprop", {"title": " Nästa möte ", "part": "closing"}]) == [
        {"title": "Upprop", "kind": "information", "part": "opening"},
        {"title": "Nästa möte", "kind": "information", "part": "closing"}]
    # The kinds a formal item may have are kinds of agenda item.
    assert set(KINDS) <= set(AgendaItemKind.values)


@pytest.mark.parametrize(("raw", "path", "words"), [
    ({"title": "x"}, "", "expected a list"),
    ([{"kind": "decision"}], "[0].title", "needs a title"),
    ([{"title": "A", "kind": "preparation"}], "[0].kind", "not one of"),
    ([{"title": "A", "part": "middle"}], "[0].part", "opening or closing"),
    ([{"title": "A", "part": "closing"}, {"title": "B"}], "[1].part", "after a closing"),
    ([{"title": "A", "when": "first"}], "[0]", "unknown key"),
    ([42], "[0]", "expected a mapping"),
])
def test_standard_agenda_errors_say_where_and_what(raw, path, words):
    with pytest.raises(StandardAgendaError) as exc:
        parse_standard_agenda(raw)
    assert exc.value.path == path
    assert words in exc.value.message


def _preset(standard_agenda=None, *, give: bool = True) -> dict:
    body = {"slug": "lsg", "name": "LSG", "kind": "officials_board"}
    if give:
        body["standard_agenda"] = standard_agenda
    return {
        "format": 1,
        "structure": {"slug": "test", "name": "Test", "region": "Testlän"},
        "principals": [{"kind": "region", "code": "R99", "name": "Region Test"}],
        "bodies": [body],
    }


def test_preset_key_is_read_and_validated_with_a_clear_error():
    preset = parse_preset(_preset([{"title": "Upprop"},
                                   {"title": "Nästa möte", "part": "closing"}]), file="t.yaml")
    assert preset.bodies[0].standard_agenda == [
        {"title": "Upprop", "kind": "information", "part": "opening"},
        {"title": "Nästa möte", "kind": "information", "part": "closing"}]
    assert parse_preset(_preset(give=False), file="t.yaml").bodies[0].standard_agenda is None
    assert parse_preset(_preset([]), file="t.yaml").bodies[0].standard_agenda == []
    with pytest.raises(PresetError, match=r"bodies\[0\]\.standard_agenda\[1\]\.kind: "
                                          r"'vote' is not one of"):
        parse_preset(_preset([{"title": "Upprop"}, {"title": "Beslut", "kind": "vote"}]),
                     file="t.yaml")


def test_preset_without_the_key_gives_the_bodies_the_defaults(halsam):
    assert Body.objects.get(slug="lansledning").standard_agenda == DEFAULT_STANDARD_AGENDA


def test_admin_refuses_a_bad_standard_agenda_on_the_field(halsam):
    body = Body.objects.get(slug="lansledning")
    body.standard_agenda = [{"title": "Övriga frågor", "part": "closing"}, {"title": "Upprop"}]
    with pytest.raises(ValidationError) as exc:
        body.full_clean()
    assert "standard_agenda" in exc.value.message_dict
    assert "[1].part" in exc.value.message_dict["standard_agenda"][0]


# --- the standard agenda on new meetings ------------------------------------------------

def test_planned_meeting_starts_with_the_standard_agenda(halsam):
    m = meeting("halsam", future_day(30))  # HälSam has no election item (no H13 rule)
    assert titles(m) == DEFAULT_TITLES
    items = list(AgendaItem.objects.filter(meeting=m).order_by("position"))
    assert [it.position for it in items] == [1, 2, 3, 4, 5]
    assert [it.formalia for it in items] == ["opening"] * 3 + ["closing"] * 2
    assert items[1].kind == AgendaItemKind.DECISION
    assert items[0].history.first().history_change_reason == "From the body's standard agenda"


def test_series_meetings_start_with_the_standard_agenda(halsam):
    body = Body.objects.get(slug="halsam")
    created, _series = services.meeting_series_create(
        actor=None, body=body, place="Härnösand",
        series=services.SeriesRequest(frequency="monthly", first_day=dt.date(2027, 2, 1),
                                      time=dt.time(9, 30), duration=dt.timedelta(hours=2),
                                      weekday=2, week_of_month=2, count=3))
    assert len(created) == 3
    for m in created:
        assert titles(m) == DEFAULT_TITLES


def test_body_with_its_own_standard_agenda_or_none(halsam):
    body = Body.objects.get(slug="halsam")
    body.standard_agenda = [{"title": "Upprop"}, {"title": "Nästa möte", "part": "closing"}]
    body.save()
    assert titles(meeting("halsam", future_day(30))) == ["Upprop", "Nästa möte"]
    body.standard_agenda = []
    body.save()
    assert titles(meeting("halsam", future_day(31))) == []


def test_new_items_go_before_the_closing_formalia(halsam):
    m = meeting("halsam", future_day(30))
    a = services.agenda_item_add(actor=None, meeting=m, title="Lägesbild")
    services.agenda_item_add(actor=None, meeting=m, title="Budget")
    assert titles(m) == [*OPENING, "Lägesbild", "Budget", *CLOSING]
    assert a.position == 4
    assert list(AgendaItem.objects.filter(meeting=m).order_by("position")
                .values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def test_h13_election_item_comes_after_the_opening_formalia(halsam):
    """H13: the rotation rule's election item is on the year's last meeting, placed after
    the opening formalia — not first, and not after "Övriga frågor"."""
    m = meeting("lansledning", "2027-11-17")
    election = AgendaItem.objects.get(meeting=m, election_for_year__isnull=False)
    assert titles(m) == [*OPENING, election.title, *CLOSING]
    services.agenda_item_add(actor=None, meeting=m, title="Lägesbild")
    assert titles(m) == [*OPENING, election.title, "Lägesbild", *CLOSING]
    # A meeting with items already: the election moves to a later last meeting, and
    # lands after its opening formalia, before its own items.
    later = meeting("lansledning", "2027-12-08", sync_election=False)
    services.agenda_item_add(actor=None, meeting=later, title="Verksamhetsplan")
    services.election_item_sync(actor=None, body=later.body, years=[2027])
    moved = AgendaItem.objects.get(election_for_year__isnull=False, meeting__body=later.body,
                                   election_for_year=election.election_for_year)
    assert moved.meeting_id == later.pk
    assert titles(later) == [*OPENING, moved.title, "Verksamhetsplan", *CLOSING]
    assert titles(m) == [*OPENING, "Lägesbild", *CLOSING]


# --- reorder ----------------------------------------------------------------------------

def _reorder(client, m, order, *, moved=None):
    return client.post(reverse("meetings:agenda_reorder", args=[m.pk]),
                       data=json.dumps({"order": order, "moved": moved}),
                       content_type="application/json", HTTP_ACCEPT="application/json")


def test_reorder_endpoint_saves_the_whole_order(client, halsam):
    secretary_of_lansledning(client)
    m = meeting("lansledning", future_day(21))
    item = services.agenda_item_add(actor=None, meeting=m, title="Lägesbild")
    order = ids(m)
    order.remove(item.pk)
    order.insert(0, item.pk)
    response = _reorder(client, m, order, moved=item.pk)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and [row["id"] for row in data["items"]] == order
    assert data["message"] == f"“Lägesbild” is now item 1 of {len(order)}."
    assert ids(m) == order
    assert list(AgendaItem.objects.filter(meeting=m).order_by("position")
                .values_list("position", flat=True)) == list(range(1, len(order) + 1))
    item.refresh_from_db()
    assert item.history.first().history_user is not None  # who moved it is kept


@pytest.mark.parametrize("body", [
    "not json", json.dumps({"order": "1,2"}), json.dumps({"order": []}),
    json.dumps({"order": ["a"]}), json.dumps([1, 2])])
def test_reorder_endpoint_refuses_malformed_input(client, halsam, body):
    secretary_of_lansledning(client)
    m = meeting("lansledning", future_day(21))
    before = ids(m)
    response = client.post(reverse("meetings:agenda_reorder", args=[m.pk]), data=body,
                           content_type="application/json", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == agenda_rules.MALFORMED
    assert ids(m) == before


def test_reorder_endpoint_refuses_duplicates_and_other_meetings_items(client, halsam):
    secretary_of_lansledning(client)
    m = meeting("lansledning", future_day(21))
    other = meeting("lansledning", future_day(22))
    before = ids(m)
    response = _reorder(client, m, [before[0], *before[:-1]])
    assert response.status_code == 400 and response.json()["code"] == agenda_rules.DUPLICATE
    response = _reorder(client, m, [*before[:-1], ids(other)[0]])
    assert response.status_code == 409
    assert ids(m) == before and ids(other)[0] == AgendaItem.objects.filter(
        meeting=other).order_by("position").first().pk


def test_reorder_after_someone_else_added_an_item_is_refused_with_the_current_order(
        client, halsam):
    """Concurrency: the order the editor saw no longer names every item; nothing moves,
    and the answer carries the agenda as it is now (the script redraws it)."""
    secretary_of_lansledning(client)
    m = meeting("lansledning", future_day(21))
    seen = ids(m)
    services.agenda_item_add(actor=coordinator_user(), meeting=m, title="Tillagd av någon annan")
    now = ids(m)
    response = _reorder(client, m, list(reversed(seen)))
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == agenda_rules.STALE
    assert "changed by someone else" in data["message"]
    assert [row["id"] for row in data["items"]] == now
    assert ids(m) == now


def test_reorder_without_javascript_is_a_form_post_with_a_message(client, halsam):
    secretary_of_lansledning(client)
    m = meeting("lansledning", future_day(21))
    order = list(reversed(ids(m)))
    url = reverse("meetings:agenda_reorder", args=[m.pk])
    response = client.post(url, {"order": ",".join(map(str, order)), "moved": order[0]},
                           follow=True)
    assert ids(m) == order
    assert "is now item 1 of" in response.content.decode()
    response = client.post(url, {"order": "1;2"}, follow=True)
    assert "must list the agenda" in response.content.decode()


def test_move_buttons_without_javascript(client, halsam):
    m = meeting("halsam", future_day(21))
    client.force_login(coordinator_user())
    item = services.agenda_item_add(actor=None, meeting=m, title="Lägesbild")
    response = client.post(reverse("meetings:item_move", args=[m.pk, item.pk]),
                           {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert titles(m) == [*OPENING[:2], "Lägesbild", OPENING[2], *CLOSING]
    page = client.get(reverse("meetings:agenda", args=[m.pk])).content.decode()
    assert "“Lägesbild” is now item 3 of 6." in page


def test_editor_page_is_compact_and_works_without_javascript(client, halsam):
    client.force_login(coordinator_user())
    m = meeting("lansledning", future_day(21))
    services.agenda_item_add(actor=None, meeting=m, title="Lägesbild", presenter="Eva Ek",
                             duration_minutes=20)
    html = client.get(reverse("meetings:agenda", args=[m.pk])).content.decode()
    # One disclosure per row holds edit, attach, move and remove: real links and forms.
    assert html.count('<details class="agenda-menu"') == AgendaItem.objects.filter(
        meeting=m).count()
    assert 'src="/static/js/agenda.js" defer' in html
    assert "Eva Ek · 20 min" in html
    assert 'data-reorder-url="/moten/' in html
    assert 'aria-live="polite"' in html
    assert "New items are added before “Övriga frågor”." in html
    # The first row has no "Move up", the last no "Move down" (hidden, for the script).
    first, last = html.index('data-move-li="up"'), html.rindex('data-move-li="down"')
    assert html[first - 12:first].strip().endswith("hidden")
    assert html[last - 12:last].strip().endswith("hidden")


# --- papers -----------------------------------------------------------------------------

@pytest.fixture
def doc_people(halsam):
    groups = ensure_role_groups()
    editor = UserFactory(username="redaktor-agenda", is_staff=True)
    editor.groups.add(groups[EDITOR_GROUP])
    return coordinator_user(), editor


def published(doc_people, title: str, *, body_slug: str = "lansledning", public: bool = True):
    coordinator, editor = doc_people
    document = doc_services.document_create(
        actor=coordinator, title=title, kind=DocumentKind.AGREEMENT,
        owner_body=Body.objects.get(slug=body_slug), is_public=public,
        termination_notice_months=6)
    from tests.documents.core_builders import pdf_bytes

    version = doc_services.version_upload(
        actor=coordinator, document=document,
        file=SimpleUploadedFile("fil.pdf", pdf_bytes(title), content_type="application/pdf"))
    version = doc_services.version_submit(actor=coordinator, version=version)
    version = doc_services.version_approve(actor=coordinator, version=version)
    doc_services.version_publish(actor=editor, version=version, published_on=dt.date(2026, 1, 5))
    return document


def test_register_search_keeps_internal_documents_off_public_meetings(doc_people):
    coordinator, _editor = doc_people
    public = published(doc_people, "Överenskommelse om samverkan")
    internal = published(doc_people, "Intern samverkan rutin", public=False)
    draft = doc_services.document_create(actor=coordinator, title="Samverkan utkast",
                                         kind=DocumentKind.ROUTINE,
                                         owner_body=Body.objects.get(slug="lansledning"))
    open_meeting = meeting("lansledning", future_day(21))
    closed = meeting("lansledning", future_day(22), is_public=False)
    found, total = search_attachable(coordinator, open_meeting, "samverkan")
    assert [d.pk for d in found] == [public.pk] and total == 1
    found, total = search_attachable(coordinator, closed, "samverkan")
    assert {d.pk for d in found} == {public.pk, internal.pk} and total == 2
    assert draft.pk not in {d.pk for d in found}  # not published
    item = AgendaItem.objects.filter(meeting=open_meeting).first()
    with pytest.raises(ValidationError) as exc:
        papers.source("register").attach(actor=coordinator, item=item, pk=internal.pk)
    assert "document" in exc.value.message_dict


def test_register_search_is_bounded(doc_people, client, monkeypatch):
    coordinator, _editor = doc_people
    for n in range(3):
        published(doc_people, f"Samverkansavtal {n}")
    m = meeting("lansledning", future_day(21))
    found, total = search_attachable(coordinator, m, "samverkansavtal", limit=2)
    assert len(found) == 2 and total == 3
    monkeypatch.setattr("meetings.agenda_views.SEARCH_LIMIT", 2)
    client.force_login(coordinator)
    item = AgendaItem.objects.filter(meeting=m).first()
    html = client.get(reverse("meetings:item_papers", args=[m.pk, item.pk]),
                      {"q": "samverkansavtal"}).content.decode()
    assert "3 documents match “samverkansavtal”." in html
    assert "The first 2 are shown" in html
    assert html.count('name="document"') == 2


def test_attach_register_document_and_upload_listed_together(doc_people, client):
    coordinator, _editor = doc_people
    document = published(doc_people, "Överenskommelse om samverkan")
    client.force_login(coordinator)
    m = meeting("lansledning", future_day(21))
    item = services.agenda_item_add(actor=None, meeting=m, title="Överenskommelsen")
    url = reverse("meetings:item_papers", args=[m.pk, item.pk])
    response = client.post(url, {"document": document.pk})
    assert response.status_code == 302
    assert AgendaPaper.objects.filter(item=item, document=document).exists()
    assert AgendaPaper.objects.get().history.first().history_user == coordinator
    again = client.post(url, {"document": document.pk}, follow=True).content.decode()
    assert "is already a paper of this item" in again
    response = client.post(reverse("meetings:attachment_add", args=[m.pk, item.pk]),
                           {"title": "Bilaga", "file": SimpleUploadedFile("b.pdf", PDF)})
    assert response.status_code == 302
    # Uploads first, then the register's, on the editor, the meeting page, the PDF and
    # the notice.
    [annotated] = papers.annotate(AgendaItem.objects.filter(pk=item.pk))
    assert [(p.source, p.title) for p in annotated.papers] == [
        ("upload", "Bilaga"), ("register", "Överenskommelse om samverkan")]
    editor_html = client.get(reverse("meetings:agenda", args=[m.pk])).content.decode()
    assert "2 papers" in editor_html
    detail = client.get(m.get_absolute_url()).content.decode()
    assert reverse("documents:detail", args=[document.pk]) in detail
    assert "Bilaga" in detail
    context = pdf._meeting_context(m)
    assert [p.title for it in context["items"] for p in it.papers] == [
        "Bilaga", "Överenskommelse om samverkan"]
    from meetings.emails import notice_message

    member = person("sundsvall")
    message = notice_message(meeting=m, person=member, kind="notice", as_substitute=False,
                             preview=True)
    assert "Paper: Överenskommelse om samverkan" in message.body
    # Removing the register paper leaves the document in the register.
    paper = AgendaPaper.objects.get()
    client.post(reverse("meetings:paper_remove", args=[m.pk, item.pk, "register", paper.pk]))
    assert not AgendaPaper.objects.exists()
    assert document.__class__.objects.filter(pk=document.pk).exists()


def test_upload_errors_are_shown_on_the_field(client, halsam):
    client.force_login(coordinator_user())
    m = meeting("lansledning", future_day(21))
    item = AgendaItem.objects.filter(meeting=m).first()
    response = client.post(reverse("meetings:attachment_add", args=[m.pk, item.pk]),
                           {"title": "Fel", "file": SimpleUploadedFile("u.pdf", b"not a pdf")})
    assert response.status_code == 200
    html = response.content.decode()
    # The register's message: agenda papers go through its inspection (issue 12 §3).
    assert "The file is not a PDF, Word (DOCX), Excel (XLSX) or OpenDocument text" in html
    assert 'id="upload"' in html
    assert not item.attachments.exists()


def test_papers_page_and_reorder_are_for_the_meetings_editors(client, halsam):
    m = meeting("lansledning", future_day(21), is_public=False)
    item = AgendaItem.objects.filter(meeting=m).first()
    urls = [reverse("meetings:item_papers", args=[m.pk, item.pk])]
    member = login_person(client, "sundsvall")
    place(member, seat("lansledning", "sundsvall", "fc-socialforvaltning"))
    for url in urls:
        assert client.get(url).status_code == 403
    assert _reorder(client, m, ids(m)).status_code == 403
    client.logout()
    assert client.get(urls[0]).status_code == 302
    secretary_of_lansledning(client)
    assert client.get(urls[0]).status_code == 200
    assert _reorder(client, m, ids(m)).status_code == 200
    # Another meeting's item through this meeting's URL: not found.
    other = meeting("lansledning", future_day(22))
    wrong = reverse("meetings:item_papers",
                    args=[m.pk, AgendaItem.objects.filter(meeting=other).first().pk])
    assert client.get(wrong).status_code == 404


def test_cancelled_meeting_agenda_cannot_be_reordered(client, halsam):
    client.force_login(coordinator_user())
    m = meeting("lansledning", future_day(21))
    services.meeting_cancel(actor=None, meeting=m, reason="Krock")
    response = _reorder(client, m, list(reversed(ids(m))))
    assert response.status_code == 400
    assert "cancelled" in response.json()["message"]


# --- query count ------------------------------------------------------------------------

def test_editor_query_count_does_not_grow_with_items_and_papers(client, doc_people,
                                                                django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator, _editor = doc_people
    client.force_login(coordinator)
    document = published(doc_people, "Överenskommelse om samverkan")
    m = meeting("lansledning", future_day(21))
    url = reverse("meetings:agenda", args=[m.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        item = services.agenda_item_add(actor=None, meeting=m, title=f"Punkt {n}")
        services.attachment_add(actor=None, item=item, title=f"Underlag {n}",
                                file=SimpleUploadedFile(f"u{n}.pdf", PDF))
        papers.source("register").attach(actor=coordinator, item=item, pk=document.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('<details class="agenda-menu"') == 6 + 6


def test_formalia_values_are_the_models():
    assert set(Formalia.values) == {"", "opening", "closing"}
