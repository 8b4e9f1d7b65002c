"""Pages and API endpoints run a fixed number of queries, however many rows there are."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from klinke.knowledge import actions
from klinke.knowledge.models import Article, Question
from klinke.knowledge.tests.conftest import ask, topics, write_article

pytestmark = pytest.mark.django_db


def fill(network: Any, count: int) -> tuple[Article, Question]:
    """`count` articles with two revisions and topics, and `count` questions with answers."""
    article = question = None
    for i in range(count):
        article = write_article(
            network.alice,
            title=f"Pricing {i}",
            topics=topics("pricing", "contracts"),
            translation_of=article if article is not None and article.language == "de" else None,
            language="en" if i % 2 else "de",
        )
        actions.do_edit_article(
            article_id=article.pk,
            user=network.bob,
            title=article.title,
            body=f"v{i}",
            base_revision=1,
        )
        question = ask(
            network.alice, title=f"Pricing question {i}", topics=topics("pricing", "finance")
        )
        for user in (network.sam, network.bob, network.alice2):
            answer = actions.do_answer_question(question=question, author=user, body=f"Answer {i}")
        actions.do_accept_answer(question_id=question.pk, user=network.alice, answer_id=answer.pk)
    assert article is not None and question is not None
    return article, question


# (what, url builder, most queries for a member, most for an anonymous visitor)
# The knowledge index fetches the page's translations in a query of their own (a join would
# read every search match at scale: network/tests/test_query_plans.py).
PAGES = [
    # A first page with room to spare counts itself (core.counts.page_of): no count query.
    ("knowledge index", lambda a, q: reverse("knowledge:index"), 10, 5),
    (
        "search with filters",
        lambda a, q: reverse("knowledge:index") + "?q=pricing&topic=pricing&language=en",
        12,
        7,
    ),
    ("article", lambda a, q: a.get_absolute_url(), 9, 5),
    ("history", lambda a, q: reverse("knowledge:article_history", args=[a.slug]), 8, 4),
    ("revision diff", lambda a, q: reverse("knowledge:article_revision", args=[a.slug, 2]), 8, 4),
    ("questions", lambda a, q: reverse("knowledge:question_list"), 9, 4),
    ("question", lambda a, q: q.get_absolute_url(), 8, 4),
    ("API articles", lambda a, q: "/api/v1/knowledge/articles?q=pricing", 8, 3),
    ("API article", lambda a, q: f"/api/v1/knowledge/articles/{a.slug}", 7, 3),
    ("API revisions", lambda a, q: f"/api/v1/knowledge/articles/{a.slug}/revisions", 9, 4),
    ("API questions", lambda a, q: "/api/v1/knowledge/questions", 8, 3),
    ("API question", lambda a, q: f"/api/v1/knowledge/questions/{q.pk}", 8, 3),
]


@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize(
    ("what", "url", "member_max", "anonymous_max"), PAGES, ids=[p[0] for p in PAGES]
)
def test_it_runs_a_fixed_number_of_queries(
    network, django_assert_max_num_queries, count, what, url, member_max, anonymous_max
):
    article, question = fill(network, count)
    Article.objects.update(visibility="public")
    Question.objects.update(visibility="public")
    target = url(article, question)

    member = network.client_for(network.sam)
    with django_assert_max_num_queries(member_max):
        assert member.get(target).status_code == 200
    anonymous = network.client_for(None)
    with django_assert_max_num_queries(anonymous_max):
        assert anonymous.get(target).status_code == 200
