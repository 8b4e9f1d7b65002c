"""Storing parsed notices: each tender is the fold of all its notices, in publication order.

The parsers (`klinke.tenders.parsers`) give one `Outcome` per file or package member;
`do_import_outcomes` stores every new notice with its provenance and then rebuilds the
tenders it touches from all their notices. Rebuilding instead of patching makes the result
independent of the order in which notices arrive:

- the same notice again (same notice id and version) changes nothing;
- a newer version, or a change notice, replaces the fields it carries; the older notices stay
  as the tender's history;
- a result notice closes the tender, a cancellation cancels it;
- a change, result or cancellation that arrives before its original waits (without a tender)
  and is applied when the original arrives; several changes apply in publication order;
- notices with the same date (OCDS releases often share one) are ordered by role, then by
  version and notice id, so the fold is deterministic.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Literal, cast

from django.db import IntegrityError, models, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from klinke.tenders.models import Lot, Notice, NoticeRole, Tender, TenderState
from klinke.tenders.parsers.records import (
    Change,
    Deadline,
    DeadlineKind,
    NoticeRecord,
    Outcome,
    Rejected,
    Source,
)
from klinke.tenders.parsers.records import Lot as LotRecord
from klinke.tenders.parsers.records import NoticeRole as RoleName

ImportResult = Literal["new", "updated", "unchanged", "waiting"]

_ROLE_ORDER: Final[dict[str, int]] = {
    "competition": 0,
    "change": 1,
    "other": 2,
    "result": 3,
    "cancellation": 4,
}

# The tender fields a notice sets, and whether an empty value in a later notice keeps the old.
_TEXT_FIELDS: Final = (
    "publication_number",
    "notice_type",
    "notice_subtype",
    "procedure_type",
    "language",
    "buyer_name",
    "buyer_country",
    "cpv_main",
    "currency",
    "documents_url",
)


@dataclass
class ImportSummary:
    """What one import did, for the command's summary line and the tests."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    waiting: int = 0
    rejected: list[str] = field(default_factory=list)
    tender_ids: set[int] = field(default_factory=set)
    """Tenders created or changed: the ones to rank and screen again."""

    def count(self, result: ImportResult) -> None:
        setattr(self, result, getattr(self, result) + 1)


# --- records back from JSON ------------------------------------------------------------


def _deadline(data: Mapping[str, Any] | None) -> Deadline | None:
    if not data:
        return None
    return Deadline(
        kind=cast(DeadlineKind, data["kind"]),
        written=data["written"],
        utc=dt.datetime.fromisoformat(data["utc"]),
        placeholder=bool(data.get("placeholder", False)),
    )


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def record_from_json(data: Mapping[str, Any]) -> NoticeRecord:
    """The inverse of `NoticeRecord.as_json()`, for notices stored earlier."""
    changes = data.get("changes")
    issue = data.get("issue_date")
    return NoticeRecord(
        notice_id=data["notice_id"],
        version=data["version"],
        procedure_id=data["procedure_id"],
        publication_number=data.get("publication_number"),
        notice_type=data.get("notice_type") or "",
        notice_subtype=data.get("notice_subtype"),
        role=cast(RoleName, data.get("role", "other")),
        procedure_type=data.get("procedure_type"),
        language=data.get("language") or "",
        title=dict(data.get("title") or {}),
        description=dict(data.get("description") or {}),
        buyer_name=data.get("buyer_name"),
        buyer_country=data.get("buyer_country"),
        cpv_main=data.get("cpv_main"),
        cpv_additional=tuple(data.get("cpv_additional") or ()),
        nuts=tuple(data.get("nuts") or ()),
        country=tuple(data.get("country") or ()),
        anywhere=bool(data.get("anywhere")),
        deadline=_deadline(data.get("deadline")),
        estimated_value=_decimal(data.get("estimated_value")),
        currency=data.get("currency"),
        lots=tuple(
            LotRecord(
                lot_id=lot["id"],
                title=dict(lot.get("title") or {}),
                cpv=tuple(lot.get("cpv") or ()),
                nuts=tuple(lot.get("nuts") or ()),
                deadline=_deadline(lot.get("deadline")),
                estimated_value=_decimal(lot.get("estimated_value")),
                currency=lot.get("currency"),
            )
            for lot in data.get("lots") or ()
        ),
        documents_url=data.get("documents_url"),
        changes=Change(
            changes_notice_id=changes.get("changes_notice_id"),
            reason_code=changes.get("reason_code"),
            description=dict(changes.get("description") or {}),
        )
        if changes
        else None,
        issue_date=dt.date.fromisoformat(issue) if issue else None,
        source_format=data.get("source_format", "eforms"),
    )


# --- the fold --------------------------------------------------------------------------


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (0, version)


def notice_order(notice: Notice) -> tuple[dt.date, int, tuple[int, str], str, int]:
    return (
        notice.issue_date or dt.date.min,
        _ROLE_ORDER.get(notice.role, 2),
        _version_key(notice.version),
        notice.notice_id,
        notice.pk or 0,
    )


@dataclass
class TenderValues:
    """The tender as its notices describe it, before it is written."""

    fields: dict[str, Any]
    lots: dict[str, LotRecord]
    notices: list[Notice]


def _apply_content(
    values: dict[str, Any], lots: dict[str, LotRecord], record: NoticeRecord
) -> None:
    """Fields that a competition or change notice carries replace the earlier ones."""
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if value:
            values[name] = value
    values["notice_id"] = record.notice_id
    values["notice_version"] = record.version
    if record.issue_date:
        values["issue_date"] = record.issue_date
    for name in ("title", "description"):
        texts = getattr(record, name)
        if texts:
            values[name] = dict(texts)
    if record.cpv_main:
        values["cpv_additional"] = list(record.cpv_additional)
    if record.nuts or record.country or record.anywhere:
        values["nuts"] = list(record.nuts)
        values["countries"] = list(record.country)
        values["anywhere"] = record.anywhere
    if record.deadline is not None:
        values["deadline"] = record.deadline.utc
        values["deadline_written"] = record.deadline.written
        values["deadline_kind"] = record.deadline.kind
        values["deadline_placeholder"] = record.deadline.placeholder
    if record.estimated_value is not None:
        values["estimated_value"] = record.estimated_value
    if record.lots:
        lots.clear()
        lots.update({lot.lot_id: lot for lot in record.lots})
    # Additional codes of the lots count too: CPV-only matching misses notices otherwise.
    codes = [values.get("cpv_main") or "", *values.get("cpv_additional", [])]
    for lot in lots.values():
        codes += lot.cpv
    main = values.get("cpv_main") or ""
    values["cpv_additional"] = [c for c in dict.fromkeys(codes) if c and c != main]


def fold(notices: Iterable[Notice]) -> TenderValues | None:
    """The tender that these notices (of one procedure) describe, or None without an original."""
    ordered = sorted(notices, key=notice_order)
    base = next((n for n in ordered if n.role == NoticeRole.COMPETITION), None)
    if base is None:
        return None
    values: dict[str, Any] = {
        "procedure_id": base.procedure_id,
        "state": TenderState.OPEN,
        "cancellation_reason": "",
    }
    lots: dict[str, LotRecord] = {}
    _apply_content(values, lots, record_from_json(base.record))
    for notice in ordered:
        if notice is base:
            continue
        record = record_from_json(notice.record)
        if notice.role in (NoticeRole.COMPETITION, NoticeRole.CHANGE):
            _apply_content(values, lots, record)
        elif notice.role == NoticeRole.RESULT:
            if values["state"] == TenderState.OPEN:
                values["state"] = TenderState.CLOSED
        elif notice.role == NoticeRole.CANCELLATION:
            values["state"] = TenderState.CANCELLED
            change = record.changes
            reason = ""
            if change is not None:
                reason = change.reason_code or ""
                text = change.description.get("de") or change.description.get("en") or ""
                reason = " – ".join(part for part in (reason, text) if part)
            values["cancellation_reason"] = reason[:500]
    return TenderValues(values, lots, ordered)


_DEFAULTS: Final[dict[str, Any]] = {
    "title": {},
    "description": {},
    "cpv_additional": [],
    "nuts": [],
    "countries": [],
    "anywhere": False,
    "deadline": None,
    "deadline_written": "",
    "deadline_kind": "",
    "deadline_placeholder": False,
    "estimated_value": None,
    "issue_date": None,
    **dict.fromkeys(_TEXT_FIELDS, ""),
}


def _fitted(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Texts cut to their column's length: PostgreSQL refuses longer ones, SQLite would not."""
    fitted = dict(values)
    for name, value in values.items():
        column = model._meta.get_field(name)
        limit = getattr(column, "max_length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            fitted[name] = value[:limit]
    return fitted


def _lot_rows(tender: Tender, lots: Mapping[str, LotRecord]) -> list[Lot]:
    return [
        Lot(
            tender=tender,
            lot_id=lot.lot_id[:60],
            title=dict(lot.title),
            cpv=list(lot.cpv),
            nuts=list(lot.nuts),
            deadline=lot.deadline.utc if lot.deadline else None,
            deadline_written=lot.deadline.written if lot.deadline else "",
            estimated_value=lot.estimated_value,
            currency=(lot.currency or "")[:3],
        )
        for lot in lots.values()
    ]


def _lot_signature(rows: Iterable[Lot]) -> list[tuple[object, ...]]:
    return sorted(
        (
            r.lot_id,
            sorted(r.title.items()),
            list(r.cpv),
            list(r.nuts),
            r.deadline,
            r.deadline_written,
            r.estimated_value,
            r.currency,
        )
        for r in rows
    )


def rebuild_tender(procedure_id: str) -> tuple[Tender | None, bool, bool]:
    """Fold the procedure's notices into its tender: (tender, created, changed)."""
    originals = Notice.objects.filter(procedure_id=procedure_id).values("notice_id")
    notices = list(
        Notice.objects.filter(
            Q(procedure_id=procedure_id) | Q(changes_notice_id__in=Subquery(originals))
        ).select_related("tender")
    )
    folded = fold(notices)
    if folded is None:
        return None, False, False
    values = _fitted(Tender, {**_DEFAULTS, **folded.fields})
    # Every notice folded before is linked to the tender, so the tender comes with them.
    tender = next((n.tender for n in notices if n.tender is not None), None)
    if tender is not None and tender.procedure_id != procedure_id:
        tender = Tender.objects.filter(procedure_id=procedure_id).first()
    created = tender is None
    changed = created
    if tender is None:
        tender = Tender(**values)
        tender.save()
    else:
        for name, value in values.items():
            if getattr(tender, name) != value:
                setattr(tender, name, value)
                changed = True
        if changed:
            tender.updated_at = timezone.now()
            tender.save()
    rows = _lot_rows(tender, folded.lots)
    if created:
        Lot.objects.bulk_create(rows)
    elif _lot_signature(rows) != _lot_signature(tender.lots.all()):
        tender.lots.all().delete()
        Lot.objects.bulk_create(rows)
        changed = True
    linked = Notice.objects.filter(pk__in=[n.pk for n in folded.notices]).exclude(tender=tender)
    if linked.update(tender=tender):
        changed = True
    return tender, created, changed


def _store(record: NoticeRecord, source: Source) -> Notice | None:
    """The new notice row, or None when this version of the notice is already stored."""
    if Notice.objects.filter(notice_id=record.notice_id, version=record.version).exists():
        return None
    # Another import that stores the same notice meanwhile makes this insert fail; the
    # caller's savepoint rolls back and the retry finds the notice stored.
    return _create_notice(record, source)


def _create_notice(record: NoticeRecord, source: Source) -> Notice:
    values = {
        "notice_id": record.notice_id,
        "version": record.version,
        "procedure_id": record.procedure_id,
        "changes_notice_id": (record.changes.changes_notice_id or "") if record.changes else "",
        "role": record.role,
        "notice_type": record.notice_type,
        "issue_date": record.issue_date,
        "record": record.as_json(),
        "source_name": source.name,
        "source_member": source.member or "",
        "sha256": source.sha256,
    }
    return Notice.objects.create(**_fitted(Notice, values))


def _procedure_of(notice: Notice) -> str:
    """A change names its original; its tender is the original's procedure if they differ."""
    if notice.changes_notice_id:
        original = (
            Notice.objects.filter(notice_id=notice.changes_notice_id)
            .values_list("procedure_id", flat=True)
            .first()
        )
        if original:
            return original
    return notice.procedure_id


@transaction.atomic
def import_record(record: NoticeRecord, source: Source) -> tuple[ImportResult, Tender | None]:
    notice = _store(record, source)
    if notice is None:
        return "unchanged", None
    procedure_id = _procedure_of(notice)
    tender, created, changed = rebuild_tender(procedure_id)
    if tender is None:
        return "waiting", None
    if created:
        return "new", tender
    return ("updated" if changed else "unchanged"), tender


RETRIES: Final = 5
"""Each failed attempt means another import committed the same notice or tender first."""


def _import_with_retries(
    record: NoticeRecord, source: Source
) -> tuple[ImportResult, Tender | None]:
    for _attempt in range(RETRIES - 1):
        try:
            return import_record(record, source)
        except IntegrityError:
            # Another import stored this notice or created its tender meanwhile (its savepoint
            # is rolled back); the next attempt sees what it committed.
            continue
    return import_record(record, source)


BATCH: Final = 100
"""Files imported in one transaction; each notice still gets its own savepoint."""


def do_import_outcomes(
    outcomes: Iterable[Outcome], *, progress: Callable[[Outcome], None] | None = None
) -> ImportSummary:
    """Store every parsed notice and update the tenders; rejected files are only counted.

    Outcomes are committed in batches (a commit per notice costs SQLite an fsync each), and
    each notice has its own savepoint: a notice that fails leaves the others of its batch, and
    a repeated import picks up where an interrupted one stopped.
    """
    summary = ImportSummary()
    pending = iter(outcomes)
    while batch := list(itertools.islice(pending, BATCH)):
        with transaction.atomic():
            for outcome in batch:
                _import_outcome(outcome, summary)
                if progress is not None:
                    progress(outcome)
    return summary


def _import_outcome(outcome: Outcome, summary: ImportSummary) -> None:
    if isinstance(outcome, Rejected):
        summary.rejected.append(outcome.reason)
        return
    for record in outcome.records:
        result, tender = _import_with_retries(record, outcome.source)
        summary.count(result)
        if tender is not None and result in ("new", "updated"):
            summary.tender_ids.add(tender.pk)
