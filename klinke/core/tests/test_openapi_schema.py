"""The published OpenAPI schema of /api/v1, compared with a committed snapshot.

A change to the API's shape shows up as a diff of ``openapi_snapshot.json`` in review. After an
intended change, rewrite the snapshot and commit it with the change::

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest klinke/core/tests/test_openapi_schema.py

The snapshot is pretty-printed JSON with sorted keys, so diffs stay small and stable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")
SCHEMA_URL = "/api/v1/openapi.json"


def render(schema: Any) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def fetch_schema() -> Any:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_it_matches_the_committed_snapshot() -> None:
    """No database marker: the schema must be built without touching the database."""
    current = render(fetch_schema())

    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1"
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "the OpenAPI schema changed; if intended, rerun with UPDATE_SNAPSHOTS=1 and commit "
        f"{SNAPSHOT.name}"
    )


def test_it_documents_the_directory_endpoints_and_the_token() -> None:
    schema = fetch_schema()

    assert {
        "/api/v1/topics/",
        "/api/v1/collectives/",
        "/api/v1/collectives/{slug}",
        "/api/v1/supporters/",
        "/api/v1/supporters/{slug}",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenOrSession"] == {
        "type": "http",
        "scheme": "bearer",
    }
    list_parameters = {
        p["name"] for p in schema["paths"]["/api/v1/collectives/"]["get"]["parameters"]
    }
    assert {"q", "topic", "region", "language", "limit", "offset"} <= list_parameters
    collective = schema["components"]["schemas"]["CollectiveOut"]["properties"]
    assert {"red_lines", "capacity_person_days_per_month", "members"} <= set(collective)
