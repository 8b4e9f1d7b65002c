"""The admin shows articles with their history and questions with answers, read-only texts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.conftest import make_user
from klinke.knowledge import actions

pytestmark = pytest.mark.django_db


def test_it_shows_articles_and_questions_without_letting_texts_change_around_the_history(
    network, public_article, question
):
    actions.do_answer_question(question=question, author=network.sam, body="An answer")
    admin = make_user("root@example.org", "Root", is_staff=True, is_superuser=True)
    client = network.client_for(admin)

    for url in (
        reverse("admin:knowledge_article_changelist"),
        reverse("admin:knowledge_article_change", args=[public_article.pk]),
        reverse("admin:knowledge_question_changelist"),
        reverse("admin:knowledge_question_change", args=[question.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:knowledge_article_add")).status_code == 403

    client.post(
        reverse("admin:knowledge_article_change", args=[public_article.pk]),
        {
            "visibility": "members",
            "revisions-TOTAL_FORMS": "1",
            "revisions-INITIAL_FORMS": "1",
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
            "revisions-0-id": str(public_article.revisions.get().pk),
            "revisions-0-article": str(public_article.pk),
            "body": "changed behind the history's back",
        },
    )
    public_article.refresh_from_db()
    assert public_article.visibility == "members"
    assert public_article.body != "changed behind the history's back"
