"""The input rules, checked over every operation the OpenAPI document describes.

Generated from the document itself, so a new endpoint is covered the day it is added:
- a NUL in any text field of any request body answers 422 naming the field, and writes nothing;
- bidirectional controls sent in any text field never come back;
- `limit` and `offset` of every paginated list are bounded (422, never 500);
- every `q` of every list answers stop words, operators, NUL and very long queries;
- `null` for any list field of any PATCH/PUT body is refused with 422;
- a number beyond the database's integers in any body is refused with 422;
- no two schema classes share an OpenAPI component name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from ninja import Schema

from klinke.api import api
from klinke.conftest import Network
from klinke.core.api_schemas import MAX_QUERY_LENGTH, InputSchema
from klinke.core.tests.api_seed import API, path_value, seed

DOCUMENT: dict[str, Any] = api.get_openapi_schema()
COMPONENTS: dict[str, Any] = DOCUMENT["components"]["schemas"]

HOSTILE_QUERIES = [
    "the",
    "und",
    "die",
    "OR",
    "AND",
    "NEAR",
    "the und die OR",
    '"',
    '"unclosed',
    "*",
    "-",
    "(",
    ")",
    "a OR b AND NOT c",
    "NEAR(a b)",
    "!!! ??? ...",
    "%",
    "_",
    "\\",
    "'; DROP TABLE x; --",
    "x" * 5000,
    "word " * 400,
    "a\x00b",
    "\x00",
    "\u202eevil",
    "日本語 ✓ 🧑‍💻",
]

HUGE = "9223372036854775808"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            variants = [s for s in schema[key] if s.get("type") != "null"]
            return _resolve(variants[0])
    return schema


def _sample(schema: dict[str, Any]) -> Any:
    """A value of the right type, enough to pass parsing."""
    schema = _resolve(schema)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _sample(props[name]) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2030-01-01T10:00:00"
    if schema.get("format") == "date":
        return "2030-01-01"
    return "x"


def _text_fields(schema: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(location in the body, value holding `marker` there) for every text field, nested too."""
    schema = _resolve(schema)
    for name, prop in schema.get("properties", {}).items():
        resolved = _resolve(prop)
        if resolved.get("type") == "string" and "format" not in resolved:
            yield (name,), "{}"
        elif resolved.get("type") == "array":
            item = _resolve(resolved.get("items", {}))
            if item.get("type") == "string":
                yield (name, 0), "[]"
            elif item.get("type") == "object":
                for inner, _shape in _text_fields(item):
                    yield (name, 0, *inner), "[{}]"


def _body_with(schema: dict[str, Any], location: tuple[str | int, ...], value: str) -> Any:
    body = _sample(schema)
    name = location[0]
    assert isinstance(name, str)
    if len(location) == 1:
        body[name] = value
    elif len(location) == 2:
        body[name] = [value]
    else:
        item = _sample(_resolve(_resolve(schema)["properties"][name])["items"])
        item[location[2]] = value
        body[name] = [item]
    return body


def _operations(methods: set[str]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            if method in methods:
                found.append((method, path, operation))
    return found


def _body_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    schema: dict[str, Any] = body["content"]["application/json"]["schema"]
    return schema


BODY_OPERATIONS = [
    (method, path, operation)
    for method, path, operation in _operations({"post", "put", "patch"})
    if _body_schema(operation) is not None
]
LIST_OPERATIONS = _operations({"get"})


def _url(path: str, seeded: dict[str, Any]) -> str:
    url = path
    for name in [p["name"] for p in _params(path)]:
        url = url.replace("{" + name + "}", str(path_value(path, name, seeded)))
    return url


def _params(path: str) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for operation in DOCUMENT["paths"][path].values():
        params.extend(p for p in operation.get("parameters", []) if p["in"] == "path")
    return params


def _call(method: str, url: str, token: str, data: Any = None, query: Any = None) -> Any:
    return Client().generic(
        method.upper(),
        url + ("?" + query if query else ""),
        json.dumps(data) if data is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "collectives",
            "contacts",
            "exchange",
            "knowledge",
            "workbench",
            "workshops",
            "supporters",
        }
    }


@pytest.fixture
def seeded(network: Network) -> dict[str, Any]:
    return seed(network)


def test_it_covers_request_bodies_with_text_fields() -> None:
    """The generated tests below must have something to chew on."""
    assert len(BODY_OPERATIONS) > 30
    assert sum(1 for *_, op in BODY_OPERATIONS for _ in _text_fields(_body_schema(op) or {})) > 80


@pytest.mark.parametrize(("method", "path", "operation"), BODY_OPERATIONS)
def test_it_applies_the_input_rules_to_every_text_and_list_field_of_every_write(
    method: str, path: str, operation: dict[str, Any], seeded: dict[str, Any]
) -> None:
    """One test per operation (the seeding is the slow part): NUL refused naming the field and
    nothing written; bidi controls never given back; null for a list field refused."""
    schema = _body_schema(operation)
    assert schema is not None
    url = _url(path, seeded)
    _refuses_nul(method, path, url, schema, seeded["token"])
    _strips_bidi(method, path, url, schema, seeded["token"])
    _refuses_null_lists(method, path, url, schema, seeded["token"])
    _refuses_huge_numbers(method, path, url, schema, seeded["token"])


def _refuses_huge_numbers(
    method: str, path: str, url: str, schema: dict[str, Any], token: str
) -> None:
    before = _row_counts()
    for name, prop in _resolve(schema).get("properties", {}).items():
        variants = prop.get("anyOf", [prop])
        if not any(_resolve(v).get("type") == "integer" for v in variants):
            continue
        for number in (2**31, -(2**31) - 1, 2**63, 10**30):
            body = _sample(schema)
            body[name] = number
            response = _call(method, url, token, body)
            assert response.status_code == 422, (method, path, name, number, response.content)
    assert _row_counts() == before, (method, path)


def _refuses_nul(method: str, path: str, url: str, schema: dict[str, Any], token: str) -> None:
    before = _row_counts()
    for location, _shape in _text_fields(schema):
        # Two characters: within every length limit, so the NUL is what is refused.
        response = _call(method, url, token, _body_with(schema, location, "a\x00"))
        assert response.status_code == 422, (method, path, location, response.content)
        errors = response.json()["detail"]
        names = tuple(part for part in location if isinstance(part, str))
        assert any(
            tuple(p for p in error["loc"] if isinstance(p, str))[-len(names) :] == names
            and "NUL" in error["msg"]
            for error in errors
        ), (method, path, location, errors)
    assert _row_counts() == before, (method, path)


def _strips_bidi(method: str, path: str, url: str, schema: dict[str, Any], token: str) -> None:
    for location, _shape in _text_fields(schema):
        value = "Ma\u202eria\u2066 \u200fMuster"
        response = _call(method, url, token, _body_with(schema, location, value))
        assert response.status_code < 500, (method, path, location, response.content)
        text = response.content.decode()
        assert "\u202e" not in text and "\\u202e" not in text, (method, path, location)


def _refuses_null_lists(
    method: str, path: str, url: str, schema: dict[str, Any], token: str
) -> None:
    for name, prop in _resolve(schema).get("properties", {}).items():
        variants = prop.get("anyOf", [prop])
        if not any(_resolve(v).get("type") == "array" for v in variants):
            continue
        body = _sample(schema)
        body[name] = None
        response = _call(method, url, token, body)
        # Refused, unless the schema says the list may be null (meaning "leave unchanged").
        nullable = any(v.get("type") == "null" for v in variants)
        assert response.status_code < 500, (method, path, name, response.content)
        if not nullable:
            assert response.status_code == 422, (method, path, name, response.content)


PAGINATED = [
    (path, operation)
    for method, path, operation in LIST_OPERATIONS
    if {"limit", "offset"} <= {p["name"] for p in operation.get("parameters", [])}
]


def test_it_finds_the_paginated_lists() -> None:
    assert len(PAGINATED) >= 15


@pytest.mark.parametrize(("path", "operation"), PAGINATED)
def test_it_bounds_limit_and_offset_of_every_list(
    path: str, operation: dict[str, Any], seeded: dict[str, Any]
) -> None:
    url = _url(path, seeded)
    assert _call("get", url, seeded["token"], query="limit=5&offset=0").status_code == 200
    for query in [
        f"offset={HUGE}",
        f"limit={HUGE}",
        "offset=-1",
        "limit=0",
        "limit=-5",
        "limit=101",
        "offset=1000001",
        f"offset=-{HUGE}",
    ]:
        response = _call("get", url, seeded["token"], query=query)
        assert response.status_code == 422, (path, query, response.content)
    assert _call("get", url, seeded["token"], query="offset=1000000").status_code == 200


SEARCHABLE = [
    path
    for method, path, operation in LIST_OPERATIONS
    if "q" in {p["name"] for p in operation.get("parameters", [])}
]


def test_it_finds_every_api_search() -> None:
    assert {
        "/api/v1/collectives/",
        "/api/v1/supporters/",
        "/api/v1/knowledge/articles",
        "/api/v1/knowledge/questions",
        "/api/v1/workbench/{collective}/contacts",
        "/api/v1/workbench/{collective}/organisations",
        "/api/v1/workbench/{collective}/leads",
        "/api/v1/workshops/ideas",
        "/api/v1/workshops/events",
    } <= set(SEARCHABLE)


@pytest.mark.parametrize("path", SEARCHABLE)
def test_it_answers_hostile_queries_on_every_api_search(path: str, seeded: dict[str, Any]) -> None:
    from urllib.parse import urlencode

    url = _url(path, seeded)
    for token in (seeded["token"], None):
        for text in HOSTILE_QUERIES:
            if token is None:
                response = Client().get(url, {"q": text})
            else:
                response = _call("get", url, token, query=urlencode({"q": text}))
            # Anonymous callers get 401 on members-only lists, a NUL is refused (422 naming
            # the parameter) or ignored; never a server error.
            refused = len(text) > MAX_QUERY_LENGTH
            allowed = (422,) if "\x00" in text else (200, 401, 422) if refused else (200, 401)
            assert response.status_code in allowed, (path, text[:40], response.content[:300])


def test_it_finds_stop_word_only_articles_in_the_newest_first_order(
    seeded: dict[str, Any],
) -> None:
    for text in ("the", "und", "die", "OR"):
        response = Client().get(f"{API}/knowledge/articles", {"q": text})
        assert response.status_code == 200, text
    response = _call("get", f"{API}/knowledge/articles", seeded["token"], query="q=the")
    assert [a["slug"] for a in response.json()["items"]] == [seeded["article_slug"]]


def _schema_classes(base: type) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def test_it_gives_every_schema_class_its_own_component_name() -> None:
    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes(Schema):
        if cls.__module__.startswith("klinke."):
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert not shared


def test_it_documents_the_body_each_answer_endpoint_reads() -> None:
    def body(path: str) -> set[str]:
        operation = DOCUMENT["paths"][path]["post"]
        schema = _body_schema(operation)
        assert schema is not None
        return set(_resolve(schema)["properties"])

    assert body("/api/v1/introductions/{introduction_id}/accept") == {
        "message",
        "phone",
        "channel",
    }
    assert body("/api/v1/introductions/{introduction_id}/decline") == {
        "message",
        "phone",
        "channel",
    }
    assert body("/api/v1/knowledge/questions/{pk}/answers") == {"body"}
    assert body("/api/v1/workbench/{collective}/referrals/{referral_id}/accept") == {"message"}


def test_it_builds_every_request_body_on_the_input_schema() -> None:
    for _method, path, operation in BODY_OPERATIONS:
        schema = _body_schema(operation)
        assert schema is not None
        name = schema["$ref"].rsplit("/", 1)[1]
        classes = [c for c in _schema_classes(Schema) if c.__name__ == name]
        assert classes and all(issubclass(c, InputSchema) for c in classes), (path, name)


def test_it_accepts_a_documented_answer_body(seeded: dict[str, Any]) -> None:
    url = f"{API}/knowledge/questions/{seeded['question_id']}/answers"
    response = _call("post", url, seeded["token"], {"body": "Pauschal."})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("method", "path", "operation"), _operations({"get", "delete", "post"}))
def test_it_refuses_a_nul_or_a_huge_number_in_every_query_and_path_parameter(
    method: str, path: str, operation: dict[str, Any], seeded: dict[str, Any]
) -> None:
    url = _url(path, seeded)
    before = _row_counts()
    for param in operation.get("parameters", []):
        name = param["name"]
        if param["in"] == "query":
            response = _call(method, url, seeded["token"], query=f"{name}=a%00")
            expected = ["query", name]
        else:
            response = _call(method, path.replace("{" + name + "}", "a%00"), seeded["token"])
            expected = ["path"]
        assert response.status_code == 422, (method, path, name, response.content)
        assert response.json()["detail"][0]["loc"] == expected
        if param["in"] == "query" and _resolve(param["schema"]).get("type") == "integer":
            response = _call(method, url, seeded["token"], query=f"{name}={10**30}")
            assert response.status_code < 500, (method, path, name, response.content)
    assert _row_counts() == before
