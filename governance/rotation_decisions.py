"""Rotation extensions as decisions (V3, V8): which bodies may extend a chair period, and
the one governance service that writes a decided extension into ``Body.rotation``.

The decision itself (the meeting that took it, unanimity) is recorded by
``meetings.rotation_extensions``, which sits above governance and calls
``body_rotation_extend`` here; ``governance.rules`` keeps reading the extension from
``Body.rotation["extensions"]`` unchanged (docs/rotation.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import rules
from .models import Body
from .services import Actor, save_with_history

#: what an extension needs, by the rotation's ``extension.requires`` (docs/presets.md)
REQUIRES = ("unanimous", "decision")


@dataclass(frozen=True)
class ExtensionPolicy:
    """A body's rule for extending a period: ``requires`` is ``unanimous`` (V3) or
    ``decision`` (V8, a decision of the group); ``rule_id`` names the seed rule."""

    requires: str
    rule_id: str

    @property
    def unanimous(self) -> bool:
        return self.requires == "unanimous"

    @property
    def source(self) -> str:
        """``V3, seed 004`` for messages."""
        return rules.source(self.rule_id) if self.rule_id else ""


def extension_policy(rotation: Any) -> ExtensionPolicy | None:
    """The body's extension rule from its rotation data, or ``None`` when the data does not
    allow extending a period (the rotation's ``extension`` key is absent)."""
    if not isinstance(rotation, dict):
        return None
    ext = rotation.get("extension")
    if not isinstance(ext, dict) or ext.get("requires") not in REQUIRES:
        return None
    return ExtensionPolicy(requires=str(ext["requires"]), rule_id=str(ext.get("rule") or ""))


def extendable_periods(rotation: dict, *, on: dt.date, ahead: int = 2) -> list[rules.Period]:
    """The periods a decision taken on ``on`` may extend: the current one and the next
    ``ahead`` ones, those not already extended (a period is extended once)."""
    try:
        rule = rules.parse_rotation(rotation)
    except rules.RotationError:
        return []
    extended = {e.period_start for e in rule.extensions}
    year = max(on.year, rule.start_year)
    period = rules.period_for_year(rule, year)
    out = []
    for _i in range(ahead + 1):
        if period.start.year not in extended:
            out.append(period)
        period = rules.next_period(rule, period)
    return out


@transaction.atomic
def body_rotation_extend(*, body: Body, period_start: int, years: int,
                         decided_on: dt.date, note: str = "", decision_id: int | None = None,
                         actor: Actor, reason: str = "") -> Body:
    """Write the extension of the period starting ``period_start`` by ``years`` into the
    body's rotation (with history). Refuses, naming the field, when the body's rule does
    not allow extensions, the year does not start a period, or the period is already
    extended. ``decision_id`` links the entry to the recorded decision, so that reloading
    the preset keeps it (docs/presets.md)."""
    body = Body.objects.select_for_update().get(pk=body.pk)
    rotation = dict(body.rotation or {})
    policy = extension_policy(rotation)
    if policy is None:
        raise ValidationError({"period_start": ValidationError(
            _("%(body)s's rotation rule does not allow extending a period.")
            % {"body": body.name}, code="not_extendable")})
    extensions = [dict(e) for e in rotation.get("extensions") or [] if isinstance(e, dict)]
    if any(e.get("period_start") == period_start for e in extensions):
        raise ValidationError({"period_start": ValidationError(
            _("The period starting %(year)s is already extended.") % {"year": period_start},
            code="already_extended")})
    entry: dict[str, Any] = {"period_start": period_start, "years": years,
                             "decided_on": decided_on.isoformat()}
    if note:
        entry["note"] = note
    if decision_id is not None:
        entry["decision"] = decision_id
    extensions.append(entry)
    extensions.sort(key=lambda e: e.get("period_start") or 0)
    rotation["extensions"] = extensions
    try:
        rules.parse_rotation(rotation)
    except rules.RotationError as exc:
        raise ValidationError({"period_start": ValidationError(
            _("%(year)s is not the first year of a chair period of %(body)s.")
            % {"year": period_start, "body": body.name}, code="not_a_period")}) from exc
    body.rotation = rotation
    save_with_history(body, actor=actor, reason=reason or _(
        "Chair period from %(year)s extended by decision (%(rule)s)")
        % {"year": period_start, "rule": policy.source})
    return body
