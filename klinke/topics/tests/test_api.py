"""The topics API: the whole vocabulary with parent slugs, for anyone, in one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from klinke.topics.models import Topic
from klinke.topics.vocabulary import SEED_TOPICS

pytestmark = pytest.mark.django_db

LIST = "/api/v1/topics/"


def test_it_lists_the_seeded_topics_with_parent_slugs(client: Client) -> None:
    response = client.get(LIST)

    assert response.status_code == 200
    topics = response.json()
    assert [t["slug"] for t in topics] == sorted(seed.slug for seed in SEED_TOPICS)
    by_slug = {t["slug"]: t for t in topics}
    assert by_slug["frontend"] == {
        "slug": "frontend",
        "name_en": "Frontend development",
        "name_de": "Frontend-Entwicklung",
        "kind": "technical",
        "parent": "web-development",
    }
    assert by_slug["web-development"]["parent"] is None
    assert by_slug["pricing"]["kind"] == "business"


def test_it_lists_topics_added_later(client: Client) -> None:
    hosting = Topic.objects.get(slug="hosting")
    Topic.objects.create(
        slug="kubernetes",
        name_en="Kubernetes",
        name_de="Kubernetes",
        kind="technical",
        parent=hosting,
    )

    by_slug = {t["slug"]: t for t in client.get(LIST).json()}

    assert by_slug["kubernetes"]["parent"] == "hosting"


def test_it_lists_topics_for_a_logged_in_person(network: Any) -> None:
    response = network.client_for(network.alice).get(LIST)

    assert response.status_code == 200
    assert len(response.json()) == len(SEED_TOPICS)


def test_it_refuses_a_wrong_token(client: Client) -> None:
    response = client.get(LIST, headers={"Authorization": "Bearer klk_wrong"})

    assert response.status_code == 401


def test_it_lists_topics_in_one_query(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert len(client.get(LIST).json()) == len(SEED_TOPICS)

    web = Topic.objects.get(slug="web-development")
    for i in range(5):
        Topic.objects.create(slug=f"extra-{i}", name_en=f"E{i}", name_de=f"E{i}", parent=web)

    with django_assert_num_queries(1):
        assert len(client.get(LIST).json()) == len(SEED_TOPICS) + 5
