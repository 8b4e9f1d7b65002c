from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klinke.collectives.models import Collective
from klinke.workbench.actions import do_import_workbench
from klinke.workbench.portability import WorkbenchArchiveError, read_workbench_archive


class Command(BaseCommand):
    help = (
        "Import a workbench archive (.zip, exported from a collective's workbench on this or "
        "another klinke instance) into the collective SLUG. Records keep their ids where they "
        "are free; importing the same archive again updates instead of duplicating. The whole "
        "archive is checked first, and nothing is written when any part is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--collective", required=True, help="slug of the collective")

    def handle(self, *args: str, **options: object) -> None:
        path = options["archive"]
        assert isinstance(path, Path)
        collective = Collective.objects.filter(slug=str(options["collective"])).first()
        if collective is None:
            raise CommandError(f"There is no collective {options['collective']!r}.")
        try:
            archive = read_workbench_archive(path.read_bytes())
            counts = do_import_workbench(collective=collective, archive=archive)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except WorkbenchArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {collective.slug}: created {sum(counts.created.values())}, "
                f"updated {sum(counts.updated.values())}, "
                f"skipped {sum(counts.skipped.values())} ({counts.skipped or 'none'})."
            )
        )
