"""`manage.py fetch_tenders [--date YYYY-MM-DD]`: download, save and import a day's notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from klinke.tenders.actions import do_fetch_tenders
from klinke.tenders.fetching import FetchError
from klinke.tenders.management.commands.import_tenders import summary_lines


class Command(BaseCommand):
    help = (
        "Download a day's package of tender notices from TENDER_FETCH_URL (off while it is "
        "empty), save it under TENDER_FETCH_DIR and import it. An empty or throttled answer "
        "is an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="the day to fetch (YYYY-MM-DD); yesterday by default",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"] or timezone.localdate() - dt.timedelta(days=1)
        try:
            result = do_fetch_tenders(day=day)
        except FetchError as exc:
            raise CommandError(str(exc)) from exc
        if result.path is None or result.summary is None:
            self.stdout.write(f"{day.isoformat()} was fetched before; nothing to do")
            return
        self.stdout.write(f"saved {result.path}")
        for line in summary_lines(result.summary):
            self.stdout.write(line)
