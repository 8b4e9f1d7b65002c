"""Phone numbers in E.164, parsed with libphonenumber, and shown for reading.

A number written without a country code ("0341 123 45", "905-555-1234") only has an E.164 form
once we know which country it is from. We take the contact's own address country, else the
collective's country; without either, or when the number is not valid there, it is kept as
written and flagged, never given a guessed country code. Matches on a number written without
a country code are only suggestions: the country was inferred, not written.
"""

from __future__ import annotations

import phonenumbers

from klinke.contacts.parsers import fold_text

# Country names as address books write them, folded (see parsers.fold_text), to ISO codes.
COUNTRY_NAMES = {
    "deutschland": "DE", "germany": "DE", "brd": "DE",
    "oesterreich": "AT", "osterreich": "AT", "austria": "AT",
    "schweiz": "CH", "switzerland": "CH", "suisse": "CH", "svizzera": "CH",
    "kanada": "CA", "canada": "CA",
    "usa": "US", "united states": "US", "united states of america": "US",
    "vereinigte staaten": "US", "us": "US",
    "uk": "GB", "united kingdom": "GB", "grossbritannien": "GB", "england": "GB",
    "great britain": "GB",
    "frankreich": "FR", "france": "FR",
    "niederlande": "NL", "netherlands": "NL", "nederland": "NL", "holland": "NL",
    "belgien": "BE", "belgium": "BE", "belgique": "BE",
    "luxemburg": "LU", "luxembourg": "LU",
    "italien": "IT", "italy": "IT", "italia": "IT",
    "spanien": "ES", "spain": "ES", "espana": "ES",
    "polen": "PL", "poland": "PL", "polska": "PL",
    "tschechien": "CZ", "czechia": "CZ", "czech republic": "CZ",
    "daenemark": "DK", "denmark": "DK", "danmark": "DK",
    "schweden": "SE", "sweden": "SE", "sverige": "SE",
    "portugal": "PT", "irland": "IE", "ireland": "IE",
    "australien": "AU", "australia": "AU", "mexiko": "MX", "mexico": "MX",
}  # fmt: skip


def country_code(value: str) -> str:
    """The two-letter code of a country as written in an address ("Kanada", "ca", "CA"),
    or "" when it is not one libphonenumber knows."""
    text = value.strip()
    if len(text) == 2 and text.upper() in phonenumbers.SUPPORTED_REGIONS:
        return text.upper()
    return COUNTRY_NAMES.get(fold_text(text), "")


def _prepared(raw: str) -> str:
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    if text.startswith("00"):
        text = "+" + text[2:]
    return text


def is_international(raw: str) -> bool:
    """Written with its country code (+49…, 0049…, tel:+49…): its E.164 form is certain."""
    return _prepared(raw).startswith("+")


def phone_region(*, contact_country: str = "", collective_country: str = "") -> str | None:
    """The country a number without a country code belongs to: the contact's own address
    country, else the collective's; None when neither is known."""
    for value in (contact_country, collective_country):
        code = country_code(value or "")
        if code:
            return code
    return None


def normalise_phone(raw: str, region: str | None = None) -> str | None:
    """The number in E.164 (``+4934112345``), or None when it cannot be parsed as a number,
    or is written without a country code and no region is known or it is not valid there."""
    text = _prepared(raw)
    if not text:
        return None
    international = text.startswith("+")
    if not international and not region:
        return None
    try:
        number = phonenumbers.parse(text, None if international else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    if not international and not phonenumbers.is_valid_number(number):
        # "905-555-1234" is possible but not valid in Germany: a foreign number, not ours.
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable_phone(e164: str, home_region: str | None = None) -> str:
    """E.164 for reading: national format ("0341 1234567") for the home country, otherwise
    international ("+1 905-555-1234")."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if home_region and phonenumbers.region_code_for_number(number) == home_region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
