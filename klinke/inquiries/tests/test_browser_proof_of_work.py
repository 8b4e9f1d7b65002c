"""The optional proof of work in a real browser: with JavaScript on, the vendored widget solves
the form's challenge in its worker while the client writes, under the Content-Security-Policy
as it is, and the form arrives with the solution spent once on the server."""

import re
import time

import pytest

from klinke.core.tests.test_accessibility import audit
from klinke.core.tests.test_browser_csp import violations, watch
from klinke.inquiries.models import Inquiry, SpentChallenge
from klinke.inquiries.tests.conftest import PORTAL
from klinke.testing import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOLUTION = "document.querySelector('altcha-widget input[type=hidden][name=proof]')?.value || ''"


def test_it_solves_the_challenge_and_sends_the_form_with_javascript(browser_page, web, live_server):
    page = browser_page
    problems = watch(page)
    page.goto("/inquiries/")
    page.wait_for_load_state("networkidle")
    checkbox = page.get_by_role("checkbox", name="Automatic spam check")
    assert not checkbox.is_checked()
    checkbox = page.locator("altcha-widget input[type=checkbox]")  # its label changes

    started = time.monotonic()
    page.get_by_label("What is your project about?").fill(PORTAL)  # focus starts the work
    page.locator("input[name=topics]").first.check()
    page.get_by_label("Your organisation").select_option("non-profit")
    page.get_by_label("Region").fill("DE")
    page.get_by_label("Your language").select_option("en")
    page.get_by_label("Your name").fill("Tina Mieterin")
    page.get_by_label("Your email address").fill("tina@mieterverein.example")
    page.get_by_label("I agree that klinke passes my inquiry").check()
    wait_for_js(page, SOLUTION, timeout=30)
    solved_after = time.monotonic() - started
    assert checkbox.is_checked()
    assert page.get_by_text("Spam check done").is_visible()
    page.wait_for_timeout(max(0, int((3.2 - solved_after) * 1000)))  # the time trap's minimum
    page.get_by_role("button", name="Send the inquiry").click()
    page.wait_for_url(re.compile(r"/inquiries/sent/$"))

    assert Inquiry.objects.count() == 1
    assert SpentChallenge.objects.count() == 1
    problems += violations(page)
    assert problems == []
    assert solved_after < 20, solved_after


def test_it_shows_the_widget_in_german_accessibly_on_a_phone(browser_page, web, live_server):
    page = browser_page
    problems = watch(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": live_server.url}])
    page.goto("/inquiries/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Automatische Spamprüfung").is_visible()
    assert audit(page) == []
    # Ticking the box by hand solves too (for someone who never focuses a field first).
    page.get_by_label("Automatische Spamprüfung").click()
    wait_for_js(page, SOLUTION, timeout=30)
    assert page.get_by_text("Spamprüfung erledigt").is_visible()
    assert audit(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    problems += violations(page)
    assert problems == []
