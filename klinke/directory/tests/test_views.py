import pytest
from django.urls import reverse

from klinke.collectives.models import Collective
from klinke.conftest import make_collective
from klinke.core import fragments
from klinke.core.models import Visibility

pytestmark = pytest.mark.django_db


def names(response):
    return [profile.name for profile in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("description", "query"),
    [
        ("Wir machen Webentwicklung.", "web development"),
        ("Wir machen Webentwicklung.", "Web-Entwicklung"),
        ("Wir machen Web-Entwicklung.", "Webentwicklung"),
        ("We are web developers.", "Webentwicklung"),
        ("We do web development.", "web developers"),
        ("Beratung zur Preisgestaltung.", "pricing"),
    ],
)
def test_it_finds_across_languages_spellings_and_stems(network, client, description, query):
    make_collective("probe", "Probe", members=[], description_de=description)
    response = client.get(reverse("directory:index"), {"q": query})
    assert "Probe" in names(response)


def test_it_does_not_find_unrelated_words(network, client):
    response = client.get(reverse("directory:index"), {"q": "Buchhaltung"})
    assert names(response) == []


def test_it_filters_by_topic_including_subtopics(network, client):
    make_collective("front", "Frontend-Leute", members=[], topics=["frontend"])
    response = client.get(reverse("directory:index"), {"topic": "web-development"})
    assert set(names(response)) == {"Kollektiv Quellcode", "Frontend-Leute"}


def test_it_filters_by_region_language_and_kind(network, client):
    url = reverse("directory:index")
    assert names(client.get(url, {"region": "AT"})) == ["Rotkehlchen Hosting"]
    assert names(client.get(url, {"region": "DED"})) == ["Kollektiv Quellcode"]
    assert names(client.get(url, {"region": "leipzig"})) == ["Kollektiv Quellcode"]
    assert names(client.get(url, {"kind": "supporter"})) == ["Sam Beispiel"]
    network.collective_b.language_codes = ["en"]
    network.collective_b.save()
    assert "Rotkehlchen Hosting" not in names(client.get(url, {"language": "de"}))
    assert "Rotkehlchen Hosting" in names(client.get(url, {"language": "en"}))


def test_it_lists_members_only_profiles_only_inside_the_network(network, client):
    url = reverse("directory:index")
    assert "Verborgenes Kollektiv" not in names(client.get(url))
    fragments.forget_all()  # the outsider is the same audience: the list is read, not kept
    assert "Stille Hilfe" not in names(network.client_for(network.outsider).get(url))
    member_view = names(network.client_for(network.alice).get(url))
    assert "Verborgenes Kollektiv" in member_view and "Stille Hilfe" in member_view


def test_it_leaves_archived_collectives_out(network, client):
    network.collective_a.archived_at = network.collective_a.created_at
    network.collective_a.save()
    assert "Kollektiv Quellcode" not in names(client.get(reverse("directory:index")))


def test_it_paginates(network, client):
    for index in range(25):
        make_collective(f"k{index:02}", f"Kollektiv {index:02}", members=[])
    first = client.get(reverse("directory:index"), {"kind": "collective"})
    second = client.get(reverse("directory:index"), {"kind": "collective", "page": 2})
    assert len(names(first)) == 20
    assert first.context["page"].paginator.count == 27
    assert set(names(first)).isdisjoint(names(second))


def test_it_answers_htmx_with_the_results_fragment(network, client):
    response = client.get(reverse("directory:index"), {"q": "hosting"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Rotkehlchen Hosting" in html
    assert "<html" not in html


def test_it_rejects_an_unknown_topic_with_a_clear_error(network, client):
    response = client.get(reverse("directory:index"), {"topic": "astrology"})
    assert response.status_code == 200
    assert response.context["form"].errors["topic"]


def test_it_keeps_the_query_count_flat_as_the_directory_grows(
    network, client, django_assert_max_num_queries
):
    url = reverse("directory:index")
    client.get(url)
    with django_assert_max_num_queries(20) as captured:
        client.get(url)
    baseline = len(captured)
    for index in range(30):
        make_collective(
            f"extra-{index}",
            f"Extra {index}",
            members=[],
            topics=["hosting", "pricing"],
            visibility=Visibility.PUBLIC,
        )
    assert Collective.objects.count() > 30
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_it_pages_through_both_kinds_in_one_order_without_gaps_or_repeats(network, client):
    from klinke.supporters.models import Supporter

    for index in range(23):
        make_collective(f"k{index}", f"{chr(97 + index)} Kollektiv", members=[])
        supporter = Supporter.objects.create(slug=f"s{index}", name=f"{chr(65 + index)} Helper")
        supporter.refresh_search_document()
    url = reverse("directory:index")
    first = client.get(url)
    pages = first.context["page"].paginator.num_pages
    seen = names(first)
    for number in range(2, pages + 1):
        seen += names(client.get(url, {"page": number}))
    everything = [*Collective.objects.active().visible_to(None).values_list("name", flat=True)]
    everything += Supporter.objects.visible_to(None).values_list("name", flat=True)
    assert len(seen) == len(set(seen)) == first.context["page"].paginator.count == len(everything)
    assert set(seen) == set(everything)
    # Alphabetical across both kinds (the database's collation decides ties of case and spaces).
    assert {seen[0], seen[1]} == {"a Kollektiv", "A Helper"}
    assert {seen[-1], seen[-2]} == {"w Kollektiv", "W Helper"}


def test_it_ranks_search_results_in_the_database_and_pages_them(network, client):
    for index in range(25):
        make_collective(f"h{index:02}", f"Hoster {index:02}", members=[], description_en="hosting")
    url = reverse("directory:index")
    first = client.get(url, {"q": "hosting"})
    second = client.get(url, {"q": "hosting", "page": 2})
    found = names(first) + names(second)
    assert first.context["page"].paginator.count == len(found) == len(set(found))
    assert "Rotkehlchen Hosting" in found and "Hoster 07" in found


@pytest.mark.parametrize("data", [None, {"topic": "pricing"}])
def test_it_offers_every_topic_in_the_filter_as_a_plain_model_choice_would(data):
    from django import forms
    from django.utils import translation

    from klinke.directory.forms import DirectoryFilterForm
    from klinke.topics.models import Topic

    class Plain(forms.Form):
        topic = forms.ModelChoiceField(
            queryset=Topic.objects.all(),
            to_field_name="slug",
            required=False,
            empty_label=DirectoryFilterForm.base_fields["topic"].empty_label,
            label=DirectoryFilterForm.base_fields["topic"].label,
        )

    with translation.override("de"):
        assert str(DirectoryFilterForm(data)["topic"]) == str(Plain(data)["topic"])
    assert Topic.objects.count() > 10
