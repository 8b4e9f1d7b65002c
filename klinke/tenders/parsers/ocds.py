"""OCDS 1.1 release and record packages (JSON) → one ``NoticeRecord`` per contracting process.

Releases of one ``ocid`` are compiled into one record with ``ocdsmerge``, the OCDS maintainers'
reference implementation, using the release schema shipped next to this module (OCDS 1.1.5; see
README.md), so nothing is downloaded at run time. Its errors are reported by name. A record
package's own ``compiledRelease`` is used when its releases are only links.

Numbers are read as ``Decimal`` straight from the JSON text, never through a float.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import warnings
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import ocdsmerge
from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning

from klinke.tenders.parsers.codes import country_alpha2, cpv_code, language_alpha2
from klinke.tenders.parsers.errors import NoticeError
from klinke.tenders.parsers.records import (
    Change,
    Deadline,
    Lot,
    NoticeRecord,
    NoticeRole,
)

__all__ = ["NoticeRecord", "parse_package"]

RELEASE_SCHEMA: Final = Path(__file__).with_name("ocds-release-schema.json")
PLACEHOLDER_AFTER = dt.timedelta(days=2 * 366)

# The latest release's tag decides what the compiled record does to a tender.
_ROLE_OF_TAG: Final[dict[str, NoticeRole]] = {
    "tender": "competition",
    "tenderAmendment": "change",
    "tenderUpdate": "change",
    "tenderCancellation": "cancellation",
    "award": "result",
    "awardUpdate": "result",
    "awardCancellation": "result",
    "contract": "result",
    "contractUpdate": "result",
    "contractAmendment": "result",
    "implementation": "result",
    "implementationUpdate": "result",
    "contractTermination": "result",
}
_DOCUMENT_TYPES = ("biddingDocuments", "tenderNotice")


@functools.cache
def _merger() -> ocdsmerge.Merger:
    schema = json.loads(RELEASE_SCHEMA.read_text(encoding="utf-8"))
    return ocdsmerge.Merger(schema=schema)


def _reject_constant(name: str) -> None:
    raise NoticeError(f"{name} is not a number JSON allows")


def _load(data: bytes) -> Any:
    try:
        return json.loads(data, parse_float=Decimal, parse_constant=_reject_constant)
    except UnicodeDecodeError as error:
        raise NoticeError(f"not valid UTF-8 JSON: {error.reason} at byte {error.start}") from None
    except json.JSONDecodeError as error:
        raise NoticeError(
            f"not well-formed JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None


def parse_package(data: bytes) -> tuple[NoticeRecord, ...]:
    """A release package or a record package, compiled per ``ocid``."""
    package = _load(data)
    if not isinstance(package, dict):
        raise NoticeError("not an OCDS package (the JSON is not an object)")
    if isinstance(package.get("releases"), list):
        return _from_releases(package["releases"])
    if isinstance(package.get("records"), list):
        return tuple(_from_record(record, index) for index, record in enumerate(package["records"]))
    raise NoticeError("not an OCDS package: neither 'releases' nor 'records' is a list")


def _from_releases(releases: list[Any]) -> tuple[NoticeRecord, ...]:
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for index, release in enumerate(releases):
        if not isinstance(release, dict) or not isinstance(release.get("ocid"), str):
            raise NoticeError(f"release {index} has no 'ocid'")
        by_ocid.setdefault(release["ocid"], []).append(release)
    if not by_ocid:
        raise NoticeError("the package holds no releases")
    return tuple(_compile(ocid, group) for ocid, group in by_ocid.items())


def _from_record(record: Any, index: int) -> NoticeRecord:
    if not isinstance(record, dict) or not isinstance(record.get("ocid"), str):
        raise NoticeError(f"record {index} has no 'ocid'")
    releases = record.get("releases")
    if isinstance(releases, list) and releases and all(_is_full(r) for r in releases):
        return _compile(record["ocid"], releases)
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return _to_record(record["ocid"], compiled, latest=compiled)
    raise NoticeError(
        f"record {record['ocid']}: its releases are only links and it has no compiledRelease"
    )


def _is_full(release: Any) -> bool:
    """A release itself, not a linked release (``{"url": …, "date": …, "tag": …}``)."""
    return isinstance(release, dict) and "ocid" in release and "id" in release


# The parts of a release the record is made from (``None``: the whole value; a list: an array
# whose objects keep these keys). Merging works path by path, so leaving out the rest (planning,
# awards, contracts, the tender's milestones, items' units and addresses, documents' titles, the
# parties' contact points, …) changes none of these, and compiling a long history gets several
# times faster. Objects in arrays keep their "id": the merge pairs them up by it. A value of
# another shape than expected is kept whole, for the merge to judge.
Shape = dict[str, "Shape | list[Shape] | None"]
_READ: Final[Shape] = {
    "ocid": None,
    "id": None,
    "date": None,
    "tag": None,
    "language": None,
    "buyer": {"id": None, "name": None},
    "parties": [{"id": None, "name": None, "address": {"countryName": None}}],
    "tender": {
        "status": None,
        "statusDetails": None,
        "procurementMethod": None,
        "title": None,
        "description": None,
        "value": None,
        "tenderPeriod": {"endDate": None},
        "items": [
            {
                "id": None,
                "relatedLot": None,
                "classification": None,
                "additionalClassifications": None,
            }
        ],
        "lots": [{"id": None, "title": None, "value": None, "tenderPeriod": {"endDate": None}}],
        "documents": [{"id": None, "url": None, "documentType": None}],
        "amendments": None,  # the last one is read: none may go missing
    },
}


def _slim(value: Any, shape: Shape | list[Shape] | None = _READ) -> Any:
    """The parts of ``value`` that ``shape`` names (the release itself, at the top)."""
    if shape is None:
        return value
    if isinstance(shape, list):
        if not isinstance(value, list):
            return value
        return [_slim(item, shape[0]) for item in value]
    if not isinstance(value, dict):
        return value  # ocdsmerge reports a release that is no object (NonObjectReleaseError)
    return {key: _slim(item, shape[key]) for key, item in value.items() if key in shape}


def _compile(ocid: str, releases: list[dict[str, Any]]) -> NoticeRecord:
    try:
        with warnings.catch_warnings():
            # Duplicate ids inside one array are common in published data and merge well enough.
            warnings.simplefilter("ignore", OCDSMergeWarning)
            compiled = _merger().create_compiled_release([_slim(r) for r in releases])
    except OCDSMergeError as error:
        raise NoticeError(f"{ocid}: OCDS merge failed: {type(error).__name__}: {error}") from None
    except TypeError:  # ocdsmerge keys array objects by their "id": an object or array crashes it
        raise NoticeError(f"{ocid}: OCDS merge failed: an 'id' is an object or array") from None
    # ocdsmerge sorts by date with a stable sort, so of releases with equal dates the one that
    # comes last in the package is the latest, as it is in the compiled release.
    latest = sorted(releases, key=lambda release: str(release.get("date")))[-1]
    return _to_record(ocid, compiled, latest=latest)


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _moment(text: str, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise NoticeError(f"{field}: {text!r} is not a date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _amount(value: Any, field: str) -> tuple[Decimal | None, str | None]:
    amount = _object(value).get("amount")
    if amount is None:
        return None, None
    if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)):
        raise NoticeError(f"{field}: {amount!r} is not a number")
    return Decimal(amount), _text(_object(value).get("currency"))


def _cpv(classification: Any) -> str | None:
    classification = _object(classification)
    if str(classification.get("scheme", "")).upper() != "CPV":
        return None
    return cpv_code(str(classification.get("id", "")))


def _to_record(
    ocid: str, compiled: Mapping[str, Any], *, latest: Mapping[str, Any]
) -> NoticeRecord:
    tender = _object(compiled.get("tender"))
    tags = [tag for tag in _list(latest.get("tag")) if isinstance(tag, str)]
    notice_type = tags[0] if tags else "compiled"
    role: NoticeRole = _ROLE_OF_TAG.get(notice_type, "other")
    if tender.get("status") == "cancelled":
        role = "cancellation"
    language = language_alpha2(str(compiled.get("language") or "en")[:2]) or "en"
    date_text = _text(compiled.get("date"))
    if date_text is None:
        raise NoticeError(f"{ocid}: the release has no date")
    issued = _moment(date_text, "date").date()

    cpvs: list[str] = []
    item_cpvs: dict[str, list[str]] = {}
    for item in _list(tender.get("items")):
        item = _object(item)
        codes = [code for code in [_cpv(item.get("classification"))] if code]
        codes += [c for a in _list(item.get("additionalClassifications")) if (c := _cpv(a))]
        cpvs += codes
        if lot_id := _text(item.get("relatedLot")):
            item_cpvs.setdefault(lot_id, []).extend(codes)

    deadline = _deadline(tender, issued)
    lots = []
    for lot in _list(tender.get("lots")):
        lot = _object(lot)
        lot_id = _text(lot.get("id"))
        if lot_id is None:
            continue
        value, currency = _amount(lot.get("value"), "lot value")
        title = _text(lot.get("title"))
        lots.append(
            Lot(
                lot_id=lot_id,
                title={language: title} if title else {},
                cpv=tuple(dict.fromkeys(item_cpvs.get(lot_id, []))),
                nuts=(),
                deadline=_deadline(lot, issued) or deadline,
                estimated_value=value,
                currency=currency,
            )
        )

    buyer = _object(compiled.get("buyer"))
    party = next(
        (
            _object(p)
            for p in _list(compiled.get("parties"))
            if buyer.get("id") and _object(p).get("id") == buyer.get("id")
        ),
        {},
    )
    country_name = _text(_object(party.get("address")).get("countryName"))
    value, currency = _amount(tender.get("value"), "tender value")
    unique = tuple(dict.fromkeys(cpvs))
    title = _text(tender.get("title"))
    description = _text(tender.get("description"))
    return NoticeRecord(
        notice_id=str(compiled.get("id") or f"{ocid}-{date_text}"),
        version=date_text,
        procedure_id=ocid,
        publication_number=None,
        notice_type=notice_type,
        notice_subtype=None,
        role=role,
        procedure_type=_text(tender.get("procurementMethod")),
        language=language,
        title={language: title} if title else {},
        description={language: description} if description else {},
        buyer_name=_text(buyer.get("name")) or _text(party.get("name")),
        buyer_country=country_alpha2(country_name) if country_name else None,
        cpv_main=unique[0] if unique else None,
        cpv_additional=unique[1:],
        nuts=(),
        country=(),
        anywhere=False,
        deadline=deadline,
        estimated_value=value,
        currency=currency,
        lots=tuple(lots),
        documents_url=_documents_url(tender),
        changes=_changes(tender, role, language),
        issue_date=issued,
        source_format="ocds",
    )


def _deadline(holder: Mapping[str, Any], issued: dt.date) -> Deadline | None:
    end = _text(_object(holder.get("tenderPeriod")).get("endDate"))
    if end is None:
        return None
    utc = _moment(end, "tenderPeriod.endDate").astimezone(dt.UTC)
    return Deadline(
        kind="BT-131",
        written=end,
        utc=utc,
        placeholder=utc.date() > issued + PLACEHOLDER_AFTER,
    )


def _documents_url(tender: Mapping[str, Any]) -> str | None:
    documents = [_object(d) for d in _list(tender.get("documents"))]
    for document_type in _DOCUMENT_TYPES:
        for document in documents:
            url = _text(document.get("url"))
            is_web = url is not None and url.startswith(("https://", "http://"))
            if document.get("documentType") == document_type and is_web:
                return url
    return None


def _changes(tender: Mapping[str, Any], role: NoticeRole, language: str) -> Change | None:
    if role not in ("change", "cancellation"):
        return None
    amendments = [_object(a) for a in _list(tender.get("amendments"))]
    last = amendments[-1] if amendments else {}
    rationale = _text(last.get("rationale")) or _text(tender.get("statusDetails"))
    return Change(
        changes_notice_id=_text(last.get("amendsReleaseID")),
        reason_code="cancel" if role == "cancellation" else None,
        description={language: rationale} if rationale else {},
    )
