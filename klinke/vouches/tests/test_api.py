"""The vouches API: the same rules as the pages."""

from __future__ import annotations

import json

import pytest

from klinke.testing import api_client
from klinke.vouches.models import Vouch
from klinke.vouches.tests.conftest import offered, public_vouch

pytestmark = pytest.mark.django_db


def post(client, path, data=None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_it_lists_a_collectives_public_vouches_only(network, client):
    offered(network.collective_b, network.collective_a, network.bob, "Entwurf")
    public_vouch(network.collective_b, network.collective_a, network.bob, network.alice, "Portal")
    answer = client.get("/api/v1/vouches/?collective=quellcode")
    assert answer.status_code == 200
    assert [(v["voucher"], v["project"]) for v in answer.json()] == [("rotkehlchen", "Portal")]
    assert client.get("/api/v1/vouches/?collective=verborgen").status_code == 404
    assert client.get("/api/v1/vouches/").status_code == 422


def test_it_offers_confirms_and_withdraws_like_the_pages(network):
    bob = api_client(network.bob)
    created = post(
        bob,
        "/api/v1/vouches/collectives/rotkehlchen/offers",
        {"collective": "quellcode", "project": "Hosting-Umzug", "statement": "Zuverlässig."},
    )
    assert created.status_code == 201, created.content
    vouch = created.json()
    assert vouch["state"] == "pending" and not vouch["waiting_for_you"]
    alice = api_client(network.alice)
    listed = alice.get("/api/v1/vouches/collectives/quellcode/")
    assert listed.status_code == 200
    assert listed.json()[0]["waiting_for_you"] is True
    own = post(bob, f"/api/v1/vouches/collectives/rotkehlchen/{vouch['id']}/confirm")
    assert own.status_code == 409
    confirmed = post(alice, f"/api/v1/vouches/collectives/quellcode/{vouch['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "public"
    withdrawn = post(bob, f"/api/v1/vouches/collectives/rotkehlchen/{vouch['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


def test_it_refuses_self_vouching_duplicates_and_bad_input(network):
    alice = api_client(network.alice)
    path = "/api/v1/vouches/collectives/quellcode/offers"
    itself = post(alice, path, {"collective": "quellcode", "project": "Selbstlob"})
    assert itself.status_code == 409
    unknown = post(alice, path, {"collective": "gibt-es-nicht", "project": "X"})
    assert unknown.status_code == 422
    blank = post(alice, path, {"collective": "rotkehlchen", "project": ""})
    assert blank.status_code == 422
    bad_source = post(alice, path, {"collective": "rotkehlchen", "project": "X", "source": "x"})
    assert bad_source.status_code == 422
    nul = post(alice, path, {"collective": "rotkehlchen", "project": "a\u0000b"})
    assert nul.status_code == 422
    assert post(alice, path, {"collective": "rotkehlchen", "project": "Doppelt"}).status_code == 201
    again = post(alice, path, {"collective": "rotkehlchen", "project": "doppelt"})
    assert again.status_code == 409
    assert Vouch.objects.count() == 1


def test_it_lets_a_collective_ask_and_a_supporter_answer(network):
    alice = api_client(network.alice)
    asked = post(
        alice,
        "/api/v1/vouches/collectives/quellcode/requests",
        {"partner": "supporter:sam-berater", "project": "Preise"},
    )
    assert asked.status_code == 201, asked.content
    sam = api_client(network.sam)
    mine = sam.get("/api/v1/vouches/supporter/")
    assert mine.status_code == 200 and mine.json()[0]["waiting_for_you"]
    confirmed = post(sam, f"/api/v1/vouches/supporter/{asked.json()['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "public"
    bad = post(
        alice,
        "/api/v1/vouches/collectives/quellcode/requests",
        {"partner": "nobody:x", "project": "Preise"},
    )
    assert bad.status_code == 422


def test_it_answers_outsiders_404_whatever_the_body_and_anonymous_callers_401(network, client):
    vouch = offered(network.collective_b, network.collective_a, network.bob, "Intern")
    bob = api_client(network.bob)
    assert bob.get("/api/v1/vouches/collectives/quellcode/").status_code == 404
    assert post(bob, "/api/v1/vouches/collectives/quellcode/offers", {"x": 1}).status_code == 404
    answer = post(bob, f"/api/v1/vouches/collectives/quellcode/{vouch.pk}/confirm")
    assert answer.status_code == 404
    assert client.get("/api/v1/vouches/collectives/quellcode/").status_code == 401
    assert client.get("/api/v1/vouches/supporter/").status_code == 401
    # Without a supporter profile there is no supporter side.
    assert api_client(network.alice).get("/api/v1/vouches/supporter/").status_code == 404
    # A vouch of another pair is not found through one's own collective.
    other = api_client(network.alice)
    answer = post(other, f"/api/v1/vouches/collectives/quellcode/{vouch.pk + 999}/withdraw")
    assert answer.status_code == 404
    vouch.refresh_from_db()
    assert vouch.is_pending
