"""Backups that restore: the database and the uploaded files, with a manifest to check them by.

A backup is a folder with three parts:

- `database.sqlite3` (SQLite, written through SQLite's online backup API, so it is consistent
  while klinke keeps writing) or `database.pgdump` (PostgreSQL, `pg_dump --format=custom`,
  taken in an exported snapshot so the counts in the manifest describe exactly that dump);
- `media.tar`, the uploaded files (MEDIA_ROOT);
- `manifest.json`: klinke's version, the time, the database vendor, the rows per table and the
  sha256 of each part.

A restore checks every hash first and writes nothing when one differs. It goes into an empty
database (one without tables) and an empty MEDIA_ROOT, and refuses anything else unless forced.
Programs run with an argument list, never through a shell; the PostgreSQL password travels in
the environment (PGPASSWORD), never on a command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from klinke.core import fragments

MANIFEST = "manifest.json"
MEDIA_PART = "media.tar"
SQLITE_PART = "database.sqlite3"
POSTGRES_PART = "database.pgdump"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the operator."""


@dataclass(frozen=True)
class Manifest:
    vendor: str
    parts: dict[str, str]
    """File name → sha256 hex digest."""
    counts: dict[str, int]
    klinke_version: str
    created_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "klinke_version": self.klinke_version,
            "created_at": self.created_at,
            "database_vendor": self.vendor,
            "counts": self.counts,
            "parts": self.parts,
        }


def klinke_version() -> str:
    try:
        return version("klinke")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        # Table names come from the catalogue, quoted as identifiers.
        name: db.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0]  # noqa: S608
        for name in names
    }


def _postgres_environment(database: Mapping[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _postgres_arguments(database: Mapping[str, Any]) -> list[str]:
    arguments = []
    if database.get("HOST"):
        arguments += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    if database.get("USER"):
        arguments += ["--username", str(database["USER"])]
    return [*arguments, "--no-password"]


def _run(arguments: list[str], database: Mapping[str, Any]) -> None:
    result = subprocess.run(  # noqa: S603 - an argument list, no shell
        arguments, env=_postgres_environment(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{arguments[0]} failed: {result.stderr.strip()}")


def _write_media(media_root: Path, target: Path) -> None:
    with tarfile.open(target, "w") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=path.relative_to(media_root).as_posix())


def _backup_sqlite(alias: str, target: Path) -> dict[str, int]:
    connection = connections[alias]
    connection.ensure_connection()
    source = connection.connection
    assert isinstance(source, sqlite3.Connection)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    copy.close()
    with sqlite3.connect(target) as copy:
        counts = sqlite_counts(copy)
    copy.close()
    return counts


def _backup_postgres(alias: str, target: Path) -> dict[str, int]:
    import psycopg

    database = connections[alias].settings_dict
    # One repeatable-read transaction exports its snapshot; pg_dump dumps that snapshot and the
    # counts come from it too, so the manifest describes the dump exactly.
    with psycopg.connect(**_psycopg_parameters(database)) as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = reader.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        snapshot = str(row[0])
        counts = postgres_counts(reader)
        _run(
            [
                "pg_dump",
                *_postgres_arguments(database),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                str(database["NAME"]),
            ],
            database,
        )
        reader.rollback()
    return counts


def _psycopg_parameters(database: Mapping[str, Any]) -> dict[str, Any]:
    parameters: dict[str, Any] = {"dbname": database["NAME"], "autocommit": True}
    for key, name in (
        ("HOST", "host"),
        ("PORT", "port"),
        ("USER", "user"),
        ("PASSWORD", "password"),
    ):
        if database.get(key):
            parameters[name] = database[key]
    return parameters


def postgres_counts(db: Any) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).fetchall()
    ]
    return {
        # Table names come from the catalogue, quoted as identifiers.
        name: db.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0]  # noqa: S608
        for name in names
    }


def do_backup(*, target: Path, alias: str = "default", media_root: Path | None = None) -> Manifest:
    """Write a backup of the database `alias` and the uploaded files into the folder `target`."""
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; a backup goes into a new or empty folder.")
    target.mkdir(parents=True, exist_ok=True)
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        part = SQLITE_PART
        counts = _backup_sqlite(alias, target / part)
    elif vendor == "postgresql":
        part = POSTGRES_PART
        counts = _backup_postgres(alias, target / part)
    else:  # pragma: no cover - klinke runs on these two
        raise BackupError(f"klinke cannot back up a {vendor} database.")
    _write_media(media, target / MEDIA_PART)
    manifest = Manifest(
        vendor=vendor,
        parts={name: sha256_of(target / name) for name in (part, MEDIA_PART)},
        counts=counts,
        klinke_version=klinke_version(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    (target / MANIFEST).write_text(json.dumps(manifest.as_json(), indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(source: Path) -> Manifest:
    """The backup's manifest, after checking that every part is there with its hash."""
    try:
        data = json.loads((source / MANIFEST).read_text())
        manifest = Manifest(
            vendor=str(data["database_vendor"]),
            parts={str(name): str(digest) for name, digest in data["parts"].items()},
            counts={str(name): int(count) for name, count in data["counts"].items()},
            klinke_version=str(data["klinke_version"]),
            created_at=str(data["created_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{source} holds no readable {MANIFEST}: {exc}") from exc
    for name, digest in manifest.parts.items():
        path = source / name
        if Path(name).name != name or not path.is_file():
            raise BackupError(f"The part {name} named in the manifest is missing.")
        if sha256_of(path) != digest:
            raise BackupError(f"The part {name} does not match its sha256; nothing was restored.")
    return manifest


def _vendor(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"klinke cannot restore into {engine}.")  # pragma: no cover


def _restore_sqlite(source: Path, database: Mapping[str, Any], *, force: bool) -> None:
    target = sqlite3.connect(str(database["NAME"]))
    try:
        if not force and sqlite_counts(target):
            raise BackupError("The database is not empty; restore with --force to replace it.")
        backup = sqlite3.connect(source / SQLITE_PART)
        try:
            backup.backup(target)
        finally:
            backup.close()
    finally:
        target.close()


def _postgres_is_empty(database: Mapping[str, Any]) -> bool:
    import psycopg

    with psycopg.connect(**_psycopg_parameters(database)) as db:
        return not postgres_counts(db)


def _restore_postgres(source: Path, database: Mapping[str, Any], *, force: bool) -> None:
    empty = _postgres_is_empty(database)
    if not force and not empty:
        raise BackupError("The database is not empty; restore with --force to replace it.")
    _run(
        [
            "pg_restore",
            *_postgres_arguments(database),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *(["--clean", "--if-exists"] if not empty else []),
            f"--dbname={database['NAME']}",
            str(source / POSTGRES_PART),
        ],
        database,
    )


def _unpack_media(archive_path: Path, staging: Path) -> None:
    with tarfile.open(archive_path, "r") as archive:
        try:
            archive.extractall(staging, filter="data")
        except (tarfile.FilterError, OSError) as exc:
            raise BackupError(f"The uploaded files hold a path klinke refuses: {exc}") from exc


def _move_media(staging: Path, media_root: Path) -> None:
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            destination = media_root / path.relative_to(staging)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, destination)


def do_restore(
    *,
    source: Path,
    database: Mapping[str, Any] | None = None,
    media_root: Path | None = None,
    force: bool = False,
) -> Manifest:
    """Restore the backup folder `source` into `database` (settings) and MEDIA_ROOT.

    Without `database`, it is klinke's own (DATABASES["default"]); klinke should be stopped.
    """
    target = database if database is not None else settings.DATABASES["default"]
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    manifest = read_manifest(source)
    vendor = _vendor(target)
    if manifest.vendor != vendor:
        raise BackupError(
            f"This backup is of a {manifest.vendor} database; the target is {vendor}."
        )
    if not force and media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        raise BackupError(f"{media} already holds files; restore with --force to replace them.")
    with tempfile.TemporaryDirectory() as staging:
        # The files are unpacked (and their paths checked) before the database is touched.
        _unpack_media(source / MEDIA_PART, Path(staging))
        if vendor == "sqlite":
            _restore_sqlite(source, target, force=force)
        else:
            _restore_postgres(source, target, force=force)
        # Written behind Django's connections: page parts, sessions and users kept by running
        # processes are stale.
        fragments.bump_generation()
        media.mkdir(parents=True, exist_ok=True)
        _move_media(Path(staging), media)
    return manifest
