"""The demo's document register: the seeds' agreements, the minutes and a queue to work on.

Every document goes through the register's services as people would take it: the
coordinator registers it and uploads the file, submits and approves it; the editor
records the accessibility checklist (with the machine check) and publishes it. The
files are PDFs made here from the texts in ``portal/demo_data`` (the seeds' own words)
by the project's PDF helper (``meetings.pdf.render_pdf``): tagged PDF/UA with a title and
Swedish as their language, so they pass the machine check of ``documents.accessibility``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from documents import accessibility, minutes_register, services
from documents.models import (
    Document,
    DocumentKind,
    DocumentVersion,
    VersionStatus,
)
from governance.models import Body, Principal
from meetings import pdf
from meetings.models import Meeting, Minutes

from .common import REASON, Tally
from .content import PAPER_TEXT

DATA = Path(__file__).resolve().parent.parent / "demo_data"
TEMPLATE = "portal/demo/document.pdf.html"


# --- the texts -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Text:
    title: str
    html: SafeString


def parse(text: str) -> Text:
    """The small markup of ``demo_data/README.md`` as HTML (every text escaped)."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError("a demo text starts with '# title'")
    title = lines[0][2:].strip()
    blocks: list[str] = []
    para: list[str] = []
    items: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if para:
            blocks.append(format_html("<p>{}</p>", " ".join(para)))
            para.clear()
        if items:
            blocks.append(format_html("<ul>{}</ul>", format_html_join(
                "", "<li>{}</li>", ((i,) for i in items))))
            items.clear()
        if rows:
            head = format_html_join("", '<th scope="col">{}</th>', ((c,) for c in rows[0]))
            body = format_html_join("", "<tr>{}</tr>", (
                (format_html_join("", "<td>{}</td>", ((c,) for c in r)),) for r in rows[1:]))
            blocks.append(format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody>"
                                      "</table>", head, body))
            rows.clear()

    for line in lines[1:]:
        stripped = line.strip()
        heading = re.match(r"^(#{2,4}) (.+)$", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1))
            blocks.append(format_html("<h{}>{}</h{}>", level, heading.group(2), level))
        elif stripped.startswith("- "):
            if para or rows:
                flush()
            items.append(stripped[2:])
        elif stripped.startswith("|"):
            if para or items:
                flush()
            rows.append([c.strip() for c in stripped.strip("|").split("|")])
        else:
            if items or rows:
                flush()
            para.append(stripped)
    flush()
    return Text(title=title, html=mark_safe("\n".join(blocks)))  # noqa: S308 - built escaped


def document_pdf(*, title: str, html: SafeString, author: str, lead: str = "",
                 subject: str = "") -> bytes:
    """A tagged, titled Swedish PDF of ``html`` (already safe) under ``title``."""
    return pdf.render_pdf(TEMPLATE, {"title": title, "content": html, "author": author,
                                     "lead": lead, "subject": subject or title,
                                     "keywords": author})


def paper_pdf(*, title: str, body: Body, description: str = "") -> bytes:
    """A short paper (underlag) for an agenda item."""
    paragraphs = [description, *PAPER_TEXT] if description else PAPER_TEXT
    html = format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs))
    return document_pdf(title=title, html=html, author=body.structure.short_name or
                        body.structure.name, lead=f"Underlag till {body.name}")


def filename(title: str) -> str:
    return f"{slugify(title)[:80] or 'dokument'}.pdf"


# --- the register ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Agreement:
    """One of the seeds' agreements and the body that owns it in the register."""

    file: str
    owner: str  # body slug
    summary: str
    valid_from: dt.date | None
    termination_notice_months: int | None = None
    review_interval_months: int | None = None


AGREEMENTS = [
    Agreement("halsam.txt", "halsam",
              "Samverkansstrukturen HälSam mellan Region Västernorrland och länets sju "
              "kommuner: utgångspunkter, politisk samverkan, presidium, länsledning, "
              "länssamordningsgrupper, lokal samverkan och administrativt stöd.",
              dt.date(2023, 1, 1), review_interval_months=48),
    Agreement("vasterbotten.txt", "samrad-vard-och-omsorg",
              "Regional överenskommelse om samverkan mellan kommunerna i Västerbotten och "
              "Region Västerbotten inom vård och omsorg. Gäller tills vidare; upphör tolv "
              "månader efter att en uppsägning behandlats av Samrådet.",
              None, termination_notice_months=12),
    Agreement("jamtland-harjedalen.txt", "pahsu",
              "Överenskommelse om samverkansstruktur avseende skola, socialtjänst och hälso- "
              "och sjukvård mellan Region Jämtland Härjedalen och länets kommuner: PaHSU, "
              "TaHSU, stödjande nätverk och regionalt tjänstepersonsstöd. Gäller från "
              "2027-01-01 och tills vidare.",
              dt.date(2027, 1, 1)),
]


@dataclasses.dataclass(frozen=True)
class Queued:
    """A document left in the workflow, for the editor's queue and the coordinator's week."""

    title: str
    kind: str
    owner: str
    stage: str  # draft | in_review | approved | published_review_due
    summary: str


QUEUE = [
    Queued("Rutin för samordnad individuell plan (SIP) i Västernorrland", DocumentKind.ROUTINE,
           "lansledning", "in_review",
           "Länsgemensam rutin för samordnad individuell plan, reviderad efter remiss till "
           "länssamordningsgrupperna."),
    Queued("Överenskommelse om samverkan kring barn och unga i behov av särskilt stöd",
           DocumentKind.AGREEMENT, "lansamordning-barn-och-unga", "approved",
           "Överenskommelse mellan skola, socialtjänst och hälso- och sjukvård om tidiga och "
           "samordnade insatser för barn och unga."),
    Queued("Riktlinje för förskrivning av hjälpmedel", DocumentKind.GUIDELINE,
           "lansamverkansgruppen", "draft",
           "Utkast till länsgemensam riktlinje, beredd av Hjälpmedelsrådet."),
    Queued("Rutin för samverkan vid utskrivning från sluten hälso- och sjukvård",
           DocumentKind.ROUTINE, "lansledning", "published_review_due",
           "Rutin för planering inför utskrivning, med ansvar för kommunen och regionen."),
]


class Register:
    """Puts the demo's documents in the register through its services."""

    def __init__(self, *, coordinator, editor, tally: Tally, today: dt.date,
                 secretary=None):
        self.coordinator = coordinator
        self.editor = editor
        self.secretary = secretary
        self.tally = tally
        self.today = today

    def _exists(self, title: str, owner: Body) -> bool:
        return Document.objects.filter(title=title, owner_body=owner).exists()

    def _version(self, document: Document, data: bytes, *, uploader, note: str = ""
                 ) -> DocumentVersion:
        upload = SimpleUploadedFile(filename(document.title), data,
                                    content_type="application/pdf")
        version = services.version_upload(actor=uploader, document=document, file=upload,
                                          change_note=note, reason=REASON)
        self.tally.versions += 1
        return version

    def _approve(self, version: DocumentVersion, *, meeting: Meeting | None = None
                 ) -> DocumentVersion:
        version = services.version_submit(actor=self.coordinator, version=version,
                                          reason=REASON)
        return services.version_approve(actor=self.coordinator, version=version,
                                        meeting=meeting, reason=REASON)

    def _publish(self, version: DocumentVersion, *, on: dt.date) -> DocumentVersion:
        """The editor's checklist (machine check included), then publishing."""
        self._checklist(version)
        return services.version_publish(actor=self.editor, version=version, published_on=on,
                                        reason=REASON)

    def _checklist(self, version: DocumentVersion) -> None:
        # Stored once per version (the queued check then finds it done).
        stored = accessibility.accessibility_machine_check_run(version=version,
                                                              actor=self.editor)
        machine = stored.machine_result if stored is not None else {}
        accessibility.accessibility_check_record(
            version=version, actor=self.editor, has_title=bool(machine.get("has_title")),
            has_language=bool(machine.get("has_language")),
            is_tagged=bool(machine.get("tagged")), has_headings=True, has_alt_texts=True,
            has_contrast=True, note="Genererad PDF/UA; rubriker och kontrast granskade.",
            reason=REASON)

    # --- the seeds' agreements -------------------------------------------------------------

    def agreements(self) -> None:
        for agreement in AGREEMENTS:
            owner = Body.objects.filter(slug=agreement.owner).select_related("structure").first()
            if owner is None:
                continue
            text = parse((DATA / agreement.file).read_text(encoding="utf-8"))
            if self._exists(text.title, owner):
                continue
            structure = owner.structure
            document = services.document_create(
                actor=self.coordinator, title=text.title, kind=DocumentKind.AGREEMENT,
                owner_body=owner, summary=agreement.summary,
                areas=list(structure.areas.all()),
                principals=list(Principal.objects.filter(participations__structure=structure,
                                                         participations__is_party=True)),
                valid_from=agreement.valid_from, until_further_notice=True,
                termination_notice_months=agreement.termination_notice_months,
                review_interval_months=agreement.review_interval_months, reason=REASON)
            self.tally.documents += 1
            data = document_pdf(title=text.title, html=text.html, author=structure.name,
                                lead=structure.name, subject=agreement.summary)
            version = self._approve(self._version(document, data, uploader=self.coordinator,
                                                  note="Överenskommelsens text."))
            # Published two weeks before it came into force, or a month ago when that is
            # still to come (Jämtland Härjedalen) or unknown (Västerbotten).
            published = self.today - dt.timedelta(days=30)
            if agreement.valid_from and agreement.valid_from - dt.timedelta(days=14) < published:
                published = agreement.valid_from - dt.timedelta(days=14)
            self._publish(version, on=published)

    # --- minutes ---------------------------------------------------------------------------

    def minutes(self, minutes: Minutes) -> None:
        """Published minutes are in the register already: publishing them put their PDF
        there as "protokoll" (``documents.minutes_register``, on the publishing signal),
        public when the meeting is. The editor records the accessibility checklist."""
        document = minutes_register.minutes_document(minutes.meeting)
        if document is None:
            return
        version = document.versions.filter(status=VersionStatus.PUBLISHED).first()
        if version is None:
            return
        self.tally.documents += 1
        self.tally.versions += 1
        self._checklist(version)

    # --- a queue to work on ------------------------------------------------------------------

    def queue(self) -> None:
        for queued in QUEUE:
            owner = Body.objects.filter(slug=queued.owner).select_related("structure").first()
            if owner is None or self._exists(queued.title, owner):
                continue
            review_due = queued.stage == "published_review_due"
            document = services.document_create(
                actor=self.coordinator, title=queued.title, kind=queued.kind, owner_body=owner,
                summary=queued.summary, areas=[owner.area] if owner.area else [],
                valid_from=self.today - dt.timedelta(days=700) if review_due else None,
                until_further_notice=review_due, review_interval_months=24,
                next_review_on=self.today + dt.timedelta(days=30) if review_due else None,
                reason=REASON)
            self.tally.documents += 1
            uploader = (self.secretary if self.secretary is not None and owner.slug == "lansledning"
                        else self.coordinator)
            data = document_pdf(title=queued.title, html=format_html_join(
                "", "<p>{}</p>", ((p,) for p in [queued.summary, *PAPER_TEXT])),
                author=owner.structure.name, lead=owner.name, subject=queued.summary)
            version = self._version(document, data, uploader=uploader, note="Första versionen.")
            if queued.stage == "in_review":
                services.version_submit(actor=uploader, version=version, reason=REASON)
            elif queued.stage in ("approved", "published_review_due"):
                version = self._approve(version)
                if review_due:
                    self._publish(version, on=self.today - dt.timedelta(days=690))

