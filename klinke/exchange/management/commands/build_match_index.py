from django.core.management.base import BaseCommand, CommandParser

from klinke.exchange import match_index


class Command(BaseCommand):
    help = (
        "Build the shared matching index of every pool now (the worker does it on its own when "
        "there is none or when things changed). --reanalyse analyses every text again, as "
        "after a change of the text analysis."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reanalyse", action="store_true", help="forget stored analyses")

    def handle(self, *args: str, **options: object) -> None:
        for pool in match_index.POOLS:
            result = match_index.build_generation(pool, reanalyse=bool(options["reanalyse"]))
            self.stdout.write(str(result))
