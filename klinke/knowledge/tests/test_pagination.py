"""Paging through the knowledge base keeps the search and filters of the page you are on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.knowledge.tests.conftest import write_article
from klinke.knowledge.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_it_keeps_the_search_in_the_next_and_previous_links(network):
    for number in range(PAGE_SIZE + 1):
        write_article(network.alice, title=f"Pricing note {number}", slug=f"pricing-{number}")
    client = network.client_for(None)

    first = client.get(reverse("knowledge:index"), {"q": "pricing", "language": "en"})
    second = client.get(reverse("knowledge:index"), {"q": "pricing", "language": "en", "page": 2})

    assert first.status_code == second.status_code == 200
    assert 'href="?q=pricing&amp;language=en&amp;page=2" rel="next"' in first.content.decode()
    assert 'href="?q=pricing&amp;language=en&amp;page=1" rel="prev"' in second.content.decode()
