"""Tenders fixtures: notice records built directly (the parser has its own tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.tenders.importing import ImportSummary, do_import_outcomes
from klinke.tenders.models import InboxEntry, Tender, TenderProfile
from klinke.tenders.parsers.records import (
    Change,
    Deadline,
    Lot,
    NoticeRecord,
    Parsed,
    Rejected,
    Source,
)


def deadline_in(days: int, placeholder: bool = False) -> Deadline:
    utc = (timezone.now() + dt.timedelta(days=days)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return Deadline(
        kind="BT-131",
        written=utc.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat(),
        utc=utc.astimezone(dt.UTC),
        placeholder=placeholder,
    )


def record(
    procedure_id: str = "proc-webportal",
    notice_id: str = "n-webportal",
    version: str = "01",
    **fields: Any,
) -> NoticeRecord:
    base = NoticeRecord(
        notice_id=notice_id,
        version=version,
        procedure_id=procedure_id,
        publication_number="123456-2026",
        notice_type="cn-standard",
        notice_subtype="16",
        role="competition",
        procedure_type="open",
        language="de",
        title={"de": "Entwicklung eines Webportals für die Stadtbibliothek"},
        description={
            "de": "Konzeption und Entwicklung eines barrierefreien Webportals mit Django."
        },
        buyer_name="Stadt Leipzig",
        buyer_country="DE",
        cpv_main="72230000",
        cpv_additional=("72212224",),
        nuts=("DED51",),
        country=("DE",),
        anywhere=False,
        deadline=deadline_in(12),
        estimated_value=Decimal("100000"),
        currency="EUR",
        lots=(
            Lot(
                lot_id="LOT-0001",
                title={"de": "Portal"},
                cpv=("72230000",),
                nuts=("DED51",),
                deadline=None,
                estimated_value=Decimal("80000"),
                currency="EUR",
            ),
        ),
        documents_url="https://vergabe.example.org/webportal",
        changes=None,
        issue_date=timezone.localdate() - dt.timedelta(days=2),
    )
    return replace(base, **fields)


def change_of(original: NoticeRecord, notice_id: str, role: str = "change", **fields: Any):
    return replace(
        original,
        notice_id=notice_id,
        version="01",
        role=role,
        notice_type="corr" if role == "change" else "can-standard",
        changes=Change(
            changes_notice_id=original.notice_id,
            reason_code=fields.pop("reason_code", "upd-info"),
            description=fields.pop("reason", {}),
        ),
        **fields,
    )


def parsed(*records: NoticeRecord, name: str = "day.zip", member: str | None = None) -> Parsed:
    digest = hashlib.sha256("".join(r.notice_id + r.version for r in records).encode())
    return Parsed(
        Source(name, member or f"{records[0].notice_id}.xml", digest.hexdigest()), records
    )


def rejected(reason: str = "bad.xml: DOCTYPE is not allowed") -> Rejected:
    return Rejected(Source("bad.xml", None, "0" * 64), reason)


def import_records(*records: NoticeRecord) -> ImportSummary:
    return do_import_outcomes([parsed(r) for r in records])


def make_profile(collective: Collective, **fields: Any) -> TenderProfile:
    fields.setdefault("cpv_codes", ["72200000"])
    fields.setdefault("keywords_de", "Webportal")
    fields.setdefault("regions", ["DED"])
    fields.setdefault("languages", ["de", "en"])
    return TenderProfile.objects.create(collective=collective, **fields)


@pytest.fixture
def tender(db) -> Tender:
    import_records(record())
    return Tender.objects.get(procedure_id="proc-webportal")


@pytest.fixture
def inbox_entry(network, tender) -> InboxEntry:
    """A fitting tender in collective A's inbox."""
    from klinke.tenders.actions import do_refresh_inbox

    make_profile(network.collective_a)
    do_refresh_inbox(collective=network.collective_a)
    return InboxEntry.objects.get(collective=network.collective_a, tender=tender)


def multi_lot_record(**fields: Any) -> NoticeRecord:
    """A tender with three lots: portal, hosting, training (for consortia)."""
    lots = tuple(
        Lot(
            lot_id=lot_id,
            title={"de": title},
            cpv=(code,),
            nuts=("DED51",),
            deadline=None,
            estimated_value=Decimal(value),
            currency="EUR",
        )
        for lot_id, title, code, value in (
            ("LOT-0001", "Webportal", "72230000", "120000"),
            ("LOT-0002", "Hosting und Betrieb", "72415000", "60000"),
            ("LOT-0003", "Schulungen", "80533100", "20000"),
        )
    )
    fields.setdefault("procedure_id", "proc-lose")
    fields.setdefault("notice_id", "n-lose")
    fields.setdefault("publication_number", "654321-2026")
    fields.setdefault(
        "title", {"de": "Digitale Bürgerdienste: Webportal, Hosting und Schulungen in Lose"}
    )
    return record(lots=lots, estimated_value=None, **fields)


@pytest.fixture
def lot_tender(db) -> Tender:
    import_records(multi_lot_record())
    return Tender.objects.get(procedure_id="proc-lose")
