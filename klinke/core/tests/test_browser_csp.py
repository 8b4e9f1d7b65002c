"""The Content-Security-Policy blocks nothing klinke itself needs, in a real browser.

Chromium reports every blocked script, style, image or connection as a console error and as a
securitypolicyviolation event; the main pages and the API docs must produce neither, while htmx
still swaps partials in place.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from klinke.conftest import log_in_browser
from klinke.core.tests.test_accessibility import ANONYMOUS_PAGES, MEMBER_PAGES
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.testing import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Injected by the browser driver, not by the page, so the policy does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


ADMIN_PAGES = [
    "/admin/",
    "/admin/collectives/collective/",
    "/admin/collectives/collective/add/",
    "/admin/accounts/user/",
]


def watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message: Any) -> None:
        # Chromium also reports each feature of the Permissions-Policy header it does not know,
        # on every page: the header must name only features the browser understands.
        policies = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")
        if any(policy in message.text for policy in policies):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return problems


def violations(page: Any) -> list[str]:
    found = page.evaluate("window.__cspViolations || []")
    return [f"{page.url}: {item}" for item in found]


def test_it_loads_the_main_pages_without_a_single_csp_violation(browser_page, network, live_server):
    page = browser_page
    problems = watch(page)
    make_offer(network.supporter, "Pricing clinic", "Day rates and estimates.", topics=["pricing"])
    need = make_need(network.collective_a, "Help with pricing", "Rates?", topics=["pricing"])

    for url in [*ANONYMOUS_PAGES, "/api/v1/docs", "/no-such-page/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems += violations(page)
    log_in_browser(page, network.stella, live_server.url)
    for url in [*MEMBER_PAGES, need.get_absolute_url(), *ADMIN_PAGES, "/accounts/2fa/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems += violations(page)

    assert problems == []
    # The docs page really rendered Swagger UI from klinke's own files.
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()


def test_it_keeps_htmx_swapping_under_the_policy(browser_page, network, live_server):
    page = browser_page
    problems = watch(page)
    page.goto("/directory/")
    # A marker on the window survives only if the search is swapped in, not reloaded.
    page.evaluate("window.__stillHere = true")

    page.get_by_role("searchbox").or_(page.locator("#id_q")).first.fill("hosting")
    page.get_by_role("button", name="Search").click()

    page.wait_for_url(re.compile(r"q=hosting"))
    page.locator("#results").get_by_role("link", name="Rotkehlchen Hosting").wait_for()
    assert page.evaluate("window.__stillHere === true")
    assert page.evaluate("htmx.config.allowEval === false")
    assert page.evaluate("htmx.config.includeIndicatorStyles === false")
    assert page.locator("head style").count() == 0
    assert problems + violations(page) == []

    # The watch itself works: inline style inserted into the page is blocked and reported.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<style>p { color: red }</style>')"
    )
    wait_for_js(page, "window.__cspViolations.length > 0")
    assert any("style-src" in v for v in violations(page))
