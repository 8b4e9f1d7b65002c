"""The shared test support does what the race and API tests rely on."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from klinke.conftest import Network
from klinke.testing import api_client, run_at_once


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
