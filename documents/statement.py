"""The site's accessibility statement (tillgänglighetsredogörelse) after DIGG's model.

DIGG's model has these parts, each a field of ``AccessibilityStatement`` that the editor
writes (``/tillganglighet/redigera/``), with a default that says what is true of this
site until the editor has written their own:

* the opening: who runs the site and what they commit to (``introduction``);
* "Hur tillgänglig är webbplatsen?": the compliance status with lagen (2018:1937) in
  DIGG's words (fully / partially / not compliant) and an explanation;
* "Innehåll som inte är tillgängligt": the known shortcomings with their WCAG success
  criteria, followed by a list made automatically of the published documents whose
  stored machine check failed, and (when written) disproportionate burden (12 §) and
  content outside the Act (9 §);
* "Vad kan du göra om du inte kan använda delar av webbplatsen?": alternatives, the
  contact and the usual response time;
* "Rapportera brister i webbplatsens tillgänglighet": how to tell us;
* "Tillsyn": DIGG, with the link to its report form;
* "Hur vi testat webbplatsen": the method, the date of the latest assessment, and the
  dates the statement was made and last updated.

``editor_note`` is the editors' own note and is never shown to visitors.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.services import Actor, save_with_history

from .accessibility import problem_messages
from .models import AccessibilityStatement, ComplianceStatus, DocumentVersion, VersionStatus

# DIGG's report form for a lack of accessibility (the address DIGG asks statements to use).
DIGG_URL = "https://www.digg.se/tdosanmalan"

# The free-text sections, in the order of DIGG's model. The optional ones are shown only
# when written.
TEXT_SECTIONS = ("introduction", "compliance_text", "shortcomings", "disproportionate_burden",
                 "out_of_scope", "alternatives", "reporting", "supervision", "testing")
OPTIONAL_SECTIONS = frozenset({"disproportionate_burden", "out_of_scope"})
# Everything the editor edits (the service refuses anything else).
EDITABLE_FIELDS = frozenset({*TEXT_SECTIONS, "compliance", "response_days", "contact_email",
                             "contact_phone", "assessed_on", "made_on", "editor_note"})

# The WCAG 2.1 success criteria a failed machine check of a document breaks, by the
# problem code stored in ``AccessibilityCheck.machine_result["problems"]``. A file that
# could not be read or is encrypted breaks no one criterion: its message says why.
PROBLEM_CRITERIA: dict[str, tuple[str, ...]] = {
    "not_tagged": ("1.3.1",),
    "no_title": ("2.4.2",),
    "no_language": ("3.1.1",),
    "no_headings": ("1.3.1", "2.4.6"),
    "images_without_alt": ("1.1.1",),
}
CRITERION_NAMES = {
    "1.1.1": gettext_lazy("Non-text content"),
    "1.3.1": gettext_lazy("Info and relationships"),
    "2.4.2": gettext_lazy("Page titled"),
    "2.4.6": gettext_lazy("Headings and labels"),
    "3.1.1": gettext_lazy("Language of page"),
}

_BULLET = re.compile(r"^\s*[-*•]\s+")


# --- Defaults ------------------------------------------------------------------------------

def default_sections(*, organisation: str) -> dict[str, str]:
    """What is true of this site, for each section, until the editor writes their own
    (in the current language). ``organisation`` is who runs the site."""
    site = _("the collaboration portal")
    return {
        "introduction": _(
            "%(organisation)s runs this web site, %(site)s. We want as many people as "
            "possible to be able to use it. This statement describes how the site complies "
            "with the Act on accessibility to digital public services (lagen (2018:1937) om "
            "tillgänglighet till digital offentlig service), which accessibility problems we "
            "know of, and how you can report shortcomings to us so that we can fix them.")
        % {"organisation": organisation, "site": site},
        "compliance_text": _(
            "The site's own pages are built and tested to meet the Web Content Accessibility "
            "Guidelines (WCAG) 2.1 at level AA. Documents published as files (PDF, Word, "
            "OpenDocument), above all those we receive from others, are not all fully "
            "accessible. Those we know of are listed under \"Content that is not "
            "accessible\"."),
        "shortcomings": _(
            "We know of no shortcomings on the site's own pages: the tests described under "
            "\"How we tested the site\" find none.\n\n"
            "Every document is checked before it is published, by machine (tagging, title "
            "and language) and by the editor's checklist (headings, alternative texts and "
            "contrast). A document may still be published with a shortcoming. The "
            "published documents that fail the machine check are listed below, with the "
            "WCAG success criteria they do not meet."),
        "disproportionate_burden": "",
        "out_of_scope": "",
        "alternatives": _(
            "If you need content from the site that is not accessible to you, for example "
            "a document in another format, tell us and we will help you. You can reach us "
            "in the ways listed below."),
        "reporting": _(
            "We are always working to improve the accessibility of the site. If you find "
            "problems that are not described on this page, or you think that we do not meet "
            "the requirements of the law, tell us so that we know about the problem."),
        "supervision": _(
            "The Agency for Digital Government (Myndigheten för digital förvaltning, DIGG) "
            "is responsible for supervising the Act on accessibility to digital public "
            "services. If you are not satisfied with how we handle what you have pointed "
            "out, you can contact DIGG and report it."),
        "testing": _(
            "We assess the site ourselves (self-assessment). Every new version of the "
            "software is tested automatically in the Chromium browser before it is put "
            "into use:\n\n"
            "- axe-core checks the rules of WCAG 2.1 levels A and AA on every page, for "
            "every role (visitor, member, secretary, editor and coordinator), the "
            "administration pages included;\n"
            "- every page is checked at a width of 320 CSS pixels: nothing may need "
            "scrolling sideways (WCAG 1.4.10 Reflow);\n"
            "- journeys through the site are made with the keyboard only, and every element "
            "passed must show where the focus is.\n\n"
            "We also check by hand: headings and reading order, zoom to 200 per cent, "
            "contrast, and the texts of links, buttons and error messages. The PDF files "
            "the site makes itself (agendas and minutes) are tagged PDF/UA files and are "
            "checked by machine."),
    }


# --- Reads ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A paragraph (``items`` empty) or a bulleted list of a section's text."""

    text: str = ""
    items: tuple[str, ...] = ()


def blocks(text: str) -> list[Block]:
    """A section's text as paragraphs (separated by an empty line) and lists (every line
    of a paragraph starting with "-", "*" or "•")."""
    out: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            out.append(Block(items=tuple(_BULLET.sub("", line).strip() for line in lines)))
        elif _BULLET.match(lines[-1]) and not _BULLET.match(lines[0]):
            # "Text:\n- a\n- b": the lead-in and its list.
            first = next(i for i, line in enumerate(lines) if _BULLET.match(line))
            if all(_BULLET.match(line) for line in lines[first:]):
                out.append(Block(text=" ".join(s.strip() for s in lines[:first])))
                out.append(Block(items=tuple(_BULLET.sub("", s).strip() for s in lines[first:])))
            else:
                out.append(Block(text=" ".join(s.strip() for s in lines)))
        else:
            out.append(Block(text=" ".join(s.strip() for s in lines)))
    return out


@dataclass(frozen=True)
class Criterion:
    number: str
    name: str


@dataclass(frozen=True)
class DocumentProblem:
    message: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class FailingDocument:
    """A published version of a public document whose stored machine check failed."""

    title: str
    url: str
    number: int
    published_on: dt.date | None
    problems: tuple[DocumentProblem, ...]


def documents_failing_machine_check(*, limit: int = 500) -> list[FailingDocument]:
    """The published versions of public documents whose stored machine check failed, with
    the problems and the WCAG criteria they break (1 query)."""
    versions = (DocumentVersion.objects
                .filter(status=VersionStatus.PUBLISHED, document__is_public=True,
                        accessibility__machine_result__passed=False)
                .select_related("document", "accessibility")
                .order_by("document__title", "document_id")[:limit])
    out = []
    for version in versions:
        codes = version.accessibility.machine_result.get("problems") or []
        problems = tuple(
            DocumentProblem(message=message, criteria=tuple(
                Criterion(number, str(CRITERION_NAMES[number]))
                for number in PROBLEM_CRITERIA.get(code, ())))
            for code, message in zip(codes, problem_messages(codes), strict=True))
        out.append(FailingDocument(
            title=version.document.title, number=version.number,
            url=reverse("documents:detail", args=[version.document_id]),
            published_on=version.published_on, problems=problems))
    return out


def accessibility_statement_current() -> AccessibilityStatement | None:
    """The site's statement: the first row, created by the editor's first save."""
    return AccessibilityStatement.objects.order_by("pk").first()


def _organisation() -> tuple[str, str]:
    """Who runs the site (the structure the home page shows) and its office mailbox."""
    from governance.selectors import structure_default

    structure = structure_default()
    if structure is None:
        return _("The collaboration structure"), ""
    return structure.name, structure.office_email


def _software_installed_on() -> dt.date:
    """When the running version of the software was installed or updated: the latest
    migration applied. The default statement describes this version."""
    applied = MigrationRecorder.Migration.objects.aggregate(last=Max("applied"))["last"]
    return timezone.localdate(applied) if applied else timezone.localdate()


@dataclass
class StatementPage:
    """Everything the public statement page shows (no rules left for the template)."""

    statement: AccessibilityStatement | None
    sections: dict[str, list[Block]]
    compliance: str
    compliance_sentence: str
    contact_email: str
    contact_phone: str
    response_days: int
    assessed_on: dt.date | None
    made_on: dt.date | None
    updated_on: dt.date | None
    failing: list[FailingDocument] = field(default_factory=list)
    digg_url: str = DIGG_URL


def compliance_sentence(status: str) -> str:
    """DIGG's wording of the compliance status (in the current language)."""
    return {
        ComplianceStatus.FULL: _(
            "This web site is fully compliant with the Act on accessibility to digital "
            "public services (lagen (2018:1937) om tillgänglighet till digital offentlig "
            "service)."),
        ComplianceStatus.PARTIAL: _(
            "This web site is partially compliant with the Act on accessibility to digital "
            "public services (lagen (2018:1937) om tillgänglighet till digital offentlig "
            "service), because of the shortcomings described below."),
        ComplianceStatus.NOT: _(
            "This web site is not compliant with the Act on accessibility to digital public "
            "services (lagen (2018:1937) om tillgänglighet till digital offentlig service). "
            "The content that is not accessible is described below."),
    }[ComplianceStatus(status)]


def statement_page() -> StatementPage:
    """The statement as visitors see it: the editor's sections, a blank one replaced by
    its default, and the failing documents (a fixed number of queries)."""
    statement = accessibility_statement_current()
    organisation, office_email = _organisation()
    defaults = default_sections(organisation=organisation)
    texts = {name: (getattr(statement, name) if statement else "") or defaults[name]
             for name in TEXT_SECTIONS}
    if statement is not None:
        installed = None
        compliance, response_days = statement.compliance, statement.response_days
        contact_email = statement.contact_email or ("" if statement.contact_phone
                                                    else office_email)
        contact_phone = statement.contact_phone
        assessed_on, made_on = statement.assessed_on, statement.made_on
        updated_on = timezone.localdate(statement.updated_at)
    else:
        installed = _software_installed_on()
        compliance = ComplianceStatus.PARTIAL
        response_days = AccessibilityStatement._meta.get_field("response_days").default
        contact_email, contact_phone = office_email, ""
        assessed_on = made_on = updated_on = installed
    return StatementPage(
        statement=statement,
        sections={name: blocks(text) for name, text in texts.items() if text.strip()},
        compliance=compliance, compliance_sentence=compliance_sentence(compliance),
        contact_email=contact_email, contact_phone=contact_phone,
        response_days=response_days, assessed_on=assessed_on, made_on=made_on,
        updated_on=updated_on, failing=documents_failing_machine_check())


def statement_initial() -> dict:
    """The edit form's initial values: what is saved, a blank section's default, and the
    revision the editor starts from."""
    statement = accessibility_statement_current()
    organisation, office_email = _organisation()
    defaults = default_sections(organisation=organisation)
    initial: dict = {name: (getattr(statement, name) if statement else "") or defaults[name]
                     for name in TEXT_SECTIONS}
    if statement is None:
        today = timezone.localdate()
        initial.update(compliance=ComplianceStatus.PARTIAL,
                       response_days=AccessibilityStatement._meta.get_field(
                           "response_days").default,
                       contact_email=office_email, contact_phone="", assessed_on=today,
                       made_on=today, editor_note="", revision=0)
    else:
        initial.update({name: getattr(statement, name) for name in (
            "compliance", "response_days", "contact_email", "contact_phone", "assessed_on",
            "made_on", "editor_note", "revision")})
        initial["made_on"] = statement.made_on or timezone.localdate(statement.updated_at)
    return initial


# --- Writes --------------------------------------------------------------------------------

class StaleStatementError(ValidationError):
    """The statement was saved by someone else after the editor's form was made."""

    def __init__(self, message: str, *, revision: int) -> None:
        super().__init__(message, code="stale")
        self.revision = revision


@transaction.atomic
def accessibility_statement_save(*, actor: Actor, reason: str, seen_revision: int,
                                 **fields) -> AccessibilityStatement:
    """Create or change the site's statement (who and why in the history).

    ``seen_revision`` is the revision the editor's form was made from: when someone else
    has saved since, nothing is written and a ``ValidationError`` (code ``stale``) says
    so. ``fields`` are the sections and details of ``EDITABLE_FIELDS``."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not fields of the statement: {sorted(unknown)}")
    statement = (AccessibilityStatement.objects.select_for_update().order_by("pk").first()
                 or AccessibilityStatement())
    if statement.revision != seen_revision:
        last = statement.history.select_related("history_user").order_by("-history_date") \
            .first()
        who = (last.history_user.get_full_name() or last.history_user.get_username()) \
            if last and last.history_user else _("someone else")
        raise StaleStatementError(
            _("%(who)s saved the statement after you opened this page. Your changes have "
              "not been saved. Compare with the statement as it is now; saving again "
              "replaces it with your text.") % {"who": who},
            revision=statement.revision)
    for name, value in fields.items():
        setattr(statement, name, value)
    statement.revision += 1
    save_with_history(statement, actor=actor, reason=reason)
    return statement
