from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klinke.core.backup import BackupError, do_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder written by `manage.py backup` into klinke's database and "
        "MEDIA_ROOT. Every part's sha256 is checked first. The database must be empty (no "
        "tables) and MEDIA_ROOT must hold no files, unless --force is given. Stop klinke first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a database and files that exist"
        )

    def handle(self, *args: str, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        try:
            manifest = do_restore(source=path, force=bool(options["force"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest.created_at} (klinke {manifest.klinke_version}, "
                f"{sum(manifest.counts.values())} rows) from {path}."
            )
        )
