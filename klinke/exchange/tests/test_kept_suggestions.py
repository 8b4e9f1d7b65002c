"""A need's suggestions are kept for the collective's members (klinke.core.fragments): each
member's forms carry their own CSRF token, and what they do shows at once."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from klinke.conftest import Network
from klinke.core.models import Visibility
from klinke.exchange.models import Need, Offer
from klinke.exchange.tests.factories import make_pricing_need_and_offer

pytestmark = pytest.mark.django_db


def make_story(network: Network) -> tuple[Need, Offer]:
    return make_pricing_need_and_offer(network.collective_a, network.supporter)


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def test_it_keeps_the_suggestions_for_the_next_member_with_their_own_token(
    network: Network,
) -> None:
    need, offer = make_story(network)
    alice = Client(enforce_csrf_checks=True)
    alice.force_login(network.alice)
    alina = Client(enforce_csrf_checks=True)
    alina.force_login(network.alice2)
    first = alice.get(need.get_absolute_url()).text
    assert offer.title in first
    with CaptureQueriesContext(connection) as keeping:
        kept = alina.get(need.get_absolute_url()).text
    assert offer.title in kept
    assert not [q for q in keeping if "exchange_introduction" in q["sql"]]
    assert "klinke-slot" not in kept
    suggestions = kept[kept.index('id="matches-heading"') : kept.index('id="intros-heading"')]
    (token,) = csrf_tokens(suggestions)  # every form of the kept part: the visitor's token
    assert token not in csrf_tokens(first)
    # The kept form works for the member who got it: their token, checked by Django.
    response = alina.post(
        f"/exchange/needs/{need.ref}/introductions/",
        {
            "counterpart": f"supporter:{network.supporter.pk}",
            "offer": offer.ref,
            "message": "Können wir sprechen?",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    # ... and what it did shows on the next page at once, for every member.
    assert "An introduction is already under way." in alice.get(need.get_absolute_url()).text


def test_it_shows_no_kept_suggestions_to_others(network: Network) -> None:
    need, offer = make_story(network)
    assert offer.title in network.client_for(network.alice).get(need.get_absolute_url()).text
    for viewer in (network.bob, network.sam, network.stella, network.outsider, None):
        page = network.client_for(viewer).get(need.get_absolute_url())
        assert page.status_code in (200, 404)
        assert offer.title not in page.text


def test_it_shows_an_edited_offer_at_once(network: Network) -> None:
    need, offer = make_story(network)
    alice = network.client_for(network.alice)
    assert offer.title in alice.get(need.get_absolute_url()).text
    offer.title = "Tagessätze kalkulieren mit Kollektiven"
    offer.save()
    assert "Tagessätze kalkulieren mit Kollektiven" in alice.get(need.get_absolute_url()).text


def test_it_keeps_who_may_see_a_need_per_audience(network: Network) -> None:
    need, _ = make_story(network)
    Need.objects.filter(pk=need.pk).update(visibility=Visibility.MEMBERS)
    url = need.get_absolute_url()
    for _ in range(2):  # the second time from what the first one kept
        assert network.client_for(network.sam).get(url).status_code == 200
        assert network.client_for(network.outsider).get(url).status_code == 404
        assert Client().get(url).status_code == 404
    Need.objects.filter(pk=need.pk).update(visibility=Visibility.PUBLIC)
    assert Client().get(url).status_code == 200
    # Its owners' part is for the collective's members alone, from what was kept as well.
    assert "Close" in network.client_for(network.alice).get(url).text
    assert "Close" not in network.client_for(network.bob).get(url).text
