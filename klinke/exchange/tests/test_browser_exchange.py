"""The support exchange in a real browser: from a need to mutual consent, and a suggested
party's further offers shown in place."""

import re

import pytest

from klinke.conftest import log_in_browser
from klinke.exchange.tests.factories import make_offer, make_pricing_need_with_offers
from klinke.exchange.views import FURTHER_OFFERS_SHOWN
from klinke.testing import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_posts_a_need_finds_help_and_introduces_both_sides(
    browser_page, network, live_server, smtp_server
):
    page = browser_page
    make_offer(
        network.supporter,
        "Pricing and estimates for small collectives",
        "I help collectives calculate day rates and write transparent estimates.",
        topics=["pricing"],
        kinds=["experience-exchange"],
    )
    network.sam.phone = "+49 30 1234567"
    network.sam.save()

    # Alice posts a need for her collective.
    log_in_browser(page, network.alice, live_server.url)
    page.goto("/exchange/dashboard/")
    page.get_by_role("link", name="Post a need").first.click()
    page.locator("#id_title").fill("We need help with acquisition and pricing")
    page.locator("#id_description").fill(
        "We are good developers but have no idea how to price our work or find clients."
    )
    page.get_by_label("experience exchange / mentoring").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/exchange/needs/need-"))

    # The suggestions come with reasons.
    suggestion = page.locator("li.match", has_text="Pricing and estimates for small collectives")
    suggestion.wait_for()
    reasons = suggestion.locator("ul.reasons li").all_inner_texts()
    assert any("pricing" in reason.lower() for reason in reasons), reasons

    suggestion.get_by_text("Ask for an introduction").click()
    suggestion.get_by_label("Your message").fill("Hello Sam, could we talk about our day rate?")
    suggestion.get_by_role("button", name="Send request").click()
    page.wait_for_url(re.compile(r"/exchange/introductions/\d+/$"))
    introduction_url = page.url
    assert page.locator("#introduction-state").inner_text() == "requested"
    assert page.locator("#contact-details").count() == 0

    # Sam sees the request waiting and accepts it.
    log_in_browser(page, network.sam, live_server.url)
    page.goto("/exchange/dashboard/")
    page.get_by_role("link", name=re.compile("Kollektiv Quellcode")).click()
    assert "alice@example.org" not in page.content()
    page.get_by_label("Message (optional)").fill("Happy to help.")
    page.get_by_role("button", name="Accept").click()
    page.locator("#contact-details").wait_for()
    assert "alice@example.org" in page.locator("#contact-details").inner_text()

    # Alice now sees Sam's contact details too.
    log_in_browser(page, network.alice, live_server.url)
    page.goto(introduction_url)
    details = page.locator("#contact-details").inner_text()
    assert "sam@example.org" in details
    assert "+49 30 1234567" in details


def test_it_shows_all_further_offers_of_a_party_in_place(browser_page, network, live_server):
    page = browser_page
    need = make_pricing_need_with_offers(
        network.collective_a, network.supporter, FURTHER_OFFERS_SHOWN + 3
    )

    log_in_browser(page, network.alice, live_server.url)
    page.goto(need.get_absolute_url())
    further = page.locator("li.match ul.also-offers li")
    assert further.count() == FURTHER_OFFERS_SHOWN
    before = further.all_inner_texts()

    # htmx puts the whole list in place of the first few and the link, and moves the focus to
    # the first offer that was not listed before.
    page.get_by_role("link", name=re.compile(r"Show all \d+ further offers")).click()
    wait_for_js(
        page, f"document.querySelectorAll('li.match ul.also-offers li').length > {len(before)}"
    )
    texts = further.all_inner_texts()
    assert texts[:FURTHER_OFFERS_SHOWN] == before and len(texts) > FURTHER_OFFERS_SHOWN
    assert page.get_by_role("link", name=re.compile("Show all")).count() == 0
    assert page.url.endswith(need.get_absolute_url())
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == further.nth(FURTHER_OFFERS_SHOWN).locator("a").inner_text()
