"""`manage.py import_tenders PATH...`: read notices from files, folders and packages, store them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from klinke.tenders.actions import do_refresh_all_inboxes
from klinke.tenders.importing import ImportSummary, do_import_outcomes
from klinke.tenders.parsers.records import Outcome


def summary_lines(summary: ImportSummary) -> list[str]:
    lines = [
        f"new: {summary.new}, updated: {summary.updated}, unchanged: {summary.unchanged}, "
        f"waiting for their original: {summary.waiting}, rejected: {len(summary.rejected)}"
    ]
    lines += [f"rejected: {reason}" for reason in summary.rejected]
    return lines


class Command(BaseCommand):
    help = (
        "Import public tender notices (eForms XML, OCDS JSON) from files, folders, .zip and "
        ".tar.gz packages. Importing the same notices again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files, folders or packages")
        parser.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        # The parser is its own package; importing it here keeps `manage.py --help` cheap.
        from klinke.tenders.parsers import read_paths

        outcomes: Iterator[Outcome] = read_paths(options["paths"])
        with tqdm(
            unit=" files", disable=options["no_progress"], file=self.stderr._out, leave=False
        ) as bar:
            summary = do_import_outcomes(outcomes, progress=lambda _outcome: bar.update())
        refreshed = do_refresh_all_inboxes(tender_ids=summary.tender_ids)
        for line in summary_lines(summary):
            self.stdout.write(line)
        self.stdout.write(f"inboxes refreshed: {refreshed}")
        if summary.rejected:
            self.stderr.write(f"{len(summary.rejected)} file(s) rejected, see above")
