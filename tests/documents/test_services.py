"""The document services: the workflow through the transition table with who may do
what, publishing that supersedes, withdrawal with a reason, immutable versions,
termination (V16) and the history of every step (issue 5, items 1 and 2)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from documents import services
from documents.models import Document, DocumentVersion, VersionStatus

from .core_builders import (  # noqa: F401 - fixtures
    TODAY,
    add_version,
    docx_bytes,
    make_document,
    pdf_bytes,
    publish,
    upload,
    world_fixture,
)


def _refused(call, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value


# --- the happy path ---------------------------------------------------------------------

def test_full_workflow_records_who_when_and_history(world):
    document = make_document(world)
    version = add_version(world, document)
    assert version.status == VersionStatus.DRAFT

    services.version_submit(actor=world.secretary, version=version)
    services.version_return(actor=world.coordinator, version=version, reason="Rätta datum")
    services.version_submit(actor=world.secretary, version=version)
    services.version_approve(actor=world.coordinator, version=version)
    services.version_publish(actor=world.editor, version=version, published_on=TODAY)

    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.approved_by == world.coordinator and version.approved_at is not None
    assert version.published_by == world.editor and version.published_on == TODAY
    steps = list(version.history.order_by("history_date", "history_id")
                 .values_list("status", "history_user__username", "history_change_reason"))
    assert [s[0] for s in steps] == ["draft", "in_review", "draft", "in_review", "approved",
                                     "published"]
    assert steps[2][1:] == ("koordinator-dok", "Rätta datum")
    assert steps[-1][1] == "redaktor-dok"


def test_approval_may_name_the_meeting(world):
    from meetings.models import Meeting
    from meetings.rules import STOCKHOLM

    start = dt.datetime(2025, 5, 20, 13, tzinfo=STOCKHOLM)
    meeting = Meeting.objects.create(body=world.body_a, start=start,
                                     end=start + dt.timedelta(hours=2), place="Härnösand")
    version = add_version(world, make_document(world))
    services.version_submit(actor=world.secretary, version=version)
    services.version_approve(actor=world.secretary, version=version, meeting=meeting)
    version.refresh_from_db()
    assert version.approved_meeting == meeting
    assert version.approved_by == world.secretary


def test_publishing_supersedes_the_previous_version_in_the_same_transaction(world):
    document = make_document(world)
    first = publish(world, add_version(world, document, content=pdf_bytes()))
    second = add_version(world, document, content=docx_bytes("Reviderade riktlinjerna"),
                         name="v2.docx")
    publish(world, second, on=TODAY + dt.timedelta(days=30))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert first.published_on == TODAY  # when it was published stays on record
    assert second.status == VersionStatus.PUBLISHED
    assert DocumentVersion.objects.filter(document=document,
                                          status=VersionStatus.PUBLISHED).count() == 1
    reason = first.history.latest("history_date").history_change_reason
    assert "2" in reason


def test_older_version_cannot_replace_a_newer_published_one(world):
    document = make_document(world)
    old = add_version(world, document)
    services.version_submit(actor=world.secretary, version=old)
    services.version_approve(actor=world.secretary, version=old)
    publish(world, add_version(world, document))
    exc = _refused(services.version_publish, actor=world.editor, version=old,
                   published_on=TODAY)
    assert exc.error_dict["__all__"][0].code == "older_than_published"


def test_one_published_version_is_a_database_constraint(world):
    document = make_document(world)
    v1 = publish(world, add_version(world, document))
    v2 = add_version(world, document)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.filter(pk=v2.pk).update(
            status=VersionStatus.PUBLISHED, published_on=TODAY, approved_at=v1.approved_at)


# --- forbidden steps --------------------------------------------------------------------

@pytest.mark.parametrize("status,call,target", [
    ("draft", "version_approve", "approved"),
    ("draft", "version_publish", "published"),
    ("draft", "version_return", "draft"),
    ("in_review", "version_publish", "published"),
    ("in_review", "version_submit", "in_review"),
    ("approved", "version_submit", "in_review"),
    ("approved", "version_return", "draft"),
    ("published", "version_submit", "in_review"),
    ("published", "version_approve", "approved"),
])
def test_forbidden_transitions_are_refused_naming_the_states(world, status, call, target):
    version = add_version(world, make_document(world))
    if status in ("in_review", "approved", "published"):
        services.version_submit(actor=world.secretary, version=version)
    if status in ("approved", "published"):
        services.version_approve(actor=world.secretary, version=version)
    if status == "published":
        services.version_publish(actor=world.editor, version=version, published_on=TODAY)
    kwargs = {"actor": world.editor, "version": version}
    if call == "version_publish":
        kwargs["published_on"] = TODAY
    # A user with every role: the step itself is what is forbidden.
    world.editor.groups.add(*world.coordinator.groups.all())
    exc = _refused(getattr(services, call), **kwargs)
    message = exc.messages[0]
    assert exc.error_dict["__all__"][0].code == "not_allowed"
    assert str(VersionStatus(status).label) in message
    assert str(VersionStatus(target).label) in message
    version.refresh_from_db()
    assert version.status == status


@pytest.mark.parametrize("final", ["superseded", "withdrawn"])
def test_nothing_leaves_superseded_or_withdrawn(world, final):
    document = make_document(world)
    version = publish(world, add_version(world, document))
    if final == "superseded":
        publish(world, add_version(world, document))
    else:
        services.version_withdraw(actor=world.editor, version=version, reason="Fel fil")
    version.refresh_from_db()
    assert version.status == final
    for call, extra in [(services.version_submit, {}), (services.version_publish,
                                                        {"published_on": TODAY}),
                        (services.version_withdraw, {"reason": "igen"})]:
        exc = _refused(call, actor=world.editor, version=version, **extra)
        assert exc.error_dict["__all__"][0].code == "final"


def test_only_the_editor_publishes(world):
    version = add_version(world, make_document(world))
    services.version_submit(actor=world.secretary, version=version)
    services.version_approve(actor=world.coordinator, version=version)
    for actor in (world.secretary, world.coordinator, world.member_a):
        exc = _refused(services.version_publish, actor=actor, version=version,
                       published_on=TODAY)
        assert exc.error_dict["__all__"][0].code == "not_permitted"
    services.version_publish(actor=world.editor, version=version, published_on=TODAY)


def test_approval_is_for_coordinators_and_the_owning_bodys_secretaries(world):
    version = add_version(world, make_document(world))
    services.version_submit(actor=world.secretary, version=version)
    for actor in (world.editor, world.member_a, world.member_b):
        exc = _refused(services.version_approve, actor=actor, version=version)
        assert exc.error_dict["__all__"][0].code == "not_permitted"
    services.version_approve(actor=world.secretary, version=version)


def test_a_member_without_a_role_cannot_submit_and_anonymous_cannot_do_anything(world):
    version = add_version(world, make_document(world))
    assert _refused(services.version_submit, actor=world.member_a,
                    version=version).error_dict["__all__"][0].code == "not_permitted"
    assert _refused(services.version_submit, actor=None,
                    version=version).error_dict["__all__"][0].code == "not_permitted"


def test_the_uploader_may_submit_their_own_version(world):
    version = add_version(world, make_document(world), actor=world.editor)
    services.version_submit(actor=world.editor, version=version)


def test_withdrawal_needs_a_reason_and_keeps_the_file(world):
    document = make_document(world)
    version = publish(world, add_version(world, document))
    exc = _refused(services.version_withdraw, actor=world.editor, version=version, reason=" ")
    assert "reason" in exc.message_dict
    services.version_withdraw(actor=world.editor, version=version, reason="Ersatt av lag")
    version.refresh_from_db()
    assert version.status == VersionStatus.WITHDRAWN
    assert version.withdrawn_reason == "Ersatt av lag" and version.withdrawn_at is not None
    assert version.file.storage.exists(version.file.name)
    document.refresh_from_db()
    assert "överenskommelsen om samverkan" not in document.search_text


@pytest.mark.parametrize("status", ["draft", "in_review", "approved"])
def test_unpublished_versions_can_be_withdrawn(world, status):
    version = add_version(world, make_document(world))
    if status != "draft":
        services.version_submit(actor=world.secretary, version=version)
    if status == "approved":
        services.version_approve(actor=world.secretary, version=version)
    services.version_withdraw(actor=world.secretary, version=version, reason="Dubblett")
    version.refresh_from_db()
    assert version.status == VersionStatus.WITHDRAWN


# --- immutability -----------------------------------------------------------------------

@pytest.mark.parametrize("field,value", [("sha256", "0" * 64), ("size", 1),
                                         ("content_type", "text/html"),
                                         ("original_name", "annat.pdf")])
def test_version_content_cannot_change(world, field, value):
    version = add_version(world, make_document(world))
    setattr(version, field, value)
    with pytest.raises(ValueError, match=field):
        version.save()


def test_version_file_cannot_be_replaced(world):
    version = add_version(world, make_document(world))
    version.file.name = "documents/annan/fil.pdf"
    with pytest.raises(ValueError, match="file"):
        version.save()


def test_versions_are_never_deleted(world):
    version = add_version(world, make_document(world))
    with pytest.raises(ValueError):
        version.delete()
    assert DocumentVersion.objects.filter(pk=version.pk).exists()


def test_a_new_file_is_a_new_version(world):
    document = make_document(world)
    v1 = add_version(world, document)
    v2 = add_version(world, document, content=docx_bytes(), name="ny.docx")
    assert (v1.number, v2.number) == (1, 2)
    assert v1.file.name != v2.file.name


# --- documents and their metadata --------------------------------------------------------

def test_member_of_another_body_cannot_add_versions(world):
    document = make_document(world)
    with pytest.raises(ValidationError):
        services.version_upload(actor=world.member_b, document=document,
                                file=upload("x.pdf", pdf_bytes()))
    with pytest.raises(ValidationError):
        services.document_create(actor=world.member_b, title="X", kind="routine",
                                 owner_body=world.body_a)


def test_secretary_registers_documents_for_their_own_body_only(world):
    services.document_create(actor=world.secretary, title="Rutin", kind="routine",
                             owner_body=world.body_a)
    with pytest.raises(ValidationError):
        services.document_create(actor=world.secretary, title="Rutin", kind="routine",
                                 owner_body=world.body_b)


def test_validity_dates_are_checked(world):
    exc = _refused(services.document_create, actor=world.coordinator, title="Avtal",
                   kind="contract", owner_body=world.body_a, valid_from=dt.date(2025, 2, 1),
                   valid_until=dt.date(2025, 1, 1))
    assert "valid_until" in exc.message_dict
    exc = _refused(services.document_create, actor=world.coordinator, title="Avtal",
                   kind="contract", owner_body=world.body_a, until_further_notice=True,
                   valid_until=dt.date(2025, 1, 1))
    assert "valid_until" in exc.message_dict


def test_v11_next_review_follows_the_interval(world):
    """V11: a review interval of 24 months sets the next review two years on."""
    document = make_document(world, valid_from=dt.date(2025, 1, 1), review_interval_months=24)
    assert document.next_review_on == dt.date(2027, 1, 1)


def test_search_text_follows_the_published_version_and_the_metadata(world):
    document = make_document(world, summary="Gemensam rutin")
    version = add_version(world, document, content=docx_bytes("Samordnad plan"),
                          name="r.docx")
    document.refresh_from_db()
    assert "samordnad plan" not in document.search_text  # drafts are not searchable
    publish(world, version)
    document.refresh_from_db()
    assert "samordnad plan" in document.search_text
    services.document_update(actor=world.coordinator, document=document, title="Ny Titel")
    document.refresh_from_db()
    assert "ny titel" in document.search_text and "samordnad plan" in document.search_text


def test_document_update_records_history(world):
    document = make_document(world)
    services.document_update(actor=world.editor, document=document, summary="Ändrad",
                             reason="Språkgranskning")
    last = document.history.latest("history_date")
    assert last.history_user == world.editor
    assert last.history_change_reason == "Språkgranskning"


# --- termination (V16) ------------------------------------------------------------------

def test_v16_termination_ends_twelve_months_after_the_notice_was_handled(world):
    """V16: Västerbotten's agreement runs until further notice and ends twelve months
    after Samrådet has handled the notice of termination."""
    document = make_document(world, valid_from=dt.date(2023, 1, 1), until_further_notice=True,
                             termination_notice_months=12)
    services.document_terminate(actor=world.coordinator, document=document,
                                handled_on=dt.date(2025, 3, 20))
    document.refresh_from_db()
    assert document.termination_handled_on == dt.date(2025, 3, 20)
    assert services.termination_ends_on(document) == dt.date(2026, 3, 20)
    assert "20 mars 2026" in document.history.latest("history_date").history_change_reason


def test_termination_needs_a_notice_period(world):
    document = make_document(world, valid_from=dt.date(2023, 1, 1))
    exc = _refused(services.document_terminate, actor=world.coordinator, document=document,
                   handled_on=dt.date(2025, 3, 20))
    assert exc.error_dict["termination_handled_on"][0].code == "no_notice_period"
    document.refresh_from_db()
    assert document.termination_handled_on is None


def test_termination_is_recorded_once_and_by_a_manager(world):
    document = make_document(world, until_further_notice=True, termination_notice_months=12)
    with pytest.raises(ValidationError):
        services.document_terminate(actor=world.member_a, document=document,
                                    handled_on=dt.date(2025, 3, 20))
    services.document_terminate(actor=world.secretary, document=document,
                                handled_on=dt.date(2025, 3, 20))
    exc = _refused(services.document_terminate, actor=world.secretary, document=document,
                   handled_on=dt.date(2025, 4, 1))
    assert exc.error_dict["termination_handled_on"][0].code == "already_terminated"
    assert Document.objects.get(pk=document.pk).termination_handled_on == dt.date(2025, 3, 20)
