"""The time tracker CSV parser: columns, numbers, dates, matching and limits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from klinke.estimates import timesheets
from klinke.estimates.timesheets import TimesheetError

PACKAGES = {1: "Konzept", 2: "Umsetzung", 3: "Umsetzung Schnittstelle"}


def test_it_reads_a_semicolon_file_and_guesses_the_columns():
    data = (
        "Datum;Person;Aufgabe;Stunden;Beschreibung\n"
        "01.03.2026;Ada;Konzept;1,5;Workshop\n"
        "2026-03-02;Grace;umsetzung ;2:30;\n"
        "03/03/2026;Ada;Fix in Umsetzung Schnittstelle;1;\n"
        "04.03.2026;Ada;Kaffee;1;\n"
        "05.03.2026;Ada;Konzept;-2;\n"
        "kein Datum;Ada;Konzept;zwei;\n"
    ).encode("cp1252")
    table = timesheets.read_table(data)
    mapping = timesheets.guess_mapping(table.header)
    assert mapping == {"date": 0, "person": 1, "package": 2, "hours": 3, "note": 4}
    rows = timesheets.map_rows(table, mapping, PACKAGES)
    first, second, third, coffee, negative, broken = rows
    assert (first.package_id, first.hours, first.worked_on) == (
        1,
        Decimal("1.50"),
        date(2026, 3, 1),
    )
    assert first.note == "Workshop" and first.usable
    assert second.package_id == 2 and second.hours == Decimal("2.50")
    assert third.package_id == 3  # the longest contained name wins
    assert coffee.package_id is None and not coffee.usable
    assert coffee.errors == ["no work package of this name"]
    assert negative.errors == ["hours must be more than 0"] and negative.hours is None
    assert "hours are not a number" in broken.errors and "the date is not a date" in broken.errors
    assert broken.number == 7


def test_it_refuses_files_it_cannot_use():
    with pytest.raises(TimesheetError):
        timesheets.read_table(b"x" * (timesheets.MAX_FILE_BYTES + 1))
    with pytest.raises(TimesheetError):
        timesheets.read_table(b"date,hours\n")
    with pytest.raises(TimesheetError):
        timesheets.read_table(b"\x89PNG\x00\x00binary")
    many = b"package,hours\n" + b"Konzept,1\n" * (timesheets.MAX_ROWS + 1)
    with pytest.raises(TimesheetError):
        timesheets.read_table(many)


def test_it_needs_the_package_and_hours_columns():
    table = timesheets.read_table(b"when,who\n2026-01-01,Ada\n")
    mapping = timesheets.guess_mapping(table.header)
    assert mapping["package"] is None and mapping["hours"] is None
    with pytest.raises(TimesheetError):
        timesheets.map_rows(table, mapping, PACKAGES)
