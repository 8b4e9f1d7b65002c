"""The consortia API: the same rules and permissions as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from klinke.conftest import make_collective, make_user
from klinke.tenders.models import Consortium, ConsortiumMember, MemberState
from klinke.testing import api_client
from klinke.workbench.tests.conftest import make_lead, make_red_line

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def carla(network):
    person = make_user("carla@example.org", "Carla")
    collective = make_collective(
        "drittes-kollektiv",
        "Drittes Kollektiv",
        members=[person],
        description_de="Hosting und Betrieb von Webportalen in Dresden.",
        city="Dresden",
        country="DE",
        topics=["hosting"],
    )
    return collective, person


def base(collective) -> str:
    return f"/api/v1/tenders/{collective.slug}/consortia"


def test_it_runs_the_whole_flow(network, lot_tender, carla):
    collective, person = carla
    alice = api_client(network.alice)
    created = post(alice, base(network.collective_a), {"tender_id": lot_tender.pk})
    assert created.status_code == 201, created.content
    consortium = created.json()
    assert consortium["state"] == "forming"
    assert consortium["members"][0]["collective"] == network.collective_a.slug
    assert consortium["members"][0]["decision_state"] == "open"
    url = f"{base(network.collective_a)}/{consortium['id']}"
    suggestions = alice.get(f"{url}/suggestions").json()
    found = next(s for s in suggestions if s["collective"] == collective.slug)
    assert found["reasons"] and found["reasons"][0]["de"]
    invited = post(alice, f"{url}/invitations", {"collective": collective.slug, "message": "Hi"})
    assert invited.status_code == 201
    carla_client = api_client(person)
    theirs = f"{base(collective)}/{consortium['id']}"
    assert carla_client.get(theirs).status_code == 200
    answered = post(
        carla_client, f"{theirs}/answer", {"accept": True, "lots": ["LOT-0002"], "share": "40"}
    )
    assert answered.status_code == 200, answered.content
    member = next(m for m in answered.json()["members"] if m["collective"] == collective.slug)
    assert member["state"] == "accepted" and member["lots"] == ["LOT-0002"]
    assert member["share"] == "40.00" and member["contact_email"] == "carla@example.org"
    assert answered.json()["shares_total"] == "40.00"
    changed = put(carla_client, f"{theirs}/part", {"lots": ["LOT-0003"], "share": "25.5"})
    assert changed.status_code == 200
    assert post(alice, f"{url}/state", {"state": "bidding"}).json()["state"] == "bidding"
    assert post(carla_client, f"{theirs}/state", {"state": "submitted"}).status_code == 409
    assert post(carla_client, f"{theirs}/leave").status_code == 204
    assert carla_client.get(theirs).status_code == 404
    assert [c["id"] for c in alice.get(base(network.collective_a)).json()] == [consortium["id"]]


@pytest.fixture
def invited(network, lot_tender, carla):
    collective, _person = carla
    alice = api_client(network.alice)
    consortium = post(alice, base(network.collective_a), {"tender_id": lot_tender.pk}).json()
    post(
        alice,
        f"{base(network.collective_a)}/{consortium['id']}/invitations",
        {"collective": collective.slug},
    )
    return consortium["id"]


def test_it_refuses_bad_input_and_writes_nothing(network, invited, carla):
    collective, person = carla
    carla_client = api_client(person)
    theirs = f"{base(collective)}/{invited}"
    too_much = post(carla_client, f"{theirs}/answer", {"accept": True, "share": "100.5"})
    assert too_much.status_code == 422
    foreign = post(carla_client, f"{theirs}/answer", {"accept": True, "lots": ["LOT-9"]})
    assert foreign.status_code == 409 and "LOT-9" in foreign.json()["detail"]
    member = ConsortiumMember.objects.get(collective=collective)
    assert member.state == MemberState.INVITED and not member.taken_lots.exists()
    alice = api_client(network.alice)
    unknown = post(
        alice, f"{base(network.collective_a)}/{invited}/invitations", {"collective": "nope"}
    )
    assert unknown.status_code == 422
    assert post(alice, base(network.collective_a), {"tender_id": 999999}).status_code == 404


def test_it_refuses_shares_over_100(network, invited, carla):
    collective, person = carla
    alice = api_client(network.alice)
    assert (
        put(alice, f"{base(network.collective_a)}/{invited}/part", {"share": "80"}).status_code
        == 200
    )
    response = post(
        api_client(person), f"{base(collective)}/{invited}/answer", {"accept": True, "share": "30"}
    )
    assert response.status_code == 409
    assert "20" in response.json()["detail"]


def test_it_answers_404_to_outsiders_and_other_collectives(network, invited):
    bob = api_client(network.bob)
    assert bob.get(f"{base(network.collective_a)}/{invited}").status_code == 404
    assert bob.get(f"{base(network.collective_b)}/{invited}").status_code == 404
    assert (
        post(bob, f"{base(network.collective_b)}/{invited}/answer", {"accept": True}).status_code
        == 404
    )
    assert Client().get(f"{base(network.collective_a)}/{invited}").status_code == 401


def test_it_lets_only_the_initiator_invite(network, invited, carla):
    collective, person = carla
    carla_client = api_client(person)
    post(carla_client, f"{base(collective)}/{invited}/answer", {"accept": True})
    response = post(
        carla_client,
        f"{base(collective)}/{invited}/invitations",
        {"collective": network.collective_b.slug},
    )
    assert response.status_code == 409
    assert not ConsortiumMember.objects.filter(collective=network.collective_b).exists()


def test_it_shows_no_members_pipeline(network, invited, carla):
    collective, person = carla
    make_lead(collective, "Geheimer Auftrag von Carla")
    make_red_line(collective, "Carlas rote Linie")
    post(api_client(person), f"{base(collective)}/{invited}/answer", {"accept": True})
    body = api_client(network.alice).get(f"{base(network.collective_a)}/{invited}").content.decode()
    assert "Geheimer Auftrag" not in body and "Carlas rote Linie" not in body
    assert Consortium.objects.get(pk=invited).members.count() == 2
