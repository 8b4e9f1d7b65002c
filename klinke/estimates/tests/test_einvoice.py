"""Invoice-ready data: EN 16931 CII XML through factur-x's XSD check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from facturx import xml_check_xsd
from lxml import etree

from klinke.estimates import actions, einvoice
from klinke.estimates.tests.conftest import make_estimate

pytestmark = pytest.mark.django_db

INVOICE_DATA = {
    "en16931_seller_name": "Kollektiv Quellcode eG",
    "en16931_seller_address": "Karl-Heine-Straße 1",
    "en16931_seller_postcode": "04229",
    "en16931_seller_city": "Leipzig",
    "en16931_seller_country": "DE",
    "en16931_seller_vat_id": "DE123456789",
    "en16931_buyer_name": "Mieterverein Leipzig e.V.",
    "en16931_buyer_city": "Leipzig",
    "en16931_buyer_country": "DE",
}


def accepted(network, **fields):
    estimate = make_estimate(network.collective_a, network.alice, **{**INVOICE_DATA, **fields})
    actions.do_share_estimate(estimate=estimate, user=network.alice)
    actions.do_decide_estimate(estimate=estimate, version_number=1, accept=True)
    estimate.refresh_from_db()
    return estimate


def test_it_exports_valid_cii_xml_with_the_lines_and_totals(network):
    estimate = accepted(network)
    xml = einvoice.cii_xml(estimate, estimate.decided_version, issued=date(2026, 12, 6))
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = etree.fromstring(xml)
    ns = einvoice.NSMAP
    names = root.xpath("//ram:SpecifiedTradeProduct/ram:Name/text()", namespaces=ns)
    assert names[:3] == ["Konzept", "Umsetzung", "Schulung"]
    assert names[3].startswith("Risk buffer") or names[3].startswith("Risikopuffer")
    # Konzept: E = 5 h × 95 € = 475.00
    first = root.xpath("//ram:LineTotalAmount/text()", namespaces=ns)[0]
    assert first == "475.00"
    summation = root.xpath("//ram:SpecifiedTradeSettlementHeaderMonetarySummation", namespaces=ns)[
        0
    ]
    net = Decimal(summation.findtext(f"{{{ns['ram']}}}TaxBasisTotalAmount"))
    vat = Decimal(summation.findtext(f"{{{ns['ram']}}}TaxTotalAmount"))
    assert vat == (net * Decimal("0.19")).quantize(Decimal("0.01"))
    assert root.xpath(
        "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/text()", namespaces=ns
    ) == ["DE123456789"]
    assert root.xpath("//ram:InvoiceCurrencyCode/text()", namespaces=ns) == ["EUR"]


def test_it_says_which_invoice_fields_are_missing(network):
    estimate = accepted(network, en16931_seller_name="", en16931_seller_vat_id="")
    with pytest.raises(einvoice.InvoiceDataError) as refused:
        einvoice.cii_xml(estimate, estimate.decided_version)
    assert "seller name" in str(refused.value) or "Verkäufer" in str(refused.value)


def test_it_keeps_hostile_text_as_element_text(network):
    estimate = accepted(network, en16931_buyer_name="<x>&amp; ]]> Käufer")
    xml = einvoice.cii_xml(estimate, estimate.decided_version)
    root = etree.fromstring(xml)
    assert root.xpath("//ram:BuyerTradeParty/ram:Name/text()", namespaces=einvoice.NSMAP) == [
        "<x>&amp; ]]> Käufer"
    ]


def test_it_exports_small_business_estimates_without_a_vat_id(network):
    estimate = accepted(network, vat_category="O", vat_rate=Decimal(0), en16931_seller_vat_id="")
    assert xml_check_xsd(einvoice.cii_xml(estimate, estimate.decided_version), level="en16931")


def test_it_lets_members_download_the_xml_only_once_accepted(network, shared):
    alice = network.client_for(network.alice)
    address = reverse("estimates:invoice_xml", args=[network.collective_a.slug, shared.estimate.pk])
    assert alice.get(address).status_code == 404
    estimate = accepted(network)
    address = reverse("estimates:invoice_xml", args=[network.collective_a.slug, estimate.pk])
    response = alice.get(address)
    assert response.status_code == 200
    assert b"CrossIndustryInvoice" in response.content
    assert network.client_for(network.bob).get(address).status_code == 404
