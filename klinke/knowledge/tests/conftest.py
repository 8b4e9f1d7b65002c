"""Fixtures for the knowledge base: articles and questions written through the actions."""

from __future__ import annotations

from typing import Any

import pytest

from klinke.knowledge import actions
from klinke.knowledge.models import Article, Question
from klinke.topics.models import Topic


def topics(*slugs: str) -> list[Topic]:
    return actions.topics_from_slugs(slugs)


def write_article(author: Any, **fields: Any) -> Article:
    data: dict[str, Any] = {
        "title": "Pricing your work",
        "body": "## Day rates\n\nWe explain how we set our **day rate**.\n",
        "language": "en",
        "visibility": "public",
        "topics": topics("pricing"),
    }
    data.update(fields)
    return actions.do_create_article(author=author, **data)


def ask(asker: Any, **fields: Any) -> Question:
    data: dict[str, Any] = {
        "title": "How do you price a maintenance contract?",
        "body": "We look after a few websites and never know what to charge per month.",
        "topics": topics("pricing"),
        "visibility": "members",
    }
    data.update(fields)
    return actions.do_ask_question(asker=asker, **data)


@pytest.fixture
def public_article(network: Any) -> Article:
    return write_article(network.alice)


@pytest.fixture
def members_article(network: Any) -> Article:
    return write_article(
        network.bob,
        title="Unsere internen Stundensätze",
        body="Nur für das Netzwerk: so rechnen wir intern.",
        language="de",
        visibility="members",
    )


@pytest.fixture
def question(network: Any) -> Question:
    return ask(network.alice)
