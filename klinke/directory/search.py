"""The directory query: collectives and supporters filtered together, one page at a time."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar, cast, overload

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.urls import reverse

from klinke.collectives.models import Collective, CollectiveQuerySet
from klinke.core import search
from klinke.core.counts import cached_counts
from klinke.core.models import Visitor
from klinke.core.search import TextQuery
from klinke.matching.analysis import query_terms
from klinke.supporters.models import Supporter, SupporterQuerySet
from klinke.topics.models import Topic, topic_names_by_row

PAGE_SIZE = 20

_Key = tuple[int, str, str, int, str, str, str, str, bool]
"""A result's sort key: relevance (fewer terms first, 0 without a text), name in lower case,
kind ("c" or "s"), primary key; then what its card shows (`CARD_FIELDS`), read in the same
query. The key ends in the primary key, so the card's columns never decide the order."""

CARD_FIELDS = ("name", "slug", "city", "country", "is_demo")
"""What a result's card shows of a collective or supporter, besides its topics."""


@dataclass(frozen=True)
class Card:
    """A result as the directory shows it: worked out once here, so the template reads plain
    attributes instead of calling a model's properties and `reverse` for each card."""

    name: str
    url: str
    kind: str
    region: str
    is_demo: bool
    topics: list[str]


def _detail_url(viewname: str) -> Callable[[str], str]:
    """`reverse(viewname, args=[slug])` for any number of slugs, with one `reverse`: a slug
    (letters, digits, hyphens, underscores) is written into an address as it is."""
    head, _marker, tail = reverse(viewname, args=["__slug__"]).rpartition("__slug__")
    return lambda slug: f"{head}{slug}{tail}"


_Found = TypeVar("_Found", CollectiveQuerySet, SupporterQuerySet)


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    topic: Topic | None = None
    region: str = ""
    language: str = ""
    kind: str = ""

    def filter(self, queryset: _Found, user: Visitor, *, text: bool = True) -> _Found:
        """`queryset` narrowed to what `user` may see and every filter (the text only when
        `text`: `keys` finds the text's matches itself)."""
        topics = Topic.objects.with_descendants([self.topic.slug]) if self.topic else None
        return queryset.visible_to(user).found_by(
            text=self.text if text else "",
            topics=topics,
            region=self.region,
            language=self.language,
        )

    def collectives(self, user: Visitor) -> CollectiveQuerySet:
        return self.filter(Collective.objects.active(), user)

    def supporters(self, user: Visitor) -> SupporterQuerySet:
        return self.filter(Supporter.objects.all(), user)

    def keys(self, user: Visitor) -> _Keys:
        """Sort keys of every result, (relevance, sort name, kind, pk), ordered and limited in
        the database: the most relevant first when there is a text, then alphabetical.

        Relevance is the length of the profile's search document (fewer terms first): a
        document holds each term once, so for a query whose every term must be found, BM25
        (which SQLite's FTS5 ranks with) orders the matches by exactly that, and both
        databases read it from an index instead of ranking every match."""
        query = TextQuery.all_of(query_terms(self.text)) if self.text else TextQuery(())
        parts: list[_Part] = []
        if self.kind in ("", "collective"):
            parts.append(_Part(self.filter(Collective.objects.active(), user, text=False), query))
        if self.kind in ("", "supporter"):
            parts.append(_Part(self.filter(Supporter.objects.all(), user, text=False), query))
        return _Keys(parts)

    def page(self, user: Visitor, number: str | int | None) -> Page[Card]:
        """One page of results across both kinds, in a fixed number of queries: the sort keys
        bring the cards' columns along, so only the topics are read for the page."""
        key_page: Page[_Key] = Paginator(self.keys(user), PAGE_SIZE).get_page(number)
        rows = key_page.object_list
        topics = {
            (kind, pk): names
            for kind, model in (("c", Collective), ("s", Supporter))
            if (pks := [row[3] for row in rows if row[2] == kind])
            for pk, names in topic_names_by_row(model, pks).items()
        }
        urls = {"c": _detail_url("collectives:detail"), "s": _detail_url("supporters:detail")}
        kinds = {"c": str(Collective.directory_kind), "s": str(Supporter.directory_kind)}
        cards = [
            Card(
                name=name,
                url=urls[kind](slug),
                kind=kinds[kind],
                region=", ".join(part for part in (city, country) if part),  # region_label
                is_demo=is_demo,
                topics=topics[(kind, pk)],
            )
            for _relevance, _sort_name, kind, pk, name, slug, city, country, is_demo in rows
        ]
        # The same page (number, count, links) showing the cards instead of their keys; the
        # page asks its paginator only for counts, which are the same for keys and cards.
        paginator = cast("Paginator[Card]", key_page.paginator)
        return Page(cards, key_page.number, paginator)


_ORDER = ("relevance", "sort_name", "key")


class _Part:
    """One kind's results: its rows (every filter but the text), the text query, and the sort
    keys of those rows."""

    def __init__(self, rows: CollectiveQuerySet | SupporterQuerySet, query: TextQuery) -> None:
        self.query = query
        self.matches: CollectiveQuerySet | SupporterQuerySet = search.matching(rows, query)
        kind = "c" if rows.model is Collective else "s"
        relevance = F("search_length") if query else Value(0)
        self.keys: models.QuerySet[Any, _Key] = (
            rows.order_by()
            .annotate(
                relevance=relevance,
                sort_name=Lower("name"),
                profile_kind=Value(kind, output_field=models.CharField()),
                key=F("pk"),
            )
            .values_list("relevance", "sort_name", "profile_kind", "key", *CARD_FIELDS)
        )
        self.count: int | None = None

    def first(self, stop: int) -> list[_Key]:
        assert self.count is not None, "counted first"
        rows = search.first_matches(self.keys, self.query, _ORDER, stop, found=self.count)
        return cast("list[_Key]", rows)


class _Keys:
    """Both kinds' sort keys, for a Paginator. A page `[start:stop]` asks each kind for its
    first `stop` keys in the shared order (through an index, `search.first_matches`), merges
    them and keeps `[start:stop]`; the merge only ever looks at the heads of the lists, so the
    pages tile the whole ordered result exactly. Counts come from `cached_counts`."""

    def __init__(self, parts: list[_Part]) -> None:
        self._parts = parts

    def count(self) -> int:
        uncounted = [part for part in self._parts if part.count is None]
        if uncounted:
            # Both kinds' counts in one look at the cache.
            counts = cached_counts([part.matches for part in uncounted])
            for part, count in zip(uncounted, counts, strict=True):
                part.count = count
        return sum(part.count or 0 for part in self._parts)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> _Key: ...

    @overload
    def __getitem__(self, index: slice) -> list[_Key]: ...

    def __getitem__(self, index: int | slice) -> _Key | list[_Key]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        assert stop is not None, "a page has an end"
        self.count()
        heads = [part.first(stop) for part in self._parts]
        merged = heapq.merge(*heads)
        return list(islice(merged, start, stop))

    def __iter__(self) -> Iterator[_Key]:
        return iter(self[: self.count()])
