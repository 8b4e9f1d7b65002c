"""An estimate in a real browser: from a lead, a member writes an estimate with three work
packages and shares it; the client opens the link logged out, downloads the PDF and accepts;
the lead is won; the member enters the actual hours and ends the project; the next estimate
shows the calibration sentence and takes the factor as a line."""

import re
from typing import Any

import pytest

from klinke.conftest import log_in_browser
from klinke.estimates.models import ActualHours, Estimate, EstimateState
from klinke.estimates.tests.conftest import ended_project
from klinke.workbench.models import Stage
from klinke.workbench.tests.conftest import make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_package(page: Any, index: int, name: str, hours: tuple[str, str, str], rate: str) -> None:
    prefix = f"#id_packages-{index}-"
    page.locator(prefix + "name").fill(name)
    page.locator(prefix + "optimistic_hours").fill(hours[0])
    page.locator(prefix + "likely_hours").fill(hours[1])
    page.locator(prefix + "pessimistic_hours").fill(hours[2])
    page.locator(prefix + "hourly_rate").fill(rate)


def test_it_takes_a_lead_to_an_accepted_estimate(browser_page, network, live_server):
    # Two earlier projects took 1.3× their expected 41 hours.
    for title in ("Früheres Portal", "Noch ein Portal"):
        ended_project(network.collective_a, network.alice, ("6.5", "41.6", "5.2"), title=title)
    lead = make_lead(
        network.collective_a, "Mitgliederportal für den Mieterverein", client_name="Mieterverein"
    )
    page = browser_page
    page.set_default_timeout(60_000)  # the PDF is rendered on the server while the test waits
    log_in_browser(page, network.alice, live_server.url)

    # 1. From the lead to a new, empty estimate.
    page.goto(f"/collectives/quellcode/workbench/leads/{lead.pk}/")
    page.locator("#lead-write-estimate").click()
    page.wait_for_url(re.compile(r"/estimates/new/"))
    assert page.locator("#id_title").input_value() == "Mitgliederportal für den Mieterverein"
    page.locator("#id_start").select_option("blank")
    page.get_by_role("button", name="Create the estimate").click()
    page.wait_for_url(re.compile(r"/estimates/\d+/content/$"))

    # 2. Three work packages: two at once, then a third.
    fill_package(page, 0, "Konzept", ("2", "4", "12"), "95")
    fill_package(page, 1, "Umsetzung", ("20", "30", "52"), "95")
    page.locator("#id_assumptions").fill("Ihr liefert die Texte.")
    page.locator("#id_exclusions").fill("Hosting")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/estimates/\d+/$"))
    page.get_by_role("link", name="Edit the work packages").click()
    fill_package(page, 2, "Schulung", ("3", "4", "5"), "95")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/estimates/\d+/$"))
    estimate = Estimate.objects.get(lead=lead)
    assert estimate.latest_version().packages.count() == 3
    assert "E = (O + 4M + P) / 6" in page.content()

    # 3. Share: the link is shown once.
    page.locator("#share-button").click()
    link = page.locator("#client-link").get_attribute("href")
    assert link and "/e/est_" in link

    # 4. The client, logged out, opens it in German, downloads the PDF and accepts.
    page.context.clear_cookies()
    page.goto(link)
    assert "Was wir annehmen" in page.content()
    assert page.locator("svg.estimate-range").count() == 1
    with page.expect_download() as download_info:
        page.locator("#pdf-link").click()
    pdf_path = download_info.value.path()
    with open(pdf_path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    page.locator("#id_message").fill("Passt, wir freuen uns!")
    page.locator("#accept-button").click()
    page.locator("#decided-notice").wait_for()

    # 5. The lead is won, and the estimate is frozen as the accepted version.
    estimate.refresh_from_db()
    lead.refresh_from_db()
    assert estimate.state == EstimateState.ACCEPTED
    assert estimate.decided_version.number == 1
    assert lead.stage == Stage.WON

    # 6. Back as the member: the actual hours of the three packages, then the project ends.
    log_in_browser(page, network.alice, live_server.url)
    page.goto(f"/collectives/quellcode/estimates/{estimate.pk}/")
    page.locator("#actuals-link").click()
    page.wait_for_url(re.compile(r"/actuals/$"))
    for name, hours in (("Konzept", "6"), ("Umsetzung", "40"), ("Schulung", "5")):
        page.locator("#id_hours-package").select_option(label=name)
        page.locator("#id_hours-hours").fill(hours)
        page.locator("#id_hours-person").fill("Alice")
        page.locator("#add-hours").click()
        page.wait_for_url(re.compile(r"/actuals/$"))
    assert ActualHours.objects.of_estimate(estimate).count() == 3
    assert page.locator("#actuals-total").inner_text() == "51.00"
    page.locator("#end-project").click()
    page.locator("#project-ended").wait_for()

    # 7. The next estimate: the calibration sentence, and its factor as a line.
    other = make_lead(network.collective_a, "Vereinsportal", client_name="Sportverein")
    page.goto(f"/collectives/quellcode/estimates/new/?lead={other.pk}")
    page.locator("#id_start").select_option("blank")
    page.get_by_role("button", name="Create the estimate").click()
    page.wait_for_url(re.compile(r"/estimates/\d+/content/$"))
    sentence = page.locator("#calibration-sentence").inner_text()
    assert sentence == (
        "Your last 3 projects took 1.3× the expected hours; 0 of 3 were inside the range."
    )
    fill_package(page, 0, "Konzept", ("2", "4", "12"), "95")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/estimates/\d+/$"))
    page.locator("#apply-calibration").click()
    page.locator("#calibration-line").wait_for()
    assert "1.3×" in page.locator("#calibration-line").inner_text()
