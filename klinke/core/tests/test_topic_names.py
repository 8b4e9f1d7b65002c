"""`topic_names`: what a search document holds of a row's topics, in both languages."""

from __future__ import annotations

from dataclasses import dataclass

from klinke.core.models import topic_names


@dataclass
class Named:
    name_de: str
    name_en: str


class Topics:
    def __init__(self, *topics: Named) -> None:
        self.topics = topics

    def all(self) -> tuple[Named, ...]:
        return self.topics


def test_it_names_each_topic_in_german_and_english() -> None:
    topics = Topics(Named("Finanzen", "Finance"), Named("Barrierefreiheit", "Accessibility"))

    assert topic_names(topics) == ["Finanzen Finance", "Barrierefreiheit Accessibility"]


def test_it_names_nothing_without_topics() -> None:
    assert topic_names(Topics()) == []
