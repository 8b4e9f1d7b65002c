"""Demo tenders: a day of notices and tender profiles for the demo network.

The day is the eForms SDK's own example notices (``tests/fixtures``, real structure, past
deadlines, so they land in storage but not in an inbox) plus invented German notices written
from one SDK example (``demo/notice_template.xml``): identifiers, texts, codes, places, dates and
values are changed, and every buyer is marked "(Demo)". Deadlines are relative to today, so the
inbox of Kollektiv Quellcode always shows fitting tenders with reasons, one flagged by its red
lines, and a tender with several lots. Idempotent; no email is sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from lxml import etree

from klinke.collectives.models import Collective
from klinke.tenders.actions import ProfileValues, clean_profile_values, do_refresh_all_inboxes
from klinke.tenders.importing import do_import_outcomes
from klinke.tenders.models import TenderProfile
from klinke.tenders.parsers import parse_bytes, read_paths
from klinke.tenders.parsers.records import Outcome, Source

HERE = Path(__file__).parent
TEMPLATE = HERE / "demo" / "notice_template.xml"
SDK_EXAMPLES = HERE / "tests" / "fixtures" / "eforms"
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
DEMO_NAMESPACE = uuid.UUID("6f1c3a52-4f7e-4f4e-9d0e-6b1f2d7c9a10")


@dataclass(frozen=True)
class DemoLot:
    title: str
    cpv: str
    value: int


@dataclass(frozen=True)
class DemoNotice:
    key: str
    buyer: str
    city: str
    nuts: str
    title: str
    description: str
    cpv: str
    days_left: int
    value: int
    lots: tuple[DemoLot, ...] = ()


NOTICES = (
    DemoNotice(
        key="mieterportal",
        buyer="Wohnungsgenossenschaft Lindenau eG (Demo)",
        city="Leipzig",
        nuts="DED51",
        title="Entwicklung eines Webportals für Mitglieder und Mieter*innen",
        description=(
            "Konzeption und Entwicklung eines barrierefreien Webportals mit Django oder einem "
            "vergleichbaren freien Framework: Schadensmeldungen, Dokumente, Abstimmungen der "
            "Vertreterversammlung. Betrieb auf eigener Infrastruktur, Datenschutz nach DSGVO."
        ),
        cpv="72230000",
        days_left=12,
        value=95000,
    ),
    DemoNotice(
        key="relaunch-stadtteilzentrum",
        buyer="Stadt Leipzig, Amt für Jugend und Familie (Demo)",
        city="Leipzig",
        nuts="DED51",
        title="Relaunch der Website der Stadtteilzentren mit freiem CMS",
        description=(
            "Relaunch von vier Websites auf einem freien Content-Management-System (Wagtail "
            "oder gleichwertig), Schulung der Redaktion, Wartung für zwei Jahre."
        ),
        cpv="72413000",
        days_left=20,
        value=48000,
        lots=(
            DemoLot("Los 1: Konzeption und Gestaltung", "79822500", 18000),
            DemoLot("Los 2: Umsetzung mit freiem CMS", "72413000", 22000),
            DemoLot("Los 3: Hosting und Wartung", "72415000", 8000),
        ),
    ),
    DemoNotice(
        key="besucheranalyse",
        buyer="Verkehrsbetriebe Mitteldeutschland GmbH (Demo)",
        city="Halle (Saale)",
        nuts="DEE02",
        title="Webanwendung zur Verhaltensanalyse von Fahrgästen",
        description=(
            "Entwicklung einer Webanwendung zur Verhaltensanalyse von Fahrgästen aus Kamera- "
            "und WLAN-Daten, mit Auswertung der Bewegungsprofile."
        ),
        cpv="72212000",
        days_left=16,
        value=150000,
    ),
    DemoNotice(
        key="server-dresden",
        buyer="Landeshauptstadt Dresden, Eigenbetrieb IT (Demo)",
        city="Dresden",
        nuts="DED21",
        title="Betrieb und Wartung von Linux-Servern für Fachverfahren",
        description="Betrieb, Monitoring und Sicherheitsupdates von 40 Linux-Servern.",
        cpv="72514000",
        days_left=9,
        value=60000,
    ),
)


def _set(parent: etree._Element, path: str, text: str) -> None:
    for node in parent.iterfind(path, NS):
        node.text = text


def _lot_element(template: etree._Element, number: int, lot: DemoLot) -> etree._Element:
    element = etree.fromstring(etree.tostring(template))
    _set(element, "cbc:ID", f"LOT-{number:04d}")
    _set(element, "cac:ProcurementProject/cbc:Name", lot.title)
    _set(element, "cac:ProcurementProject/cbc:Description", lot.title)
    _set(
        element,
        "cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode",
        lot.cpv,
    )
    _add_value(element.find("cac:ProcurementProject", NS), lot.value)
    return element


def _add_value(project: etree._Element | None, value: int) -> None:
    if project is None:
        return
    total = etree.SubElement(project, f"{{{NS['cac']}}}RequestedTenderTotal")
    amount = etree.SubElement(total, f"{{{NS['cbc']}}}EstimatedOverallContractAmount")
    amount.set("currencyID", "EUR")
    amount.text = str(value)


def notice_bytes(notice: DemoNotice, today: dt.date) -> bytes:
    """One invented notice as eForms XML, written from the SDK example."""
    root = etree.fromstring(TEMPLATE.read_bytes())
    deadline = today + dt.timedelta(days=notice.days_left)
    _set(root, "cbc:ID", str(uuid.uuid5(DEMO_NAMESPACE, f"notice:{notice.key}")))
    _set(root, "cbc:ContractFolderID", str(uuid.uuid5(DEMO_NAMESPACE, f"procedure:{notice.key}")))
    _set(root, "cbc:IssueDate", f"{today.isoformat()}+01:00")
    _set(root, "cbc:NoticeLanguageCode", "DEU")
    for name in root.iter(f"{{{NS['cbc']}}}Name", f"{{{NS['cbc']}}}Description"):
        if name.get("languageID") == "ENG":
            name.set("languageID", "DEU")
    _set(root, ".//cac:PartyName/cbc:Name", notice.buyer)
    _set(root, ".//cac:PostalAddress/cbc:CityName", notice.city)
    _set(root, ".//cbc:CountrySubentityCode", notice.nuts)
    _set(root, ".//cac:Country/cbc:IdentificationCode", "DEU")
    for project in root.iterfind(".//cac:ProcurementProject", NS):
        _set(project, "cbc:Name", notice.title)
        _set(project, "cbc:Description", notice.description)
        _set(project, "cac:MainCommodityClassification/cbc:ItemClassificationCode", notice.cpv)
    _add_value(root.find("cac:ProcurementProject", NS), notice.value)
    _set(root, ".//cac:TenderSubmissionDeadlinePeriod/cbc:EndDate", f"{deadline}+01:00")
    _set(root, ".//cac:TenderSubmissionDeadlinePeriod/cbc:EndTime", "12:00:00+01:00")
    _set(root, ".//cac:OpenTenderEvent/cbc:OccurrenceDate", f"{deadline}+01:00")
    if notice.lots:
        template = root.find("cac:ProcurementProjectLot", NS)
        assert template is not None  # the SDK example has one lot
        for number, lot in enumerate(notice.lots, start=1):
            template.addprevious(_lot_element(template, number, lot))
        root.remove(template)
    else:
        _add_value(root.find("cac:ProcurementProjectLot/cac:ProcurementProject", NS), notice.value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def demo_outcomes(today: dt.date) -> list[Outcome]:
    outcomes = list(read_paths([SDK_EXAMPLES]))
    for notice in NOTICES:
        data = notice_bytes(notice, today)
        source = Source(
            name=f"demo-{today.isoformat()}.zip",
            member=f"{notice.key}.xml",
            sha256=hashlib.sha256(data).hexdigest(),
        )
        outcomes.append(parse_bytes(data, source))
    return outcomes


PROFILES = {
    "kollektiv-quellcode": ProfileValues(
        cpv_codes=["72200000", "72400000", "72500000"],
        keywords_de="Webportal\nDjango\nfreie Software\nBarrierefreiheit",
        keywords_en="web portal\nDjango\nfree software",
        regions=["DED", "DEE", "DEG"],
        remote_ok=True,
        value_min=10000,
        value_max=200000,
        languages=["de", "en"],
    ),
}


def load_demo_content() -> str:
    today = timezone.localdate()
    summary = do_import_outcomes(demo_outcomes(today))
    profiles = 0
    for slug, values in PROFILES.items():
        collective = Collective.objects.filter(slug=slug, is_demo=True).first()
        if collective is None:
            continue
        TenderProfile.objects.update_or_create(
            collective=collective, defaults=clean_profile_values(values)
        )
        profiles += 1
    do_refresh_all_inboxes()
    return f"tenders: {summary.new} new notices' tenders, {profiles} tender profiles"
