"""Normalised tender records: what every parser (eForms XML, OCDS JSON) produces.

Pure data, no ORM. Field names follow the table in issue 10 and are exactly the keys that
``manage.py parse_notice --format json`` prints (``NoticeRecord.as_json()``). The storage layer
(``klinke.tenders.importing``) turns these into rows; the parsers in this package fill them.

One ``NoticeRecord`` is one version of one notice. ``procedure_id`` ties notices of the same
tender together (eForms BT-04, OCDS ``ocid``); ``(notice_id, version)`` identifies the notice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

# What a notice does to a tender. Competition notices create or update tenders; result, change and
# cancellation notices update a tender that is (or will be) there; everything else is stored for
# provenance only. Derived from the SDK's notice-types.json ("competition", "result", …).
NoticeRole = Literal["competition", "result", "change", "cancellation", "other"]

# Which business term the deadline came from: BT-131 (tender submission), BT-1311 (request to
# participate), BT-630 (expression of interest).
DeadlineKind = Literal["BT-131", "BT-1311", "BT-630"]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclasses.dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline as written in the notice, and the same instant in UTC."""

    kind: DeadlineKind
    written: str  # as written: "2019-11-15+01:00" / "2019-11-15T12:00:00+01:00"
    utc: dt.datetime  # timezone-aware, UTC
    placeholder: bool = False  # far in the future (a known trap of real data): kept, not trusted

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "written": self.written,
            "utc": self.utc.isoformat(),
            "placeholder": self.placeholder,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Lot:
    """One lot (BT-137) with its own title, codes, places, deadline and value."""

    lot_id: str
    title: dict[str, str]  # language (ISO 639-1) → text
    cpv: tuple[str, ...]  # 8 digits each, main first
    nuts: tuple[str, ...]
    deadline: Deadline | None
    estimated_value: Decimal | None
    currency: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.lot_id,
            "title": dict(self.title),
            "cpv": list(self.cpv),
            "nuts": list(self.nuts),
            "deadline": self.deadline.as_json() if self.deadline else None,
            "estimated_value": _decimal(self.estimated_value),
            "currency": self.currency,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """BT-758 (the notice this one changes) and BT-140 (a cancellation or change reason)."""

    changes_notice_id: str | None
    reason_code: str | None
    description: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "changes_notice_id": self.changes_notice_id,
            "reason_code": self.reason_code,
            "description": dict(self.description),
        }


@dataclasses.dataclass(frozen=True, slots=True)
class NoticeRecord:
    """One notice, normalised. Texts are keyed by lower-case ISO 639-1 language."""

    notice_id: str
    version: str
    procedure_id: str
    publication_number: str | None  # OPP-010 without leading zeros: "150049-2018"
    notice_type: str  # BT-02, e.g. "cn-standard"; OCDS: the release tag
    notice_subtype: str | None  # OPP-070 / efac:NoticeSubType, e.g. "16", "E3"
    role: NoticeRole
    procedure_type: str | None  # BT-105, e.g. "open"
    language: str  # BT-702, ISO 639-1 lower case
    title: dict[str, str]
    description: dict[str, str]
    buyer_name: str | None
    buyer_country: str | None  # ISO 3166-1 alpha-2
    cpv_main: str | None
    cpv_additional: tuple[str, ...]  # over all lots, without the main code, in order, unique
    nuts: tuple[str, ...]  # places of performance over all lots
    country: tuple[str, ...]  # ISO alpha-2, over all lots
    anywhere: bool  # BT-727 "anywhere" (or "anywhere in the country") on any lot
    deadline: Deadline | None  # the earliest lot deadline
    estimated_value: Decimal | None  # BT-27 at procedure level
    currency: str | None
    lots: tuple[Lot, ...]
    documents_url: str | None  # BT-15
    changes: Change | None
    issue_date: dt.date | None = None  # BT-05, orders notices of one procedure
    source_format: Literal["eforms", "ocds"] = "eforms"

    def as_json(self) -> dict[str, Any]:
        """The record with exactly the field names of issue 10's table (plus ``role``)."""
        return {
            "notice_id": self.notice_id,
            "version": self.version,
            "procedure_id": self.procedure_id,
            "publication_number": self.publication_number,
            "notice_type": self.notice_type,
            "notice_subtype": self.notice_subtype,
            "role": self.role,
            "procedure_type": self.procedure_type,
            "language": self.language,
            "title": dict(self.title),
            "description": dict(self.description),
            "buyer_name": self.buyer_name,
            "buyer_country": self.buyer_country,
            "cpv_main": self.cpv_main,
            "cpv_additional": list(self.cpv_additional),
            "nuts": list(self.nuts),
            "country": list(self.country),
            "anywhere": self.anywhere,
            "deadline": self.deadline.as_json() if self.deadline else None,
            "estimated_value": _decimal(self.estimated_value),
            "currency": self.currency,
            "lots": [lot.as_json() for lot in self.lots],
            "documents_url": self.documents_url,
            "changes": self.changes.as_json() if self.changes else None,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "source_format": self.source_format,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """Where a notice came from: the file or package, the member inside it, and its bytes' hash."""

    name: str  # file or package name as given (no directories beyond what the user passed)
    member: str | None  # member path inside a .zip / .tar.gz, else None
    sha256: str

    def label(self) -> str:
        return f"{self.name}:{self.member}" if self.member else self.name


@dataclasses.dataclass(frozen=True, slots=True)
class Parsed:
    """A file or package member that parsed: one record, or several from an OCDS package."""

    source: Source
    records: tuple[NoticeRecord, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Rejected:
    """A file (or member) that was refused, with a message that names it."""

    source: Source
    reason: str  # human-readable, names the file and member: "cn.xml: DOCTYPE is not allowed"


Outcome = Parsed | Rejected
