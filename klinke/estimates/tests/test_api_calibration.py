"""The API of actual hours and calibration: members only, the same rules as the pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from klinke.estimates import actions
from klinke.estimates.models import ActualHours
from klinke.estimates.tests.conftest import ended_project, make_estimate
from klinke.testing import api_client
from klinke.workbench.tests.conftest import make_lead

pytestmark = pytest.mark.django_db


def post(client, path, data=None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def accepted(network, shared):
    actions.do_decide_estimate(estimate=shared.estimate, version_number=1, accept=True)
    shared.estimate.refresh_from_db()
    return shared.estimate


def path(estimate, tail=""):
    return f"/api/v1/estimates/{estimate.collective.slug}/{estimate.pk}/{tail}"


def test_it_enters_lists_and_ends_actual_hours(network, accepted):
    alice = api_client(network.alice)
    listing = alice.get(path(accepted, "actuals"))
    assert listing.status_code == 200
    packages = listing.json()["packages"]
    assert [p["name"] for p in packages] == ["Konzept", "Umsetzung", "Schulung"]
    rows = [
        {"package": packages[0]["id"], "hours": "6", "person": "Ada", "worked_on": "2026-03-01"},
        {"package": packages[1]["id"], "hours": "30.5"},
    ]
    added = post(alice, path(accepted, "actuals"), {"rows": rows})
    assert added.status_code == 201, added.content
    body = added.json()
    assert Decimal(body["actual_hours"]) == Decimal("36.5")
    assert Decimal(body["packages"][0]["ratio"]) == Decimal("1.2")  # 6 / 5
    assert body["packages"][0]["inside"] is True
    ended = post(alice, path(accepted, "ended"))
    assert ended.status_code == 200 and ended.json()["ended_at"]
    again = post(alice, path(accepted, "actuals"), {"rows": rows})
    assert again.status_code == 409
    reopened = alice.delete(path(accepted, "ended"))
    assert reopened.status_code == 200 and reopened.json()["ended_at"] is None
    row = ActualHours.objects.first()
    assert alice.delete(path(accepted, f"actuals/{row.pk}")).status_code == 200
    assert ActualHours.objects.count() == 1


def test_it_refuses_bad_rows(network, accepted):
    alice = api_client(network.alice)
    package = accepted.decided_version.packages.first()
    for row in ({"package": package.pk, "hours": "-1"}, {"package": package.pk, "hours": "0"}):
        assert post(alice, path(accepted, "actuals"), {"rows": [row]}).status_code == 422
    foreign = make_estimate(network.collective_b, network.bob, title="B").latest_version()
    wrong = {"package": foreign.packages.first().pk, "hours": "2"}
    assert post(alice, path(accepted, "actuals"), {"rows": [wrong]}).status_code == 422
    assert post(alice, path(accepted, "actuals"), {"rows": []}).status_code == 422
    assert not ActualHours.objects.exists()
    draft = make_estimate(network.collective_a, network.alice, title="Entwurf")
    assert alice.get(path(draft, "actuals")).status_code == 404


def test_it_answers_404_to_outsiders_and_401_to_anonymous(network, accepted):
    package = accepted.decided_version.packages.first()
    body = {"rows": [{"package": package.pk, "hours": "2"}]}
    bob = api_client(network.bob)
    calibration = f"/api/v1/estimates/{accepted.collective.slug}/calibration"
    assert bob.get(path(accepted, "actuals")).status_code == 404
    assert post(bob, path(accepted, "actuals"), body).status_code == 404
    assert post(bob, path(accepted, "actuals"), {"rows": "kaputt"}).status_code == 404
    assert post(bob, path(accepted, "calibration")).status_code == 404
    assert bob.get(calibration).status_code == 404
    anonymous = Client()
    assert anonymous.get(calibration).status_code == 401
    assert post(anonymous, path(accepted, "actuals"), body).status_code == 401
    assert not ActualHours.objects.exists()


def test_it_sums_up_accuracy_and_applies_the_factor(network):
    for n in range(3):
        ended_project(network.collective_a, network.alice, ("5", "32", "4"), title=f"P{n}")
    alice = api_client(network.alice)
    summary = alice.get(f"/api/v1/estimates/{network.collective_a.slug}/calibration")
    assert summary.status_code == 200
    data = summary.json()
    assert data["overall"] == {"group": "all", "count": 3, "median_ratio": "1.00", "inside": 3}
    assert data["by_topic"][0]["group"] == "Web development"
    assert {k["group"] for k in data["by_kind"]} == {"other"}
    assert data["hint"]["factor"] == "1.0"
    lead = make_lead(network.collective_a, "Neu", topics=["calib-web"])
    new = make_estimate(network.collective_a, network.alice, lead=lead, title="Neu")
    hint = alice.get(path(new, "calibration"))
    assert hint.status_code == 200 and hint.json()["of_this_kind"] is True
    applied = post(alice, path(new, "calibration"))
    assert applied.status_code == 200
    assert Decimal(applied.json()["calibration_factor"]) == Decimal(1)
    assert "Unsere letzten 3 Projekte" in applied.json()["calibration_note"]
    removed = alice.delete(path(new, "calibration"))
    assert removed.json()["calibration_factor"] is None
    actions.do_share_estimate(estimate=new, user=network.alice)
    assert post(alice, path(new, "calibration")).status_code == 409


def test_it_refuses_to_calibrate_without_enough_projects(network, estimate):
    alice = api_client(network.alice)
    assert alice.get(path(estimate, "calibration")).json() is None
    assert post(alice, path(estimate, "calibration")).status_code == 409


def test_it_refuses_an_unknown_package_kind(network, estimate):
    alice = api_client(network.alice)
    package = {
        "name": "Bau",
        "optimistic_hours": "1",
        "likely_hours": "2",
        "pessimistic_hours": "3",
        "hourly_rate": "90",
        "kind": "astrology",
    }
    response = post(alice, path(estimate, "versions"), {"packages": [package]})
    assert response.status_code == 422
    package["kind"] = "design"
    response = post(alice, path(estimate, "versions"), {"packages": [package]})
    assert response.status_code == 201
    assert response.json()["packages"][0]["kind"] == "design"
