"""The collectives API: who sees which collectives and fields, filters, paging, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from klinke.accounts.models import APIToken
from klinke.collectives.models import Collective, Reference
from klinke.conftest import make_collective, make_user
from klinke.testing import api_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/collectives/"
MEMBERS_ONLY = ("red_lines", "capacity_person_days_per_month", "members")


def detail_url(slug: str) -> str:
    return f"/api/v1/collectives/{slug}"


def slugs(client: Client, **params: Any) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def more_collectives(count: int, members: list[Any]) -> None:
    """Extra rows with topics, references and members, for query counts that must not grow."""
    start = Collective.objects.filter(slug__startswith="extra-").count()
    for i in range(start, start + count):
        collective = make_collective(
            f"extra-{i}",
            f"Extra {i}",
            members=members,
            topics=["hosting", "frontend"],
            country="DE",
        )
        Reference.objects.create(collective=collective, client_type="sme", summary=f"Shop {i}")
        collective.refresh_search_document()


# --- Listing and detail ------------------------------------------------------------------


def test_it_lists_public_collectives_by_name(network: Any, client: Client) -> None:
    response = client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["slug"] for item in body["items"]] == ["quellcode", "rotkehlchen"]


def test_it_describes_a_collective(network: Any, client: Client) -> None:
    Reference.objects.create(
        collective=network.collective_a, client_type="culture", summary="Theater", year=2024
    )

    response = client.get(detail_url("quellcode"))

    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "quellcode"
    assert body["name"] == "Kollektiv Quellcode"
    assert body["description"] == {
        "de": "Wir machen Webentwicklung mit Django in Leipzig.",
        "en": "",
    }
    assert body["region"] == {
        "city": "Leipzig",
        "country": "DE",
        "nuts_code": "DED51",
        "latitude": None,
        "longitude": None,
    }
    assert body["working_languages"] == ["de", "en"]
    assert sorted(body["topics"]) == ["consulting", "web-development"]
    assert body["references"] == [
        {"client_type": "culture", "summary": "Theater", "year": 2024, "url": ""}
    ]
    assert body["visibility"] == "public"
    assert body["is_demo"] is False
    assert body["url"] == "/collectives/quellcode/"


def test_it_answers_404_for_an_unknown_collective(network: Any, client: Client) -> None:
    assert client.get(detail_url("gibt-es-nicht")).status_code == 404


# --- Visibility --------------------------------------------------------------------------


def test_it_hides_members_only_collectives_from_anonymous_visitors(
    network: Any, client: Client
) -> None:
    assert "verborgen" not in slugs(client)
    assert client.get(detail_url("verborgen")).status_code == 404


def test_it_hides_members_only_collectives_from_outsiders(network: Any) -> None:
    olga = network.client_for(network.outsider)

    assert "verborgen" not in slugs(olga)
    assert olga.get(detail_url("verborgen")).status_code == 404
    assert api_client(network.outsider).get(detail_url("verborgen")).status_code == 404


@pytest.mark.parametrize("persona", ["bob", "alice", "sam", "stella"])
def test_it_shows_members_only_collectives_to_network_members(network: Any, persona: str) -> None:
    client = network.client_for(getattr(network, persona))

    assert "verborgen" in slugs(client)
    assert client.get(detail_url("verborgen")).status_code == 200


def test_it_leaves_members_only_fields_null_for_anonymous_visitors(
    network: Any, client: Client
) -> None:
    detail = client.get(detail_url("quellcode")).json()
    listed = client.get(LIST).json()["items"][0]

    for body in (detail, listed):
        for field in MEMBERS_ONLY:
            assert field in body
            assert body[field] is None, field


def test_it_leaves_members_only_fields_null_for_outsiders(network: Any) -> None:
    for client in (network.client_for(network.outsider), api_client(network.outsider)):
        body = client.get(detail_url("quellcode")).json()
        for field in MEMBERS_ONLY:
            assert body[field] is None, field


def test_it_shows_members_only_fields_to_a_logged_in_member(network: Any) -> None:
    alice = network.client_for(network.alice)

    body = alice.get(detail_url("quellcode")).json()

    assert body["red_lines"] == "Keine Überwachungstechnik."
    assert body["capacity_person_days_per_month"] == 12
    assert body["members"] == ["Alice", "Alina"]
    listed = alice.get(LIST).json()["items"]
    assert listed[0]["red_lines"] == "Keine Überwachungstechnik."


def test_it_shows_members_only_fields_to_a_bearer_token(network: Any) -> None:
    client = api_client(network.alice)

    body = client.get(detail_url("quellcode")).json()

    assert body["red_lines"] == "Keine Überwachungstechnik."
    assert body["capacity_person_days_per_month"] == 12
    assert body["members"] == ["Alice", "Alina"]


def test_it_shows_members_only_fields_to_supporters_of_other_collectives(network: Any) -> None:
    body = api_client(network.sam).get(detail_url("rotkehlchen")).json()

    assert body["members"] == ["Bob"]
    assert body["red_lines"] == ""


def test_it_refuses_a_wrong_or_revoked_token(network: Any) -> None:
    token, raw = APIToken.issue(user=network.alice, name="old")
    token.revoke()

    revoked = Client(headers={"Authorization": f"Bearer {raw}"}).get(LIST)
    wrong = Client(headers={"Authorization": "Bearer klk_not-a-token"}).get(LIST)

    assert revoked.status_code == 401
    assert wrong.status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(network: Any) -> None:
    client = api_client(network.alice)
    network.alice.is_active = False
    network.alice.save()

    assert client.get(LIST).status_code == 401


def test_it_records_when_a_token_was_used(network: Any) -> None:
    token, raw = APIToken.issue(user=network.alice, name="script")

    Client(headers={"Authorization": f"Bearer {raw}"}).get(LIST)

    token.refresh_from_db()
    assert token.last_used_at is not None


# --- Archived collectives ----------------------------------------------------------------


@pytest.fixture
def archived(network: Any) -> Any:
    network.collective_b.archived_at = timezone.now()
    network.collective_b.save()
    return network


def test_it_hides_archived_collectives_from_non_members(archived: Any, client: Client) -> None:
    assert client.get(detail_url("rotkehlchen")).status_code == 404
    for persona in (archived.outsider, archived.alice, archived.stella):
        response = archived.client_for(persona).get(detail_url("rotkehlchen"))
        assert response.status_code == 404, persona


def test_it_shows_an_archived_collective_to_its_members(archived: Any) -> None:
    response = archived.client_for(archived.bob).get(detail_url("rotkehlchen"))

    assert response.status_code == 200
    assert response.json()["slug"] == "rotkehlchen"


def test_it_does_not_list_archived_collectives(archived: Any) -> None:
    assert "rotkehlchen" not in slugs(archived.client_for(archived.bob))
    assert "rotkehlchen" not in slugs(Client())


# --- Filters -----------------------------------------------------------------------------


def test_it_finds_collectives_by_text_in_either_language(network: Any, client: Client) -> None:
    make_collective(
        "zaunkoenig", "Zaunkönig", members=[], description_en="We do web development for NGOs."
    )

    assert slugs(client, q="Webentwicklung") == ["quellcode", "zaunkoenig"]
    assert slugs(client, q="web development") == ["quellcode", "zaunkoenig"]
    assert slugs(client, q="hosting") == ["rotkehlchen"]
    assert slugs(client, q="Quantencomputer") == []


def test_it_does_not_search_members_only_text_for_outsiders(network: Any, client: Client) -> None:
    assert slugs(client, q="Mitglieder") == []
    assert slugs(network.client_for(network.bob), q="Mitglieder") == ["verborgen"]


def test_it_filters_by_topic_including_subtopics(network: Any, client: Client) -> None:
    make_collective("pixel", "Pixelwerk", members=[], topics=["frontend"])

    assert slugs(client, topic="web-development") == ["quellcode", "pixel"]
    assert slugs(client, topic="frontend") == ["pixel"]
    assert slugs(client, topic="hosting") == ["rotkehlchen"]


def test_it_returns_an_empty_page_for_an_unknown_topic(network: Any, client: Client) -> None:
    response = client.get(LIST, {"topic": "basket-weaving"})

    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_it_filters_by_region(network: Any, client: Client) -> None:
    assert slugs(client, region="AT") == ["rotkehlchen"]
    assert slugs(client, region="DED") == ["quellcode"]
    assert slugs(client, region="wien") == ["rotkehlchen"]
    assert slugs(client, region="FR") == []


def test_it_filters_by_working_language(network: Any, client: Client) -> None:
    make_collective("gauloise", "Gauloise", members=[], languages=",fr,")

    assert slugs(client, language="fr") == ["gauloise"]
    assert slugs(client, language="de") == ["quellcode", "rotkehlchen"]


def test_it_combines_filters(network: Any, client: Client) -> None:
    assert slugs(client, q="Django", region="DE", language="de") == ["quellcode"]
    assert slugs(client, q="Django", region="AT") == []


# --- Paging ------------------------------------------------------------------------------


def test_it_pages_with_limit_and_offset(network: Any, client: Client) -> None:
    first = client.get(LIST, {"limit": 1}).json()
    second = client.get(LIST, {"limit": 1, "offset": 1}).json()
    beyond = client.get(LIST, {"limit": 1, "offset": 5}).json()

    assert first["count"] == second["count"] == beyond["count"] == 2
    assert [item["slug"] for item in first["items"]] == ["quellcode"]
    assert [item["slug"] for item in second["items"]] == ["rotkehlchen"]
    assert beyond["items"] == []


def test_it_counts_all_matches_not_just_the_page(network: Any, client: Client) -> None:
    more_collectives(3, members=[])

    body = client.get(LIST, {"limit": 2, "topic": "hosting"}).json()

    assert body["count"] == 4
    assert len(body["items"]) == 2


# --- Query counts ------------------------------------------------------------------------

# Anonymous: count + page + prefetches of topics, references and memberships (with users).
ANONYMOUS_LIST_QUERIES = 5
# A session adds the session and the user, and the network-member check (every role in one
# query) adds one.
SESSION_LIST_QUERIES = ANONYMOUS_LIST_QUERIES + 3
# A token adds its lookup (with the user) and the last-used stamp, instead of the session.
TOKEN_LIST_QUERIES = ANONYMOUS_LIST_QUERIES + 3


def test_it_lists_anonymously_in_a_fixed_number_of_queries(
    network: Any, client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES):
        assert len(slugs(client)) == 2

    more_collectives(3, members=[network.alice2])

    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES):
        assert len(slugs(client)) == 5


def test_it_lists_for_a_member_in_a_fixed_number_of_queries(
    network: Any, django_assert_num_queries: Any
) -> None:
    alice = network.client_for(network.alice)
    with django_assert_num_queries(SESSION_LIST_QUERIES):
        assert len(slugs(alice)) == 3

    more_collectives(3, members=[network.alice2, network.bob])

    with django_assert_num_queries(SESSION_LIST_QUERIES):
        assert len(slugs(alice)) == 6


def test_it_lists_for_a_token_in_a_fixed_number_of_queries(
    network: Any, django_assert_num_queries: Any
) -> None:
    client = api_client(network.alice)
    with django_assert_num_queries(TOKEN_LIST_QUERIES):
        assert len(slugs(client)) == 3

    more_collectives(3, members=[network.alice2])

    # The token was used less than a minute ago: no second last-used stamp.
    with django_assert_num_queries(TOKEN_LIST_QUERIES - 1):
        assert len(slugs(client)) == 6


def test_it_lists_with_filters_in_a_fixed_number_of_queries(
    network: Any, client: Client, django_assert_num_queries: Any
) -> None:
    # The topic filter adds the topic tree and the requested topic's id.
    params = {"topic": "hosting", "q": "Shop", "region": "DE", "language": "de"}
    more_collectives(2, members=[])
    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES + 2):
        assert len(slugs(client, **params)) == 2

    more_collectives(5, members=[])

    with django_assert_num_queries(ANONYMOUS_LIST_QUERIES + 2):
        assert len(slugs(client, **params)) == 7


def test_it_describes_a_collective_in_a_fixed_number_of_queries(
    network: Any, django_assert_num_queries: Any
) -> None:
    client = network.client_for(network.alice)
    # Session, user, the collective, its three prefetches, the network-member check.
    with django_assert_num_queries(7):
        assert client.get(detail_url("quellcode")).status_code == 200

    extra = make_user("extra@example.org", "Extra")
    for i in range(5):
        Reference.objects.create(collective=network.collective_a, client_type="sme", summary=f"{i}")
    network.collective_a.memberships.create(user=extra)
    more_collectives(3, members=[network.alice])

    with django_assert_num_queries(7):
        body = client.get(detail_url("quellcode")).json()
    assert len(body["references"]) == 5
    assert body["members"] == ["Alice", "Alina", "Extra"]


def test_it_describes_a_collective_anonymously_in_a_fixed_number_of_queries(
    network: Any, client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):
        assert client.get(detail_url("quellcode")).status_code == 200
    more_collectives(3, members=[network.alice])
    with django_assert_num_queries(4):
        assert client.get(detail_url("quellcode")).status_code == 200
