"""Issue 12 §4: every form's choices come through the access gateway.

The probe found the "decided at" (beslutat vid) list of the document forms offering other
bodies' non-public meetings. Now the register's form, the approval step and the admin
offer the meetings the user may see (``documents.access.meeting_choices`` over the
meetings' gateway), only public ones for a public document; the services refuse the rest,
with a message that names the field.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.forms import DocumentForm, TransitionForm
from documents.models import Document, VersionStatus
from meetings import services as meet_services
from tests.documents.core_builders import add_version, make_document, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(world):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=10)

    def plan(body, public: bool, title: str):
        return meet_services.meeting_plan(
            actor=world.coordinator, body=body, start=start, end=start + dt.timedelta(hours=1),
            place="Regionens hus", title=title, is_public=public)

    return {"a_public": plan(world.body_a, True, "A öppet"),
            "a_private": plan(world.body_a, False, "A slutet"),
            "b_public": plan(world.body_b, True, "B öppet"),
            "b_private": plan(world.body_b, False, "B slutet")}


def _offered(field) -> set[int]:
    return {int(value.value) for value, _label in field.choices if value}


def test_decided_at_offers_only_meetings_the_user_may_see(world, meetings):
    """H: a secretary of A is offered A's meetings (non-public marked) and public ones of
    others, never B's non-public meeting; the editor, not a member, only public ones."""
    m = meetings
    secretary = DocumentForm(user=world.secretary).fields["decided_at"]
    assert _offered(secretary) == {m["a_public"].pk, m["a_private"].pk, m["b_public"].pk}
    labels = dict((int(v.value), label) for v, label in secretary.choices if v)
    assert "(ej offentligt)" in str(labels[m["a_private"].pk])  # "(not public)"
    editor = DocumentForm(user=world.editor).fields["decided_at"]
    assert _offered(editor) == {m["a_public"].pk, m["b_public"].pk}
    coordinator = DocumentForm(user=world.coordinator).fields["decided_at"]
    assert _offered(coordinator) == {meeting.pk for meeting in m.values()}
    assert _offered(DocumentForm().fields["decided_at"]) == {m["a_public"].pk,
                                                             m["b_public"].pk}


def test_public_document_offers_only_public_meetings(world, meetings):
    document = make_document(world, is_public=True)
    form = DocumentForm(instance=document, user=world.secretary)
    assert _offered(form.fields["decided_at"]) == {meetings["a_public"].pk,
                                                   meetings["b_public"].pk}
    internal = make_document(world, title="Intern rutin", is_public=False)
    form = DocumentForm(instance=internal, user=world.secretary)
    assert meetings["a_private"].pk in _offered(form.fields["decided_at"])


def test_register_form_refuses_a_non_public_meeting_for_a_public_document(world, meetings,
                                                                           settings):
    """Posted by hand: the message is in Swedish and names the field; nothing is saved."""
    settings.LANGUAGE_CODE = "sv"
    client = Client()
    client.force_login(world.secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    data = {"title": "Offentlig överenskommelse", "kind": "agreement",
            "owner_body": world.body_a.pk, "is_public": "on",
            "decided_at": meetings["a_private"].pk}
    response = client.post(reverse("documents:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ett offentligt dokument kan bara hänvisa till ett offentligt möte" in html
    assert "Beslutad vid mötet" in html
    assert not Document.objects.filter(title="Offentlig överenskommelse").exists()
    # Another body's non-public meeting is no choice at all.
    data["decided_at"] = meetings["b_private"].pk
    data.pop("is_public")
    response = client.post(reverse("documents:create"), data)
    assert response.status_code == 200
    assert not Document.objects.filter(title="Offentlig överenskommelse").exists()


def test_services_refuse_meetings_the_actor_may_not_name(world, meetings):
    with pytest.raises(ValidationError) as exc:
        services.document_create(actor=world.secretary, title="X", kind="agreement",
                                 owner_body=world.body_a, is_public=False,
                                 decided_at=meetings["b_private"])
    assert exc.value.error_dict["decided_at"][0].code == "meeting"
    with pytest.raises(ValidationError):
        services.document_create(actor=world.secretary, title="Y", kind="agreement",
                                 owner_body=world.body_a, is_public=True,
                                 decided_at=meetings["a_private"])
    internal = services.document_create(actor=world.secretary, title="Z", kind="agreement",
                                        owner_body=world.body_a, is_public=False,
                                        decided_at=meetings["a_private"])
    with pytest.raises(ValidationError):  # making it public with that meeting
        services.document_update(actor=world.secretary, document=internal, is_public=True)


def test_editor_keeps_a_meeting_they_cannot_see_when_changing_other_fields(world, meetings):
    """The document's own meeting stays (unnamed) in the editor's choices, so saving the
    title does not drop "decided at"."""
    document = services.document_create(
        actor=world.secretary, title="Intern", kind="agreement", owner_body=world.body_a,
        is_public=False, decided_at=meetings["a_private"])
    form = DocumentForm(instance=document, user=world.editor)
    labels = dict((int(v.value), str(label)) for v, label in form.fields["decided_at"].choices
                  if v)
    # "(a meeting you cannot see)"
    assert labels[meetings["a_private"].pk] == "(ett möte som du inte har behörighet att se)"
    assert "A slutet" not in form.as_p()
    saved = services.document_update(actor=world.editor, document=document, title="Intern 2",
                                     decided_at=meetings["a_private"], is_public=False)
    assert saved.decided_at_id == meetings["a_private"].pk


def test_approval_step_offers_the_owning_bodys_visible_meetings(world, meetings):
    public_doc = make_document(world, is_public=True)
    form = TransitionForm(target=VersionStatus.APPROVED, document=public_doc,
                          user=world.secretary)
    assert _offered(form.fields["meeting"]) == {meetings["a_public"].pk}
    internal = make_document(world, title="Intern", is_public=False)
    form = TransitionForm(target=VersionStatus.APPROVED, document=internal,
                          user=world.secretary)
    assert _offered(form.fields["meeting"]) == {meetings["a_public"].pk,
                                                meetings["a_private"].pk}
    version = add_version(world, internal)
    version = services.version_submit(actor=world.secretary, version=version)
    with pytest.raises(ValidationError):
        services.version_approve(actor=world.secretary, version=version,
                                 meeting=meetings["b_private"])


def test_admin_document_form_refuses_a_hidden_meeting_without_a_500(world, meetings):
    """The admin's "decided at" is a plain list through the gateway; a crafted id of a
    meeting the editor may not see is an error on the form, not a server error."""
    world.editor.is_staff = True
    world.editor.save()
    client = Client()
    client.force_login(world.editor)
    url = reverse("admin:documents_document_add")
    page = client.get(url)
    assert page.status_code == 200
    field = page.context["adminform"].form.fields["decided_at"]
    assert _offered(field) == {meetings["a_public"].pk, meetings["b_public"].pk}
    data = {"title": "Via admin", "kind": "agreement", "owner_body": world.body_a.pk,
            "decided_at": meetings["b_private"].pk, "change_reason": "test",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["decided_at"]
    assert not Document.objects.filter(title="Via admin").exists()
    data["decided_at"] = meetings["b_public"].pk
    data["is_public"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert Document.objects.get(title="Via admin").decided_at_id == meetings["b_public"].pk


def test_admin_refuses_a_non_public_meeting_for_a_public_document(world, meetings):
    """The superuser sees every meeting; on a public document the admin form says why a
    non-public one is refused (the service would refuse it after the form, a 500)."""
    from tests.governance.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="root-dok", is_staff=True, is_superuser=True))
    data = {"title": "Offentlig via admin", "kind": "agreement", "owner_body": world.body_a.pk,
            "decided_at": meetings["a_private"].pk, "is_public": "on", "change_reason": "t",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:documents_document_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["decided_at"]
    assert "ett offentligt dokument kan bara hänvisa till ett offentligt möte" in errors[0]
    assert not Document.objects.filter(title="Offentlig via admin").exists()


def test_document_page_names_only_meetings_the_viewer_may_see(world, meetings):
    """A document saved before this rule may name a non-public meeting: its page names it
    only to those who may see that meeting (issue 12 §4)."""
    from tests.documents.core_builders import publish

    document = make_document(world, is_public=True)
    publish(world, add_version(world, document))
    Document.objects.filter(pk=document.pk).update(decided_at=meetings["a_private"])
    url = reverse("documents:detail", kwargs={"pk": document.pk})
    assert Client().get(url).status_code == 200
    assert "A slutet" not in Client().get(url).content.decode()
    member = Client()
    member.force_login(world.member_a)
    assert "A slutet" in member.get(url).content.decode()
