"""The day-rate API: members read the current rate and its versions and save new ones; others
get 404, anonymous callers 401; bad input is refused with 422 and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from klinke.rates.models import DayRate
from klinke.rates.tests.conftest import save_rate
from klinke.testing import api_client

pytestmark = pytest.mark.django_db

BODY: dict[str, Any] = {
    "members": 3,
    "net_pay_per_member": "2640",
    "social_contributions_percent": "40",
    "taxes_percent": "14",
    "fixed_costs_per_month": "1500",
    "billable_percent": "60",
    "working_days_per_year": 250,
    "holidays": 30,
    "sick_days": 20,
    "hours_per_day": "8",
    "solidarity": "surplus",
    "reduction_percent": "40",
    "reduced_mix_percent": "25",
    "change_note": "Erste Rechnung",
}


def post(client: Any, slug: str, body: Any) -> Any:
    return client.post(
        f"/api/v1/rates/{slug}/versions", data=json.dumps(body), content_type="application/json"
    )


def test_it_saves_a_version_and_explains_it(network) -> None:
    client = api_client(network.alice)
    response = post(client, "quellcode", BODY)

    assert response.status_code == 201
    data = response.json()
    assert data["number"] == 1
    assert data["created_by"] == "Alice"
    assert data["change_note"] == "Erste Rechnung"
    assert data["net_pay"] == ["2640.00", "2640.00", "2640.00"]
    assert (data["day_rate"], data["hourly_rate"]) == ("589", "73.63")
    assert (data["reduced_day_rate"], data["reduced_hourly_rate"]) == ("353", "44.13")
    assert {p["part"]: p["amount"] for p in data["parts"]} == {
        "net_pay": "127",
        "social_contributions": "77",
        "taxes": "27",
        "unbillable_time": "249",
        "fixed_costs": "50",
        "solidarity": "59",
    }
    assert data["explanation"]["de"][0].startswith("Von 589 € Tagessatz gehen 127 €")
    assert data["explanation"]["en"][0].startswith("Of a day rate of €589, €127 goes")


def test_it_reads_the_current_rate_and_every_version(network) -> None:
    first = save_rate(network.collective_a, network.alice)
    second = save_rate(network.collective_a, network.alice2, change_note="Mehr Urlaub", holidays=32)
    client = api_client(network.alice)

    current = client.get("/api/v1/rates/quellcode")
    versions = client.get("/api/v1/rates/quellcode/versions")
    old = client.get(f"/api/v1/rates/quellcode/versions/{first.pk}")

    assert current.status_code == versions.status_code == old.status_code == 200
    assert current.json()["id"] == second.pk
    assert current.json()["holidays"] == 32
    assert [v["number"] for v in versions.json()["items"]] == [2, 1]
    assert old.json()["number"] == 1


def test_it_takes_each_members_pay_as_a_list(network) -> None:
    body = {**BODY, "net_pay_list": ["2000", "2640", "3280"], "members": 1}
    response = post(api_client(network.alice), "quellcode", body)
    assert response.status_code == 201
    assert response.json()["members"] == 3
    assert response.json()["day_rate"] == "589"


def test_it_answers_404_before_the_first_version(network) -> None:
    response = api_client(network.alice).get("/api/v1/rates/quellcode")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"net_pay_per_member": "-1"},
        {"billable_percent": "0"},
        {"billable_percent": "100.5"},
        {"net_pay_per_member": "1e40"},
        {"net_pay_list": ["2000", "-5"]},
        {"holidays": 200, "sick_days": 60},
        {"taxes_percent": "80"},
        {"solidarity": "everyone-pays-half"},
        {"hours_per_day": "0"},
        {"reduced_mix_percent": "100", "reduction_percent": "90"},
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(network, changes) -> None:
    response = post(api_client(network.alice), "quellcode", {**BODY, **changes})
    assert response.status_code == 422, response.content
    assert DayRate.objects.count() == 0


@pytest.mark.parametrize("who", ["bob", "sam", "stella", "outsider"])
def test_it_answers_404_to_everyone_but_members(network, who) -> None:
    version = save_rate(network.collective_a, network.alice, change_note="geheim")
    client = api_client(getattr(network, who))
    for url in (
        "/api/v1/rates/quellcode",
        "/api/v1/rates/quellcode/versions",
        f"/api/v1/rates/quellcode/versions/{version.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert "geheim" not in response.content.decode()
    assert post(client, "quellcode", BODY).status_code == 404
    assert post(client, "quellcode", {"broken": True}).status_code == 404
    assert DayRate.objects.count() == 1


def test_it_answers_404_for_another_collectives_version(network) -> None:
    version = save_rate(network.collective_a, network.alice)
    response = api_client(network.bob).get(f"/api/v1/rates/rotkehlchen/versions/{version.pk}")
    assert response.status_code == 404


def test_it_answers_401_to_anonymous_callers(network) -> None:
    client = network.client_for(None)
    assert client.get("/api/v1/rates/quellcode").status_code == 401
    assert post(client, "quellcode", BODY).status_code == 401
    assert DayRate.objects.count() == 0
