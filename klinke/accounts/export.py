"""A person's export of everything klinke holds about them (GDPR articles 15 and 20).

The person asks (`do_request_personal_export`); the worker claims the request, asks every app's
registered exporter (`klinke.core.personal_data`) for its files, writes one .zip with a JSON
file per kind and a bilingual README.txt into private storage, and mails the person a link.
The link works for its owner only and for `EXPORT_DAYS` days; then a job deletes the file.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import zipfile
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from klinke.accounts.models import PersonalExport, PersonalExportState, User
from klinke.core.mail import send_notification
from klinke.core.personal_data import ExportFile, registered_personal_data

logger = logging.getLogger(__name__)

EXPORT_DAYS = 7
STALE_CLAIM = timedelta(hours=1)
"""A claim older than this belongs to a worker that died: the request is built again."""

README_HEAD = """klinke – your data / deine Daten
================================

This archive holds everything klinke held about you on {when}, one JSON file per kind.
Dieses Archiv enthält alles, was klinke am {when} über dich gespeichert hatte, eine
JSON-Datei pro Art.

Never included / nie enthalten: passwords, API token secrets, second-factor secrets.
Passwörter, Geheimnisse von API-Tokens und zweiten Faktoren sind nie enthalten.

"""


def export_storage() -> FileSystemStorage:
    """Private storage outside every served folder; only the download view reads it."""
    return FileSystemStorage(location=settings.PERSONAL_EXPORTS_ROOT)


def collect_files(user: User) -> list[ExportFile]:
    """Every registered app's files for `user`, lowest app first."""
    return [file for entry in registered_personal_data() for file in entry.export(user)]


def build_archive(user: User) -> bytes:
    """The .zip: `<kind>.json` per file and a README.txt explaining each, in both languages."""
    files = collect_files(user)
    readme = [README_HEAD.format(when=timezone.now().date().isoformat())]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.writestr(
                f"{file.name}.json",
                json.dumps(file.content, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            )
            readme.append(f"{file.name}.json\n  {file.about_en}\n  {file.about_de}\n\n")
        archive.writestr("README.txt", "".join(readme))
    return buffer.getvalue()


def do_request_personal_export(*, user: User) -> PersonalExport:
    """Ask for an export; a request still waiting for the worker is not asked twice."""
    with transaction.atomic():
        waiting = (
            PersonalExport.objects.select_for_update()
            .filter(
                user=user,
                state__in=[PersonalExportState.REQUESTED, PersonalExportState.BUILDING],
            )
            .first()
        )
        if waiting is not None:
            return waiting
        return PersonalExport.objects.create(user=user)


def _claim(export: PersonalExport, now: datetime) -> bool:
    claimable = Q(state=PersonalExportState.REQUESTED) | Q(
        state=PersonalExportState.BUILDING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        PersonalExport.objects.filter(claimable, pk=export.pk).update(
            state=PersonalExportState.BUILDING, claimed_at=now
        )
    )


def do_build_personal_exports() -> int:
    """The worker's job: build every requested export, store it privately, mail its link."""
    now = timezone.now()
    waiting = PersonalExport.objects.filter(
        Q(state=PersonalExportState.REQUESTED)
        | Q(state=PersonalExportState.BUILDING, claimed_at__lt=now - STALE_CLAIM)
    ).select_related("user")
    built = 0
    for export in waiting:
        if not _claim(export, now):
            continue  # another worker took it
        user = export.user
        try:
            archive = build_archive(user)
        except Exception:
            # One person's broken data must not stop the others' exports; they can ask again.
            logger.exception("building the personal data export %s failed", export.pk)
            PersonalExport.objects.filter(pk=export.pk).update(state=PersonalExportState.FAILED)
            continue
        name = export_storage().save(
            f"{user.pk}/klinke-{secrets.token_hex(16)}.zip", ContentFile(archive)
        )
        ready_at = timezone.now()
        export.file_name = name
        export.size = export_storage().size(name)
        export.state = PersonalExportState.READY
        export.ready_at = ready_at
        export.expires_at = ready_at + timedelta(days=EXPORT_DAYS)
        export.save(update_fields=["file_name", "size", "state", "ready_at", "expires_at"])
        send_notification(
            to=user.email,
            template="accounts/email/export_ready",
            context={
                "recipient": user,
                "download_url": settings.SITE_URL + export.get_absolute_url(),
                "expires_at": export.expires_at,
            },
            language=user.language,
        )
        built += 1
    return built


def delete_export_files(exports: Iterable[PersonalExport]) -> None:
    storage = export_storage()
    for export in exports:
        if export.file_name:
            storage.delete(export.file_name)


def do_forget_expired_exports() -> int:
    """The worker's job: delete every export whose link has run out, file and row."""
    expired = list(PersonalExport.objects.expired(timezone.now()))
    delete_export_files(expired)
    PersonalExport.objects.filter(pk__in=[export.pk for export in expired]).delete()
    return len(expired)
