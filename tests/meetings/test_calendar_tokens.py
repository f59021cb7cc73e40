"""Issue 12 §4: personal calendar feed tokens are stored hashed and shown once.

The probe found the admin showing live feed tokens to the editor and the coordinator
(with one, anyone reads that person's calendar). Now only the SHA-256 of the secret is
stored (``CalendarToken.token_hash``), the secret is shown once on Mina sidor, and the
migration hashed the existing tokens in place so links already in calendars keep working.
"""
from __future__ import annotations

import hashlib
import importlib
import re

import pytest
from django.db import connection
from django.urls import reverse

from meetings.feeds import calendar_token_issue, calendar_token_revoke, token_hash
from meetings.models import CalendarToken
from tests.governance.factories import UserFactory

MIGRATION = importlib.import_module("meetings.migrations.0008_hashed_tokens")


def _feed(secret: str) -> str:
    return reverse("feeds:person", kwargs={"token": secret})


def _member(client, make_meeting):
    meeting = make_meeting()
    person = meeting.people[0]
    person.user = UserFactory(username=f"ledamot-token-{person.pk}")
    person.save()
    client.force_login(person.user)
    return person


def test_token_hash_is_sha256_as_the_migration_hashes():
    assert token_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    assert MIGRATION._hash("abc") == token_hash("abc")


@pytest.mark.django_db
def test_only_the_hash_is_stored_and_the_hash_opens_nothing(client, make_meeting):
    """The database holds no secret; the stored hash is no key to the feed."""
    person = make_meeting().people[0]
    issued = calendar_token_issue(person)
    row = CalendarToken.objects.get(pk=issued.record.pk)
    assert row.token_hash == token_hash(issued.token) != issued.token
    assert not any(issued.token in str(getattr(row, f.attname))
                   for f in CalendarToken._meta.concrete_fields)
    assert client.get(_feed(issued.token)).status_code == 200
    assert client.get(_feed(row.token_hash)).status_code == 404
    calendar_token_revoke(person)
    assert client.get(_feed(issued.token)).status_code == 404


@pytest.mark.django_db
def test_mina_sidor_shows_the_new_link_once(client, make_meeting):
    """Made on Mina sidor, the link is on the next page only; afterwards the page says a
    link exists (with its date) and offers a new one, never the link itself."""
    person = _member(client, make_meeting)
    assert client.post(reverse("portal:calendar"), {"action": "new"}).status_code == 302
    html = client.get("/mina-sidor/").content.decode()
    shown = re.search(r'value="http://testserver(/kalender/[^"/]+\.ics)"', html)
    assert shown is not None
    secret = shown.group(1).removeprefix("/kalender/").removesuffix(".ics")
    stored = CalendarToken.objects.get(person=person, revoked_at__isnull=True)
    assert stored.token_hash == token_hash(secret)
    again = client.get("/mina-sidor/").content.decode()
    assert secret not in again and "/kalender/" + secret not in again
    assert "You have a calendar link, made on" in again and "Make a new link" in again
    assert client.get(shown.group(1)).status_code == 200  # the link itself still works
    # The secret does not stay in the session either.
    assert secret not in str(dict(client.session))


@pytest.mark.django_db
def test_a_link_shown_to_one_session_is_not_shown_after_renewal_elsewhere(client,
                                                                          make_meeting):
    """A secret waiting in the session is shown only while it is still the active one."""
    person = _member(client, make_meeting)
    client.post(reverse("portal:calendar"), {"action": "new"})
    calendar_token_issue(person)  # renewed elsewhere (another browser) before the page
    html = client.get("/mina-sidor/").content.decode()
    assert 'value="http://testserver/kalender/' not in html
    assert "You have a calendar link, made on" in html


@pytest.mark.django_db(transaction=True)
def test_migration_hashes_existing_tokens_in_place_and_old_links_keep_working(client):
    """Issue 12 §4 (migration meetings/0009): a token stored in clear before the upgrade
    becomes its hash, and the URL already in the member's calendar still answers; the
    editor group loses the governance and meetings view permissions given before."""
    from django.contrib.auth.models import Group
    from django.db.migrations.executor import MigrationExecutor

    old, new = [("meetings", "0007_edit_versions")], [("meetings", "0008_hashed_tokens")]
    executor = MigrationExecutor(connection)
    executor.migrate(old)
    try:
        old_apps = executor.loader.project_state(old).apps
        person = old_apps.get_model("governance", "Person").objects.create(
            first_name="Gammal", last_name="Länk", email="gammal@exempel.invalid")
        secret = "gammal-hemlighet-som-redan-finns-i-kalendern-123"
        old_apps.get_model("meetings", "CalendarToken").objects.create(person=person,
                                                                       token=secret)
        group_model = old_apps.get_model("auth", "Group")
        perm_model = old_apps.get_model("auth", "Permission")
        editor, _created = group_model.objects.get_or_create(name=MIGRATION.EDITOR_GROUP)
        editor.permissions.clear()  # as an earlier version left it: see below
        kept = perm_model.objects.filter(content_type__app_label="documents",
                                         codename="view_document")
        taken = perm_model.objects.filter(content_type__app_label__in=["governance",
                                                                       "meetings"],
                                          codename__in=["view_body", "view_calendartoken"])
        assert kept.count() == 1 and taken.count() == 2
        editor.permissions.add(*kept, *taken)

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(new)
        new_apps = executor.loader.project_state(new).apps
        row = new_apps.get_model("meetings", "CalendarToken").objects.get()
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        codenames = set(Group.objects.get(name=MIGRATION.EDITOR_GROUP)
                        .permissions.values_list("codename", flat=True))
        assert codenames == {"view_document"}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    response = client.get(_feed(secret))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
