"""Template tags for pages of higher apps that show vouches (the inquiry status page)."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

from klinke.collectives.models import Collective
from klinke.vouches.models import Vouch
from klinke.vouches.presenting import counted

register = template.Library()


@register.simple_tag
def vouches_of(
    by_collective: Mapping[int, list[Vouch]] | None, collective: Collective
) -> list[Vouch]:
    """The vouches for `collective` out of `presenting.vouches_by_collective`'s answer."""
    return list((by_collective or {}).get(collective.pk, []))


@register.simple_tag
def counted_vouches(vouches: list[Vouch]) -> str:
    """ "2 collectives have worked with us."."""
    return counted(vouches)
