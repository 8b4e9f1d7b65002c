"""The supporters API: who sees which supporters and fields, filters, paging, query counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client

from klinke.supporters.models import Supporter
from klinke.testing import api_client
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db

LIST = "/api/v1/supporters/"


def detail_url(slug: str) -> str:
    return f"/api/v1/supporters/{slug}"


def slugs(client: Client, **params: Any) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def make_supporter(slug: str, name: str, *, topics: Sequence[str] = (), **fields: Any) -> Supporter:
    languages = fields.pop("languages", ["de"])
    supporter = Supporter(slug=slug, name=name, **fields)
    supporter.language_codes = languages
    supporter.save()
    supporter.topics.set(Topic.objects.filter(slug__in=topics))
    supporter.refresh_search_document()
    return supporter


def more_supporters(count: int) -> None:
    start = Supporter.objects.filter(slug__startswith="extra-").count()
    for i in range(start, start + count):
        make_supporter(
            f"extra-{i}",
            f"Extra {i}",
            topics=["pricing", "hosting", "frontend"],
            hours_per_month=i,
            country="DE",
        )


# --- Listing and detail ------------------------------------------------------------------


def test_it_lists_public_supporters_by_name(network: Any, client: Client) -> None:
    make_supporter("anna", "Anna Adler")

    body = client.get(LIST).json()

    assert body["count"] == 2
    assert [item["slug"] for item in body["items"]] == ["anna", "sam-berater"]


def test_it_describes_a_supporter(network: Any, client: Client) -> None:
    network.supporter.brokering_regions = "DE, AT13"
    network.supporter.sector_codes = ["energy", "culture"]
    network.supporter.save()

    response = client.get(detail_url("sam-berater"))

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Sam Beispiel"
    assert body["kind"] == "person"
    assert body["bio"] == {"de": "", "en": "I help with pricing and acquisition."}
    assert sorted(body["topics"]) == ["acquisition", "pricing"]
    assert body["brokering_sectors"] == ["culture", "energy"]
    assert body["brokering_regions"] == ["DE", "AT13"]
    assert body["languages"] == ["de", "en"]
    assert body["region"]["city"] == "Berlin"
    assert body["region"]["country"] == "DE"
    assert body["visibility"] == "public"
    assert body["url"] == "/supporters/sam-berater/"


def test_it_answers_404_for_an_unknown_supporter(network: Any, client: Client) -> None:
    assert client.get(detail_url("niemand")).status_code == 404


# --- Visibility --------------------------------------------------------------------------


def test_it_hides_members_only_supporters_from_anonymous_visitors(
    network: Any, client: Client
) -> None:
    assert "stille-hilfe" not in slugs(client)
    assert client.get(detail_url("stille-hilfe")).status_code == 404


def test_it_hides_members_only_supporters_from_outsiders(network: Any) -> None:
    for client in (network.client_for(network.outsider), api_client(network.outsider)):
        assert "stille-hilfe" not in slugs(client)
        assert client.get(detail_url("stille-hilfe")).status_code == 404


def test_it_shows_members_only_supporters_to_network_members(network: Any) -> None:
    for client in (network.client_for(network.bob), api_client(network.alice)):
        assert slugs(client) == ["sam-berater", "stille-hilfe"]
        assert client.get(detail_url("stille-hilfe")).status_code == 200


def test_it_leaves_hours_null_for_anonymous_visitors_and_outsiders(network: Any) -> None:
    clients = [Client(), network.client_for(network.outsider), api_client(network.outsider)]
    for client in clients:
        assert client.get(detail_url("sam-berater")).json()["hours_per_month"] is None
        assert client.get(LIST).json()["items"][0]["hours_per_month"] is None


def test_it_shows_hours_to_network_members(network: Any) -> None:
    for client in (network.client_for(network.alice), api_client(network.alice)):
        assert client.get(detail_url("sam-berater")).json()["hours_per_month"] == 4
        assert client.get(LIST).json()["items"][0]["hours_per_month"] == 4


def test_it_shows_a_supporter_their_own_hours(network: Any) -> None:
    body = network.client_for(network.sam).get(detail_url("sam-berater")).json()

    assert body["hours_per_month"] == 4


def test_it_refuses_a_wrong_token(network: Any) -> None:
    client = Client(headers={"Authorization": "Bearer klk_wrong"})

    assert client.get(LIST).status_code == 401
    assert client.get(detail_url("sam-berater")).status_code == 401


# --- Filters -----------------------------------------------------------------------------


def test_it_finds_supporters_by_text_in_either_language(network: Any, client: Client) -> None:
    make_supporter("vera", "Vera Vogel", bio_de="Ich berate zur Preisgestaltung.")

    assert slugs(client, q="Akquise") == ["sam-berater"]
    assert slugs(client, q="acquisition") == ["sam-berater"]
    assert slugs(client, q="pricing") == ["sam-berater", "vera"]
    assert slugs(client, q="Quantencomputer") == []


def test_it_filters_supporters_by_topic_including_subtopics(network: Any, client: Client) -> None:
    make_supporter("frida", "Frida Front", topics=["frontend"])
    make_supporter("nele", "Nele Netz", topics=["networking"])

    assert slugs(client, topic="web-development") == ["frida"]
    assert slugs(client, topic="acquisition") == ["nele", "sam-berater"]
    assert slugs(client, topic="networking") == ["nele"]


def test_it_returns_an_empty_page_for_an_unknown_topic(network: Any, client: Client) -> None:
    assert client.get(LIST, {"topic": "basket-weaving"}).json() == {"items": [], "count": 0}


def test_it_filters_supporters_by_region_and_language(network: Any, client: Client) -> None:
    make_supporter("lea", "Léa Lyon", city="Lyon", country="FR", languages=["fr"])

    assert slugs(client, region="FR") == ["lea"]
    assert slugs(client, region="berlin") == ["sam-berater"]
    assert slugs(client, language="fr") == ["lea"]
    assert slugs(client, language="en") == ["sam-berater"]


def test_it_pages_supporters(network: Any, client: Client) -> None:
    more_supporters(3)

    page = client.get(LIST, {"limit": 2, "offset": 2}).json()

    assert page["count"] == 4
    assert [item["slug"] for item in page["items"]] == ["extra-2", "sam-berater"]


# --- Query counts ------------------------------------------------------------------------

# Anonymous: count + page + topics prefetch.
ANONYMOUS_LIST_QUERIES = 3
# A session adds the session and the user, the network-member check (every role in one
# query) one more.
SESSION_LIST_QUERIES = ANONYMOUS_LIST_QUERIES + 3


def test_it_lists_supporters_in_a_fixed_number_of_queries(
    network: Any, client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES):
        assert len(slugs(client)) == 1
    more_supporters(4)
    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES):
        assert len(slugs(client)) == 5


def test_it_lists_supporters_for_a_member_in_a_fixed_number_of_queries(
    network: Any, django_assert_num_queries: Any
) -> None:
    alice = network.client_for(network.alice)
    with django_assert_num_queries(SESSION_LIST_QUERIES):
        assert len(slugs(alice)) == 2
    more_supporters(4)
    with django_assert_num_queries(SESSION_LIST_QUERIES):
        assert len(slugs(alice)) == 6


def test_it_lists_filtered_supporters_in_a_fixed_number_of_queries(
    network: Any, client: Client, django_assert_num_queries: Any
) -> None:
    # The topic filter adds the topic tree and the requested topic's id.
    params = {"topic": "web-development", "region": "DE", "language": "de"}
    more_supporters(1)
    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES + 2):
        assert len(slugs(client, **params)) == 1
    more_supporters(4)
    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES + 2):
        assert len(slugs(client, **params)) == 5


def test_it_describes_a_supporter_in_a_fixed_number_of_queries(
    network: Any, client: Client, django_assert_num_queries: Any
) -> None:
    # The supporter and its topics.
    with django_assert_num_queries(2):
        assert client.get(detail_url("sam-berater")).status_code == 200
    more_supporters(3)
    network.supporter.topics.add(*Topic.objects.filter(kind="technical"))
    with django_assert_num_queries(2):
        body = client.get(detail_url("sam-berater")).json()
    assert len(body["topics"]) > 10
