"""Periodic background jobs, run by `manage.py run_worker` (or `--once` from cron).

Each app may have a `jobs.py` with a `JOBS` tuple; the worker runs them all. Each job is
idempotent and claims its rows itself, so a job that runs twice, or in two places, does its
work once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


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


JOBS: tuple[Job, ...] = (Job("outbox", 5, "klinke.core.outbox.deliver_outbox"),)


def all_jobs() -> list[Job]:
    """The core jobs and every installed klinke app's `jobs.JOBS`."""
    jobs = list(JOBS)
    for config in apps.get_app_configs():
        if config.name.startswith("klinke.") and config.name != "klinke.core":
            module_name = f"{config.name}.jobs"
            if find_spec(module_name) is not None:
                jobs.extend(import_module(module_name).JOBS)
    return jobs
