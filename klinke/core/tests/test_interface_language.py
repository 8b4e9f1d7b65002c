"""The active interface language is asked in one place: `core.languages.interface_language`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import translation

from klinke.core.languages import interface_language

KLINKE = Path(__file__).resolve().parents[2]


def test_it_names_the_active_language_and_falls_back_to_german(settings: Any) -> None:
    with translation.override("en"):
        assert interface_language() == "en"
    with translation.override("de"):
        assert interface_language() == "de"
    with translation.override("en-gb"):
        assert interface_language() == "en"
    for default in ("de", "en"):  # whatever the site's default: topic names, sectors and
        settings.LANGUAGE_CODE = default  # CPV labels have always fallen back to German
        with translation.override(None):
            assert interface_language() == "de"


def test_it_is_the_only_place_that_guesses_a_language_when_none_is_active() -> None:
    # `(get_language() or "de")[:2]` was written twenty times, with three different fallbacks.
    guess = re.compile(r"get_language\(\)\s*(or|if|\[)")
    offenders = [
        f"{path.relative_to(KLINKE)}:{number}"
        for path in sorted(KLINKE.rglob("*.py"))
        if "tests" not in path.parts and path.name != "languages.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if guess.search(line)
    ]
    assert offenders == []
