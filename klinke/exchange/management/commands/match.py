import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from klinke.exchange import candidates
from klinke.exchange.models import Need, Offer


class Command(BaseCommand):
    help = (
        "Print ranked suggestions with scores and reasons: for a need, the offers and "
        "supporters that could help; for an offer, the needs it could answer. Refs are the "
        "stable refs of the network file (or of the page address)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("side", choices=["need", "offer"])
        parser.add_argument("ref")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--language", choices=["de", "en"], default="en")

    def handle(self, *args: str, **options: object) -> None:
        limit, ref, language = options["limit"], options["ref"], options["language"]
        assert isinstance(limit, int) and isinstance(ref, str) and isinstance(language, str)
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        if options["side"] == "need":
            need = Need.objects.select_related("collective").filter(ref=ref).first()
            if need is None:
                raise CommandError(f"No need with ref {ref!r}.")
            ranked = candidates.rank_helpers_for_need(need, limit=limit)
        else:
            offer = Offer.objects.select_related("supporter", "collective").filter(ref=ref).first()
            if offer is None:
                raise CommandError(f"No offer with ref {ref!r}.")
            ranked = candidates.rank_needs_for_offer(offer, limit=limit)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps([m.as_dict() for m in ranked], ensure_ascii=False, indent=2)
            )
            return
        with translation.override(language):
            for position, match in enumerate(ranked, start=1):
                self.stdout.write(
                    f"{position:>2}. {match.score:.3f}  {match.type:<9} {match.ref}  {match.name}"
                )
                self.stdout.write("      " + " · ".join(match.reason_texts))
                for entry in match.also:
                    self.stdout.write(
                        f"      + {entry.score:.3f}  {entry.type:<9} {entry.ref}  {entry.name}"
                    )
        if not ranked:
            self.stdout.write("No suggestions.")
