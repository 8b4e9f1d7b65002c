"""Periodic background jobs, run by `manage.py run_worker` (or `--once` from cron).

Each job is idempotent and claims its rows itself, so a job that runs twice, or in two places,
does its work once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    target: str
    """Dotted path to a function without arguments that returns how much it did."""

    def run(self) -> object:
        module, _dot, name = self.target.rpartition(".")
        function: Callable[[], object] = getattr(import_module(module), name)
        return function()


JOBS: tuple[Job, ...] = (
    Job("outbox", 5, "klinke.core.outbox.deliver_outbox"),
    Job("expire introductions", 600, "klinke.exchange.actions.do_expire_introductions"),
    Job("notify expired needs and offers", 3600, "klinke.exchange.actions.do_notify_expired_items"),
)
