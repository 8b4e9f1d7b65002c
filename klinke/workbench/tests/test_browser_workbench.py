"""The workbench in a real browser: from an imported vCard to a lead, through the stages by
mouse and keyboard, a decision two members answer in their own sessions, and a red-line flag."""

import re
from pathlib import Path
from typing import Any

import pytest

from klinke.conftest import log_in_browser
from klinke.testing import wait_for_js
from klinke.workbench.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GMAIL_VCARD = Path(__file__).with_name("fixtures") / "John_Doe_GMAIL.vcf"
BOARD = "/collectives/quellcode/workbench/"


def card(page: Any, title: str) -> Any:
    return page.locator("li.lead-card", has_text=title)


def column_of(page: Any, title: str) -> Any:
    return (
        card(page, title)
        .locator("xpath=ancestor::section[@data-stage]")
        .get_attribute("data-stage")
    )


def wait_for_htmx(page, button_name: str) -> None:
    """Wait until htmx has taken over the button's form.

    A freshly swapped board is processed by htmx a moment after it appears; a key pressed
    before that submits the form the plain way (which works too, but reloads the page).
    """
    wait_for_js(
        page,
        """(name) => {
            const button = [...document.querySelectorAll('button')]
                .find(b => b.getAttribute('aria-label') === name);
            return button && button.form && button.form['htmx-internal-data'] !== undefined;
        }""",
        arg=button_name,
    )


def test_it_takes_a_lead_from_an_imported_contact_to_a_decision(browser_page, network, live_server):
    page = browser_page
    log_in_browser(page, network.alice, live_server.url)

    # 1. Import the contact that Gmail exported.
    page.goto("/collectives/quellcode/contacts/import/")
    page.locator("input[type=file]").set_input_files(str(GMAIL_VCARD))
    page.get_by_role("button", name="Upload and preview").click()
    page.locator("#confirm-import").click()
    page.wait_for_url(re.compile(r"/collectives/quellcode/contacts/$"))
    assert "John" in page.content()

    # 2. Start a lead from that contact; its organisation comes along.
    page.goto(BOARD)
    page.get_by_role("link", name="New lead").first.click()
    page.get_by_label("Title").fill("Intranet für den Betriebsrat")
    contact_select = page.get_by_label("Main contact")
    john = contact_select.locator("option", has_text="John").get_attribute("value")
    contact_select.select_option(value=john)
    page.get_by_label("Description").fill("Ein kleines Intranet mit Terminen und Protokollen.")
    page.get_by_label("Value from (EUR)").fill("8000")
    page.get_by_label("Value up to (EUR)").fill("12000")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/workbench/leads/\d+/$"))
    assert page.locator("#lead-stage").inner_text() == "New"
    assert "IBM" in page.locator("dl.facts").inner_text()
    lead_url = page.url

    # 3. Through the stages on the board: a click, then the keyboard.
    title = "Intranet für den Betriebsrat"
    page.goto(BOARD)
    wait_for_htmx(page, f"Move “{title}” to Qualified")
    page.get_by_role("button", name=f"Move “{title}” to Qualified").click()
    page.locator("#board-status").filter(has_text="moved to qualified").wait_for()
    assert column_of(page, title) == "qualified"
    # The redrawn board puts the focus on the button that moves on (htmx focuses it when the
    # swap settles, which can come a moment after the status line).
    expected = f"Move “{title}” to Proposal"
    wait_for_js(
        page, "label => document.activeElement?.getAttribute('aria-label') === label", expected
    )
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == expected
    wait_for_htmx(page, f"Move “{title}” to Proposal")
    page.keyboard.press("Enter")
    page.locator("#board-status").filter(has_text="moved to proposal").wait_for()
    assert column_of(page, title) == "proposal"
    button = page.get_by_role("button", name=f"Move “{title}” to Negotiation")
    wait_for_htmx(page, f"Move “{title}” to Negotiation")
    button.focus()
    page.keyboard.press("Enter")
    page.locator("#board-status").filter(has_text="moved to negotiation").wait_for()
    assert column_of(page, title) == "negotiation"

    # 4. Ask the collective; Alice and Alina answer, each in their own session.
    page.goto(lead_url)
    page.get_by_role("link", name="Ask the collective: take this lead?").click()
    assert page.get_by_label("Question").input_value() == f"Do we take “{title}”?"
    page.get_by_role("button", name="Open the decision").click()
    page.wait_for_url(re.compile(r"/workbench/decisions/\d+/$"))
    decision_url = page.url
    page.get_by_label("agree", exact=True).check()
    page.get_by_role("button", name="Send response").click()
    page.locator("#decision-body .status").filter(has_text="Your response is recorded.").wait_for()
    assert "1 of 2 members have responded." in page.locator("#decision-body").inner_text()

    other = page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
    alina = other.new_page()
    try:
        log_in_browser(alina, network.alice2, live_server.url)
        alina.goto(decision_url)
        alina.get_by_label("agree", exact=True).check()
        alina.get_by_label("Reason").fill("Passt gut zu uns.")
        alina.get_by_role("button", name="Send response").click()
        alina.locator("#decision-outcome").wait_for()
        assert "Accepted" in alina.locator("#decision-outcome").inner_text()
    finally:
        other.close()
    page.goto(lead_url)
    assert page.locator("#lead-decision").inner_text() == "Accepted"

    # Close the lead as won, with the reason.
    page.get_by_label("won", exact=True).check()
    page.get_by_label("Reason").fill("Der Betriebsrat hat zugestimmt.")
    page.get_by_role("button", name="Close", exact=True).click()
    page.locator("#lead-stage").filter(has_text="Won").wait_for()
    assert Lead.objects.get(title=title).stage == "won"

    # 5. A red line, then a surveillance lead: flagged with evidence, and on the board.
    page.goto(f"{BOARD}red-lines/")
    page.get_by_label("Name").fill("Keine Überwachung")
    page.get_by_label("surveillance and policing technology").check()
    page.get_by_role("button", name="Save the red line").click()
    page.locator("ul.messages").filter(has_text="is saved").wait_for()
    page.goto(f"{BOARD}leads/new/")
    page.get_by_label("Title").fill("Videoanalyse-Plattform für Ordnungsamt")
    page.get_by_label("Client:", exact=True).fill("Stadt Musterstadt, Ordnungsamt")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/workbench/leads/\d+/$"))
    assert "touches your red lines" in page.locator("ul.messages").inner_text()
    evidence = page.locator(".evidence").inner_text()
    assert "Keine Überwachung" in evidence and "Videoanalyse-Plattform" in evidence
    assert page.locator(".evidence mark").first.inner_text() == "Videoanalyse-Plattform"
    page.goto(BOARD)
    flagged = card(page, "Videoanalyse-Plattform für Ordnungsamt")
    assert "Red line: look at the evidence first" in flagged.inner_text()
