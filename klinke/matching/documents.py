"""Generic inputs of the matching engine: documents, regions and the topic tree.

The engine ranks needs against offers today and public tenders or client inquiries
against collectives later, so it works on one neutral shape, :class:`MatchDocument`,
which the Django side fills from its models. Nothing here imports Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Lang = Literal["en", "de"]


@dataclass(frozen=True, slots=True)
class Label:
    """A display string in English and German."""

    en: str
    de: str

    def get(self, lang: str) -> str:
        """The label in ``lang``; anything but "de" falls back to English."""
        return self.de if lang == "de" else self.en

    @classmethod
    def plain(cls, text: str) -> Label:
        """A label that reads the same in both languages (names, slugs)."""
        return cls(en=text, de=text)


@dataclass(frozen=True, slots=True)
class Region:
    """Where a document's author is, as precisely as known.

    ``country`` is ISO 3166-1 alpha-2 ("DE"), ``nuts_code`` a NUTS code of any level
    ("DED5" is Leipzig); coordinates are WGS84 degrees.
    """

    city: str = ""
    country: str = ""
    nuts_code: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class MatchDocument:
    """Anything that can be matched: a need, an offer, a collective, a tender.

    Fields a source does not know stay at their defaults, which the engine treats as
    "unknown" (neutral) rather than as a mismatch.
    """

    ref: str
    """Stable unique identifier chosen by the caller, e.g. "offer:42"; breaks ties."""
    type: str
    """What the document is ("need", "offer", "collective", "tender", ...)."""
    title: str = ""
    text: str = ""
    topics: frozenset[str] = frozenset()
    """Topic slugs of the :class:`TopicTree` passed to the engine."""
    kinds: frozenset[str] = frozenset()
    """Kinds of help wanted (query) or given (candidate), e.g. "advice", "mentoring"."""
    languages: frozenset[str] = frozenset()
    """ISO 639-1 codes of the languages the author works in."""
    region: Region | None = None
    remote: bool = False
    """Whether the author can work remotely on this."""
    capacity_hours: float | None = None
    """Candidate: hours per month free for this. Query: hours per month needed."""
    open_introductions: int = 0
    """Introductions the candidate has been sent and not yet answered."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One node of the topic tree with its labels."""

    slug: str
    name_en: str
    name_de: str
    parent: str | None = None


@dataclass(frozen=True)
class TopicTree:
    """Topic hierarchy (slug -> parent) with bilingual labels.

    The engine uses it for hierarchy-aware topic overlap: a need tagged "wordpress"
    partly matches an offer tagged with its parent "web-development", and less so an
    offer tagged with a sibling. Slugs missing from the tree are treated as roots and
    labelled with the slug itself.
    """

    topics: Mapping[str, Topic] = field(default_factory=dict)

    @classmethod
    def from_topics(cls, topics: Iterable[Topic]) -> TopicTree:
        return cls({t.slug: t for t in topics})

    @classmethod
    def from_parents(
        cls,
        parents: Mapping[str, str | None],
        labels: Mapping[str, tuple[str, str]] | None = None,
    ) -> TopicTree:
        """Build from ``slug -> parent`` and optional ``slug -> (english, german)``."""
        labels = labels or {}
        return cls(
            {
                slug: Topic(slug, *labels.get(slug, (slug, slug)), parent=parent)
                for slug, parent in parents.items()
            }
        )

    def parent(self, slug: str) -> str | None:
        topic = self.topics.get(slug)
        return topic.parent if topic is not None else None

    def label(self, slug: str) -> Label:
        topic = self.topics.get(slug)
        if topic is None:
            return Label.plain(slug)
        return Label(en=topic.name_en, de=topic.name_de)

    @cached_property
    def _children(self) -> dict[str, tuple[str, ...]]:
        children: dict[str, list[str]] = {}
        for topic in self.topics.values():
            if topic.parent is not None:
                children.setdefault(topic.parent, []).append(topic.slug)
        return {k: tuple(sorted(v)) for k, v in children.items()}

    def ancestors(self, slug: str) -> list[str]:
        """Parent, grandparent, ... (stops on cycles, which bad data could contain)."""
        result: list[str] = []
        current = self.parent(slug)
        while current is not None and current != slug and current not in result:
            result.append(current)
            current = self.parent(current)
        return result

    def related(self, slug: str, parent_step: float, sibling: float) -> dict[str, float]:
        """Similarity of ``slug`` to every topic related to it, itself included.

        Ancestors and descendants at distance ``d`` get ``parent_step ** d``; siblings
        (same parent) get ``sibling``; everything else is unrelated (absent).
        """
        result: dict[str, float] = {slug: 1.0}
        for depth, ancestor in enumerate(self.ancestors(slug), start=1):
            result.setdefault(ancestor, parent_step**depth)
        frontier = [slug]
        depth = 0
        seen = {slug}
        while frontier and depth < 8:  # bounded: deeper trees add nothing useful
            depth += 1
            nxt: list[str] = []
            for node in frontier:
                for child in self._children.get(node, ()):
                    if child not in seen:
                        seen.add(child)
                        nxt.append(child)
                        result.setdefault(child, parent_step**depth)
            frontier = nxt
        parent = self.parent(slug)
        if parent is not None:
            for sib in self._children.get(parent, ()):
                if sib != slug:
                    result[sib] = max(result.get(sib, 0.0), sibling)
        return result
