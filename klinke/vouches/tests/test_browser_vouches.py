"""Vouching in a real browser: a member of Rotkehlchen offers a vouch for Quellcode from a past
referral, a member of Quellcode confirms it, and it shows on Quellcode's public profile; then
Rotkehlchen withdraws it and it is gone."""

import re

import pytest

from klinke.conftest import log_in_browser
from klinke.vouches.models import Vouch, VouchSource
from klinke.vouches.tests.conftest import accepted_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_a_vouch_from_a_suggestion_to_the_public_profile(
    browser_page, network, live_server
):
    page = browser_page
    accepted_referral(network.collective_a, network.collective_b, "Website für die Tafel")

    # 1. Bob sees the past referral as a suggestion and vouches in one click.
    log_in_browser(page, network.bob, live_server.url)
    page.goto("/collectives/rotkehlchen/vouches/")
    assert "You worked with Kollektiv Quellcode on “Website für die Tafel”" in page.content()
    page.get_by_role("button", name="Vouch for Kollektiv Quellcode").click()
    page.wait_for_url(re.compile(r"/collectives/rotkehlchen/vouches/$"))
    assert "It is public once Kollektiv Quellcode confirms it." in page.content()
    vouch = Vouch.objects.get()
    assert vouch.source == VouchSource.REFERRAL and vouch.is_pending

    # Not public yet.
    page.goto("/collectives/quellcode/")
    assert "Website für die Tafel" not in page.content()

    # 2. Alice confirms it on her collective's page.
    log_in_browser(page, network.alice, live_server.url)
    page.goto("/collectives/quellcode/vouches/")
    page.get_by_role("button", name="Confirm: make it public").click()
    page.wait_for_url(re.compile(r"/collectives/quellcode/vouches/$"))
    assert "The vouch is public now." in page.content()

    # 3. Everyone sees it on the profile, counted in words.
    page.context.clear_cookies()
    page.goto("/collectives/quellcode/")
    section = page.locator("section.vouches")
    assert "Who has worked with us" in section.inner_text()
    assert "1 collective has worked with us." in section.inner_text()
    assert "Website für die Tafel" in section.inner_text()

    # 4. Bob withdraws it; it is gone at once.
    log_in_browser(page, network.bob, live_server.url)
    page.goto("/collectives/rotkehlchen/vouches/")
    page.locator(f"#vouch-{vouch.pk}").get_by_role("button", name="Withdraw").click()
    page.wait_for_url(re.compile(r"/collectives/rotkehlchen/vouches/$"))
    page.goto("/collectives/quellcode/")
    assert "Website für die Tafel" not in page.content()
