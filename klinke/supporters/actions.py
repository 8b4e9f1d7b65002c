"""Writes to supporter profiles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from klinke.accounts.models import User
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic


@transaction.atomic
def do_save_supporter_profile(
    *,
    user: User,
    supporter: Supporter,
    topics: Iterable[Topic],
    languages: Sequence[str],
    sectors: Sequence[str],
) -> Supporter:
    """Save `user`'s profile, its field values already set, with its lists and topics."""
    supporter.user = user
    supporter.language_codes = list(languages)
    supporter.sector_codes = list(sectors)
    previous_city = (
        Supporter.objects.filter(pk=supporter.pk).values_list("city", flat=True).first()
        if supporter.pk
        else None
    )
    supporter.fill_place_from_city(previous_city=previous_city or "")
    supporter.save()
    supporter.topics.set(list(topics))
    supporter.refresh_search_document()
    return supporter
