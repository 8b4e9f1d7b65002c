"""The estimates API: the same rules as the pages, for the collective's members only."""

from __future__ import annotations

import json

import pytest

from klinke.estimates.models import Estimate
from klinke.testing import api_client
from klinke.workbench.tests.conftest import make_lead

pytestmark = pytest.mark.django_db

PACKAGES = [
    {
        "name": "Konzept",
        "optimistic_hours": "2",
        "likely_hours": "4",
        "pessimistic_hours": "12",
        "hourly_rate": "100",
    },
    {
        "name": "Bau",
        "optimistic_hours": "10",
        "likely_hours": "20",
        "pessimistic_hours": "30",
        "hourly_rate": "100",
    },
]


def post(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def base(network):
    return f"/api/v1/estimates/{network.collective_a.slug}/"


def test_it_creates_versions_shares_and_reads_the_decision(network):
    lead = make_lead(network.collective_a, "Portal")
    alice = api_client(network.alice)
    created = post(
        alice,
        base(network),
        {
            "title": "Portal",
            "lead": lead.pk,
            "template": "website-relaunch-cms",
            "hourly_rate": "90",
        },
    )
    assert created.status_code == 201, created.content
    estimate = created.json()
    assert estimate["lead"] == lead.pk and estimate["latest_version"] == 1
    path = f"{base(network)}{estimate['id']}"
    saved = post(
        alice, f"{path}/versions", {"packages": PACKAGES, "assumptions": ["Texte von euch"]}
    )
    assert saved.status_code == 201
    version = saved.json()
    # Konzept: E = 5, σ = 1.667
    assert version["packages"][0]["expected_hours"] == "5.000"
    assert version["packages"][0]["sigma_hours"] == "1.667"
    assert version["method"] == "pert-normal-p10-p90"
    shared = post(alice, f"{path}/share", {})
    assert shared.status_code == 200
    assert "/e/est_" in shared.json()["client_url"]
    # The frozen version cannot be overwritten; without a change note the next one is refused.
    refused = post(alice, f"{path}/versions", {"packages": PACKAGES})
    assert refused.status_code == 422
    next_version = post(
        alice, f"{path}/versions", {"packages": PACKAGES[:1], "change_note": "kleiner"}
    )
    assert next_version.json()["number"] == 2
    versions = alice.get(f"{path}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert len(versions[1]["packages"]) == 2
    decision = alice.get(f"{path}/decision")
    assert decision.status_code == 200
    assert decision.json()["decided_version"] is None
    revoked = alice.delete(f"{path}/link")
    assert revoked.status_code == 200 and revoked.json()["has_link"] is False


def test_it_refuses_bad_input_with_422_and_writes_nothing(network):
    alice = api_client(network.alice)
    bad = dict(PACKAGES[0], optimistic_hours="50")
    created = post(alice, base(network), {"title": "Portal"})
    path = f"{base(network)}{created.json()['id']}"
    assert post(alice, f"{path}/versions", {"packages": [bad]}).status_code == 422
    assert post(alice, base(network), {"title": ""}).status_code == 422
    assert post(alice, base(network), {"title": "x", "template": "unknown"}).status_code == 422
    assert post(alice, base(network), {"title": "x", "vat_rate": "900"}).status_code == 422
    assert post(alice, base(network), {"title": "x", "client_language": "fr"}).status_code == 422
    assert post(alice, base(network), {"title": "x", "currency": "E1"}).status_code == 422
    assert post(alice, base(network), {"title": "x", "vat_category": "XX"}).status_code == 422
    assert Estimate.objects.count() == 1


def test_it_answers_404_to_other_collectives_and_401_to_anonymous(network):
    alice = api_client(network.alice)
    created = post(alice, base(network), {"title": "Geheim"}).json()
    bob = api_client(network.bob)
    assert bob.get(base(network)).status_code == 404
    assert bob.get(f"{base(network)}{created['id']}").status_code == 404
    own = f"/api/v1/estimates/{network.collective_b.slug}/{created['id']}"
    assert bob.get(own).status_code == 404
    from django.test import Client

    assert Client().get(base(network)).status_code == 401


def test_it_lists_estimates_in_a_fixed_number_of_queries(network, django_assert_max_num_queries):
    alice = api_client(network.alice)
    for i in range(6):
        post(alice, base(network), {"title": f"Schätzung {i}"})
    with django_assert_max_num_queries(10):
        listed = alice.get(base(network))
    assert listed.status_code == 200
    assert listed.json()["count"] == 6
