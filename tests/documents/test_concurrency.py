"""Issue 12 §1: optimistic concurrency on a document's edit form and its admin change form.

Two people open the same document; the first saves; the second is refused with "Ändrat
av X kl. HH:MM medan du redigerade", their input kept, the other change shown; nothing is
overwritten and the history holds exactly the first change.
"""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from documents import services
from documents.models import Document
from halsam.concurrency import StaleEdit, edit_token, read_token
from tests.governance.factories import StrategicAreaFactory

from ..concurrency_helpers import admin_post_data, editor_client, post_data
from .core_builders import make_document, world_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

STALE_SV = re.compile(r"Ändrat av Anna Ek kl\. \d\d\.\d\d medan du redigerade")


def _text(response) -> str:
    return response.content.decode()


def test_document_edit_second_save_refused_in_swedish(world):
    """issue 12 §1: two people change a document's title; the second save is refused with
    the Swedish message and the other change; the first title stays."""
    document = make_document(world)
    anna, anna_user = editor_client("anna-dok", "Anna", "Ek")
    bo, bo_user = editor_client("bo-dok", "Bo", "Berg")
    url = reverse("documents:edit", args=[document.pk])
    form_a = anna.get(url).context["form"]
    form_b = bo.get(url).context["form"]
    assert anna.post(url, post_data(form_a) | {"title": "Annas överenskommelse"}
                     ).status_code == 302
    response = bo.post(url, post_data(form_b) | {"title": "Bos överenskommelse"})

    assert response.status_code == 200
    text = _text(response)
    assert STALE_SV.search(text), text[:3000]
    assert "Den andra ändringen" in text and "Annas överenskommelse" in text
    assert 'value="Bos överenskommelse"' in text
    document.refresh_from_db()
    assert document.title == "Annas överenskommelse"
    assert document.history.filter(history_user=anna_user).exists()
    assert not document.history.filter(history_user=bo_user).exists()


def test_document_edit_refused_when_the_other_changed_the_areas(world):
    """issue 12 §1: many-to-many fields count too: Anna ticks a strategic area, Bo's
    form from before would untick it: refused."""
    area = StrategicAreaFactory(structure=world.body_a.structure, name="Äldre")
    document = make_document(world)
    anna, _anna_user = editor_client("anna-dok", "Anna", "Ek")
    bo, _bo_user = editor_client("bo-dok", "Bo", "Berg")
    url = reverse("documents:edit", args=[document.pk])
    form_a = anna.get(url).context["form"]
    form_b = bo.get(url).context["form"]
    assert anna.post(url, post_data(form_a) | {"areas": [str(area.pk)]}).status_code == 302
    response = bo.post(url, post_data(form_b) | {"summary": "Bos sammanfattning"})
    assert response.status_code == 200 and STALE_SV.search(_text(response))
    document.refresh_from_db()
    assert list(document.areas.all()) == [area] and document.summary == ""


def test_document_update_service_refuses_a_stale_token(world):
    """issue 12 §1: the check is in the service, under the row lock."""
    document = make_document(world)
    seen = read_token(edit_token(document, ["title"]), document)
    services.document_update(actor=world.coordinator, document=document, title="Först")
    with pytest.raises(StaleEdit):
        services.document_update(actor=world.coordinator, document=document, title="Sen",
                                 seen=seen)
    assert Document.objects.get(pk=document.pk).title == "Först"


def test_admin_document_change_refuses_a_stale_save(world):
    """issue 12 §1: the admin's document change form refuses the second save."""
    document = make_document(world)
    anna, _anna_user = editor_client("anna-adm", "Anna", "Ek", superuser=True)
    bo, bo_user = editor_client("bo-adm", "Bo", "Berg", superuser=True)
    url = reverse("admin:documents_document_change", args=[document.pk])
    data_a = admin_post_data(anna.get(url)) | {"title": "Annas titel", "change_reason": "A"}
    data_b = admin_post_data(bo.get(url)) | {"title": "Bos titel", "change_reason": "B"}
    response_a = anna.post(url, data_a)
    assert response_a.status_code == 302, _text(response_a)[:3000]
    response = bo.post(url, data_b)
    assert response.status_code == 200
    assert STALE_SV.search(_text(response))
    assert "Annas titel" in _text(response)
    assert Document.objects.get(pk=document.pk).title == "Annas titel"
    assert not document.history.filter(history_user=bo_user).exists()


def test_accessibility_checklist_second_editor_refused(world, settings, tmp_path):
    """issue 12 §1: two editors record the same version's checklist from the same page;
    the second is refused with who and when and the other change; the first stays."""
    from django.contrib.auth.models import Group

    from documents import accessibility
    from documents.models import AccessibilityCheck, VersionStatus
    from governance.roles import EDITOR_GROUP

    from .editorial_builders import make_version, untagged_pdf

    settings.MEDIA_ROOT = tmp_path
    version = make_version(make_document(world), content=untagged_pdf(),
                           status=VersionStatus.APPROVED)
    accessibility.accessibility_machine_check_run(version=version)  # what the worker does
    anna, anna_user = editor_client("anna-red", "Anna", "Ek", coordinate=False)
    bo, bo_user = editor_client("bo-red", "Bo", "Berg", coordinate=False)
    for user in (anna_user, bo_user):
        user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    url = reverse("documents:version_accessibility", args=[version.pk])
    # A first checklist, so that both pages carry the recorded one's token.
    accessibility.accessibility_check_record(
        version=version, actor=world.editor, has_title=False, has_language=False,
        is_tagged=False, has_headings=False, has_alt_texts=False, has_contrast=False)
    form_a = anna.get(url).context["form"]
    form_b = bo.get(url).context["form"]
    assert 'name="edit_token"' in _text(anna.get(url))
    data_a = post_data(form_a) | {"action": "record", "has_title": "on", "note": "Annas"}
    assert anna.post(url, data_a).status_code == 302
    data_b = post_data(form_b) | {"action": "record", "note": "Bos"}
    response = bo.post(url, data_b)
    assert response.status_code == 200
    assert STALE_SV.search(_text(response)), _text(response)[:3000]
    check = AccessibilityCheck.objects.get(version=version)
    assert check.note == "Annas" and check.has_title
    assert not check.history.filter(history_user=bo_user).exists()
