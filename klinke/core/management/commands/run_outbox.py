import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from klinke.core.outbox import deliver_outbox, outbox_settings_summary


class Command(BaseCommand):
    help = (
        "Send queued email through SMTP, retrying failures with exponential backoff. Runs until "
        "stopped; --once sends what is due and exits (for cron or systemd timers). Run one worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due, then exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["once"]:
            self.stdout.write(f"Outbox worker: {outbox_settings_summary()}")
        while True:
            close_old_connections()
            sent, failed, requeued = deliver_outbox()
            if sent or failed or requeued or options["once"]:
                self.stdout.write(f"outbox: {sent} sent, {requeued} to retry, {failed} failed")
            if options["once"]:
                return
            time.sleep(options["interval"])
