"""Automated accessibility audit of the main pages with axe-core in chromium.

axe checks labels, landmarks, names of buttons and links, heading order, ARIA use and colour
contrast (WCAG 2.1 A and AA). Keyboard flows are covered by the browser tests of each app.
"""

from pathlib import Path

import pytest
from django.utils import timezone

from klinke.conftest import log_in_browser
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.vouches.models import Vouch, VouchState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def audit(page) -> list[str]:
    # Evaluated by the browser driver: an added <script> tag would be inline script, which the
    # Content-Security-Policy rightly blocks.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )
    return list(result)


ANONYMOUS_PAGES = [
    "/",
    "/directory/?q=web",
    "/collectives/quellcode/",
    "/supporters/sam-berater/",
    "/exchange/",
    "/workshops/",
    "/knowledge/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/day-rate/",
]

MEMBER_PAGES = [
    "/exchange/dashboard/",
    "/collectives/quellcode/edit/",
    "/collectives/quellcode/members/",
    "/collectives/new/",
    "/exchange/needs/new/quellcode/",
    "/me/settings/",
    "/me/tokens/",
    "/collectives/quellcode/contacts/",
    "/collectives/quellcode/contacts/import/",
    "/collectives/quellcode/workbench/",
    "/collectives/quellcode/workbench/leads/new/",
    "/collectives/quellcode/rates/calculator/",
    "/collectives/quellcode/vouches/",
]


@pytest.mark.parametrize("language", ["en", "de"])
def test_it_has_no_serious_accessibility_violations(browser_page, network, live_server, language):
    page = browser_page
    make_offer(network.supporter, "Pricing clinic", "Day rates and estimates.", topics=["pricing"])
    need = make_need(
        network.collective_a, "Help with pricing", "How do we set rates?", topics=["pricing"]
    )
    # The profile shows its vouches section; the vouches page has one to answer.
    Vouch.objects.create(
        collective=network.collective_a,
        voucher_collective=network.collective_b,
        project="Hosting für den Mieterverein",
        state=VouchState.PUBLIC,
        accepted_at=timezone.now(),
    )
    Vouch.objects.create(
        collective=network.collective_a, voucher_supporter=network.supporter, project="Preise"
    )
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    problems: dict[str, list[str]] = {}
    for url in ANONYMOUS_PAGES:
        page.goto(url)
        if found := audit(page):
            problems[url] = found
    log_in_browser(page, network.alice, live_server.url)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for url in [*MEMBER_PAGES, need.get_absolute_url()]:
        page.goto(url)
        if found := audit(page):
            problems[url] = found
    assert problems == {}
