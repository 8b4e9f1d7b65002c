"""The directory query: collectives and supporters filtered together, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator

from klinke.collectives.models import Collective
from klinke.matching.analysis import query_terms
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

PAGE_SIZE = 20


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    topic: Topic | None = None
    region: str = ""
    language: str = ""
    kind: str = ""

    def filter(self, queryset: Any, user: Any) -> Any:
        queryset = queryset.visible_to(user)
        if self.text:
            queryset = queryset.matching_terms(query_terms(self.text))
        if self.topic is not None:
            topics = Topic.objects.with_descendants([self.topic.slug])
            queryset = queryset.filter(topics__in=topics).distinct()
        if self.region:
            queryset = queryset.in_region(self.region)
        if self.language:
            queryset = queryset.speaking(self.language)
        return queryset

    def collectives(self, user: Any) -> Any:
        return self.filter(Collective.objects.active(), user)

    def supporters(self, user: Any) -> Any:
        return self.filter(Supporter.objects.all(), user)

    def page(self, user: Any, number: str | int | None) -> Page[Any]:
        """One page of results, sorted by name across both kinds, in a fixed number of queries."""
        keys: list[tuple[str, str, int]] = []
        if self.kind in ("", "collective"):
            keys += [(n.casefold(), "c", pk) for pk, n in self.collectives(user).values_list("pk", "name")]
        if self.kind in ("", "supporter"):
            keys += [(n.casefold(), "s", pk) for pk, n in self.supporters(user).values_list("pk", "name")]
        keys.sort()
        page = Paginator(keys, PAGE_SIZE).get_page(number)
        collective_ids = [pk for _n, kind, pk in page.object_list if kind == "c"]
        supporter_ids = [pk for _n, kind, pk in page.object_list if kind == "s"]
        objects: dict[tuple[str, int], Any] = {}
        if collective_ids:
            for c in Collective.objects.filter(pk__in=collective_ids).prefetch_related("topics"):
                objects[("c", c.pk)] = c
        if supporter_ids:
            for s in Supporter.objects.filter(pk__in=supporter_ids).prefetch_related("topics"):
                objects[("s", s.pk)] = s
        page.object_list = [objects[(kind, pk)] for _n, kind, pk in page.object_list]
        return page
