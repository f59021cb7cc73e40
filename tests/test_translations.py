"""The Swedish catalogue: complete, faithful to its placeholders, compiled, and in step
with the source.

The msgids are English; Swedish (``LANGUAGE_CODE = "sv"``) is what users see, so a UI
string without a Swedish translation is a bug. ``test_source_has_no_untranslated_strings``
regenerates the catalogue from a copy of the source, so a string added later without a
translation makes it fail. Regenerate and compile with::

    .venv/bin/python manage.py makemessages -l sv -l en --add-location=file \\
        --ignore=.venv --ignore=staticfiles --ignore=node_modules --ignore=tests \\
        --ignore=data --ignore=halsam.egg-info
    .venv/bin/python manage.py compilemessages --ignore=.venv
"""
from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.conftest import choose_language

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
SV_PO = LOCALE_DIR / "sv" / "LC_MESSAGES" / "django.po"
SV_MO = LOCALE_DIR / "sv" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"

# The same folders the documented makemessages command leaves out.
IGNORED_TOP_LEVEL = {".venv", "staticfiles", "node_modules", "tests", "data", "locale",
                     "halsam.egg-info"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # makemessages' defaults for the django domain

# printf-style (%(name)s, %d, %s) and str.format-style ({name}, {}) placeholders.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
                         r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
                         r"|\{[A-Za-z_]?\w*\}")


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def _active(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _catalogue(entries) -> dict[tuple[str | None, str], object]:
    """(msgctxt, msgid) -> translation, for the entries that have one."""
    table: dict[tuple[str | None, str], object] = {}
    for e in entries:
        if not e.msgid:
            continue  # the header
        if e.msgid_plural:
            forms = tuple(e.msgstr_plural[k] for k in sorted(e.msgstr_plural))
            if any(forms):
                table[(e.msgctxt, e.msgid)] = (e.msgid_plural, forms)
        elif e.msgstr:
            table[(e.msgctxt, e.msgid)] = e.msgstr
    return table


def _problems(po: polib.POFile) -> list[str]:
    problems = []
    for e in _active(po):
        where = ", ".join(path for path, _line in e.occurrences)
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {e.msgid!r} ({where})")
        elif not e.translated():
            problems.append(f"untranslated: {e.msgid!r} ({where})")
    return problems


@pytest.fixture(scope="module")
def sv_po() -> polib.POFile:
    return polib.pofile(str(SV_PO))


def test_sv_catalogue_declares_swedish_and_its_plural_forms(sv_po):
    assert sv_po.metadata["Language"] == "sv"
    assert sv_po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert "charset=UTF-8" in sv_po.metadata["Content-Type"]
    assert not sv_po.metadata_is_fuzzy


def test_sv_catalogue_has_no_untranslated_or_fuzzy_entries(sv_po):
    assert len(_active(sv_po)) > 100  # the real catalogue, not an empty stub
    assert _problems(sv_po) == []


def test_every_translation_keeps_the_placeholders_of_its_msgid(sv_po):
    wrong = []
    for e in _active(sv_po):
        if e.msgid_plural:
            # Swedish has the same two forms as English: singular and plural.
            pairs = [(e.msgid, e.msgstr_plural[0]), (e.msgid_plural, e.msgstr_plural[1])]
        else:
            pairs = [(e.msgid, e.msgstr)]
        for source, target in pairs:
            if target and _placeholders(source) != _placeholders(target):
                wrong.append((source, target))
    assert wrong == []


def test_placeholder_pattern_sees_what_it_must():
    # Guard the guard: the pattern must notice a dropped or renamed placeholder.
    assert _placeholders("%(n)d of %(total)d {name} %s 100%%") == Counter(
        ["%(n)d", "%(total)d", "{name}", "%s"])
    assert _placeholders("Hej %(name)s") != _placeholders("Hej %(namn)s")


@pytest.mark.parametrize(("po_path", "mo_path"), [(SV_PO, SV_MO), (EN_PO, EN_MO)],
                         ids=["sv", "en"])
def test_compiled_catalogue_matches_the_po_file(po_path: Path, mo_path: Path):
    assert po_path.is_file(), f"{po_path} is missing: run makemessages"
    assert mo_path.is_file(), f"{mo_path} is missing: run compilemessages"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    assert _catalogue(mo) == _catalogue(_active(po)), (
        f"{mo_path} is stale: run compilemessages")


def test_en_catalogue_exists_and_leaves_the_english_msgids_alone():
    po = polib.pofile(str(EN_PO))
    assert po.metadata["Language"] == "en"
    # An English msgstr would only ever repeat (or drift from) the msgid.
    assert _catalogue(_active(po)) == {}


def _copy_source(target: Path) -> None:
    """Copy what makemessages reads (python, templates, text) and the catalogues."""
    for top in BASE_DIR.iterdir():
        if top.name in IGNORED_TOP_LEVEL or top.name.startswith("."):
            continue
        files = [top] if top.is_file() else top.rglob("*")
        for path in files:
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            if "__pycache__" in path.parts or any(p.startswith(".") for p in path.parts[
                    len(BASE_DIR.parts):]):
                continue
            dest = target / path.relative_to(BASE_DIR)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    po_dir = target / "locale" / "sv" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    shutil.copyfile(SV_PO, po_dir / "django.po")


def regenerate_sv_catalogue(tmp_path, monkeypatch, settings, *,
                            extra: dict[str, str] | None = None) -> polib.POFile:
    """The sv catalogue as ``makemessages`` makes it from a copy of the source (plus the
    ``extra`` files, path -> text), for the tests that check what the source needs.

    makemessages walks the working directory and writes to LOCALE_PATHS: both point at
    the copy, so the real catalogue is never touched. Skips without GNU gettext.
    """
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed")
    _copy_source(tmp_path)
    for relative, text in (extra or {}).items():
        (tmp_path / relative).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    call_command("makemessages", locale=["sv"], add_location="file", verbosity=0)
    return polib.pofile(str(tmp_path / "locale" / "sv" / "LC_MESSAGES" / "django.po"))


def test_source_has_no_untranslated_strings(tmp_path, monkeypatch, settings):
    """Regenerate the sv catalogue from a copy of the source: every string is translated.

    Fails when a UI string was added or changed without re-running makemessages and
    translating it (or when a change made msgmerge mark an old translation fuzzy).
    """
    regenerated = regenerate_sv_catalogue(tmp_path, monkeypatch, settings)
    assert len(_active(regenerated)) > 100
    assert _problems(regenerated) == [], (
        "UI strings without a Swedish translation: run makemessages and translate them")
    # The copy really was scanned: every committed msgid is found in the source again.
    committed = {(e.msgctxt, e.msgid) for e in _active(polib.pofile(str(SV_PO)))}
    found = {(e.msgctxt, e.msgid) for e in _active(regenerated)}
    assert committed <= found | {(None, "")}, sorted(committed - found)[:10]


def test_a_new_string_in_the_source_is_caught(tmp_path, monkeypatch, settings):
    # Guard the guard: the same regeneration notices a string nobody has translated.
    regenerated = regenerate_sv_catalogue(tmp_path, monkeypatch, settings, extra={
        "governance/zz_new.py": "from django.utils.translation import gettext as _\n\n"
                                "LABEL = _('A string nobody has translated yet')\n"})
    # msgmerge may offer a near match marked fuzzy; either way it is reported.
    assert [p for p in _problems(regenerated) if "A string nobody has translated yet" in p
            and "(governance/zz_new.py)" in p], _problems(regenerated)


# --- What users see -------------------------------------------------------------------

@pytest.fixture
def halsam(db):
    call_command("load_structure", "halsam-vasternorrland", verbosity=0)


@pytest.mark.django_db
def test_home_is_swedish_by_default(client, halsam):
    html = client.get("/").content.decode()
    assert '<html lang="sv">' in html
    for swedish in ("Huvudmän", "Samverkansportalen", "Hoppa till innehållet",
                    "Beslut fattas endast av respektive huvudman."):
        assert swedish in html
    assert "Principals" not in html
    assert "Skip to content" not in html


@pytest.mark.django_db
def test_home_is_swedish_for_an_english_browser_and_english_when_chosen(client, halsam):
    """The browser's Accept-Language does not switch the portal (halsam/middleware.py);
    the language switcher's choice does."""
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="sv">' in html and "Huvudmän" in html
    choose_language(client, "en")
    html = client.get("/", headers={"accept-language": "sv"}).content.decode()
    assert '<html lang="en">' in html
    assert "Principals" in html and "Skip to content" in html
    assert "Huvudmän" not in html


@pytest.mark.django_db
def test_the_language_switch_changes_to_english_and_back(client, halsam):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Principals" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert "Huvudmän" in client.get("/").content.decode()


@pytest.mark.django_db
def test_admin_and_model_names_are_swedish(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    # Django's own Swedish (contrib.admin ships it) and the project's catalogue.
    assert "Logga ut" in html
    assert "Samverkanskoordinatorns administration" in html
    assert "Samverkansstrukturer" in html  # Structure's verbose_name_plural
    assert "Strukturer och organ" in html  # the governance app's verbose_name
    html = admin_client.get(reverse("admin:governance_body_changelist")).content.decode()
    assert "Välj organ att ändra" in html


def test_model_field_and_choice_labels_are_swedish():
    from governance.models import Body, BodyKind, Office

    with translation.override("sv"):
        assert str(Body._meta.verbose_name_plural) == "organ"
        assert str(BodyKind.PRESIDIUM.label) == "Presidium"
        # A body's only vice chair is "vice ordförande"; "1:e" only beside a 2:e (H12).
        assert str(Office.VICE_CHAIR.label) == "Vice ordförande"
        assert str(Office.CONVENER.label) == "Sammankallande"
    with translation.override("en"):
        assert str(Office.VICE_CHAIR.label) == "Vice chair"


def test_form_errors_and_plurals_are_swedish():
    with translation.override("sv"):
        assert translation.gettext("Report absence") == "Anmäl förhinder"
        assert translation.ngettext("%(n)s vacant place", "%(n)s vacant places", 1) % {
            "n": 1} == "1 vakant plats"
        assert translation.ngettext("%(n)s vacant place", "%(n)s vacant places", 3) % {
            "n": 3} == "3 vakanta platser"
        # Django's own messages come from its sv catalogue.
        assert translation.gettext("This field is required.") == "Detta fält måste fyllas i."
