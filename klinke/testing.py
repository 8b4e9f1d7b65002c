"""Test support shared by every app's tests: token clients and calls raced in threads.

Personas and services (SMTP, the browser) are fixtures in `klinke/conftest.py`; these are plain
functions a test calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections
from django.test import Client

from klinke.accounts.models import APIToken

T = TypeVar("T")


def api_client(user: Any, *, name: str = "tests") -> Client:
    """A test client that calls the JSON API with a fresh personal token of `user`."""
    _token, raw = APIToken.issue(user=user, name=name)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def run_at_once(calls: Sequence[Callable[[], T]], *, timeout: float = 30) -> list[T | Exception]:
    """Run `calls` in threads released together by a barrier; each result or its exception.

    Every thread opens its own database connection and closes it when done, so the calls race
    for real row locks (on PostgreSQL; SQLite serialises writers). A thread still running after
    `timeout` seconds fails the test: a deadlock or a missing lock timeout.
    """
    barrier = threading.Barrier(len(calls))
    results: list[T | Exception] = [RuntimeError("the call never ran")] * len(calls)

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except Exception as exc:  # handed back to the test, which asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    hung = [index for index, thread in enumerate(threads) if thread.is_alive()]
    assert not hung, f"calls {hung} were still running after {timeout} s"
    return results
