"""The demo's ended projects: the accuracy page and the calibration sentence show numbers."""

from __future__ import annotations

import pytest

from klinke.accounts.models import User
from klinke.estimates.models import Estimate
from klinke.network.demo_loader import do_load_demo_network

pytestmark = pytest.mark.django_db


def test_it_gives_the_demo_ended_projects_to_calibrate_with(client):
    do_load_demo_network()
    ended = Estimate.objects.calibrated().filter(collective__slug="kollektiv-quellcode")
    assert ended.count() == 5 and all(e.is_demo and "Demo" in e.title for e in ended)
    client.force_login(User.objects.get(email="mira@demo.klinke.example"))
    page = client.get("/collectives/kollektiv-quellcode/estimates/accuracy/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Single sign-on" not in html
    assert html.count("Demo:") >= 5
    portal = Estimate.objects.get(title="Mitgliederportal für den Mieterverein Leipzig-Ost")
    detail = client.get(portal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Eure letzten 5 Projekte brauchten" in detail
    do_load_demo_network()
    assert Estimate.objects.calibrated().count() == 5
