"""The need form: the kind of help first, and a new need starts where its collective is."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_it_asks_for_the_kind_of_help_before_anything_else(network):
    client = network.client_for(network.alice)
    html = client.get(reverse("exchange:need_create", args=["quellcode"])).content.decode()
    kinds = html.index('id="id_kind_choices"')
    assert kinds < html.index('id="id_title"') < html.index('id="id_description"')


def test_it_fills_a_new_need_with_the_collectives_city_and_languages(network):
    collective = network.collective_a
    collective.language_codes = ["de", "pl"]
    collective.save()
    client = network.client_for(network.alice)
    response = client.get(reverse("exchange:need_create", args=[collective.slug]))
    form = response.context["form"]
    assert form["city"].value() == "Leipzig"
    assert form["country"].value() == "DE"
    assert form["nuts_code"].value() == "DED51"
    assert form["language_choices"].value() == ["de", "pl"]
    html = response.content.decode()
    assert 'value="Leipzig"' in html
    assert 'value="pl" id="id_language_choices_6" checked' in html


def test_it_takes_what_was_sent_over_the_collectives_place_and_languages(network):
    client = network.client_for(network.alice)
    data = {
        "title": "Hilfe bei der Preisgestaltung",
        "description": "Wir suchen Erfahrung mit Tagessätzen.",
        "kind_choices": ["experience-exchange"],
        "city": "Halle",
        "country": "DE",
        "language_choices": ["en"],
        "expires_on": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "visibility": "public",
    }
    response = client.post(reverse("exchange:need_create", args=["quellcode"]), data)
    assert response.status_code == 302, response.context["form"].errors
    need = network.collective_a.needs.get()
    assert (need.city, need.country, need.language_codes) == ("Halle", "DE", ["en"])


def test_it_shows_another_collectives_place_to_nobody_outside_it(network):
    response = network.client_for(network.bob).get(
        reverse("exchange:need_create", args=["quellcode"])
    )
    assert response.status_code == 403
    assert "Leipzig" not in response.content.decode()
