"""A suggested party's further fitting offers on the need page: the first few, and all of
them behind a link (in place through htmx, or as the whole page without JavaScript)."""

from __future__ import annotations

from typing import Any

import pytest

from klinke.exchange.tests.factories import make_pricing_need_with_offers
from klinke.exchange.views import FURTHER_OFFERS_SHOWN

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(network: Any) -> Any:
    return make_pricing_need_with_offers(
        network.collective_a, network.supporter, FURTHER_OFFERS_SHOWN + 3
    )


def party_row(response: Any, network: Any) -> Any:
    key = f"supporter:{network.supporter.pk}"
    return next(row for row in response.context["matches"] if row.key == key)


def test_it_lists_the_first_further_offers_and_links_to_all_of_them(
    network: Any, need: Any
) -> None:
    response = network.client_for(network.alice).get(need.get_absolute_url())

    row = party_row(response, network)
    also = row.match.also
    assert len(also) > FURTHER_OFFERS_SHOWN
    assert row.further == also[:FURTHER_OFFERS_SHOWN]
    assert row.show_all_label == f"Show all {len(also)} further offers"
    html = response.content.decode()
    for entry in also[:FURTHER_OFFERS_SHOWN]:
        assert f'href="{entry.item_url}"' in html
    for entry in also[FURTHER_OFFERS_SHOWN:]:
        assert f'href="{entry.item_url}"' not in html
    link = f"?further=supporter:{network.supporter.pk}"
    assert f'href="{link}#' in html and f'data-hx-get="{link}"' in html
    assert f"Show all {len(also)} further offers" in html


def test_it_lists_all_further_offers_of_the_party_asked_for_without_javascript(
    network: Any, need: Any
) -> None:
    url = f"{need.get_absolute_url()}?further=supporter:{network.supporter.pk}"
    response = network.client_for(network.alice).get(url)

    row = party_row(response, network)
    assert row.further == row.match.also and not row.show_all_label
    html = response.content.decode()
    for entry in row.match.also:
        assert f'href="{entry.item_url}"' in html
    assert "Show all" not in html


def test_it_answers_htmx_with_the_whole_list_and_focuses_the_first_new_offer(
    network: Any, need: Any
) -> None:
    client = network.client_for(network.alice)
    also = party_row(client.get(need.get_absolute_url()), network).match.also
    url = f"{need.get_absolute_url()}?further=supporter:{network.supporter.pk}"

    response = client.get(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["exchange/_further_offers.html"]
    html = response.content.decode()
    assert html.count("<li>") == len(also)
    for entry in also:
        assert f'href="{entry.item_url}"' in html
    first_new = also[FURTHER_OFFERS_SHOWN]
    assert f'<a href="{first_new.item_url}" autofocus>' in html
    assert html.count("autofocus") == 1


def test_it_answers_404_to_htmx_for_a_party_it_does_not_suggest(network: Any, need: Any) -> None:
    url = f"{need.get_absolute_url()}?further=supporter:0"
    response = network.client_for(network.alice).get(url, headers={"HX-Request": "true"})
    assert response.status_code == 404


def test_it_shows_no_further_offers_to_others_than_the_owners(network: Any, need: Any) -> None:
    url = f"{need.get_absolute_url()}?further=supporter:{network.supporter.pk}"
    for headers in ({}, {"HX-Request": "true"}):
        response = network.client_for(network.bob).get(url, headers=headers)
        assert response.status_code == 200
        assert response.context["suggestions"] == ""  # no suggestions at all
        assert "Pricing help" not in response.content.decode()


def test_it_says_so_in_german(network: Any, need: Any) -> None:
    client = network.client_for(network.alice)
    response = client.get(need.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de")

    count = len(party_row(response, network).match.also)
    assert f"Alle {count} weiteren Angebote zeigen" in response.content.decode()
