"""A collective's private workbench as one .zip archive, to take to another klinke instance.

The archive holds, for people: the contacts as vCard 4 (`contacts.vcf`) and CSV
(`contacts.csv`, the same writers as the contacts export), leads, activities and decisions as
CSV; and for klinke, one JSON file per kind with every field (`organisations.json`,
`contacts.json`, …, `settings.json`) plus `manifest.json`. Import reads the JSON files only.

Records keep their ids: each carries its `id`, references to other records use those ids,
people are named by email (an importing instance links them to its own accounts where they are
members, and leaves the field empty otherwise), topics by slug, collectives by slug. On import
a record gets the same id when that id is free, and `ImportedRecord` remembers which local row
stands for which archive row, so importing the same archive again updates instead of
duplicating.

Reading an archive is defensive: the upload and each file have a size limit that is checked
against the bytes actually read, not the zip's header; only the file names listed here are
accepted (no folders, no `..`); and everything is checked before a single row is written.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.collectives.models import Collective
from klinke.contacts.exporting import export_contacts
from klinke.contacts.models import Contact, ContactEmail, ContactPhone, Organisation
from klinke.contacts.parsers import neutralise_cell, write_csv, write_vcards
from klinke.topics.models import Topic
from klinke.workbench.models import (
    Activity,
    Decision,
    DecisionComment,
    Lead,
    RedLine,
    Referral,
    Response,
    ScreeningOverride,
    WorkbenchSettings,
)

FORMAT = "klinke-workbench"
FORMAT_VERSION = 1
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
MAX_RECORDS = 50_000


class WorkbenchArchiveError(ValueError):
    """An archive klinke refuses; the message says why and is shown to the member."""


@dataclass(frozen=True)
class Kind:
    """One kind of record: its file, its model, and how it belongs to the collective."""

    name: str
    model: type[models.Model]
    owner: str
    """The field that ties a row to the collective, directly or through a parent kind."""
    parent: str = ""
    """The kind `owner` points to, or "" when `owner` is the collective itself."""
    skip: frozenset[str] = frozenset()
    importable: bool = True
    """Referrals are exported for the record only: each is shared with another collective,
    and an import must never write into another collective's workbench."""


KINDS: tuple[Kind, ...] = (
    Kind("organisations", Organisation, "collective", skip=frozenset({"search_document"})),
    Kind(
        "contacts",
        Contact,
        "collective",
        skip=frozenset({"search_document", "introduction"}),
    ),
    Kind("contact_emails", ContactEmail, "contact", parent="contacts"),
    Kind("contact_phones", ContactPhone, "contact", parent="contacts", skip=frozenset({"e164"})),
    Kind("red_lines", RedLine, "collective"),
    Kind("leads", Lead, "collective", skip=frozenset({"search_document"})),
    Kind("activities", Activity, "lead", parent="leads"),
    Kind("screening_overrides", ScreeningOverride, "lead", parent="leads"),
    Kind("decisions", Decision, "collective"),
    Kind("responses", Response, "decision", parent="decisions"),
    Kind("decision_comments", DecisionComment, "decision", parent="decisions"),
    Kind("referrals", Referral, "from_collective", importable=False),
    Kind("settings", WorkbenchSettings, "collective"),
)
KIND = {kind.name: kind for kind in KINDS}
MODEL_KIND = {kind.model: kind for kind in KINDS}
JSON_FILES = {f"{kind.name}.json" for kind in KINDS}
OTHER_FILES = {
    "manifest.json",
    "README.txt",
    "contacts.vcf",
    "contacts.csv",
    "leads.csv",
    "activities.csv",
    "decisions.csv",
}
ALLOWED_FILES = JSON_FILES | OTHER_FILES

README = """klinke workbench export
=======================

The private workbench of one collective, exported from klinke.

For people and other programs:
- contacts.vcf      the contacts as vCard 4.0 (RFC 6350)
- contacts.csv      the contacts as a spreadsheet (UTF-8)
- leads.csv, activities.csv, decisions.csv   the pipeline as spreadsheets

For klinke (Import on the workbench page, or `manage.py import_workbench`), one JSON list per
kind with every field: organisations, contacts, contact_emails, contact_phones, red_lines,
leads, activities, screening_overrides, decisions, responses, decision_comments,
referrals, settings.
Each record has its "id"; references to other records use those ids; people are named by
their email address, topics and collectives by their slug.

manifest.json says which collective, which instance, when, and how many of each.
The data is private to the collective's members: keep the file as safe as the workbench.
"""


# --- export --------------------------------------------------------------------------------


def rows_of(kind: Kind, collective: Collective) -> models.QuerySet[Any]:
    manager = kind.model._default_manager
    if kind.name == "referrals":
        return manager.filter(
            models.Q(from_collective=collective) | models.Q(to_collective=collective)
        ).select_related("from_collective", "to_collective", "topic")
    if kind.parent:
        parent_owner = KIND[kind.parent].owner
        return manager.filter(**{f"{kind.owner}__{parent_owner}": collective})
    return manager.filter(**{kind.owner: collective})


def _exported_fields(kind: Kind) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in kind.model._meta.concrete_fields
        if not f.primary_key
        and f.name not in kind.skip
        and not (f.name == kind.owner and not kind.parent and kind.name != "referrals")
    ]


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _record(kind: Kind, row: models.Model, lookups: dict[str, dict[int, str]]) -> dict[str, Any]:
    record: dict[str, Any] = {"id": row.pk}
    for f in _exported_fields(kind):
        if isinstance(f, models.ForeignKey):
            target_id = getattr(row, f.attname)
            target = f.related_model
            if target_id is None:
                record[f.name] = None
            elif target is get_user_model():
                record[f.name] = lookups["users"].get(target_id)
            elif target is Collective:
                record[f.name] = lookups["collectives"].get(target_id)
            elif target is Topic:
                record[f.name] = lookups["topics"].get(target_id)
            else:
                record[f.name] = target_id
        else:
            record[f.name] = _plain(getattr(row, f.attname))
    for m2m in kind.model._meta.many_to_many:
        ids = [obj.pk for obj in getattr(row, m2m.name).all()]
        if m2m.related_model is Topic:
            record[m2m.name] = sorted(lookups["topics"][pk] for pk in ids)
        else:
            record[m2m.name] = sorted(e for pk in ids if (e := lookups["users"].get(pk)))
    return record


def workbench_records(collective: Collective) -> dict[str, list[dict[str, Any]]]:
    """Every kind's records, as written to `<kind>.json`."""
    user_model = get_user_model()
    lookups = {
        "users": dict(user_model._default_manager.values_list("pk", "email")),
        "collectives": dict(Collective.objects.values_list("pk", "slug")),
        "topics": dict(Topic.objects.values_list("pk", "slug")),
    }
    records: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        rows = rows_of(kind, collective).order_by("pk")
        if kind.model._meta.many_to_many:
            rows = rows.prefetch_related(*(m.name for m in kind.model._meta.many_to_many))
        records[kind.name] = [_record(kind, row, lookups) for row in rows]
    return records


def _csv(records: Iterable[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        cells = []
        for column in columns:
            value = record.get(column)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            cells.append(neutralise_cell("" if value is None else str(value)))
        writer.writerow(cells)
    return out.getvalue()


def source_of(collective: Collective) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/collectives/{collective.slug}/"


def build_workbench_archive(collective: Collective) -> bytes:
    """The collective's workbench as the bytes of a .zip file."""
    records = workbench_records(collective)
    contacts = (
        Contact.objects.filter(collective=collective)
        .select_related("organisation")
        .prefetch_related("emails", "phones")
        .order_by("pk")
    )
    people = export_contacts(contacts)
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "source": source_of(collective),
        "collective": {"slug": collective.slug, "name": collective.name},
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "counts": {name: len(rows) for name, rows in records.items()},
    }
    lead_columns = [
        "id",
        "title",
        "stage",
        "client_name",
        "organisation",
        "contact",
        "source",
        "source_detail",
        "value_min",
        "value_max",
        "topics",
        "members",
        "next_action",
        "next_action_due",
        "closed_reason",
        "decision_outcome",
        "created_at",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", README)
        archive.writestr("contacts.vcf", write_vcards(people))
        archive.writestr("contacts.csv", write_csv(people))
        archive.writestr("leads.csv", _csv(records["leads"], lead_columns))
        archive.writestr(
            "activities.csv",
            _csv(
                records["activities"],
                ["id", "lead", "kind", "occurred_at", "by", "contact", "text"],
            ),
        )
        archive.writestr(
            "decisions.csv",
            _csv(
                records["decisions"],
                ["id", "question", "lead", "state", "outcome", "deadline", "decided_at", "details"],
            ),
        )
        for name, rows in records.items():
            archive.writestr(f"{name}.json", json.dumps(rows, indent=1, ensure_ascii=False))
    return buffer.getvalue()


def archive_response(collective: Collective) -> HttpResponse:
    """The workbench archive as a private download (also used by the API)."""
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(build_workbench_archive(collective), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{collective.slug}-workbench-{stamp}.zip"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbenchArchive:
    source: str
    collective_slug: str
    records: dict[str, list[dict[str, Any]]]


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    limit = min(MAX_FILE_BYTES, budget[0])
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise WorkbenchArchiveError(
            _("The archive unpacks to more than klinke accepts (%(file)s is too large).")
            % {"file": info.filename}
        )
    budget[0] -= len(data)
    return data


def read_workbench_archive(data: bytes) -> WorkbenchArchive:
    """Check an uploaded archive completely and return its records; nothing is written."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise WorkbenchArchiveError(_("The archive is larger than 20 MB."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise WorkbenchArchiveError(_("This is not a .zip archive.")) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > len(ALLOWED_FILES):
            raise WorkbenchArchiveError(_("The archive holds more files than an export has."))
        names = [info.filename for info in infos]
        unknown = sorted(set(names) - ALLOWED_FILES)
        if unknown or len(set(names)) != len(names):
            raise WorkbenchArchiveError(
                _("The archive holds files a workbench export does not have: %(names)s")
                % {"names": ", ".join(unknown[:5]) or _("duplicates")}
            )
        if "manifest.json" not in names:
            raise WorkbenchArchiveError(_("The archive has no manifest.json."))
        budget = [MAX_TOTAL_BYTES]
        contents: dict[str, Any] = {}
        for info in infos:
            if info.flag_bits & 0x1:
                raise WorkbenchArchiveError(_("Encrypted archives are not accepted."))
            if info.filename not in JSON_FILES and info.filename != "manifest.json":
                continue
            raw = _read_member(archive, info, budget)
            try:
                contents[info.filename] = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise WorkbenchArchiveError(
                    _("%(file)s is not valid JSON.") % {"file": info.filename}
                ) from exc
    manifest = contents["manifest.json"]
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("version") != FORMAT_VERSION
        or not isinstance(manifest.get("source"), str)
        or not isinstance(manifest.get("collective"), dict)
        or not isinstance(manifest["collective"].get("slug"), str)
    ):
        raise WorkbenchArchiveError(_("This is not a klinke workbench export of a known version."))
    records: dict[str, list[dict[str, Any]]] = {}
    total = 0
    for kind in KINDS:
        rows = contents.get(f"{kind.name}.json", [])
        if not isinstance(rows, list) or not all(
            isinstance(r, dict) and type(r.get("id")) is int and 0 < r["id"] < 2**53 for r in rows
        ):
            raise WorkbenchArchiveError(
                _("%(file)s must be a list of records with ids.") % {"file": f"{kind.name}.json"}
            )
        total += len(rows)
        records[kind.name] = rows
    if total > MAX_RECORDS:
        raise WorkbenchArchiveError(_("The archive holds more records than klinke imports."))
    return WorkbenchArchive(
        source=manifest["source"][:200],
        collective_slug=manifest["collective"]["slug"],
        records=records,
    )


# --- import helpers (used by actions.do_import_workbench) ----------------------------------


@dataclass
class ImportCounts:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def add(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1


def field_values(
    kind: Kind,
    record: dict[str, Any],
    *,
    resolve: Callable[[models.ForeignKey[Any, Any], object], object],
) -> dict[str, Any]:
    """The attribute values a record gives a row of `kind` (references resolved by `resolve`).

    Raises WorkbenchArchiveError when a value has the wrong shape.
    """
    values: dict[str, Any] = {}
    for f in _exported_fields(kind):
        if f.name not in record:
            continue
        raw = record[f.name]
        try:
            if isinstance(f, models.ForeignKey):
                values[f.attname] = None if raw is None else resolve(f, raw)
            elif isinstance(f, models.JSONField):
                values[f.attname] = raw
            else:
                values[f.attname] = f.to_python(raw)
        except ValidationError as exc:
            raise WorkbenchArchiveError(
                _("%(kind)s %(id)s: %(field)s: %(error)s")
                % {"kind": kind.name, "id": record["id"], "field": f.name, "error": exc.messages[0]}
            ) from exc
    return values
