"""vCard and CSV parsing against real exports, and the exporters."""

from __future__ import annotations

import csv
import io

import pytest
import vobject  # type: ignore[import-untyped]

from klinke.contacts import importing, parsers
from klinke.contacts.parsers import ContactFileError, ExportContact
from klinke.contacts.tests.conftest import fixture_bytes


def only(name: str) -> parsers.ContactRecord:
    records = parsers.parse_vcards(fixture_bytes(name))
    assert len(records) == 1
    return records[0]


def e164(record: parsers.ContactRecord) -> list[str | None]:
    """As stored for a collective in Germany: the record's own country first."""
    return importing.record_phones(record, "DE")


def test_it_reads_the_gmail_export():
    record = only("John_Doe_GMAIL.vcf")
    # FN has an unescaped comma; the whole name is kept, not cut at the comma.
    assert record.full_name == "Mr. John Richter, James Doe Sr."
    assert (record.given_name, record.family_name) == ("John", "Doe")
    assert record.emails == [("john.doe@ibm.com", "home")]
    assert record.phones == [("905-555-1234", "mobile"), ("905-666-1234", "home")]
    # Without a country code, numbers are read as German ones (the default region).
    # North American numbers without a country code are not made German: kept as written.
    assert e164(record) == [None, None]
    assert record.organisation == "IBM"
    assert record.role == "Money Counter"
    assert record.website == "http://www.ibm.com"
    assert record.notes.startswith(
        'THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"'
    )
    assert record.notes.endswith("SUCH DAMAGE.\nFavotire Color: Blue")
    assert record.line == 1


def test_it_reads_the_outlook_export_with_vcard_21_types_and_a_photo():
    record = only("John_Doe_MS_OUTLOOK.vcf")
    assert record.full_name == "Mr. John Richter James Doe Sr."
    assert (record.given_name, record.family_name) == ("John", "Doe")
    assert record.organisation == "IBM"
    # TITLE and ROLE both describe the role; the ORG unit is added.
    assert record.role == "Money Counter; Counting Money (Accounting)"
    assert record.emails == [("john.doe@ibm.cm", "")]
    assert record.phones == [("(905) 555-1234", "work"), ("(905) 666-1234", "home")]
    # North American numbers without a country code are not made German: kept as written.
    # The card's address is in the US: its numbers without a country code are American.
    assert e164(record) == ["+19055551234", "+19056661234"]
    # In vCard 2.1 a comma is plain text: the whole licence note is there.
    assert "WARRANTIES, INCLUDING, BUT NOT LIMITED TO" in record.notes
    assert record.notes.endswith("EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.")
    assert "/9j/" not in record.notes


def test_it_reads_the_outlook_2007_export_with_quoted_printable_note_and_a_key():
    record = only("outlook-2007.vcf")
    assert record.full_name == "Mr. Michael Angstadt Jr."
    assert (record.given_name, record.family_name) == ("Michael", "Angstadt")
    assert record.organisation == "TheCompany"
    assert record.role == "TheJobTitle; TheProfession (TheDepartment)"
    assert record.emails == [("mike.angstadt@gmail.com", "")]
    assert record.phones == [
        ("(111) 555-1111", "work"),
        ("(111) 555-2222", "home"),
        ("(111) 555-4444", "mobile"),
        ("(111) 555-3333", "work, fax"),
    ]
    # A US address, and 111-… is no valid US number: kept as written, not made German.
    assert e164(record) == [None, None, None, None]
    assert record.notes.startswith("This is the NOTE field\t\nI assume it encodes this text")
    assert record.notes.endswith("It does not preserve the formatting")


def test_it_reads_the_evolution_export_with_folded_lines():
    record = only("John_Doe_EVOLUTION.vcf")
    assert record.full_name == "Mr. John Richter, James Doe Sr."
    assert record.organisation == "IBM"
    assert record.role == "Money Counter (Accounting, Dungeon)"
    # The address is folded in the middle ("john.\n doe@ibm.com").
    assert record.emails == [("john.doe@ibm.com", "work")]
    assert record.phones == [("905-666-1234", "mobile"), ("905-555-1234", "work")]
    assert record.tags == ["VIP"]
    assert (
        "PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS;"
        in record.notes
    )


def test_it_reads_the_thunderbird_export_with_many_emails_phones_and_categories():
    record = only("thunderbird-MoreFunctionsForAddressBook-extension.vcf")
    assert record.full_name == "John Doe"
    assert record.organisation == "TheOrganization"
    assert record.role == "TheTitle (TheDepartment)"
    assert [email for email, _label in record.emails] == [
        "doe.john@hotmail.com",
        "additional-email@company.com",
        "additional-email1@company.com",
        "additional-email2@company.com",
        "additional-email3@company.com",
    ]
    assert [label for _number, label in record.phones] == ["work", "home", "mobile", "fax", "pager"]
    # A US address, and 555-… is no valid US number: kept as written, not made German.
    assert e164(record)[0] is None
    assert record.tags == ["category1", "category2", "category3"]
    assert record.notes == (
        'This is the notes field.\nSecond Line\n\nFourth Line\nYou can put anything in the "note" '
        "field; even curse words."
    )


def test_it_reads_the_rfc_6350_example_with_tel_uris():
    record = only("rfc6350-example.vcf")
    assert record.full_name == "Simon Perreault"
    assert (record.given_name, record.family_name) == ("Simon", "Perreault")
    assert record.organisation == "Viagenie"
    assert record.emails == [("simon.perreault@viagenie.ca", "work")]
    assert record.phones == [
        ("+1-418-656-9254;ext=102", "work"),
        ("+1-418-262-6501", "work, mobile"),
    ]
    assert e164(record) == ["+14186569254", "+14182626501"]


def test_it_reads_every_card_of_the_gmail_list_with_its_line():
    records = parsers.parse_vcards(fixture_bytes("gmail-list.vcf"))
    assert [(r.full_name, r.emails[0][0], r.line) for r in records] == [
        ("Arnold Smith", "asmithk@gmail.com", 1),
        ("Chris Beatle", "chrisy55d@yahoo.com", 7),
        ("Doug White", "dwhite@gmail.com", 13),
    ]


def test_it_reads_the_android_export_with_quoted_printable_and_a_broken_photo():
    records = parsers.parse_vcards(fixture_bytes("John_Doe_ANDROID.vcf"))
    assert [r.line for r in records] == [1, 6, 11, 18, 36, 71]
    assert records[0].emails == [("john.doe@company.com", "")]
    assert records[0].tags == ["My Contacts"]
    assert records[0].display_name == "john.doe@company.com"
    assert records[2].full_name == "Ñ Ñ Ñ Ñ Ñ"
    assert records[2].phones == [("123456789", "mobile")]
    # Quoted-printable soft line breaks join into one value.
    assert records[3].full_name == "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"
    assert len(records[3].phones) == 4
    assert records[3].notes.count("Ñ") == 21  # two identical NOTEs are kept once
    bob = records[4]
    assert bob.emails == [("bob@company.com", "work")]
    assert bob.organisation == "Ñ" * 12
    # The second EMAIL is no address; it is kept in the notes with a warning.
    assert bob.notes == "Ñ" * 14
    assert bob.warnings == [("not an email address, kept in the notes: %(value)s", "Ñ" * 14)]
    assert bob.website == "www.company.com"
    henry = records[5]
    assert henry.emails == [("henry@company.com", "")]
    assert henry.organisation == "Ñ" * 44
    # A byte that is not UTF-8 in a further ORG becomes a replacement character, not an error.
    # A further ORG is not imported; the preview says so instead of hiding it in the notes.
    assert henry.not_imported == {"ORG": 1}
    assert "ORG" not in henry.notes


def test_it_decodes_quoted_printable_umlauts_in_utf8_and_latin1():
    juergen, bjoern = parsers.parse_vcards(fixture_bytes("umlaute-2.1.vcf"))
    assert juergen.full_name == "Jürgen Müller"
    assert (juergen.given_name, juergen.family_name) == ("Jürgen", "Müller")
    assert juergen.organisation == "Mieterverein Süd e.V."
    assert juergen.notes == "Trägt gern Grüße aus, sehr große Gedächtnis-Lücke."
    assert e164(juergen) == ["+493411234567", "+4917612345678"]
    assert bjoern.full_name == "Björn Schön"
    assert bjoern.family_name == "Schön"
    # Not a number: kept as written, and it has no E.164 form.
    assert bjoern.phones == [("Zentrale fragen", "home")]
    assert e164(bjoern) == [None]


def test_it_handles_grouped_properties_and_windows_1252_files():
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jörg Weiß\r\n"
        "item1.EMAIL;TYPE=INTERNET:joerg@weiss.example\r\n"
        "item1.X-ABLabel:Büro\r\nitem2.TEL:+43 1 5550123\r\nEND:VCARD\r\n"
    ).encode("cp1252")
    (record,) = parsers.parse_vcards(data)
    assert record.full_name == "Jörg Weiß"
    assert record.emails == [("joerg@weiss.example", "")]
    assert e164(record) == ["+4315550123"]


@pytest.mark.parametrize(
    ("data", "message", "line", "record"),
    [
        (fixture_bytes("broken-unclosed.vcf"), "never closed", 6, 2),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\nFN:B\r\n",
            "outside of a vCard",
            5,
            2,
        ),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nthis is no property\r\nEND:VCARD\r\n",
            "not a vCard property",
            4,
            None,
        ),
        (b"Hello, this is a letter.\r\n", "not a vCard property", 1, None),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:ok\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:"
            + b"x" * 300
            + b"\r\nEND:VCARD\r\n",
            "full name is 300 characters long",
            5,
            2,
        ),
    ],
)
def test_it_names_the_record_and_line_of_a_broken_vcard(data, message, line, record):
    with pytest.raises(ContactFileError) as caught:
        parsers.parse_vcards(data)
    assert message in caught.value.message
    assert caught.value.line == line
    assert caught.value.record == record


def test_it_refuses_files_over_two_megabytes():
    with pytest.raises(ContactFileError, match="larger than 2 MB"):
        parsers.parse_vcards(b"x" * (2 * 1024 * 1024 + 1))
    with pytest.raises(ContactFileError, match="larger than 2 MB"):
        parsers.parse_csv(b"x" * (2 * 1024 * 1024 + 1))


# --- CSV ---------------------------------------------------------------------------------


def test_it_reads_a_german_excel_csv_with_bom_and_semicolons():
    table = parsers.parse_csv(fixture_bytes("kontakte-excel.csv"))
    assert table.delimiter == ";"
    assert table.header[0] == "Vorname"  # the BOM is gone
    assert parsers.guess_mapping(table.header) == [
        "given_name", "family_name", "organisation", "role", "email", "email", "phone", "phone",
        "notes", "tags",
    ]  # fmt: skip
    records = parsers.records_from_table(table, parsers.guess_mapping(table.header))
    anna, ben, carla = records
    assert anna.full_name == "Anna Müller"
    assert anna.organisation == "Mieterverein Leipzig e.V."
    assert anna.phones == [("0341 9876543", "work"), ("0176 5551234", "mobile")]
    assert anna.notes == "Kennt die Stadträte; mag keine Anrufe vor 10"
    assert anna.tags == ["Mieten", "Beratung"]
    assert ben.emails == [("ben@werk2.example", ""), ("b.okafor@posteo.example", "")]
    # A quoted cell over two lines: the record still starts on line 4.
    assert carla.notes == "Mehrzeilige\nNotiz"
    assert [r.line for r in records] == [2, 3, 4]


def test_it_reads_an_english_csv_with_commas_and_google_headers():
    table = parsers.parse_csv(fixture_bytes("contacts-google.csv"))
    assert table.delimiter == ","
    mapping = parsers.guess_mapping(table.header)
    assert mapping == [
        "full_name", "given_name", "family_name", "organisation", "role", "", "email", "",
        "phone", "notes", "tags",
    ]  # fmt: skip
    dana, eli = parsers.records_from_table(table, mapping)
    assert (dana.full_name, dana.organisation, dana.role) == (
        "Dana Weiss",
        "Green Energy Coop",
        "Board",
    )
    assert e164(dana) == ["+447700900123"]
    assert dana.tags == ["Energy", "Coops"]
    assert eli.emails == [("eli.roth@example.net", "")]


def test_it_reads_utf8_without_bom_and_follows_a_changed_mapping():
    data = "Name,Mail,Telefon\nÖzlem Çelik,oezlem@example.org,0351 5550100\n".encode()
    table = parsers.parse_csv(data)
    assert parsers.guess_mapping(table.header) == ["full_name", "email", "phone"]
    (record,) = parsers.records_from_table(table, ["full_name", "notes", ""])
    assert record.full_name == "Özlem Çelik"
    assert (record.given_name, record.family_name) == ("Özlem", "Çelik")
    assert record.emails == []
    assert record.notes == "oezlem@example.org"
    assert record.phones == []


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Vorname", "given_name"),
        ("First Name", "given_name"),
        ("Nachname", "family_name"),
        ("Last Name", "family_name"),
        ("Familienname", "family_name"),
        ("Firma", "organisation"),
        ("Organisation", "organisation"),
        ("Company", "organisation"),
        ("E-Mail-Adresse", "email"),
        ("E-mail Address", "email"),
        ("Handy", "phone"),
        ("Mobile Phone", "phone"),
        ("Telefon (privat)", "phone"),
        ("Funktion", "role"),
        ("Job Title", "role"),
        ("Bemerkungen", "notes"),
        ("Notes", "notes"),
        ("Schlagworte", "tags"),
        ("Kategorien", "tags"),
        ("Webseite", "website"),
        ("Name", "full_name"),
        ("Anzeigename", "full_name"),
        ("E-mail 1 - Type", ""),
        ("Geburtstag", "birthday"),
        ("Tags", "tags"),
    ],
)
def test_it_guesses_fields_from_german_and_english_headers(header, field):
    assert parsers.guess_field(header) == field


def test_it_names_the_row_of_a_broken_csv():
    data = b"Name;E-Mail\nAnna;anna@example.org\nBen;ben@example.org;zu viel\n"
    with pytest.raises(ContactFileError) as caught:
        parsers.parse_csv(data)
    assert (caught.value.record, caught.value.line) == (2, 3)
    long_name = (
        b"Name;E-Mail\nAnna;anna@example.org\n\nBen;ben@example.org\n"
        + b"x" * 251
        + b";x@example.org\n"
    )
    table = parsers.parse_csv(long_name)
    with pytest.raises(ContactFileError) as caught:
        parsers.records_from_table(table, ["full_name", "email"])
    assert (caught.value.record, caught.value.line) == (3, 5)
    with pytest.raises(ContactFileError, match="empty"):
        parsers.parse_csv(b"\n\n")
    with pytest.raises(ContactFileError, match="no header"):
        parsers.parse_csv(b";;\n;;\n")


# --- export ------------------------------------------------------------------------------

EXPORT = [
    ExportContact(
        uid="urn:klinke:contact:1",
        full_name="Anna Müller, Vorstand",
        given_name="Anna",
        family_name="Müller",
        organisation="Mieterverein; Leipzig",
        role="Vorstand",
        emails=[("anna@mieterverein.example", "work"), ("anna@privat.example", "home")],
        phones=[("+493419876543", "work"), ("über die Zentrale", "")],
        notes="Erste Zeile\nZweite Zeile mit Ümläuten" + " und sehr viel Text" * 10,
        tags=["tenants", "board"],
    ),
    ExportContact(uid="urn:klinke:contact:2", full_name='=HYPERLINK("http://evil.example")'),
]


def test_it_exports_vcard_40_that_parses_back():
    text = parsers.write_vcards(EXPORT)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    anna, evil = parsers.parse_vcards(text.encode())
    assert anna.full_name == "Anna Müller, Vorstand"
    assert (anna.given_name, anna.family_name) == ("Anna", "Müller")
    assert anna.organisation == "Mieterverein; Leipzig"
    assert anna.emails == [("anna@mieterverein.example", "work"), ("anna@privat.example", "home")]
    assert anna.phones == [("+493419876543", "work"), ("über die Zentrale", "")]
    assert anna.notes == EXPORT[0].notes
    assert anna.tags == ["tenants", "board"]
    assert evil.full_name == EXPORT[1].full_name
    # vobject, an independent reader, agrees.
    cards = list(vobject.readComponents(text))
    assert cards[0].version.value == "4.0"
    assert cards[0].email.value == "anna@mieterverein.example"
    assert cards[0].uid.value == "urn:klinke:contact:1"


def test_it_neutralises_formulas_in_csv_exports():
    text = parsers.write_csv(
        [
            *EXPORT,
            ExportContact(
                uid="3", full_name="+1 call me", notes="-2+3", role="@SUM(A1)", tags=["\tx"]
            ),
            ExportContact(uid="4", full_name="\rcarriage"),
        ]
    )
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["full_name", "given_name", "family_name"]
    assert rows[1][0] == "Anna Müller, Vorstand"
    assert rows[1][5] == "anna@mieterverein.example; anna@privat.example"
    assert rows[1][6] == "'+493419876543; über die Zentrale"
    assert rows[2][0] == '\'=HYPERLINK("http://evil.example")'
    assert rows[3][0] == "'+1 call me"
    assert rows[3][4] == "'@SUM(A1)"
    assert rows[3][7] == "'\tx"
    assert rows[3][8] == "'-2+3"
    assert rows[4][0] == "'\rcarriage"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


# --- folding inside multi-byte characters ----------------------------------------------------

FOLDED_CHARACTERS = ["ä", "€", "😀"]  # 2, 3 and 4 bytes in UTF-8


def _fold_cases() -> list[tuple[str, int, bytes, bytes]]:
    return [
        (char, offset, newline, continuation)
        for char in FOLDED_CHARACTERS
        for offset in range(1, len(char.encode("utf-8")))
        for newline in (b"\r\n", b"\n")
        for continuation in (b" ", b"\t")
    ]


@pytest.mark.parametrize(("char", "offset", "newline", "continuation"), _fold_cases())
def test_it_unfolds_a_line_folded_inside_a_multibyte_character(
    char: str, offset: int, newline: bytes, continuation: bytes
) -> None:
    encoded = char.encode("utf-8")
    folded_note = b"Gr" + encoded[:offset] + newline + continuation + encoded[offset:] + b"sse"
    data = newline.join(
        [
            b"BEGIN:VCARD",
            b"VERSION:3.0",
            "FN:Jürgen Weiß".encode(),
            b"NOTE:" + folded_note,
            b"END:VCARD",
            b"BEGIN:VCARD",
            b"VERSION:4.0",
            "FN:Björn Schön".encode(),
            b"END:VCARD",
            b"",
        ]
    )
    first, second = parsers.parse_vcards(data)
    assert first.notes == f"Gr{char}sse"
    # The whole file stays UTF-8: no fallback to Windows-1252 garbles the other umlauts.
    assert first.full_name == "Jürgen Weiß"
    assert second.full_name == "Björn Schön"


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_it_names_the_physical_line_after_folded_lines(newline: bytes) -> None:
    data = newline.join(
        [
            b"BEGIN:VCARD",
            b"VERSION:3.0",
            b"FN:A very long",
            b"  name folded",
            b"\tonce more",
            b"this is no property",
            b"END:VCARD",
            b"",
        ]
    )
    with pytest.raises(ContactFileError) as caught:
        parsers.parse_vcards(data)
    assert caught.value.line == 6


def test_it_keeps_a_line_separator_character_inside_a_value() -> None:
    data = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nNOTE:eins\u2028zwei\r\nEND:VCARD\r\n"
    (record,) = parsers.parse_vcards(data.encode())
    assert record.full_name == "Anna"
