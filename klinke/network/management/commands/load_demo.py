import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from klinke.network.demo_loader import do_load_demo_network
from klinke.network.demo_scale import do_load_demo_scale


class Command(BaseCommand):
    help = (
        "Load the invented demo network with its demo logins. Idempotent. For local use only: "
        "it refuses to run with DEBUG off unless --allow-production is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true")
        parser.add_argument("--all-logins", action="store_true", help="print every demo login")
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=(
                "add bulk copies of the demo up to this many times its size per kind "
                "(100: about 2,000 collectives, 20,000 supporters, 100,000 needs and offers)"
            ),
        )

    def handle(self, *args: str, **options: object) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "The demo network has well-known passwords; it is not loaded with DEBUG off."
            )
        scale = options["scale"]
        assert isinstance(scale, int)
        if scale < 1:
            raise CommandError("--scale is a whole number from 1 upwards.")
        summary, logins, password = do_load_demo_network()
        self.stdout.write(self.style.SUCCESS(f"Demo network: {summary}"))
        shown = logins if options["all_logins"] else logins[:6]
        self.stdout.write(f"Demo logins (password for all: {password}), only for local use:")
        for login in shown:
            self.stdout.write(f"  {login.email:<40} {login.roles}")
        if len(shown) < len(logins):
            self.stdout.write(f"  … and {len(logins) - len(shown)} more (--all-logins)")
        if scale > 1:
            started = time.monotonic()
            scaled = do_load_demo_scale(scale=scale, password=password)
            seconds = time.monotonic() - started
            message = f"Demo scale ×{scale}: {scaled} ({seconds:.0f} s)"
            self.stdout.write(self.style.SUCCESS(message))
