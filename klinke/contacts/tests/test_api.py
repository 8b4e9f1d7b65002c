"""The address book's JSON API for members: list, read, create, update, delete."""

from __future__ import annotations

import pytest
from django.test import Client

from klinke.contacts.models import Contact, Organisation
from klinke.contacts.tests.conftest import make_contact
from klinke.testing import api_client

pytestmark = pytest.mark.django_db

API = "/api/v1/workbench/quellcode"
JSON = "application/json"


def test_it_lists_and_filters_contacts(network, address_book):
    client = api_client(network.alice2)
    response = client.get(f"{API}/contacts")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    anna = data["items"][0]
    assert anna["full_name"] == "Anna Müller"
    assert anna["organisation"] == {
        "id": address_book["mieterverein"].pk,
        "name": "Mieterverein Leipzig e.V.",
    }
    assert anna["emails"] == [{"email": "anna.mueller@mieterverein.example", "label": ""}]
    assert anna["phones"] == [
        {"number": "+493419876543", "raw": "0341 9876543", "e164": "+493419876543", "label": ""}
    ]
    assert anna["tags"] == ["board", "tenants"]
    assert anna["url"] == f"/collectives/quellcode/contacts/{address_book['anna'].pk}/"
    assert [
        c["full_name"] for c in client.get(f"{API}/contacts", {"tag": "culture"}).json()["items"]
    ] == ["Ben Okafor"]
    assert [
        c["full_name"] for c in client.get(f"{API}/contacts", {"q": "Müller"}).json()["items"]
    ] == ["Anna Müller"]
    by_org = client.get(f"{API}/contacts", {"organisation": address_book["werk2"].pk}).json()
    assert [c["full_name"] for c in by_org["items"]] == ["Ben Okafor"]
    assert (
        client.get(f"{API}/contacts", {"limit": 1, "offset": 1}).json()["items"][0]["full_name"]
        == "Ben Okafor"
    )


def test_it_lists_with_a_fixed_number_of_queries(
    network, address_book, django_assert_max_num_queries
):
    client = api_client(network.alice)
    client.get(f"{API}/contacts")
    with django_assert_max_num_queries(8) as few:
        client.get(f"{API}/contacts")
    for i in range(20):
        make_contact(
            network.collective_a,
            f"P{i} F{i}",
            emails=[f"p{i}@example.org"],
            phones=["030 1234567"],
            organisation=address_book["werk2"],
        )
    with django_assert_max_num_queries(8) as many:
        assert client.get(f"{API}/contacts").json()["count"] == 22
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_creates_updates_patches_and_deletes_a_contact(network, address_book):
    client = api_client(network.alice)
    response = client.post(
        f"{API}/contacts",
        {
            "given_name": "Carla",
            "family_name": "Schmidt",
            "organisation": address_book["werk2"].pk,
            "emails": [{"email": "Carla@Example.org", "label": "work"}],
            "phones": [{"number": "0176 5551234", "label": "mobile"}, {"number": "Pforte"}],
            "tags": ["Culture", "finance"],
            "consent": "agreed",
            "consent_on": "2026-03-01",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    carla = Contact.objects.get(pk=data["id"])
    assert carla.collective == network.collective_a and carla.source_by == network.alice
    assert data["full_name"] == "Carla Schmidt"
    assert data["emails"] == [{"email": "carla@example.org", "label": "work"}]
    assert data["phones"][0]["e164"] == "+491765551234"
    assert data["phones"][1] == {"number": "Pforte", "raw": "Pforte", "e164": None, "label": ""}
    assert data["tags"] == ["culture", "finance"]
    assert data["source"] == "manual"

    response = client.patch(f"{API}/contacts/{carla.pk}", {"role": "Kasse"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["role"] == "Kasse"
    assert response.json()["emails"] == [
        {"email": "carla@example.org", "label": "work"}
    ]  # untouched

    response = client.put(
        f"{API}/contacts/{carla.pk}",
        {"full_name": "Carla S.", "emails": [{"email": "cs@example.org"}]},
        content_type=JSON,
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["full_name"], data["role"], data["organisation"], data["phones"]) == (
        "Carla S.",
        "",
        None,
        [],
    )
    assert [e["email"] for e in data["emails"]] == ["cs@example.org"]
    assert list(Contact.objects.matching_terms(["cs"])) == [carla]

    assert client.delete(f"{API}/contacts/{carla.pk}").status_code == 204
    assert not Contact.objects.filter(pk=carla.pk).exists()
    assert client.get(f"{API}/contacts/{carla.pk}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "give at least a name"),
        ({"full_name": "X", "emails": [{"email": "nope"}]}, "not an email address"),
        ({"full_name": "X", "consent": "maybe"}, "consent"),
        ({"full_name": "X", "source": "import"}, "source"),
        ({"full_name": "X" * 251}, "full_name"),
    ],
)
def test_it_answers_422_and_writes_nothing(network, payload, message):
    response = api_client(network.alice).post(f"{API}/contacts", payload, content_type=JSON)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_it_refuses_another_collectives_organisation(network):
    foreign = Organisation.objects.create(collective=network.collective_b, name="Fremd")
    response = api_client(network.alice).post(
        f"{API}/contacts", {"full_name": "X", "organisation": foreign.pk}, content_type=JSON
    )
    assert response.status_code == 422
    assert "No such organisation" in response.json()["detail"]
    assert not Contact.objects.exists()


def test_it_manages_organisations(network, address_book):
    client = api_client(network.alice)
    response = client.post(
        f"{API}/organisations",
        {
            "name": "Backkollektiv Sauerteig eG",
            "sector": "cooperatives",
            "country": "de",
            "tags": ["Food"],
            "website": "https://sauerteig.example",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["country"], data["tags"], data["contact_count"]) == ("DE", ["food"], 0)
    listing = client.get(f"{API}/organisations").json()
    assert [o["name"] for o in listing["items"]] == [
        "Backkollektiv Sauerteig eG", "Kulturzentrum Werk 2", "Mieterverein Leipzig e.V.",
    ]  # fmt: skip
    assert listing["items"][2]["contact_count"] == 1
    assert client.get(f"{API}/organisations", {"q": "Sauerteig"}).json()["count"] == 1
    org = address_book["mieterverein"].pk
    response = client.patch(f"{API}/organisations/{org}", {"name": "Mieterbund"}, content_type=JSON)
    assert response.json()["name"] == "Mieterbund"
    assert client.get(f"{API}/contacts", {"q": "Mieterbund"}).json()["count"] == 1
    response = client.put(
        f"{API}/organisations/{org}", {"name": "Mieterbund", "sector": "weapons"}, content_type=JSON
    )
    assert response.status_code == 422
    assert client.delete(f"{API}/organisations/{org}").status_code == 204
    assert Contact.objects.get(pk=address_book["anna"].pk).organisation is None


def test_it_needs_the_csrf_token_for_session_writes(network):
    client = Client(enforce_csrf_checks=True)
    client.force_login(network.alice)
    response = client.post(f"{API}/contacts", {"full_name": "X"}, content_type=JSON)
    assert response.status_code == 403
    assert not Contact.objects.exists()
    assert client.get(f"{API}/contacts").status_code == 200
