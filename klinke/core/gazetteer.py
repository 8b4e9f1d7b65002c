"""Where a town lies, offline: "Leipzig" → Germany, 51.34 N 12.37 E, NUTS region DED51.

Pure Python, no ORM, no network. The 3,642 towns of Germany, Austria and Switzerland with
5,000 inhabitants or more ship in ``reference/places_dach.csv`` (built from GeoNames by
``scripts/build_gazetteer.py``; see the README there for source and licence) and are read once,
on first use. Profiles use it to fill in what people leave empty: the country, the coordinates
the matching engine measures distance with, and the NUTS region it compares regions by.

A name is matched however it is typed: case, umlauts written out ("Muenchen"), accents,
hyphens, a postcode in front ("04109 Leipzig") or a country after a comma ("Wien, Österreich").
Several towns of one name: the town's own name beats a foreign exonym, then the larger town
wins ("Frankfurt" is Frankfurt am Main).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

CSV_PATH: Final = Path(__file__).resolve().parent / "reference" / "places_dach.csv"
COUNTRIES: Final = frozenset({"DE", "AT", "CH"})
_SPELLED_OUT: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_A_LETTER: Final = re.compile(r"[^a-z]+")


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    nuts_code: str


def place_key(text: str) -> str:
    """The name as the index holds it: "Sankt Pölten" → "sankt poelten", "St. Gallen" too."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_SPELLED_OUT)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    words = _NOT_A_LETTER.sub(" ", plain).split()
    return " ".join("sankt" if word == "st" else word for word in words)


@cache
def _index() -> dict[str, list[tuple[int, int, Place]]]:
    """Every key → (rank, minus population, place), best first; rank 0 for a town's own name."""
    index: dict[str, list[tuple[int, int, Place]]] = {}
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            place = Place(
                name=row["name"],
                country=row["country"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                nuts_code=row["nuts"],
            )
            population = -int(row["population"])
            named = [(0, row["name"]), *((0, short) for short in row["short_names"].split("|"))]
            named += [(1, exonym) for exonym in row["exonyms"].split("|")]
            for rank, name in named:
                if key := place_key(name):
                    index.setdefault(key, []).append((rank, population, place))
    for entries in index.values():
        entries.sort(key=lambda entry: entry[:2])
    return index


def find(city: str, country: str = "") -> Place | None:
    """The town named ``city`` (in ``country`` when given, a two-letter code), or None."""
    country = country.strip().upper()
    if country and country not in COUNTRIES:
        return None
    # "04109 Leipzig, Sachsen": the postcode and what follows a comma are not the name.
    for _rank, _population, place in _index().get(place_key(city.split(",")[0]), []):
        if not country or place.country == country:
            return place
    return None
