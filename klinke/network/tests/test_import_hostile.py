"""Hostile network files: whatever the JSON holds, the import ends with a message naming the
place, or imports it; never a traceback, and a refused file writes nothing."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from klinke.network.serialization import (
    MAX_DEPTH,
    NetworkFileError,
    do_import_network,
    network_schema,
    parse_network_json,
)
from klinke.network.tests.test_import_exchange import counts, exchange_network

pytestmark = pytest.mark.django_db

HEADER = b'{"format": "klinke-network", "version": 1, '


def nested_arrays(depth: int) -> Any:
    value: Any = []
    for _level in range(depth):
        value = [value]
    return value


def nested_objects(depth: int) -> Any:
    value: Any = {}
    for _level in range(depth):
        value = {"a": value}
    return value


HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    10**29,
    1.5,
    -1e308,
    "",
    " ",
    "x" * 100_000,
    "\ud800",
    "a\x00b",
    "2024-02-30",
    "9999-99-99",
    [],
    {},
    ["x"],
    [None],
    nested_arrays(MAX_DEPTH + 5),
    nested_objects(MAX_DEPTH + 5),
]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        resolved: dict[str, Any] = network_schema()["$defs"][ref.rsplit("/", 1)[1]]
        return resolved
    return schema


def field_paths(schema: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[tuple[Any, ...]]:
    """Every field the schema knows under `path`, nested objects and array items included."""
    schema = _resolve(schema)
    for name, sub in schema.get("properties", {}).items():
        yield (*path, name)
        sub = _resolve(sub)
        if sub.get("type") == "object":
            yield from field_paths(sub, (*path, name))
        elif sub.get("type") == "array":
            yield (*path, name, 0)
            items = _resolve(sub.get("items", {}))
            if items.get("type") == "object":
                yield from field_paths(items, (*path, name, 0))


def all_field_paths() -> list[tuple[Any, ...]]:
    paths: list[tuple[Any, ...]] = []
    for section in ("topics", "collectives", "supporters", "needs", "offers"):
        items = network_schema()["properties"][section]["items"]
        paths.extend(field_paths(items, (section, 0)))
    return paths


def put(data: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set `value` at `path`, creating the objects and one-item arrays on the way."""
    for part, following in itertools.pairwise(path):
        if isinstance(data, list):
            while len(data) <= part:
                data.append({} if isinstance(following, str) else [])
            data = data[part]
        else:
            if not isinstance(data.get(part), (dict, list)):
                data[part] = {} if isinstance(following, str) else []
            data = data[part]
    last = path[-1]
    if isinstance(data, list):
        if data:
            data[last] = value
        else:
            data.append(value)
    else:
        data[last] = value


# The sections a record of each section refers to; the others are left out to keep it quick.
NEEDED_SECTIONS = {
    "topics": {"topics"},
    "collectives": {"topics", "collectives"},
    "supporters": {"topics", "supporters"},
    "needs": {"topics", "collectives", "needs"},
    "offers": {"topics", "collectives", "supporters", "offers"},
}


def base_network(section: str | None = None) -> dict[str, Any]:
    data = exchange_network()
    data["collectives"][0]["references"] = [{"client_type": "other", "summary": "x"}]
    if section is not None:
        for other in set(NEEDED_SECTIONS) - NEEDED_SECTIONS[section]:
            del data[other]
    return data


@pytest.mark.parametrize("path", all_field_paths(), ids=lambda p: ".".join(map(str, p)))
def test_it_never_shows_a_traceback_for_a_hostile_value_in_any_field(path: tuple[Any, ...]) -> None:
    problems: list[str] = []
    for value in HOSTILE_VALUES:
        data = copy.deepcopy(base_network(path[0]))
        put(data, path, value)
        before = counts()
        try:
            do_import_network(data)
        except NetworkFileError as exc:
            message = str(exc)
            if counts() != before:
                problems.append(f"{value!r:.40}: wrote rows before refusing")
            if len(message) > 500:
                problems.append(f"{value!r:.40}: a {len(message)}-character message")
        except Exception as exc:  # the point: anything else is a defect
            problems.append(f"{value!r:.40}: {type(exc).__name__}: {exc!s:.200}")
    assert problems == []


def test_it_checks_every_field_of_the_schema() -> None:
    paths = all_field_paths()
    # Each record type, every region field and a reference's fields are reached.
    assert ("collectives", 0, "region", "latitude") in paths
    assert ("collectives", 0, "references", 0, "year") in paths
    assert ("offers", 0, "supporter") in paths
    assert len(paths) > 80


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            HEADER + b'"topics": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "line 1, column 69: nested more than 16",
        ),
        (HEADER + b'"topics": ' + b"[" * 500 + b"]" * 500 + b"}", "nested more than"),
        (
            HEADER + b'"topics": ' + b'[{"a": ' * 3000 + b"1" + b"}]" * 3000 + b"}",
            "nested more than",
        ),
        (
            HEADER
            + b'\n"collectives": [{"slug": "a", "name": "A", "founded_year": '
            + b"9" * 100_000
            + b"}]}",
            "line 2, column 60: a number with 100000 characters",
        ),
        (HEADER + b'"collectives": [{"founded_year": 1e999}]}', "is not a finite number"),
        (HEADER + b'"collectives": [{"founded_year": NaN}]}', "'NaN' is not a finite number"),
        (HEADER + b'"collectives": [{"founded_year": -Infinity}]}', "not a finite number"),
        (
            HEADER + b'"topics": [{"slug": "a", "name_en": "\\ud800", "name_de": "A"}]}',
            "topics[0].name_en: the text contains a lone surrogate (\\ud800)",
        ),
        (
            HEADER + b'"topics": [{"slug": "a", "name_en": "x\\u0000", "name_de": "A"}]}',
            "topics[0].name_en: the text contains a NUL character",
        ),
        (HEADER + b'"topics": [{"\\udfff": 1}]}', "topics[0]: a key contains a lone surrogate"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[1, 2]", "the top level must be an object"),
    ],
)
def test_it_names_the_place_of_json_that_no_field_can_hold(raw: bytes, message: str) -> None:
    before = counts()
    with pytest.raises(NetworkFileError) as caught:
        do_import_network(parse_network_json(raw))
    assert message in str(caught.value)
    assert len(str(caught.value)) < 300
    assert counts() == before


@pytest.mark.parametrize(
    "raw",
    [
        HEADER + b'"topics": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        HEADER + b'"collectives": [{"founded_year": ' + b"1" * 100_000 + b"}]}",
        HEADER + b'"topics": [{"slug": "a", "name_en": "\\ud800", "name_de": "A"}]}',
    ],
    ids=["deep", "long-number", "surrogate"],
)
def test_it_answers_the_command_with_a_clean_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "network.json"
    path.write_bytes(raw)
    before = counts()
    with pytest.raises(CommandError, match=r"^Nothing was imported\. .*(line|topics\[0\])"):
        call_command("import_network", str(path))
    assert counts() == before


def test_it_refuses_an_impossible_expiry_date() -> None:
    data = base_network()
    data["needs"][0]["expires_on"] = "2030-02-30"
    with pytest.raises(NetworkFileError, match=r"needs\[0\].*expires_on"):
        do_import_network(data)


def test_it_still_imports_a_valid_file_after_the_checks() -> None:
    summary = do_import_network(json.loads(json.dumps(base_network())))
    assert summary.created["needs"] == 2
