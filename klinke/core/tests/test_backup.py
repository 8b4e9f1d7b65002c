"""Backups that restore: the demo network plus an uploaded file, backed up and restored into a
second database, row for row and file for file, on whichever database the suite runs on.

The demo is loaded, backed up and restored once for the module (it takes seconds); the data is
committed because pg_dump reads from its own connection, so the module flushes the database
when it is done (post_migrate seeds the topics and the steward group again).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from klinke.core import fragments
from klinke.core.backup import (
    MANIFEST,
    MEDIA_PART,
    BackupError,
    do_restore,
    postgres_counts,
    sqlite_counts,
)

# Every test is a django_db test, so pytest-django sets the test database up and keeps the
# module's tests together; each runs in a transaction over the committed round trip.
pytestmark = pytest.mark.django_db

UPLOAD = b"%PDF-1.4\n% Demo-Folien: Akquise fuer Kollektive\n"


@dataclass
class RoundTrip:
    backup: Path
    media: Path
    restored_media: Path
    target: dict[str, Any]
    manifest: dict[str, Any]


def _target_rows(target: dict[str, Any]) -> dict[str, list[str]]:
    if connection.vendor == "sqlite":
        db = sqlite3.connect(target["NAME"], detect_types=sqlite3.PARSE_DECLTYPES)
        try:
            return _rows(db, sqlite_counts(db))
        finally:
            db.close()
    import psycopg

    from klinke.core.backup import _psycopg_parameters

    with psycopg.connect(**_psycopg_parameters(target)) as pg:
        return _rows(pg, postgres_counts(pg))


def _source_rows() -> dict[str, list[str]]:
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        return _rows(raw, sqlite_counts(raw))
    # The same plain psycopg connection as for the target (Django loads jsonb differently).
    return _target_rows(dict(connection.settings_dict))


def _value(value: object) -> object:
    # The two connections may name UTC differently; the instant is what must survive.
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _rows(db: Any, counts: dict[str, int]) -> dict[str, list[str]]:
    return {
        table: sorted(
            repr(tuple(_value(value) for value in row))
            for row in db.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
        )
        for table in counts
    }


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _empty_target(tmp: Path, name: str) -> dict[str, Any]:
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp / f"{name}.sqlite3")
        return settings_dict
    import psycopg

    from klinke.core.backup import _psycopg_parameters

    settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_{name}"
    with psycopg.connect(**_psycopg_parameters(connection.settings_dict)) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
        pg.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    return settings_dict


def _drop_target(target: dict[str, Any]) -> None:
    if connection.vendor == "postgresql":
        import psycopg

        from klinke.core.backup import _psycopg_parameters

        with psycopg.connect(**_psycopg_parameters(connection.settings_dict)) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


@pytest.fixture(scope="module")
def round_trip(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RoundTrip]:
    tmp = tmp_path_factory.mktemp("backup")
    media = tmp / "media"
    restored_media = tmp / "restored-media"
    with (
        django_db_blocker.unblock(),
        override_settings(
            DEBUG=True,
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        call_command("load_demo", stdout=io.StringIO())
        from klinke.workshops.models import Event, Material

        event = Event.objects.order_by("pk").first()
        assert event is not None
        material = Material(
            event=event,
            title="Folien",
            original_name="folien.pdf",
            content_type="application/pdf",
            size=len(UPLOAD),
        )
        material.file.save("folien.pdf", ContentFile(UPLOAD), save=True)
        target = _empty_target(tmp, "restored")
        backup = tmp / "backup"
        call_command("backup", str(backup), stdout=io.StringIO())
        do_restore(source=backup, database=target, media_root=restored_media)
        try:
            yield RoundTrip(
                backup=backup,
                media=media,
                restored_media=restored_media,
                target=target,
                manifest=json.loads((backup / MANIFEST).read_text()),
            )
        finally:
            _drop_target(target)
            # flush sends post_migrate, which seeds the topics and the steward group again.
            call_command("flush", "--no-input", stdout=io.StringIO())


def test_it_restores_every_table_row_for_row(round_trip: RoundTrip) -> None:
    source = _source_rows()
    restored = _target_rows(round_trip.target)

    assert set(restored) == set(source)
    assert len(source["collectives_collective"]) >= 12
    assert source["workshops_material"]
    for table, rows in source.items():
        assert restored[table] == rows, table


def test_it_restores_every_uploaded_file_with_its_hash(round_trip: RoundTrip) -> None:
    originals = _file_hashes(round_trip.media)

    assert hashlib.sha256(UPLOAD).hexdigest() in originals.values()
    assert _file_hashes(round_trip.restored_media) == originals


def test_it_writes_a_manifest_with_counts_and_hashes(round_trip: RoundTrip) -> None:
    manifest = round_trip.manifest

    assert manifest["database_vendor"] == connection.vendor
    assert manifest["klinke_version"]
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["counts"]["workshops_material"] == 1
    assert manifest["counts"] == {table: len(rows) for table, rows in _source_rows().items()}
    for name, digest in manifest["parts"].items():
        assert hashlib.sha256((round_trip.backup / name).read_bytes()).hexdigest() == digest
    assert MEDIA_PART in manifest["parts"]


def test_it_refuses_a_database_that_is_not_empty(round_trip: RoundTrip, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="not empty"):
        do_restore(source=round_trip.backup, database=round_trip.target, media_root=tmp_path / "m")

    assert not (tmp_path / "m").exists()


def test_it_refuses_media_that_is_not_empty(round_trip: RoundTrip) -> None:
    with pytest.raises(BackupError, match="already holds files"):
        do_restore(
            source=round_trip.backup, database=round_trip.target, media_root=round_trip.media
        )


def test_it_replaces_a_database_when_forced(round_trip: RoundTrip, tmp_path: Path) -> None:
    do_restore(
        source=round_trip.backup,
        database=round_trip.target,
        media_root=round_trip.restored_media,
        force=True,
    )

    assert _target_rows(round_trip.target) == _source_rows()


def test_it_checks_every_hash_before_restoring(round_trip: RoundTrip, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(round_trip.backup, tampered)
    with (tampered / MEDIA_PART).open("ab") as archive:
        archive.write(b"\0")
    target = _empty_target(tmp_path, "tampered")
    try:
        with pytest.raises(BackupError, match="does not match its sha256"):
            do_restore(source=tampered, database=target, media_root=tmp_path / "media")

        assert _target_rows(target) == {}
        assert not (tmp_path / "media").exists()
    finally:
        _drop_target(target)


def test_it_refuses_a_folder_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no readable manifest\.json"):
        call_command("restore", str(tmp_path))


def test_it_refuses_to_back_up_into_a_folder_that_holds_files(round_trip: RoundTrip) -> None:
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(round_trip.backup))


def test_it_refuses_a_backup_of_another_vendor(round_trip: RoundTrip, tmp_path: Path) -> None:
    other = dict(round_trip.target, ENGINE="django.db.backends.postgresql")
    if connection.vendor == "postgresql":
        other = dict(round_trip.target, ENGINE="django.db.backends.sqlite3")

    with pytest.raises(BackupError, match="the target is"):
        do_restore(source=round_trip.backup, database=other, media_root=tmp_path / "m")


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_it_restores_through_the_command(round_trip: RoundTrip, tmp_path: Path) -> None:
    target = _empty_target(tmp_path, "command")
    out = io.StringIO()
    try:
        with override_settings(DATABASES={"default": target}, MEDIA_ROOT=tmp_path / "media"):
            call_command("restore", str(round_trip.backup), stdout=out)

        assert "Restored the backup" in out.getvalue()
        assert _target_rows(target) == _source_rows()
        assert _file_hashes(tmp_path / "media") == _file_hashes(round_trip.media)
    finally:
        _drop_target(target)


def test_it_tells_kept_page_parts_that_the_database_changed(
    round_trip: RoundTrip, tmp_path: Path
) -> None:
    # pg_restore and SQLite's backup write behind Django's connections, unseen by the
    # generation of kept page parts (klinke.core.fragments): the restore moves it on itself.
    target = _empty_target(tmp_path, "generation")
    tables = ["collectives_collective", "django_session", "auth_user"]
    before = fragments.generation(tables)
    try:
        do_restore(source=round_trip.backup, database=target, media_root=tmp_path / "media")
    finally:
        _drop_target(target)
    assert fragments.generation(tables) != before


def test_it_refuses_uploaded_files_that_leave_their_folder(
    round_trip: RoundTrip, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile"
    shutil.copytree(round_trip.backup, hostile)
    with tarfile.open(hostile / MEDIA_PART, "w") as archive:
        payload = b"owned"
        member = tarfile.TarInfo("../../outside.txt")
        member.size = len(payload)
        archive.addfile(member, io.BytesIO(payload))
    manifest = json.loads((hostile / MANIFEST).read_text())
    manifest["parts"][MEDIA_PART] = hashlib.sha256((hostile / MEDIA_PART).read_bytes()).hexdigest()
    (hostile / MANIFEST).write_text(json.dumps(manifest))
    target = _empty_target(tmp_path, "hostile")
    try:
        with pytest.raises(BackupError, match="path klinke refuses"):
            do_restore(source=hostile, database=target, media_root=tmp_path / "media")

        assert _target_rows(target) == {}
        assert not (tmp_path / "media").exists()
        assert not (tmp_path / "outside.txt").exists()
    finally:
        _drop_target(target)
