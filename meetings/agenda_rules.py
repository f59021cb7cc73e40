"""Where agenda items go, and whether a new order is acceptable: pure functions, no database.

The formal items of a body's standard agenda (``governance.standard_agenda``) frame the
agenda: opening formalia first, closing formalia ("Övriga frågor", "Mötets avslutande")
last. A new item goes before the closing formalia; the election item the rotation rule
puts on the year's last meeting (H13) goes right after the opening formalia.
"""
from __future__ import annotations

from collections.abc import Sequence

OPENING, CLOSING = "opening", "closing"

# Problems with a proposed order (codes of the ValidationError the service raises).
MALFORMED = "malformed"  # not a list of item ids
DUPLICATE = "duplicate"  # an item twice
STALE = "stale"  # the set of items differs: someone added or removed one meanwhile


def insert_index(formalia: Sequence[str], *, after_opening: bool = False) -> int:
    """The index a new item takes in an agenda whose items have ``formalia`` (in order).

    Before the first closing formal item (or at the end); with ``after_opening``, right
    after the last opening formal item that comes before the closing ones (or first).
    """
    closing = next((i for i, f in enumerate(formalia) if f == CLOSING), len(formalia))
    if not after_opening:
        return closing
    return max((i + 1 for i, f in enumerate(formalia[:closing]) if f == OPENING), default=0)


def order_problem(current: Sequence[int], proposed: Sequence[int]) -> str | None:
    """Why ``proposed`` (item ids) cannot be the agenda's new order, or None when it can.

    It must name every current item exactly once: an id missing or unknown means the
    agenda changed since the page was loaded (``STALE``), and nothing is moved.
    """
    if any(not isinstance(pk, int) or isinstance(pk, bool) for pk in proposed):
        return MALFORMED
    if len(set(proposed)) != len(proposed):
        return DUPLICATE
    if set(proposed) != set(current):
        return STALE
    return None


# The most item ids an order may name; a longer list is malformed, not work to do.
MAX_ORDER = 500


def parse_order(raw: str | Sequence[str]) -> list[int] | None:
    """Item ids from a form value ("12,14,13") or a list of strings; None when malformed."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    if len(parts) > MAX_ORDER:  # no agenda has that many items (issue 12 §6)
        return None
    out: list[int] = []
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        if not text.isdigit() or len(text) > 12:
            return None
        out.append(int(text))
    return out or None
