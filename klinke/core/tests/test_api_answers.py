"""Every API operation documents the error answers it can give, in one shape (`ErrorOut`), and
the answers klinke really sends fit that shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from klinke.core.api_schemas import ErrorOut, answers
from klinke.core.tests.test_openapi_schema import fetch_schema

METHODS = {"get", "post", "put", "patch", "delete"}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in fetch_schema()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_it_builds_a_response_declaration() -> None:
    assert answers(str, 404, 401) == {200: str, 401: ErrorOut, 404: ErrorOut}
    assert answers(None, 403, status=204) == {204: None, 403: ErrorOut}


def test_it_refuses_a_status_klinke_does_not_answer() -> None:
    with pytest.raises(ValueError, match="500"):
        answers(str, 404, 500)


def test_it_documents_the_error_answers_of_every_operation() -> None:
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for method, path, operation in operations():
        responses = operation["responses"]
        documented = {int(code) for code in responses}
        where = f"{method.upper()} {path}"
        # A wrong token is refused everywhere; writes may be refused to the wrong person.
        assert 401 in documented, where
        if method != "get":
            assert 403 in documented, where
        if "{" in path:
            assert 404 in documented, where
        for code in documented - {200, 201, 204}:
            assert responses[str(code)]["content"]["application/json"]["schema"] == error, where


@pytest.mark.django_db
def test_it_sends_errors_in_the_documented_shape(network: Any) -> None:
    anonymous = Client()
    member = network.client_for(network.alice)

    for status, response in (
        (401, anonymous.get("/api/v1/topics/", HTTP_AUTHORIZATION="Bearer klk_wrong")),
        (404, anonymous.get("/api/v1/collectives/no-such-collective")),
        (422, member.get("/api/v1/knowledge/questions/not-a-number")),
    ):
        assert response.status_code == status
        ErrorOut.model_validate(response.json())
