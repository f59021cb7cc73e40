"""The authorisation matrix: every URL of the project and who may see it.

``MATRIX`` is the single list of every URL pattern and the answer each persona gets:
an HTTP status, or ``"login"`` (a redirect to a login page). Every pattern of the URL
configuration is enumerated (``get_resolver()``, recursively, the admin's and i18n's
included); a pattern without an entry FAILS ``test_every_url_is_in_the_matrix`` - add
it to ``MATRIX`` (or, for the admin, check that ``ADMIN_RULE`` fits it).

Keys are URL names (``namespace:name``), optionally with ``@variant`` when one pattern is
asked about several objects (a public and a non-public meeting). ``KWARGS`` names the
objects of the world built below (through the services) that fill each pattern;
``POST_ONLY`` the views that answer only POST (asked with an empty POST, rolled back).

Personas: anonymous; member of body A; member of body B; secretary of A; the editor
(staff, group Redaktör); the coordinator (staff, group Samverkanskoordinator); staff
without a role or a person (``is_staff`` alone, which grants no reading: issue 12 §4).
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from documents import services as doc_services
from documents.models import DocumentKind
from governance import services as gov
from governance.models import Body, MembershipRole
from governance.roles import COORDINATOR_GROUP, EDITOR_GROUP, ensure_role_groups
from meetings import services as meet_services
from meetings.emails import absence_token
from meetings.feeds import calendar_token_issue
from meetings.models import AgendaItem
from tests.conftest import close_response
from tests.governance.factories import BodyFactory, SeatFactory, StructureFactory, UserFactory

PERSONAS = ("anonymous", "member_a", "member_b", "secretary_a", "editor", "coordinator",
            "staff")
L = "login"


def everyone(status: int | str) -> dict[str, int | str]:
    return dict.fromkeys(PERSONAS, status)


def only(allowed: int | str, *who: str, others: int | str = 403, anonymous: int | str = L):
    out = {p: others for p in PERSONAS}
    out["anonymous"] = anonymous
    out.update(dict.fromkeys(who, allowed))
    return out


MEETING_EDITORS = ("secretary_a", "coordinator")
# Issue 12 §4: reading a non-public meeting and its papers comes from membership, the
# secretary role or the coordinator role; being staff (the editor, bare staff) gives none.
MEETING_READERS = ("member_a", "secretary_a", "coordinator")
DOCUMENT_INSIDERS = ("member_a", "secretary_a", "editor", "coordinator")
DOCUMENT_MANAGERS = ("secretary_a", "editor", "coordinator")
WITH_PERSON = ("member_a", "member_b", "secretary_a")

MATRIX: dict[str, dict[str, int | str]] = {
    # --- public pages -------------------------------------------------------------------
    "public:home": everyone(200),
    "public:search": everyone(200),
    "meetings:calendar": everyone(200),
    "meetings:calendar_year": everyone(200),
    "governance:structure": everyone(200),
    "governance:body": everyone(200),
    "governance:rules": everyone(200),
    # the coordinator's changes from the body page (issue 11, governance/coordination_views.py)
    "governance:replace_member": only(200, "coordinator"),
    "governance:record_office": only(200, "coordinator"),
    # a decision to extend a chair period (V3, V8; meetings/rotation_extensions.py)
    "meetings:rotation_extend": only(200, "coordinator"),
    "set_language": everyone(302),
    "feeds:body": everyone(200),
    "feeds:person": everyone(200),  # the secret token is the credential
    # Only the token's hash is stored (issue 12 §4): the hash itself opens nothing.
    "feeds:person@hash": everyone(404),
    "documents:register": everyone(200),
    "documents:feed": everyone(200),
    "documents:accessibility_statement": everyone(200),
    # --- logins (halsam/accounts.py) ----------------------------------------------------
    "login": everyone(200),
    "logout": everyone(200),
    "password_change": only(200, *PERSONAS[1:]),
    "password_change_done": only(200, *PERSONAS[1:]),
    "password_reset": everyone(200),
    "password_reset_done": everyone(200),
    "password_reset_confirm": everyone(200),  # an invalid link: the "does not work" page
    "password_reset_complete": everyone(200),
    # --- the member portal --------------------------------------------------------------
    "portal:home": only(200, *PERSONAS[1:]),  # without a person: the "not linked" page
    "portal:calendar": only(302, *WITH_PERSON, others=404),
    # --- the start pages of the roles (portal/start.py): /start/ sends each login on ----
    # a login without a role or a person stays on /start/ (what it can do, whom to ask)
    "portal:start": only(302, *PERSONAS[1:]) | {"staff": 200},
    "portal:secretary": only(200, "secretary_a"),
    # --- the coordinator's pages --------------------------------------------------------
    "portal:week": only(200, "coordinator"),
    "portal:offices": only(200, "coordinator"),
    "meetings:plan_index": only(200, "coordinator"),
    "meetings:shortfalls": only(200, "coordinator"),
    "meetings:plan": only(200, "coordinator"),
    # --- meetings -----------------------------------------------------------------------
    "meetings:detail@public": everyone(200),
    "meetings:detail@private": only(200, *MEETING_READERS),
    "meetings:attachment": only(200, *MEETING_READERS),
    "meetings:meeting_ics@public": everyone(200),  # "Lägg till i kalender"
    "meetings:meeting_ics@private": only(200, *MEETING_READERS),
    "meetings:absence": only(200, "member_a"),  # a place in the body, not only secretary
    "meetings:absence_withdraw": only(302, "member_a"),  # nothing to undo: a message
    "meetings:absence_link": everyone(200),  # the signed token is the credential
    "meetings:notice_send": only(302, *MEETING_EDITORS),  # no count: to the preview
    "meetings:notice_preview": only(200, *MEETING_EDITORS),
    "meetings:notice_agenda_pdf": only(200, *MEETING_EDITORS),
    "meetings:edit": only(200, *MEETING_EDITORS),
    "meetings:cancel": only(200, *MEETING_EDITORS),
    "meetings:agenda": only(200, *MEETING_EDITORS),
    "meetings:item_edit": only(200, *MEETING_EDITORS),
    "meetings:item_move": only(302, *MEETING_EDITORS),
    "meetings:item_delete": only(302, *MEETING_EDITORS),
    # An empty upload is shown again with the error on the field (issue 11, flow 5).
    "meetings:attachment_add": only(200, *MEETING_EDITORS),
    "meetings:item_papers": only(200, *MEETING_EDITORS),
    # the election at the year's last meeting (H13): read by those who see the meeting,
    # recorded by its editors (meetings/election_views.py)
    "meetings:election": only(200, *MEETING_READERS),
    "meetings:agenda_reorder": only(302, *MEETING_EDITORS),
    "meetings:paper_remove": only(302, *MEETING_EDITORS),
    "meetings:attendance": only(200, *MEETING_EDITORS),
    "meetings:minutes": only(200, *MEETING_EDITORS),
    "meetings:minutes_action": only(302, *MEETING_EDITORS),
    # issue 11, flow 4: the checker's page and the PDFs (a held meeting, member A checks)
    "meetings:minutes_check": only(200, "member_a"),
    "meetings:minutes_pdf": only(200, "member_a", *MEETING_EDITORS),
    "meetings:agenda_pdf@public": everyone(200),
    "meetings:agenda_pdf@private": only(200, *MEETING_READERS),
    # --- documents ----------------------------------------------------------------------
    "documents:detail@public": everyone(200),
    "documents:detail@internal": only(200, *DOCUMENT_INSIDERS, anonymous=404),
    "documents:download@public": everyone(200),
    "documents:download@internal": only(200, *DOCUMENT_INSIDERS, anonymous=404),
    "documents:create": only(200, *DOCUMENT_MANAGERS),
    "documents:edit": only(200, *DOCUMENT_MANAGERS),
    "documents:upload": only(200, *DOCUMENT_MANAGERS),
    "documents:terminate": only(200, *DOCUMENT_MANAGERS),
    # The form is shown to whoever sees the version; the service refuses the step itself.
    "documents:transition": only(200, *DOCUMENT_INSIDERS),
    # --- the editor's pages -------------------------------------------------------------
    "documents:editor_queue": only(200, "editor", "coordinator"),
    "documents:version_accessibility": only(200, "editor", "coordinator"),
    "documents:accessibility_statement_edit": only(200, "editor"),
}

# The admin (coordinator's and editor's back office): every pattern under admin/ is for
# staff. Everyone else is sent to the admin's login, whichever admin URL they ask for.
# Staff: the index answers 200; a changelist 200 with the model's view or change
# permission, else 403; every other admin URL must not send staff to a login page.
STAFF = ("editor", "coordinator", "staff")
ADMIN_OPEN = {"admin:login": everyone(200) | dict.fromkeys(STAFF, 302),
              "admin:logout": everyone(302) | dict.fromkeys(STAFF, 200)}

POST_ONLY = {"set_language", "logout", "admin:logout", "portal:calendar",
             "meetings:absence_withdraw",
             "meetings:notice_send", "meetings:item_move", "meetings:item_delete",
             "meetings:attachment_add", "meetings:minutes_action", "meetings:agenda_reorder",
             "meetings:paper_remove"}
POST_DATA = {"set_language": {"language": "sv", "next": "/"}}


# --- enumerating the URL configuration ---------------------------------------------------

def url_patterns(patterns=None, prefix: str = "", namespace: str | None = None):
    """Every (name or pattern text, full pattern, URLPattern) of the project."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            full = prefix + str(p.pattern)
            if p.name:
                yield (f"{namespace}:{p.name}" if namespace else p.name), full, p
            else:
                yield full, full, p


def _base(key: str) -> str:
    return key.split("@", 1)[0]


def test_every_url_is_in_the_matrix():
    """A new URL fails here until it is placed in MATRIX (or covered by the admin rule)."""
    covered = {_base(k) for k in MATRIX}
    missing = [f"{key}  ({full})" for key, full, _p in url_patterns()
               if key not in covered and not full.startswith("admin/")]
    assert not missing, (
        "These URL patterns are not in the authorisation matrix. Add each to MATRIX in "
        "tests/test_authorization_matrix.py with the answer every persona "
        f"({', '.join(PERSONAS)}) should get:\n  " + "\n  ".join(missing))
    stale = sorted(covered - {key for key, _f, _p in url_patterns()})
    assert not stale, f"MATRIX names URLs that no longer exist: {stale}"
    for key, answers in MATRIX.items():
        assert set(answers) == set(PERSONAS), f"{key}: give an answer for every persona"


# --- the world --------------------------------------------------------------------------

def _pdf() -> bytes:
    from tests.documents.core_builders import pdf_bytes

    return pdf_bytes()


def _person(username: str, *, body: Body | None, role: str = MembershipRole.MEMBER):
    user = UserFactory(username=username)
    if body is None:
        return user
    person = gov.person_create(actor=None, first_name=username.title(), last_name="Test",
                               email=f"{username}@exempel.invalid", user=user)
    gov.membership_start(actor=None, person=person, seat=SeatFactory(body=body, member_count=3),
                         role=role, start=dt.date(2020, 1, 1))
    return user


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    groups = ensure_role_groups()
    structure = StructureFactory(slug="struktur-matris")
    body_a = BodyFactory(structure=structure, name="Organ A", slug="organ-a")
    body_b = BodyFactory(structure=structure, name="Organ B", slug="organ-b")
    users = {
        "anonymous": AnonymousUser(),
        "member_a": _person("ledamot-a", body=body_a),
        "member_b": _person("ledamot-b", body=body_b),
        "secretary_a": _person("sekreterare-a", body=body_a, role=MembershipRole.SECRETARY),
        "editor": UserFactory(username="redaktor", is_staff=True),
        "coordinator": UserFactory(username="koordinator", is_staff=True),
        "staff": UserFactory(username="personal", is_staff=True),
    }
    users["editor"].groups.add(groups[EDITOR_GROUP])
    users["coordinator"].groups.add(groups[COORDINATOR_GROUP])
    coordinator = users["coordinator"]

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    meetings = {}
    for name, public in (("public", True), ("private", False)):
        meetings[name] = meet_services.meeting_plan(
            actor=coordinator, body=body_a, start=start, end=start + dt.timedelta(hours=2),
            place="Regionens hus", is_public=public)
    private = meetings["private"]
    item = meet_services.agenda_item_add(actor=coordinator, meeting=private, title="Lägesbild")
    attachment = meet_services.attachment_add(
        actor=coordinator, item=item, title="Underlag",
        file=SimpleUploadedFile("underlag.pdf", _pdf(), content_type="application/pdf"))

    documents = {}
    for name, public in (("public", True), ("internal", False)):
        document = doc_services.document_create(
            actor=coordinator, title=f"Överenskommelse {name}", kind=DocumentKind.AGREEMENT,
            owner_body=body_a, is_public=public, termination_notice_months=6)
        version = doc_services.version_upload(
            actor=coordinator, document=document,
            file=SimpleUploadedFile("fil.pdf", _pdf(), content_type="application/pdf"))
        version = doc_services.version_submit(actor=coordinator, version=version)
        version = doc_services.version_approve(actor=coordinator, version=version)
        doc_services.version_publish(actor=users["editor"], version=version,
                                     published_on=timezone.localdate())
        documents[name] = (document, version)
    member_a_person = users["member_a"].person
    # A held meeting whose draft minutes wait for member A, its chosen checker (flow 4).
    held = meet_services.meeting_plan(
        actor=coordinator, body=body_a, start=start - dt.timedelta(days=33),
        end=start - dt.timedelta(days=33) + dt.timedelta(hours=2), place="Regionens hus",
        is_public=False)
    meet_services.attendance_record(actor=coordinator, meeting=held,
                                    attended={member_a_person.pk: True})
    held_minutes = meet_services.minutes_create(actor=coordinator, meeting=held)
    meet_services.minutes_update(actor=coordinator, minutes=held_minutes,
                                 checkers=[member_a_person])
    meet_services.minutes_send_to_checkers(actor=coordinator, minutes=held_minutes)
    issued = calendar_token_issue(member_a_person)
    year = timezone.localdate().year
    ct = ContentType.objects.get_for_model(Body)

    doc_public, version_public = documents["public"]
    doc_internal, version_internal = documents["internal"]
    kwargs = {
        "governance:structure": {"slug": structure.slug},
        "governance:body": {"slug": body_a.slug},
        "governance:replace_member": {
            "slug": body_a.slug,
            "seat_pk": body_a.seats.filter(memberships__role=MembershipRole.MEMBER).first().pk},
        "governance:record_office": {"slug": body_a.slug},
        "meetings:rotation_extend": {"slug": BodyFactory(
            structure=structure, slug="organ-forlangning", rotation={
                "term": {"years": 1, "start_year": 2023},
                "cycle": [{"chair": {"principal_kind": "any"}}],
                "extension": {"requires": "unanimous", "rule": "V3"}}).slug},
        "feeds:body": {"slug": body_a.slug},
        "feeds:person": {"token": issued.token},
        "feeds:person@hash": {"token": issued.record.token_hash},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "meetings:plan": {"slug": body_a.slug, "year": year},
        "meetings:shortfalls": {"year": year},
        "meetings:calendar_year": {"year": year + 1},
        "meetings:detail@public": {"pk": meetings["public"].pk},
        "meetings:meeting_ics@public": {"pk": meetings["public"].pk},
        "meetings:meeting_ics@private": {"pk": private.pk},
        "meetings:attachment": {"pk": private.pk, "attachment_pk": attachment.pk},
        "meetings:absence_link": {"pk": private.pk,
                                  "token": absence_token(private, member_a_person)},
        "meetings:item_edit": {"pk": private.pk, "item_pk": item.pk},
        "meetings:item_move": {"pk": private.pk, "item_pk": item.pk},
        "meetings:item_delete": {"pk": private.pk, "item_pk": item.pk},
        "meetings:attachment_add": {"pk": private.pk, "item_pk": item.pk},
        "meetings:item_papers": {"pk": private.pk, "item_pk": item.pk},
        "meetings:election": {"pk": private.pk, "item_pk": AgendaItem.objects.create(
            meeting=private, kind="election", election_for_year=year + 1, position=99,
            title="Val av ordförande").pk},
        "meetings:paper_remove": {"pk": private.pk, "item_pk": item.pk, "source": "upload",
                                  "paper_pk": attachment.pk},
        "meetings:minutes_action": {"pk": private.pk, "action": "create"},
        "meetings:minutes_check": {"pk": held.pk},
        "meetings:minutes_pdf": {"pk": held.pk},
        "meetings:agenda_pdf@public": {"pk": meetings["public"].pk},
        "meetings:agenda_pdf@private": {"pk": private.pk},
        "documents:detail@public": {"pk": doc_public.pk},
        "documents:detail@internal": {"pk": doc_internal.pk},
        "documents:download@public": {"pk": doc_public.pk, "number": version_public.number,
                                      "filename": "fil.pdf"},
        "documents:download@internal": {"pk": doc_internal.pk,
                                        "number": version_internal.number,
                                        "filename": "fil.pdf"},
        "documents:transition": {"pk": doc_internal.pk, "number": version_internal.number,
                                 "step": "dra-tillbaka"},
        "documents:version_accessibility": {"pk": version_internal.pk},
        # the admin
        "admin:app_list": {"app_label": "governance"},
        "admin:view_on_site": {"content_type_id": ct.pk, "object_id": str(body_a.pk)},
    }
    for key in ("meetings:notice_preview", "meetings:notice_agenda_pdf"):
        kwargs[key] = {"pk": private.pk}
    for key in ("meetings:detail@private", "meetings:absence", "meetings:absence_withdraw",
                "meetings:notice_send",
                "meetings:edit", "meetings:cancel", "meetings:agenda", "meetings:agenda_reorder",
                "meetings:attendance",
                "meetings:minutes"):
        kwargs[key] = {"pk": private.pk}
    for key in ("documents:edit", "documents:upload", "documents:terminate"):
        kwargs[key] = {"pk": doc_internal.pk}
    return {"users": users, "kwargs": kwargs, "body_a": body_a}


def _client(user) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _answer(response) -> int | str:
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return L
    return response.status_code


def _ask(user, key: str, url: str) -> int | str:
    """One request by a fresh client (logging out must not end the next request's
    session), rolled back: a POST-only view is asked with an (almost) empty POST."""
    with transaction.atomic():
        client = _client(user)
        try:
            if _base(key) in POST_ONLY:
                response = client.post(url, POST_DATA.get(_base(key), {}))
            else:
                response = client.get(url)
        except Exception as exc:  # noqa: BLE001 - reported as the answer, with the others
            transaction.set_rollback(True)
            return f"{type(exc).__name__}: {str(exc)[:100]}"
        close_response(response)  # file responses hold their file open
        transaction.set_rollback(True)
    return _answer(response)


def test_authorization_matrix(world):
    """Each persona gets the answer MATRIX gives for every non-admin URL of the project."""
    users = world["users"]
    wrong = []
    for key, answers in MATRIX.items():
        url = reverse(_base(key), kwargs=world["kwargs"].get(key))
        for persona, expected in answers.items():
            got = _ask(users[persona], key, url)
            if got != expected:
                wrong.append(f"{key} {url} as {persona}: expected {expected}, got {got}")
    assert not wrong, "The authorisation matrix does not hold:\n  " + "\n  ".join(wrong)


_ADMIN_SAMPLE = {"object_id": "1", "app_label": "governance", "content_type_id": "1",
                 "url": "finns-inte/"}


def _admin_url(key: str, full: str, kwargs: dict) -> str:
    if key in kwargs:
        return reverse(key, kwargs=kwargs[key])
    if key != full:  # a named pattern
        names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", full)
        params = {a or b: _ADMIN_SAMPLE.get(a or b, "1") for a, b in names}
        if params:
            return reverse(key, kwargs=params)
        return reverse(key, args=["1"] * full.count("([^/]+)"))
    # Unnamed: the old-URL redirects (<model>/<object_id>/) and the catch-all.
    path = re.sub(r"<(?:\w+:)?\w+>", "1", full)
    return "/" + (path if "(?P" not in path else "admin/finns-inte/")


def test_admin_is_for_staff_only(world):
    """ADMIN rule: every admin URL sends non-staff personas to the login page; staff see
    the index, the changelists they hold a view or change permission for (else 403),
    and are never sent to a login page."""
    users = world["users"]
    wrong = []
    admin_patterns = [(k, f) for k, f, _p in url_patterns() if f.startswith("admin/")]
    assert len(admin_patterns) > 50  # every registered model's URLs are here
    for key, full in admin_patterns:
        url = _admin_url(key, full, world["kwargs"])
        for persona, user in users.items():
            got = _ask(user, key, url)
            if key in ADMIN_OPEN:
                expected = ADMIN_OPEN[key][persona]
            elif not user.is_authenticated or not user.is_staff:
                expected = L
            elif key == "admin:index":
                expected = 200
            elif key.endswith("_changelist"):
                app_label, model = key.removeprefix("admin:").removesuffix("_changelist") \
                    .split("_", 1)
                allowed = (user.has_perm(f"{app_label}.view_{model}")
                           or user.has_perm(f"{app_label}.change_{model}"))
                expected = 200 if allowed else 403
            else:
                if not isinstance(got, int) or got >= 500:
                    wrong.append(f"{key} {url} as {persona}: got {got}")
                continue
            if got != expected:
                wrong.append(f"{key} {url} as {persona}: expected {expected}, got {got}")
    assert not wrong, "The admin rule does not hold:\n  " + "\n  ".join(wrong)


# --- issue 12 §4: least privilege in the admin ----------------------------------------

def _admin_models(*app_labels: str):
    from django.contrib import admin

    return [model for model in admin.site._registry if model._meta.app_label in app_labels]


def test_editor_admin_covers_the_documents_app_only(world):
    """Issue 12 §4: the editor (staff, Redaktör) gets 403 on every governance and meetings
    model of the admin (list, add, a real row's change and history pages), sees only the
    documents app on the index, and can still register a document there; staff without a
    role see no app at all. Asked directly, not derived from the permissions."""
    users = world["users"]
    editor = _client(users["editor"])
    wrong = []
    for model in _admin_models("governance", "meetings"):
        opts = model._meta
        row = model._default_manager.order_by("pk").first()
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
                reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
        if row is not None:
            urls += [reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]),
                     reverse(f"admin:{opts.app_label}_{opts.model_name}_history",
                             args=[row.pk])]
        for url in urls:
            status = editor.get(url).status_code
            if status != 403:
                wrong.append(f"{url}: {status}")
    assert not wrong, "The editor reaches governance/meetings admin pages:\n  " + \
        "\n  ".join(wrong)
    assert len(_admin_models("governance", "meetings")) > 15

    index = editor.get(reverse("admin:index"))
    assert [app["app_label"] for app in index.context["app_list"]] == ["documents"]
    add = editor.get(reverse("admin:documents_document_add"))
    assert add.status_code == 200
    # The owning body and "decided at" are plain choices (no lookup into other admins).
    html = add.content.decode()
    assert "Organ A" in html
    assert "/admin/autocomplete/" not in html and "related-lookup" not in html
    bare = _client(users["staff"]).get(reverse("admin:index"))
    assert bare.status_code == 200 and bare.context["app_list"] == []


def test_coordinator_admin_covers_governance_and_meetings(world):
    """The coordinator administers bodies, people and meetings in the admin (and looks at
    documents); the calendar links there never show a token (issue 12 §4)."""
    coordinator = _client(world["users"]["coordinator"])
    for name in ("governance_body", "governance_person", "meetings_meeting",
                 "meetings_calendartoken", "documents_document"):
        assert coordinator.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    assert coordinator.get(reverse("admin:meetings_calendartoken_add")).status_code == 403


def test_calendar_token_pages_never_show_the_token(world):
    """Issue 12 §4: the admin showed live feed tokens to the editor and the coordinator.
    Now the editor has no page at all, and the coordinator's list, change and history
    pages carry neither the secret nor its stored hash; the person's page neither."""
    from meetings.models import CalendarToken

    users = world["users"]
    secret = world["kwargs"]["feeds:person"]["token"]
    token = CalendarToken.objects.get(revoked_at__isnull=True,
                                      person__user=users["member_a"])
    pages = [reverse("admin:meetings_calendartoken_changelist"),
             reverse("admin:meetings_calendartoken_change", args=[token.pk]),
             reverse("admin:meetings_calendartoken_history", args=[token.pk]),
             reverse("admin:governance_person_change", args=[token.person_id]),
             reverse("admin:governance_person_history", args=[token.person_id])]
    for persona, expected in (("coordinator", 200), ("editor", 403)):
        client = _client(users[persona])
        for url in pages:
            response = client.get(url)
            assert response.status_code == expected, (persona, url)
            html = response.content.decode()
            assert secret not in html and token.token_hash not in html, (persona, url)
