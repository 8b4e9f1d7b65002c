"""The directory query: collectives and supporters filtered together, one page at a time."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar, cast, overload

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower

from klinke.collectives.models import Collective, CollectiveQuerySet
from klinke.core import search
from klinke.core.counts import cached_count
from klinke.core.models import Visitor
from klinke.core.search import TextQuery
from klinke.matching.analysis import query_terms
from klinke.supporters.models import Supporter, SupporterQuerySet
from klinke.topics.models import Topic

PAGE_SIZE = 20

_Key = tuple[float, str, str, int]
"""A result's sort key: rank, name in lower case, kind ("c" or "s"), primary key."""

_Found = TypeVar("_Found", CollectiveQuerySet, SupporterQuerySet)


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    topic: Topic | None = None
    region: str = ""
    language: str = ""
    kind: str = ""

    def filter(self, queryset: _Found, user: Visitor) -> _Found:
        topics = Topic.objects.with_descendants([self.topic.slug]) if self.topic else None
        return queryset.visible_to(user).found_by(
            text=self.text, topics=topics, region=self.region, language=self.language
        )

    def collectives(self, user: Visitor) -> CollectiveQuerySet:
        return self.filter(Collective.objects.active(), user)

    def supporters(self, user: Visitor) -> SupporterQuerySet:
        return self.filter(Supporter.objects.all(), user)

    def keys(self, user: Visitor) -> _Keys:
        """Sort keys of every result, (rank, sort name, kind, pk), ordered and limited in the
        database: the best-ranked first when there is a text, then alphabetical."""
        query = TextQuery.all_of(query_terms(self.text)) if self.text else TextQuery(())
        parts: list[models.QuerySet[Any, _Key]] = []
        querysets: list[CollectiveQuerySet | SupporterQuerySet] = []
        if self.kind in ("", "collective"):
            querysets.append(self.collectives(user))
        if self.kind in ("", "supporter"):
            querysets.append(self.supporters(user))
        for queryset in querysets:
            kind = "c" if queryset.model is Collective else "s"
            parts.append(
                search.ranked(queryset.order_by(), query)
                .annotate(
                    sort_name=Lower("name"),
                    profile_kind=Value(kind, output_field=models.CharField()),
                )
                .values_list("search_rank", "sort_name", "profile_kind", "pk")
            )
        return _Keys(querysets, parts)

    def page(self, user: Visitor, number: str | int | None) -> Page[Collective | Supporter]:
        """One page of results across both kinds, in a fixed number of queries."""
        key_page: Page[_Key] = Paginator(self.keys(user), PAGE_SIZE).get_page(number)
        collective_ids = [pk for *_rest, kind, pk in key_page.object_list if kind == "c"]
        supporter_ids = [pk for *_rest, kind, pk in key_page.object_list if kind == "s"]
        objects: dict[tuple[str, int], Collective | Supporter] = {}
        if collective_ids:
            for c in Collective.objects.filter(pk__in=collective_ids).prefetch_related("topics"):
                objects[("c", c.pk)] = c
        if supporter_ids:
            for s in Supporter.objects.filter(pk__in=supporter_ids).prefetch_related("topics"):
                objects[("s", s.pk)] = s
        profiles = [objects[(kind, pk)] for *_rest, kind, pk in key_page.object_list]
        # The same page (number, count, links) showing the profiles instead of their keys; the
        # page asks its paginator only for counts, which are the same for keys and profiles.
        paginator = cast("Paginator[Collective | Supporter]", key_page.paginator)
        return Page(profiles, key_page.number, paginator)


class _Keys:
    """Both kinds' sort keys, for a Paginator. A page `[start:stop]` asks each kind for its
    first `stop` keys in the shared order (an index scan with a LIMIT), merges them and keeps
    `[start:stop]`; the merge only ever looks at the heads of the lists, so the pages tile the
    whole ordered result exactly. Counts come from `cached_count`."""

    def __init__(
        self,
        querysets: list[CollectiveQuerySet | SupporterQuerySet],
        parts: list[models.QuerySet[Any, _Key]],
    ) -> None:
        self._querysets = querysets
        self._parts = parts
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(cached_count(queryset) for queryset in self._querysets)
        return self._count

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
        heads = [
            list(part.order_by("-search_rank", "sort_name", "pk")[:stop]) for part in self._parts
        ]
        merged = heapq.merge(*heads, key=lambda key: (-key[0], key[1], key[2], key[3]))
        return list(islice(merged, start, stop))

    def __iter__(self) -> Iterator[_Key]:
        return iter(self[: self.count()])
