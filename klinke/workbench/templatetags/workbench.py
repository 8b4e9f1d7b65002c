"""Small formatting helpers for the workbench's templates."""

from __future__ import annotations

from typing import Protocol

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def _euros(value: int) -> str:
    return f"{number_format(value, force_grouping=True)} €"


@register.filter
def euro(value: int | None) -> str:
    return "" if value is None else _euros(value)


class ValueRange(Protocol):
    """A lead or a referral: anything with an estimated value from … to."""

    @property
    def value_min(self) -> int | None: ...

    @property
    def value_max(self) -> int | None: ...


@register.filter
def value_range(item: ValueRange) -> str:
    """A lead's (or referral's) value as "10.000–20.000 €", "from 5.000 €" or ""."""
    low, high = item.value_min, item.value_max
    if low is not None and high is not None:
        if low == high:
            return _euros(low)
        return f"{number_format(low, force_grouping=True)}–{_euros(high)}"
    if low is not None:
        return _("from %(value)s") % {"value": _euros(low)}
    if high is not None:
        return _("up to %(value)s") % {"value": _euros(high)}
    return ""


@register.filter
def euro_range(low: int, high: int) -> str:
    if low == high:
        return _euros(low)
    return f"{number_format(low, force_grouping=True)}–{_euros(high)}"
