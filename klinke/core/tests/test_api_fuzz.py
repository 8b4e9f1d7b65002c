"""Schemathesis against every operation of /api/v1, in-process, as a member with a token.

Each operation gets a bounded number of generated requests (valid and invalid ones), with its
path parameters pointed at real seeded objects. A request fails the test when the answer is a
server error or does not match the documented response schema. Derandomised, so a failure
repeats in CI; raise FUZZ_EXAMPLES (and narrow with FUZZ_PATH) locally to dig deeper.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from klinke.conftest import Network
from klinke.core.tests.api_seed import path_value, seed

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@contextmanager
def database_connection_kept() -> Iterator[None]:
    """Requests go through the WSGI handler, which would close the test's database connection
    at the end of each request (and with it the test transaction). Django's test client
    disconnects the same handlers around each of its requests, and connects them again, so
    this has to wrap every call, not the test."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(network: Network) -> dict[str, Any]:
    return seed(network)


# Building the schema touches no database (the snapshot test relies on that too).
schema: BaseSchema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
if os.environ.get("FUZZ_PATH"):  # a regular expression, to dig into some operations locally
    schema = schema.include(path_regex=os.environ["FUZZ_PATH"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_it_answers_every_operation_without_server_errors(
    case: Any, seeded: dict[str, Any]
) -> None:
    for name in list(case.path_parameters or {}):
        value = path_value(case.path, name, seeded)
        if value is not None:
            case.path_parameters[name] = value
    with database_connection_kept():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {seeded['token']}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
