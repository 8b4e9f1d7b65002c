"""The tenders API: tenders for signed-in callers; profile and inbox for members only."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from klinke.tenders.models import EntryState, InboxEntry, TenderProfile
from klinke.testing import api_client
from klinke.workbench.models import Lead

pytestmark = pytest.mark.django_db


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_it_lists_and_shows_tenders_with_their_notices_to_signed_in_callers(network, tender):
    client = api_client(network.sam)
    listed = client.get("/api/v1/tenders/").json()
    assert [t["procedure_id"] for t in listed["items"]] == ["proc-webportal"]
    detail = client.get(f"/api/v1/tenders/{tender.pk}").json()
    assert detail["cpv_main"] == "72230000"
    assert detail["estimated_value"] == "100000.00"
    assert detail["deadline"]["kind"] == "BT-131"
    assert detail["lots"][0]["id"] == "LOT-0001"
    assert detail["notices"][0]["source_name"] == "day.zip"
    assert len(detail["notices"][0]["sha256"]) == 64
    assert Client().get("/api/v1/tenders/").status_code == 401
    assert client.get("/api/v1/tenders/999999").status_code == 404


def test_it_searches_cpv_codes(network):
    found = api_client(network.sam).get("/api/v1/tenders/cpv", {"q": "custom software"}).json()
    assert {
        "code": "72230000",
        "en": "Custom software development services",
        "de": "Entwicklung von kundenspezifischer Software",
    } in found


def test_it_reads_the_prefilled_profile_and_saves_one(network, tender):
    alice = api_client(network.alice)
    url = f"/api/v1/tenders/{network.collective_a.slug}/profile"
    suggested = alice.get(url).json()
    assert suggested["saved"] is False
    assert suggested["regions"] == ["DED"]
    response = put(
        alice, url, {"cpv_codes": ["72200000"], "keywords_de": "Webportal", "regions": ["DED"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    assert body["cpv_codes"][0]["de"] == "Softwareprogrammierung und -beratung"
    assert InboxEntry.objects.filter(collective=network.collective_a).count() == 1


def test_it_refuses_a_bad_profile_with_422_and_saves_nothing(network):
    alice = api_client(network.alice)
    url = f"/api/v1/tenders/{network.collective_a.slug}/profile"
    response = put(alice, url, {"cpv_codes": ["kein Code"]})
    assert response.status_code == 422
    assert "cpv_codes" in response.json()["detail"]
    assert put(alice, url, {"keywords_de": "x", "value_min": -1}).status_code == 422
    assert put(alice, url, {"keywords_de": "x\x00"}).status_code == 422
    assert not TenderProfile.objects.exists()


def test_it_lists_the_inbox_with_reasons_in_both_languages(network, inbox_entry):
    alice = api_client(network.alice)
    items = alice.get(f"/api/v1/tenders/{network.collective_a.slug}/inbox").json()["items"]
    assert len(items) == 1
    entry = items[0]
    assert entry["screening_state"] == "clean"
    assert {"kind": "keyword", "value": "Webportal"} in entry["reasons"]
    texts = entry["reason_texts"]
    assert texts[0] == {
        "en": "CPV 72230000 Custom software development services",
        "de": "CPV 72230000 Entwicklung von kundenspezifischer Software",
    }
    assert texts[-2]["en"] == "deadline in 12 days"
    assert entry["tender"]["buyer_name"] == "Stadt Leipzig"


def test_it_dismisses_restores_and_turns_an_entry_into_a_lead(network, inbox_entry):
    alice = api_client(network.alice)
    base = f"/api/v1/tenders/{network.collective_a.slug}/inbox/{inbox_entry.pk}"
    assert post(alice, f"{base}/dismiss", {"reason": ""}).status_code == 409
    dismissed = post(alice, f"{base}/dismiss", {"reason": "Zu groß für uns"})
    assert dismissed.json()["state"] == EntryState.DISMISSED
    assert dismissed.json()["dismiss_reason"] == "Zu groß für uns"
    assert post(alice, f"{base}/restore").json()["state"] == EntryState.NEW
    made = post(alice, f"{base}/lead")
    assert made.status_code == 201
    lead = Lead.objects.get(pk=made.json()["id"])
    assert lead.collective == network.collective_a
    assert made.json()["next_action_due"] == lead.next_action_due.isoformat()
    assert post(alice, f"{base}/lead").status_code == 409
    assert alice.get(base).json()["lead"] == lead.pk


def test_it_keeps_profile_and_inbox_from_everyone_else(network, inbox_entry):
    slug = network.collective_a.slug
    for user in (network.bob, network.sam, network.stella, network.outsider):
        client = api_client(user)
        assert client.get(f"/api/v1/tenders/{slug}/profile").status_code == 404
        assert client.get(f"/api/v1/tenders/{slug}/inbox").status_code == 404
        assert (
            post(client, f"/api/v1/tenders/{slug}/inbox/{inbox_entry.pk}/lead").status_code == 404
        )
    # B's own inbox does not hold A's entry.
    bob = api_client(network.bob)
    own = f"/api/v1/tenders/{network.collective_b.slug}/inbox/{inbox_entry.pk}"
    assert bob.get(own).status_code == 404
    assert post(bob, f"{own}/dismiss", {"reason": "x"}).status_code == 404
    assert Client().get(f"/api/v1/tenders/{slug}/inbox").status_code == 401
    assert not Lead.objects.exists()


def test_it_lifts_a_flag_through_the_api(network, tender):
    from klinke.tenders import actions
    from klinke.tenders.tests.conftest import make_profile
    from klinke.workbench.tests.conftest import make_red_line

    make_red_line(network.collective_a, "Keine Bibliotheken", sectors=[], keywords_de="Bibliothek")
    make_profile(network.collective_a)
    actions.do_refresh_inbox(collective=network.collective_a)
    entry = InboxEntry.objects.get()
    url = f"/api/v1/tenders/{network.collective_a.slug}/inbox/{entry.pk}/screening/override"
    alice = api_client(network.alice)
    body = alice.get(f"/api/v1/tenders/{network.collective_a.slug}/inbox/{entry.pk}").json()
    assert body["is_flagged"] is True
    assert body["screening_hits"][0]["matched"] == "Stadtbibliothek"
    assert post(alice, url, {"reason": ""}).status_code == 422
    lifted = post(alice, url, {"reason": "Bibliotheken sind gut."})
    assert lifted.json()["is_flagged"] is False
