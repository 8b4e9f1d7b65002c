"""The demo: Kollektiv Quellcode has a day rate with two versions, and the demo pricing
articles link to the calculator's public page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.knowledge.models import Article
from klinke.network.demo_loader import do_load_demo_network
from klinke.rates import demo
from klinke.rates.models import DayRate

pytestmark = pytest.mark.django_db


def test_it_gives_the_demo_collective_two_versions_once() -> None:
    do_load_demo_network()
    assert "already has its demo day rate" in demo.load_demo_content()

    versions = list(DayRate.objects.filter(collective__slug=demo.DEMO_COLLECTIVE))
    assert [v.number for v in versions] == [2, 1]
    assert all(v.is_demo and v.change_note.startswith("Demo:") for v in versions)
    assert versions[0].created_at > versions[1].created_at
    assert versions[0].created_by != versions[1].created_by
    current, first = (v.result() for v in versions)
    assert 500 < first.day_rate < current.day_rate < 900
    assert current.reduced_day_rate is not None


def test_it_links_the_pricing_articles_to_the_calculator() -> None:
    do_load_demo_network()
    target = reverse("rates_public:about")
    for slug in ("preisgestaltung-und-kostenschaetzung", "pricing-and-estimates"):
        article = Article.objects.get(slug=slug)
        assert f"]({target})" in article.body, slug
