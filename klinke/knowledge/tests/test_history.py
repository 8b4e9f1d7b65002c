"""The history page, diffs between revisions, and restoring through the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.knowledge import actions
from klinke.knowledge.diffs import diff_texts
from klinke.knowledge.tests.conftest import write_article

pytestmark = pytest.mark.django_db


def test_it_diffs_lines_with_context():
    old = "\n".join(f"line {n}" for n in range(1, 11))
    new = old.replace("line 5", "line five").replace("line 10", "line 10\nline 11")

    diff = diff_texts(old, new, context=1)

    assert (diff.added, diff.removed) == (2, 1)
    assert [(line.kind, line.text) for line in diff.lines] == [
        ("hunk", "@@ −4,3 +4,3 @@"),
        ("same", "line 4"),
        ("removed", "line 5"),
        ("added", "line five"),
        ("same", "line 6"),
        ("hunk", "@@ −10,1 +10,2 @@"),
        ("same", "line 10"),
        ("added", "line 11"),
    ]


def test_it_reports_identical_texts_as_an_empty_diff():
    diff = diff_texts("same\ntext", "same\ntext", old_title="A", new_title="A")

    assert diff.is_empty


@pytest.fixture
def edited(network):
    article = write_article(network.alice, body="Intro\n\nWe charge 500 per day.\n")
    actions.do_edit_article(
        article_id=article.pk,
        user=network.bob,
        title=article.title,
        body="Intro\n\nWe charge 650 per day.\n\n<script>alert(1)</script>\n",
        base_revision=1,
        note="raise the rate",
    )
    article.refresh_from_db()
    return article


def test_it_lists_every_revision_with_author_and_note(network, edited):
    page = (
        network.client_for(None)
        .get(reverse("knowledge:article_history", args=[edited.slug]))
        .content.decode()
    )

    assert "#2" in page and "#1" in page
    assert "Bob" in page and "Alice" in page
    assert "raise the rate" in page
    assert page.index("#2") < page.index("#1")


def test_it_shows_what_a_revision_changed_against_its_predecessor(network, edited):
    response = network.client_for(None).get(
        reverse("knowledge:article_revision", args=[edited.slug, 2])
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert '<tr class="diff-removed">' in page
    assert "We charge 500 per day." in page
    assert '<tr class="diff-added">' in page
    assert "We charge 650 per day." in page
    assert "3 lines added, 1 line removed" in page
    # The diff shows the hostile line as text, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_it_compares_against_any_older_revision(network, edited):
    actions.do_edit_article(
        article_id=edited.pk, user=network.sam, title=edited.title, body="Short.", base_revision=2
    )

    page = (
        network.client_for(None)
        .get(reverse("knowledge:article_revision", args=[edited.slug, 3]) + "?against=1")
        .content.decode()
    )

    assert "Changes against revision 1" in page
    assert "We charge 500 per day." in page
    assert "We charge 650 per day." not in page


def test_it_answers_404_for_a_revision_that_does_not_exist(network, edited):
    client = network.client_for(None)
    assert (
        client.get(reverse("knowledge:article_revision", args=[edited.slug, 9])).status_code == 404
    )
    url = reverse("knowledge:article_revision", args=[edited.slug, 2]) + "?against=7"
    assert client.get(url).status_code == 404


def test_it_offers_restoring_only_to_stewards(network, edited):
    url = reverse("knowledge:article_revision", args=[edited.slug, 1])
    restore = reverse("knowledge:article_revert", args=[edited.slug, 1])

    assert "Restore this revision" not in network.client_for(network.bob).get(url).content.decode()
    assert network.client_for(network.bob).post(restore).status_code == 403
    assert "Restore this revision" in network.client_for(network.stella).get(url).content.decode()

    response = network.client_for(network.stella).post(
        restore, {"note": "back to the rate we agreed"}
    )

    assert response.status_code == 302
    edited.refresh_from_db()
    assert (edited.revision, "500" in edited.body) == (3, True)
    assert edited.revisions.get(number=3).note == "back to the rate we agreed"
