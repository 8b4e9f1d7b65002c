"""Who counts as interested in an idea: its proposers too, and a count past the threshold."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from klinke.workshops.models import Interest, WorkshopIdea
from klinke.workshops.tests.conftest import make_idea

pytestmark = pytest.mark.django_db


def register(client: Any, idea: WorkshopIdea) -> None:
    response = client.post(
        reverse("workshops:idea_interest", args=[idea.pk]),
        {"preferred_format": "online", "region": "", "language": "de"},
    )
    assert response.status_code == 302


def shown_counts(client: Any, idea: WorkshopIdea, language: str = "en") -> tuple[str, str]:
    headers = {"accept-language": language}
    page = client.get(idea.get_absolute_url(), headers=headers).content.decode()
    listing = client.get(reverse("workshops:idea_list"), headers=headers).content.decode()
    return page, listing


def annotated(idea: WorkshopIdea) -> int:
    count: int = WorkshopIdea.objects.with_interest_count().get(pk=idea.pk).interest_count
    return count


def test_it_counts_the_proposer_as_interested(network: Any) -> None:
    idea = make_idea(network.sam, interest_threshold=2)
    page, listing = shown_counts(network.client_for(network.bob), idea)

    assert idea.interested_count() == annotated(idea) == 1
    assert "1 of 2 people interested" in page
    assert "1 of 2 interested" in listing
    api = network.client_for(network.bob).get(f"/api/v1/workshops/ideas/{idea.pk}")
    assert api.json()["interest_count"] == 1


def test_it_says_the_threshold_is_reached_instead_of_three_of_two(network: Any) -> None:
    idea = make_idea(network.sam, interest_threshold=2)
    register(network.client_for(network.alice), idea)
    register(network.client_for(network.bob), idea)

    page, listing = shown_counts(network.client_for(network.bob), idea)
    idea.refresh_from_db()

    assert idea.threshold_reached_at is not None  # Sam and Alice reached it
    assert idea.interested_count() == annotated(idea) == 3
    assert "3 interested, threshold of 2 reached" in page
    assert "3 interested, threshold of 2 reached" in listing
    assert "3 of 2" not in page + listing
    german, german_listing = shown_counts(network.client_for(network.bob), idea, "de")
    assert "3 interessiert, Schwelle 2 erreicht" in german
    assert "3 interessiert, Schwelle 2 erreicht" in german_listing


def test_it_counts_a_person_once_who_proposed_and_registered(network: Any) -> None:
    idea = make_idea(network.sam, interest_threshold=5)
    idea.proposers.add(network.alice)
    # Interest from before Alice became a proposer.
    Interest.objects.create(idea=idea, user=network.alice, preferred_format="online")
    Interest.objects.create(idea=idea, user=network.bob, preferred_format="online")

    assert idea.interested_count() == annotated(idea) == 3
