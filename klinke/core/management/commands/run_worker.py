import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from klinke.core.jobs import all_jobs
from klinke.core.outbox import outbox_settings_summary


def describe_jobs() -> str:
    """The worker's help text, naming every job of every app (from `all_jobs()`)."""
    jobs = "; ".join(f"{job.name} (every {job.every_seconds:g} s)" for job in all_jobs())
    return (
        "Run klinke's background jobs until stopped; --once runs every job once and exits "
        f"(for cron). Jobs: {jobs}. Queued email goes out through SMTP, or into .eml files when "
        "EMAIL_FILE_PATH is set, retried with backoff. Each job claims its rows, so a second "
        "worker does not send anything twice."
    )


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = describe_jobs()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once, then exit")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between checks")

    def handle(self, *args: str, **options: object) -> None:
        jobs = all_jobs()
        tick = options["tick"]
        assert isinstance(tick, int | float)  # argparse made it a float
        if not options["once"]:
            self.stdout.write(f"klinke worker: {len(jobs)} jobs, {outbox_settings_summary()}")
        last_run: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for job in jobs:
                if (
                    options["once"]
                    or now - last_run.get(job.name, -job.every_seconds) >= job.every_seconds
                ):
                    close_old_connections()
                    result = job.run()
                    last_run[job.name] = now
                    if options["once"] or (result and result != (0, 0, 0)):
                        self.stdout.write(f"{job.name}: {result}")
            if options["once"]:
                return
            time.sleep(tick)
