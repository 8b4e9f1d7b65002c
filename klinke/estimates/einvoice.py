"""Invoice-ready data of an accepted estimate, as EN 16931 CII XML (Factur-X profile EN 16931).

The XML is built with lxml (text is always element text, never markup) and checked with the
`factur-x` library's XSD check before anyone gets it. The lines are the accepted version's work
packages at their expected hours (E, two decimals) and rate, plus the risk buffer as its own
line; amounts are exact to the cent here, where the estimate page shows whole units. Field
names on the model carry an `en16931_` prefix because EN 16931's BT numbers are not eForms'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from facturx import xml_check_xsd
from lxml import etree

from klinke.estimates import maths
from klinke.estimates.models import Estimate, EstimateVersion, VatCategory

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
INVOICE_TYPE = "380"  # commercial invoice
HOUR_UNIT = "HUR"
PIECE_UNIT = "C62"
CENT = Decimal("0.01")

EXEMPTION_REASONS = {
    VatCategory.EXEMPT: "Exempt from VAT",
    VatCategory.REVERSE_CHARGE: "Reverse charge",
    VatCategory.SMALL_BUSINESS: "Not subject to VAT (small business, § 19 UStG)",
}


class InvoiceDataError(ValueError):
    """The estimate lacks what an EN 16931 invoice needs; the message lists it."""


@dataclass(frozen=True)
class InvoiceLine:
    name: str
    quantity: Decimal
    unit: str
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.price).quantize(CENT, rounding=ROUND_HALF_UP)


def missing_fields(estimate: Estimate) -> list[str]:
    """Labels of the invoice fields still empty."""
    needed = [
        "en16931_seller_name",
        "en16931_seller_city",
        "en16931_seller_country",
        "en16931_buyer_name",
        "en16931_buyer_country",
    ]
    if estimate.vat_category != VatCategory.SMALL_BUSINESS:
        needed.append("en16931_seller_vat_id")
    labels = {field.name: str(field.verbose_name) for field in Estimate._meta.fields}
    return [labels[name] for name in needed if not getattr(estimate, name)]


def invoice_lines(estimate: Estimate, version: EstimateVersion) -> list[InvoiceLine]:
    packages = list(version.packages.all())
    result = version.result(packages)
    lines = [
        InvoiceLine(
            name=package.name,
            quantity=part.expected_hours.quantize(CENT, rounding=ROUND_HALF_UP),
            unit=HOUR_UNIT,
            price=package.hourly_rate.quantize(CENT),
        )
        for package, part in zip(packages, result.packages, strict=True)
    ]
    if result.risk_buffer:
        lines.append(
            InvoiceLine(
                name=_("Risk buffer (%(percent)s %%)")
                % {"percent": version.risk_buffer_percent.normalize()},
                quantity=Decimal(1),
                unit=PIECE_UNIT,
                price=result.risk_buffer.quantize(CENT),
            )
        )
    if result.calibration:
        # The item price may not be negative (BR-27): a factor below 1 is one negative unit.
        lines.append(
            InvoiceLine(
                name=_("Calibration from our past projects (×%(factor)s)")
                % {"factor": (version.calibration_factor or Decimal(1)).normalize()},
                quantity=Decimal(1) if result.calibration > 0 else Decimal(-1),
                unit=PIECE_UNIT,
                price=abs(result.calibration).quantize(CENT),
            )
        )
    return lines


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrib)
    if text is not None:
        element.text = text
    return element


def _party(parent: etree._Element, tag: str, estimate: Estimate, side: str) -> None:
    party = _sub(parent, tag)
    _sub(party, "ram:Name", getattr(estimate, f"en16931_{side}_name"))
    address = _sub(party, "ram:PostalTradeAddress")
    if postcode := getattr(estimate, f"en16931_{side}_postcode"):
        _sub(address, "ram:PostcodeCode", postcode)
    if street := getattr(estimate, f"en16931_{side}_address"):
        _sub(address, "ram:LineOne", street)
    if city := getattr(estimate, f"en16931_{side}_city"):
        _sub(address, "ram:CityName", city)
    _sub(address, "ram:CountryID", getattr(estimate, f"en16931_{side}_country"))
    if vat_id := getattr(estimate, f"en16931_{side}_vat_id"):
        registration = _sub(party, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", vat_id, schemeID="VA")


def _tax(parent: etree._Element, estimate: Estimate, *, basis: Decimal | None = None) -> None:
    tax = _sub(parent, "ram:ApplicableTradeTax")
    rate = estimate.vat_rate if estimate.vat_category == VatCategory.STANDARD else Decimal(0)
    if basis is not None:
        _sub(tax, "ram:CalculatedAmount", _amount(basis * rate / 100))
    _sub(tax, "ram:TypeCode", "VAT")
    if basis is not None and (reason := EXEMPTION_REASONS.get(VatCategory(estimate.vat_category))):
        _sub(tax, "ram:ExemptionReason", reason)
    if basis is not None:
        _sub(tax, "ram:BasisAmount", _amount(basis))
    _sub(tax, "ram:CategoryCode", estimate.vat_category)
    if estimate.vat_category != VatCategory.SMALL_BUSINESS:
        _sub(tax, "ram:RateApplicablePercent", _amount(rate))


def _amount(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def build_cii(estimate: Estimate, version: EstimateVersion, *, issued: date | None = None) -> bytes:
    """The CII XML, unchecked (see `cii_xml`)."""
    lines = invoice_lines(estimate, version)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    guideline = _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _sub(guideline, "ram:ID", EN16931_GUIDELINE)
    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", f"EST-{estimate.pk}-{version.number}")
    _sub(document, "ram:TypeCode", INVOICE_TYPE)
    issue = _sub(document, "ram:IssueDateTime")
    _sub(
        issue,
        "udt:DateTimeString",
        (issued or timezone.localdate()).strftime("%Y%m%d"),
        format="102",
    )
    note = _sub(document, "ram:IncludedNote")
    _sub(note, "ram:Content", f"{estimate.title} (v{version.number})")
    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(lines, start=1):
        item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _sub(_sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(number))
        _sub(_sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.name)
        agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
        price = _sub(agreement, "ram:NetPriceProductTradePrice")
        _sub(price, "ram:ChargeAmount", _amount(line.price))
        delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
        _sub(delivery, "ram:BilledQuantity", _amount(line.quantity), unitCode=line.unit)
        settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
        _tax(settlement, estimate)
        summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _sub(summation, "ram:LineTotalAmount", _amount(line.amount))
    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", estimate, "seller")
    _party(agreement, "ram:BuyerTradeParty", estimate, "buyer")
    _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:InvoiceCurrencyCode", estimate.currency)
    net = sum((line.amount for line in lines), Decimal(0))
    _tax(settlement, estimate, basis=net)
    rate = estimate.vat_rate if estimate.vat_category == VatCategory.STANDARD else Decimal(0)
    vat = (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
    _sub(terms, "ram:Description", _("Payable within 14 days of the invoice."))
    total = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(total, "ram:LineTotalAmount", _amount(net))
    _sub(total, "ram:TaxBasisTotalAmount", _amount(net))
    _sub(total, "ram:TaxTotalAmount", _amount(vat), currencyID=estimate.currency)
    _sub(total, "ram:GrandTotalAmount", _amount(net + vat))
    _sub(total, "ram:DuePayableAmount", _amount(net + vat))
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def cii_xml(estimate: Estimate, version: EstimateVersion, *, issued: date | None = None) -> bytes:
    """The CII XML, after the factur-x XSD check (EN 16931 level); raises InvoiceDataError
    when invoice data is missing."""
    missing = missing_fields(estimate)
    if missing:
        raise InvoiceDataError(
            _("For the invoice data, fill in: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    xml = build_cii(estimate, version, issued=issued)
    xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return xml


def expected_net(version: EstimateVersion) -> Decimal:
    """The page's rounded expected net amount, for comparison with the invoice lines."""
    return maths.round_money(version.result().net_total)
