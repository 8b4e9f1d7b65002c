"""Read before asking: suggestions link to what one can read, and the introduction is asked
for from the offer or the profile one has just read."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from klinke.exchange import match_index
from klinke.exchange.models import Introduction
from klinke.exchange.tests.factories import make_need, make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(network: Any) -> Any:
    return make_offer(
        network.supporter,
        "Preise kalkulieren",
        "Ich helfe beim Kalkulieren von Festpreisen.",
        topics=["pricing"],
    )


@pytest.fixture
def need(network: Any) -> Any:
    return make_need(
        network.collective_a,
        "Hilfe beim Festpreis",
        "Wir brauchen Hilfe beim Kalkulieren eines Festpreises.",
        topics=["pricing"],
    )


def test_it_folds_reasons_after_the_first_two():
    match = SimpleNamespace(reason_texts=["eins", "zwei", "drei", "vier"])
    html = render_to_string("exchange/_reasons.html", {"match": match})
    visible, folded = html.split("<details", 1)
    assert "eins" in visible and "zwei" in visible and "drei" not in visible
    assert "2 more reasons" in folded and "drei" in folded and "vier" in folded
    short = render_to_string(
        "exchange/_reasons.html", {"match": SimpleNamespace(reason_texts=["a"])}
    )
    assert "<details" not in short


def test_it_links_each_suggestion_to_the_offer_and_the_profile(network, offer, need):
    match_index.do_fold_match_changes()
    page = network.client_for(network.alice).get(need.get_absolute_url()).content.decode()
    assert f'{offer.get_absolute_url()}?need={need.ref}"' in page
    assert f'{network.supporter.get_absolute_url()}?need={need.ref}"' in page


def test_it_asks_for_an_introduction_from_the_offer_page(network, offer, need):
    client = network.client_for(network.alice)
    page = client.get(f"{offer.get_absolute_url()}?need={need.ref}").content.decode()
    assert "Could this help you?" in page
    assert f'<option value="{need.ref}" selected>' in page
    assert network.supporter.get_absolute_url() in page
    response = client.post(
        reverse("exchange:ask_offer", args=[offer.ref]),
        {"need": need.ref, "message": "Könnt ihr uns helfen?", "phone": "", "channel": ""},
    )
    introduction = Introduction.objects.get()
    assert response.status_code == 302 and response["Location"] == introduction.get_absolute_url()
    assert introduction.offer == offer and introduction.supporter == network.supporter
    assert introduction.need == need and introduction.requested_by == network.alice


def test_it_asks_for_an_introduction_from_the_supporters_profile(network, need):
    client = network.client_for(network.alice)
    profile = client.get(f"{network.supporter.get_absolute_url()}?need={need.ref}")
    ask_url = reverse("exchange:ask_supporter", args=[network.supporter.slug])
    assert f"{ask_url}?need={need.ref}" in profile.content.decode()
    assert "Hilfe beim Festpreis" in client.get(ask_url).content.decode()
    response = client.post(ask_url, {"need": need.ref, "message": "Hallo Sam"})
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert introduction.supporter == network.supporter and introduction.offer is None


def test_it_refuses_bad_input_and_writes_nothing(network, offer, need):
    client = network.client_for(network.alice)
    url = reverse("exchange:ask_offer", args=[offer.ref])
    assert client.post(url, {"need": need.ref, "message": "  "}).status_code == 422
    other = make_need(network.collective_b, "Fremdes Gesuch", "Von Rotkehlchen.")
    response = client.post(url, {"need": other.ref, "message": "Hallo"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Introduction.objects.exists()


def test_it_says_what_to_do_first_without_an_open_need(network, offer):
    client = network.client_for(network.outsider)
    page = client.get(reverse("exchange:ask_offer", args=[offer.ref])).content.decode()
    assert "Post a need first" in page
    assert (
        client.post(
            reverse("exchange:ask_offer", args=[offer.ref]), {"need": "x", "message": "Hallo"}
        ).status_code
        == 422
    )
    assert not Introduction.objects.exists()


def test_it_keeps_owners_and_anonymous_visitors_out(network, offer, need):
    sam = network.client_for(network.sam)
    assert sam.get(reverse("exchange:ask_offer", args=[offer.ref])).status_code == 404
    ask_self = reverse("exchange:ask_supporter", args=[network.supporter.slug])
    assert sam.get(ask_self).status_code == 404
    assert "Could this help you?" not in sam.get(offer.get_absolute_url()).content.decode()
    anonymous = network.client_for(None)
    response = anonymous.post(
        reverse("exchange:ask_offer", args=[offer.ref]), {"need": need.ref, "message": "Hi"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    hidden = reverse("exchange:ask_supporter", args=[network.hidden_supporter.slug])
    assert network.client_for(network.outsider).get(hidden).status_code == 404
    assert not Introduction.objects.exists()


def test_it_puts_post_a_need_on_the_exchange_list_and_the_collective_page(network):
    alice = network.client_for(network.alice)
    need_url = reverse("exchange:need_create", args=["quellcode"])
    assert need_url in alice.get(reverse("exchange:index")).content.decode()
    assert need_url in alice.get(network.collective_a.get_absolute_url()).content.decode()
    bob = network.client_for(network.bob)
    assert need_url not in bob.get(network.collective_a.get_absolute_url()).content.decode()
    assert need_url not in network.client_for(None).get(reverse("exchange:index")).content.decode()
