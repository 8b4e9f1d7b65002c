"""The read-only half of a contact import: what a file holds and what writing it would do.

Parsing turns bytes into records (parsers.py); here each record meets the address book: its
phone numbers in E.164 (in the contact's or the collective's country), its likely duplicates,
the default choice, and what the file held that will not be imported. Nothing here writes;
`actions.do_import_contacts` writes what the person confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klinke.collectives.models import Collective
from klinke.contacts import limits
from klinke.contacts.duplicates import (
    Candidate,
    DuplicateCandidate,
    DuplicateIndex,
    Incoming,
    is_exact,
)
from klinke.contacts.models import Contact, ContactEmail, ContactImport, ContactPhone
from klinke.contacts.parsers import ContactRecord
from klinke.contacts.phones import is_international, normalise_phone, phone_region, readable_phone

BATCH = 2000


class MergeChoice:
    """What to do with an imported record: the values of the preview's radio buttons."""

    CREATE = "create"
    SKIP = "skip"
    MERGE = "merge"

    ALL = (CREATE, SKIP, MERGE)


def file_format(file_name: str, data: bytes) -> str:
    lowered = file_name.lower()
    if lowered.endswith((".vcf", ".vcard")):
        return "vcard"
    if lowered.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    return "vcard" if head.startswith(b"BEGIN:VCARD") else "csv"


def import_records(contact_import: ContactImport) -> list[ContactRecord]:
    return [ContactRecord.from_dict(data) for data in contact_import.records]


def existing_candidates(collective: Collective) -> list[Candidate]:
    """The collective's contacts reduced for duplicate detection, in three queries."""
    emails: dict[int, list[str]] = {}
    for contact_id, email in ContactEmail.objects.filter(
        contact__collective=collective
    ).values_list("contact_id", "email"):
        emails.setdefault(contact_id, []).append(email)
    phones: dict[int, list[str]] = {}
    guessed: dict[int, list[str]] = {}
    for contact_id, e164, raw in (
        ContactPhone.objects.filter(contact__collective=collective)
        .exclude(e164="")
        .values_list("contact_id", "e164", "raw")
    ):
        target = phones if is_international(raw) else guessed
        target.setdefault(contact_id, []).append(e164)
    rows = Contact.objects.filter(collective=collective).values_list(
        "pk", "full_name", "given_name", "family_name", "organisation__name"
    )
    return [
        Candidate(
            key=pk,
            name=full_name or f"{given} {family}".strip(),
            organisation=organisation or "",
            emails=emails.get(pk, ()),
            phones=phones.get(pk, ()),
            guessed_phones=guessed.get(pk, ()),
        )
        for pk, full_name, given, family, organisation in rows.iterator(chunk_size=BATCH)
    ]


def _over_limit_text(kind: str, count: int) -> str:
    """ "9,980 further email addresses were not imported (at most 20 per contact)." """
    values = {"count": number_format(count, force_grouping=True)}
    if kind == "emails":
        return ngettext(
            "%(count)s further email address was not imported (at most %(limit)s per contact).",
            "%(count)s further email addresses were not imported (at most %(limit)s per contact).",
            count,
        ) % {**values, "limit": limits.MAX_EMAILS}
    if kind == "phones":
        return ngettext(
            "%(count)s further phone number was not imported (at most %(limit)s per contact).",
            "%(count)s further phone numbers were not imported (at most %(limit)s per contact).",
            count,
        ) % {**values, "limit": limits.MAX_PHONES}
    if kind == "tags":
        return ngettext(
            "%(count)s further tag was not imported (at most %(limit)s per contact).",
            "%(count)s further tags were not imported (at most %(limit)s per contact).",
            count,
        ) % {**values, "limit": limits.MAX_TAGS}
    return (
        ngettext(
            "%(count)s further web address was not imported (one website per contact).",
            "%(count)s further web addresses were not imported (one website per contact).",
            count,
        )
        % values
    )


@dataclass
class PreviewRow:
    number: int
    record: ContactRecord
    phones_e164: list[str | None]
    matches: list[DuplicateCandidate]
    default_action: str
    # Filled in by the preview page: each match with its contact (None for an earlier record
    # of the same file), and the contacts the record may be merged into.
    resolved: list[tuple[DuplicateCandidate, Contact | None]] = field(default_factory=list)
    merge_targets: list[Contact] = field(default_factory=list)

    @property
    def in_file_duplicate(self) -> bool:
        return bool(self.matches) and all(isinstance(m.key, str) for m in self.matches)

    @property
    def mergeable(self) -> list[DuplicateCandidate]:
        return [m for m in self.matches if isinstance(m.key, int)]

    @property
    def warning_texts(self) -> list[str]:
        return [_(template) % {"value": value} for template, value in self.record.warnings]

    @property
    def left_out_texts(self) -> list[str]:
        """What the file held for this contact that will not be imported, in words."""
        texts = [
            _over_limit_text(kind, count) for kind, count in sorted(self.record.over_limit.items())
        ]
        texts += [
            ngettext(
                "%(property)s: %(count)s value not imported",
                "%(property)s: %(count)s values not imported",
                count,
            )
            % {"property": name, "count": number_format(count, force_grouping=True)}
            for name, count in sorted(self.record.not_imported.items())
        ]
        return texts

    @property
    def phone_pairs(self) -> list[tuple[tuple[str, str], str | None]]:
        """Each (number as written, label) with its E.164 form formatted for reading."""
        return [
            (phone, readable_phone(e164) if e164 else None)
            for phone, e164 in zip(self.record.phones, self.phones_e164, strict=True)
        ]


def record_phones(record: ContactRecord, collective_country: str) -> list[str | None]:
    """Each number of the record in E.164, in the record's own country, else the collective's;
    None where it has no certain form."""
    region = phone_region(contact_country=record.country, collective_country=collective_country)
    return [normalise_phone(raw, region) for raw, _label in record.phones]


def _incoming(record: ContactRecord, collective_country: str) -> tuple[Incoming, list[str | None]]:
    phones = record_phones(record, collective_country)
    pairs = list(zip(record.phones, phones, strict=True))
    return (
        Incoming(
            name=record.display_name if (record.full_name or record.given_name) else "",
            organisation=record.organisation,
            emails=[e for e, _l in record.emails],
            phones=[p for (raw, _l), p in pairs if p and is_international(raw)],
            guessed_phones=[p for (raw, _l), p in pairs if p and not is_international(raw)],
        ),
        phones,
    )


def preview_rows(
    records: Sequence[ContactRecord],
    candidates: Iterable[Candidate],
    *,
    collective_country: str = "",
) -> list[PreviewRow]:
    """Each record with its likely duplicates and the default choice: skip when an email
    address, or a number written with its country code, is already known (in the address book
    or earlier in the file), else create. Numbers whose country was inferred only suggest."""
    index = DuplicateIndex.build(candidates)
    rows: list[PreviewRow] = []
    for number, record in enumerate(records, start=1):
        incoming, phones = _incoming(record, collective_country)
        matches = index.find(incoming)
        default = MergeChoice.SKIP if is_exact(matches) else MergeChoice.CREATE
        rows.append(PreviewRow(number, record, phones, matches, default))
        # Later records of the same file are checked against this one's email addresses and
        # phone numbers (not by name: two Anna Müllers in one file are usually two people).
        index.add(
            Candidate(
                key=f"line:{record.line}",
                name="",
                emails=incoming.emails,
                phones=incoming.phones,
                guessed_phones=incoming.guessed_phones,
            ),
            fuzzy=False,
        )
    return rows
