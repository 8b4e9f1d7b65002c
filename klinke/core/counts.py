"""Counts that would read a whole table, kept for a short while in the shared cache.

A list page needs the number of results for its page links, and on a big network that COUNT
reads every row of the table (no index answers "how many visible needs are there?" without
visiting them). Such counts are remembered for `KLINKE_COUNT_CACHE_SECONDS` (30 by default;
0 turns this off, as the tests do) under a digest of the query, so a page counts at most once
in that time per filter combination. The number a visitor sees may therefore lag a new entry
by that long; the entries themselves are always current.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.functional import cached_property

_T = TypeVar("_T")


def cached_count(queryset: models.QuerySet[Any, Any]) -> int:
    """`queryset.count()`, remembered for a short while (see the module)."""
    return cached_counts([queryset])[0]


def _key(queryset: models.QuerySet[Any, Any]) -> str:
    sql, params = queryset.order_by().query.sql_with_params()
    digest = hashlib.sha256(f"{queryset.db}\0{sql}\0{params!r}".encode()).hexdigest()
    return f"klinke:count:{digest}"


def cached_counts(querysets: list[models.QuerySet[Any, Any]]) -> list[int]:
    """`cached_count` of each queryset, asking the cache once for all of them."""
    seconds = int(getattr(settings, "KLINKE_COUNT_CACHE_SECONDS", 0))
    if seconds <= 0:
        return [queryset.count() for queryset in querysets]
    keys = [_key(queryset) for queryset in querysets]
    found = cache.get_many(keys)
    counts = []
    missing = {}
    for key, queryset in zip(keys, querysets, strict=True):
        count = found.get(key)
        if not isinstance(count, int):
            count = missing[key] = queryset.count()
        counts.append(count)
    if missing:
        cache.set_many(missing, seconds)
    return counts


class CachedCountPaginator(Paginator[_T]):
    """A Paginator whose count of a QuerySet comes from `cached_count`."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, models.QuerySet):
            return cached_count(self.object_list)
        return super().count


def page_of(
    queryset: models.QuerySet[Any, _T], per_page: int, number: int | str | None
) -> Page[_T]:
    """`CachedCountPaginator(queryset, per_page).get_page(number)`, except that a first page
    with room to spare counts itself: a list shorter than a page (a few upcoming events, the
    articles a search finds) needs neither a count nor a look at the cache. A full first page
    reads one row more to know that, and its count comes from the cache as before."""
    paginator = CachedCountPaginator(queryset, per_page)
    try:
        first = int(str(number)) == 1
    except ValueError:
        first = True  # get_page shows the first page for anything that is not a number
    if not first:
        return paginator.get_page(number)
    rows = list(queryset[: per_page + 1])
    if len(rows) <= per_page:
        paginator.count = len(rows)  # the whole list is on this page
    return Page(rows[:per_page], 1, paginator)
