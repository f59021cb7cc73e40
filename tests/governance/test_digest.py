"""The coordinators' weekly digest: new findings only, never the same one twice."""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.management import call_command

from governance import digest, services, tasks
from governance.models import Body, DigestRecord, OfficeTerm, Principal, Seat

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 11, 22)


@pytest.fixture
def setup(db):
    call_command("load_structure", "halsam-vasternorrland", verbosity=0)
    user = User.objects.create_user("samordnare", email="samordnare@example.se")
    user.user_permissions.add(Permission.objects.get(codename="coordinate"))
    User.objects.create_user("ledamot", email="ledamot@example.se")  # not a coordinator
    return user


def test_digest_mails_each_coordinator_once_and_never_repeats_a_finding(setup):
    assert digest.digest_send(on=ON) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["samordnare@example.se"]
    first = DigestRecord.objects.filter(user=setup).count()
    assert first > 0
    # Nothing new: no mail.
    assert digest.digest_send(on=ON) == 0
    assert len(mail.outbox) == 1
    # A new finding (the region chairs Länsledning in a social services year, H11) is
    # mailed alone in the next digest.
    person = services.person_create(actor=None, first_name="Anna", last_name="Andersson",
                                    email="anna@example.se",
                                    principal=Principal.objects.get(code="R22"))
    services.membership_start(actor=None, person=person, start=dt.date(2023, 1, 1),
                              seat=Seat.objects.get(body__slug="lansledning",
                                                    key="omradesdirektorer"))
    # Recorded before the rule's eligibility was loaded (the services refuse it now).
    OfficeTerm.objects.create(body=Body.objects.get(slug="lansledning"), office="chair",
                              person=person, start=dt.date(2026, 1, 1))
    assert digest.digest_send(on=ON) == 1
    assert "H11" in mail.outbox[1].body and "Anna Andersson" in mail.outbox[1].body
    assert mail.outbox[1].alternatives and "H11" in mail.outbox[1].alternatives[0][0]


def test_failed_send_keeps_no_record_so_the_next_run_sends(setup):
    with mock.patch("django.core.mail.EmailMultiAlternatives.send",
                    side_effect=OSError("smtp down")):
        with pytest.raises(OSError):
            digest.digest_send(on=ON)
    assert DigestRecord.objects.count() == 0
    assert digest.digest_send(on=ON) == 1


def test_celery_task_runs_the_digest(setup):
    assert tasks.send_coordinator_digest.delay().get() == 1
    assert len(mail.outbox) == 1
