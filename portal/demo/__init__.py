"""``manage.py demo``: a living year of HälSam (and its neighbours) to look at and try.

The parts, each a module:

- ``people``: the presets of HälSam, Västerbotten and Jämtland Härjedalen loaded and
  every seat filled with fictive people (substitutes where the seeds have them), office
  holders by the rotation rules, secretaries, and the demo logins with their permissions;
- ``meetings`` (dates in ``year``, texts in ``content``): every body's meetings of this
  year and the next, held ones with attendance and minutes, coming ones with agendas,
  papers, notices and an absence;
- ``documents``: the seeds' agreements and the published minutes as accessible PDFs in
  the register, and a few versions waiting for review, approval and publishing.

Everything goes through the services, in one transaction; e-mail (the notices) goes to
an in-memory mailbox, never to anyone. A part that finds its data there leaves it alone,
so a second run changes nothing.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

from governance.models import Structure
from governance.presets import load_structure
from governance.roles import ensure_role_groups
from meetings.delivery import inline_sending

from .common import DEFAULT_PASSWORD, PRESETS, REASON, SEED, Tally
from .decisions import extend_chair_period
from .documents import Register
from .meetings import Year
from .people import SECRETARY_LOGIN, Filler, create_logins

__all__ = ["DEFAULT_PASSWORD", "MAILBOX", "SEED", "Tally", "build"]

# Where the demo's e-mail goes: kept in memory for the length of the command.
MAILBOX = "django.core.mail.backends.locmem.EmailBackend"


def build(*, password: str = DEFAULT_PASSWORD, seed: int = SEED,
          now: dt.datetime | None = None) -> Tally:
    """Make (or complete) the demo; returns what was made. Raises ``PresetError`` when a
    preset cannot be loaded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tally = Tally()
    with translation.override("sv"), override_settings(EMAIL_BACKEND=MAILBOX), \
            inline_sending(), _quiet("meetings.delivery", "pikepdf"):
        before = len(getattr(mail, "outbox", []))
        # The notices are sent when this transaction commits, still into the mailbox.
        with transaction.atomic():
            _build(tally, password=password, seed=seed, now=now, today=today)
        tally.emails = len(getattr(mail, "outbox", [])) - before
    return tally


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Loggers that say "claimed …" once a meeting, or hello once a process: not for the
    demo's console (warnings still show)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _build(tally: Tally, *, password: str, seed: int, now: dt.datetime, today: dt.date) -> None:
    groups = ensure_role_groups()
    structures = []
    for slug in PRESETS:
        if not Structure.objects.filter(slug=slug).exists():
            load_structure(slug, reason=REASON)
        structures.append(Structure.objects.get(slug=slug))
    fillers = {}
    for i, structure in enumerate(structures):
        filler = Filler(structure, seed=seed + i, tally=tally, today=today)
        filler.fill()
        fillers[structure.pk] = filler
    logins = create_logins(tally, groups, password, today=today)
    secretary = get_user_model().objects.filter(username=SECRETARY_LOGIN[0]).first()
    register = Register(coordinator=logins.coordinator, editor=logins.editor, tally=tally,
                        today=today, secretary=secretary)
    register.agreements()
    for structure in structures:
        year = Year(structure=structure, filler=fillers[structure.pk], register=register,
                    coordinator=logins.coordinator, secretary=secretary, tally=tally, now=now,
                    seed=seed)
        year.absences(year.build())
    extend_chair_period(actor=logins.coordinator, today=today)  # V3, issue 13
    register.queue()
    # No calendar link is made for the demo's members: a link is shown once, to the member
    # who makes it on Mina sidor ("Skapa en kalenderlänk"), issue 12 §4.
