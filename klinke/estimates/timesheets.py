"""CSV exports of time trackers turned into plain rows of actual hours, without the ORM.

Like the contacts import: the file is read, the columns are mapped (date, person, package or
description, hours, note), every row is checked and matched to a work package by name, and
the preview shows each row with its package or its error; nothing is written until the
member confirms. Limits: 512 KiB and 5000 rows a file.

Hours may be written 1.5, 1,5 or 1:30; dates 2026-03-01, 01.03.2026 or 01/03/2026.
A row matches a package when the mapped column equals the package's name (ignoring case and
spaces at the ends), or else contains it (the longest name wins).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop

MAX_FILE_BYTES = 512 * 1024
MAX_ROWS = 5000
MAX_HOURS = Decimal(99999)
COLUMNS = ("date", "person", "package", "hours", "note")
REQUIRED = ("package", "hours")
GUESSES = {
    "date": ("date", "datum", "day", "tag", "start date", "startdatum"),
    "person": ("person", "user", "name", "member", "mitglied", "benutzer", "mitarbeiter*in"),
    "package": ("package", "arbeitspaket", "paket", "task", "aufgabe", "project", "projekt"),
    "hours": ("hours", "stunden", "duration", "dauer", "time", "zeit", "h"),
    "note": ("note", "notiz", "description", "beschreibung", "comment", "kommentar"),
}


class TimesheetError(ValueError):
    """A file that cannot be read as a time tracker's CSV; the message says why."""


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_table(data: bytes) -> Table:
    """The header and rows of a CSV (comma, semicolon or tab separated)."""
    if len(data) > MAX_FILE_BYTES:
        raise TimesheetError(gettext_noop("The file is larger than 512 KiB."))
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TimesheetError(gettext_noop("This is not a CSV file."))
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise TimesheetError(gettext_noop("This is not a CSV file.")) from exc
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if len(lines) < 2:
        raise TimesheetError(gettext_noop("The file needs a header line and at least one row."))
    if len(lines) - 1 > MAX_ROWS:
        raise TimesheetError(gettext_noop("The file has more than 5000 rows."))
    header = tuple(cell.strip()[:100] for cell in lines[0])
    width = len(header)
    rows = tuple(
        tuple(cell.strip() for cell in (line + [""] * width)[:width]) for line in lines[1:]
    )
    return Table(header=header, rows=rows)


def guess_mapping(header: Sequence[str]) -> dict[str, int | None]:
    """Which column holds what, guessed from the header's words (German or English)."""
    lowered = [h.casefold() for h in header]
    mapping: dict[str, int | None] = {}
    for column in COLUMNS:
        found = next((i for i, h in enumerate(lowered) if h in GUESSES[column]), None)
        mapping[column] = found if found not in mapping.values() else None
    return mapping


def parse_hours(text: str) -> Decimal:
    text = text.strip().lower().removesuffix("h").strip()
    match = re.fullmatch(r"(-?\d+):([0-5]\d)", text)
    if match:
        hours = Decimal(match[1]) + Decimal(match[2]) / 60
    else:
        try:
            hours = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(text) from exc
    if not hours.is_finite():
        raise ValueError(text)
    return hours.quantize(Decimal("0.01"))


def parse_date(text: str) -> date | None:
    text = text.strip()[:10]
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class TimesheetRow:
    number: int
    """The line in the file (the header is line 1)."""
    package_id: int | None
    package_text: str
    hours: Decimal | None
    worked_on: date | None
    person: str
    note: str
    errors: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.errors and self.package_id is not None and self.hours is not None


def match_package(text: str, packages: Mapping[int, str]) -> int | None:
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for pk, name in packages.items():
        if name.strip().casefold() == wanted:
            return pk
    for pk, name in sorted(packages.items(), key=lambda item: -len(item[1])):
        if name.strip() and name.strip().casefold() in wanted:
            return pk
    return None


def map_rows(
    table: Table, mapping: Mapping[str, int | None], packages: Mapping[int, str]
) -> list[TimesheetRow]:
    """Every row checked and matched; errors and TimesheetError messages are message ids
    (gettext_noop), translated where they are shown."""
    missing = [c for c in REQUIRED if mapping.get(c) is None]
    if missing:
        raise TimesheetError(gettext_noop("Choose the columns for the package and the hours."))

    def cell(row: tuple[str, ...], column: str) -> str:
        index = mapping.get(column)
        return row[index] if index is not None and index < len(row) else ""

    found = []
    for number, row in enumerate(table.rows, start=2):
        errors: list[str] = []
        hours: Decimal | None = None
        worked_on: date | None = None
        try:
            hours = parse_hours(cell(row, "hours"))
        except ValueError:
            errors.append(gettext_noop("hours are not a number"))
        else:
            if not Decimal(0) < hours <= MAX_HOURS:
                errors.append(gettext_noop("hours must be more than 0"))
                hours = None
        try:
            worked_on = parse_date(cell(row, "date"))
        except ValueError:
            errors.append(gettext_noop("the date is not a date"))
        package_text = cell(row, "package")[:200]
        package_id = match_package(package_text, packages)
        if package_id is None:
            errors.append(gettext_noop("no work package of this name"))
        found.append(
            TimesheetRow(
                number=number,
                package_id=package_id,
                package_text=package_text,
                hours=hours,
                worked_on=worked_on,
                person=cell(row, "person")[:100],
                note=cell(row, "note")[:500],
                errors=errors,
            )
        )
    return found
