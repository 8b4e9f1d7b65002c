"""The workbench API: leads, activities, screening, decisions, red lines and referrals."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from klinke.testing import api_client
from klinke.workbench.models import Decision, Lead, RedLine
from klinke.workbench.tests.conftest import make_decision, make_lead, make_red_line

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workbench/quellcode"


@pytest.fixture
def api(network):
    return api_client(network.alice)


def post(client: Any, url: str, data: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_it_creates_a_lead_and_screens_it(api, network):
    make_red_line(network.collective_a, "Keine Überwachung")
    response = post(
        api,
        f"{BASE}/leads",
        {
            "title": "Videoanalyse-Plattform für Ordnungsamt",
            "client_name": "Stadt Musterstadt",
            "value_min": 20000,
            "value_max": 40000,
            "topics": ["web-development"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "new" and body["is_flagged"] is True
    assert body["members"] == [{"id": network.alice.pk, "name": "Alice"}]
    assert body["topics"] == ["web-development"]
    hit = body["screening_hits"][0]
    assert hit["kind"] == "sector" and hit["criterion"] == "surveillance"
    assert hit["matched"] == "Videoanalyse-Plattform" and (hit["start"], hit["end"]) == (0, 22)
    assert hit["criterion_label"]["de"] == "Überwachungs- und Polizeitechnik"
    assert body["url"].endswith(f"/workbench/leads/{body['id']}/")


def test_it_validates_leads_like_the_form(api, network):
    response = post(api, f"{BASE}/leads", {"title": "X", "value_min": 5, "value_max": 1})
    assert response.status_code == 422 and "value_max" in response.json()["detail"]
    response = post(api, f"{BASE}/leads", {"title": "X", "members": [network.bob.pk]})
    assert response.status_code == 422 and "members" in response.json()["detail"]
    response = post(api, f"{BASE}/leads", {"title": "X", "topics": ["no-such-topic"]})
    assert response.status_code == 422


def test_it_lists_filters_and_patches_leads(api, network):
    first = make_lead(network.collective_a, "Webentwicklung für den Sportverein")
    make_lead(network.collective_a, "Hosting", stage="proposal")
    make_lead(network.collective_b, "Fremd")
    body = api.get(f"{BASE}/leads").json()
    assert body["count"] == 2
    assert [i["title"] for i in api.get(f"{BASE}/leads?stage=proposal").json()["items"]] == [
        "Hosting"
    ]
    assert api.get(f"{BASE}/leads?q=web-entwicklung").json()["count"] == 1
    response = post(
        api, f"{BASE}/leads/{first.pk}", {"next_action": "Anrufen", "value_max": 3000}, "patch"
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert (first.next_action, first.value_max, first.title) == (
        "Anrufen",
        3000,
        "Webentwicklung für den Sportverein",
    )


def test_it_moves_and_closes_leads_and_reports_conflicts(api, network):
    lead = make_lead(network.collective_a, "Kita")
    url = f"{BASE}/leads/{lead.pk}"
    ok = post(api, f"{url}/move", {"from_stage": "new", "to_stage": "qualified"})
    assert ok.status_code == 200 and ok.json()["stage"] == "qualified"
    stale = post(api, f"{url}/move", {"from_stage": "new", "to_stage": "qualified"})
    assert stale.status_code == 409
    assert post(api, f"{url}/close", {"stage": "won", "reason": ""}).status_code == 409
    closed = post(api, f"{url}/close", {"stage": "lost", "reason": "Budget gestrichen."})
    assert (
        closed.json()["stage"] == "lost" and closed.json()["closed_reason"] == "Budget gestrichen."
    )


def test_it_logs_activities(api, workbench):
    url = f"{BASE}/leads/{workbench.lead.pk}/activities"
    response = post(
        api, url, {"kind": "email", "text": "Angebot verschickt.", "contact": workbench.contact.pk}
    )
    assert response.status_code == 201
    assert response.json()["contact"]["name"] == "Ruth Berger"
    workbench.contact.refresh_from_db()
    assert workbench.contact.last_contacted_on == timezone.localdate()
    assert api.get(url).json()["count"] == 2
    assert post(api, url, {"kind": "fax", "text": "x"}).status_code == 422


def test_it_shows_and_overrides_screening(api, network):
    make_red_line(network.collective_a)
    lead = make_lead(network.collective_a, "Beratung für die Polizeigewerkschaft")
    url = f"{BASE}/leads/{lead.pk}/screening"
    body = api.get(url).json()
    assert body["is_flagged"] and body["hits"][0]["matched"] == "Polizeigewerkschaft"
    assert post(api, f"{url}/override", {"reason": ""}).status_code == 422
    body = post(api, f"{url}/override", {"reason": "Eine Gewerkschaft."}).json()
    assert body["is_flagged"] is False
    assert body["overrides"][0]["reason"] == "Eine Gewerkschaft."
    assert body["overrides"][0]["by"]["id"] == network.alice.pk


def test_it_manages_red_lines_and_screens_again(api, network):
    lead = make_lead(network.collective_a, "Online-Casino Relaunch")
    response = post(
        api,
        f"{BASE}/red-lines",
        {"name": "Kein Glücksspiel", "sectors": ["gambling"], "organisations": ["Tipico"]},
    )
    assert response.status_code == 201
    red_line = response.json()
    assert red_line["sectors"] == ["gambling"] and red_line["organisations"] == ["Tipico"]
    lead.refresh_from_db()
    assert lead.is_flagged
    assert post(api, f"{BASE}/red-lines", {"name": "X", "sectors": ["bogus"]}).status_code == 422
    sectors = {s["code"]: s for s in api.get(f"{BASE}/sectors").json()}
    assert sectors["gambling"]["used"] and not sectors["military"]["used"]
    assert "Glücksspiel" in sectors["gambling"]["keywords_de"]
    url = f"{BASE}/red-lines/{red_line['id']}"
    assert api.delete(url).status_code == 204
    lead.refresh_from_db()
    assert not lead.is_flagged and not RedLine.objects.exists()


def test_it_opens_decisions_and_takes_responses(api, network):
    lead = make_lead(network.collective_a, "Tafel")
    deadline = (timezone.now() + timedelta(days=2)).isoformat()
    response = post(
        api,
        f"{BASE}/decisions",
        {"question": "Nehmen wir das?", "deadline": deadline, "lead": lead.pk},
    )
    assert response.status_code == 201
    decision = response.json()
    assert decision["state"] == "open" and decision["tally"]["members"] == 2
    url = f"{BASE}/decisions/{decision['id']}/respond"
    assert post(api, url, {"choice": "block"}).status_code == 422
    body = post(api, url, {"choice": "agree"}).json()
    assert body["tally"]["agree"] == 1 and body["responses"][0]["member"]["name"] == "Alice"
    alina = network.client_for(network.alice2)
    body = post(alina, url, {"choice": "agree"}).json()
    assert body["state"] == "decided" and body["outcome"] == "accepted"
    assert post(api, url, {"choice": "disagree"}).status_code == 409
    assert Lead.objects.get(pk=lead.pk).decision_outcome == "accepted"


def test_it_refuses_past_deadlines_and_foreign_leads(api, network):
    foreign = make_lead(network.collective_b, "Fremd")
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert post(api, f"{BASE}/decisions", {"question": "?", "deadline": past}).status_code == 422
    future = (timezone.now() + timedelta(hours=5)).isoformat()
    response = post(
        api, f"{BASE}/decisions", {"question": "?", "deadline": future, "lead": foreign.pk}
    )
    assert response.status_code == 422 and not Decision.objects.exists()


def test_it_refers_leads_and_the_receiver_accepts(api, network, third):
    collective, carla = third
    lead = make_lead(network.collective_a, "Barrierefreie Website", topics=["accessibility"])
    candidates = api.get(f"{BASE}/leads/{lead.pk}/referral-candidates").json()
    assert candidates[0]["collective"] == "drittes-kollektiv"
    assert candidates[0]["reasons"][0]["factor"]
    url = f"{BASE}/leads/{lead.pk}/referrals"
    refused = post(api, url, {"to_collective": collective.slug, "client_agreed": False})
    assert refused.status_code == 422
    response = post(api, url, {"to_collective": collective.slug, "client_agreed": True})
    assert response.status_code == 201 and response.json()["direction"] == "outgoing"
    referral_id = response.json()["id"]
    assert (
        post(api, url, {"to_collective": "rotkehlchen", "client_agreed": True}).status_code == 409
    )

    carla_api = network.client_for(carla)
    incoming = carla_api.get("/api/v1/workbench/drittes-kollektiv/referrals?direction=incoming")
    assert incoming.json()["items"][0]["title"] == "Barrierefreie Website"
    accepted = post(
        carla_api, f"/api/v1/workbench/drittes-kollektiv/referrals/{referral_id}/accept", {}
    ).json()
    assert accepted["state"] == "accepted" and accepted["lead"] is not None
    new_lead = carla_api.get(f"/api/v1/workbench/drittes-kollektiv/leads/{accepted['lead']}")
    assert new_lead.json()["referred_from"] == "quellcode"
    assert api.get(f"{BASE}/leads/{lead.pk}").json()["stage"] == "passed-on"
    log = api.get(f"{BASE}/referral-log").json()["items"]
    assert log == [
        {
            "from_collective": "quellcode",
            "to_collective": "drittes-kollektiv",
            "topic": "web-development",  # the top of accessibility
            "referred_on": timezone.localdate().isoformat(),
            "state": "accepted",
        }
    ]


def test_it_reads_and_changes_settings_and_the_summary(api, network):
    assert api.get(f"{BASE}/settings").json() == {
        "stale_after_days": 14,
        "decision_rule": "consent",
        "quorum_percent": 50,
    }
    body = post(
        api,
        f"{BASE}/settings",
        {"stale_after_days": 21, "decision_rule": "majority", "quorum_percent": 60},
        "put",
    ).json()
    assert body["decision_rule"] == "majority"
    make_lead(network.collective_a, "A", value_min=1000, value_max=2000)
    stages = {s["stage"]: s for s in api.get(f"{BASE}/summary").json()["stages"]}
    assert stages["new"]["count"] == 1 and stages["new"]["value_high"] == 2000


def test_it_requires_the_csrf_token_for_session_writes(network):
    client = Client(enforce_csrf_checks=True)
    client.force_login(network.alice)
    response = post(client, f"{BASE}/leads", {"title": "Ohne Token"})
    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_it_answers_404_for_a_decision_of_another_collective_with_the_right_id(api, network):
    foreign = make_decision(network.collective_b, network.bob)
    assert api.get(f"{BASE}/decisions/{foreign.pk}").status_code == 404
    assert (
        post(api, f"{BASE}/decisions/{foreign.pk}/respond", {"choice": "agree"}).status_code == 404
    )


def test_it_refuses_settings_the_page_would_refuse(api, network):
    response = post(
        api,
        f"{BASE}/settings",
        {"stale_after_days": 21, "decision_rule": "lottery", "quorum_percent": 60},
        "put",
    )
    assert response.status_code == 422 and "decision_rule" in response.json()["detail"]


def test_it_refuses_a_red_line_that_names_nothing(api, network):
    response = post(api, f"{BASE}/red-lines", {"name": "Leer"})
    assert response.status_code == 422 and not RedLine.objects.exists()


def test_it_patches_only_the_fields_sent_and_clears_nulls(api, network):
    lead = make_lead(network.collective_a, "A", value_min=1000, value_max=2000, topics=[])
    lead.members.add(network.alice)
    response = post(
        api, f"{BASE}/leads/{lead.pk}", {"value_max": None, "client_name": None}, "patch"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["value_min"], body["value_max"]) == ("A", 1000, None)
    assert body["members"] == [{"id": network.alice.pk, "name": "Alice"}]
    response = post(api, f"{BASE}/leads/{lead.pk}", {"title": None}, "patch")
    assert response.status_code == 422 and "title" in response.json()["detail"]
