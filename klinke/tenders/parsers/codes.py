"""Code lists the parsers normalise with: countries, languages, CPV codes, publication numbers.

Countries and languages come from ``pycountry`` (the ISO 3166 / ISO 639 tables of Debian's
iso-codes), so nothing here is a hand-kept copy of a standard. Lookups are cached (bounded,
so hostile input cannot grow the caches): a day of notices repeats the same few codes thousands
of times.
"""

from __future__ import annotations

import functools
import re

import pycountry

# eForms' "country" code list has a few codes ISO 3166-1 does not (yet) assign; map the one that
# real notices use. Everything else unknown is dropped rather than passed on as if it were alpha-2.
_COUNTRY_EXTRA = {"XKX": "XK"}  # Kosovo (user-assigned code, used by the EU)

_CPV = re.compile(r"^(\d{8})(?:[-.]\d)?$")
_PUBLICATION_NUMBER = re.compile(r"^0*(\d+)-(\d{4})$")


@functools.lru_cache(maxsize=4096)
def country_alpha2(code: str) -> str | None:
    """ISO alpha-3 (as eForms writes it), alpha-2, or an English country name → alpha-2."""
    code = code.strip()
    if not code:
        return None
    if code.upper() in _COUNTRY_EXTRA:
        return _COUNTRY_EXTRA[code.upper()]
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code.upper())
    elif len(code) == 2:
        country = pycountry.countries.get(alpha_2=code.upper())
    else:
        try:
            country = pycountry.countries.lookup(code)
        except LookupError:
            return None
    return country.alpha_2 if country is not None else None


@functools.lru_cache(maxsize=4096)
def language_alpha2(code: str) -> str | None:
    """ISO 639-2 (eForms: "ENG", "DEU", also bibliographic "GER") or 639-1 → lower-case 639-1."""
    code = code.strip().lower()
    if len(code) == 2:
        return code if pycountry.languages.get(alpha_2=code) is not None else None
    if len(code) != 3:
        return None
    language = pycountry.languages.get(alpha_3=code)
    if language is None:
        language = pycountry.languages.get(bibliographic=code)
    return getattr(language, "alpha_2", None) if language is not None else None


@functools.lru_cache(maxsize=16384)  # the CPV has about 9,500 codes
def cpv_code(text: str) -> str | None:
    """``45233130-1`` / ``45233130`` / ``45233130.0`` → ``45233130``; anything else → None."""
    match = _CPV.match(text.strip())
    return match.group(1) if match else None


def publication_number(text: str) -> str | None:
    """OPP-010 without leading zeros: ``00150049-2018`` → ``150049-2018``."""
    match = _PUBLICATION_NUMBER.match(text.strip())
    if not match:
        return None
    return f"{int(match.group(1))}-{match.group(2)}"
