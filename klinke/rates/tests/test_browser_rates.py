"""The day-rate calculator in a real browser: a member enters the inputs, sees the rate, the
chart and the explanation update as they type, saves, edits, and finds version 2 with its
change note in the history."""

import re

import pytest

from klinke.conftest import log_in_browser
from klinke.rates.models import DayRate
from klinke.testing import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INPUTS = {
    "members": "3",
    "net_pay_per_member": "2640",
    "social_contributions_percent": "40",
    "taxes_percent": "14",
    "fixed_costs_per_month": "1500",
    "billable_percent": "60",
    "working_days_per_year": "250",
    "holidays": "30",
    "sick_days": "20",
    "hours_per_day": "8",
    "reduction_percent": "40",
    "reduced_mix_percent": "25",
}


def day_rate_shown(page) -> str:
    return page.locator("#rate-result [data-figure=day-rate]").inner_text()


def test_it_works_out_saves_and_revises_a_day_rate(browser_page, network, live_server):
    page = browser_page
    log_in_browser(page, network.alice, live_server.url)

    # 1. From the workbench to the calculator.
    page.goto("/collectives/quellcode/workbench/")
    page.get_by_role("link", name="Day rate", exact=True).first.click()
    page.wait_for_url(re.compile(r"/rates/$"))
    page.get_by_role("link", name="Work out your day rate").click()
    page.wait_for_url(re.compile(r"/rates/calculator/$"))
    wait_for_js(page, "() => document.querySelector('form.rate-form')['htmx-internal-data']")

    # 2. The result follows the inputs as they are typed (htmx), without saving.
    for name, value in INPUTS.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_label("a reduced rate, paid for by a surplus on the other clients").check()
    wait_for_js(
        page,
        "() => document.querySelector('#rate-result [data-figure=day-rate]')"
        "?.textContent.trim() === '€589'",
    )
    assert page.locator("#rate-result [data-figure=reduced-day-rate]").inner_text() == "€353"
    assert page.locator("#rate-result svg.day-rate-chart").is_visible()
    explanation = page.locator(".rate-explanation").inner_text()
    assert "€249 pays for the time nobody can bill" in explanation
    assert page.locator("#rate-parts tbody tr").count() == 6
    assert DayRate.objects.count() == 0

    # 3. Saved as version 1.
    page.get_by_role("button", name="Save as new version").click()
    page.wait_for_url(re.compile(r"/rates/$"))
    assert "Version 1 of your day rate is saved." in page.content()
    assert day_rate_shown(page) == "€589"

    # 4. Revised with a change note: version 2.
    page.get_by_role("link", name="Change the inputs").click()
    page.wait_for_url(re.compile(r"/rates/calculator/$"))
    assert page.locator("#id_fixed_costs_per_month").input_value() == "1500.00"
    page.locator("#id_fixed_costs_per_month").fill("2400")
    page.locator("#id_change_note").fill("New office, 900 € more rent")
    page.get_by_role("button", name="Save as new version").click()
    page.wait_for_url(re.compile(r"/rates/$"))
    assert day_rate_shown(page) == "€622"

    # 5. The history lists both, the newest with its note.
    page.get_by_role("link", name="Version history").click()
    page.wait_for_url(re.compile(r"/rates/history/$"))
    rows = page.locator("#rate-versions tbody tr")
    assert rows.count() == 2
    assert "New office, 900 € more rent" in rows.nth(0).inner_text()
    assert "(current)" in rows.nth(0).inner_text()
    rows.nth(1).get_by_role("link").click()
    page.wait_for_url(re.compile(r"/rates/versions/\d+/$"))
    assert day_rate_shown(page) == "€589"
    assert [v.number for v in DayRate.objects.all()] == [2, 1]
