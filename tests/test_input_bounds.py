"""Issue 12 §6: each input that gave a 500 in the outside probe, now refused or bounded.

The world is the authorisation matrix's (tests/test_authorization_matrix.py); the fuzz
over every URL is tests/test_fuzz.py.
"""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from documents import services as doc_services
from documents.models import DocumentKind
from governance.models import Body, Person
from halsam import validators
from halsam.admin_input import lookup_problem
from halsam.converters import YearConverter
from meetings import agenda_rules
from meetings.feeds import calendar_token_issue
from tests.test_authorization_matrix import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# --- validators and converters, without the database -------------------------------------

@pytest.mark.parametrize("text", ["Anna\r\nBEGIN:VEVENT", "a\nb", "a\rb", "a\x00b", "a\tb",
                                  "\x1b[31m", "a\u2028b", "a\x85b"])
def test_control_characters_are_refused(text):
    """Issue 12 §6: CR/LF and other control characters in a name or title are refused."""
    with pytest.raises(ValidationError) as exc:
        validators.no_control_characters(text)
    assert exc.value.code == "control_characters"


@pytest.mark.parametrize("text", ["Anna-Karin Öberg", "Organ A (BUP & elevhälsa)", "",
                                  "Ärende – “Trygg skola”"])
def test_ordinary_names_pass(text):
    validators.no_control_characters(text)


def test_single_line_makes_stored_text_safe():
    assert validators.single_line("Anna\r\nBEGIN:VEVENT\x00\x1b") == "Anna BEGIN:VEVENT"
    assert validators.multi_line("a\r\nb\rc\x00") == "a\nb\nc"


@pytest.mark.parametrize(("value", "ok"), [("2000", True), ("2100", True), ("1999", False),
                                           ("2101", False), ("9999", False), ("0000", False)])
def test_year_converter_bounds(value, ok):
    """Issue 12 §6 "year 9999 plus one": the <year:…> converter takes 2000–2100 only."""
    if ok:
        assert YearConverter().to_python(value) == int(value)
    else:
        with pytest.raises(ValueError):
            YearConverter().to_python(value)


def test_id_lists_are_capped():
    """Issue 12 §6 "huge id lists": a list longer than any agenda or admin page is
    malformed, not a query."""
    assert agenda_rules.parse_order("1,2,3") == [1, 2, 3]
    assert agenda_rules.parse_order(",".join(str(n) for n in range(40000))) is None
    assert lookup_problem(QueryDict("id__in=" + ",".join(["7"] * (validators.MAX_IDS + 1))))
    assert lookup_problem(QueryDict("id__in=" + ",".join(["7"] * validators.MAX_IDS))) is None
    assert lookup_problem(QueryDict("id__in=1,2,3&p=2")) is None
    assert lookup_problem(QueryDict("p=99999999999999999999"))


@pytest.mark.parametrize("value", [validators.MAX_MONTHS + 1, 10**30])
def test_month_bounds(value):
    with pytest.raises(ValidationError):
        validators.months_in_range(value)


# --- pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/kalender/9999/", "/kalender/10000/", "/kalender/99999/",
                                 "/kalender/0/", "/kalender/1999/", "/kalender/2101/"])
def test_calendar_year_out_of_range_is_404(world, url):  # noqa: F811
    """Issue 12 §6 "year 9999 plus one": a 404, never a 500."""
    assert _client().get(url).status_code == 404


def test_calendar_last_year_has_no_next_link(world):  # noqa: F811
    response = _client().get("/kalender/2100/")
    assert response.status_code == 200
    assert response.context["next"] is None and response.context["previous"] == 2099


@pytest.mark.parametrize("year", ["99999", "10000", "9999", "0", "1999"])
def test_shortfalls_year_out_of_range_is_404(world, year):  # noqa: F811
    """Issue 12 §6: /samordning/plan/<year>/brister/ had no range check."""
    response = _client(world["users"]["coordinator"]).get(f"/samordning/plan/{year}/brister/")
    assert response.status_code == 404


def test_shortfalls_last_year_links_only_within_range(world):  # noqa: F811
    response = _client(world["users"]["coordinator"]).get("/samordning/plan/2100/brister/")
    assert response.status_code == 200
    assert response.context["years"] == [2099]


def test_plan_year_out_of_range_is_404(world):  # noqa: F811
    slug = world["body_a"].slug
    client = _client(world["users"]["coordinator"])
    assert client.get(f"/samordning/plan/{slug}/9999/").status_code == 404
    assert client.get(f"/samordning/plan/{slug}/2100/").status_code == 200


def _document_without_notice_period(world):  # noqa: F811
    return doc_services.document_create(
        actor=world["users"]["coordinator"], title="Avtal utan uppsägningstid",
        kind=DocumentKind.AGREEMENT, owner_body=world["body_a"], is_public=True,
        termination_notice_months=None)


def test_termination_page_without_notice_period(world):  # noqa: F811
    """Issue 12 §6: the termination page of a document without a notice period was a 500;
    now it says so, and recording a notice is refused with a message."""
    document = _document_without_notice_period(world)
    client = _client(world["users"]["coordinator"])
    url = reverse("documents:terminate", kwargs={"pk": document.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert "uppsägningstid" in response.content.decode()
    response = client.post(url, {"handled_on": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_termination_date_out_of_range_is_a_field_error(world, day):  # noqa: F811
    """Issue 12 §6: 9999-12-31 plus a notice period overflowed the calendar."""
    client = _client(world["users"]["coordinator"])
    url = reverse("documents:terminate", kwargs=world["kwargs"]["documents:terminate"])
    response = client.post(url, {"handled_on": day})
    assert response.status_code == 200
    errors = response.context["form"].errors["handled_on"]
    assert any("1900" in e and "2199" in e for e in errors), errors


@pytest.mark.parametrize("months", ["99999999999999999999999999", "601", "32768"])
def test_huge_months_on_the_document_form_are_a_field_error(world, months):  # noqa: F811
    """Issue 12 §6 "huge integers in the month fields": a message on the field, no 500."""
    client = _client(world["users"]["coordinator"])
    response = client.get(reverse("documents:create"))
    assert response.status_code == 200
    data = {"title": "Överenskommelse", "kind": DocumentKind.AGREEMENT,
            "owner_body": world["body_a"].pk, "termination_notice_months": months,
            "review_interval_months": months, "is_public": "on"}
    response = client.post(reverse("documents:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "termination_notice_months" in errors and "review_interval_months" in errors


def _bad_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("ab/content.xml")
        info.flag_bits |= 0x800
        archive.writestr(info, b"<x/>")
    return buffer.getvalue().replace(b"ab/content.xml", b"a\xff/content.xml")


@pytest.mark.parametrize("name", ["handling.odt", "handling.docx", "handling.zip"])
def test_zip_with_invalid_utf8_names_as_agenda_paper(world, name):  # noqa: F811
    """Issue 12 §6: a ZIP with invalid UTF-8 names as an agenda paper was a 500."""
    kwargs = world["kwargs"]["meetings:attachment_add"]
    response = _client(world["users"]["coordinator"]).post(
        reverse("meetings:attachment_add", kwargs=kwargs),
        {"title": "Underlag", "file": SimpleUploadedFile(name, _bad_zip())})
    assert response.status_code < 500


def test_agenda_order_with_a_huge_id_list(world):  # noqa: F811
    """Issue 12 §6 "huge id lists": 40,000 ids are a malformed order (400), no query."""
    kwargs = {"pk": world["kwargs"]["meetings:agenda_reorder"]["pk"]}
    url = reverse("meetings:agenda_reorder", kwargs=kwargs)
    client = _client(world["users"]["coordinator"])
    order = ",".join(str(n) for n in range(1, 40001))
    response = client.post(url, {"order": order}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    response = client.post(url, {"order": list(range(1, 40001))},
                           content_type="application/json", HTTP_ACCEPT="application/json")
    assert response.status_code == 400


def test_agenda_item_title_with_crlf_is_a_field_error_naming_the_field(world):  # noqa: F811
    """Issue 12 §6: control characters refused in titles on the site's forms too; the
    Swedish message names the field."""
    url = reverse("meetings:agenda", kwargs={"pk": world["kwargs"]["meetings:agenda"]["pk"]})
    response = _client(world["users"]["coordinator"]).post(
        url, {"title": "Lägesbild\r\nBEGIN:VEVENT", "kind": "information"})
    assert response.status_code == 200
    form = response.context["form"]
    (message,) = form.errors["title"]
    assert str(form.fields["title"].label) in message and "radbrytningar" in message


def test_many_repeated_parameters_are_a_400(world):  # noqa: F811
    """Issue 12 §6 "many repeated params": more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
    is a 400 (Django's own limit), not a query with thousands of variables."""
    query = "&".join(f"body={n}" for n in range(5000))
    assert _client().get(f"/dokument/?{query}").status_code == 400


# --- the admin ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "start__year=99999", "start__year=9999", "start__year=9999&start__month=12",
    "start__year=9999&start__month=12&start__day=31", "start__year=0", "start__year=-1",
    "start__month=99999999999999999999", "end__year=10000",
    # found by the fuzz (FUZZ_SEED=11): made aware and shifted to UTC, 0001-01-01 underflows
    "start__gte=0001-01-01", "start__lt=9999-12-31",
    "id__in=" + ",".join(str(n) for n in range(1, 40001)), "p=99999999999999999999",
])
@pytest.mark.parametrize("model", ["meetings/meeting", "governance/officeterm"])
def test_admin_year_filters_and_id_lists(world, model, query):  # noqa: F811
    """Issue 12 §6 "a Django admin year filter" (date_hierarchy / list_filter with
    ?<field>__year=99999) and huge id lists: Django's "wrong parameters" answer, no 500."""
    response = _client(world["users"]["coordinator"]).get(f"/admin/{model}/?{query}")
    if query.startswith("start__month"):  # a month without a year: the filter is unused
        assert response.status_code == 200
        return
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].endswith("?e=1")


def test_integer_in_lookup_leaves_out_values_beyond_64_bits(world):  # noqa: F811
    """Issue 12 §6: ``id__in=[2**64]`` reached SQLite, which cannot bind it (a 500 from
    any multiple choice); such a value matches no row."""
    person = world["users"]["member_a"].person
    assert list(Person.objects.filter(pk__in=[2**64, person.pk])) == [person]
    assert not Person.objects.filter(pk__in=[2**64, -(2**64)]).exists()


@pytest.mark.parametrize("value", ["18446744073709551616", "1e5", "x"])
def test_admin_autocomplete_with_a_bad_id_is_a_field_error(world, value):  # noqa: F811
    """Issue 12 §6: an admin form with an autocomplete field holding a number beyond 64
    bits or no number was shown again through an ``IN (…)`` query: a 500."""
    seat = world["body_a"].seats.first()
    client = _client(world["users"]["coordinator"])
    url = f"/admin/governance/seat/{seat.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items()
            if not isinstance(value, list | dict)}
    data.update({"body": value, "principal": value, "change_reason": "test"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "body" in response.context["adminform"].form.errors


@pytest.mark.parametrize("object_id", ["åäö", "x" * 300, "%25", "a%00b", "1.5"])
def test_admin_history_with_a_bad_id(world, object_id):  # noqa: F811
    response = _client(world["users"]["coordinator"]).get(
        f"/admin/governance/body/{object_id}/history/")
    assert response.status_code == 302


@pytest.mark.parametrize("page", ["change", "delete"])
def test_admin_empty_to_field(world, page):  # noqa: F811
    """Issue 12 §6 (found by the fuzz, FUZZ_SEED=7): ``?_to_field=`` was a 500."""
    body = world["body_a"]
    response = _client(world["users"]["coordinator"]).get(
        f"/admin/governance/body/{body.pk}/{page}/?_to_field=")
    assert response.status_code < 500


def test_admin_refuses_control_characters_in_a_name(world):  # noqa: F811
    """Issue 12 §6: CR/LF in a body's name was saved from the admin."""
    body = world["body_a"]
    client = _client(world["users"]["coordinator"])
    response = client.get(f"/admin/governance/body/{body.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items()
            if not isinstance(value, list | dict)}
    data.update({"name": "Organ A\r\nX-INJECT:1", "change_reason": "test"})
    response = client.post(f"/admin/governance/body/{body.pk}/change/", data)
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    body.refresh_from_db()
    assert "\n" not in body.name


# --- models and the calendar feeds ----------------------------------------------------------

def test_person_with_crlf_in_the_name_is_refused(world):  # noqa: F811
    """Issue 12 §6: CR/LF in a person's name is refused by the model's validator."""
    person = world["users"]["member_a"].person
    person.first_name = "Anna\r\nBEGIN:VEVENT"
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert "first_name" in exc.value.message_dict


def test_feeds_survive_bad_names_saved_before_the_validator(world):  # noqa: F811
    """Issue 12 §6: the personal calendar feed answered 500 for a person or body whose
    name held CR/LF; names saved before the validator are made one line on output."""
    person = world["users"]["member_a"].person
    Person.objects.filter(pk=person.pk).update(first_name="Anna\r\nBEGIN:VEVENT",
                                               last_name="Test\x07\x1b")
    Body.objects.filter(pk=world["body_a"].pk).update(name="Organ A\r\nX-INJECT:1")
    token = calendar_token_issue(person).token
    response = _client().get(reverse("feeds:person", kwargs={"token": token}))
    assert response.status_code == 200
    lines = response.content.decode().split("\r\n")
    assert not any(line.startswith(("BEGIN:VEVENT\r", "X-INJECT")) for line in lines)
    assert "X-WR-CALNAME:Anna BEGIN:VEVENT Test" in lines
    response = _client().get(reverse("feeds:body", kwargs={"slug": world["body_a"].slug}))
    assert response.status_code == 200
    assert not any(line.startswith("X-INJECT") for line in
                   response.content.decode().split("\r\n"))


# --- management commands ---------------------------------------------------------------------

@pytest.mark.parametrize("year", ["0", "99999", "-1", "abc", "1999", "2101"])
def test_rotation_year_out_of_range_is_a_command_error(year):
    """Issue 12 §6: `rotation --year 0` printed a traceback; now one line naming --year."""
    with pytest.raises(CommandError, match="--year"):
        call_command("rotation", "lansledning", "--year", year)


@pytest.mark.parametrize(("command", "args", "option"), [
    ("demo", ["--seed", "-1"], "--seed"),
    ("demo", ["--seed", str(2**64)], "--seed"),
    ("demo", ["--password", "a\nb"], "--password"),
    ("load_structure", ["a\x00b"], "preset"),
    ("rotation", ["lans\r\nledning"], "body"),
])
def test_command_arguments_are_checked(command, args, option):
    """Issue 12 §6: management commands validate their arguments with a clear message."""
    with pytest.raises(CommandError, match=option):
        call_command(command, *args)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_a_user_name_longer_than_any_is_a_form_error_not_a_500(path):
    """Issue 12 §6 (found by the fuzz test on PostgreSQL): a 300-character user name
    reached axes' record of the failed login, whose column holds 255: 500. Now the form
    refuses it and nothing is recorded."""
    from axes.models import AccessAttempt

    response = _client().post(path, {"username": "x" * 300, "password": "abc"})
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "/sok/", {"q": "a\x00b"}),
    ("get", "/dokument/", {"q": "a\x00b"}),
    ("post", "/accounts/login/", {"username": "a\x00b", "password": "x"}),
])
def test_a_nul_in_a_parameter_is_a_400_not_a_500(method, path, data):
    """Issue 12 §6 (found by the fuzz test on PostgreSQL, which refuses NUL in any text
    comparison): a NUL in a query or form parameter is answered 400 before any view."""
    response = getattr(_client(), method)(path, data)
    assert response.status_code == 400
    assert "sv" in response.content.decode()[:200]
