"""The collective form: essentials first, details folded away, and what can be derived is."""

import re

import pytest
from django.urls import reverse

from klinke.collectives.models import Collective
from klinke.collectives.tests.test_views import VALID_FORM
from klinke.core.languages import MOST_USED, WORKING_LANGUAGES
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db

# Only what a new collective has to say; everything else left as an empty form sends it.
SHORT_FORM = {
    **{key: value for key, value in VALID_FORM.items() if key.startswith("references-")},
    "references-0-client_type": "",
    "references-0-summary": "",
    "references-0-year": "",
    "name": "Zaunkönig Webkollektiv",
    "slug": "",
    "description_de": "Wir bauen Webseiten für Vereine.",
    "city": "Leipzig",
    "visibility": "public",
}


def test_it_makes_the_slug_from_the_name_when_it_is_left_empty(network):
    client = network.client_for(network.outsider)
    response = client.post(reverse("collectives:create"), SHORT_FORM)
    assert response.status_code == 302
    collective = Collective.objects.get(name="Zaunkönig Webkollektiv")
    assert collective.slug == "zaunkoenig-webkollektiv"
    assert collective.has_member(network.outsider)


def test_it_numbers_the_slug_of_a_second_collective_of_the_same_name(network):
    client = network.client_for(network.outsider)
    client.post(reverse("collectives:create"), SHORT_FORM)
    response = network.client_for(network.bob).post(reverse("collectives:create"), SHORT_FORM)
    assert response.status_code == 302
    assert Collective.objects.filter(name="Zaunkönig Webkollektiv").count() == 2
    assert Collective.objects.filter(slug="zaunkoenig-webkollektiv-2").exists()


def test_it_keeps_a_typed_slug_and_refuses_a_taken_one(network):
    client = network.client_for(network.outsider)
    response = client.post(reverse("collectives:create"), {**SHORT_FORM, "slug": "quellcode"})
    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    response = client.post(reverse("collectives:create"), {**SHORT_FORM, "slug": "zaun"})
    assert response.status_code == 302
    assert Collective.objects.get(name="Zaunkönig Webkollektiv").slug == "zaun"


def test_it_fills_country_region_and_coordinates_from_the_city(network):
    client = network.client_for(network.outsider)
    client.post(reverse("collectives:create"), {**SHORT_FORM, "city": "München"})
    collective = Collective.objects.get(name="Zaunkönig Webkollektiv")
    assert (collective.country, collective.nuts_code) == ("DE", "DE212")
    assert collective.latitude is not None and round(collective.latitude, 1) == 48.1
    assert collective.longitude is not None and round(collective.longitude, 1) == 11.6


def test_it_never_overwrites_what_was_typed(network):
    client = network.client_for(network.outsider)
    typed = {"city": "Köln", "country": "de", "nuts_code": "DEA", "latitude": "50.5"}
    client.post(reverse("collectives:create"), {**SHORT_FORM, **typed})
    collective = Collective.objects.get(name="Zaunkönig Webkollektiv")
    assert (collective.country, collective.nuts_code) == ("DE", "DEA")
    assert collective.latitude == 50.5
    assert collective.longitude is not None and round(collective.longitude) == 7


def test_it_leaves_the_place_empty_for_a_city_it_does_not_know(network):
    client = network.client_for(network.outsider)
    client.post(reverse("collectives:create"), {**SHORT_FORM, "city": "Kleinkleckersdorf"})
    collective = Collective.objects.get(name="Zaunkönig Webkollektiv")
    assert (collective.country, collective.nuts_code, collective.latitude) == ("", "", None)


def test_it_moves_the_derived_place_along_when_a_collective_moves(network):
    client = network.client_for(network.outsider)
    client.post(reverse("collectives:create"), SHORT_FORM)
    collective = Collective.objects.get(name="Zaunkönig Webkollektiv")
    assert collective.nuts_code == "DED51"
    edit = {
        **SHORT_FORM,
        "slug": collective.slug,
        "city": "Zürich",
        "country": collective.country,
        "nuts_code": collective.nuts_code,
        "latitude": str(collective.latitude),
        "longitude": str(collective.longitude),
    }
    response = client.post(reverse("collectives:edit", args=[collective.slug]), edit)
    assert response.status_code == 302
    collective.refresh_from_db()
    assert (collective.country, collective.nuts_code) == ("CH", "CH040")
    assert collective.latitude is not None and round(collective.latitude) == 47


def test_it_puts_the_essentials_first_and_folds_the_details_away(network):
    response = network.client_for(network.outsider).get(reverse("collectives:create"))
    html = response.content.decode()
    essentials = html.index('id="part-essentials"')
    assert essentials < html.index('id="part-about"') < html.index('id="part-references"')
    for name in ("name", "description_de", "topics", "city", "working_languages"):
        assert essentials < html.index(f'name="{name}"') < html.index('id="part-about"')
    for part in ("about", "place", "visibility", "references"):
        tag = re.search(rf'<details class="form-part" id="part-{part}"[^>]*>', html)
        assert tag is not None and " open" not in tag.group(0), part


def test_it_opens_a_folded_part_with_an_error_in_it(network):
    client = network.client_for(network.outsider)
    response = client.post(reverse("collectives:create"), {**SHORT_FORM, "founded_year": "1492"})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<details class="form-part" id="part-about"[^>]* open>', html)
    assert not re.search(r'<details class="form-part" id="part-place"[^>]* open>', html)
    # The error summary links to the field, which is therefore visible.
    assert 'href="#id_founded_year"' in html


def test_it_opens_the_references_when_one_has_an_error(network):
    client = network.client_for(network.outsider)
    bad = {**SHORT_FORM, "references-0-client_type": "oligarch", "references-0-summary": "x"}
    html = client.post(reverse("collectives:create"), bad).content.decode()
    assert re.search(r'<details class="form-part" id="part-references"[^>]* open>', html)


def test_it_groups_topics_under_their_parent(network):
    html = network.client_for(network.outsider).get(reverse("collectives:create")).content.decode()
    groups = re.findall(r'<div class="topic-group">(.*?)\n  </div>', html, re.S)
    [web] = [group for group in groups if "Web development" in group]
    # The parent first, the topics below it indented after it, and nothing else.
    assert re.match(r"<div>\s*<label[^>]*><input[^>]*>\s*Web development", web)
    assert re.search(r'class="subtopic">\s*<label[^>]*><input[^>]*>\s*Frontend development', web)
    assert "Hosting" not in web
    assert len(re.findall(r'name="topics"', html)) == Topic.objects.count()


def test_it_shows_the_ten_most_used_languages_first_and_folds_the_rest(network):
    html = network.client_for(network.outsider).get(reverse("collectives:create")).content.decode()
    field = html[html.index('id="id_working_languages"') :]
    more = field.index('<details class="more-choices"')
    first = [code for code, _name in WORKING_LANGUAGES[:MOST_USED]]
    rest = [code for code, _name in WORKING_LANGUAGES[MOST_USED:]]
    assert all(field.index(f'value="{code}"') < more for code in first)
    assert all(field.index(f'value="{code}"') > more for code in rest)
    assert not re.search(r'<details class="more-choices" open', field)


def test_it_opens_more_languages_when_one_of_them_is_chosen(network):
    collective = network.collective_a
    collective.language_codes = ["de", "sv"]
    collective.save()
    client = network.client_for(network.alice)
    html = client.get(reverse("collectives:edit", args=[collective.slug])).content.decode()
    assert '<details class="more-choices" open>' in html
