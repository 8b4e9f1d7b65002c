"""Contact files in and out: vCard 2.1/3.0/4.0 and CSV become plain records, and back.

Pure Python without the ORM: bytes in, `ContactRecord`s (with the line each record starts on)
out. vobject splits the file into logical lines (unfolding, vCard 2.1 quoted-printable soft
breaks) and parses names, parameters and groups; decoding values is done here, because real
exports are sloppier than vobject's value handlers expect (unescaped commas in FN, broken
base64 photos, quoted-printable bytes that are not valid in the stated charset).
"""

from __future__ import annotations

import csv
import io
import quopri
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date as _date
from typing import Any, TypeVar

from django.utils.translation import gettext_noop
from vobject.base import (  # vobject ships no types: ignored in pyproject.toml
    ParseError,
    getLogicalLines,
    parseLine,
)

from klinke.contacts import limits
from klinke.core.text import clean_text

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_RECORDS = 20_000

# Longest values the models store; longer ones are an error in the file, not silently cut.
FIELD_LIMITS = {
    "full_name": 250,
    "given_name": 120,
    "family_name": 120,
    "organisation": 200,
    "role": 200,
    "notes": 10_000,
    "nickname": 120,
    "street": 200,
    "postal_code": 20,
    "city": 120,
}
EMAIL_LIMIT = 254
PHONE_LIMIT = 60
LABEL_LIMIT = 40

# Binary or key material: never imported, and their data is skipped unread.
BINARY_PROPERTIES = {"PHOTO", "LOGO", "SOUND", "KEY"}
PROPERTY_START = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)?[;:]")
EMAIL_PATTERN = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")


class Term(str):
    """A word in an error message that is itself translated (a field's name)."""


class ContactFileError(ValueError):
    """A file that cannot be imported; `line` and `record` say where, when known.

    The message is an English template marked for translation (the parser stays free of
    Django's settings); `translated()` gives it in the reader's language.
    """

    def __init__(
        self, template: str, *, line: int | None = None, record: int | None = None, **params: object
    ) -> None:
        self.template = template
        self.params = params
        self.message = template % params if params else template
        self.line = line
        self.record = record
        where = []
        if record is not None:
            where.append(f"record {record}")
        if line is not None:
            where.append(f"line {line}")
        super().__init__(f"{', '.join(where)}: {self.message}" if where else self.message)

    def translated(self) -> str:
        from django.utils.translation import gettext

        params = {k: gettext(v) if isinstance(v, Term) else v for k, v in self.params.items()}
        template = gettext(self.template)
        return template % params if params else template


FIELD_NAMES = {
    "full_name": Term(gettext_noop("full name")),
    "given_name": Term(gettext_noop("given name")),
    "family_name": Term(gettext_noop("family name")),
    "organisation": Term(gettext_noop("organisation")),
    "role": Term(gettext_noop("role")),
    "notes": Term(gettext_noop("notes")),
    "nickname": Term(gettext_noop("nickname")),
    "street": Term(gettext_noop("street")),
    "postal_code": Term(gettext_noop("postal code")),
    "city": Term(gettext_noop("city")),
}


@dataclass
class ContactRecord:
    """One contact as read from a file, before it meets the database."""

    line: int
    full_name: str = ""
    given_name: str = ""
    family_name: str = ""
    organisation: str = ""
    role: str = ""
    emails: list[tuple[str, str]] = field(default_factory=list)
    """(address, label) pairs, addresses lower-cased."""
    phones: list[tuple[str, str]] = field(default_factory=list)
    """(number as written, label) pairs."""
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    website: str = ""
    nickname: str = ""
    birthday: str = ""
    """ISO date (YYYY-MM-DD), or "" when the file gives none or one without a year."""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    """Two-letter code; a country name that is not recognised is reported in `warnings`."""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(message template with %(value)s, value), translated for display."""
    over_limit: dict[str, int] = field(default_factory=dict)
    """How many values of a kind ("emails", "phones", "tags") were over the limit and left out."""
    not_imported: dict[str, int] = field(default_factory=dict)
    """vCard properties (or CSV columns) klinke has no place for, with how often they occur."""

    @property
    def display_name(self) -> str:
        return (
            self.full_name
            or " ".join(p for p in (self.given_name, self.family_name) if p)
            or self.organisation
            or (self.emails[0][0] if self.emails else "")
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.full_name
            or self.given_name
            or self.family_name
            or self.organisation
            or self.emails
            or self.phones
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContactRecord:
        values = dict(data)
        values["emails"] = [tuple(pair) for pair in values.get("emails", [])]
        values["phones"] = [tuple(pair) for pair in values.get("phones", [])]
        values["warnings"] = [tuple(pair) for pair in values.get("warnings", [])]
        return cls(**values)


_T = TypeVar("_T")


def _add_unique(items: list[_T], item: _T) -> None:
    if item not in items:
        items.append(item)


def _count(counts: dict[str, int], key: str, by: int = 1) -> None:
    counts[key] = counts.get(key, 0) + by


def _has_room(record: ContactRecord, kind: str, current: int, limit: int) -> bool:
    """Whether one more value of `kind` fits; counts the ones that do not."""
    if current < limit:
        return True
    _count(record.over_limit, kind)
    return False


def check_record(record: ContactRecord, number: int) -> None:
    """Raise ContactFileError when a value is longer than klinke stores."""
    for name, limit in FIELD_LIMITS.items():
        value: str = getattr(record, name)
        if len(value) > limit:
            raise ContactFileError(
                gettext_noop("the %(field)s is %(length)s characters long; at most %(limit)s fit"),
                line=record.line,
                record=number,
                field=FIELD_NAMES[name],
                length=len(value),
                limit=limit,
            )
    for address, _label in record.emails:
        if len(address) > EMAIL_LIMIT:
            raise ContactFileError(
                gettext_noop("an email address is too long"), line=record.line, record=number
            )
    for number_text, _label in record.phones:
        if len(number_text) > PHONE_LIMIT:
            raise ContactFileError(
                gettext_noop("a phone number is too long"), line=record.line, record=number
            )


def add_email(record: ContactRecord, value: str, label: str = "") -> None:
    """Add an address; text that is not one goes to the notes with a warning, not lost."""
    address = value.strip().strip("<>").strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    if not address:
        return
    if EMAIL_PATTERN.match(address):
        address = address.lower()
        if address not in [e for e, _l in record.emails] and _has_room(
            record, "emails", len(record.emails), limits.MAX_EMAILS
        ):
            record.emails.append((address, label[:LABEL_LIMIT]))
    else:
        record.warnings.append(
            (gettext_noop("not an email address, kept in the notes: %(value)s"), address)
        )
        record.notes = "\n".join(p for p in (record.notes, address) if p)


def add_phone(record: ContactRecord, value: str, label: str = "") -> None:
    number = value.strip()
    if number.lower().startswith("tel:"):
        number = number[4:]
    if (
        number
        and number not in [p for p, _l in record.phones]
        and _has_room(record, "phones", len(record.phones), limits.MAX_PHONES)
    ):
        record.phones.append((number, label[:LABEL_LIMIT]))


def add_tags(record: ContactRecord, values: Iterable[str]) -> None:
    for value in values:
        for tag in value.split(","):
            tag = " ".join(tag.split())
            if (
                tag
                and tag not in record.tags
                and _has_room(record, "tags", len(record.tags), limits.MAX_TAGS)
            ):
                record.tags.append(tag)


# --- text decoding ---------------------------------------------------------------------


def decode_file(data: bytes) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with BOM); otherwise Windows-1252, as old
    Outlook and Excel write it."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _decode_bytes(raw: bytes, charset: str) -> str:
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return raw.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    # Invalid bytes in the stated charset: keep what is readable rather than refuse the file.
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}


def _split_unescaped(value: str, separator: str) -> list[str]:
    """Split at separators not preceded by a backslash; escapes are kept for unescape()."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            current.append(char)
            current.append(next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(value: str, version: str) -> str:
    if version == "2.1":
        # vCard 2.1 escapes only the semicolon; a backslash is otherwise a backslash.
        return value.replace("\\;", ";")
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            if following in _ESCAPES:
                out.append(_ESCAPES[following])
            elif following and not following.isalnum():
                # Gmail writes \" for a quote: not in the RFC, but meant as the character.
                out.append(following)
            else:
                out.append("\\" + following)
        else:
            out.append(char)
    return "".join(out)


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = clean_text(text)
    return text.strip()


# --- vCard -------------------------------------------------------------------------------


@dataclass
class _Property:
    name: str
    params: dict[str, list[str]]
    types: list[str]
    value: str
    group: str | None
    line: int


def _without_binary_data(text: str) -> str:
    """Blank out photos, logos, sounds and keys with their continuation lines.

    Their base64 data is often malformed in real exports (and vCard 2.1 ends it with a blank
    line rather than folding), so it is dropped before parsing. Lines are blanked, not
    removed, so that line numbers stay right.
    """
    # Split at line feeds only: str.splitlines() would also split at U+2028 and friends inside
    # a value, cutting a property in two.
    lines = text.split("\n")
    skipping = False
    for index, line in enumerate(lines):
        if PROPERTY_START.match(line):
            name = re.split(r"[;:]", line, maxsplit=1)[0].split(".")[-1].upper()
            skipping = name in BINARY_PROPERTIES
            if skipping:
                lines[index] = ""
        elif skipping:
            lines[index] = ""
    return "\n".join(lines).rstrip("\n") + "\n"


def unfold_vcard_bytes(data: bytes) -> tuple[bytes, list[int]]:
    """Join folded lines (a line break followed by a space or tab) on the bytes, before any
    decoding, so that a fold inside a multi-byte UTF-8 character joins it back together.

    Returns the unfolded bytes with "\n" line ends and, for each of their lines, the physical
    line of the file it starts on (1-based), so that errors still name the line the user sees.
    vCard 2.1 quoted-printable soft breaks ("=" at the end of a line) are left for vobject.
    """
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        data = data.decode("utf-16").encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines: list[bytearray] = []
    starts: list[int] = []
    for number, physical in enumerate(re.split(rb"\r\n|\r|\n", data), start=1):
        is_continuation = physical[:1] in (b" ", b"\t") and lines
        if is_continuation and not (
            lines[-1].endswith(b"=") and b"QUOTED-PRINTABLE" in lines[-1].upper()
        ):
            lines[-1] += physical[1:]
        else:
            lines.append(bytearray(physical))
            starts.append(number)
    return b"\n".join(bytes(line) for line in lines), starts


def _properties(text: str, line_starts: Sequence[int] = ()) -> Iterator[_Property]:
    physical = text.split("\n")
    for line, reported in getLogicalLines(io.StringIO(text), allowQP=True):
        # vobject counts the first line as 0 and a line after a blank one as the blank line.
        number = max(reported, 1)
        while number <= len(physical) and not physical[number - 1].strip():
            number += 1
        if 0 < number <= len(line_starts):
            number = line_starts[number - 1]
        try:
            name, params, value, group = parseLine(line, number)
        except ParseError as exc:
            raise ContactFileError(
                gettext_noop("this line is not a vCard property: %(text)s"),
                line=number,
                text=line[:60],
            ) from exc
        named: dict[str, list[str]] = {}
        types: list[str] = []
        for param in params:
            key = param[0].upper()
            if len(param) == 1:
                # vCard 2.1 names types bare: TEL;WORK;VOICE
                types.append(key)
                continue
            values = [v for item in param[1:] for v in str(item).split(",")]
            named.setdefault(key, []).extend(values)
            if key == "TYPE":
                types.extend(v.upper() for v in values)
        yield _Property(name.upper(), named, types, value, group, number)


def _value(prop: _Property, version: str) -> str:
    value = prop.value
    encoding = [e.upper() for e in prop.params.get("ENCODING", [])]
    is_qp = "QUOTED-PRINTABLE" in encoding or "QUOTED-PRINTABLE" in prop.types
    if is_qp:
        # getLogicalLines joins soft line breaks with "\n"; quopri wants "=\n" as a soft break.
        raw = quopri.decodestring(value.encode("utf-8"))
        charset = (prop.params.get("CHARSET") or ["utf-8"])[0]
        value = _decode_bytes(raw, charset)
    return value


TYPE_LABELS = {
    "WORK": "work",
    "HOME": "home",
    "CELL": "mobile",
    "MOBILE": "mobile",
    "FAX": "fax",
    "PAGER": "pager",
    "OTHER": "other",
    "MAIN": "main",
}


def _label(prop: _Property) -> str:
    labels: list[str] = []
    for kind in prop.types:
        for part in kind.split(","):
            label = TYPE_LABELS.get(part.strip().upper())
            if label:
                _add_unique(labels, label)
    return ", ".join(labels)


# Properties that describe the file rather than the person, or that klinke reads elsewhere.
IGNORED_PROPERTIES = {
    "VERSION", "PRODID", "UID", "REV", "N", "FN", "SORT-STRING", "CLASS", "KIND", "SOURCE",
    "NAME", "PROFILE", "LABEL", "MAILER", "TZ", "GEO",
}  # fmt: skip
_BIRTHDAY_PATTERN = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$")


def _birthday(value: str) -> str:
    """A full date as YYYY-MM-DD; "" for dates without a year (--0412) or that do not exist."""
    found = _BIRTHDAY_PATTERN.match(value.strip())
    if not found:
        return ""
    year, month, day = (int(part) for part in found.groups())
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return ""


def _german_date(value: str) -> str:
    """ "12.04.1980" as written in German spreadsheets."""
    found = re.match(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", value.strip())
    if not found:
        return ""
    return _birthday(f"{found.group(3)}-{int(found.group(2)):02d}-{int(found.group(1)):02d}")


def _set_address(record: ContactRecord, parts: list[str]) -> None:
    """ADR: post office box; extended address; street; locality; region; postal code; country."""
    parts = parts + [""] * (7 - len(parts))
    po_box, extended, street, city, _region, postal_code, country = parts[:7]
    if street or extended or po_box:
        record.street = ", ".join(p for p in (street, extended, po_box) if p).replace("\n", ", ")
    record.city = city or record.city
    record.postal_code = postal_code or record.postal_code
    if country:
        from klinke.contacts.phones import country_code

        record.country = country_code(country)
        if not record.country:
            record.warnings.append(
                (gettext_noop("country not recognised, left out: %(value)s"), country)
            )


def _card_to_record(props: Sequence[_Property], start: int, number: int) -> ContactRecord:
    version = next((p.value.strip() for p in props if p.name == "VERSION"), "3.0")
    record = ContactRecord(line=start)
    titles: list[str] = []
    organisations: list[list[str]] = []
    notes: list[str] = []
    websites: list[str] = []
    for prop in props:
        name = prop.name
        if name in BINARY_PROPERTIES:
            continue
        try:
            value = _value(prop, version)
        except (ValueError, UnicodeError) as exc:
            raise ContactFileError(
                gettext_noop("the value of %(property)s cannot be decoded"),
                line=prop.line,
                record=number,
                property=name,
            ) from exc
        if name == "FN":
            record.full_name = _clean(_unescape(value, version))
        elif name == "N":
            parts = [_clean(_unescape(p, version)) for p in _split_unescaped(value, ";")]
            parts += [""] * (5 - len(parts))
            record.family_name = " ".join(parts[0].replace(",", " ").split())
            record.given_name = " ".join(parts[1].replace(",", " ").split())
        elif name == "ORG":
            parts = [_clean(_unescape(p, version)) for p in _split_unescaped(value, ";")]
            parts = [p for p in parts if p]
            if parts and parts not in organisations:
                organisations.append(parts)
        elif name in ("TITLE", "ROLE"):
            _add_unique(titles, _clean(_unescape(value, version)))
        elif name == "EMAIL":
            add_email(record, _clean(_unescape(value, version)), _label(prop))
        elif name == "TEL":
            add_phone(record, _clean(_unescape(value, version)), _label(prop))
        elif name == "NOTE":
            note = _clean(_unescape(value, version))
            if note:
                _add_unique(notes, note)
        elif name == "CATEGORIES":
            add_tags(
                record,
                [_clean(_unescape(v, version)) for v in _split_unescaped(value, ",")],
            )
        elif name == "URL":
            url = _clean(_unescape(value, version).replace("\\:", ":"))
            if url:
                _add_unique(websites, url)
        elif name == "NICKNAME":
            nicknames = [_clean(_unescape(v, version)) for v in _split_unescaped(value, ",")]
            for nickname in filter(None, nicknames):
                if not record.nickname:
                    record.nickname = nickname
                elif nickname != record.nickname:
                    _count(record.not_imported, name)
        elif name == "BDAY":
            birthday = _birthday(_clean(value))
            if birthday and not record.birthday:
                record.birthday = birthday
            else:
                _count(record.not_imported, name)
        elif name == "ADR":
            parts = [_clean(_unescape(p, version)) for p in _split_unescaped(value, ";")]
            if not any(parts):
                continue
            if record.street or record.city or record.postal_code or record.country:
                _count(record.not_imported, name)
            else:
                _set_address(record, parts)
        elif name not in IGNORED_PROPERTIES and not name.startswith("X-"):
            _count(record.not_imported, name)
    titles = [t for t in titles if t]
    role = "; ".join(titles)
    if organisations:
        first = organisations[0]
        record.organisation = first[0]
        units = ", ".join(first[1:])
        if units:
            role = f"{role} ({units})" if role else units
        if len(organisations) > 1:
            _count(record.not_imported, "ORG", len(organisations) - 1)
    record.role = role
    record.notes = "\n\n".join(n for n in (record.notes, *notes) if n)
    record.website = websites[0] if websites else ""
    if len(websites) > limits.MAX_WEBSITES:
        _count(record.over_limit, "urls", len(websites) - limits.MAX_WEBSITES)
    if not record.full_name:
        record.full_name = " ".join(p for p in (record.given_name, record.family_name) if p)
    return record


def parse_vcards(data: bytes) -> list[ContactRecord]:
    """All vCards in `data` (2.1, 3.0 or 4.0), in file order.

    Raises ContactFileError naming the record and line for a file that is not a vCard file,
    a card that is never closed, or a value that does not fit.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ContactFileError(gettext_noop("the file is larger than 2 MB"))
    unfolded, line_starts = unfold_vcard_bytes(data)
    text = _without_binary_data(decode_file(unfolded))
    records: list[ContactRecord] = []
    current: list[_Property] | None = None
    start = 0
    depth = 0
    for prop in _properties(text, line_starts):
        if prop.name == "BEGIN" and prop.value.strip().upper() == "VCARD":
            depth += 1
            if depth == 1:
                current, start = [], prop.line
            continue
        if prop.name == "END" and prop.value.strip().upper() == "VCARD":
            if depth == 0:
                raise ContactFileError(
                    gettext_noop("END:VCARD without BEGIN:VCARD"),
                    line=prop.line,
                    record=len(records) + 1,
                )
            depth -= 1
            if depth == 0 and current is not None:
                number = len(records) + 1
                record = _card_to_record(current, start, number)
                check_record(record, number)
                records.append(record)
                if len(records) > MAX_RECORDS:
                    raise ContactFileError(
                        gettext_noop("more than %(count)s contacts in one file"), count=MAX_RECORDS
                    )
                current = None
            continue
        if current is None:
            raise ContactFileError(
                gettext_noop("%(property)s outside of a vCard"),
                line=prop.line,
                record=len(records) + 1,
                property=prop.name,
            )
        if depth == 1:  # nested vCards (AGENT) are not separate contacts
            current.append(prop)
    if current is not None:
        raise ContactFileError(
            gettext_noop("the vCard is never closed with END:VCARD"),
            line=start,
            record=len(records) + 1,
        )
    if not records:
        raise ContactFileError(gettext_noop("the file contains no vCard"))
    return records


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 sequence (RFC 6350, 3.2)."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _type_param(label: str) -> str:
    types = [t.strip() for t in label.split(",") if t.strip()]
    known = {"work": "work", "home": "home", "mobile": "cell", "fax": "fax", "pager": "pager"}
    values = [known[t] for t in types if t in known]
    return f';TYPE="{",".join(values)}"' if values else ""


@dataclass
class ExportContact:
    """What the exporters need of a contact, without the ORM."""

    uid: str
    full_name: str
    given_name: str = ""
    family_name: str = ""
    organisation: str = ""
    role: str = ""
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    """(number, label), the number in E.164 where known."""
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    source: str = ""
    consent: str = ""
    last_contacted_on: str = ""


def write_vcards(contacts: Iterable[ExportContact]) -> str:
    """vCard 4.0 (RFC 6350), CRLF line ends, folded at 75 octets."""
    lines: list[str] = []
    for contact in contacts:
        card = ["BEGIN:VCARD", "VERSION:4.0", f"UID:{_escape(contact.uid)}"]
        card.append(f"FN:{_escape(contact.full_name)}")
        card.append(f"N:{_escape(contact.family_name)};{_escape(contact.given_name)};;;")
        if contact.organisation:
            card.append(f"ORG:{_escape(contact.organisation)}")
        if contact.role:
            card.append(f"TITLE:{_escape(contact.role)}")
        for index, (address, label) in enumerate(contact.emails):
            pref = ";PREF=1" if index == 0 else ""
            card.append(f"EMAIL{_type_param(label)}{pref}:{address}")
        for number, label in contact.phones:
            if number.startswith("+"):
                card.append(f"TEL;VALUE=uri{_type_param(label)}:tel:{number}")
            else:
                card.append(f"TEL;VALUE=text{_type_param(label)}:{_escape(number)}")
        if contact.tags:
            card.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
        if contact.notes:
            card.append(f"NOTE:{_escape(contact.notes)}")
        card.append("END:VCARD")
        lines.extend(_fold(line) for line in card)
    return "".join(line + "\r\n" for line in lines)


# --- CSV ---------------------------------------------------------------------------------

CSV_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "organisation",
    "role",
    "email",
    "phone",
    "notes",
    "tags",
    "website",
    "street",
    "postal_code",
    "city",
    "country",
    "birthday",
    "nickname",
)

# Header words, folded (lower case, umlauts spelled out, no punctuation), in the order they
# are tried: the first rule whose words all occur in a header wins.
HEADER_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("type",)),
    ("birthday", ("geburtstag",)),
    ("birthday", ("birthday",)),
    ("nickname", ("nickname",)),
    ("nickname", ("spitzname",)),
    ("street", ("strasse",)),
    ("street", ("street",)),
    ("postal_code", ("postleitzahl",)),
    ("postal_code", ("plz",)),
    ("postal_code", ("zip",)),
    ("postal_code", ("postal",)),
    ("postal_code", ("postcode",)),
    ("country", ("country",)),
    ("city", ("city",)),
    ("city", ("stadt",)),
    ("city", ("wohnort",)),
    ("", ("label",)),
    ("", ("typ",)),
    ("", ("art",)),
    ("email", ("mail",)),
    ("phone", ("phone",)),
    ("phone", ("telefon",)),
    ("phone", ("mobil",)),
    ("phone", ("handy",)),
    ("phone", ("fax",)),
    ("phone", ("tel",)),
    ("street", ("address",)),
    ("street", ("adresse",)),
    ("given_name", ("given",)),
    ("given_name", ("first", "name")),
    ("given_name", ("vorname",)),
    ("family_name", ("family",)),
    ("family_name", ("last", "name")),
    ("family_name", ("surname",)),
    ("family_name", ("nachname",)),
    ("family_name", ("familienname",)),
    ("role", ("title",)),
    ("role", ("position",)),
    ("role", ("role",)),
    ("role", ("rolle",)),
    ("role", ("funktion",)),
    ("role", ("beruf",)),
    ("role", ("job",)),
    ("organisation", ("organisation",)),
    ("organisation", ("organization",)),
    ("organisation", ("company",)),
    ("organisation", ("firma",)),
    ("organisation", ("unternehmen",)),
    ("organisation", ("institution",)),
    ("organisation", ("verein",)),
    ("notes", ("note",)),
    ("notes", ("notiz",)),
    ("notes", ("bemerkung",)),
    ("notes", ("anmerkung",)),
    ("notes", ("kommentar",)),
    ("notes", ("comment",)),
    ("tags", ("tags",)),
    ("tags", ("schlagw",)),
    ("tags", ("kategorie",)),
    ("tags", ("categor",)),
    ("tags", ("group",)),
    ("tags", ("gruppe",)),
    ("website", ("website",)),
    ("website", ("webseite",)),
    ("website", ("homepage",)),
    ("website", ("url",)),
    ("full_name", ("name",)),
    ("full_name", ("kontakt",)),
    ("full_name", ("contact",)),
    ("full_name", ("person",)),
)


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[\W_]+")


def fold_text(text: str) -> str:
    """Lower case, umlauts and ß spelled out, other accents dropped, punctuation as spaces."""
    text = text.lower().translate(_UMLAUTS)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


def guess_field(header: str) -> str:
    """The contact field a column header most likely means, or "" to ignore the column."""
    folded = fold_text(header)
    compact = folded.replace(" ", "")
    for target, words in HEADER_RULES:
        if all(word in compact for word in words):
            return target
    return ""


def guess_mapping(header: Sequence[str]) -> list[str]:
    """One field per column. Name fields are taken once; emails and phones may repeat."""
    mapping: list[str] = []
    taken: set[str] = set()
    for column in header:
        target = guess_field(column)
        if target in taken and target not in ("email", "phone", "notes", "tags"):
            target = ""
        if target:
            taken.add(target)
        mapping.append(target)
    return mapping


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]
    """(line the row starts on, cells)."""
    delimiter: str

    def as_dict(self) -> dict[str, object]:
        return {
            "header": self.header,
            "rows": [[line, cells] for line, cells in self.rows],
            "delimiter": self.delimiter,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CsvTable:
        return cls(
            header=list(data["header"]),
            rows=[(int(line), list(cells)) for line, cells in data["rows"]],
            delimiter=str(data["delimiter"]),
        )


def sniff_delimiter(first_line: str) -> str:
    """Semicolon (German Excel), comma, or tab: whichever the header line has most of,
    counting only outside quotes."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_csv(data: bytes) -> CsvTable:
    """A CSV file with a header row; UTF-8 with or without BOM; `;`, `,` or tab."""
    if len(data) > MAX_FILE_BYTES:
        raise ContactFileError(gettext_noop("the file is larger than 2 MB"))
    text = decode_file(data)
    if not text.strip():
        raise ContactFileError(gettext_noop("the file is empty"))
    if "\x00" in text:
        raise ContactFileError(gettext_noop("this is not a text file"))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise ContactFileError(
                    gettext_noop("this row has %(cells)s cells but the header has %(header)s"),
                    line=start,
                    record=len(rows) + 1,
                    cells=len(cells),
                    header=len(header),
                )
            cells = (cells + [""] * len(header))[: len(header)]
            rows.append((start, cells))
            if len(rows) > MAX_RECORDS:
                raise ContactFileError(
                    gettext_noop("more than %(count)s contacts in one file"), count=MAX_RECORDS
                )
    except csv.Error as exc:
        raise ContactFileError(
            gettext_noop("the CSV is malformed (%(reason)s)"),
            line=reader.line_num,
            record=len(rows) + 1,
            reason=str(exc),
        ) from exc
    if header is None:
        raise ContactFileError(gettext_noop("the file has no header row"))
    return CsvTable(header=header, rows=rows, delimiter=delimiter)


def records_from_table(table: CsvTable, mapping: Sequence[str]) -> list[ContactRecord]:
    """Apply the user's column mapping; raise ContactFileError for a record that does not fit."""
    if len(mapping) != len(table.header):
        raise ContactFileError(gettext_noop("the column mapping does not match the file's columns"))
    unknown = set(mapping) - set(CSV_FIELDS) - {""}
    if unknown:
        raise ContactFileError(
            gettext_noop("unknown field %(field)s in the column mapping"), field=sorted(unknown)[0]
        )
    records: list[ContactRecord] = []
    for line, cells in table.rows:
        record = ContactRecord(line=line)
        notes: list[str] = []
        for target, raw, column in zip(mapping, cells, table.header, strict=True):
            value = _clean(raw)
            if not target or not value:
                continue
            if target == "email":
                for part in re.split(r"[;,\s]+", value):
                    add_email(record, part, _column_label(column))
            elif target == "phone":
                for part in re.split(r"[;,]| / ", value):
                    add_phone(record, part, _column_label(column))
            elif target == "tags":
                add_tags(record, re.split(r"[;,]|:::", value))
            elif target == "notes":
                notes.append(value)
            elif target == "website":
                record.website = record.website or value
            elif target == "country":
                _set_address(record, ["", "", "", "", "", "", value])
            elif target == "birthday":
                record.birthday = _birthday(value) or _german_date(value)
                if not record.birthday:
                    _count(record.not_imported, column or target)
            else:
                current = getattr(record, target)
                setattr(record, target, f"{current} {value}".strip() if current else value)
        record.notes = "\n\n".join(n for n in (record.notes, *notes) if n)
        if record.is_empty:
            continue
        if not record.full_name:
            record.full_name = " ".join(p for p in (record.given_name, record.family_name) if p)
        elif not (record.given_name or record.family_name):
            given, family = split_full_name(record.full_name)
            if (
                len(given) <= FIELD_LIMITS["given_name"]
                and len(family) <= FIELD_LIMITS["family_name"]
            ):
                record.given_name, record.family_name = given, family
        check_record(record, len(records) + 1)
        records.append(record)
    if not records:
        raise ContactFileError(
            gettext_noop("no row has a name, organisation, email address or phone number")
        )
    return records


def _column_label(header: str) -> str:
    folded = fold_text(header)
    for word, label in (
        ("mobil", "mobile"),
        ("handy", "mobile"),
        ("cell", "mobile"),
        ("fax", "fax"),
        ("privat", "home"),
        ("home", "home"),
        ("work", "work"),
        ("business", "work"),
        ("geschaeft", "work"),
        ("dienst", "work"),
        ("buero", "work"),
    ):
        if word in folded:
            return label
    return ""


def split_full_name(full_name: str) -> tuple[str, str]:
    """ "Müller, Anna" and "Anna Müller" both give ("Anna", "Müller")."""
    if "," in full_name:
        family, _comma, given = full_name.partition(",")
        return given.strip(), family.strip()
    parts = full_name.split()
    if len(parts) < 2:
        return "", full_name.strip()
    return " ".join(parts[:-1]), parts[-1]


# --- CSV export ----------------------------------------------------------------------------

CSV_EXPORT_HEADER = (
    "full_name",
    "given_name",
    "family_name",
    "organisation",
    "role",
    "emails",
    "phones",
    "tags",
    "notes",
    "source",
    "consent",
    "last_contacted_on",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ (or tab/CR) as formulas; a leading
    apostrophe makes them text (OWASP "CSV injection")."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(contacts: Iterable[ExportContact]) -> str:
    """UTF-8 CSV with BOM (so Excel reads umlauts), one contact per row."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_EXPORT_HEADER)
    for contact in contacts:
        row = [
            contact.full_name,
            contact.given_name,
            contact.family_name,
            contact.organisation,
            contact.role,
            "; ".join(address for address, _label in contact.emails),
            "; ".join(number for number, _label in contact.phones),
            ", ".join(contact.tags),
            contact.notes,
            contact.source,
            contact.consent,
            contact.last_contacted_on,
        ]
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()
