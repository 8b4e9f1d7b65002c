"""Tried as a new user would, on a phone: sign up with a name, create a collective, follow the
first steps to a first need, read a suggestion's profile and ask for an introduction, without
a page that scrolls sideways."""

import re
from typing import Any

import pytest

from klinke.conftest import deliver_mail, text_body
from klinke.exchange.models import Introduction
from klinke.exchange.tests.factories import make_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page: Any) -> None:
    """The page does not scroll sideways at the phone's width."""
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_it_guides_a_new_person_from_sign_up_to_an_introduction_on_a_phone(
    browser_page, network, live_server, smtp_server
):
    page = browser_page
    page.set_viewport_size(PHONE)
    make_offer(
        network.supporter,
        "Pricing and estimates for small collectives",
        "I help collectives calculate day rates and write transparent fixed-price estimates.",
        topics=["pricing"],
        kinds=["experience-exchange"],
    )

    # Sign up with the name others will see.
    page.goto("/accounts/signup/")
    _fits(page)
    page.locator("#id_name").fill("Kim Kollektiv")
    page.locator("#id_email").fill("kim@kollektiv.example")
    page.locator("#id_password1").fill("a long and unusual passphrase")
    page.locator("#id_password2").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    assert deliver_mail() == 1
    [message] = smtp_server.to("kim@kollektiv.example")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", text_body(message))
    assert link is not None
    page.goto(link.group(0).replace("http://127.0.0.1:8000", live_server.url))
    _fits(page)
    page.get_by_role("button", name="Confirm").click()

    # The personal home greets Kim by name and shows the way in.
    page.wait_for_url(f"{live_server.url}/")
    _fits(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Kim Kollektiv"
    page.get_by_role("link", name="Create your collective").click()

    # Create the collective; the first steps follow.
    page.wait_for_url(re.compile(r"/collectives/new/$"))
    _fits(page)
    # Only the essentials stand open; the address comes from the name.
    assert page.locator("#id_slug").is_hidden()
    page.locator("#id_name").fill("Zaunkönig Webkollektiv")
    page.locator("#id_description_en").fill("We build websites for associations.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/first-steps/zaunkoenig-webkollektiv/$"))
    _fits(page)
    assert page.locator("#first-steps-progress").inner_text().startswith("0 of 3")

    # Step 1: only what matters first.
    page.locator("#id_description").fill(
        "We build websites for associations and need help with pricing our fixed-price work."
    )
    page.locator("#id_city").fill("Kassel")
    page.get_by_label("Pricing and estimates", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/first-steps/zaunkoenig-webkollektiv/$"))
    _fits(page)
    assert page.locator("#first-steps-progress").inner_text().startswith("1 of 3")

    # Step 2: the first need, with the tips beside the button.
    page.get_by_role("heading", name="How to write a need that gets found").wait_for()
    page.locator("#step-need").get_by_role("link", name="Post a need").click()
    _fits(page)
    # The kind of help comes first; the place is the collective's, found from its city.
    assert page.locator("#id_city").input_value() == "Kassel"
    assert page.locator("#id_country").input_value() == "DE"
    page.get_by_label("experience exchange / mentoring").check()
    page.locator("#id_title").fill("Help with pricing a fixed-price website offer")
    page.locator("#id_description").fill(
        "We want to calculate day rates and write a transparent fixed-price estimate."
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/exchange/needs/need-"))
    _fits(page)

    # Read before asking: the suggestion links to the supporter's profile.
    suggestion = page.locator("li.match", has_text="Pricing and estimates for small collectives")
    suggestion.wait_for()
    suggestion.get_by_role("link", name="Profile of Sam Beispiel").click()
    page.wait_for_url(re.compile(r"/supporters/sam-berater/\?need="))
    _fits(page)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Sam Beispiel")
    page.get_by_role("link", name="Ask for an introduction").click()
    page.wait_for_url(re.compile(r"/exchange/supporters/sam-berater/ask/"))
    _fits(page)
    page.get_by_label("Your message").fill("Hello Sam, could we talk about our day rate?")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(re.compile(r"/exchange/introductions/\d+/$"))
    _fits(page)
    introduction = Introduction.objects.get()
    assert introduction.requested_by.name == "Kim Kollektiv"
    assert introduction.supporter == network.supporter

    # Step 3 is left on the home page, and can be skipped there without JavaScript.
    page.goto("/")
    _fits(page)
    assert "Next: Invite colleagues." in page.content()
    page.get_by_role("link", name="Continue the first steps").click()
    page.wait_for_url(re.compile(r"/first-steps/zaunkoenig-webkollektiv/$"))
    page.locator("#step-invite").get_by_role("button", name=re.compile("Skip this step")).click()
    page.wait_for_url(re.compile(r"/first-steps/zaunkoenig-webkollektiv/$"))
    assert page.locator("#first-steps-progress").inner_text().startswith("3 of 3")
