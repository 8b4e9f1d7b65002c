"""OCDS release and record packages compile into the record their releases describe.

The fixture is the OCDS sample contracting process ocds-213czf-000-00001: planned in 2009,
tendered in March 2010, its tender period extended by an amendment to 8 April 2010, awarded,
contracted and implemented. Pure tests: no database.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from klinke.tenders.parsers import Parsed, Rejected, Source, parse_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "ocds"
PACKAGE = json.loads((FIXTURES / "ocds-213czf-000-00001.json").read_text())
OCID = "ocds-213czf-000-00001"


def _parse(package) -> Parsed | Rejected:
    data = package if isinstance(package, bytes) else json.dumps(package).encode()
    return parse_bytes(data, Source(name="ocds.json", member=None, sha256="x"))


def _record(package):
    outcome = _parse(package)
    assert isinstance(outcome, Parsed), outcome
    assert len(outcome.records) == 1
    return outcome.records[0]


def test_it_compiles_the_releases_into_the_latest_state():
    record = _record((FIXTURES / "ocds-213czf-000-00001.json").read_bytes())
    assert record.source_format == "ocds"
    assert record.procedure_id == OCID
    assert record.notice_id == f"{OCID}-2011-01-10T09:30:00Z"  # ocdsmerge's compiled id
    assert record.version == "2011-01-10T09:30:00Z"
    assert record.notice_type == "implementation"
    assert record.role == "result"
    assert record.title == {"en": "Planned cycle lane improvements"}
    assert record.description == {
        "en": "Tenders solicited for work to build new cycle lanes in the centre of town."
    }
    assert record.buyer_name == "London Borough of Barnet"
    assert record.buyer_country == "GB"  # "United Kingdom"
    assert record.procedure_type == "open"
    # The amendment moved the deadline from 1 to 8 April.
    assert record.deadline is not None
    assert record.deadline.written == "2010-04-08T18:00:00Z"
    assert record.deadline.utc.isoformat() == "2010-04-08T18:00:00+00:00"
    # "45233130.0" and "45233162-2" as the sample writes them.
    assert record.cpv_main == "45233130"
    assert record.cpv_additional == ("45233162",)
    assert record.estimated_value == Decimal("1100000")
    assert isinstance(record.estimated_value, Decimal)
    assert record.currency == "GBP"
    assert record.documents_url == "http://example.com/tender-notices/ocds-213czf-000-00001-01.html"
    assert record.changes is None  # a result, not a change


def test_it_reads_the_tender_release_alone_as_a_competition():
    record = _record((FIXTURES / "ocds-213czf-000-00001-02-tender.json").read_bytes())
    assert record.role == "competition"
    assert record.notice_type == "tender"
    assert record.deadline is not None and record.deadline.written == "2010-04-01T18:00:00Z"


def test_it_reads_an_amendment_as_a_change_with_its_rationale():
    package = copy.deepcopy(PACKAGE)
    package["releases"] = package["releases"][:3]
    record = _record(package)
    assert record.role == "change"
    assert record.changes is not None
    assert record.changes.changes_notice_id == f"{OCID}-02-tender"
    assert record.changes.description == {
        "en": "The tender period has been extended in accordance with council guidelines"
    }


def test_it_reads_a_cancelled_tender_as_a_cancellation():
    package = copy.deepcopy(PACKAGE)
    package["releases"] = package["releases"][:2]
    package["releases"][1]["tender"]["status"] = "cancelled"
    assert _record(package).role == "cancellation"


def test_it_compiles_releases_with_equal_dates_without_crashing():
    package = copy.deepcopy(PACKAGE)
    releases = package["releases"][:3]
    for release in releases:
        release["date"] = "2010-03-15T09:30:00Z"
    package["releases"] = releases
    record = _record(package)
    # Of equal dates the last one in the package wins, as in ocdsmerge's stable sort.
    assert record.notice_type == "tenderAmendment"
    assert record.deadline is not None and record.deadline.written == "2010-04-08T18:00:00Z"


def test_it_reads_a_record_package_with_its_releases_or_its_compiled_release():
    package = {"records": [{"ocid": OCID, "releases": PACKAGE["releases"]}]}
    assert _record(package).deadline.written == "2010-04-08T18:00:00Z"
    compiled = dict(PACKAGE["releases"][1], id=f"{OCID}-compiled")
    linked = [{"url": "https://example.com/r.json", "date": "2010-03-15T09:30:00Z"}]
    package = {"records": [{"ocid": OCID, "releases": linked, "compiledRelease": compiled}]}
    assert _record(package).notice_id == f"{OCID}-compiled"


def test_it_returns_one_record_per_ocid():
    package = copy.deepcopy(PACKAGE)
    other = copy.deepcopy(package["releases"][1])
    other["ocid"] = "ocds-213czf-000-00002"
    other["tender"]["title"] = "Another tender"
    package["releases"].append(other)
    outcome = _parse(package)
    assert isinstance(outcome, Parsed)
    assert [r.procedure_id for r in outcome.records] == [OCID, "ocds-213czf-000-00002"]
    assert outcome.records[1].title == {"en": "Another tender"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p["releases"][0].pop("date"), "MissingDateKeyError"),
        (lambda p: p["releases"][0].update(date=None), "NullDateValueError"),
        (lambda p: p["releases"][0].update(date=20100315), "NonStringDateValueError"),
        (lambda p: p["releases"][1]["tender"].update(title={"en": "x"}), "InconsistentTypeError"),
        (lambda p: p["releases"][0]["parties"][0].update(id={"x": 1}), "an 'id' is an object"),
        (lambda p: p["releases"][1]["tender"]["items"][0].update(id=[1]), "an 'id' is an object"),
        (lambda p: p["releases"][0].pop("ocid"), "release 0 has no 'ocid'"),
        (lambda p: p.pop("releases"), "not an OCDS package"),
    ],
)
def test_it_reports_merge_errors_by_name(change, reason):
    package = copy.deepcopy(PACKAGE)
    change(package)
    outcome = _parse(package)
    assert isinstance(outcome, Rejected)
    assert outcome.reason.startswith("ocds.json: ")
    assert reason in outcome.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"releases": [', "not well-formed JSON"),
        (b'{"releases": [], "x": NaN}', "NaN is not a number JSON allows"),
        (b'{"releases": []}', "the package holds no releases"),
        (b'"just a string"', "not an OCDS package"),
        (b'["not", "a", "package"]', "not an OCDS package"),
        (b'{"releases": "\xff\xfe"}', "not valid UTF-8 JSON"),
    ],
)
def test_it_refuses_broken_json_with_a_clear_message(data, reason):
    outcome = _parse(data)
    assert isinstance(outcome, Rejected)
    assert reason in outcome.reason
