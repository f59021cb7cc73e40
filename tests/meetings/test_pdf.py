"""Agenda and minutes PDFs: they open, carry the text, and are tagged (DOS, PDF/UA)."""
from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from meetings import pdf
from meetings.models import Attendance, Minutes, MinutesStatus


def _read(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def _assert_tagged(reader: PdfReader, title_part: str) -> None:
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert str(catalog["/Lang"]).lower().startswith("sv")
    assert title_part in reader.metadata.title


@pytest.mark.django_db
def test_agenda_pdf_opens_carries_items_and_is_tagged(make_meeting):
    meeting = make_meeting()
    reader, text = _read(pdf.agenda_pdf(meeting, with_video=True))
    for item in meeting.items.all():
        assert item.title in text
    assert meeting.place in text
    _assert_tagged(reader, meeting.display_title)
    if pdf.PDF_UA:
        assert b"pdfuaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


@pytest.mark.django_db
def test_minutes_pdf_shows_notes_decisions_attendance_and_approval(make_meeting):
    meeting = make_meeting()
    item = meeting.items.get(position=1)
    item.notes, item.decision = "Lägesbilden redovisades.", "Länsledningen beslutar att gå vidare."
    item.recommendation = "Huvudmännen rekommenderas att anta riktlinjen."
    item.save()
    chair, absent = meeting.people[0], meeting.people[1]
    Attendance.objects.create(meeting=meeting, person=chair)
    Attendance.objects.create(meeting=meeting, person=meeting.substitute, in_place_of=absent)
    Minutes.objects.create(meeting=meeting, status=MinutesStatus.APPROVED, approved_by=chair,
                           approved_at=timezone.now())
    reader, text = _read(pdf.minutes_pdf(meeting))
    for expected in (item.notes, item.decision, item.recommendation, meeting.substitute.name,
                     absent.name, chair.name):
        assert expected in text
    _assert_tagged(reader, meeting.display_title)


def test_url_fetcher_refuses_files_and_foreign_hosts():
    fetcher = pdf.StaticOnlyFetcher()
    for url in ("file:///etc/passwd", "https://evil.example/x.css",
                f"{pdf.BASE_URL}static/../../etc/passwd", "http://169.254.169.254/latest"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    response = fetcher.fetch(f"{pdf.BASE_URL.rstrip('/')}/static/css/site.css")
    assert response.status == 200
