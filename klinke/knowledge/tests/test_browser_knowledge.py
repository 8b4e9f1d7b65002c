"""The knowledge base and the Q&A in a real browser: write, preview, edit, search, accept."""

from __future__ import annotations

import re
from typing import Any

import pytest

from klinke.conftest import log_in_browser
from klinke.knowledge import actions
from klinke.knowledge.models import Article
from klinke.knowledge.tests.conftest import ask, write_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

HOSTILE = (
    "## Our day rate\n\nWe charge **650 €** a day.\n\n"
    "<script>alert('script')</script>\n\n"
    "[click me](javascript:alert('link'))\n\n"
    "<img src=x onerror=\"alert('img')\">\n"
)


def test_it_writes_previews_edits_and_finds_an_article(browser_page, network, live_server):
    page = browser_page
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    log_in_browser(page, network.alice, live_server.url)

    page.goto("/knowledge/")
    page.get_by_role("link", name="Write an article").click()
    page.get_by_label("Title:", exact=True).fill("How we price our work")
    page.get_by_label("Text:", exact=True).fill(HOSTILE)
    page.get_by_label("Language:", exact=True).select_option("en")
    page.get_by_label("Visibility:", exact=True).select_option("public")
    page.get_by_label("Pricing and estimates").check()
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview strong", has_text="650 €").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/knowledge/articles/how-we-price-our-work/$"))

    assert page.get_by_role("heading", name="Our day rate").is_visible()
    assert page.locator(".markdown script, .markdown img, .markdown [onerror]").count() == 0
    assert page.locator(".markdown a[href^='javascript']").count() == 0

    # Bob improves it; the history shows both revisions and what changed.
    log_in_browser(page, network.bob, live_server.url)
    page.goto("/knowledge/articles/how-we-price-our-work/")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Text:", exact=True).fill("## Our day rate\n\nWe charge **700 €** a day.\n")
    page.get_by_label("What did you change?", exact=True).fill("new rate for 2027")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name=re.compile(r"History \(2 revisions\)")).click()
    page.get_by_role("link", name="show changes").click()
    assert page.locator("tr.diff-removed", has_text="650 €").is_visible()
    assert page.locator("tr.diff-added", has_text="700 €").is_visible()

    # The search updates in place while typing and finds it from a German word.
    page.goto("/knowledge/")
    page.get_by_role("searchbox", name="Search").fill("Preisgestaltung")
    page.locator("#article-results", has_text="1 article for “Preisgestaltung”").wait_for()
    assert page.get_by_role("link", name="How we price our work").is_visible()
    assert "q=Preisgestaltung" in page.url
    assert dialogs == []


def test_it_accepts_an_answer_in_place(browser_page, network, live_server):
    page = browser_page
    question = ask(network.alice)
    sams = actions.do_answer_question(question=question, author=network.sam, body="A flat fee.")
    actions.do_answer_question(question=question, author=network.bob, body="By the hour.")
    log_in_browser(page, network.alice, live_server.url)

    page.goto(question.get_absolute_url())
    navigations: list[Any] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.locator(f"#answer-{sams.pk}").get_by_role("button", name="Accept this answer").click()
    page.locator(f"#answer-{sams.pk}.accepted").wait_for()

    assert navigations == []  # htmx swapped the answers; the page did not reload
    assert page.locator(f"#answer-{sams.pk}").get_by_text("Accepted answer").is_visible()
    assert page.locator("ol.answers > li").first.get_attribute("id") == f"answer-{sams.pk}"
    question.refresh_from_db()
    assert question.accepted_answer_id == sams.pk


def test_it_links_translations_in_the_browser(browser_page, network, live_server):
    english = write_article(network.alice, title="Pricing")
    german = write_article(
        network.bob, title="Preise", language="de", translation_of=english, body="Text."
    )
    page = browser_page

    page.goto(german.get_absolute_url())
    page.get_by_role("link", name=re.compile("Also in English")).click()

    page.wait_for_url(re.compile(re.escape(english.get_absolute_url()) + "$"))
    assert Article.objects.count() == 2
