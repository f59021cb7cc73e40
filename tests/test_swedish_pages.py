"""No English on a Swedish page: every page of the authorisation matrix, as every persona
that may see it, and the admin pages the staff personas see.

The English strings looked for (docs/language.md):

(a) every msgid of the project's catalogue (``locale/sv``) whose Swedish translation
    differs from the msgid (an empty translation differs too: it is English that shows);
(b) the msgids of the packages whose strings reach our pages: Django's core (forms,
    validation), ``contrib.admin``, ``contrib.auth``, ``contrib.contenttypes``, from their
    ``sv`` catalogues under site-packages, where the Swedish msgstr differs from the msgid;
    and django-simple-history, django-guardian and django-axes, which ship no Swedish:
    every msgid of any of their catalogues (their Swedish, where there is any, is ours);
(c) a few English words that are not msgids but have leaked before (``EXTRA_ENGLISH``).

A msgid whose Swedish translation anywhere is the msgid itself ("Status", "Portal") is not
English. Each msgid is cut into fragments at its placeholders (``%(name)s``, ``%s``,
``{name}``), HTML tags and line ends, with punctuation trimmed from both ends. THE RULE: a
fragment is looked for only when it has at least two words or at least ten letters, so
that one short word that Swedish shares with English ("Status", "Start", "Region") does
not give a false hit; and a one-word fragment is dropped when the word occurs in any
Swedish translation of these catalogues ("administration", "information"). Fragments are
matched case-sensitively as whole words ("/" joins words: "application/pdf" is one).

A page's text is what a visitor can read or hear: the text of the HTML without scripts
and styles, ``<option>`` texts included, and the attributes ``title``, ``aria-label``,
``placeholder``, ``alt``, the ``value`` of buttons and the meta description. Each hit is
reported with the phrase, where it came from, the page (matrix key and URL) and the
persona.

This test fails while translations are pending (a new msgid without its Swedish);
``test_the_check_finds_an_untranslated_view_history`` guards that it can fail.
"""
from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests import test_authorization_matrix as matrix
from tests.conftest import close_response
from tests.test_authorization_matrix import MATRIX, POST_ONLY, _admin_url, _base, url_patterns

world = matrix.world  # the matrix's world (its fixture), reused as it is

BASE_DIR = Path(__file__).resolve().parent.parent
OUR_CATALOGUE = BASE_DIR / "locale" / "sv" / "LC_MESSAGES" / "django.po"
SITE_PACKAGES = Path(django.__file__).resolve().parent.parent
DJANGO_DIR = Path(django.__file__).resolve().parent

# Packages with a Swedish catalogue of their own: (label, locale folder).
WITH_SWEDISH = [
    ("django", DJANGO_DIR / "conf" / "locale"),
    ("django.contrib.admin", DJANGO_DIR / "contrib" / "admin" / "locale"),
    ("django.contrib.auth", DJANGO_DIR / "contrib" / "auth" / "locale"),
    ("django.contrib.contenttypes", DJANGO_DIR / "contrib" / "contenttypes" / "locale"),
]
# Packages without Swedish: every msgid of every language they ship.
WITHOUT_SWEDISH = [
    ("simple_history", SITE_PACKAGES / "simple_history" / "locale"),
    ("guardian", SITE_PACKAGES / "guardian" / "locale"),
    ("axes", SITE_PACKAGES / "axes" / "locale"),
]
# English that is no msgid but has shown on pages: str(AnonymousUser) in history tables.
EXTRA_ENGLISH = {"AnonymousUser": "str(AnonymousUser)"}

STAFF = ("editor", "coordinator")
MIN_WORDS, MIN_LETTERS = 2, 10

PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
                         r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{[A-Za-z_]?\w*\}"
                         r"|<[^>]*>|\n|%%")
EDGE = " \t\u00a0.,:;!?()[]\"'“”‘’«»–—-/…*"
WORD = re.compile(r"[^\W\d_]+")


# --- the English strings ------------------------------------------------------------------

def fragments(msgid: str) -> list[str]:
    """The parts of a msgid that are looked for (THE RULE in the module docstring)."""
    out = []
    for part in PLACEHOLDER.split(msgid):
        part = " ".join(part.split()).strip(EDGE)
        if not part:
            continue
        words = WORD.findall(part)
        if len(words) >= MIN_WORDS or sum(len(w) for w in words) >= MIN_LETTERS:
            out.append(part)
    return out


def _entries(path: Path):
    for e in polib.pofile(str(path)):
        if e.msgid and not e.obsolete:
            yield e


def _sources(e: polib.POEntry) -> list[tuple[str, list[str]]]:
    """(English msgid, its Swedish forms) for a singular or a plural entry."""
    if e.msgid_plural:
        forms = [e.msgstr_plural[k] for k in sorted(e.msgstr_plural)]
        return [(e.msgid, forms[:1]), (e.msgid_plural, forms[1:] or forms[:1])]
    return [(e.msgid, [e.msgstr])]


def english_strings() -> dict[str, str]:
    """English fragment -> where it comes from (the catalogue and its msgid)."""
    same: set[str] = set()  # msgids Swedish writes the same way
    swedish_words: set[str] = set()  # every word of every Swedish translation
    candidates: list[tuple[str, str]] = []
    swedish = [("HälSam", OUR_CATALOGUE)] + [
        (label, folder / "sv" / "LC_MESSAGES" / "django.po") for label, folder in WITH_SWEDISH]
    for label, path in swedish:
        for e in _entries(path):
            for msgid, forms in _sources(e):
                for form in forms:
                    swedish_words.update(w.lower() for w in WORD.findall(form))
                if forms and all(f == msgid for f in forms):
                    same.add(msgid)
                else:
                    candidates.append((label, msgid))
    for label, folder in WITHOUT_SWEDISH:
        for path in sorted(folder.glob("*/LC_MESSAGES/django.po")):
            for e in _entries(path):
                candidates += [(label, msgid) for msgid, _forms in _sources(e)]
    found: dict[str, str] = {}
    for label, msgid in candidates:
        if msgid in same:
            continue
        for part in fragments(msgid):
            words = WORD.findall(part)
            if len(words) == 1 and words[0].lower() in swedish_words:
                continue
            found.setdefault(part, f"{label}: {msgid[:80]!r}")
    found.update(EXTRA_ENGLISH)
    return found


# --- what a page says ------------------------------------------------------------------------

class _VisibleText(HTMLParser):
    SKIP = {"script", "style", "template"}
    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.SKIP:
            self._skipping += 1
        for name in self.ATTRIBUTES:
            if a.get(name):
                self.parts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.parts.append(a["value"])
        if tag == "meta" and a.get("name") == "description" and a.get("content"):
            self.parts.append(a["content"])
        if tag in ("option", "optgroup") and a.get("label"):
            self.parts.append(a["label"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.SKIP:
            self._skipping -= 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(" ".join(p.split()) for p in parser.parts)


def _joins(char: str) -> bool:
    return char.isalnum() or char in "_/"


def english_in(text: str, english: dict[str, str]) -> list[tuple[str, str, str]]:
    """(phrase, where it comes from, the text around it) for each English phrase."""
    hits = []
    for phrase, source in english.items():
        start = text.find(phrase)
        while start != -1:
            end = start + len(phrase)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not _joins(before) and not _joins(after):
                context = text[max(0, start - 30):end + 30].replace("\n", " | ")
                hits.append((phrase, source, context))
                break
            start = text.find(phrase, start + 1)
    return hits


# --- the pages ----------------------------------------------------------------------------

OBJECT_PAGES = ("_simple_history", "_password_change", "_change", "_delete", "_history")


def _object_for(key: str):
    """The first object of the model an admin URL name is about (or None)."""
    name = key.removeprefix("admin:")
    for suffix in OBJECT_PAGES:
        if name.endswith(suffix):
            prefix = name.removesuffix(suffix)
            for model in apps.get_models():
                if f"{model._meta.app_label}_{model._meta.model_name}" == prefix:
                    return model._default_manager.order_by("pk").first()
            return None
    return None


def _admin_page_url(key: str, full: str, kwargs: dict) -> str | None:
    obj = _object_for(key)
    if key.endswith("_simple_history"):
        if obj is None or not hasattr(obj, "history") or not obj.history.exists():
            return None
        return reverse(key, args=[str(obj.pk), str(obj.history.order_by("pk").first().pk)])
    if obj is not None:
        name = "id" if key.endswith("_password_change") else "object_id"
        return reverse(key, kwargs={name: str(obj.pk)})
    if key.endswith(OBJECT_PAGES):
        return None  # no object of that model in the world
    return _admin_url(key, full, kwargs)


def pages(world) -> list[tuple[str, str, str]]:
    """(matrix key, URL, persona) of every HTML page a persona may see."""
    out = []
    for key, answers in MATRIX.items():
        if _base(key) in POST_ONLY:
            continue
        try:
            url = reverse(_base(key), kwargs=world["kwargs"].get(key))
        except NoReverseMatch:
            continue  # a stale entry: test_every_url_is_in_the_matrix reports it
        out += [(key, url, persona) for persona, answer in answers.items() if answer == 200]
    for key, full, _p in url_patterns():
        if not full.startswith("admin/") or key in ("admin:logout", "admin:login"):
            continue
        url = _admin_page_url(key, full, world["kwargs"])
        if url is not None:
            out += [(key, url, persona) for persona in STAFF]
    return out


def _client(user) -> Client:
    client = Client(headers={"accept-language": "sv"})
    if user.is_authenticated:
        client.force_login(user)
    return client


def test_no_english_on_any_page(world):
    english = english_strings()
    users = world["users"]
    clients = {persona: _client(user) for persona, user in users.items()}
    hits: dict[tuple[str, str, str], list[tuple[str, str, str]]] = defaultdict(list)
    seen = 0
    errors = []
    for key, url, persona in pages(world):
        try:
            response = clients[persona].get(url)
        except Exception as exc:  # noqa: BLE001 - reported with the others
            errors.append(f"{key} {url} as {persona}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        close_response(response)  # file downloads hold their file open
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert '<html lang="sv"' in html, f"{key} {url} as {persona} is not in Swedish"
        seen += 1
        for hit in english_in(visible_text(html), english):
            hits[(key, url, persona)].append(hit)
    assert seen > 100  # the matrix's pages and the admin's, not a handful
    report = [f"{line} (the page fails)" for line in errors]
    report += [f"{key} {url} as {persona}:\n" + "\n".join(
        f"    {phrase!r}  ({source})  …{context}…" for phrase, source, context in found)
        for (key, url, persona), found in sorted(hits.items())]
    assert not report, (
        f"English on {len(report)} Swedish page(s); translate the msgid (a pending .po "
        "fragment, docs/language.md):\n  " + "\n  ".join(report))


# --- guarding the guard -----------------------------------------------------------------------

def test_fragments_follow_the_rule():
    assert fragments("View history: %s") == ["View history"]
    assert fragments("Add another %(verbose_name)s") == ["Add another"]
    assert fragments("Status") == [] and fragments("Region") == []  # one short word
    assert fragments("Attendance") == ["Attendance"]  # ten letters
    assert fragments('<a href="%(url)s">Log in again</a>') == ["Log in again"]
    assert fragments("%(count)d meeting is planned.") == ["meeting is planned"]


def test_the_check_finds_an_untranslated_view_history():
    english = english_strings()
    assert "View history" in english  # simple_history's "View history: %s"
    assert "Changed by" in english and "Change reason" in english
    assert "Add another" in english  # Django admin's "Add another %(verbose_name)s"
    assert "Report absence" in english  # our own catalogue
    html = ('<main><h1>Organ A</h1><p>Senaste händelser</p>'
            '<a href="h/" title="View history">Historik</a>'
            '<script>var s = "Changed by";</script><input placeholder="Change reason">'
            '<select><option>Add another</option></select></main>')
    text = visible_text(html)
    assert "Changed by" not in text  # scripts are not read
    found = {phrase for phrase, _source, _context in english_in(text, english)}
    assert {"View history", "Change reason", "Add another"} <= found


def test_swedish_text_gives_no_hit():
    english = english_strings()
    html = ('<main><h1>Mina sidor</h1><p title="Visa historik">Lägg till ytterligare '
            'medlemskap. Senaste händelser: fredag 11 december 2026 kl. 13.00–15.00. '
            'Status: Region Västernorrland, Portal.</p><input type="submit" value="Spara"></main>')
    assert english_in(visible_text(html), english) == []


def test_a_phrase_counts_only_as_whole_words():
    english = {"Log out": "x"}
    assert english_in("Log out", english) and english_in("Hej | Log out.", english)
    assert not english_in("Log outside", english) and not english_in("XLog out", english)
    assert not english_in("application/pdf", {"application": "x"})


def test_one_word_that_is_swedish_too_is_not_english():
    english = english_strings()
    assert "administration" not in english  # "%(app)s administration"; Swedish as well
    assert "Attendance" in english  # one long word that is not Swedish


# --- Swedish quotation marks ------------------------------------------------------------------

NOT_SWEDISH_QUOTES = re.compile(r"[“„«»\"]|(?<!\w)'[^']+'(?!\w)")


def quote_problems(text: str) -> list[str]:
    """English or straight quotation marks outside HTML tags (Swedish writes ”…”)."""
    return NOT_SWEDISH_QUOTES.findall(re.sub(r"<[^>]*>", "", text))


def test_our_swedish_uses_swedish_quotation_marks():
    assert quote_problems("Dokumentet “Avtal” och 'Plan'") == ["“", "'Plan'"]
    assert quote_problems('Se <a href="%(url)s">”Avtal”</a>, regionens') == []
    wrong = []
    for e in _entries(OUR_CATALOGUE):
        for _msgid, forms in _sources(e):
            wrong += [f"{e.msgid[:60]!r} -> {form!r}" for form in forms if quote_problems(form)]
    assert not wrong, "Use ”…” in Swedish:\n  " + "\n  ".join(wrong)
