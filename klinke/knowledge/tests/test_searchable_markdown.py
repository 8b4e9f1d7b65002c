"""What articles and questions share through `SearchableMarkdown`: rendered Markdown, search
documents from their texts and both languages' topic names, and visibility."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from klinke.knowledge.models import Article, Question, SearchableMarkdown
from klinke.knowledge.tests.conftest import ask, topics, write_article
from klinke.matching.analysis import query_terms

pytestmark = pytest.mark.django_db


def in_document(row: SearchableMarkdown, word: str) -> bool:
    return all(f" {term} " in row.search_document for term in query_terms(word))


@pytest.mark.parametrize("model", [Article, Question])
def test_it_both_articles_and_questions_are_searchable_markdown(model: type[Any]) -> None:
    assert issubclass(model, SearchableMarkdown)
    assert model._meta.get_field("search_document").model is model


def test_it_an_article_searches_title_summary_body_and_topic_names(network: Any) -> None:
    article = write_article(
        network.alice,
        title="Hosting",
        summary="Backups",
        body="Monitoring *matters*.",
        topics=topics("finance"),
    )

    assert article.body_html.strip() == "<p>Monitoring <em>matters</em>.</p>"
    for word in ("hosting", "backups", "monitoring", "Finanzen", "finance"):
        assert in_document(article, word), word
    assert " backups " not in article.title_document


def test_it_a_question_searches_title_body_and_topic_names(network: Any) -> None:
    question = ask(
        network.alice, title="Hosting?", body="Monitoring **how**?", topics=topics("finance")
    )

    assert question.body_html.strip() == "<p>Monitoring <strong>how</strong>?</p>"
    assert str(question) == "Hosting?"
    for word in ("hosting", "monitoring", "Finanzen", "finance"):
        assert in_document(question, word), word
    assert not in_document(question, "backups")


def test_it_a_row_without_a_primary_key_has_no_topic_names() -> None:
    question = Question(title="Wie rechnen wir ab?", body="")

    question.refresh_derived_fields()

    assert question.body_html == ""
    assert question.title_document == question.search_document


def test_it_members_rows_stay_hidden_from_outsiders(network: Any) -> None:
    question = ask(network.alice, visibility="members")
    public = write_article(network.alice, visibility="public")

    assert not question.is_visible_to(AnonymousUser())
    assert question.is_visible_to(network.bob)
    assert public.is_visible_to(AnonymousUser())
