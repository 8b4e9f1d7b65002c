from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klinke.core.backup import BackupError, do_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the uploaded files into the new or empty "
        "folder PATH, while klinke runs: SQLite through its online backup API, PostgreSQL "
        "through pg_dump (custom format), plus media.tar and a manifest.json with the klinke "
        "version, the time, the rows per table and the sha256 of each part."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: str, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        try:
            manifest = do_backup(target=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup of the {manifest.vendor} database ({len(manifest.counts)} tables, "
                f"{rows} rows) and the uploaded files written to {path}."
            )
        )
