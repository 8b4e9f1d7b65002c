"""Names of NUTS regions, the EU's statistical regions: "DED5" → "DED5 Leipzig".

Pure Python, no ORM. The 2,087 codes of all levels ship in ``reference/nuts_de_en.csv`` (see its
README for the source and licence) and are read once, on first use. NUTS regions carry their
official names in the national language, the same on a German and an English page; only the
countries (the two-letter codes of level 0) have a German and an English name.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Final

CSV_PATH: Final = Path(__file__).resolve().parent / "reference" / "nuts_de_en.csv"
# ISO 3166 codes where NUTS has its own: profiles and notices may name a country either way.
_ISO_TO_NUTS: Final = {"GR": "EL", "GB": "UK"}


@cache
def _names() -> dict[str, tuple[str, str]]:
    """Every NUTS code → (English name, German name)."""
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: (row["en"], row["de"]) for row in csv.DictReader(handle)}


def name(code: str, lang: str) -> str:
    """The region's name in ``lang`` (German or else English), or "" for an unknown code."""
    key = code.strip().upper()
    names = _names().get(_ISO_TO_NUTS.get(key, key))
    if names is None:
        return ""
    return names[1] if lang.startswith("de") else names[0]


def label(code: str, lang: str) -> str:
    """The code with its name, "DED51 Leipzig, Kreisfreie Stadt"; an unknown code alone."""
    found = name(code, lang)
    return f"{code} {found}" if found else code
