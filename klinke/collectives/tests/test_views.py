import pytest
from django.urls import reverse

from klinke.collectives.models import Collective, Membership

pytestmark = pytest.mark.django_db

VALID_FORM = {
    "name": "Neues Kollektiv",
    "slug": "neues-kollektiv",
    "description_de": "Wir bauen barrierefreie Webseiten.",
    "description_en": "",
    "legal_form": "eg",
    "founded_year": "2019",
    "member_count": "5",
    "city": "Halle",
    "country": "de",
    "nuts_code": "dee02",
    "remote_friendly": "on",
    "working_languages": ["de", "en"],
    "website": "https://neu.example",
    "technologies": "Django, Wagtail",
    "values_statement": "Solidarisch.",
    "red_lines": "Keine Rüstung.",
    "capacity_person_days_per_month": "8",
    "visibility": "public",
    "references-TOTAL_FORMS": "1",
    "references-INITIAL_FORMS": "0",
    "references-MIN_NUM_FORMS": "0",
    "references-MAX_NUM_FORMS": "1000",
    "references-0-client_type": "civil-society",
    "references-0-summary": "Website eines Mieter*innenvereins",
    "references-0-year": "2024",
    "references-0-url": "",
}


def test_it_creates_a_collective_with_its_creator_as_member(network):
    client = network.client_for(network.outsider)
    response = client.post(reverse("collectives:create"), VALID_FORM)
    collective = Collective.objects.get(slug="neues-kollektiv")
    assert response.status_code == 302
    # The first steps follow: profile essentials, the first need, colleagues.
    assert response["Location"] == reverse("home:first_steps", args=[collective.slug])
    assert collective.has_member(network.outsider)
    assert collective.country == "DE" and collective.nuts_code == "DEE02"
    assert collective.language_codes == ["de", "en"]
    assert collective.references.get().summary == "Website eines Mieter*innenvereins"
    assert " barrierefrei " in collective.search_document


def test_it_refuses_a_collective_without_description_and_writes_nothing(network):
    client = network.client_for(network.outsider)
    data = {**VALID_FORM, "description_de": "", "description_en": ""}
    response = client.post(reverse("collectives:create"), data)
    assert response.status_code == 200
    assert "Describe the collective in German or in English." in response.content.decode()
    assert not Collective.objects.filter(slug="neues-kollektiv").exists()
    assert not Membership.objects.filter(user=network.outsider).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("nuts_code", "Sachsen!"), ("country", "Germany"), ("founded_year", "1492"), ("slug", "a b")],
)
def test_it_refuses_bad_fields_with_a_clear_error(network, field, value):
    client = network.client_for(network.outsider)
    response = client.post(reverse("collectives:create"), {**VALID_FORM, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Collective.objects.filter(slug="neues-kollektiv").exists()


def test_it_refuses_a_bad_reference_and_writes_nothing(network):
    client = network.client_for(network.outsider)
    response = client.post(
        reverse("collectives:create"), {**VALID_FORM, "references-0-client_type": "oligarch"}
    )
    assert response.status_code == 200
    assert not Collective.objects.filter(slug="neues-kollektiv").exists()


def test_it_sends_anonymous_visitors_to_login_for_creating(client):
    response = client.get(reverse("collectives:create"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_lets_any_member_edit(network):
    client = network.client_for(network.alice2)
    url = reverse("collectives:edit", args=["quellcode"])
    data = {**VALID_FORM, "name": "Kollektiv Quellcode eG", "slug": "quellcode"}
    data["references-0-summary"] = "Shop für eine Buchhandlung"
    response = client.post(url, data)
    assert response.status_code == 302
    network.collective_a.refresh_from_db()
    assert network.collective_a.name == "Kollektiv Quellcode eG"
    assert " buchhandl " in network.collective_a.search_document


def test_it_forbids_members_of_other_collectives_to_edit(network):
    client = network.client_for(network.bob)
    url = reverse("collectives:edit", args=["quellcode"])
    assert client.get(url).status_code == 404
    response = client.post(url, {**VALID_FORM, "slug": "quellcode", "name": "Gekapert"})
    assert response.status_code == 404
    network.collective_a.refresh_from_db()
    assert network.collective_a.name == "Kollektiv Quellcode"


def test_it_hides_members_only_collectives_from_outside_the_network(network, client):
    url = reverse("collectives:detail", args=["verborgen"])
    assert client.get(url).status_code == 404
    assert network.client_for(network.outsider).get(url).status_code == 404
    assert network.client_for(network.outsider).get(url + "edit/").status_code == 404
    assert network.client_for(network.alice).get(url).status_code == 200


def test_it_hides_members_only_fields_from_anonymous_visitors(network, client):
    response = client.get(reverse("collectives:detail", args=["quellcode"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kollektiv Quellcode" in html
    assert "Keine Überwachungstechnik" not in html
    assert "Alina" not in html
    member_html = network.client_for(network.bob).get(
        reverse("collectives:detail", args=["quellcode"])
    )
    assert member_html.status_code == 200
    assert "Keine Überwachungstechnik" in member_html.content.decode()
    assert "Alina" in member_html.content.decode()


def test_it_shows_the_detail_page_in_a_fixed_number_of_queries(
    network, django_assert_max_num_queries
):
    client = network.client_for(network.alice)
    url = reverse("collectives:detail", args=["quellcode"])
    assert client.get(url).status_code == 200  # warm the session
    with django_assert_max_num_queries(12) as captured:
        assert client.get(url).status_code == 200
    first = len(captured)
    for index in range(5):
        other = network.outsider.__class__.objects.create_user(email=f"m{index}@example.org")
        Membership.objects.create(collective=network.collective_a, user=other)
    with django_assert_max_num_queries(first):
        assert client.get(url).status_code == 200


def test_it_hides_archived_collectives_from_non_members(network, client):
    network.collective_a.archived_at = network.collective_a.created_at
    network.collective_a.save()
    url = reverse("collectives:detail", args=["quellcode"])
    assert client.get(url).status_code == 404
    assert network.client_for(network.bob).get(url).status_code == 404
    assert network.client_for(network.alice).get(url).status_code == 200
