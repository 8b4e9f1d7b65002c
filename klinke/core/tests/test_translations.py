"""The German catalogue is complete, compiled, and covers every string in the code.

The interface is German by default, so an untranslated string shows up as English in the middle
of a German page. These tests catch that before it ships: a string added to the code without a
German translation, a placeholder lost in translation, or a .po edited without running
`make messages` (which also compiles the .mo that Django actually reads).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.utils import translation

PACKAGE_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = PACKAGE_DIR.parent
CATALOGUE_DIR = PACKAGE_DIR / "locale" / "de" / "LC_MESSAGES"
PO_PATH = CATALOGUE_DIR / "django.po"
MO_PATH = CATALOGUE_DIR / "django.mo"

# `%(name)s` and friends: Python's named placeholders, which blocktranslate variables become too.
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def _translations(entry: polib.POEntry | polib.MOEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _markers(text: str) -> tuple[list[str], list[str]]:
    """The placeholders and HTML tags a translation must keep."""
    return sorted(PLACEHOLDER.findall(text)), sorted(HTML_TAG.findall(text))


def _describe(key: tuple[str, str]) -> str:
    context, msgid = key
    return f"{context}|{msgid!r}" if context else repr(msgid)


def test_it_has_a_complete_german_catalogue():
    po = polib.pofile(str(PO_PATH))

    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []

    broken = []
    for entry in po:
        for form, text in enumerate(_translations(entry)):
            # German has two forms: the first translates the singular msgid, the second the plural.
            source = entry.msgid_plural if entry.msgid_plural and form > 0 else entry.msgid
            if _markers(text) != _markers(source):
                broken.append(f"{source!r} -> {text!r}")
    assert broken == [], "placeholders or HTML tags differ:\n" + "\n".join(broken)


def test_it_ships_the_compiled_catalogue_in_sync():
    po = polib.pofile(str(PO_PATH))
    mo = polib.mofile(str(MO_PATH))

    expected = {_key(e): _translations(e) for e in po.translated_entries()}
    shipped = {_key(e): _translations(e) for e in mo if e.msgid}
    stale = sorted(_describe(k) for k in expected.keys() ^ shipped.keys())
    stale += sorted(
        _describe(k) for k in expected.keys() & shipped.keys() if expected[k] != shipped[k]
    )
    assert stale == [], "django.mo is out of date; run `make messages`. Differs: " + ", ".join(
        stale[:20]
    )


def test_it_has_translated_every_string_in_the_code(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("needs GNU gettext (xgettext); .ci/run installs it")

    # Extract into a copy, so the test never rewrites the committed catalogue.
    shutil.copytree(
        PACKAGE_DIR, tmp_path / "klinke", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    shutil.copy2(REPO_DIR / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "klinke.settings", "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(tmp_path / "manage.py"), "makemessages", "-l", "de", "--no-obsolete"],
        cwd=tmp_path / "klinke",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    extracted = polib.pofile(
        str(tmp_path / "klinke" / "locale" / "de" / "LC_MESSAGES" / "django.po")
    )
    committed = {_key(e): e for e in polib.pofile(str(PO_PATH))}
    missing = [
        _describe(_key(e))
        for e in extracted
        if not e.obsolete
        and (
            _key(e) not in committed
            or not committed[_key(e)].translated()
            or "fuzzy" in committed[_key(e)].flags
        )
    ]
    assert missing == [], (
        f"{len(missing)} string(s) in the code have no German translation; run `make messages`"
        " and translate them in klinke/locale/de/LC_MESSAGES/django.po:\n" + "\n".join(missing[:20])
    )


@pytest.mark.parametrize(
    ("english", "german"),
    [
        ("Directory", "Verzeichnis"),
        ("Needs and offers", "Gesuche und Angebote"),
        ("Ask for an introduction", "Um Vermittlung bitten"),
    ],
)
def test_it_renders_the_interface_in_german(english, german):
    with translation.override("de"):
        assert translation.gettext(english) == german


def test_it_picks_the_german_plural_form():
    with translation.override("de"):
        one = translation.ngettext("%(counter)s supporter", "%(counter)s supporters", 1)
        many = translation.ngettext("%(counter)s supporter", "%(counter)s supporters", 3)
    assert one % {"counter": 1} == "1 Unterstützer*in"
    assert many % {"counter": 3} == "3 Unterstützer*innen"
