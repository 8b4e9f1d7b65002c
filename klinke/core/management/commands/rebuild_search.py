from django.core.management.base import BaseCommand, CommandParser

from klinke.core import search


class Command(BaseCommand):
    help = (
        "Recompute the search documents of every searchable row (collectives, supporters, "
        "knowledge articles and questions) from their texts, and refill the search indexes. "
        "Run it after a change of the text analysis (matching.analysis) or the lexicon."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: str, **options: object) -> None:
        using = str(options["database"])
        for model in search.registered_models():
            changed = search.rebuild(model, using=using)
            self.stdout.write(f"{model._meta.label}: {changed} search documents changed")
