"""Issue 11, flow 1: "Byt ledamot" in one step and recording an office holder, with the
eligibility and rotation checks before saving (governance/replacement.py,
governance/coordination_views.py), and the admin's capacity and rotation fixes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from governance import replacement, services
from governance.models import (
    Body,
    Membership,
    MembershipRole,
    Office,
    OfficeTerm,
    Person,
    Principal,
    Seat,
    StrategicArea,
)
from tests.governance.factories import (
    MembershipFactory,
    OfficeTermFactory,
    PersonFactory,
    SeatFactory,
    UserFactory,
)
from tests.governance.test_admin import admin_url, form_data

END = dt.date(2026, 12, 31)
START = dt.date(2027, 1, 1)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def principal(code: str) -> Principal:
    return Principal.objects.get(code=code)


def seat(body: str, key: str) -> Seat:
    return Seat.objects.select_related("body", "principal").get(body__slug=body, key=key)


def person(first: str, last: str, code: str, **kw) -> Person:
    return PersonFactory(first_name=first, last_name=last, principal=principal(code),
                         email=f"{first}.{last}@exempel.invalid".lower(), **kw)


@pytest.fixture
def sundsvall_seat(halsam):
    """Länsledning's seat of Sundsvall's head of social services, held by Bo Berg."""
    s = seat("lansledning", "fc-socialforvaltning-sundsvall")
    bo = person("Bo", "Berg", "2281", title="Socialchef")
    m = MembershipFactory(seat=s, person=bo, start=dt.date(2024, 1, 1))
    return s, m


# --- the service --------------------------------------------------------------------------

def test_replace_ends_and_starts_in_one_step_and_counts_the_ending(sundsvall_seat, coordinator,
                                                                    django_capture_on_commit_callbacks):
    """The seat has room for one member: starting Anna from 1 January 2027 alone is refused
    while Bo's membership runs; the one-step replacement counts Bo's ending."""
    s, bo = sundsvall_seat
    anna = person("Anna", "Andersson", "2281", title="Förvaltningschef socialtjänst")
    with pytest.raises(ValidationError, match="rymmer 1"):
        services.membership_start(actor=coordinator, person=anna, seat=s, start=START)
    with django_capture_on_commit_callbacks(execute=True):
        result = replacement.member_replace(actor=coordinator, outgoing=bo, end=END,
                                            person=anna, reason="Ny socialchef")
    bo.refresh_from_db()
    assert bo.end == END
    assert result.membership.start == START and result.membership.person == anna
    for row in (bo, result.membership):
        record = row.history.latest()
        assert record.history_user == coordinator
        assert "Anna Andersson ersätter Bo Berg" in record.history_change_reason
        assert "Ny socialchef" in record.history_change_reason


def test_replace_is_all_or_nothing(sundsvall_seat, coordinator):
    """A refusal of the new member leaves the current one untouched (one transaction)."""
    s, bo = sundsvall_seat
    # Another member already takes the place from 2027 (capacity 1): refused, nothing saved.
    MembershipFactory(seat=s, person=person("Cia", "Ek", "2281"), start=START)
    anna = person("Anna", "Andersson", "2281")
    with pytest.raises(ValidationError) as exc:
        replacement.member_replace(actor=coordinator, outgoing=bo, end=END, person=anna)
    assert "seat" in exc.value.message_dict
    bo.refresh_from_db()
    assert bo.end is None
    assert not Membership.objects.filter(person=anna).exists()


def test_substitutes_move_to_the_new_member_when_asked(db, coordinator):
    s = SeatFactory(member_count=1, substitute_count=2)
    old = MembershipFactory(seat=s, start=dt.date(2024, 1, 1))
    subs = [MembershipFactory(seat=s, role=MembershipRole.SUBSTITUTE, substitute_for=old,
                              person=PersonFactory(principal=old.person.principal),
                              start=dt.date(2024, 1, 1)) for _i in range(2)]
    new = PersonFactory(principal=old.person.principal)
    result = replacement.member_replace(actor=coordinator, outgoing=old, end=END, person=new,
                                        welcome=False)
    assert sorted(m.pk for m in result.moved) == sorted(m.pk for m in subs)
    for sub in subs:
        sub.refresh_from_db()
        assert sub.substitute_for == result.membership
        assert sub.history.latest().history_user == coordinator
    # Not asked: the links stay with the ended membership.
    newer = PersonFactory(principal=old.person.principal)
    again = replacement.member_replace(actor=coordinator, outgoing=result.membership,
                                       end=dt.date(2027, 6, 30), person=newer,
                                       carry_substitutes=False, welcome=False)
    assert again.moved == []
    assert all(Membership.objects.get(pk=s.pk).substitute_for == result.membership
               for s in subs)


def test_new_person_gets_a_login_invitation_and_a_welcome(sundsvall_seat, coordinator,
                                                          django_capture_on_commit_callbacks):
    s, bo = sundsvall_seat
    with django_capture_on_commit_callbacks(execute=True):
        result = replacement.member_replace(
            actor=coordinator, outgoing=bo, end=END,
            new_person={"first_name": "Anna", "last_name": "Andersson",
                        "email": "Anna.Andersson@exempel.invalid",
                        "title": "Förvaltningschef socialtjänst", "principal": None})
    anna = result.person
    assert anna.principal == s.principal and anna.email == "anna.andersson@exempel.invalid"
    assert result.login_created and anna.user is not None
    assert not anna.user.has_usable_password()
    to = {m.subject: m.to for m in mail.outbox}
    assert len(mail.outbox) == 2, [m.subject for m in mail.outbox]
    welcome = next(m for m in mail.outbox if "Välkommen" in m.subject)
    assert welcome.to == ["anna.andersson@exempel.invalid"], to
    assert "Länsledning" in welcome.subject and "1 januari 2027" in welcome.body
    assert "/organ/lansledning/" in welcome.body and "lösenord" in welcome.body


def test_existing_person_with_a_login_gets_only_the_welcome(sundsvall_seat, coordinator,
                                                            django_capture_on_commit_callbacks):
    s, bo = sundsvall_seat
    anna = person("Anna", "Andersson", "2281", user=UserFactory(username="anna"))
    with django_capture_on_commit_callbacks(execute=True):
        result = replacement.member_replace(actor=coordinator, outgoing=bo, end=END,
                                            person=anna)
    assert not result.login_created
    assert [m.to for m in mail.outbox] == [[anna.email]]


def test_hard_rule_refuses_and_names_the_rule_H10(sundsvall_seat, coordinator):
    """H10: Länsledning's municipal seats are held by the municipality's heads: a person from
    Timrå cannot take Sundsvall's seat; the refusal names the rule and its text."""
    s, bo = sundsvall_seat
    timra = person("Tor", "Timrå", "2262")
    with pytest.raises(ValidationError) as exc:
        replacement.member_replace(actor=coordinator, outgoing=bo, end=END, person=timra)
    text = " ".join(exc.value.message_dict["person"])
    assert "H10" in text and "Länsledningens sammansättning" in text
    assert "förvaltningschefer" in text  # the rule's text
    bo.refresh_from_db()
    assert bo.end is None


@pytest.fixture
def presidium(halsam):
    """HälSam's political presidium: Sundsvall chairs the social side, Timrå the school side,
    each a committee chair with a seat in HälSam (H5)."""
    social = seat("halsam-presidium", "socialpresidiet")
    school = seat("halsam-presidium", "skolpresidiet")
    bo, cia = person("Bo", "Berg", "2281"), person("Cia", "Ek", "2262")
    MembershipFactory(seat=seat("halsam", "ordf-socialnamnd-sundsvall"), person=bo,
                      start=dt.date(2023, 1, 1))
    MembershipFactory(seat=seat("halsam", "ordf-skolnamnd-timra"), person=cia,
                      start=dt.date(2023, 1, 1))
    bo = MembershipFactory(seat=social, person=bo, start=dt.date(2023, 3, 1))
    cia = MembershipFactory(seat=school, person=cia, start=dt.date(2023, 3, 1))
    return bo, cia


def school_chair(first: str, last: str, code: str, key: str):
    """A school committee chair with a seat in HälSam: eligible for skolpresidiet (H5)."""
    p = person(first, last, code)
    MembershipFactory(seat=seat("halsam", f"ordf-skolnamnd-{key}"), person=p,
                      start=dt.date(2023, 1, 1))
    return p


def test_recommendation_H5_needs_confirmation_and_is_kept_in_the_history(presidium, coordinator):
    """H5: the municipalities' members of the presidium are recommended to come from different
    municipalities. A second Sundsvall member needs "Jag vill spara ändå"."""
    bo, cia = presidium
    dan = school_chair("Dan", "Dahl", "2281", "sundsvall")
    with pytest.raises(replacement.ConfirmationNeeded) as exc:
        replacement.member_replace(actor=coordinator, outgoing=cia, end=END, person=dan,
                                   welcome=False)
    assert [c.rule_id for c in exc.value.concerns] == ["H5"]
    assert "Bo Berg" in exc.value.concerns[0].message
    cia.refresh_from_db()
    assert cia.end is None
    result = replacement.member_replace(actor=coordinator, outgoing=cia, end=END, person=dan,
                                        welcome=False, confirm=True)
    reason = result.membership.history.latest().history_change_reason
    assert "Sparad trots rekommendationen" in reason and "H5" in reason


def test_default_end_is_the_political_term_H3_or_the_year(halsam):
    assert replacement.default_end(Body.objects.get(slug="halsam-presidium"),
                                   dt.date(2025, 5, 1)) == dt.date(2026, 12, 31)
    assert replacement.default_end(Body.objects.get(slug="lansledning"),
                                   dt.date(2025, 5, 1)) == dt.date(2025, 12, 31)


# --- recording an office holder -----------------------------------------------------------

@pytest.fixture
def lansledning(halsam):
    """Länsledning with a region area director, Sundsvall's head of social services and
    Härnösand's, who chairs in 2026."""
    body = Body.objects.get(slug="lansledning")
    region = MembershipFactory(seat=seat("lansledning", "omradesdirektorer"),
                               person=person("Rut", "Region", "R22"), start=dt.date(2024, 1, 1))
    social = MembershipFactory(seat=seat("lansledning", "fc-socialforvaltning-sundsvall"),
                               person=person("Sam", "Social", "2281"), start=dt.date(2024, 1, 1))
    mia = MembershipFactory(seat=seat("lansledning", "fc-socialforvaltning-harnosand"),
                            person=person("Mia", "Mark", "2280"), start=dt.date(2024, 1, 1))
    # 2026 is a municipal year (H11): Mia chairs, until further notice.
    chair = OfficeTermFactory(body=body, office=Office.CHAIR, person=mia.person,
                              start=dt.date(2026, 1, 1))
    return body, region.person, social.person, chair


def test_office_holder_breaking_the_rotation_H11_is_refused(lansledning, coordinator):
    """H11: the region chairs Länsledning in odd years (2027): a municipal chair is refused,
    the rule named with its text."""
    body, _rut, sam, _chair = lansledning
    with pytest.raises(ValidationError) as exc:
        replacement.office_holder_record(actor=coordinator, body=body, office=Office.CHAIR,
                                         person=sam, start=START, end=dt.date(2027, 12, 31))
    text = " ".join(exc.value.message_dict.get("person", [str(exc.value.message_dict)]))
    assert "H11" in text and "Länsledningens ordförande" in text
    assert not OfficeTerm.objects.filter(start=START).exists()


def test_office_holder_following_the_rule_is_recorded_and_the_current_one_ended(lansledning,
                                                                               coordinator):
    body, rut, sam, chair = lansledning
    record = replacement.office_holder_record(
        actor=coordinator, body=body, office=Office.CHAIR, person=rut, start=START,
        end=dt.date(2027, 12, 31), reason="Vald vid årets sista möte (H13)")
    chair.refresh_from_db()
    assert chair.end == END and record.ended == chair
    assert (record.term.person, record.term.start) == (rut, START)
    history = record.term.history.latest()
    assert history.history_user == coordinator
    assert "Vald vid årets sista möte" in history.history_change_reason
    assert "H13" in history.history_change_reason


def test_office_recommendation_H5_needs_confirmation(halsam, coordinator):
    """H5 again, for the presidium's chairs: two chairs from Sundsvall need confirming."""
    body = Body.objects.get(slug="halsam-presidium")
    bo = MembershipFactory(seat=seat("halsam-presidium", "socialpresidiet"),
                           person=person("Bo", "Berg", "2281"), start=dt.date(2023, 3, 1))
    dan = MembershipFactory(seat=seat("halsam-presidium", "skolpresidiet"),
                            person=person("Dan", "Dahl", "2281"), start=dt.date(2023, 3, 1))
    areas = {a.code: a for a in StrategicArea.objects.filter(structure=body.structure)}
    replacement.office_holder_record(actor=coordinator, body=body, office=Office.CHAIR,
                                     person=bo.person, start=START, area=areas["barn-och-unga"])
    with pytest.raises(replacement.ConfirmationNeeded) as exc:
        replacement.office_holder_record(actor=coordinator, body=body, office=Office.CHAIR,
                                         person=dan.person, start=START, area=areas["vuxna"])
    assert [c.rule_id for c in exc.value.concerns] == ["H5"]
    record = replacement.office_holder_record(
        actor=coordinator, body=body, office=Office.CHAIR, person=dan.person, start=START,
        area=areas["vuxna"], confirm=True)
    assert "H5" in record.term.history.latest().history_change_reason


# --- the pages ----------------------------------------------------------------------------

def test_body_page_links_to_replace_and_office_for_coordinators_only(sundsvall_seat, client,
                                                                      coordinator_client):
    s, bo = sundsvall_seat
    url = reverse("governance:replace_member", kwargs={"slug": "lansledning", "seat_pk": s.pk})
    html = coordinator_client.get("/organ/lansledning/").content.decode()
    assert f"{url}?ledamot={bo.pk}" in html and "Byt ledamot" in html
    assert reverse("governance:record_office", kwargs={"slug": "lansledning"}) in html
    public = Client().get("/organ/lansledning/").content.decode()
    assert "byt-ledamot" not in public and "uppdrag/ny" not in public


def test_only_coordinators_may_replace(sundsvall_seat, client, editor):
    s, _bo = sundsvall_seat
    url = reverse("governance:replace_member", kwargs={"slug": "lansledning", "seat_pk": s.pk})
    assert client.get(url).status_code == 302  # to the login
    client.force_login(editor)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    office = reverse("governance:record_office", kwargs={"slug": "lansledning"})
    assert client.get(office).status_code == 403


def test_replace_page_saves_and_says_what_happened_to_whom(sundsvall_seat, coordinator_client,
                                                           django_capture_on_commit_callbacks):
    s, bo = sundsvall_seat
    url = reverse("governance:replace_member", kwargs={"slug": "lansledning", "seat_pk": s.pk})
    page = coordinator_client.get(f"{url}?ledamot={bo.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["outgoing"] == bo.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {
            "outgoing": bo.pk, "end": "2026-12-31", "first_name": "Anna",
            "last_name": "Andersson", "email": "anna@exempel.invalid",
            "title": "Förvaltningschef socialtjänst", "welcome": "on"})
    assert response.status_code == 302, response.context["form"].errors
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Anna Andersson ersätter Bo Berg i Länsledning" in text
    assert "1 januari 2027" in text and "anna@exempel.invalid" in text
    assert len(mail.outbox) == 2


def test_replace_page_refuses_on_the_field_and_asks_to_confirm(presidium, coordinator_client):
    bo, cia = presidium
    url = reverse("governance:replace_member",
                  kwargs={"slug": "halsam-presidium", "seat_pk": cia.seat_id})
    timra = person("Tor", "Timrå", "2262")
    dan = school_chair("Dan", "Dahl", "2281", "sundsvall")
    data = {"outgoing": cia.pk, "end": "2026-12-31", "person": dan.pk}
    # Choosing and typing at once is refused on the field.
    both = coordinator_client.post(url, {**data, "first_name": "X", "last_name": "Y"})
    assert "person" in both.context["form"].errors
    # A recommendation: the page lists it and shows the box.
    first = coordinator_client.post(url, data)
    assert first.status_code == 200
    html = first.content.decode()
    assert "Jag vill spara ändå" in html and "H5" in html
    cia.refresh_from_db()
    assert cia.end is None
    assert coordinator_client.post(url, {**data, "confirm": "on"}).status_code == 302
    cia.refresh_from_db()
    assert cia.end == END
    assert timra.memberships.count() == 0


def test_office_page_refuses_naming_the_rule_and_records(lansledning, coordinator_client):
    body, rut, sam, chair = lansledning
    url = reverse("governance:record_office", kwargs={"slug": "lansledning"})
    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert "H11" in page.content.decode()  # the requirements of the period are shown
    data = {"office": "chair", "person": sam.pk, "start": "2027-01-01", "end": "2027-12-31",
            "end_current": "on"}
    refused = coordinator_client.post(url, data)
    assert refused.status_code == 200
    assert "H11" in " ".join(refused.context["form"].errors["person"])
    ok = coordinator_client.post(url, {**data, "person": rut.pk})
    assert ok.status_code == 302
    text = " ".join(str(m) for m in get_messages(ok.wsgi_request))
    assert "Rut Region" in text and "ordförande" in text and "Mia Mark" in text


def test_new_pages_query_count_does_not_grow(halsam, coordinator_client,
                                             django_assert_max_num_queries):
    """The replace and office pages read a fixed number of queries whatever the members."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = seat("lansledning", "omradesdirektorer")  # four places
    first = MembershipFactory(seat=s, person=person("Rut", "Region", "R22"),
                              start=dt.date(2024, 1, 1))
    url = reverse("governance:replace_member", kwargs={"slug": "lansledning", "seat_pk": s.pk})
    office = reverse("governance:record_office", kwargs={"slug": "lansledning"})
    coordinator_client.get(url)  # warm the process-wide caches (content types, rules)
    coordinator_client.get(office)
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url)
    with CaptureQueriesContext(connection) as few_office:
        coordinator_client.get(office)
    for i in range(3):
        m = MembershipFactory(seat=s, person=person(f"P{i}", "Region", "R22"),
                              start=dt.date(2024, 1, 1))
        MembershipFactory(seat=SeatFactory(body=s.body, member_count=1, substitute_count=1),
                          role=MembershipRole.MEMBER, start=dt.date(2024, 1, 1))
        PersonFactory(principal=first.person.principal)
        del m
    with CaptureQueriesContext(connection) as many:
        coordinator_client.get(url)
    with CaptureQueriesContext(connection) as many_office:
        coordinator_client.get(office)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many_office.captured_queries) == len(few_office.captured_queries)
    with django_assert_max_num_queries(20):
        coordinator_client.get(url)


# --- the admin ----------------------------------------------------------------------------

def test_admin_inline_counts_the_ending_typed_in_the_same_form(sundsvall_seat,
                                                                coordinator_client):
    """The issue's refusal "Platsen … rymmer 1 ledamöter": ending Bo on 2026-12-31 and adding
    Anna from 2027-01-01 in the same seat form is now saved."""
    s, bo = sundsvall_seat
    anna = person("Anna", "Andersson", "2281")
    url = admin_url(Seat, "change", s.pk)
    data = form_data(coordinator_client.get(url))
    data.update({"memberships-0-end": "2026-12-31", "memberships-TOTAL_FORMS": "2",
                 "memberships-1-person": anna.pk, "memberships-1-role": "member",
                 "memberships-1-start": "2027-01-01", "memberships-1-seat": s.pk,
                 "change_reason": "Ny socialchef"})
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, [f.errors for i in response.context[
        "inline_admin_formsets"] for f in i.formset.forms]
    bo.refresh_from_db()
    assert bo.end == END
    assert Membership.objects.get(person=anna, seat=s).start == START
    # Overlapping by a day is still refused.
    data2 = form_data(coordinator_client.get(url))
    carl = person("Carl", "Ceder", "2281")
    n = int(data2["memberships-TOTAL_FORMS"])
    data2.update({"memberships-TOTAL_FORMS": str(n + 1), f"memberships-{n}-person": carl.pk,
                  f"memberships-{n}-role": "member", f"memberships-{n}-start": "2027-06-01",
                  f"memberships-{n}-seat": s.pk})
    assert coordinator_client.post(url, data2).status_code == 200
    assert not Membership.objects.filter(person=carl).exists()


def test_admin_office_term_refuses_a_rotation_break_naming_H11(lansledning, coordinator_client):
    body, rut, sam, _chair = lansledning
    _chair.end = END
    _chair.save()
    data = {"body": body.pk, "office": "chair", "person": sam.pk, "start": "2027-01-01",
            "end": "2027-12-31", "note": "", "change_reason": "Val"}
    response = coordinator_client.post(admin_url(OfficeTerm, "add"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["person"])
    assert "H11" in errors
    ok = coordinator_client.post(admin_url(OfficeTerm, "add"), {**data, "person": rut.pk})
    assert ok.status_code == 302


def test_admin_office_term_warns_of_a_recommendation_H5(halsam, coordinator_client):
    body = Body.objects.get(slug="halsam-presidium")
    areas = {a.code: a for a in StrategicArea.objects.filter(structure=body.structure)}
    bo = MembershipFactory(seat=seat("halsam-presidium", "socialpresidiet"),
                           person=person("Bo", "Berg", "2281"), start=dt.date(2023, 3, 1))
    dan = MembershipFactory(seat=seat("halsam-presidium", "skolpresidiet"),
                            person=person("Dan", "Dahl", "2281"), start=dt.date(2023, 3, 1))
    OfficeTermFactory(body=body, office=Office.CHAIR, person=bo.person, start=START,
                      area=areas["barn-och-unga"])
    response = coordinator_client.post(admin_url(OfficeTerm, "add"), {
        "body": body.pk, "office": "chair", "area": areas["vuxna"].pk, "person": dan.person.pk,
        "start": "2027-01-01", "end": "", "note": "", "change_reason": "Vald"}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "H5" in text
    term = OfficeTerm.objects.get(person=dan.person)
    assert "H5" in term.history.latest().history_change_reason
