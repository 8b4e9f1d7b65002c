"""Pages and feeds answer in a fixed number of queries, however many rows there are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from klinke.workshops import actions
from klinke.workshops.models import Interest
from klinke.workshops.tests.conftest import make_event, make_idea

pytestmark = pytest.mark.django_db


def pin(django_assert_max_num_queries: Any, client: Any, url: str, ceiling: int, grow: Any) -> int:
    assert client.get(url).status_code == 200  # warm the session
    with django_assert_max_num_queries(ceiling) as captured:
        assert client.get(url).status_code == 200
    first = len(captured)
    grow()
    with django_assert_max_num_queries(first):
        assert client.get(url).status_code == 200
    return first


def test_it_keeps_event_list_queries_flat_as_events_grow(
    network, people, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            event = make_event(
                network.alice,
                f"Abend {index}",
                starts_at=timezone.now() + timedelta(days=index + 1),
                topics=["pricing", "acquisition"],
            )
            event.hosts.add(network.sam)
            for guest in people(2):
                actions.do_register(event_id=event.pk, user=guest)
            actions.do_register(event_id=event.pk, user=network.bob)

    add(2)
    make_idea(network.sam)
    client = network.client_for(network.bob)

    def grow() -> None:
        add(6)
        for index in range(3):  # the ideas beside the events show their topics too
            make_idea(network.sam, f"Idee {index}", topics=["pricing"])

    # The base of every page, the events with their topics and the visitor's registrations,
    # the topic filter's choices, the ideas with their topics; no count while the events fit
    # on one page.
    pin(django_assert_max_num_queries, client, reverse("workshops:index"), 10, grow)


def test_it_the_event_page_does_not_grow_with_registrations(
    network, people, django_assert_max_num_queries
):
    event = make_event(network.alice, capacity=3, topics=["pricing", "acquisition"])
    actions.do_register(event_id=event.pk, user=network.bob)

    def add() -> None:
        for guest in people(8):
            actions.do_register(event_id=event.pk, user=guest)
        event.hosts.add(network.sam, network.stella)

    for viewer in (network.bob, network.alice):
        client = network.client_for(viewer)
        pin(django_assert_max_num_queries, client, event.get_absolute_url(), 10, add)


def test_it_the_attendee_list_does_not_grow_with_attendees(
    network, people, django_assert_max_num_queries
):
    event = make_event(network.alice, capacity=4)
    for guest in people(3):
        actions.do_register(event_id=event.pk, user=guest)

    def add() -> None:
        for guest in people(10):
            actions.do_register(event_id=event.pk, user=guest)
        actions.do_message_participants(event=event, user=network.alice, subject="Hi", body="…")

    client = network.client_for(network.alice)
    url = reverse("workshops:event_attendees", args=[event.pk])
    pin(django_assert_max_num_queries, client, url, 9, add)


def test_it_the_idea_list_and_page_do_not_grow_with_interest(
    network, people, django_assert_max_num_queries
):
    idea = make_idea(network.sam, topics=["acquisition", "pricing"])
    make_idea(network.alice, "Zweite Idee")

    def add() -> None:
        for guest in people(10):
            Interest.objects.create(idea=idea, user=guest, region="Leipzig")
        for index in range(5):
            make_idea(network.alice, f"Idee {index}")

    client = network.client_for(network.bob)
    pin(django_assert_max_num_queries, client, reverse("workshops:idea_list"), 9, add)
    pin(django_assert_max_num_queries, client, idea.get_absolute_url(), 10, lambda: None)
    proposer = network.client_for(network.sam)
    pin(django_assert_max_num_queries, proposer, idea.get_absolute_url(), 16, add)


def test_it_the_feeds_do_not_grow_with_events(network, people, django_assert_max_num_queries):
    def add(count: int) -> None:
        for index in range(count):
            event = make_event(network.alice, f"Feed {index}", topics=["pricing", "acquisition"])
            actions.do_register(event_id=event.pk, user=network.bob)

    add(2)
    client = network.client_for(None)
    pin(django_assert_max_num_queries, client, reverse("workshops:public_feed"), 2, lambda: add(6))
    bob = network.client_for(network.bob)
    url = bob.post(reverse("workshops:calendar_regenerate")).context["feed_url"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    pin(django_assert_max_num_queries, client, path, 7, lambda: add(6))
