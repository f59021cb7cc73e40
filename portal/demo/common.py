"""What every part of the demo shares: its constants and the tally of what it made."""
from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_PASSWORD = "demo-halsam-2026"  # noqa: S105 - a printed demo password, by design
EMAIL_DOMAIN = "exempel.invalid"  # RFC 2606: can never reach anyone
SEED = 2026
REASON = "Demo data (manage.py demo)"
# The structures the demo loads and fills; the first is the one on the home page.
PRESETS = ("halsam-vasternorrland", "vasterbotten", "jamtland-harjedalen")


@dataclass
class Tally:
    """What one run of the demo created (all zero on a second run)."""

    people: int = 0
    memberships: int = 0
    offices: int = 0
    users: int = 0
    permissions: int = 0
    meetings: int = 0
    items: int = 0
    papers: int = 0
    minutes: int = 0
    notices: int = 0
    absences: int = 0
    documents: int = 0
    versions: int = 0
    emails: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    COUNTED = ("people", "memberships", "offices", "users", "permissions", "meetings", "items",
               "papers", "minutes", "notices", "absences", "documents", "versions")

    @property
    def changed(self) -> bool:
        return any(getattr(self, name) for name in self.COUNTED)
