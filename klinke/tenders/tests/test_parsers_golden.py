"""Every fixture's normalised output, compared with a committed golden file.

The other parser tests check the fields a reader can see in each notice; this one pins all of the
output (every record's ``as_json()``, every rejection's reason), so that making the parser faster
cannot change what it produces without a diff of ``parsers_golden.json`` in review. The golden
file was written by the parser before it was tuned for speed. After an intended change, rewrite
it and commit it with the change::

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest klinke/tenders/tests/test_parsers_golden.py

Pure test: no database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from klinke.tenders.parsers import Parsed, Source, parse_bytes

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).with_name("parsers_golden.json")
FILES = sorted(
    path.relative_to(FIXTURES).as_posix()
    for path in [*FIXTURES.glob("eforms/*.xml"), *FIXTURES.glob("ocds/*.json")]
)


def output(name: str) -> dict[str, Any]:
    outcome = parse_bytes((FIXTURES / name).read_bytes(), Source(name=name, member=None, sha256=""))
    if isinstance(outcome, Parsed):
        return {"records": [record.as_json() for record in outcome.records]}
    return {"rejected": outcome.reason}


def render(outputs: dict[str, Any]) -> str:
    return json.dumps(outputs, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def golden() -> dict[str, Any]:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        GOLDEN.write_text(render({name: output(name) for name in FILES}), encoding="utf-8")
    assert GOLDEN.exists(), "no golden file yet: run with UPDATE_SNAPSHOTS=1"
    pinned: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return pinned


def test_it_pins_every_fixture_and_only_those() -> None:
    assert sorted(golden()) == FILES
    assert len([name for name in FILES if name.startswith("eforms/")]) >= 20
    assert len([name for name in FILES if name.startswith("ocds/")]) >= 2


@pytest.mark.parametrize("name", FILES)
def test_it_normalises_each_fixture_as_the_golden_file_says(name: str) -> None:
    assert output(name) == golden()[name]


def test_it_pins_records_and_rejections_alike() -> None:
    pinned = golden()

    assert pinned["eforms/INVALID_cn_24_empty.xml"].keys() == {"rejected"}
    assert pinned["ocds/ocds-213czf-000-00001.json"]["records"][0]["source_format"] == "ocds"
    assert all(
        len(pinned[name]["records"]) == 1
        for name in FILES
        if name.startswith("eforms/") and "INVALID" not in name
    )
