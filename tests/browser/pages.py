"""Every page of the project as a path in the browser tests' world, by URL name.

``PAGES`` builds the path(s) of each named URL pattern that renders an HTML page on GET;
``NOT_PAGES`` names the patterns that do not (POST-only actions, files, feeds) and why.
A test checks that every named pattern of the URLconf (and every entry of the
authorisation matrix, once ``tests/test_authorization_matrix.py`` has one) is in one of
the two, so a new page cannot escape the accessibility check.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from .world import World


def _meeting(w: World) -> int:
    return w.meeting.pk


def _item(w: World) -> int:
    return w.meeting.items.order_by("position").first().pk


def _absence_link(w: World) -> list[str]:
    from meetings.emails import absence_token

    return [f"/moten/{w.meeting.pk}/forhinder/{absence_token(w.meeting, w.people['member_a'])}/"]


def _replace_path(w: World) -> str:
    """"Byt ledamot" for member A's seat in body A (issue 11)."""
    m = w.people["member_a"].memberships.filter(seat__body=w.body_a).first()
    return f"/organ/{w.body_a.slug}/platser/{m.seat_id}/byt-ledamot/?ledamot={m.pk}"


def _minutes_check(w: World) -> list[str]:
    """The checker's page needs minutes waiting for a checker: a Länsledning meeting last
    week that member A attended, its minutes sent to A (made here, once per world)."""
    import datetime as dt

    from meetings import services
    from meetings.models import Minutes

    waiting = Minutes.objects.filter(checkers=w.people["member_a"], status="with_checkers")
    if not waiting.exists():
        start = timezone.now().replace(microsecond=0) - dt.timedelta(days=7)
        held = services.meeting_plan(actor=None, body=w.body_a, start=start,
                                     end=start + dt.timedelta(hours=2), place="Regionens hus",
                                     title="Länsledningens möte (justeras)")
        services.agenda_item_add(actor=None, meeting=held, title="Psykisk hälsa – lägesbild")
        services.attendance_record(actor=None, meeting=held,
                                   attended={w.people["member_a"].pk: True})
        minutes = services.minutes_create(actor=None, meeting=held)
        services.minutes_update(actor=None, minutes=minutes, summary="Kort sammanfattning.",
                                checkers=[w.people["member_a"]])
        services.minutes_send_to_checkers(actor=None, minutes=minutes)
    return [f"/moten/{waiting.first().meeting_id}/protokoll/justera/"]


def _election(w: World) -> list[str]:
    """The election item (H13) on body A's last meeting of the year."""
    from meetings.models import AgendaItem

    item = (AgendaItem.objects.filter(meeting__body=w.body_a, kind="election")
            .order_by("-meeting__start").first())
    assert item is not None, "the world has no election item on body A's meetings"
    return [f"/moten/{item.meeting_id}/dagordning/{item.pk}/val/"]


def _rotation_extend(_w: World) -> list[str]:
    """Västerbotten's Samråd, whose chair period may be extended (V3)."""
    from django.core.management import call_command

    from governance.models import Body

    if not Body.objects.filter(slug="samrad-vard-och-omsorg").exists():
        call_command("load_structure", "vasterbotten", verbosity=0)
    return ["/organ/samrad-vard-och-omsorg/forlang-ordforandeskap/"]


def _year(_w: World) -> int:
    return timezone.localdate().year


PageBuilder = Callable[[World], Iterable[str]]

PAGES: dict[str, PageBuilder] = {
    # governance
    "public:home": lambda w: ["/"],
    "governance:structure": lambda w: [f"/struktur/{w.body_a.structure.slug}/"],
    "governance:body": lambda w: [f"/organ/{w.body_a.slug}/", "/organ/halsam/",
                                  f"/organ/{w.body_b.slug}/"],
    "governance:rules": lambda w: ["/regler/"],
    "governance:replace_member": lambda w: [_replace_path(w)],
    "governance:record_office": lambda w: [f"/organ/{w.body_a.slug}/uppdrag/ny/"],
    # meetings
    "meetings:detail": lambda w: [f"/moten/{_meeting(w)}/"],
    "meetings:absence": lambda w: [f"/moten/{_meeting(w)}/forhinder/"],
    "meetings:absence_link": _absence_link,
    "meetings:edit": lambda w: [f"/moten/{_meeting(w)}/andra/"],
    "meetings:notice_preview": lambda w: [f"/moten/{_meeting(w)}/kallelse/"],
    "meetings:cancel": lambda w: [f"/moten/{_meeting(w)}/installa/"],
    "meetings:agenda": lambda w: [f"/moten/{_meeting(w)}/dagordning/"],
    "meetings:item_edit": lambda w: [f"/moten/{_meeting(w)}/dagordning/{_item(w)}/"],
    "meetings:item_papers": lambda w: [f"/moten/{_meeting(w)}/dagordning/{_item(w)}/handlingar/",
                                       f"/moten/{_meeting(w)}/dagordning/{_item(w)}/handlingar/"
                                       "?q=samordnad"],
    "meetings:election": _election,
    "meetings:rotation_extend": _rotation_extend,
    "meetings:attendance": lambda w: [f"/moten/{_meeting(w)}/narvaro/"],
    "meetings:minutes": lambda w: [f"/moten/{_meeting(w)}/protokoll/"],
    "meetings:minutes_check": _minutes_check,
    "meetings:plan_index": lambda w: ["/samordning/plan/"],
    "meetings:shortfalls": lambda w: [f"/samordning/plan/{_year(w)}/brister/"],
    "meetings:plan": lambda w: [f"/samordning/plan/{w.body_a.slug}/{_year(w) + 1}/"],
    "meetings:calendar": lambda w: ["/kalender/"],
    "meetings:calendar_year": lambda w: [f"/kalender/{_year(w) + 1}/"],
    # documents
    "documents:register": lambda w: ["/dokument/", "/dokument/?q=plan&in_force=on"],
    "documents:create": lambda w: ["/dokument/ny/"],
    "documents:detail": lambda w: [f"/dokument/{w.document.pk}/"],
    "documents:edit": lambda w: [f"/dokument/{w.document.pk}/andra/"],
    "documents:upload": lambda w: [f"/dokument/{w.document.pk}/ny-version/"],
    "documents:terminate": lambda w: [f"/dokument/{w.document.pk}/uppsagning/"],
    "documents:transition": lambda w: [
        f"/dokument/{w.document.pk}/v{w.version.number}/steg/dra-tillbaka/"],
    "documents:editor_queue": lambda w: ["/redaktion/"],
    "documents:version_accessibility": lambda w: [
        f"/redaktion/version/{w.version.pk}/tillganglighet/"],
    "documents:accessibility_statement": lambda w: ["/tillganglighet/"],
    "documents:accessibility_statement_edit": lambda w: ["/tillganglighet/redigera/"],
    # accounts and the member portal (the roles engineer's; names as Django's auth views)
    "portal:home": lambda w: ["/mina-sidor/"],
    # the start pages of the roles (portal/urls.py); /start/ only redirects to them
    "portal:start": lambda w: ["/start/"],
    "portal:week": lambda w: ["/samordning/"],
    "portal:offices": lambda w: ["/samordning/ordforandeskap/"],
    "portal:secretary": lambda w: ["/sekreterare/"],
    "public:search": lambda w: ["/sok/", "/sok/?q=L%C3%A4nsledning", "/sok/?q=x"],
    "login": lambda w: ["/accounts/login/"],
    "password_reset": lambda w: ["/accounts/password_reset/"],
    "password_reset_done": lambda w: ["/accounts/password_reset/done/"],
    "password_reset_complete": lambda w: ["/accounts/reset/done/"],
    "password_change": lambda w: ["/accounts/password_change/"],
    "password_change_done": lambda w: ["/accounts/password_change/done/"],
}

# Named patterns that are not HTML pages on GET, with the reason.
NOT_PAGES: dict[str, str] = {
    "meetings:absence_withdraw": "POST only (Ångra förhinder on the absence and meeting pages)",
    "meetings:notice_send": "POST only (the confirm step of the notice preview)",
    "meetings:notice_agenda_pdf": "a file (the agenda PDF the notice carries)",
    "meetings:item_move": "POST only",
    "meetings:item_delete": "POST only",
    "meetings:minutes_action": "POST only",
    "meetings:minutes_pdf": "a PDF file (the minutes)",
    "meetings:agenda_pdf": "a PDF file (the agenda)",
    "meetings:attachment": "a file download",
    "meetings:meeting_ics": "a calendar file download (text/calendar)",
    "meetings:attachment_add": "POST only (the upload form is on the item's papers page)",
    "meetings:agenda_reorder": "POST only (the whole new order, from js/agenda.js)",
    "meetings:paper_remove": "POST only",
    "documents:download": "a file download",
    "documents:feed": "an Atom feed",
    "feeds:body": "an iCalendar feed (text/calendar)",
    "feeds:person": "an iCalendar feed (text/calendar)",
    "portal:calendar": "POST only (the calendar link buttons on /mina-sidor/)",
    "logout": "POST only",
    "password_reset_confirm": "needs a token from an e-mail; the form is password_change's",
    "set_language": "POST only (the language form in the header)",
}

# Prefixes of URL names that are not ours to check (Django's admin has its own test).
FOREIGN_PREFIXES = ("admin:",)


def url_names() -> list[str]:
    """Every named URL pattern of the project, as ``namespace:name``."""
    names: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.append(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


def _builder(name: str) -> PageBuilder | None:
    """The path builder of ``name``: listed in PAGES, or ``reverse(name)`` for a pattern
    without arguments (whatever it answers on GET; only HTML pages are checked)."""
    builder = PAGES.get(name) or PAGES.get(name.rsplit(":", 1)[-1])
    if builder is not None:
        return builder
    try:
        path = reverse(name)
    except NoReverseMatch:
        return None
    return lambda w: [path]


def uncovered(names: Iterable[str]) -> list[str]:
    """The names with no path builder that are not in NOT_PAGES (nor Django's admin)."""
    return [n for n in names
            if n not in NOT_PAGES and n.rsplit(":", 1)[-1] not in NOT_PAGES
            and not n.startswith(FOREIGN_PREFIXES) and _builder(n) is None]


def all_paths(world: World, names: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(url name, path) of every page in ``names`` (default: every named pattern)."""
    wanted = url_names() if names is None else list(names)
    out = []
    for name in wanted:
        if name.startswith(FOREIGN_PREFIXES) or name in NOT_PAGES \
                or name.rsplit(":", 1)[-1] in NOT_PAGES:
            continue
        builder = _builder(name)
        if builder is None:
            continue
        out += [(name, path) for path in builder(world)]
    return out
