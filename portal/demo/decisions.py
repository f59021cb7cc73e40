"""The demo's decisions on the rotation: Samrådet för vård och omsorg extends the coming
chair period by one year, unanimously, at its latest held meeting (V3 "Längre period kan
beslutas vid enighet"), through the same service as the coordinator's form
(``meetings.rotation_extensions``). The holders already elected for that period keep
their offices to its new end. A second run finds the decision and changes nothing."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from governance import rules
from governance.models import Body, OfficeTerm
from governance.rotation_decisions import extension_policy
from governance.services import office_term_end
from meetings.models import Meeting, RotationExtension
from meetings.rotation_extensions import HELD, rotation_extension_record

from .common import REASON

BODY = "samrad-vard-och-omsorg"


def extend_chair_period(*, actor, today: dt.date) -> RotationExtension | None:
    body = Body.objects.filter(slug=BODY).first()
    if body is None or extension_policy(body.rotation) is None:
        return None
    if RotationExtension.objects.filter(body=body).exists():
        return None
    rule = rules.parse_rotation(body.rotation)
    coming = today.year + 1
    period = rules.period_for_year(rule, coming)
    if period.start.year != coming:
        return None
    meeting = (Meeting.objects.filter(body=body, status__in=HELD,
                                      start__year=today.year).order_by("-start").first())
    if meeting is None or timezone.localdate(meeting.start) > today:
        return None
    decision = rotation_extension_record(
        body=body, meeting=meeting, period_start=coming, years=1, unanimous=True,
        note="Enigt beslut om förlängd period för ordförande och vice ordförande.",
        actor=actor, reason=REASON)
    body.refresh_from_db()
    longer = rules.period_for_year(rules.parse_rotation(body.rotation), coming)
    for term in OfficeTerm.objects.filter(body=body, start=period.start, end=period.end):
        office_term_end(actor=actor, office_term=term, end=longer.end, reason=REASON)
    return decision
