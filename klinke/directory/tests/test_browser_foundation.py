"""The foundation's main flow in a real browser: sign up, verify, describe, be found."""

import re

import pytest

from klinke.conftest import deliver_mail, text_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_up_verifies_creates_a_collective_and_finds_it_in_both_languages(
    browser_page, smtp_server, live_server
):
    page = browser_page
    page.goto("/accounts/signup/")
    page.locator("#id_name").fill("Kim Kollektiv")
    page.locator("#id_email").fill("kim@kollektiv.example")
    page.locator("#id_password1").fill("a long and unusual passphrase")
    page.locator("#id_password2").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # The verification email leaves through the outbox and a real SMTP server.
    assert deliver_mail() == 1
    [message] = smtp_server.to("kim@kollektiv.example")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", text_body(message))
    assert link is not None
    page.goto(link.group(0).replace("http://127.0.0.1:8000", live_server.url))
    page.get_by_role("button", name="Confirm").click()

    page.goto("/collectives/new/")
    page.locator("#id_name").fill("Zaunkönig Webkollektiv")
    page.locator("#id_description_de").fill(
        "Wir sind ein Kollektiv für Webentwicklung und Beratung in Kassel."
    )
    page.locator("#id_city").fill("Kassel")  # the country follows from the city
    page.get_by_label("Web development", exact=True).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/first-steps/zaunkoenig-webkollektiv/$"))
    page.goto("/collectives/zaunkoenig-webkollektiv/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Zaunkönig Webkollektiv")

    # English: "web development" finds the German "Webentwicklung".
    page.goto("/directory/?q=web+development")
    page.get_by_role("link", name="Zaunkönig Webkollektiv").wait_for()

    # German: switch the language with the switcher, search with a hyphenated spelling.
    page.get_by_label("Interface language").select_option("de")
    page.get_by_role("button", name="Switch").click()
    page.goto("/directory/?q=Web-Entwicklung")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("link", name="Zaunkönig Webkollektiv").wait_for()
    # The choice is remembered on the next page too.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
