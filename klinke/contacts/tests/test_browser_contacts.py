"""Importing a Gmail vCard through the real UI in chromium, then finding the contact."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from klinke.conftest import log_in_browser
from klinke.contacts.models import Contact, Source
from klinke.contacts.tests.conftest import FIXTURES, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_imports_the_gmail_vcard_through_the_preview(browser_page, network, live_server):
    page = browser_page
    make_contact(network.collective_a, "Anna Müller", emails=["anna@mieterverein.example"])
    log_in_browser(page, network.alice, live_server.url)

    page.goto("/collectives/quellcode/contacts/")
    page.get_by_role("link", name="Import contacts").click()
    page.get_by_label("File").set_input_files(str(FIXTURES / "John_Doe_GMAIL.vcf"))
    page.get_by_role("button", name="Upload and preview").click()

    # The preview shows the record as parsed; nothing is saved yet.
    page.wait_for_url(re.compile(r"/import/\d+/preview/$"))
    summary = page.locator("#import-summary").inner_text()
    assert "John_Doe_GMAIL.vcf: 1 contact" in summary
    assert "0 possible duplicates" in summary
    record = page.locator("#record-1")
    assert "Mr. John Richter, James Doe Sr." in record.inner_text()
    assert "john.doe@ibm.com" in record.inner_text()
    # No country code and no valid German number: kept as written, not made German.
    assert "905-555-1234 (not a recognisable number, kept as entered)" in record.inner_text()
    assert not Contact.objects.filter(full_name__contains="John").exists()

    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/collectives/quellcode/contacts/$"))
    assert "Import finished: 1 new, 0 merged, 0 skipped." in page.locator(".messages").inner_text()
    rows = page.locator("tr.contact-row")
    assert rows.count() == 2
    assert "Mr. John Richter, James Doe Sr." in page.locator("#contact-results").inner_text()

    # Filtering by search updates the list in place (htmx).
    page.get_by_label("Search", exact=True).fill("IBM")
    page.get_by_label("Search", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"\?q=IBM"))
    expect(page.locator("tr.contact-row")).to_have_count(1)

    page.get_by_role("link", name="Mr. John Richter, James Doe Sr.").click()
    assert "Money Counter" in page.locator("main").inner_text()
    assert "import file: John_Doe_GMAIL.vcf" in page.locator("#contact-source").inner_text()
    contact = Contact.objects.get(full_name="Mr. John Richter, James Doe Sr.")
    assert contact.source == Source.IMPORT and contact.source_by == network.alice
