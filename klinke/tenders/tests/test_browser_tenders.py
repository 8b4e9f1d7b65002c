"""The tender inbox in a real browser: a member sets up a profile with the CPV picker, sees a
fitting tender with reasons and a red-line flag on another, and turns the fitting one into a
lead."""

import re
from typing import Any

import pytest

from klinke.conftest import log_in_browser
from klinke.tenders.tests.conftest import import_records, record
from klinke.testing import wait_for_js
from klinke.workbench.models import Lead, LeadSource
from klinke.workbench.tests.conftest import make_red_line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INBOX = "/collectives/quellcode/tenders/"


def tender(page: Any, text: str) -> Any:
    return page.locator("li.tender", has_text=text)


def test_it_sets_up_a_profile_and_turns_a_fitting_tender_into_a_lead(
    browser_page, network, live_server
):
    make_red_line(network.collective_a, "Keine Überwachung", sectors=[], keywords_de="Überwachung")
    import_records(
        record(),
        record(
            procedure_id="proc-cctv",
            notice_id="n-cctv",
            title={"de": "Webportal für die Videoüberwachung des Bahnhofs"},
            description={"de": "Auswertung der Kamerabilder im Webportal."},
        ),
    )
    page = browser_page
    log_in_browser(page, network.alice, live_server.url)

    # 1. The empty inbox leads to a profile, prefilled from the collective's topics.
    page.goto(INBOX)
    page.get_by_role("link", name="Set up a tender profile").click()
    page.wait_for_url(re.compile(r"/tenders/profile/$"))
    assert "Webentwicklung" in page.get_by_label("German keywords").input_value()

    # 2. The CPV picker searches as one types (htmx) and its ticks belong to the profile form.
    page.get_by_label("Words or the beginning of a code").fill("kundenspezifischer Software")
    pick = page.locator("#cpv-results input[value='72230000']")
    pick.wait_for()
    wait_for_js(page, "() => !document.querySelector('#cpv-results.htmx-request')")
    pick.check()
    page.get_by_label("German keywords").fill("Webportal")
    page.get_by_label("Regions").fill("DED")
    page.get_by_role("button", name="Save the profile").click()
    page.wait_for_url(re.compile(r"/tenders/$"))

    # 3. The fitting tender, with its reasons; the other one is flagged, with evidence.
    fitting = tender(page, "Stadtbibliothek")
    reasons = fitting.locator(".reasons").inner_text()
    assert "CPV 72230000 Custom software development services" in reasons
    assert "keyword “Webportal”" in reasons
    assert "deadline in 12 days" in reasons
    assert "Touches none of your red lines." in fitting.inner_text()
    flagged = tender(page, "Videoüberwachung")
    assert "Touches your red lines." in flagged.inner_text()
    assert flagged.locator("mark").first.inner_text() == "Videoüberwachung"

    # 4. One click makes it a lead, due before the deadline.
    fitting.get_by_role("button", name="Turn into a lead").click()
    page.wait_for_url(re.compile(r"/workbench/leads/\d+/$"))
    lead = Lead.objects.get(source=LeadSource.TENDER)
    assert lead.title == "Entwicklung eines Webportals für die Stadtbibliothek"
    assert lead.next_action_due is not None
    assert "Entwicklung eines Webportals" in page.locator("h1").inner_text()
