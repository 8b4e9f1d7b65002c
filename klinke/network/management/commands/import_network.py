from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klinke.network.serialization import NetworkFileError, do_import_network, read_network_file


class Command(BaseCommand):
    help = (
        "Import collectives, supporters and topics from a klinke network file (JSON, see "
        "docs/network-format.md). Atomic, and idempotent by slug."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the network file to import")

    def handle(self, *args: str, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)  # argparse made it one
        try:
            summary = do_import_network(read_network_file(path))
        except NetworkFileError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported: {summary}"))
