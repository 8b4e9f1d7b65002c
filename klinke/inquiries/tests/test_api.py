"""The collective's side of the inquiries through the API, and the stewards' totals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from klinke.inquiries.models import InquiryOffer, State
from klinke.inquiries.tests.conftest import Web, routed

pytestmark = pytest.mark.django_db

API = "/api/v1/inquiries"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_it_lists_an_inquiry_with_reasons_but_no_client_details(web: Web) -> None:
    inquiry, _raw = routed()
    client = web.network.client_for(web.carol)
    response = client.get(f"{API}/webwerk/offers")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["state"] == State.OPEN
    assert row["reasons"] and row["reasons"][0]["de"]
    assert "tina" not in response.content.decode().lower()
    offer = InquiryOffer.objects.get(inquiry=inquiry, collective=web.collective_c)
    assert client.get(f"{API}/webwerk/offers/{offer.pk}").json()["id"] == offer.pk


def test_it_takes_answers_and_shows_the_assignment_with_its_figures(web: Web) -> None:
    inquiry, _raw = routed()
    offers = {o.collective.slug: o for o in InquiryOffer.objects.filter(inquiry=inquiry)}
    carol = web.network.client_for(web.carol)
    url = f"{API}/webwerk/offers/{offers['webwerk'].pk}/answer"
    assert post(carol, url, {"answer": "maybe"}).status_code == 422
    response = post(carol, url, {"answer": "interested", "note": "Gern"})
    assert response.status_code == 200
    assert response.json()["answer"] == "interested"
    dave = web.network.client_for(web.dave)
    post(dave, f"{API}/portalbau/offers/{offers['portalbau'].pk}/answer", {"answer": "declined"})
    alice = web.network.client_for(web.network.alice)
    post(alice, f"{API}/quellcode/offers/{offers['quellcode'].pk}/answer", {"answer": "declined"})
    body = carol.get(f"{API}/webwerk/offers/{offers['webwerk'].pk}").json()
    assert body["state"] == State.ASSIGNED
    assert body["assigned"] is True
    assert body["assignment"]["collective"] == "webwerk"
    assert body["assignment"]["seed"] is not None
    late = post(carol, url, {"answer": "declined"})
    assert late.status_code == 409


def test_it_keeps_a_collectives_inquiries_from_everyone_else(web: Web) -> None:
    inquiry, _raw = routed()
    offer = InquiryOffer.objects.get(inquiry=inquiry, collective=web.collective_c)
    bob = web.network.client_for(web.network.bob)
    assert bob.get(f"{API}/webwerk/offers").status_code == 404
    assert bob.get(f"{API}/webwerk/offers/{offer.pk}").status_code == 404
    assert post(bob, f"{API}/webwerk/offers/{offer.pk}/answer", {"x": 1}).status_code == 404
    carol = web.network.client_for(web.carol)
    other = InquiryOffer.objects.get(inquiry=inquiry, collective=web.collective_d)
    assert carol.get(f"{API}/webwerk/offers/{other.pk}").status_code == 404
    assert Client().get(f"{API}/webwerk/offers").status_code == 401


def test_it_reads_and_saves_the_settings(web: Web) -> None:
    carol = web.network.client_for(web.carol)
    assert carol.get(f"{API}/webwerk/settings").json() == {"capacity": 3, "paused": False}
    response = carol.put(
        f"{API}/webwerk/settings",
        json.dumps({"capacity": 5, "paused": True}),
        content_type="application/json",
    )
    assert response.json() == {"capacity": 5, "paused": True}
    bad = carol.put(
        f"{API}/webwerk/settings", json.dumps({"capacity": 500}), content_type="application/json"
    )
    assert bad.status_code == 422


def test_it_shows_stewards_totals_only_to_stewards(web: Web) -> None:
    routed()
    stella = web.network.client_for(web.network.stella)
    body = stella.get(f"{API}/totals").json()
    assert {row["collective"] for row in body["collectives"]} == {
        "quellcode",
        "webwerk",
        "portalbau",
    }
    assert all(row["offered"] == 1 for row in body["collectives"])
    assert "tina" not in json.dumps(body).lower()
    assert web.network.client_for(web.carol).get(f"{API}/totals").status_code == 403
