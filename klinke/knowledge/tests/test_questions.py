"""Questions and answers: asking, answering, accepting, and turning a question into an article."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from klinke.knowledge import actions
from klinke.knowledge.models import Answer, Article, Question
from klinke.knowledge.tests.conftest import ask

pytestmark = pytest.mark.django_db


def answer(question: Question, user: Any, body: str = "Charge a monthly flat fee.") -> Answer:
    return actions.do_answer_question(question=question, author=user, body=body)


# --- asking ---------------------------------------------------------------------------------


def test_it_lets_a_member_ask_through_the_page(network):
    response = network.client_for(network.alice).post(
        reverse("knowledge:question_create"),
        {
            "title": "Who has experience with public tenders?",
            "body": "We found a **tender** for a city portal.",
            "topics": ["public-tenders", "web-development"],
            "visibility": "members",
        },
    )

    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    assert question.asker == network.alice
    assert sorted(t.slug for t in question.topics.all()) == ["public-tenders", "web-development"]
    assert question.body_html == "<p>We found a <strong>tender</strong> for a city portal.</p>\n"
    assert question.matched_at is None  # the digest job finds the people


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"topics": []}, "topics", "This field is required."),
        ({"topics": ["astrology"]}, "topics", "Unknown topic: astrology."),
        ({"visibility": "secret"}, "visibility", "Select a valid choice."),
    ],
)
def test_it_refuses_bad_questions_with_a_clear_error(network, data, field, message):
    payload = {"title": "A question?", "topics": ["pricing"], "visibility": "members", **data}

    response = network.client_for(network.alice).post(reverse("knowledge:question_create"), payload)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not Question.objects.exists()


def test_it_refuses_a_question_without_topics_in_the_action(network):
    with pytest.raises(actions.KnowledgeError, match="at least one topic"):
        ask(network.alice, topics=[])

    assert not Question.objects.exists()


def test_it_lets_only_network_members_ask(network):
    assert (
        network.client_for(network.outsider).get(reverse("knowledge:question_create")).status_code
        == 403
    )
    with pytest.raises(actions.NotAllowed):
        ask(network.outsider)
    response = network.client_for(None).get(reverse("knowledge:question_create"))
    assert response.status_code == 302
    assert not Question.objects.exists()


def test_it_hides_members_only_questions_from_outsiders(network, question):
    public = ask(network.bob, title="Public: what do you use for invoices?", visibility="public")

    for user in (None, network.outsider):
        client = network.client_for(user)
        listed = client.get(reverse("knowledge:question_list")).context["page"].object_list
        assert [q.pk for q in listed] == [public.pk]
        assert client.get(question.get_absolute_url()).status_code == 404
        searched = client.get(reverse("knowledge:question_list"), {"q": "maintenance"})
        assert list(searched.context["page"].object_list) == []
    client = network.client_for(network.sam)
    assert client.get(question.get_absolute_url()).status_code == 200
    searched = client.get(reverse("knowledge:question_list"), {"q": "Wartungsvertrag"})
    assert [q.pk for q in searched.context["page"].object_list] == [question.pk]


# --- answering ------------------------------------------------------------------------------


def english(user: Any) -> Any:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_it_lets_members_answer_and_tells_the_asker(network, question):
    english(network.alice)
    response = network.client_for(network.sam).post(
        reverse("knowledge:answer_create", args=[question.pk]), {"body": "Charge *monthly*."}
    )

    created = Answer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert (created.author, created.body_html) == (network.sam, "<p>Charge <em>monthly</em>.</p>\n")
    (message,) = mail.outbox
    assert message.to == [network.alice.email]
    assert "Sam answered your question “How do you price a maintenance contract?”" in message.body
    assert message.subject.endswith("New answer to “How do you price a maintenance contract?”")
    assert question.get_absolute_url() in message.body


def test_it_does_not_email_the_asker_about_their_own_answer(network, question):
    answer(question, network.alice, "Answering myself: we settled on a flat fee.")

    assert mail.outbox == []


def test_it_keeps_outsiders_from_answering(network, question):
    public = ask(network.bob, visibility="public")

    response = network.client_for(network.outsider).post(
        reverse("knowledge:answer_create", args=[public.pk]), {"body": "spam"}
    )
    hidden = network.client_for(network.outsider).post(
        reverse("knowledge:answer_create", args=[question.pk]), {"body": "spam"}
    )

    assert (response.status_code, hidden.status_code) == (403, 404)
    assert not Answer.objects.exists()


def test_it_lets_only_the_author_edit_an_answer(network, question):
    sams = answer(question, network.sam)
    url = reverse("knowledge:answer_edit", args=[sams.pk])

    assert network.client_for(network.bob).post(url, {"body": "changed"}).status_code == 403
    assert network.client_for(network.alice).get(url).status_code == 403
    response = network.client_for(network.sam).post(url, {"body": "Charge **quarterly**."})

    assert response.status_code == 302
    sams.refresh_from_db()
    assert sams.body_html == "<p>Charge <strong>quarterly</strong>.</p>\n"


# --- accepting ------------------------------------------------------------------------------


def test_it_lets_the_asker_accept_and_change_the_accepted_answer(network, question):
    first = answer(question, network.sam)
    second = answer(question, network.bob, "Ask for a retainer.")
    client = network.client_for(network.alice)
    url = reverse("knowledge:answer_accept", args=[question.pk])

    client.post(url, {"answer": first.pk})
    question.refresh_from_db()
    assert question.accepted_answer == first
    client.post(url, {"answer": second.pk})
    question.refresh_from_db()
    assert question.accepted_answer == second
    client.post(url, {"answer": ""})
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_it_tells_the_author_when_their_answer_helped(network, question):
    english(network.sam)
    sams = answer(question, network.sam)
    mail.outbox.clear()

    actions.do_accept_answer(question_id=question.pk, user=network.alice, answer_id=sams.pk)

    (message,) = mail.outbox
    assert message.to == [network.sam.email]
    assert "was marked as the one that helped" in message.body


def test_it_lets_no_one_but_the_asker_accept(network, question):
    sams = answer(question, network.sam)
    url = reverse("knowledge:answer_accept", args=[question.pk])

    for user in (network.sam, network.bob, network.stella):
        assert network.client_for(user).post(url, {"answer": sams.pk}).status_code == 403
    assert network.client_for(network.outsider).post(url, {"answer": sams.pk}).status_code == 404
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_it_refuses_to_accept_an_answer_to_another_question(network, question):
    other = ask(network.bob, title="Another question")
    foreign = answer(other, network.sam)

    with pytest.raises(actions.KnowledgeError, match="does not belong"):
        actions.do_accept_answer(question_id=question.pk, user=network.alice, answer_id=foreign.pk)

    question.refresh_from_db()
    assert question.accepted_answer is None


def test_it_answers_htmx_accepts_with_the_answers_partial(network, question):
    sams = answer(question, network.sam)

    response = network.client_for(network.alice).post(
        reverse("knowledge:answer_accept", args=[question.pk]),
        {"answer": sams.pk},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in page
    assert f'id="answer-{sams.pk}" class="card answer accepted"' in page
    assert "Unmark as accepted" in page


def test_it_shows_the_accepted_answer_first(network, question):
    first = answer(question, network.sam, "First answer")
    second = answer(question, network.bob, "Second answer")
    actions.do_accept_answer(question_id=question.pk, user=network.alice, answer_id=second.pk)

    page = network.client_for(network.alice2).get(question.get_absolute_url()).content.decode()

    assert page.index(f'id="answer-{second.pk}"') < page.index(f'id="answer-{first.pk}"')
    assert "Accepted answer" in page
    assert "Accept this answer" not in page  # alice2 did not ask


# --- question to article --------------------------------------------------------------------


@pytest.fixture
def answered(network, question):
    sams = answer(question, network.sam, "Charge a **monthly flat fee** for hosting.")
    bobs = answer(question, network.bob, "We bill updates by the hour.")
    alinas = answer(question, network.alice2, "Ask for a yearly contract.")
    actions.do_accept_answer(question_id=question.pk, user=network.alice, answer_id=bobs.pk)
    return question, sams, bobs, alinas


def test_it_turns_a_question_into_an_article_crediting_everyone(network, answered):
    question, sams, bobs, alinas = answered

    article = actions.do_turn_question_into_article(
        question_id=question.pk, user=network.alice, language="en"
    )

    question.refresh_from_db()
    assert question.article == article
    assert article.author == network.alice
    assert article.title == question.title
    assert list(article.topics.all()) == list(question.topics.all())
    body = article.body
    assert body.index("## The question") < body.index(question.body)
    # The accepted answer comes first, then the others in the order they came.
    assert body.index("The accepted answer, by Bob") < body.index(bobs.body)
    assert body.index(bobs.body) < body.index("### By Sam") < body.index(sams.body)
    assert body.index(sams.body) < body.index("### By Alina") < body.index(alinas.body)
    assert "Asked by Alice. Answered by Bob, Sam, Alina." in body
    revision = article.revisions.get()
    assert revision.author == network.alice
    assert "Made from the question" in revision.note


def test_it_writes_the_article_frame_in_the_chosen_language(network, answered):
    question, *_ = answered

    article = actions.do_turn_question_into_article(
        question_id=question.pk, user=network.stella, language="de"
    )

    assert article.language == "de"
    assert article.revisions.get().author == network.stella
    assert article.author == network.alice  # the asker stays credited


def test_it_lets_only_the_asker_or_a_steward_turn_a_question_into_an_article(network, answered):
    question, *_ = answered
    url = reverse("knowledge:question_to_article", args=[question.pk])
    data = {"title": "Pricing maintenance", "language": "en", "visibility": "members"}

    for user in (network.sam, network.bob, network.alice2):
        assert network.client_for(user).post(url, data).status_code == 403
    assert not Article.objects.exists()

    response = network.client_for(network.alice).post(url, data)

    article = Article.objects.get()
    assert response["Location"] == article.get_absolute_url()
    assert article.title == "Pricing maintenance"
    page = network.client_for(network.sam).get(question.get_absolute_url()).content.decode()
    assert "This question became a knowledge article" in page
    assert article.get_absolute_url() in page
    assert network.client_for(network.alice).post(url, data).status_code == 302
    assert Article.objects.count() == 1


def test_it_refuses_to_make_an_article_from_an_unanswered_question(network, question):
    with pytest.raises(actions.KnowledgeError, match="without answers"):
        actions.do_turn_question_into_article(question_id=question.pk, user=network.alice)

    assert not Article.objects.exists()


def test_it_shows_the_five_newest_questions_with_their_answer_counts_on_the_knowledge_page(
    network,
):
    asked = [ask(network.alice, title=f"Question {index}") for index in range(7)]
    now = timezone.now()
    for age, question in enumerate(reversed(asked)):
        Question.objects.filter(pk=question.pk).update(created_at=now - timedelta(hours=age))
    for author in (network.sam, network.bob):
        actions.do_answer_question(question=asked[5], author=author, body="Our answer.")
    response = network.client_for(network.sam).get(reverse("knowledge:index"))
    shown = [(q.title, q.answer_count) for q in response.context["questions"]]
    assert shown == [
        ("Question 6", 0),
        ("Question 5", 2),
        ("Question 4", 0),
        ("Question 3", 0),
        ("Question 2", 0),
    ]
