"""``manage.py parse_notice FILE... --format json``: what the tender parsers read from files.

For inspection: prints the normalised records as one JSON array (keys exactly
``NoticeRecord.as_json()``), rejections on standard error, and exits with status 1 if anything
was rejected. It imports no models and touches no database.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klinke.tenders.parsers import Parsed, read_paths


class Command(BaseCommand):
    help = (
        "Print the normalised records of tender notices (eForms XML, OCDS JSON; files, folders, "
        ".zip and .tar.gz packages) as a JSON array, without touching the database."
    )
    # Nothing here needs the database, so no system checks that would look at it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args: str, **options: object) -> None:
        paths = options["paths"]
        assert isinstance(paths, list)
        records: list[dict[str, object]] = []
        rejected = 0
        for outcome in read_paths(paths):
            if isinstance(outcome, Parsed):
                records.extend(record.as_json() for record in outcome.records)
            else:
                rejected += 1
                self.stderr.write(outcome.reason)
        self.stdout.write(json.dumps(records, ensure_ascii=False, indent=2))
        if rejected:
            raise CommandError(f"{rejected} rejected", returncode=1)
