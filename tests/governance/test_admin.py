"""The coordinator's admin: every page answers, changelists do not grow in queries,
the seat rules hold in the admin too, and only staff get in."""
from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import services
from governance.models import (
    Body,
    Membership,
    MembershipRole,
    Office,
    OfficeTerm,
    Participation,
    Person,
    Principal,
    Seat,
    Sector,
    StrategicArea,
    Structure,
    Term,
)

from .factories import (
    BodyFactory,
    MembershipFactory,
    ParticipationFactory,
    PersonFactory,
    PrincipalFactory,
    SeatFactory,
    SectorFactory,
    StrategicAreaFactory,
    StructureFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)
MODELS = [Structure, Principal, Sector, StrategicArea, Term, Body, Seat, Person, Membership,
          OfficeTerm]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:governance_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST data of an admin change form as it was rendered (main form and inlines)."""
    data: dict = {}

    def add(form):
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif isinstance(value, dt.date):
                data[bound.html_name] = value.isoformat()
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    if "rotation" in response.context["adminform"].form.fields:
        data.pop("rotation", None)
        data.update(page_inputs(response.content.decode(), prefix="rotation-"))
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


class _Inputs(HTMLParser):
    """What a browser would submit from a page's form controls (and which have labels)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        elif tag == "input":
            self.controls.append({"tag": tag, **a})
        elif tag == "select":
            self._select = {"tag": tag, **a, "selected": []}
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            if "selected" in a:
                self._select["selected"].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = {"tag": tag, **a, "value": ""}
            self.controls.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_inputs(html: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(html)
    return parser


def page_inputs(html: str, *, prefix: str = "") -> dict:
    """The POST data of the page's controls whose names start with ``prefix``."""
    data: dict = {}
    for c in parse_inputs(html).controls:
        name = c.get("name") or ""
        if not name.startswith(prefix) or "__prefix__" in name:
            continue
        if c["tag"] == "select":
            if c["selected"]:
                data[name] = c["selected"][0]
            else:
                data[name] = ""
        elif c["tag"] == "textarea":
            data[name] = c["value"].removeprefix("\n")
        elif c.get("type") in ("checkbox", "radio"):
            if "checked" in c:
                data[name] = c.get("value", "on")
        elif c.get("type") not in ("submit", "button"):
            data[name] = c.get("value", "")
    return data


@pytest.fixture
def small_world(db):
    """One of every governance model, built without the (slower) preset."""
    structure = StructureFactory(rules={"all_principals_represented": True}, sources=["000.txt"])
    kommun = PrincipalFactory()
    ParticipationFactory(structure=structure, principal=kommun)
    area = StrategicAreaFactory(structure=structure)
    TermFactory(structure=structure)
    body = BodyFactory(structure=structure, area=area, rule_refs=["H11"],
                       rotation={"term": {"years": 1, "start_year": 2023},
                                 "cycle": [{"chair": {"principal_kind": "region"}}]},
                       meeting_rule={"joint_meetings": 1})
    seat = SeatFactory(body=body, principal=kommun, sector=SectorFactory())
    person = PersonFactory(principal=kommun)
    member = services.membership_start(actor=None, person=person, seat=seat, start=START)
    services.membership_start(actor=None, person=PersonFactory(principal=kommun), seat=seat,
                              role=MembershipRole.SUBSTITUTE, substitute_for=member,
                              start=START)
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=person,
                                start=START, area=area)


@pytest.fixture
def lansledning(halsam):
    """Länsledning with its Sundsvall social services head as member and chair."""
    body = Body.objects.get(slug="lansledning")
    seat = body.seats.get(key="fc-socialforvaltning-sundsvall")
    person = services.person_create(actor=None, first_name="Sara", last_name="Exempel",
                                    email="sara@exempel.invalid", principal=seat.principal)
    services.membership_start(actor=None, person=person, seat=seat, start=START)
    services.office_term_record(actor=None, body=body, office=Office.CHAIR, person=person,
                                start=START, end=dt.date(2024, 12, 31))
    return body, seat, person


def test_anonymous_is_sent_to_the_login(client, db):
    for model in MODELS:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_coordinator_sees_every_admin_page(coordinator_client, small_world, model):
    obj = model.objects.order_by("pk").first()
    assert obj is not None
    for url in (admin_url(model, "changelist"), admin_url(model, "add"),
                admin_url(model, "change", obj.pk), admin_url(model, "history", obj.pk)):
        response = coordinator_client.get(url)
        assert response.status_code == 200, url
        if "/history/" not in url and not url.endswith(f"{model._meta.model_name}/"):
            assert b'name="change_reason"' in response.content, url


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_coordinator_saves_every_change_form_unchanged(coordinator_client, small_world, model):
    """Each change form, with its inlines and JSON fields, survives a round trip."""
    obj = model.objects.order_by("pk").first()
    url = admin_url(model, "change", obj.pk)
    data = form_data(coordinator_client.get(url))
    data["change_reason"] = "Granskning"
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset.forms]]
    assert obj.history.latest().history_change_reason == "Granskning"


def _viewer(*codenames: str):
    """Staff with view permissions on governance models only (granted by hand)."""
    from django.contrib.auth.models import Permission

    from .factories import UserFactory

    user = UserFactory(username="betraktare", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="governance", codename__in=codenames))
    return user


def test_editor_has_no_governance_admin(client, editor, small_world):
    """Issue 12 §4: the editor's admin covers the documents app only."""
    seat = Seat.objects.get()
    client.force_login(editor)
    assert client.get(admin_url(Membership, "changelist")).status_code == 403
    assert client.get(admin_url(Seat, "change", seat.pk)).status_code == 403
    assert client.get(admin_url(Membership, "add")).status_code == 403


def test_who_may_only_look_gets_no_change_form(client, small_world):
    seat = Seat.objects.get()
    client.force_login(_viewer("view_seat", "view_membership"))
    assert client.get(admin_url(Membership, "changelist")).status_code == 200
    response = client.get(admin_url(Seat, "change", seat.pk))
    assert response.status_code == 200
    assert b'name="change_reason"' not in response.content
    assert client.get(admin_url(Membership, "add")).status_code == 403


def test_json_rules_are_shown_indented_and_checked(coordinator_client, halsam):
    body = Body.objects.get(slug="lansledning")
    body.meeting_rule = {"joint_meetings": 1}
    body.save()
    url = admin_url(Body, "change", body.pk)
    response = coordinator_client.get(url)
    assert "\n  &quot;joint_meetings&quot;: 1" in response.content.decode()
    data = form_data(response)
    data["meeting_rule"] = "[1, 2"
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "meeting_rule" in response.context["adminform"].form.errors
    data["meeting_rule"] = "[1, 2]"  # JSON, but not an object
    response = coordinator_client.post(url, data)
    assert "meeting_rule" in response.context["adminform"].form.errors
    body.refresh_from_db()
    assert body.meeting_rule == {"joint_meetings": 1}


# --- query counts ----------------------------------------------------------------------------

def changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_memberships(n: int) -> None:
    for i in range(n):
        membership = MembershipFactory()
        if i % 2:
            MembershipFactory(seat=membership.seat, role=MembershipRole.SUBSTITUTE,
                              substitute_for=membership,
                              person__principal=membership.person.principal)


@pytest.mark.parametrize("model", [Membership, Seat, Person, Body, OfficeTerm, Principal,
                                   Structure], ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(coordinator_client, model):
    make_memberships(3)
    for m in Membership.objects.filter(role=MembershipRole.MEMBER):
        services.office_term_record(actor=None, body=m.seat.body, office=Office.CHAIR,
                                    person=m.person, start=START)
    changelist_queries(coordinator_client, admin_url(model, "changelist"))  # warm caches
    few = changelist_queries(coordinator_client, admin_url(model, "changelist"))
    make_memberships(45)
    for m in Membership.objects.filter(role=MembershipRole.MEMBER, seat__body__office_terms=None):
        services.office_term_record(actor=None, body=m.seat.body, office=Office.CHAIR,
                                    person=m.person, start=START)
    assert model.objects.count() >= 10
    many = changelist_queries(coordinator_client, admin_url(model, "changelist"))
    assert many == few


def test_membership_changelist_5_vs_50_rows_same_queries(coordinator_client):
    make_memberships(4)  # 6 rows
    changelist_queries(coordinator_client, admin_url(Membership, "changelist"))  # warm caches
    few = changelist_queries(coordinator_client, admin_url(Membership, "changelist"))
    make_memberships(30)  # 51 rows: a second page too
    assert Membership.objects.count() > 50
    assert changelist_queries(coordinator_client, admin_url(Membership, "changelist")) == few
    # The "active today" filter keeps the count, too.
    url = admin_url(Membership, "changelist") + "?active=yes"
    assert changelist_queries(coordinator_client, url) <= few + 1


# --- the seat rules in the admin ---------------------------------------------------------------

def test_admin_refuses_a_member_beyond_capacity_and_writes_nothing(coordinator_client,
                                                                   lansledning):
    _body, seat, person = lansledning
    newcomer = PersonFactory(principal=seat.principal)
    before = (Membership.objects.count(), Membership.history.count())
    response = coordinator_client.post(admin_url(Membership, "add"), {
        "person": newcomer.pk, "seat": seat.pk, "role": MembershipRole.MEMBER,
        "start": "2024-03-01", "end": "", "substitute_for": "", "change_reason": "Ny chef"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "seat" in errors
    assert seat.title in errors["seat"][0]
    assert 'class="errorlist' in response.content.decode()
    assert (Membership.objects.count(), Membership.history.count()) == before


def test_admin_refuses_a_person_of_another_principal_on_the_person_field(coordinator_client,
                                                                         lansledning):
    _body, seat, _person = lansledning
    stranger = PersonFactory(principal=Principal.objects.get(code="R22"))
    response = coordinator_client.post(admin_url(Membership, "add"), {
        "person": stranger.pk, "seat": seat.pk, "role": MembershipRole.SUBSTITUTE,
        "start": "2024-03-01"})
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(person=stranger).exists()


def test_admin_edit_of_a_membership_is_checked_without_counting_itself(coordinator_client,
                                                                       lansledning):
    _body, seat, person = lansledning
    membership = Membership.objects.get(person=person, seat=seat)
    url = admin_url(Membership, "change", membership.pk)
    data = form_data(coordinator_client.get(url))
    data.update(start="2024-01-01", end="2025-06-30", change_reason="Avgår")
    assert coordinator_client.post(url, data).status_code == 302
    membership.refresh_from_db()
    assert membership.end == dt.date(2025, 6, 30)


def test_admin_refuses_ending_an_office_holders_membership_early(coordinator_client,
                                                                 lansledning):
    _body, seat, person = lansledning  # chair until 2024-12-31
    membership = Membership.objects.get(person=person, seat=seat)
    url = admin_url(Membership, "change", membership.pk)
    data = form_data(coordinator_client.get(url))
    data.update(end="2024-06-30")
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "end" in response.context["adminform"].form.errors
    membership.refresh_from_db()
    assert membership.end is None


def test_admin_seat_inline_refuses_two_new_members_for_one_place(coordinator_client, halsam):
    seat = Seat.objects.get(body__slug="lansledning", key="fc-skolforvaltning-sundsvall")
    url = admin_url(Seat, "change", seat.pk)
    data = form_data(coordinator_client.get(url))
    a, b = (PersonFactory(principal=seat.principal) for _i in range(2))
    data.update({"memberships-TOTAL_FORMS": "2", "change_reason": "Två på en gång"})
    for i, person in enumerate((a, b)):
        data.update({f"memberships-{i}-person": person.pk, f"memberships-{i}-role": "member",
                     f"memberships-{i}-start": "2024-01-01", f"memberships-{i}-seat": seat.pk})
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert not seat.memberships.exists()
    # One of them alone is fine, and the reason is kept on the inline row's history.
    data["memberships-TOTAL_FORMS"] = "1"
    assert coordinator_client.post(url, data).status_code == 302
    membership = seat.memberships.get()
    record = membership.history.latest()
    assert record.history_change_reason == "Två på en gång"
    assert record.history_user is not None


def test_admin_refuses_an_office_holder_who_is_not_a_member(coordinator_client, lansledning):
    body, _seat, _person = lansledning
    outsider = PersonFactory()
    response = coordinator_client.post(admin_url(OfficeTerm, "add"), {
        "body": body.pk, "office": Office.VICE_CHAIR, "person": outsider.pk,
        "start": "2024-01-01", "end": "2024-12-31", "note": ""})
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert not OfficeTerm.objects.filter(person=outsider).exists()


def test_admin_refuses_a_database_invariant_as_a_form_error(coordinator_client, halsam):
    """No 500: a temporary body without an end date is refused on the form."""
    structure = Structure.objects.get(slug="halsam-vasternorrland")
    response = coordinator_client.post(admin_url(Body, "add"), {
        "structure": structure.pk, "name": "Arbetsgrupp", "slug": "arbetsgrupp",
        "kind": "working_group", "position": "0", "notice_days": "14", "is_temporary": "on",
        "meeting_rule": "{}", "rotation": "{}", "rule_refs": "[]",
        "seats-TOTAL_FORMS": "0", "seats-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Body.objects.filter(slug="arbetsgrupp").exists()


def test_participation_inline_lists_the_principals(coordinator_client, halsam):
    structure = Structure.objects.get(slug="halsam-vasternorrland")
    response = coordinator_client.get(admin_url(Structure, "change", structure.pk))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.model is Participation
    assert len(formset.forms) == Participation.objects.filter(structure=structure).count() == 8


def test_seat_changelist_shows_places_filled_today(coordinator_client, small_world):
    seat = Seat.objects.get()
    SeatFactory(member_count=3, substitute_count=2)
    MembershipFactory(seat=seat, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31))
    response = coordinator_client.get(admin_url(Seat, "changelist"))
    html = response.content.decode()
    assert "2 / 2" in html  # the member and the substitute; the old membership is over
    assert "0 / 5" in html


def test_role_groups_are_idempotent_and_keep_permissions_granted_by_hand(db):
    from django.contrib.auth.models import Group, Permission

    from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups

    groups = ensure_role_groups()
    coordinator = groups[COORDINATOR_GROUP]
    codenames = set(coordinator.permissions.values_list("codename", flat=True))
    assert {"add_membership", "change_membership", "view_membership",
            "view_historicalmembership"} <= codenames
    assert "delete_membership" not in codenames
    editor_codes = set(groups[EDITOR_GROUP].permissions.values_list("codename", flat=True))
    assert "view_body" not in editor_codes
    # The editor's admin covers the documents app only (issue 12 §4).
    editor_perms = groups[EDITOR_GROUP].permissions.values_list("content_type__app_label",
                                                                "codename")
    assert {app for app, _c in editor_perms} == {"documents"}
    assert "change_document" in editor_codes
    extra = Permission.objects.get(codename="delete_membership")
    coordinator.permissions.add(extra)
    ensure_role_groups()
    assert Group.objects.filter(name__in=[COORDINATOR_GROUP, EDITOR_GROUP]).count() == 2
    assert coordinator.permissions.count() == len(codenames) + 1


# --- body permissions follow what the admin saves, in the same transaction ----------------------

def test_admin_membership_grants_and_revokes_the_login_body_permission_at_once(
        coordinator_client, lansledning):
    """A member added in the admin sees the body's internal papers at once (not after the
    nightly sync); ending or deleting the membership there takes it away again."""
    from .factories import UserFactory

    body, _seat, _chair = lansledning
    seat = body.seats.get(key="fc-skolforvaltning-timra")
    user = UserFactory(username="ny-ledamot")
    person = PersonFactory(principal=seat.principal, user=user)
    assert not user.has_perm("governance.view_body", body)
    response = coordinator_client.post(admin_url(Membership, "add"), {
        "person": person.pk, "seat": seat.pk, "role": MembershipRole.MEMBER,
        "start": "2024-03-01", "end": "", "substitute_for": "", "change_reason": "Ny chef"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(person=person)
    user = type(user).objects.get(pk=user.pk)  # guardian caches per user object
    assert user.has_perm("governance.view_body", body)

    url = admin_url(Membership, "change", membership.pk)
    data = form_data(coordinator_client.get(url))
    data.update(end="2024-06-30", change_reason="Slutat")
    assert coordinator_client.post(url, data).status_code == 302
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_perm("governance.view_body", body)


def test_admin_person_form_with_a_membership_row_and_a_changed_login(coordinator_client,
                                                                     lansledning):
    """The person form with a membership row grants the person's login the body; moving
    the login to another person takes it from the old login in the same save."""
    from .factories import UserFactory

    body, _seat, _chair = lansledning
    seat = body.seats.get(key="fc-skolforvaltning-timra")
    old, new = UserFactory(username="gammal"), UserFactory(username="ny")
    response = coordinator_client.post(admin_url(Person, "add"), {
        "first_name": "Nils", "last_name": "Nyman", "email": "nils@exempel.invalid",
        "phone": "", "title": "Skolchef", "principal": seat.principal.pk, "user": old.pk,
        "change_reason": "Ny skolchef i Timrå",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-seat": seat.pk, "memberships-0-role": MembershipRole.MEMBER,
        "memberships-0-substitute_for": "", "memberships-0-start": "2024-01-01",
        "memberships-0-end": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get(email="nils@exempel.invalid")
    assert type(old).objects.get(pk=old.pk).has_perm("governance.view_body", body)

    url = admin_url(Person, "change", person.pk)
    data = form_data(coordinator_client.get(url))
    data.update(user=new.pk, change_reason="Fel inloggning kopplad")
    assert coordinator_client.post(url, data).status_code == 302
    assert not type(old).objects.get(pk=old.pk).has_perm("governance.view_body", body)
    assert type(new).objects.get(pk=new.pk).has_perm("governance.view_body", body)


def test_every_autocomplete_field_answers_a_search(coordinator_client, small_world):
    """Each autocomplete field of the admin (select2: the person, seat, body … pickers)
    answers its search with JSON results, never an error (a GROUP BY queryset without an
    explicit order used to fail the seat search)."""
    from django.contrib import admin as django_admin

    asked = 0
    for model, model_admin in django_admin.site._registry.items():
        admins = [(model, model_admin)] + [
            (inline.model, inline) for inline in
            (cls(model, django_admin.site) for cls in getattr(model_admin, "inlines", []))]
        for source_model, source_admin in admins:
            for field_name in getattr(source_admin, "autocomplete_fields", ()):
                response = coordinator_client.get("/admin/autocomplete/", {
                    "term": "a", "app_label": source_model._meta.app_label,
                    "model_name": source_model._meta.model_name, "field_name": field_name})
                assert response.status_code == 200, (source_model, field_name)
                assert "results" in response.json()
                asked += 1
    assert asked >= 15


def test_coordinator_creates_logins_for_members_and_they_choose_their_password(
        coordinator_client, lansledning, client, mailoutbox, settings,
        django_capture_on_commit_callbacks):
    """The admin action on people: a login per person without one (user name = e-mail,
    no password), the body permissions at once, and a mail with the link for choosing
    the password; that link works. People without an e-mail or with a login are named
    and skipped."""
    from django.test import Client

    settings.HALSAM_BASE_URL = "https://halsam.example.se"
    body, seat, chair = lansledning  # the chair has an e-mail address and no login
    nomail = PersonFactory(principal=seat.principal, email="")
    with django_capture_on_commit_callbacks(execute=True):  # the invitation is queued
        response = coordinator_client.post(admin_url(Person, "changelist"), {
            "action": "create_logins", "_selected_action": [chair.pk, nomail.pk]}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("1 inloggning" in m or "1 login" in m for m in shown), shown
    assert any(nomail.name in m for m in shown), shown

    chair.refresh_from_db()
    user = chair.user
    assert user.username == "sara@exempel.invalid" and not user.has_usable_password()
    assert not user.is_staff and user.has_perm("governance.view_body", body)
    assert chair.history.first().history_change_reason
    nomail.refresh_from_db()
    assert nomail.user is None

    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sara@exempel.invalid"]
    link = next(line for line in mailoutbox[0].body.splitlines()
                if line.startswith("https://halsam.example.se/accounts/reset/"))
    browser = Client()
    form_page = browser.get(link.removeprefix("https://halsam.example.se"), follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = browser.post(form_page.redirect_chain[-1][0], {
        "new_password1": "Ett-langt-losenord-2027", "new_password2": "Ett-langt-losenord-2027"})
    assert done.status_code == 302
    assert browser.login(username="sara@exempel.invalid", password="Ett-langt-losenord-2027")

    # A second run makes nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(admin_url(Person, "changelist"), {
            "action": "create_logins", "_selected_action": [chair.pk]})
    assert len(mailoutbox) == 1


# --- searches that ignore diacritics and case ---------------------------------------------------

def search(client, model, term: str) -> list:
    response = client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def people_with_diacritics(halsam):
    harnosand = Principal.objects.get(name="Härnösands kommun")
    ange = Principal.objects.get(name="Ånge kommun")
    asa = services.person_create(actor=None, first_name="Åsa", last_name="Öberg",
                                 email="asa.oberg@harnosand.invalid", title="Socialchef",
                                 principal=harnosand)
    rene = services.person_create(actor=None, first_name="René", last_name="Ek",
                                  email="rene.ek@ange.invalid", title="Förvaltningschef",
                                  principal=ange)
    seat = Seat.objects.get(body__slug="lansledning", key="fc-socialforvaltning-harnosand")
    services.membership_start(actor=None, person=asa, seat=seat, start=START)
    return asa, rene


@pytest.mark.parametrize("term", ["Länsledning Timrå", "lansledning timra", "LANSLEDNING TIMRA",
                                  "timrå länsledning"])
def test_seat_search_ignores_diacritics_and_case(coordinator_client, halsam, term):
    found = search(coordinator_client, Seat, term)
    assert {seat.key for seat in found} == {
        "fc-socialforvaltning-timra", "fc-skolforvaltning-timra", "chef-samverkan-stod-timra"}


@pytest.mark.parametrize("term", ["socialnämnd ånge", "socialnamnd ange", "SOCIALNÄMND Ånge"])
def test_seat_search_by_title_and_municipality(coordinator_client, halsam, term):
    found = search(coordinator_client, Seat, term)
    assert [(s.body.slug, s.principal.name) for s in found] == [("halsam", "Ånge kommun")]
    assert "socialnämnd" in found[0].title


@pytest.mark.parametrize("term", ["Härnösand", "harnosand", "HARNÖSAND"])
def test_search_for_a_municipality_spelt_any_way(coordinator_client, people_with_diacritics,
                                                  term):
    from governance.search import fold_diacritics

    seats = search(coordinator_client, Seat, term)
    expected = {s.pk for s in Seat.objects.select_related("body", "principal")
                if "harnosand" in fold_diacritics(f"{s.body.name} {s.principal}").lower()}
    assert len(expected) > 5  # Länsledning's three, the political seat, the local groups
    assert {s.pk for s in seats} == expected
    people = search(coordinator_client, Person, term)
    assert [p.last_name for p in people] == ["Öberg"]
    memberships = search(coordinator_client, Membership, term)
    assert [m.person.last_name for m in memberships] == ["Öberg"]


@pytest.mark.parametrize(("term", "expected"), [
    ("asa oberg", ["Öberg"]), ("Åsa Öberg", ["Öberg"]), ("socialchef harnosand", ["Öberg"]),
    ("rene", ["Ek"]), ("René ånge", ["Ek"]), ("rene.ek@ange", ["Ek"]), ("asa rene", []),
])
def test_person_search_every_word_must_match_some_field(coordinator_client,
                                                        people_with_diacritics, term, expected):
    assert [p.last_name for p in search(coordinator_client, Person, term)] == expected


def test_membership_search_by_person_seat_body_and_principal(coordinator_client,
                                                             people_with_diacritics):
    for term in ("oberg lansledning", "Öberg Förvaltningschef socialforvaltning",
                 "harnosand lansledning"):
        assert [m.person.last_name for m in search(coordinator_client, Membership, term)] == [
            "Öberg"], term
    assert search(coordinator_client, Membership, "oberg timra") == []


def test_the_unaccent_lookup_folds_both_sides(db):
    from governance.search import fold_diacritics

    PrincipalFactory(name="Härnösands kommun", code="2280")
    assert fold_diacritics("Härnösand Ånge Sámi Ørsted Æ") == "Harnosand Ange Sami Orsted AE"
    for term in ("harnosand", "Härnösand", "HÄRNÖSAND", "härnosand"):
        assert Principal.objects.filter(name__unaccent__icontains=term).count() == 1, term
    assert Principal.objects.filter(name__unaccent__iexact="harnosands KOMMUN").count() == 1
    assert not Principal.objects.filter(name__unaccent__icontains="härnösand_").exists()
    # % and _ in the term are literal characters, as with icontains.
    assert not Principal.objects.filter(name__unaccent__icontains="h%d").exists()


@pytest.mark.postgres
def test_the_unaccent_lookup_on_postgresql(coordinator_client, people_with_diacritics):
    """The same searches through PostgreSQL's unaccent extension (CI runs the suite there
    too; locally: DATABASE_URL=postgres://postgres@127.0.0.1:5432/halsam)."""
    if connection.vendor != "postgresql":
        pytest.skip("the test database is not PostgreSQL (run with DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'unaccent'")
        assert cursor.fetchone() == ("unaccent",)
    assert {s.key for s in search(coordinator_client, Seat, "lansledning timra")} == {
        "fc-socialforvaltning-timra", "fc-skolforvaltning-timra", "chef-samverkan-stod-timra"}
    assert [p.last_name for p in search(coordinator_client, Person, "asa oberg")] == ["Öberg"]
    assert [p.last_name for p in search(coordinator_client, Person, "René ÅNGE")] == ["Ek"]


# --- choices that can be told apart ------------------------------------------------------------

def autocomplete(client, model_name: str, field_name: str, term: str) -> list[str]:
    response = client.get("/admin/autocomplete/", {
        "term": term, "app_label": "governance", "model_name": model_name,
        "field_name": field_name})
    assert response.status_code == 200
    return [r["text"] for r in response.json()["results"]]


def test_seat_labels_name_the_municipality_the_title_and_the_body(coordinator_client, halsam):
    texts = autocomplete(coordinator_client, "membership", "seat",
                         "länsledning förvaltningschef socialförvaltning")
    assert len(texts) == len(set(texts)) == 7
    assert ("Timrå kommun – Förvaltningschef för socialförvaltning/motsvarande "
            "(Länsledning för HälSam)") in texts
    assert autocomplete(coordinator_client, "membership", "seat", "lansledning timra skol") == [
        "Timrå kommun – Förvaltningschef för skolförvaltning/motsvarande "
        "(Länsledning för HälSam)"]
    seat = Seat.objects.get(body__slug="lansamordning-aldre", key="socialtjanst")
    assert str(seat) == "Förvaltningschefer socialtjänst (Länssamordningsgrupp Äldre)"


def test_person_and_membership_labels(coordinator_client, people_with_diacritics):
    asa, _rene = people_with_diacritics
    assert autocomplete(coordinator_client, "membership", "person", "oberg") == [
        "Åsa Öberg (Socialchef, Härnösands kommun)"]
    assert autocomplete(coordinator_client, "membership", "substitute_for", "oberg") == [
        "Åsa Öberg, ledamot: Härnösands kommun – Förvaltningschef för "
        "socialförvaltning/motsvarande (Länsledning för HälSam)"]
    # The change form's selected choice reads the same as the search's.
    membership = Membership.objects.get(person=asa)
    html = coordinator_client.get(admin_url(Membership, "change", membership.pk)).content.decode()
    assert ">Åsa Öberg (Socialchef, Härnösands kommun)</option>" in html
    assert ("Härnösands kommun – Förvaltningschef för socialförvaltning/motsvarande "
            "(Länsledning för HälSam)</option>") in html


@pytest.mark.parametrize(("model_name", "field_name", "term"), [
    ("membership", "seat", "a"), ("membership", "person", "a"),
    ("membership", "substitute_for", "a"), ("officeterm", "body", "a")])
def test_autocomplete_queries_do_not_grow_with_the_results(coordinator_client, model_name,
                                                           field_name, term):
    make_memberships(2)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            texts = autocomplete(coordinator_client, model_name, field_name, term)
        return len(ctx.captured_queries), len(texts)

    few, few_rows = queries()
    make_memberships(12)
    many, many_rows = queries()
    assert many_rows > few_rows
    assert many == few


# --- the rotation rule as a form ----------------------------------------------------------------

def rotation_data(rule: dict) -> dict:
    """What the admin page's rotation inputs submit when left as rendered."""
    from governance.rotation_form import RotationWidget

    return page_inputs(RotationWidget().render("rotation", rule), prefix="rotation-")


def test_rotation_form_round_trip_over_every_body_of_the_three_presets(db):
    """Every body's rule of every preset, shown in the form and saved unchanged, is the
    same JSON (keys the preset spells out with default values included)."""
    from governance.presets import load_structure
    from governance.rotation_form import RotationEditor

    for slug in ("halsam-vasternorrland", "jamtland-harjedalen", "vasterbotten"):
        load_structure(slug)
    rules = list(Body.objects.values_list("slug", "rotation"))
    assert len(rules) >= 40 and sum(1 for _s, r in rules if r) >= 30
    assert any("extensions" in r for _s, r in rules) and any("notes" in r for _s, r in rules)
    for slug, rule in rules:
        data = rotation_data(rule)
        editor = RotationEditor.build("rotation", data=data)
        assert editor.to_json(rule) == rule, slug


def test_rotation_form_is_shown_in_swedish_with_a_label_on_every_field(coordinator_client,
                                                                       halsam):
    body = Body.objects.get(slug="lansledning")
    html = coordinator_client.get(admin_url(Body, "change", body.pk)).content.decode()
    assert "&quot;term&quot;" not in html and '"cycle"' not in html
    for text in ("Steg 1", "Steg 2", "Ordförande", "2:e vice ordförande", "Regionen",
                 "Socialtjänst", "Vid sista mötet året före perioden"):
        assert text in html, text
    parsed = parse_inputs(html)
    unlabelled = [c.get("name") for c in parsed.controls
                  if c.get("type") not in ("hidden", "submit", "button")
                  and c.get("id") not in parsed.label_for and not c.get("aria-label")]
    assert unlabelled == []
    assert sum(1 for c in parsed.controls if (c.get("name") or "").startswith("rotation-")) > 60


def test_rotation_saved_unchanged_through_the_admin_page(coordinator_client, halsam):
    body = Body.objects.get(slug="lansledning")
    before = body.rotation
    url = admin_url(Body, "change", body.pk)
    data = form_data(coordinator_client.get(url))
    data["change_reason"] = "Granskning"
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    body.refresh_from_db()
    assert body.rotation == before


def test_rotation_edited_in_the_form_is_stored_as_the_rule_json(coordinator_client, halsam):
    body = Body.objects.get(slug="lokal-timra-barn-och-unga")
    url = admin_url(Body, "change", body.pk)
    data = form_data(coordinator_client.get(url))
    data.update({"rotation-cycle_start": "2",  # "vice versa": the region chairs first
                 "rotation-election_rule": "h20",
                 "rotation-ext-0-period_start": "2025", "rotation-ext-0-years": "1",
                 "rotation-ext-0-decided_on": "2025-11-20",
                 "rotation-ext-0-note": "Enigt beslut",
                 "rotation-cycle-0-second_vice_chair-principal_kind": "municipality",
                 "rotation-cycle-0-second_vice_chair-sector": "school",
                 "change_reason": "Regionen börjar"})
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    body.refresh_from_db()
    assert body.rotation["cycle_start"] == 1
    assert body.rotation["election"] == {"at": "last_meeting_of_previous_year", "rule": "H20"}
    assert body.rotation["extensions"] == [{"period_start": 2025, "years": 1,
                                            "decided_on": "2025-11-20", "note": "Enigt beslut"}]
    assert body.rotation["cycle"][0]["second_vice_chair"] == {
        "principal_kind": "municipality", "sector": "school"}
    from governance.rules import parse_rotation

    assert parse_rotation(body.rotation).cycle_start == 1
    assert body.history.latest().history_change_reason == "Regionen börjar"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"rotation-cycle-0-chair-principal_kind": "not_chair"},
     "rotation-cycle-0-chair-principal_kind",
     "Ordföranden kan inte komma från ”den sida som inte har ordförandeposten”."),
    ({"rotation-cycle-0-chair-principal_kind": "", "rotation-cycle-1-chair-principal_kind": ""},
     "rotation-cycle-0-vice_chair-principal_kind",
     "”Den sida som inte har ordförandeposten” kräver en ordförande i samma steg."),
    ({"rotation-term_years": "11"}, "rotation-term_years",
     "Kontrollera att detta värde är mindre än eller lika med 10."),
    ({"rotation-term_start_year": ""}, "rotation-term_start_year", "Detta fält måste fyllas i."),
    ({"rotation-ext-0-period_start": "2024", "rotation-ext-0-years": "1"},
     "rotation-ext-0-period_start", "Ingen period börjar 2024"),
    ({"rotation-rules": "H11, tolv"}, "rotation-rules", "”TOLV” är inte ett regel-id"),
    ({"rotation-cycle_start": "3"}, "rotation-cycle_start", "Regeln har 2 steg"),
])
def test_rotation_errors_are_swedish_on_their_field_and_nothing_is_saved(
        coordinator_client, halsam, changes, field, message):
    slug = "lokal-timra-barn-och-unga" if "ext" in field else "lansledning"
    body = Body.objects.get(slug=slug)
    before = body.rotation
    url = admin_url(Body, "change", body.pk)
    data = form_data(coordinator_client.get(url))
    data.update(changes)
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "rotation" in response.context["adminform"].form.errors
    html = response.content.decode()
    error_id = f"id_{field}_error"
    assert f'id="{error_id}"' in html, html[html.find("errorlist"):][:600]
    error = html[html.index(f'id="{error_id}"'):].split("</ul>")[0]
    assert message in error
    control = next(c for c in parse_inputs(html).controls if c.get("name") == field)
    assert error_id in control.get("aria-describedby", "")
    assert control.get("aria-invalid") == "true"
    body.refresh_from_db()
    assert body.rotation == before


# --- Swedish throughout, the history pages included --------------------------------------------

ENGLISH_ON_HISTORY = ["View history", "Changed by", "Change reason", "Deleted användare",
                      "AnonymousUser", "Date/time", "Comment", "Changes", ">None<", "(pk=",
                      "Choose a date", "Created", "Changed", "entries", "Recent actions"]


def test_history_page_is_swedish_and_names_who_changed_what(coordinator_client, coordinator,
                                                            small_world):
    from django.contrib.auth import get_user_model

    from .factories import UserFactory

    person = Person.objects.order_by("pk").first()
    gone = UserFactory(username="slutat")
    anonymous = get_user_model().objects.get_or_create(username="AnonymousUser")[0]
    for actor, title in ((None, "Ny titel"), (gone, "Andra titeln"), (anonymous, "Tredje"),
                         (coordinator, "Fjärde")):
        _save(person, actor, title)
    person.user = gone
    _save(person, coordinator, person.title)
    person.user = None
    _save(person, coordinator, person.title)
    gone.delete()
    response = coordinator_client.get(admin_url(Person, "history", person.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for english in ENGLISH_ON_HISTORY:
        assert english not in html, english
    for swedish in ("Ändrad av", "Orsak till ändringen", "Okänd (ingen inloggning)", "Anonym",
                    "Ändrad", "Skapad", "borttagen användare", "Rättelse"):
        assert swedish in html, swedish


def _save(person, actor, title):
    person.title = title
    person._history_user = actor
    person._change_reason = "Rättelse"
    person.save()


def test_inline_add_link_and_index_are_swedish(coordinator_client, small_world):
    seat = Seat.objects.get()
    html = coordinator_client.get(admin_url(Seat, "change", seat.pk)).content.decode()
    import html as html_lib
    import json
    import re

    found = re.search(r'data-inline-formset="([^"]*)"', html)
    options = json.loads(html_lib.unescape(found.group(1)))["options"]
    assert options["addText"] == "Lägg till ytterligare medlemskap"
    index = coordinator_client.get(reverse("admin:index")).content.decode()
    assert "Senaste händelser" in index and "Recent actions" not in index


def test_who_may_only_look_sees_the_rotation_rule_as_the_disabled_form(client, halsam):
    body = Body.objects.get(slug="lansledning")
    client.force_login(_viewer("view_body"))
    response = client.get(admin_url(Body, "change", body.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<fieldset class="widget-group" disabled>' in html
    assert "Steg 2" in html and "&quot;cycle&quot;" not in html
