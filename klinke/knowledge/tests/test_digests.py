"""The daily question digest: who is told, at most once a day, through the outbox and SMTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from klinke.conftest import deliver_mail, text_body
from klinke.core.jobs import all_jobs
from klinke.core.models import NotificationKind, NotificationMute
from klinke.knowledge import actions
from klinke.knowledge.models import QuestionDigest, QuestionRecipient
from klinke.knowledge.tests.conftest import ask, topics

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(network: Any) -> Any:
    for user in (network.alice, network.alice2, network.sam, network.bob):
        user.language = "en"
        user.save(update_fields=["language"])
    return network


def run_job(smtp_server: Any) -> list[Any]:
    """Run the digest job and the outbox once; the messages sent, then forget them."""
    actions.do_send_question_digests()
    deliver_mail()
    sent = list(smtp_server.messages)
    smtp_server.messages.clear()
    return sent


def a_day_passes() -> None:
    QuestionDigest.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))


def test_it_is_a_worker_job():
    assert "klinke.knowledge.actions.do_send_question_digests" in {j.target for j in all_jobs()}


def test_it_finds_the_supporter_whose_topics_fit(readers):
    question = ask(readers.alice)

    actions.match_new_questions()

    (recipient,) = QuestionRecipient.objects.all()
    assert recipient.user == readers.sam
    assert recipient.question == question
    assert recipient.score > 0
    assert any(r["factor"] == "topic" for r in recipient.reasons)
    question.refresh_from_db()
    assert question.matched_at is not None


def test_it_sends_one_digest_for_two_questions_on_the_same_day(readers, smtp_server):
    first = ask(readers.alice, title="How do you price a maintenance contract?")
    second = ask(readers.bob, title="Do you publish your day rates?")

    (message,) = run_job(smtp_server)

    assert str(message["To"]) == "sam@example.org"
    assert str(message["Subject"]) == "[klinke] 2 questions in the network fit you"
    body = text_body(message)
    assert first.title in body and second.title in body
    assert first.get_absolute_url() in body
    assert "You get at most one of these emails a day." in body
    assert run_job(smtp_server) == []


def test_it_waits_a_day_before_the_next_digest(readers, smtp_server):
    ask(readers.alice, title="First question on pricing")
    assert len(run_job(smtp_server)) == 1
    later = ask(readers.bob, title="Second question on pricing")

    assert run_job(smtp_server) == []  # same day: it waits
    a_day_passes()
    (message,) = run_job(smtp_server)

    assert str(message["Subject"]) == "[klinke] A question in the network fits you"
    body = text_body(message)
    assert later.title in body
    assert "First question on pricing" not in body
    assert QuestionDigest.objects.filter(user=readers.sam, delivered=True).count() == 2


def test_it_sends_muted_people_nothing(readers, smtp_server):
    NotificationMute.objects.create(user=readers.sam, kind=NotificationKind.QUESTIONS)
    ask(readers.alice)

    assert run_job(smtp_server) == []

    digest = QuestionDigest.objects.get(user=readers.sam)
    assert not digest.delivered
    # Turning the emails on again does not bring back what was skipped meanwhile.
    NotificationMute.objects.all().delete()
    a_day_passes()
    assert run_job(smtp_server) == []


def test_it_never_tells_the_asker_about_their_own_question(readers, smtp_server):
    question = ask(
        readers.alice,
        title="Who can review our Django backend?",
        body="We need a second pair of eyes on our web development.",
        topics=topics("web-development", "backend"),
    )

    sent = run_job(smtp_server)

    assert sorted(str(m["To"]) for m in sent) == ["alina@example.org"]
    recipients = set(
        QuestionRecipient.objects.filter(question=question).values_list("user", flat=True)
    )
    assert readers.alice.pk not in recipients
    assert readers.alice2.pk in recipients


def test_it_carries_the_link_that_turns_question_emails_off(readers, smtp_server):
    ask(readers.alice)

    (message,) = run_job(smtp_server)

    assert "/notifications/off/" in message["List-Unsubscribe"]
    assert "questions that fit you" in text_body(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "Turn these emails off" in html.get_content()


def test_it_leaves_old_questions_out(readers, smtp_server):
    question = ask(readers.alice)
    type(question).objects.filter(pk=question.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )

    assert run_job(smtp_server) == []
    assert not QuestionRecipient.objects.exists()
