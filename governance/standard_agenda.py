"""A body's standard agenda (formalia): the items every new meeting of the body starts with.

Stored on ``Body.standard_agenda`` as a list of ``{"title", "kind", "part"}``; ``part`` is
``opening`` (before the meeting's own items) or ``closing`` (after them: new items are
added before the closing formalia). A preset gives it with the body key
``standard_agenda``; a preset without the key gets ``DEFAULT_STANDARD_AGENDA``, and an
empty list means no formalia at all. Pure functions, no database.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OPENING, CLOSING = "opening", "closing"
PARTS = (OPENING, CLOSING)
# The agenda item kinds a formal item may have (meetings.AgendaItemKind values; governance
# cannot import meetings, tests/meetings/test_agenda_editor.py checks they exist there).
# Not "preparation": that needs the body the matter is prepared for, not known in advance.
KINDS = ("information", "dialogue", "decision", "election")
MAX_ITEMS = 20
MAX_TITLE = 300

DEFAULT_STANDARD_AGENDA: list[dict[str, str]] = [
    {"title": "Mötets öppnande", "kind": "information", "part": OPENING},
    {"title": "Val av justerare", "kind": "decision", "part": OPENING},
    {"title": "Godkännande av dagordningen", "kind": "decision", "part": OPENING},
    {"title": "Övriga frågor", "kind": "information", "part": CLOSING},
    {"title": "Mötets avslutande", "kind": "information", "part": CLOSING},
]


class StandardAgendaError(ValueError):
    """What is wrong with a standard agenda, and where (``path``: ``[2].kind``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def parse_standard_agenda(raw: Any) -> list[dict[str, str]]:
    """The standard agenda ``raw`` (list of mappings) normalised, or ``StandardAgendaError``.

    ``kind`` defaults to ``information`` and ``part`` to ``opening``; the closing items
    must come after all opening ones (they are the agenda's end).
    """
    if raw is None:
        return [dict(entry) for entry in DEFAULT_STANDARD_AGENDA]
    if not isinstance(raw, list):
        raise StandardAgendaError("", f"expected a list of items, got {type(raw).__name__}")
    if len(raw) > MAX_ITEMS:
        raise StandardAgendaError("", f"at most {MAX_ITEMS} items, got {len(raw)}")
    out: list[dict[str, str]] = []
    seen_closing = False
    for i, entry in enumerate(raw):
        path = f"[{i}]"
        if isinstance(entry, str):
            entry = {"title": entry}
        if not isinstance(entry, dict):
            raise StandardAgendaError(path, "expected a mapping with title, kind and part")
        unknown = set(entry) - {"title", "kind", "part"}
        if unknown:
            raise StandardAgendaError(path, "unknown key(s) " + ", ".join(sorted(unknown))
                                      + "; allowed: title, kind, part")
        title = entry.get("title")
        if not isinstance(title, str) or not title.strip():
            raise StandardAgendaError(f"{path}.title", "every item needs a title")
        if len(title.strip()) > MAX_TITLE:
            raise StandardAgendaError(f"{path}.title", f"at most {MAX_TITLE} characters")
        kind = entry.get("kind", "information")
        if kind not in KINDS:
            raise StandardAgendaError(f"{path}.kind", f"'{kind}' is not one of "
                                      + ", ".join(KINDS))
        part = entry.get("part", OPENING)
        if part not in PARTS:
            raise StandardAgendaError(f"{path}.part", f"'{part}' is not opening or closing")
        if part == CLOSING:
            seen_closing = True
        elif seen_closing:
            raise StandardAgendaError(f"{path}.part", "an opening item cannot come after a "
                                      "closing one")
        out.append({"title": title.strip(), "kind": kind, "part": part})
    return out


def validate_standard_agenda(value: Any) -> None:
    """Model field validator: the admin shows what is wrong, on the field, in Swedish."""
    try:
        parse_standard_agenda(value if value is not None else [])
    except StandardAgendaError as exc:
        raise ValidationError(
            _("The standard agenda is not valid at %(where)s: %(problem)s. Each item has a "
              "title, a kind (information, dialogue, decision or election) and a part "
              "(opening or closing).")
            % {"where": exc.path or _("the top"), "problem": exc.message},
            code="standard_agenda") from exc
