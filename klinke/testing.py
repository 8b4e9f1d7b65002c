"""Test support shared by every app's tests: token clients and calls raced in threads.

Personas and services (SMTP, the browser) are fixtures in `klinke/conftest.py`; these are plain
functions a test calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest
from django.db import connection, connections
from django.test import Client

from klinke.accounts.models import APIToken

T = TypeVar("T")

# Races against row locks: SQLite runs one writer at a time and has no SELECT … FOR UPDATE.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time and has no SELECT … FOR UPDATE; "
    "run with DATABASE_URL=postgres://… to race against row locks",
)


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


class _Watched:
    """Mixed into a test client's response: remembers whether the test read its status."""

    @property
    def status_code(self) -> int:
        self.__dict__["status_read"] = True
        code: int = self.__dict__["watched_status"]
        return code

    @status_code.setter
    def status_code(self, value: int) -> None:
        self.__dict__["watched_status"] = value


_watched_classes: dict[type, type] = {}


def _watched_class(cls: type) -> type:
    if cls not in _watched_classes:
        _watched_classes[cls] = type(f"Watched{cls.__name__}", (_Watched, cls), {})
    return _watched_classes[cls]


class StatusWatch:
    """Which error responses a test received without ever reading their status."""

    def __init__(self) -> None:
        self.responses: list[tuple[str, Any]] = []

    def watch(self, response: Any, environ: dict[str, Any] | None = None) -> Any:
        environ = environ or {}
        code = response.status_code
        response.__class__ = _watched_class(type(response))
        response.__dict__.update(watched_status=code, status_read=False)
        request = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '?')}"
        self.responses.append((request, response))
        return response

    def unread_errors(self) -> list[str]:
        return [
            f"{request} answered {response.__dict__['watched_status']}"
            for request, response in self.responses
            if response.__dict__["watched_status"] >= 400 and not response.__dict__["status_read"]
        ]


def wait_for_js(page: Any, expression: str, arg: object = None, timeout: float = 10.0) -> None:
    """Wait until a JavaScript expression (or a function of `arg`) is truthy in the page.

    Playwright's own `wait_for_function` polls inside the page with `new Function`, which
    klinke's Content-Security-Policy forbids (no 'unsafe-eval'): it fails whenever the condition
    is not true at once. `page.evaluate` goes through the DevTools protocol, which the policy
    does not govern, so this polls from Python instead.
    """
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(expression, arg) if arg is not None else page.evaluate(expression):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
