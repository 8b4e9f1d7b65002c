"""The offline gazetteer: where a town lies, however its name is typed."""

import pytest

from klinke.collectives.models import Collective
from klinke.core import gazetteer
from klinke.core.slugs import unique_slug


@pytest.mark.parametrize(
    ("typed", "name", "country", "nuts"),
    [
        ("Leipzig", "Leipzig", "DE", "DED51"),
        ("München", "Munich", "DE", "DE212"),
        ("Munich", "Munich", "DE", "DE212"),
        ("muenchen", "Munich", "DE", "DE212"),
        ("Köln", "Köln", "DE", "DEA23"),
        ("Cologne", "Köln", "DE", "DEA23"),
        ("Wien", "Vienna", "AT", "AT130"),
        ("Zürich", "Zürich", "CH", "CH040"),
        ("Zurich", "Zürich", "CH", "CH040"),
        ("04109 Leipzig", "Leipzig", "DE", "DED51"),
        ("Wien, Österreich", "Vienna", "AT", "AT130"),
        ("St. Gallen", "Sankt Gallen", "CH", "CH055"),
        # The larger of two towns of one name, and a town in its state's region.
        ("Frankfurt", "Frankfurt am Main", "DE", "DE712"),
        ("Halle", "Halle (Saale)", "DE", "DEE02"),
        ("Lausanne", "Lausanne", "CH", "CH011"),
    ],
)
def test_it_finds_a_town_however_it_is_typed(typed, name, country, nuts):
    place = gazetteer.find(typed)
    assert place is not None
    assert (place.name, place.country, place.nuts_code) == (name, country, nuts)


def test_it_gives_coordinates_close_to_the_town():
    place = gazetteer.find("Leipzig")
    assert place is not None
    assert abs(place.latitude - 51.34) < 0.05 and abs(place.longitude - 12.37) < 0.05


@pytest.mark.parametrize(
    ("city", "country"),
    [
        ("Atlantis-am-See", ""),
        ("", ""),
        ("12345", ""),
        ("Wien", "DE"),
        ("Paris", ""),
        ("Leipzig", "FR"),
    ],
)
def test_it_knows_nothing_of_an_unknown_town_or_a_town_in_another_country(city, country):
    assert gazetteer.find(city, country) is None


def test_it_looks_in_the_named_country():
    # Baden near Wien is the larger; Baden in Aargau is the one in Switzerland.
    assert gazetteer.find("Baden") == gazetteer.find("Baden", "at")
    place = gazetteer.find("Baden", "CH")
    assert place is not None and place.country == "CH" and place.nuts_code == "CH033"


def test_it_fills_only_what_is_empty_from_the_city():
    collective = Collective(city="Köln", nuts_code="DEA2")
    assert collective.fill_place_from_city() == ["country", "latitude", "longitude"]
    assert collective.country == "DE" and collective.nuts_code == "DEA2"
    assert collective.latitude is not None and round(collective.latitude) == 51


def test_it_fills_nothing_for_an_unknown_city_or_a_typed_other_country():
    assert Collective(city="Nirgendwo").fill_place_from_city() == []
    collective = Collective(city="Wien", country="DE")
    assert collective.fill_place_from_city() == []
    assert collective.nuts_code == "" and collective.latitude is None


def test_it_moves_what_it_filled_when_the_city_changes_but_keeps_what_was_typed():
    collective = Collective(city="Leipzig")
    collective.fill_place_from_city()
    collective.city = "Wien"
    collective.nuts_code = "AT12"  # typed by hand, not Leipzig's
    collective.fill_place_from_city(previous_city="Leipzig")
    assert collective.country == "AT" and collective.nuts_code == "AT12"
    assert collective.longitude is not None and round(collective.longitude) == 16


def test_it_makes_a_slug_from_a_name_with_umlauts():
    assert unique_slug("Zaunkönig Straße", taken=lambda _slug: False) == "zaunkoenig-strasse"
    assert unique_slug("!!!", taken=lambda _slug: False) == "profile"


def test_it_adds_a_number_while_a_slug_is_taken():
    taken = {"kollektiv", "kollektiv-2"}
    assert unique_slug("Kollektiv", taken=taken.__contains__) == "kollektiv-3"
    long = unique_slug("x" * 100, taken={"x" * 80}.__contains__)
    assert long == "x" * 78 + "-2"
