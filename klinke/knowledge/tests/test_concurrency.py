"""The knowledge base under real concurrency: racing edits, digests and accepts stay consistent.

Each race runs its moves in threads with their own database connections, lined up with a
barrier so they reach the database together. Only PostgreSQL has the row locks this is about.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from klinke.conftest import deliver_mail
from klinke.knowledge import actions
from klinke.knowledge.models import Article, QuestionDigest
from klinke.knowledge.tests.conftest import ask, write_article
from klinke.testing import postgresql_only, run_at_once

pytestmark = [
    # The topic vocabulary comes from a data migration; keep it across the flushes.
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]

ROUNDS = 5


def race(*moves: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run `moves` at the same moment in threads; ("ok", result) or ("refused", message)."""
    results: list[tuple[str, Any]] = []
    for result in run_at_once(moves):
        if isinstance(result, actions.KnowledgeError):
            results.append(("refused", str(result)))
        elif isinstance(result, Exception):
            results.append(("error", repr(result)))
        else:
            results.append(("ok", result))
    assert all(outcome in ("ok", "refused") for outcome, _detail in results), results
    return results


def test_it_keeps_exactly_one_of_two_edits_from_the_same_revision(network):
    for round_number in range(ROUNDS):
        article = write_article(network.alice, title=f"Round {round_number}")

        results = race(
            *(
                lambda user=user, article=article: actions.do_edit_article(
                    article_id=article.pk,
                    user=user,
                    title=article.title,
                    body=f"{user.name}'s version",
                    base_revision=1,
                )
                for user in (network.bob, network.sam)
            )
        )

        assert sorted(outcome for outcome, _ in results) == ["ok", "refused"]
        refused = next(detail for outcome, detail in results if outcome == "refused")
        assert "Someone else saved this article" in refused
        article.refresh_from_db()
        assert article.revision == 2
        assert list(article.revisions.values_list("number", flat=True)) == [2, 1]
        assert article.revisions.get(number=2).body == article.body


def test_it_numbers_revisions_without_gaps_when_edits_do_not_check_the_base(network):
    article = write_article(network.alice)

    race(
        *(
            lambda n=n: actions.do_edit_article(
                article_id=article.pk, user=network.bob, title="T", body=f"v{n}", base_revision=None
            )
            for n in range(4)
        )
    )

    numbers = sorted(Article.objects.get(pk=article.pk).revisions.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]


def test_it_sends_one_digest_when_two_workers_run_at_once(network, smtp_server):
    network.sam.language = "en"
    network.sam.save(update_fields=["language"])
    for round_number in range(ROUNDS):
        # A day has passed since the last round's digest.
        QuestionDigest.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
        ask(network.alice, title=f"Pricing question {round_number}")

        results = race(actions.do_send_question_digests, actions.do_send_question_digests)
        deliver_mail()

        assert sorted(detail for _outcome, detail in results) == [0, 1]
        assert [str(m["To"]) for m in smtp_server.messages] == ["sam@example.org"]
        assert QuestionDigest.objects.filter(user=network.sam).count() == round_number + 1
        smtp_server.messages.clear()


def test_it_ends_racing_accepts_with_one_of_them(network):
    question = ask(network.alice)
    answers = [
        actions.do_answer_question(question=question, author=user, body=f"From {user.name}")
        for user in (network.sam, network.bob)
    ]

    race(
        *(
            lambda a=a: actions.do_accept_answer(
                question_id=question.pk, user=network.alice, answer_id=a.pk
            )
            for a in answers
        )
    )

    question.refresh_from_db()
    assert question.accepted_answer_id in {a.pk for a in answers}
