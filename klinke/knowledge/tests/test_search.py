"""Finding articles: bilingual full-text search, ranking, filters, and what stays hidden."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from klinke.core import fragments
from klinke.knowledge.models import Article
from klinke.knowledge.search import parse_query
from klinke.knowledge.tests.conftest import topics, write_article

pytestmark = pytest.mark.django_db


def slugs(queryset: Any) -> list[str]:
    return [a.slug for a in queryset]


@pytest.fixture
def library(network):
    english = write_article(
        network.alice,
        title="Pricing for small web shops",
        body="How we set day rates and estimate projects.",
        topics=topics("web-development"),
    )
    german = write_article(
        network.bob,
        title="Wie wir unsere Preise festlegen",
        body="Tagessätze, Spannen und Puffer.",
        language="de",
        topics=topics("finance"),
    )
    unrelated = write_article(
        network.alice,
        title="Hosting für Vereine",
        body="Backups, Updates und Monitoring.",
        language="de",
        topics=topics("hosting"),
    )
    return english, german, unrelated


def test_it_finds_english_pricing_and_german_preise_for_preisgestaltung(library):
    english, german, _unrelated = library

    found = slugs(Article.objects.search("Preisgestaltung"))

    assert sorted(found) == sorted([english.slug, german.slug])


def test_it_finds_german_articles_for_english_words(library):
    _english, german, unrelated = library

    assert german.slug in slugs(Article.objects.search("prices"))
    assert slugs(Article.objects.search("backups monitoring")) == [unrelated.slug]


def test_it_requires_every_word(library):
    english, _german, _unrelated = library

    assert slugs(Article.objects.search("pricing shops")) == [english.slug]
    assert slugs(Article.objects.search("pricing backups")) == []


def test_it_widens_a_compound_only_by_its_own_translation():
    (pricing,) = parse_query("Preisgestaltung")
    (web,) = parse_query("Webentwicklung")
    (privacy,) = parse_query("Datenschutz")

    assert pricing.alternatives == (("preis", "gestalt"), ("price",))
    assert web.alternatives == (("web", "entwickl"),)
    # "data protection" is a phrase: its word "protection" alone is no translation.
    assert ("protect",) not in privacy.alternatives


def test_it_ranks_title_hits_first_then_the_newest(network):
    now = timezone.now()
    body_only = write_article(network.alice, title="Notes", body="All about pricing.")
    title_old = write_article(network.alice, title="Pricing, the old way", body="text")
    title_new = write_article(network.alice, title="Pricing, the new way", body="text")
    Article.objects.filter(pk=body_only.pk).update(updated_at=now)
    Article.objects.filter(pk=title_old.pk).update(updated_at=now - timedelta(days=30))
    Article.objects.filter(pk=title_new.pk).update(updated_at=now - timedelta(days=1))

    assert slugs(Article.objects.search("pricing")) == [
        title_new.slug,
        title_old.slug,
        body_only.slug,
    ]


def test_it_filters_by_topic_including_subtopics(network):
    parent = write_article(network.alice, title="Web in general", topics=topics("web-development"))
    child = write_article(network.alice, title="Accessible forms", topics=topics("accessibility"))
    write_article(network.alice, title="Hosting", topics=topics("hosting"))

    assert sorted(slugs(Article.objects.about(["web-development"]))) == sorted(
        [parent.slug, child.slug]
    )
    assert slugs(Article.objects.about(["accessibility"])) == [child.slug]


def test_it_filters_by_language_on_the_page(network, library):
    _english, german, _unrelated = library

    response = network.client_for(None).get(
        reverse("knowledge:index"), {"q": "Preisgestaltung", "language": "de"}
    )

    assert [a.slug for a in response.context["page"].object_list] == [german.slug]


def test_it_answers_htmx_with_the_results_only(network, library):
    response = network.client_for(None).get(
        reverse("knowledge:index"), {"q": "Preisgestaltung"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()

    assert next(t.name for t in response.templates) == "knowledge/_article_results.html"
    assert "<html" not in page
    assert "2 articles for “Preisgestaltung”" in page


def test_it_ignores_an_unknown_filter_value_instead_of_failing(network, library):
    response = network.client_for(None).get(reverse("knowledge:index"), {"language": "xx"})

    assert response.status_code == 200
    assert response.context["form"].errors["language"]


def test_it_hides_members_only_articles_from_outsiders_in_lists_search_and_pages(
    network, public_article, members_article
):
    for user in (None, network.outsider):
        fragments.forget_all()  # one audience: each list is read, not kept
        client = network.client_for(user)
        listed = client.get(reverse("knowledge:index")).context["page"].object_list
        assert [a.slug for a in listed] == [public_article.slug]
        searched = client.get(reverse("knowledge:index"), {"q": "Stundensätze"})
        assert list(searched.context["page"].object_list) == []
        for name in ("article_detail", "article_history", "article_edit"):
            url = reverse(f"knowledge:{name}", args=[members_article.slug])
            assert client.get(url).status_code in (404, 302)
            if user is not None:
                assert client.get(url).status_code == 404
        url = reverse("knowledge:article_revision", args=[members_article.slug, 1])
        assert client.get(url).status_code == 404

    for user in (network.alice, network.sam, network.stella):
        fragments.forget_all()  # one audience: each list is read, not kept
        client = network.client_for(user)
        searched = client.get(reverse("knowledge:index"), {"q": "Stundensätze"})
        assert [a.slug for a in searched.context["page"].object_list] == [members_article.slug]
        assert client.get(members_article.get_absolute_url()).status_code == 200


def test_it_finds_the_demo_pricing_article_for_preisgestaltung(client):
    from klinke.network.demo_loader import do_load_demo_network

    do_load_demo_network()

    response = client.get(reverse("knowledge:index"), {"q": "Preisgestaltung"})
    found = [a.slug for a in response.context["page"].object_list]

    assert found[0] == "preisgestaltung-und-kostenschaetzung"
    assert "pricing-and-estimates" in found
    assert 'class="badge-demo"' in response.content.decode()


def test_it_does_not_mention_a_hidden_translation_in_the_list(network, public_article):
    write_article(
        network.bob,
        title="Intern",
        language="de",
        visibility="members",
        translation_of=public_article,
    )

    anonymous = network.client_for(None).get(reverse("knowledge:index")).content.decode()
    member = network.client_for(network.sam).get(reverse("knowledge:index")).content.decode()

    assert "also in German" not in anonymous
    assert "also in English" in member and "also in German" in member
