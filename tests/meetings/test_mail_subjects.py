"""issue 12 §8: e-mail subjects are plain text, not HTML.

A meeting called `BUP & elevhälsa – "Trygg skola"` arrived with the subject
"Kallelse: BUP &amp; elevhälsa – &quot;Trygg skola&quot; …" (reproduced).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

from halsam.mail import render_subject
from meetings import emails
from meetings.models import DeliveryKind

TITLE = 'BUP & elevhälsa – "Trygg skola" <1>'
BASE_DIR = Path(__file__).resolve().parents[2]
# Every module that builds an e-mail (issue 12 §8's list).
MAIL_MODULES = ["halsam/accounts.py", "halsam/account_mail.py", "governance/digest.py",
                "governance/replacement.py", "meetings/emails.py", "meetings/absence_mail.py",
                "meetings/minutes_mail.py", "documents/reminders.py", "documents/review.py"]


def _subject_templates() -> list[Path]:
    return sorted((BASE_DIR / "templates").rglob("*_subject.txt"))


@pytest.mark.django_db
def test_issue_12_s8_notice_subject_keeps_ampersand_and_quotes(make_meeting):
    meeting = make_meeting(members=1, title=TITLE)
    for kind in (DeliveryKind.NOTICE, DeliveryKind.UPDATE, DeliveryKind.CANCEL):
        message = emails.notice_message(meeting=meeting, person=meeting.people[0], kind=kind,
                                        as_substitute=False, preview=True)
        assert TITLE in message.subject, message.subject
        assert "&amp;" not in message.subject and "&quot;" not in message.subject
        assert "\n" not in message.subject
        # The HTML part still escapes the title; the text part shows it as it is.
        html = message.alternatives[0][0]
        assert "BUP &amp; elevhälsa" in html and "<1>" not in html
        assert TITLE in message.body


@pytest.mark.django_db
def test_issue_12_s8_minutes_check_subject_is_unescaped(make_meeting):
    from meetings.minutes_mail import checker_message

    meeting = make_meeting(members=1, title=TITLE)
    message = checker_message(meeting=meeting, person=meeting.people[0])
    assert TITLE in message.subject and "&" + "amp;" not in message.subject


@pytest.mark.parametrize("template", _subject_templates(), ids=lambda p: p.name)
def test_issue_12_s8_every_subject_template_renders_plain_one_line(template, settings):
    """Each subject template with names and titles holding &, quotes, < and a line break."""
    settings.LANGUAGE_CODE = "en"
    title = TITLE + "\nrad två"
    start = timezone.make_aware(dt.datetime(2026, 3, 4, 13, 0))
    named = SimpleNamespace(name=title, title=title, display_title=title, start=start)
    context = {"meeting": named, "person": named, "body": named, "document": named,
               "substitute": SimpleNamespace(email="x@exempel.invalid", name=title),
               "version": SimpleNamespace(number=2), "due": start.date(),
               "findings": [1, 2], "site_name": 'Hälsam & "co"', "kind": "review_due"}
    name = str(template.relative_to(BASE_DIR / "templates"))
    subject = render_subject(name, context)
    assert "\n" not in subject and "  " not in subject
    assert not re.search(r"&(amp|quot|lt|gt|#\d+);", subject), subject


def test_issue_12_s8_mail_modules_render_subjects_through_render_subject():
    """No subject template is rendered with render_to_string (which autoescapes)."""
    offenders = []
    for module in MAIL_MODULES:
        source = (BASE_DIR / module).read_text()
        for match in re.finditer(r"render_to_string\(\s*f?[\"'][^\"']*_subject\.txt", source):
            offenders.append(f"{module}: {match.group(0)}")
    assert offenders == []


def test_issue_12_s8_render_subject_strips_line_breaks_and_does_not_escape(tmp_path, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    (tmp_path / "s_subject.txt").write_text("Möte:\n  {{ title }}\r\n{{ other|safe }}\n")
    assert render_subject("s_subject.txt", {"title": "A & B", "other": '"C"'}) == \
        'Möte: A & B "C"'
