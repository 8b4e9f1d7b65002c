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
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from lxml import etree

from klinke.collectives.models import Collective
from klinke.tenders.actions import ProfileValues, clean_profile_values, do_refresh_all_inboxes
from klinke.tenders.importing import do_import_outcomes
from klinke.tenders.models import (
    Consortium,
    ConsortiumLot,
    ConsortiumMember,
    ConsortiumState,
    Lot,
    MemberState,
    Tender,
    TenderProfile,
)
from klinke.tenders.parsers import parse_bytes, read_paths
from klinke.tenders.parsers.records import Outcome, Source
from klinke.workbench.models import Decision, DecisionState, WorkbenchSettings

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
    consortia = load_demo_consortium(today)
    return (
        f"tenders: {summary.new} new notices' tenders, {profiles} tender profiles, "
        f"{consortia} consortium"
    )


CONSORTIUM_TENDER = "relaunch-stadtteilzentrum"
CONSORTIUM = (
    # slug, state, lot numbers, share, invitation message
    ("kollektiv-quellcode", MemberState.ACCEPTED, (2,), "45", ""),
    (
        "wurzelwerk-hosting",
        MemberState.ACCEPTED,
        (3,),
        "20",
        "Hallo Wurzelwerk, übernehmt ihr Hosting und Wartung (Los 3)? "
        "Hello Wurzelwerk, would you take hosting and maintenance (lot 3)? (Demo)",
    ),
    (
        "rotkehlchen-webkooperative",
        MemberState.INVITED,
        (),
        None,
        "Hallo Rotkehlchen, habt ihr Lust auf Konzeption und Gestaltung (Los 1)? "
        "Hello Rotkehlchen, would you like to do concept and design (lot 1)? (Demo)",
    ),
)


def load_demo_consortium(today: dt.date) -> int:
    """Kollektiv Quellcode's consortium for the tender with three lots: Wurzelwerk takes part
    with a lot and a share, Rotkehlchen's invitation is open. Written directly (no mail, no
    leads); each collective taking part has its open "do we bid together?" decision."""
    procedure_id = str(uuid.uuid5(DEMO_NAMESPACE, f"procedure:{CONSORTIUM_TENDER}"))
    tender = Tender.objects.filter(procedure_id=procedure_id).first()
    collectives = {
        c.slug: c
        for c in Collective.objects.filter(
            slug__in=[slug for slug, *_rest in CONSORTIUM], is_demo=True
        )
    }
    if tender is None or len(collectives) < len(CONSORTIUM):
        return 0
    initiator = collectives[CONSORTIUM[0][0]]
    if Consortium.objects.filter(tender=tender, initiator=initiator).exists():
        return 0
    lots = {int(lot.lot_id.rsplit("-", 1)[-1]): lot for lot in Lot.objects.filter(tender=tender)}
    now = timezone.now()
    first = initiator.memberships.select_related("user").order_by("pk").first()
    starter = first.user if first else None
    consortium = Consortium.objects.create(
        tender=tender,
        initiator=initiator,
        state=ConsortiumState.FORMING,
        started_by=starter,
        is_demo=True,
    )
    for slug, state, numbers, share, message in CONSORTIUM:
        collective = collectives[slug]
        membership = collective.memberships.select_related("user").order_by("pk").first()
        person = membership.user if membership else None
        decision = None
        if state == MemberState.ACCEPTED:
            config = WorkbenchSettings.for_collective(collective)
            decision = Decision.objects.create(
                collective=collective,
                question="Bieten wir gemeinsam für den Relaunch der Stadtteilzentren? "
                "(Demo: do we bid together?)",
                deadline=now + dt.timedelta(days=7),
                rule=config.decision_rule,
                quorum_percent=config.quorum_percent,
                state=DecisionState.OPEN,
                opened_by=person,
                is_demo=True,
            )
        member = ConsortiumMember.objects.create(
            consortium=consortium,
            collective=collective,
            tender=tender,
            state=state,
            share=Decimal(share) if share is not None else None,
            message=message,
            invited_by=starter,
            invited_at=now - dt.timedelta(days=2),
            answered_by=person if state == MemberState.ACCEPTED else None,
            answered_at=now - dt.timedelta(days=1) if state == MemberState.ACCEPTED else None,
            contact=person if state == MemberState.ACCEPTED else None,
            decision=decision,
        )
        ConsortiumLot.objects.bulk_create(
            ConsortiumLot(consortium=consortium, member=member, lot=lots[n])
            for n in numbers
            if n in lots
        )
    return 1
