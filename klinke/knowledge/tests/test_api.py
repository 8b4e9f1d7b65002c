"""The knowledge API: the same visibility and permissions as the pages, and clear errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from klinke.knowledge import actions
from klinke.knowledge.models import Answer, Article, ArticleRevision, Question
from klinke.knowledge.tests.conftest import ask, write_article
from klinke.testing import api_client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/knowledge"


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def new_article(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Contracts we use",
        "body": "## Milestones\n\nWe ask for a third up front.",
        "language": "en",
        "kind": "playbook",
        "visibility": "public",
        "topics": ["contracts"],
    }
    data.update(overrides)
    return data


# --- articles -------------------------------------------------------------------------------


def test_it_lists_and_searches_only_what_the_caller_may_see(
    network, public_article, members_article
):
    anonymous = Client().get(f"{BASE}/articles").json()
    member = api_client(network.sam).get(f"{BASE}/articles").json()
    outsider = api_client(network.outsider).get(f"{BASE}/articles", {"q": "Stundensätze"}).json()

    assert [a["slug"] for a in anonymous["items"]] == [public_article.slug]
    assert sorted(a["slug"] for a in member["items"]) == sorted(
        [public_article.slug, members_article.slug]
    )
    assert outsider == {"items": [], "count": 0}


def test_it_searches_both_languages(network, public_article):
    german = write_article(
        network.bob, title="Preise für Wartung", language="de", body="Pauschalen."
    )

    found = Client().get(f"{BASE}/articles", {"q": "Preisgestaltung"}).json()
    only_german = (
        Client().get(f"{BASE}/articles", {"q": "Preisgestaltung", "language": "de"}).json()
    )

    assert sorted(a["slug"] for a in found["items"]) == sorted([public_article.slug, german.slug])
    assert [a["slug"] for a in only_german["items"]] == [german.slug]


def test_it_answers_404_for_members_only_articles_outside_the_network(network, members_article):
    for client in (Client(), api_client(network.outsider)):
        assert client.get(f"{BASE}/articles/{members_article.slug}").status_code == 404
        assert client.get(f"{BASE}/articles/{members_article.slug}/revisions").status_code == 404
        assert client.get(f"{BASE}/articles/{members_article.slug}/revisions/1").status_code == 404
    response = api_client(network.alice).get(f"{BASE}/articles/{members_article.slug}")
    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>Nur für das Netzwerk: so rechnen wir intern.</p>\n"


def test_it_creates_an_article_with_its_first_revision(network, public_article):
    response = post(
        api_client(network.alice),
        f"{BASE}/articles",
        new_article(language="de", title="Verträge", translation=public_article.slug),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["slug"], body["revision"], body["author"]) == ("vertrage", 1, "Alice")
    assert body["translation"] == public_article.slug
    assert '<h2 id="section-milestones">Milestones</h2>' in body["body_html"]
    public_article.refresh_from_db()
    assert public_article.translation is not None and public_article.translation.slug == "vertrage"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Please give a title."),
        ({"body": " "}, "Please write the text of the article."),
        ({"language": "xx"}, "Unknown language"),
        ({"kind": "poem"}, "Unknown kind of article."),
        ({"topics": ["contracts", "astrology"]}, "Unknown topic: astrology."),
    ],
)
def test_it_refuses_bad_articles_with_422_and_writes_nothing(network, overrides, message):
    response = post(api_client(network.alice), f"{BASE}/articles", new_article(**overrides))

    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not Article.objects.exists()
    assert not ArticleRevision.objects.exists()


def test_it_needs_a_login_and_network_membership_to_write(network, public_article):
    assert post(Client(), f"{BASE}/articles", new_article()).status_code == 401
    assert post(api_client(network.outsider), f"{BASE}/articles", new_article()).status_code == 403
    url = f"{BASE}/articles/{public_article.slug}"
    assert patch(Client(), url, {"body": "x"}).status_code == 401
    assert patch(api_client(network.outsider), url, {"body": "x"}).status_code == 403
    assert Article.objects.count() == 1
    public_article.refresh_from_db()
    assert public_article.revision == 1


def test_it_edits_with_a_revision_and_refuses_stale_edits_with_409(network, public_article):
    url = f"{BASE}/articles/{public_article.slug}"

    first = patch(
        api_client(network.bob), url, {"body": "New text", "base_revision": 1, "note": "n"}
    )
    stale = patch(api_client(network.sam), url, {"body": "Other text", "base_revision": 1})

    assert first.status_code == 200
    assert (first.json()["revision"], first.json()["body"]) == (2, "New text")
    assert first.json()["title"] == public_article.title  # fields left out stay
    assert stale.status_code == 409
    assert "revision 2" in stale.json()["detail"]
    public_article.refresh_from_db()
    assert public_article.body == "New text"


def test_it_lists_revisions_with_diffs_and_lets_stewards_restore(network, public_article):
    actions.do_edit_article(
        article_id=public_article.pk,
        user=network.bob,
        title=public_article.title,
        body="## Day rates\n\nWe charge 900.\n",
        base_revision=1,
        note="new rate",
    )
    client = api_client(network.alice)

    revisions = client.get(f"{BASE}/articles/{public_article.slug}/revisions").json()
    detail = client.get(f"{BASE}/articles/{public_article.slug}/revisions/2").json()
    refused = post(client, f"{BASE}/articles/{public_article.slug}/revisions/1/restore", {})
    restored = post(
        api_client(network.stella),
        f"{BASE}/articles/{public_article.slug}/revisions/1/restore",
        {},
    )

    assert [(r["number"], r["author"], r["note"]) for r in revisions["items"]] == [
        (2, "Bob", "new rate"),
        (1, "Alice", "First version"),
    ]
    assert "-We explain how we set our **day rate**." in detail["diff"]
    assert "+We charge 900." in detail["diff"]
    assert refused.status_code == 403
    assert restored.status_code == 200
    assert restored.json()["revision"] == 3
    assert restored.json()["body"] == public_article.body


def test_it_needs_the_csrf_token_for_session_writes(network):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(network.alice)

    response = post(browser, f"{BASE}/articles", new_article())

    assert response.status_code == 403
    assert not Article.objects.exists()


# --- questions and answers -----------------------------------------------------------------


def test_it_hides_members_only_questions_outside_the_network(network, question):
    public = ask(network.bob, title="Public question", visibility="public")

    for client in (Client(), api_client(network.outsider)):
        listed = client.get(f"{BASE}/questions").json()
        assert [q["id"] for q in listed["items"]] == [public.pk]
        assert client.get(f"{BASE}/questions/{question.pk}").status_code == 404
        assert post(
            client, f"{BASE}/questions/{question.pk}/answers", {"body": "x"}
        ).status_code in (
            401,
            404,
        )
    assert api_client(network.sam).get(f"{BASE}/questions/{question.pk}").status_code == 200


def test_it_asks_answers_and_accepts_through_the_api(network):
    asked = post(
        api_client(network.alice),
        f"{BASE}/questions",
        {"title": "Which bookkeeping tool?", "topics": ["finance"], "body": "We use **paper**."},
    )
    assert asked.status_code == 201, asked.content
    question_id = asked.json()["id"]
    assert asked.json()["visibility"] == "members"

    answered = post(
        api_client(network.sam),
        f"{BASE}/questions/{question_id}/answers",
        {"body": "Try *GnuCash*."},
    )
    assert answered.status_code == 201
    answer_id = answered.json()["id"]
    assert answered.json()["body_html"] == "<p>Try <em>GnuCash</em>.</p>\n"

    not_asker = post(
        api_client(network.sam), f"{BASE}/questions/{question_id}/accept", {"answer": answer_id}
    )
    accepted = post(
        api_client(network.alice), f"{BASE}/questions/{question_id}/accept", {"answer": answer_id}
    )

    assert not_asker.status_code == 403
    assert "Only the person who asked" in not_asker.json()["detail"]
    assert accepted.status_code == 200
    assert accepted.json()["accepted_answer"] == answer_id
    assert accepted.json()["answers"][0]["accepted"] is True
    assert accepted.json()["answer_count"] == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"title": "", "topics": ["finance"]}, "Please give a title."),
        ({"title": "Q?", "topics": []}, "Choose at least one topic"),
        ({"title": "Q?", "topics": ["astrology"]}, "Unknown topic: astrology."),
        ({"title": "Q?", "topics": ["finance"], "visibility": "secret"}, "Unknown visibility."),
    ],
)
def test_it_refuses_bad_questions_with_422(network, payload, message):
    response = post(api_client(network.alice), f"{BASE}/questions", payload)

    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not Question.objects.exists()


def test_it_refuses_an_empty_answer_and_edits_only_own_answers(network, question):
    empty = post(api_client(network.sam), f"{BASE}/questions/{question.pk}/answers", {"body": "  "})
    assert empty.status_code == 422
    assert not Answer.objects.exists()

    answer = actions.do_answer_question(question=question, author=network.sam, body="First")
    other = patch(api_client(network.bob), f"{BASE}/answers/{answer.pk}", {"body": "Mine now"})
    own = patch(api_client(network.sam), f"{BASE}/answers/{answer.pk}", {"body": "**Better**"})

    assert other.status_code == 403
    assert own.status_code == 200
    assert own.json()["body_html"] == "<p><strong>Better</strong></p>\n"


def test_it_turns_a_question_into_an_article_through_the_api(network, question):
    answer = actions.do_answer_question(question=question, author=network.sam, body="Flat fee.")
    actions.do_accept_answer(question_id=question.pk, user=network.alice, answer_id=answer.pk)
    url = f"{BASE}/questions/{question.pk}/article"

    refused = post(api_client(network.bob), url, {})
    made = post(api_client(network.alice), url, {"language": "en", "title": "Maintenance pricing"})
    again = post(api_client(network.alice), url, {})

    assert refused.status_code == 403
    assert made.status_code == 201
    assert made.json()["title"] == "Maintenance pricing"
    assert "Answered by Sam." in made.json()["body"]
    assert again.status_code == 422
    assert (
        api_client(network.alice).get(f"{BASE}/questions/{question.pk}").json()["article"]
        == (made.json()["slug"])
    )


def test_it_links_unlinks_and_keeps_a_translation_through_the_api(network, public_article):
    german = write_article(network.bob, title="Preise", language="de")
    url = f"{BASE}/articles/{public_article.slug}"
    client = api_client(network.bob)

    linked = patch(client, url, {"translation": german.slug, "body": "New text"})
    kept = patch(client, url, {"body": "Newer text"})

    assert linked.status_code == 200 and linked.json()["translation"] == german.slug
    assert kept.status_code == 200 and kept.json()["translation"] == german.slug
    german.refresh_from_db()
    assert german.translation == public_article
    unlinked = patch(client, url, {"translation": None})
    assert unlinked.status_code == 200 and unlinked.json()["translation"] is None
    german.refresh_from_db()
    assert german.translation is None


def test_it_refuses_a_translation_link_the_page_would_refuse(network, public_article):
    english = write_article(network.bob, title="Prices again")
    url = f"{BASE}/articles/{public_article.slug}"
    client = api_client(network.bob)

    same_language = patch(client, url, {"translation": english.slug, "body": "Changed"})
    unknown = patch(client, url, {"translation": "no-such-article"})
    itself = patch(client, url, {"translation": public_article.slug})

    assert same_language.status_code == 422 and "other language" in same_language.json()["detail"]
    assert unknown.status_code == 422 and "translation" in unknown.json()["detail"]
    assert itself.status_code == 422
    public_article.refresh_from_db()
    assert (public_article.revision, public_article.translation) == (1, None)
