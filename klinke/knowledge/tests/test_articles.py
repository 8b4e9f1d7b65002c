"""Articles: writing, wiki-like editing with revisions, conflicts, restoring, translations."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from klinke.knowledge import actions
from klinke.knowledge.models import Article, ArticleRevision
from klinke.knowledge.tests.conftest import topics, write_article

pytestmark = pytest.mark.django_db


def article_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Acquisition for small collectives",
        "summary": "How we find work.",
        "body": "## Referrals\n\nMost of our work comes from referrals.\n",
        "language": "en",
        "kind": "playbook",
        "visibility": "public",
        "topics": ["acquisition"],
    }
    data.update(overrides)
    return data


def edit_data(article: Article, **overrides: Any) -> dict[str, Any]:
    data = article_data(
        title=article.title,
        summary=article.summary,
        body=article.body,
        language=article.language,
        kind=article.kind,
        visibility=article.visibility,
        topics=[t.slug for t in article.topics.all()],
        base_revision=article.revision,
    )
    data.update(overrides)
    return data


# --- actions --------------------------------------------------------------------------------


def test_it_keeps_the_first_version_as_revision_one(network):
    article = write_article(network.alice, note="")

    revision = article.revisions.get()
    assert (revision.number, revision.title, revision.body) == (1, article.title, article.body)
    assert revision.author == network.alice
    assert article.revision == 1
    assert "<strong>day rate</strong>" in article.body_html


def test_it_adds_a_revision_for_every_edit_by_any_network_member(network, public_article):
    for number, user in enumerate((network.bob, network.sam, network.stella), start=2):
        article, changed = actions.do_edit_article(
            article_id=public_article.pk,
            user=user,
            title=public_article.title,
            body=f"Version {number}",
            base_revision=number - 1,
            note=f"edit {number}",
        )
        assert changed

    revisions = list(ArticleRevision.objects.filter(article=public_article).order_by("number"))
    assert [(r.number, r.author, r.body, r.note) for r in revisions[1:]] == [
        (2, network.bob, "Version 2", "edit 2"),
        (3, network.sam, "Version 3", "edit 3"),
        (4, network.stella, "Version 4", "edit 4"),
    ]
    article.refresh_from_db()
    assert (article.revision, article.body, article.body_html) == (
        4,
        "Version 4",
        "<p>Version 4</p>\n",
    )


def test_it_refuses_edits_from_outside_the_network(network, public_article):
    with pytest.raises(actions.NotAllowed):
        actions.do_edit_article(
            article_id=public_article.pk,
            user=network.outsider,
            title="Hijacked",
            body="x",
            base_revision=1,
        )

    public_article.refresh_from_db()
    assert public_article.title == "Pricing your work"
    assert public_article.revisions.count() == 1


def test_it_refuses_an_edit_based_on_an_outdated_revision(network, public_article):
    actions.do_edit_article(
        article_id=public_article.pk, user=network.bob, title="T", body="Bob's", base_revision=1
    )

    with pytest.raises(actions.EditConflict) as conflict:
        actions.do_edit_article(
            article_id=public_article.pk, user=network.sam, title="T", body="Sam's", base_revision=1
        )

    assert conflict.value.current == 2
    public_article.refresh_from_db()
    assert public_article.body == "Bob's"
    assert public_article.revisions.count() == 2


def test_it_adds_no_revision_when_nothing_changed(network, public_article):
    article, changed = actions.do_edit_article(
        article_id=public_article.pk,
        user=network.bob,
        title=public_article.title,
        body=public_article.body,
        base_revision=1,
    )

    assert not changed
    assert article.revisions.count() == 1


def test_it_lets_stewards_restore_an_old_revision_as_a_new_one(network, public_article):
    original = public_article.body
    actions.do_edit_article(
        article_id=public_article.pk, user=network.bob, title="Spam", body="spam", base_revision=1
    )

    article = actions.do_revert_article(
        article_id=public_article.pk, user=network.stella, number=1, note="Spam removed"
    )

    assert (article.title, article.body, article.revision) == ("Pricing your work", original, 3)
    latest = article.revisions.get(number=3)
    assert latest.reverted_from is not None
    assert latest.reverted_from.number == 1
    assert latest.author == network.stella
    assert latest.note == "Spam removed"
    # Nothing is lost: the spam stays in the history.
    assert article.revisions.filter(number=2, body="spam").exists()


def test_it_lets_only_stewards_restore(network, public_article):
    actions.do_edit_article(
        article_id=public_article.pk, user=network.bob, title="T", body="new", base_revision=1
    )
    for user in (network.alice, network.bob, network.sam, network.outsider):
        with pytest.raises(actions.NotAllowed):
            actions.do_revert_article(article_id=public_article.pk, user=user, number=1)

    public_article.refresh_from_db()
    assert (public_article.body, public_article.revision) == ("new", 2)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "   "}, "Please give a title."),
        ({"body": "  \n"}, "Please write the text of the article."),
        ({"language": "fr"}, "Unknown language"),
        ({"kind": "novel"}, "Unknown kind"),
        ({"visibility": "secret"}, "Unknown visibility"),
        ({"title": "x" * 201}, "The title is too long"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(network, overrides, message):
    with pytest.raises(actions.KnowledgeError, match=message):
        write_article(network.alice, **overrides)

    assert not Article.objects.exists()
    assert not ArticleRevision.objects.exists()


def test_it_names_unknown_topics(network):
    with pytest.raises(actions.KnowledgeError, match="Unknown topic: astrology"):
        topics("pricing", "astrology")


def test_it_links_translations_both_ways(network, public_article):
    german = write_article(
        network.bob, title="Preise festlegen", language="de", translation_of=public_article
    )

    public_article.refresh_from_db()
    assert german.translation == public_article
    assert public_article.translation == german


def test_it_moves_a_translation_link_and_leaves_no_one_sided_link(network, public_article):
    first = write_article(
        network.bob, title="Preise A", language="de", translation_of=public_article
    )
    second = write_article(network.bob, title="Preise B", language="de")

    actions.do_edit_article(
        article_id=public_article.pk,
        user=network.alice,
        title=public_article.title,
        body=public_article.body,
        base_revision=None,
        translation=second,
    )

    first.refresh_from_db()
    second.refresh_from_db()
    public_article.refresh_from_db()
    assert public_article.translation == second
    assert second.translation == public_article
    assert first.translation is None


def test_it_refuses_a_translation_in_the_same_language(network, public_article):
    with pytest.raises(actions.KnowledgeError, match="other language"):
        write_article(network.bob, title="Also English", translation_of=public_article)

    assert Article.objects.count() == 1


def test_it_unlinks_the_translation_when_the_language_changes_to_the_same(network, public_article):
    german = write_article(
        network.bob, title="Preise", language="de", translation_of=public_article
    )

    actions.do_edit_article(
        article_id=german.pk,
        user=network.bob,
        title="Prices",
        body=german.body,
        language="en",
        base_revision=1,
    )

    public_article.refresh_from_db()
    german.refresh_from_db()
    assert german.translation is None
    assert public_article.translation is None


def test_it_gives_each_article_its_own_address(network):
    first = write_article(network.alice)
    second = write_article(network.bob)

    assert (first.slug, second.slug) == ("pricing-your-work", "pricing-your-work-2")


# --- pages ----------------------------------------------------------------------------------


def test_it_lets_a_member_write_an_article_through_the_page(network):
    response = network.client_for(network.alice).post(
        reverse("knowledge:article_create"), article_data()
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert (article.author, article.kind, article.language) == (network.alice, "playbook", "en")
    assert [t.slug for t in article.topics.all()] == ["acquisition"]
    page = network.client_for(None).get(article.get_absolute_url()).content.decode()
    assert '<h2 id="section-referrals">Referrals</h2>' in page
    assert "by Alice" in page


def test_it_keeps_people_outside_the_network_from_writing(network, public_article):
    client = network.client_for(network.outsider)
    assert client.get(reverse("knowledge:article_create")).status_code == 403
    assert client.post(reverse("knowledge:article_create"), article_data()).status_code == 403
    edit_url = reverse("knowledge:article_edit", args=[public_article.slug])
    assert client.post(edit_url, edit_data(public_article, body="x")).status_code == 403
    anonymous = network.client_for(None).get(edit_url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert Article.objects.count() == 1
    public_article.refresh_from_db()
    assert public_article.revision == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"body": ""}, "body", "This field is required."),
        ({"language": "fr"}, "language", "Select a valid choice."),
        ({"topics": ["astrology"]}, "topics", "Unknown topic: astrology."),
    ],
)
def test_it_shows_clear_errors_for_bad_input_and_saves_nothing(network, overrides, field, message):
    response = network.client_for(network.alice).post(
        reverse("knowledge:article_create"), article_data(**overrides)
    )

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not Article.objects.exists()


def test_it_saves_an_edit_through_the_page_with_its_note(network, public_article):
    response = network.client_for(network.bob).post(
        reverse("knowledge:article_edit", args=[public_article.slug]),
        edit_data(public_article, body="Better text", note="clearer"),
    )

    assert response.status_code == 302
    revision = public_article.revisions.get(number=2)
    assert (revision.author, revision.body, revision.note) == (
        network.bob,
        "Better text",
        "clearer",
    )


def test_it_shows_the_conflict_instead_of_overwriting(network, public_article):
    stale = edit_data(public_article, body="Sam's text")
    actions.do_edit_article(
        article_id=public_article.pk,
        user=network.bob,
        title="T",
        body="Bob's text",
        base_revision=1,
    )

    response = network.client_for(network.sam).post(
        reverse("knowledge:article_edit", args=[public_article.slug]), stale
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this article while you were editing (revision 2)" in page
    assert "Bob&#x27;s text" in page
    public_article.refresh_from_db()
    assert public_article.body == "Bob's text"


def test_it_links_a_translation_from_the_form_and_shows_it(network, public_article):
    response = network.client_for(network.bob).post(
        reverse("knowledge:article_create"),
        article_data(title="Preise festlegen", language="de", translation=public_article.slug),
    )
    german = Article.objects.get(language="de")
    assert response.status_code == 302

    page = network.client_for(None).get(german.get_absolute_url()).content.decode()
    assert f'href="{public_article.get_absolute_url()}" hreflang="en"' in page
    assert "Also in English" in page
    english_page = network.client_for(None).get(public_article.get_absolute_url()).content.decode()
    assert f'href="{german.get_absolute_url()}" hreflang="de"' in english_page


def test_it_does_not_link_to_a_translation_the_reader_may_not_see(network, public_article):
    write_article(
        network.bob,
        title="Intern",
        language="de",
        visibility="members",
        translation_of=public_article,
    )

    page = network.client_for(None).get(public_article.get_absolute_url()).content.decode()

    assert "Intern" not in page
    assert "hreflang" not in page


def test_it_previews_markdown_safely(network):
    response = network.client_for(network.alice).post(
        reverse("knowledge:preview"),
        {"body": "**hi** <script>alert(1)</script>"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "<strong>hi</strong>" in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert (
        network.client_for(network.outsider).post(reverse("knowledge:preview")).status_code == 403
    )


def test_it_links_a_translation_from_the_edit_page_with_the_text_in_one_go(network, public_article):
    german = write_article(network.bob, title="Preise", language="de")

    response = network.client_for(network.bob).post(
        reverse("knowledge:article_edit", args=[public_article.slug]),
        edit_data(public_article, body="Better text", translation=german.slug),
    )

    assert response.status_code == 302
    public_article.refresh_from_db()
    german.refresh_from_db()
    assert (public_article.body, public_article.revision) == ("Better text", 2)
    assert public_article.translation == german and german.translation == public_article


def test_it_links_only_a_translation_without_a_new_revision(network, public_article):
    german = write_article(network.bob, title="Preise", language="de")

    article, changed = actions.do_edit_article(
        article_id=public_article.pk,
        user=network.bob,
        title=public_article.title,
        body=public_article.body,
        base_revision=1,
        translation=german,
    )

    assert changed and article.revision == 1
    german.refresh_from_db()
    assert german.translation == public_article


def test_it_leaves_nothing_half_written_when_linking_fails(network, public_article, monkeypatch):
    german = write_article(network.bob, title="Preise", language="de")

    def broken(*args: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "link_translations", broken)
    with pytest.raises(RuntimeError):
        actions.do_edit_article(
            article_id=public_article.pk,
            user=network.bob,
            title="New title",
            body="New text",
            base_revision=1,
            translation=german,
        )

    public_article.refresh_from_db()
    assert (public_article.title, public_article.revision) == ("Pricing your work", 1)
    assert public_article.revisions.count() == 1 and public_article.translation is None


def test_it_refuses_a_translation_link_in_the_same_language(network, public_article):
    english = write_article(network.bob, title="Prices again")

    with pytest.raises(actions.KnowledgeError, match="other language"):
        actions.do_edit_article(
            article_id=public_article.pk,
            user=network.bob,
            title=public_article.title,
            body="Changed",
            base_revision=1,
            translation=english,
        )

    public_article.refresh_from_db()
    assert public_article.revision == 1 and public_article.translation is None
