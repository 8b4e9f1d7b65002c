"""The directory query: collectives and supporters filtered together, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, cast

from django.core.paginator import Page, Paginator

from klinke.collectives.models import Collective, CollectiveQuerySet
from klinke.core.models import Visitor
from klinke.matching.analysis import index_terms, query_terms
from klinke.supporters.models import Supporter, SupporterQuerySet
from klinke.topics.models import Topic

PAGE_SIZE = 20

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

    def page(self, user: Visitor, number: str | int | None) -> Page[Collective | Supporter]:
        """One page of results across both kinds, in a fixed number of queries.

        Every result contains all query terms; those whose name contains them come first, then
        the order is alphabetical.
        """
        wanted = set(query_terms(self.text)) if self.text else set()
        keys: list[tuple[int, str, str, int]] = []
        sources: list[tuple[str, CollectiveQuerySet | SupporterQuerySet]] = []
        if self.kind in ("", "collective"):
            sources.append(("c", self.collectives(user)))
        if self.kind in ("", "supporter"):
            sources.append(("s", self.supporters(user)))
        for kind, queryset in sources:
            for pk, name in queryset.values_list("pk", "name"):
                in_name = len(wanted.intersection(index_terms(name))) if wanted else 0
                keys.append((-in_name, name.casefold(), kind, pk))
        keys.sort()
        # The page of sort keys becomes the page of their objects below.
        key_page = Paginator(keys, PAGE_SIZE).get_page(number)
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
