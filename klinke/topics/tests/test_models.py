"""The seeded topic vocabulary, the topic tree and bilingual names."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.utils import translation

from klinke.topics.models import Topic
from klinke.topics.vocabulary import SEED_TOPICS

pytestmark = pytest.mark.django_db

WEB_DEVELOPMENT_TREE = {"web-development", "frontend", "backend", "accessibility", "cms"}


def slugs(topics: Iterable[Topic]) -> set[str]:
    return {topic.slug for topic in topics}


def test_it_the_seed_migration_creates_the_whole_vocabulary() -> None:
    rows = {
        t.slug: (t.name_en, t.name_de, t.kind, t.parent.slug if t.parent else None)
        for t in Topic.objects.select_related("parent")
    }

    assert rows == {seed.slug: tuple(seed[1:]) for seed in SEED_TOPICS}


def test_it_the_vocabulary_has_business_and_technical_topics_in_both_languages() -> None:
    assert Topic.objects.filter(kind="business").count() >= 10
    assert Topic.objects.filter(kind="technical").count() >= 10
    pricing = Topic.objects.get(slug="pricing")
    assert (pricing.name_en, pricing.name_de) == (
        "Pricing and estimates",
        "Preisgestaltung und Kostenschätzung",
    )
    assert not Topic.objects.filter(name_en="").exists()
    assert not Topic.objects.filter(name_de="").exists()
    # German and English names differ for most topics: they really are translations.
    differing = [t for t in Topic.objects.all() if t.name_de != t.name_en]
    assert len(differing) > 0.8 * Topic.objects.count()


def test_it_the_vocabulary_nests_subtopics() -> None:
    web = Topic.objects.get(slug="web-development")

    assert slugs(web.children.all()) == WEB_DEVELOPMENT_TREE - {"web-development"}
    assert Topic.objects.get(slug="frontend").parent == web
    assert Topic.objects.get(slug="cooperatives").parent == Topic.objects.get(slug="legal-forms")
    assert Topic.objects.get(slug="data-protection").parent.slug == "it-security"
    assert web.parent is None


def test_it_with_descendants_includes_every_subtopic() -> None:
    assert slugs(Topic.objects.with_descendants(["web-development"])) == WEB_DEVELOPMENT_TREE


def test_it_with_descendants_follows_several_levels() -> None:
    frontend = Topic.objects.get(slug="frontend")
    react = Topic.objects.create(slug="react", name_en="React", name_de="React", parent=frontend)
    Topic.objects.create(slug="react-native", name_en="RN", name_de="RN", parent=react)

    found = slugs(Topic.objects.with_descendants(["web-development"]))

    assert found == WEB_DEVELOPMENT_TREE | {"react", "react-native"}
    assert slugs(Topic.objects.with_descendants(["frontend"])) == {
        "frontend",
        "react",
        "react-native",
    }


def test_it_with_descendants_of_a_leaf_is_the_leaf() -> None:
    assert slugs(Topic.objects.with_descendants(["cms"])) == {"cms"}


def test_it_with_descendants_combines_several_slugs_and_ignores_unknown_ones() -> None:
    found = slugs(Topic.objects.with_descendants(["hosting", "legal-forms", "basket-weaving"]))

    assert found == {"hosting", "cloud-infrastructure", "legal-forms", "cooperatives"}
    assert slugs(Topic.objects.with_descendants(["basket-weaving"])) == set()


def test_it_with_descendants_stops_on_a_cycle() -> None:
    a = Topic.objects.create(slug="ring-a", name_en="A", name_de="A")
    b = Topic.objects.create(slug="ring-b", name_en="B", name_de="B", parent=a)
    Topic.objects.filter(pk=a.pk).update(parent=b)

    assert slugs(Topic.objects.with_descendants(["ring-a"])) == {"ring-a", "ring-b"}


def test_it_with_descendants_keeps_the_queryset_filter() -> None:
    found = Topic.objects.filter(kind="business").with_descendants(["web-development"])

    assert slugs(found) == set()


def test_it_filter_for_widens_a_slug_to_its_subtopics() -> None:
    found = Topic.objects.filter_for("web-development")

    assert found is not None
    assert slugs(found) == WEB_DEVELOPMENT_TREE


def test_it_filter_for_an_empty_slug_is_no_filter() -> None:
    assert Topic.objects.filter_for("") is None


def test_it_filter_for_an_unknown_slug_matches_nothing() -> None:
    found = Topic.objects.filter_for("basket-weaving")

    assert found is not None
    assert not found.exists()


def test_it_the_name_follows_the_active_language() -> None:
    topic = Topic.objects.get(slug="web-development")

    with translation.override("de"):
        assert topic.name == "Webentwicklung"
        assert str(topic) == "Webentwicklung"
    with translation.override("en"):
        assert topic.name == "Web development"
    with translation.override("en-gb"):
        assert topic.name == "Web development"
    with translation.override("de-at"):
        assert topic.name == "Webentwicklung"


def test_it_the_name_falls_back_to_german_without_an_active_language() -> None:
    topic = Topic.objects.get(slug="hosting")

    with translation.override(None):
        assert topic.name == "Hosting und Betrieb"


def test_it_names_each_rows_topics_in_the_visitors_language_and_the_topics_order(
    network: object,
) -> None:
    from klinke.exchange.models import Need
    from klinke.exchange.tests.factories import make_need
    from klinke.topics.models import topic_names_by_row

    collective = network.collective_a  # type: ignore[attr-defined]
    several = make_need(collective, "Viel", "…", topics=["pricing", "frontend", "acquisition"])
    none = make_need(collective, "Nichts", "…")
    for language in ("de", "en"):
        with translation.override(language):
            expected = [topic.name for topic in several.topics.all()]
            assert topic_names_by_row(Need, [several.pk, none.pk]) == {
                several.pk: expected,
                none.pk: [],
            }
    assert len(set(expected)) == 3
    assert topic_names_by_row(Need, []) == {}
