"""NUTS codes read as places: "DED51 Leipzig, Kreisfreie Stadt", countries in the page language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from klinke.tenders import nuts
from klinke.tenders.presenting import reason_text


@pytest.mark.parametrize("lang", ["de", "en"])
def test_it_gives_regions_their_official_name_in_both_languages(lang):
    assert nuts.label("DED51", lang) == "DED51 Leipzig, Kreisfreie Stadt"
    assert nuts.label("DED5", lang) == "DED5 Leipzig"
    assert nuts.label("DED", lang) == "DED Sachsen"
    assert nuts.label("AT130", lang) == "AT130 Wien"


def test_it_names_countries_in_the_page_language():
    assert nuts.label("DE", "de") == "DE Deutschland"
    assert nuts.label("DE", "en") == "DE Germany"
    assert nuts.name("AT", "de-at") == "Österreich"
    assert nuts.name("AT", "en") == "Austria"


def test_it_finds_the_nuts_code_of_an_iso_country_code():
    assert nuts.name("EL", "de") == nuts.name("GR", "de") == "Griechenland"
    assert nuts.name("GR", "en") == "Greece"


def test_it_leaves_an_unknown_code_as_it_is():
    assert nuts.label("DEX99", "de") == "DEX99"
    assert nuts.label("", "en") == ""
    assert nuts.name("ded51", "en") == "Leipzig, Kreisfreie Stadt"


def test_it_has_both_names_for_every_code():
    names = nuts._names()
    assert len(names) == 2087
    assert all(en and de for en, de in names.values())
    assert all(code.isalnum() and code.isupper() for code in names)


def test_it_names_the_region_reason_in_the_active_language():
    with translation.override("de"):
        assert reason_text({"kind": "region", "value": "DED51"}) == (
            "DED51 Leipzig, Kreisfreie Stadt"
        )
        assert reason_text({"kind": "region", "value": "DE"}) == "DE Deutschland"
    with translation.override("en"):
        assert reason_text({"kind": "region", "value": "DE"}) == "DE Germany"


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["de", "en"])
def test_it_shows_the_place_by_name_in_the_inbox(network, inbox_entry, lang):
    url = reverse("tenders:inbox", args=[network.collective_a.slug])
    body = network.client_for(network.alice).get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert '<span class="reason">DED51 Leipzig, Kreisfreie Stadt</span>' in body
