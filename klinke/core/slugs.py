"""Short names in addresses, made from a name: "Zaunkönig Kollektiv" → "zaunkoenig-kollektiv"."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from django.utils.text import slugify

_SPELLED_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)


def unique_slug(name: str, *, taken: Callable[[str], bool], max_length: int = 80) -> str:
    """A slug of ``name`` with German umlauts spelled out, and "-2", "-3", … appended while
    ``taken`` says it is in use; "profile" for a name without a letter or digit in it."""
    base = slugify(name.translate(_SPELLED_OUT))[:max_length].strip("-") or "profile"
    if not taken(base):
        return base
    for number in count(2):
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        if not taken(candidate):
            return candidate
    raise AssertionError("unreachable")
