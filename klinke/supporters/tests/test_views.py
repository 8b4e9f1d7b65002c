import pytest
from django.urls import reverse

from klinke.supporters.models import Supporter

pytestmark = pytest.mark.django_db

VALID_FORM = {
    "name": "Olga Beraterin",
    "slug": "olga-beraterin",
    "kind": "person",
    "organisation": "Genossenschaftsverband Mitte",
    "bio_de": "Ich helfe bei Kostenschätzungen und Verträgen.",
    "bio_en": "",
    "topics": [],
    "brokering_regions": "de, ded",
    "sectors": ["cooperatives", "public-administration"],
    "spoken_languages": ["de"],
    "city": "Dresden",
    "country": "de",
    "nuts_code": "",
    "hours_per_month": "6",
    "visibility": "public",
}


def test_it_creates_the_own_supporter_profile(network):
    client = network.client_for(network.outsider)
    response = client.post(reverse("supporters:edit_own"), VALID_FORM)
    supporter = Supporter.objects.get(slug="olga-beraterin")
    assert response.status_code == 302
    assert supporter.user == network.outsider
    assert supporter.region_codes == ["DE", "DED"]
    assert supporter.sector_codes == ["cooperatives", "public-administration"]
    assert " kostenschatz " in supporter.search_document or " kostenschaetz " in (
        supporter.search_document
    )


def test_it_edits_only_the_own_profile(network):
    client = network.client_for(network.sam)
    response = client.post(
        reverse("supporters:edit_own"), {**VALID_FORM, "slug": "sam-berater", "name": "Sam B."}
    )
    assert response.status_code == 302
    network.supporter.refresh_from_db()
    assert network.supporter.name == "Sam B."
    assert Supporter.objects.filter(user=network.sam).count() == 1


def test_it_cannot_take_over_another_supporters_slug(network):
    client = network.client_for(network.outsider)
    response = client.post(reverse("supporters:edit_own"), {**VALID_FORM, "slug": "sam-berater"})
    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    network.supporter.refresh_from_db()
    assert network.supporter.user == network.sam


def test_it_refuses_bad_region_codes(network):
    client = network.client_for(network.outsider)
    response = client.post(
        reverse("supporters:edit_own"), {**VALID_FORM, "brokering_regions": "Sachsen"}
    )
    assert response.status_code == 200
    assert "Sachsen" in str(response.context["form"].errors["brokering_regions"])
    assert not Supporter.objects.filter(user=network.outsider).exists()


def test_it_hides_availability_from_anonymous_visitors(network, client):
    url = reverse("supporters:detail", args=["sam-berater"])
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert "Sam Beispiel" in anonymous.content.decode()
    assert "Available hours per month" not in anonymous.content.decode()
    member_view = network.client_for(network.alice).get(url)
    assert member_view.status_code == 200
    assert "Available hours per month" in member_view.content.decode()


def test_it_hides_members_only_supporters(network, client):
    url = reverse("supporters:detail", args=["stille-hilfe"])
    assert client.get(url).status_code == 404
    assert network.client_for(network.outsider).get(url).status_code == 404
    assert network.client_for(network.bob).get(url).status_code == 200
