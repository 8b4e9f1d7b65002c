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
    supporter.save()
    supporter.topics.set(list(topics))
    supporter.refresh_search_document()
    return supporter
