"""``parse_notice`` prints records as JSON and rejections on standard error, without a database.

The command object is called directly, so these tests do not need the tenders app installed, and
no test is marked ``django_db``: a query would fail them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from klinke.tenders.management.commands.parse_notice import Command

EFORMS = Path(__file__).parent / "fixtures" / "eforms"

KEYS = {
    "notice_id", "version", "procedure_id", "publication_number", "notice_type",
    "notice_subtype", "role", "procedure_type", "language", "title", "description",
    "buyer_name", "buyer_country", "cpv_main", "cpv_additional", "nuts", "country", "anywhere",
    "deadline", "estimated_value", "currency", "lots", "documents_url", "changes",
    "issue_date", "source_format",
}  # fmt: skip


def _run(*paths):
    out, err = io.StringIO(), io.StringIO()
    error = None
    try:
        call_command(Command(), *map(str, paths), "--format", "json", stdout=out, stderr=err)
    except CommandError as raised:
        error = raised
    return json.loads(out.getvalue()), err.getvalue(), error


def test_it_prints_the_records_as_a_json_array():
    records, err, error = _run(EFORMS / "cn_24_minimal.xml", EFORMS / "change-cn_24_void.xml")
    assert error is None
    assert err == ""
    assert [r["notice_id"] for r in records] == [
        "f42be27e-09cf-4f0e-a745-63ec689631e6",
        "1d192942-a4a3-4833-8775-ca38f7ec09ca",
    ]
    assert set(records[0]) == KEYS
    assert records[0]["deadline"] == {
        "kind": "BT-131",
        "written": "2020-02-04T10:00:00+02:00",
        "utc": "2020-02-04T08:00:00+00:00",
        "placeholder": False,
    }
    assert records[1]["changes"]["reason_code"] == "cancel"


def test_it_prints_decimals_as_text_and_lots_with_their_fields():
    records, _, _ = _run(EFORMS / "cn_24_maximal.xml")
    assert records[0]["estimated_value"] == "9999999.99"
    assert records[0]["lots"][0]["estimated_value"] == "9999999.99"
    assert set(records[0]["lots"][0]) == {
        "id", "title", "cpv", "nuts", "deadline", "estimated_value", "currency"
    }  # fmt: skip


def test_it_reports_rejections_on_stderr_and_fails(tmp_path):
    records, err, error = _run(EFORMS / "INVALID_cn_24_empty.xml", EFORMS / "cn_24_minimal.xml")
    assert [r["notice_id"] for r in records] == ["f42be27e-09cf-4f0e-a745-63ec689631e6"]
    assert "INVALID_cn_24_empty.xml: the notice identifier (BT-701) is missing" in err
    assert error is not None and error.returncode == 1


def test_it_needs_at_least_one_file():
    with pytest.raises(CommandError):
        call_command(Command(), stdout=io.StringIO(), stderr=io.StringIO())
