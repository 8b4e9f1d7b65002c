"""The events index is kept for the next visitor of its audience (klinke.core.fragments):
each visitor still sees only their own registrations, and changes show at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klinke.conftest import Network
from klinke.core.models import Visibility
from klinke.workshops import actions
from klinke.workshops.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def test_it_shows_each_visitor_only_their_own_registration(network: Network) -> None:
    event = make_event(network.alice, "Preise kalkulieren", visibility=Visibility.PUBLIC)
    actions.do_register(event_id=event.pk, user=network.bob)
    url = reverse("workshops:index")
    alina = network.client_for(network.alice2)  # a login writes: before the kept page
    bob = network.client_for(network.bob).get(url)
    assert "You are registered" in bob.text
    with CaptureQueriesContext(connection) as keeping:
        alice = alina.get(url)
    assert "Preise kalkulieren" in alice.text
    assert "You are registered" not in alice.text
    assert not [q["sql"] for q in keeping if "workshops_event" in q["sql"] and "LIMIT" in q["sql"]]
    assert "You are registered" in network.client_for(network.bob).get(url).text


@pytest.mark.parametrize("htmx", [False, True])
def test_it_shows_a_registration_and_its_places_at_once(network: Network, htmx: bool) -> None:
    event = make_event(network.alice, "Preise kalkulieren", capacity=3)
    headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client = network.client_for(network.bob)
    url = reverse("workshops:index")
    assert "3 of 3 places free" in client.get(url, **headers).text
    actions.do_register(event_id=event.pk, user=network.bob)
    after = client.get(url, **headers).text
    assert "2 of 3 places free" in after
    assert "You are registered" in after


def test_it_never_shows_a_members_only_event_kept_for_members_to_the_public(
    network: Network,
) -> None:
    make_event(network.alice, "Nur für Mitglieder", visibility=Visibility.MEMBERS)
    url = reverse("workshops:index")
    assert "Nur für Mitglieder" in network.client_for(network.alice).get(url).text
    assert "Nur für Mitglieder" not in network.client_for(None).get(url).text
