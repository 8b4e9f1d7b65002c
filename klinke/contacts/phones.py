"""Phone numbers in E.164, parsed with libphonenumber; German numbers need no prefix."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "DE"


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 (``+4934112345``), or None when it cannot be parsed as a number."""
    text = raw.strip()
    if not text:
        return None
    if text.lower().startswith("tel:"):
        text = text[4:]
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
