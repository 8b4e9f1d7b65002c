import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from klinke.network.serialization import export_network


class Command(BaseCommand):
    help = "Write the network (topics, collectives, supporters) as a klinke network file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", type=Path, help="file to write; standard output when left out"
        )

    def handle(self, *args: str, **options: object) -> None:
        text = json.dumps(export_network(), ensure_ascii=False, indent=2) + "\n"
        output = options["output"]
        if isinstance(output, Path):
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
