"""The shared test support does what the race and API tests rely on."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse

from klinke.conftest import Network
from klinke.testing import StatusWatch, api_client, run_at_once


def test_it_releases_all_calls_together_and_returns_results_in_order() -> None:
    started = threading.Barrier(3)  # fails with BrokenBarrierError unless all three run at once

    def call(value: int) -> int:
        started.wait(timeout=5)
        return value

    assert run_at_once([lambda: call(1), lambda: call(2), lambda: call(3)]) == [1, 2, 3]


def test_it_hands_back_an_exception_instead_of_a_result() -> None:
    def refuse() -> Any:
        raise ValueError("refused")

    first, second = run_at_once([lambda: "ok", refuse])
    assert first == "ok"
    assert isinstance(second, ValueError) and str(second) == "refused"


def test_it_fails_when_a_call_hangs() -> None:
    release = threading.Event()
    try:
        with pytest.raises(AssertionError, match="still running"):
            run_at_once([lambda: release.wait(5), lambda: None], timeout=0.2)
    finally:
        release.set()


def test_it_gives_an_api_client_that_acts_as_the_user(network: Network) -> None:
    hidden = "/api/v1/collectives/verborgen"
    assert network.client_for(None).get(hidden).status_code == 404
    assert api_client(network.alice).get(hidden).status_code == 200
    assert api_client(network.outsider).get(hidden).status_code == 404


def test_it_reports_an_error_response_whose_status_was_never_read() -> None:
    watch = StatusWatch()
    page = watch.watch(HttpResponseNotFound("<p>Nothing here</p>"), {"PATH_INFO": "/x/"})
    assert "secret" not in page.content.decode()  # would pass on the 404 page
    assert watch.unread_errors() == ["GET /x/ answered 404"]


def test_it_accepts_an_error_response_whose_status_was_read() -> None:
    watch = StatusWatch()
    response = watch.watch(JsonResponse({"detail": "Forbidden"}, status=403))
    assert response.status_code == 403
    assert b"Forbidden" in response.content
    assert watch.unread_errors() == []


def test_it_does_not_ask_for_the_status_of_a_successful_page() -> None:
    watch = StatusWatch()
    watch.watch(HttpResponse("fine"))
    assert watch.unread_errors() == []
