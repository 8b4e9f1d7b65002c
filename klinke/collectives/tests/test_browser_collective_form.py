"""The collective form and the need form fit a phone and a laptop in German and English, with
every folded part opened, and stay free of serious axe findings."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from klinke.core.tests.test_accessibility import AXE
from klinke.core.tests.test_browser_every_page import AXE_RUN, FIT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => d.open = true)"
HEIGHT = "document.documentElement.scrollHeight"


def test_it_fits_the_forms_to_a_phone_and_a_laptop_in_both_languages(
    browser_page, network, live_server
):
    client = Client()
    client.force_login(network.alice)
    cookies = [
        {"name": "django_language", "value": "", "url": live_server.url},
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        },
    ]
    urls = [
        reverse("collectives:create"),
        reverse("collectives:edit", args=[network.collective_a.slug]),
        reverse("exchange:need_create", args=[network.collective_a.slug]),
    ]
    browser = browser_page.context.browser
    axe = AXE.read_text()
    problems: list[str] = []
    heights: dict[str, int] = {}
    for language in ("de", "en"):
        cookies[0]["value"] = language
        for width, height in ((390, 844), (1280, 800)):
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": width, "height": height}
            )
            context.add_cookies(cookies)
            page: Any = context.new_page()
            for url in urls:
                where = f"{url} ({language}, {width}px)"
                page.goto(url)
                heights[where] = page.evaluate(HEIGHT)
                problems += [f"{where}: {found}" for found in page.evaluate(FIT)]
                page.evaluate(OPEN_ALL)
                problems += [f"{where}, opened: {found}" for found in page.evaluate(FIT)]
                if width == 390:
                    page.evaluate(axe)
                    problems += [f"{where}: axe {item}" for item in page.evaluate(AXE_RUN)]
            context.close()
    assert problems == [], "\n".join(problems)
    # The new collective's form on a phone, details folded: the essentials only.
    print(heights)
    assert heights[f"{urls[0]} (de, 390px)"] < 3000
