"""Factories and fixtures for the workshops tests: ideas, events and extra participants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from klinke.accounts.models import User
from klinke.conftest import make_user
from klinke.core.models import Visibility
from klinke.topics.models import Topic
from klinke.workshops.models import Event, EventFormat, WorkshopIdea


def make_idea(proposer: User, title: str = "Akquise für Kollektive", **fields: Any) -> WorkshopIdea:
    topics = fields.pop("topics", ["acquisition"])
    fields.setdefault(
        "description",
        "Wie finden Kollektive Kund*innen, ohne Klinken zu putzen? Erfahrungen und Methoden.",
    )
    idea = WorkshopIdea.objects.create(title=title, **fields)
    idea.proposers.add(proposer)
    idea.topics.set(Topic.objects.filter(slug__in=topics))
    idea.refresh_search_document()
    return idea


def make_event(
    host: User,
    title: str = "Preise kalkulieren",
    *,
    starts_at: datetime | None = None,
    hours: float = 2,
    capacity: int = 3,
    **fields: Any,
) -> Event:
    topics = fields.pop("topics", ["pricing"])
    # Whole minutes, as the form has them, so an unchanged form does not move the event.
    starts_at = (starts_at or timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    fields.setdefault("description", "Tagessätze, Rücklagen und Einheitslohn durchrechnen.")
    fields.setdefault("format", EventFormat.IN_PERSON)
    fields.setdefault("venue", "Werkstatt Süd, Karl-Liebknecht-Str. 12")
    fields.setdefault("city", "Leipzig")
    event = Event.objects.create(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        created_by=host,
        **fields,
    )
    event.hosts.add(host)
    event.topics.set(Topic.objects.filter(slug__in=topics))
    event.refresh_search_document()
    return event


@pytest.fixture(autouse=True)
def english_pages(settings: Any) -> None:
    """Pages in English, the source language, so tests read the strings the code has.

    Visitors without a language preference otherwise get German once it is translated.
    """
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def people(db: Any) -> Callable[[int, str], list[User]]:
    """`people(n)` makes n more logins (no role in the network) for filling events."""

    def make(count: int, prefix: str = "guest") -> list[User]:
        start = User.objects.filter(email__startswith=prefix).count()
        return [
            make_user(
                f"{prefix}{start + i}@example.org", f"{prefix.title()} {start + i}", language="en"
            )
            for i in range(count)
        ]

    return make


@pytest.fixture
def seeded_topics(db: Any) -> None:
    """The seed vocabulary, for transactional tests: an earlier one may have flushed it."""
    from klinke.topics.vocabulary import SEED_TOPICS

    for seed in SEED_TOPICS:
        Topic.objects.get_or_create(
            slug=seed.slug,
            defaults={"name_en": seed.name_en, "name_de": seed.name_de, "kind": seed.kind},
        )
    for seed in SEED_TOPICS:
        if seed.parent:
            Topic.objects.filter(slug=seed.slug).update(parent=Topic.objects.get(slug=seed.parent))


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def members_event(network: Any) -> Event:
    return make_event(network.alice, "Nur für das Netzwerk", visibility=Visibility.MEMBERS)
