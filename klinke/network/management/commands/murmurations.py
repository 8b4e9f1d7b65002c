from django.core.management.base import BaseCommand, CommandError, CommandParser

from klinke.network.murmurations.profiles import profile_urls
from klinke.network.murmurations.registration import configured_transport, register_profiles


class Command(BaseCommand):
    help = (
        "Murmurations: `register` posts every published profile URL (public collectives that "
        "did not opt out, and their current public needs and offers) to the index in "
        "KLINKE_MURMURATIONS_INDEX_URL and withdraws profiles that are gone; `list` prints the "
        "profile URLs without contacting anyone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["register", "list"])

    def handle(self, *args: str, **options: object) -> None:
        if options["action"] == "list":
            for url in profile_urls():
                self.stdout.write(url)
            return
        transport = configured_transport()
        if transport is None:
            raise CommandError(
                "No index is configured: set KLINKE_MURMURATIONS_INDEX_URL, e.g. "
                "https://test-index.murmurations.network/v2"
            )
        result = register_profiles(transport)
        self.stdout.write(f"Murmurations: {result}.")
        for url in result.failed:
            self.stderr.write(f"  failed: {url}")
