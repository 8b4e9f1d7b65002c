"""Writes of the contacts app: contacts with their addresses, introductions, imports and merges.

Every function takes the collective whose address book it writes to and never touches another
collective's rows; the views have already checked that the acting person is a member.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.contacts import limits, parsers
from klinke.contacts.importing import (
    MergeChoice,
    PreviewRow,
    existing_candidates,
    file_format,
    import_records,
    preview_rows,
)
from klinke.contacts.models import (
    Consent,
    Contact,
    ContactEmail,
    ContactImport,
    ContactMerge,
    ContactPhone,
    ImportState,
    Organisation,
    Source,
    join_tags,
    split_tags,
)
from klinke.contacts.parsers import ContactFileError, ContactRecord
from klinke.contacts.phones import normalise_phone
from klinke.exchange.models import Introduction
from klinke.matching.analysis import MIN_TOKEN_LENGTH, index_terms, search_document
from klinke.supporters.models import Supporter

BATCH = 2000
EMAIL_PARTS = re.compile(r"[.@]")


class ContactsError(Exception):
    """A write the contacts app refuses; the message says why."""


# --- contacts and organisations --------------------------------------------------------------


def contact_search_texts(
    *,
    name: str,
    given_name: str = "",
    family_name: str = "",
    role: str = "",
    organisation: str = "",
    preferences: str = "",
    emails: Iterable[str] = (),
    notes: str = "",
    tags: Iterable[str] = (),
) -> list[str]:
    return [
        name, given_name, family_name, role, organisation, preferences, *emails, notes,
        " ".join(tags),
    ]  # fmt: skip


class SearchTerms:
    """`search_document` for many contacts at once, remembering what it has analysed.

    Imports repeat organisations, roles, tags and email domains, and names and addresses are
    made of the same few thousand words; analysing each distinct value once (each word, for
    names and email addresses, whose terms are the union of their words' terms) makes writing
    100,000 contacts take seconds.
    """

    def __init__(self) -> None:
        self._texts: dict[str, frozenset[str]] = {}

    def _terms(self, text: str) -> frozenset[str]:
        terms = self._texts.get(text)
        if terms is None:
            if text.isdigit():  # house numbers, numbers in addresses: a number is itself
                terms = frozenset([text] if len(text) >= MIN_TOKEN_LENGTH else [])
            else:
                terms = frozenset(index_terms(text))
            self._texts[text] = terms
        return terms

    def _word_terms(self, words: Iterable[str]) -> set[str]:
        terms: set[str] = set()
        for word in words:
            if word:
                terms |= self._terms(word)
        return terms

    def document(
        self,
        *,
        name: str,
        given_name: str = "",
        family_name: str = "",
        role: str = "",
        organisation: str = "",
        emails: Iterable[str] = (),
        notes: str = "",
        tags: Iterable[str] = (),
    ) -> str:
        terms = self._word_terms(f"{name} {given_name} {family_name}".split())
        for email in emails:
            terms |= self._word_terms(EMAIL_PARTS.split(email))
        for text in (role, organisation, notes, " ".join(tags)):
            if text:
                terms |= self._terms(text)
        return " " + " ".join(sorted(terms)) + " "


def refresh_contacts_search(contacts: Iterable[Contact]) -> None:
    for contact in contacts:
        contact.refresh_search_document()


@transaction.atomic
def do_delete_contact(*, contact: Contact) -> None:
    contact.delete()


@transaction.atomic
def do_delete_organisation(*, organisation: Organisation) -> None:
    contacts = list(organisation.contacts.prefetch_related("emails"))
    organisation.delete()
    for contact in contacts:
        contact.organisation = None
    refresh_contacts_search(contacts)


class _OrganisationFound(TypedDict, total=False):
    """What a new organisation found by name alone starts with."""

    website: str
    city: str
    country: str


def _organisation_by_name(
    collective: Collective, name: str, *, defaults: _OrganisationFound | None = None
) -> Organisation:
    existing: Organisation | None = Organisation.objects.filter(
        collective=collective, name__iexact=name
    ).first()
    if existing is not None:
        return existing
    organisation: Organisation = Organisation.objects.create(
        collective=collective, name=name, **(defaults or {})
    )
    organisation.refresh_search_document()
    return organisation


# --- introductions ---------------------------------------------------------------------------


def do_save_contact_from_introduction(
    *, collective: Collective, user: User, introduction: Introduction
) -> tuple[Contact, bool]:
    """The counterpart of an accepted introduction as a contact; (contact, created).

    Clicking twice, or two people at once, gives one contact: a unique constraint on
    (collective, introduction) decides, and the loser finds the winner's row.
    """
    if introduction.need.collective_id != collective.pk or not introduction.is_requester(user):
        raise ContactsError(_("Only the collective that asked can save this contact."))
    if not introduction.contact_details_visible:
        raise ContactsError(_("Contact details are shared only after both sides agreed."))
    existing = Contact.objects.filter(collective=collective, introduction=introduction).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            contact = _create_contact_from_introduction(collective, user, introduction)
    except IntegrityError:
        existing = Contact.objects.filter(collective=collective, introduction=introduction).first()
        if existing is None:
            raise
        return existing, False
    return contact, True


def _create_contact_from_introduction(
    collective: Collective, user: User, introduction: Introduction
) -> Contact:
    counterpart = introduction.counterpart
    organisation: Organisation | None = None
    given_name = family_name = ""
    if isinstance(counterpart, Supporter) and counterpart.kind == Supporter.Kind.PERSON:
        given_name, family_name = parsers.split_full_name(counterpart.name)
    else:
        organisation = _organisation_by_name(
            collective,
            counterpart.name,
            defaults={
                "website": getattr(counterpart, "website", "") or "",
                "city": counterpart.city,
                "country": counterpart.country,
            },
        )
    answered = introduction.answered_at or timezone.now()
    contact = Contact.objects.create(
        collective=collective,
        full_name=counterpart.name,
        given_name=given_name,
        family_name=family_name,
        organisation=organisation,
        source=Source.INTRODUCTION,
        source_detail=str(_("Introduction for “%(need)s”") % {"need": introduction.need.title})[
            :255
        ],
        source_at=timezone.now(),
        source_by=user,
        created_by=user,
        introduction=introduction,
        consent=Consent.AGREED,
        consent_on=timezone.localdate(answered),
        consent_note=str(_("Accepted an introduction through klinke."))[:500],
        contact_preferences=introduction.responder_channel,
    )
    if introduction.responder_email:
        ContactEmail.objects.create(contact=contact, email=introduction.responder_email)
    if introduction.responder_phone:
        ContactPhone.objects.create(contact=contact, raw=introduction.responder_phone)
    contact.refresh_search_document()
    return contact


# --- import ----------------------------------------------------------------------------------


def do_start_import(
    *, collective: Collective, user: User, file_name: str, data: bytes
) -> ContactImport:
    """Parse an upload and keep it on the server until the person confirms it.

    Raises ContactFileError for a file that is too large or broken; nothing is stored then.
    """
    if len(data) > parsers.MAX_FILE_BYTES:
        raise ContactFileError(gettext_noop("the file is larger than 2 MB"))
    kind = file_format(file_name, data)
    contact_import = ContactImport(
        collective=collective, created_by=user, file_name=file_name[:255], file_format=kind
    )
    if kind == "vcard":
        records = parsers.parse_vcards(data)
        contact_import.records = [r.as_dict() for r in records]
        contact_import.state = ImportState.PREVIEW
    else:
        table = parsers.parse_csv(data)
        contact_import.table = table.as_dict()
        contact_import.mapping = {"columns": parsers.guess_mapping(table.header)}
        contact_import.state = ImportState.MAPPING
    contact_import.save()
    return contact_import


def do_map_columns(*, contact_import: ContactImport, mapping: Sequence[str]) -> ContactImport:
    """Apply a CSV column mapping; raises ContactFileError naming the row that does not fit."""
    if contact_import.state == ImportState.DONE:
        raise ContactsError(_("This import is finished."))
    table = parsers.CsvTable.from_dict(contact_import.table)
    records = parsers.records_from_table(table, mapping)
    contact_import.mapping = {"columns": list(mapping)}
    contact_import.records = [r.as_dict() for r in records]
    contact_import.state = ImportState.PREVIEW
    contact_import.save(update_fields=["mapping", "records", "state"])
    return contact_import


@dataclass
class ImportResult:
    created: int = 0
    merged: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "merged": self.merged, "skipped": self.skipped}


class ImportFailed(ContactsError):
    def __init__(self, message: str, *, line: int, record: int) -> None:
        self.line = line
        self.record = record
        super().__init__(
            _("Record %(record)s (line %(line)s): %(message)s")
            % {"record": record, "line": line, "message": message}
        )


def _website(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    return value if len(value) <= 200 and " " not in value else ""


def do_import_contacts(
    *,
    contact_import: ContactImport,
    user: User,
    choices: dict[int, tuple[str, int | None]] | None = None,
) -> ImportResult:
    """Write a previewed import in one transaction: all records or none.

    `choices` maps a record's number (1-based) to (action, contact to merge into). Records
    without a choice get the preview's default. A record that fails to write rolls the whole
    import back, and the error names its number and line.
    """
    choices = choices or {}
    collective = contact_import.collective
    with transaction.atomic():
        locked = ContactImport.objects.select_for_update().get(pk=contact_import.pk)
        if locked.state != ImportState.PREVIEW:
            raise ContactsError(_("This import is finished or not ready."))
        records = import_records(locked)
        rows = preview_rows(
            records, existing_candidates(collective), collective_country=collective.country
        )
        result = ImportResult()
        to_create: list[PreviewRow] = []
        merges: list[tuple[PreviewRow, int]] = []
        for row in rows:
            action, target = choices.get(row.number, (row.default_action, None))
            if action == MergeChoice.MERGE:
                into = target or (row.mergeable[0].key if row.mergeable else None)
                if into is None:
                    raise ImportFailed(
                        _("there is no contact to merge it into"),
                        line=row.record.line,
                        record=row.number,
                    )
                merges.append((row, int(into)))
            elif action == MergeChoice.CREATE:
                to_create.append(row)
            else:
                result.skipped += 1
        if merges:
            targets = Contact.objects.filter(
                collective=collective, pk__in=[t for _row, t in merges]
            ).in_bulk()
            for row, target in merges:
                contact = targets.get(target)
                if contact is None:
                    raise ImportFailed(
                        _("the contact to merge it into is gone"),
                        line=row.record.line,
                        record=row.number,
                    )
                try:
                    _merge_record(
                        contact=contact, record=row.record, user=user, contact_import=locked
                    )
                except (ContactsError, IntegrityError, ValueError, TypeError) as exc:
                    raise ImportFailed(str(exc), line=row.record.line, record=row.number) from exc
                result.merged += 1
        result.created = _create_contacts(collective, user, locked, to_create)
        locked.state = ImportState.DONE
        locked.completed_at = timezone.now()
        locked.result = result.as_dict()
        locked.save(update_fields=["state", "completed_at", "result"])
    contact_import.state = locked.state
    contact_import.result = locked.result
    return result


def _record_details(record: ContactRecord) -> dict[str, object]:
    """The record's address, website, birthday and nickname as contact field values."""
    return {
        "nickname": record.nickname,
        "birthday": date.fromisoformat(record.birthday) if record.birthday else None,
        "website": _website(record.website),
        "street": record.street,
        "postal_code": record.postal_code,
        "city": record.city,
        "country": record.country,
    }


def _create_contacts(
    collective: Collective, user: User, contact_import: ContactImport, rows: Sequence[PreviewRow]
) -> int:
    if not rows:
        return 0
    organisations = {
        name.lower(): pk
        for pk, name in Organisation.objects.filter(collective=collective).values_list("pk", "name")
    }
    new_organisations: dict[str, Organisation] = {}
    for row in rows:
        name = row.record.organisation
        if name and name.lower() not in organisations and name.lower() not in new_organisations:
            new_organisations[name.lower()] = Organisation(
                collective=collective,
                name=name,
                website=_website(row.record.website),
                created_by=user,
                search_document=search_document(name),
            )
    if new_organisations:
        created = Organisation.objects.bulk_create(new_organisations.values(), batch_size=BATCH)
        organisations.update({o.name.lower(): o.pk for o in created})
    now = timezone.now()
    terms = SearchTerms()
    contacts: list[dict[str, object]] = []
    for row in rows:
        record = row.record
        contacts.append(
            {
                "collective_id": collective.pk,
                "full_name": record.full_name or record.display_name,
                "given_name": record.given_name,
                "family_name": record.family_name,
                "organisation_id": organisations.get(record.organisation.lower())
                if record.organisation
                else None,
                "role": record.role,
                **_record_details(record),
                "notes": record.notes,
                "tags": join_tags(record.tags),
                "source": Source.IMPORT,
                "source_detail": contact_import.file_name,
                "source_at": now,
                "source_by_id": user.pk,
                "created_by_id": user.pk,
                "created_at": now,
                "updated_at": now,
                "search_document": terms.document(
                    name=record.display_name,
                    given_name=record.given_name,
                    family_name=record.family_name,
                    role=record.role,
                    organisation=record.organisation,
                    emails=[e for e, _l in record.emails],
                    notes=record.notes,
                    tags=record.tags,
                ),
            }
        )
    contact_ids = bulk_insert(Contact, contacts, returning_ids=True)
    emails: list[dict[str, object]] = []
    phones: list[dict[str, object]] = []
    for row, contact_id in zip(rows, contact_ids, strict=True):
        for position, (address, label) in enumerate(row.record.emails):
            emails.append(
                {"contact_id": contact_id, "email": address, "label": label, "position": position}
            )
        for position, ((raw, label), e164) in enumerate(
            zip(row.record.phones, row.phones_e164, strict=True)
        ):
            phones.append(
                {
                    "contact_id": contact_id,
                    "raw": raw,
                    "e164": e164 or "",
                    "label": label,
                    "position": position,
                }
            )
    bulk_insert(ContactEmail, emails)
    bulk_insert(ContactPhone, phones)
    return len(contact_ids)


def bulk_insert(
    model: type[models.Model], rows: Sequence[Mapping[str, object]], *, returning_ids: bool = False
) -> list[int]:
    """Insert plain rows (attribute name → value) in multi-row INSERTs; the new ids in order.

    QuerySet.bulk_create prepares every field of every object, which costs more than the
    database itself for 100,000 contacts. Here text columns go in as they are and other
    columns are prepared once per distinct value. Fields not given get their defaults;
    `save()` and signals do not run, so callers set what those would (timestamps, search).
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    plain_text = {f.attname for f in fields if isinstance(f, models.CharField | models.TextField)}
    prepared: dict[tuple[str, object], object] = {}

    def prepare(field: models.Field[object, object], value: object) -> object:
        if value is None or (field.attname in plain_text and isinstance(value, str)):
            return value
        try:
            key = (field.attname, value)
            if key not in prepared:
                prepared[key] = field.get_db_prep_save(value, connection)
            return prepared[key]
        except TypeError:  # an unhashable value, e.g. for a JSON field
            return field.get_db_prep_save(value, connection)

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    returning = f" RETURNING {quote(model._meta.pk.column)}" if returning_ids else ""
    ids: list[int] = []

    def values(
        chunk: Sequence[Mapping[str, object]], field: models.Field[object, object]
    ) -> list[object]:
        default = defaults[field.attname]
        return [prepare(field, row.get(field.attname, default)) for row in chunk]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column, unnested into rows: a handful of parameters per statement
            # instead of one per value, which the driver would parse and adapt one by one.
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
            for start in range(0, len(rows), 10 * BATCH):
                chunk = rows[start : start + 10 * BATCH]
                cursor.execute(sql + returning, [values(chunk, f) for f in fields])
                if returning_ids:
                    ids.extend(int(row_id) for (row_id,) in cursor.fetchall())
            return ids
        placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
        batch = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, rows)))
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            columns_of_values = [values(chunk, f) for f in fields]
            params = [value for row in zip(*columns_of_values, strict=True) for value in row]
            # Table and column names come from the model and are quoted; values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
            cursor.execute(sql + ", ".join([placeholder] * len(chunk)) + returning, params)
            if returning_ids:
                ids.extend(int(row_id) for (row_id,) in cursor.fetchall())
    return ids


# --- merges ----------------------------------------------------------------------------------

MERGE_FILLED_FIELDS = (
    "given_name",
    "family_name",
    "full_name",
    "role",
    "organisation_id",
    "consent",
    "consent_on",
    "consent_note",
    "contact_preferences",
    "nickname",
    "birthday",
    "website",
    "street",
    "postal_code",
    "city",
    "country",
)


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class EmailState(TypedDict):
    id: int
    email: str
    label: str
    position: int


class PhoneState(TypedDict):
    id: int
    raw: str
    e164: str
    label: str
    position: int


class ContactState(TypedDict):
    """A contact as stored in a merge's JSON: its field values (dates as text) and addresses."""

    fields: dict[str, object]
    emails: list[EmailState]
    phones: list[PhoneState]


def contact_state(contact: Contact) -> ContactState:
    """Every stored value of a contact with its addresses: what undoing a merge restores."""
    fields = {
        f.attname: _json_value(getattr(contact, f.attname)) for f in Contact._meta.concrete_fields
    }
    return {
        "fields": fields,
        "emails": [
            {"id": e.pk, "email": e.email, "label": e.label, "position": e.position}
            for e in ContactEmail.objects.filter(contact=contact).order_by("pk")
        ],
        "phones": [
            {"id": p.pk, "raw": p.raw, "e164": p.e164, "label": p.label, "position": p.position}
            for p in ContactPhone.objects.filter(contact=contact).order_by("pk")
        ],
    }


def _set_fields(contact: Contact, values: Mapping[str, object], names: Iterable[str]) -> None:
    by_attname = {f.attname: f for f in Contact._meta.concrete_fields}
    for name in names:
        model_field = by_attname[name]
        value = values[name]
        setattr(contact, name, None if value is None else model_field.to_python(value))


def _append_note(notes: str, addition: str) -> str:
    if not addition or addition in notes:
        return notes
    return f"{notes}\n\n{addition}" if notes else addition


def _add_addresses(
    contact: Contact, emails: Sequence[tuple[str, str]], phones: Sequence[tuple[str, str]]
) -> tuple[list[int], list[int]]:
    known_emails = set(contact.emails.values_list("email", flat=True))
    known_phones = set()
    for raw, e164 in contact.phones.values_list("raw", "e164"):
        known_phones.add(e164 or raw)
    region = contact.phone_region
    new_emails = {ContactEmail.normalise(a) for a, _label in emails} - known_emails - {""}
    new_phones = {normalise_phone(raw, region) or raw.strip() for raw, _l in phones} - known_phones
    if len(known_emails) + len(new_emails) > limits.MAX_EMAILS:
        raise ContactsError(
            _("Together they would have %(count)s email addresses; at most %(limit)s fit.")
            % {"count": len(known_emails) + len(new_emails), "limit": limits.MAX_EMAILS}
        )
    if len(known_phones) + len(new_phones - {""}) > limits.MAX_PHONES:
        raise ContactsError(
            _("Together they would have %(count)s phone numbers; at most %(limit)s fit.")
            % {"count": len(known_phones) + len(new_phones - {""}), "limit": limits.MAX_PHONES}
        )
    added_emails = _add_new(
        emails,
        known=known_emails,
        key=ContactEmail.normalise,
        position=contact.emails.count(),
        create=lambda raw, address, label, position: (
            ContactEmail.objects.create(
                contact=contact, email=address, label=label, position=position
            ).pk
        ),
    )
    added_phones = _add_new(
        phones,
        known=known_phones,
        key=lambda raw: normalise_phone(raw, region) or raw.strip(),
        position=contact.phones.count(),
        create=lambda raw, key, label, position: (
            ContactPhone.objects.create(contact=contact, raw=raw, label=label, position=position).pk
        ),
    )
    return added_emails, added_phones


def _add_new(
    items: Sequence[tuple[str, str]],
    *,
    known: set[str],
    key: Callable[[str], str],
    position: int,
    create: Callable[[str, str, str, int], int],
) -> list[int]:
    """Create a row for each (value, label) whose key is not `known` yet, at the next
    positions; returns the new rows' ids. `create` gets the value, its key, label and position."""
    added: list[int] = []
    for raw, label in items:
        found = key(raw)
        if found and found not in known:
            known.add(found)
            added.append(create(raw, found, label, position))
            position += 1
    return added


def _fill(contact: Contact, values: Mapping[str, object]) -> list[str]:
    """Fill the contact's empty fields from `values`; notes are appended, tags joined."""
    changed: list[str] = []
    for name in MERGE_FILLED_FIELDS:
        if name in values and values[name] and not getattr(contact, name):
            _set_fields(contact, values, [name])
            changed.append(name)
    notes = _append_note(contact.notes, str(values.get("notes") or ""))
    if notes != contact.notes:
        contact.notes = notes
        changed.append("notes")
    tags = join_tags(contact.tag_list + split_tags(str(values.get("tags") or "")))
    if tags != contact.tags:
        contact.tags = tags
        changed.append("tags")
    last = values.get("last_contacted_on")
    if isinstance(last, str | date) and last:  # a date, or one stored as text in a snapshot
        last_date = date.fromisoformat(last) if isinstance(last, str) else last
        if contact.last_contacted_on is None or last_date > contact.last_contacted_on:
            contact.last_contacted_on = last_date
            changed.append("last_contacted_on")
    return changed


def _merge_record(
    *, contact: Contact, record: ContactRecord, user: User, contact_import: ContactImport | None
) -> ContactMerge:
    before = contact_state(contact)
    values: dict[str, object] = {
        "given_name": record.given_name,
        "family_name": record.family_name,
        "full_name": record.full_name,
        "role": record.role,
        **_record_details(record),
        "notes": record.notes,
        "tags": join_tags(record.tags),
    }
    if record.organisation and contact.organisation_id is None:
        values["organisation_id"] = _organisation_by_name(
            contact.collective, record.organisation, defaults={"website": _website(record.website)}
        ).pk
    changed = _fill(contact, values)
    added_emails, added_phones = _add_addresses(contact, record.emails, record.phones)
    contact.save()
    contact.refresh_search_document()
    return ContactMerge.objects.create(
        collective=contact.collective,
        kept=contact,
        merged_snapshot={"record": record.as_dict()},
        kept_before={**before, "added_emails": added_emails, "added_phones": added_phones},
        changed_fields=changed,
        merged_by=user,
        contact_import=contact_import,
    )


def _relations_to_contact() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to Contact outside its own address rows,
    including other apps' (the workbench's activities and leads) and many-to-many tables."""
    relations: list[tuple[type[models.Model], str]] = []
    for rel in Contact._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete:
            continue
        if isinstance(rel, models.ManyToManyRel):
            through = rel.through
            assert through is not None  # set once the models are loaded
            for through_field in through._meta.get_fields():
                if (
                    getattr(through_field, "related_model", None) is Contact
                    and through_field.concrete
                ):
                    relations.append((through, through_field.name))
        elif isinstance(rel, models.ManyToOneRel):  # and OneToOneRel, its subclass
            model = rel.related_model
            if model in (ContactEmail, ContactPhone):
                continue
            assert isinstance(model, type) and issubclass(model, models.Model)
            relations.append((model, rel.field.name))
    # Auto-created many-to-many tables show up twice (as a relation and as a hidden model).
    return sorted(set(relations), key=lambda r: (r[0]._meta.label, r[1]))


def _row_values(row: models.Model) -> dict[str, object]:
    return {f.attname: _json_value(getattr(row, f.attname)) for f in row._meta.concrete_fields}


class MovedReference(TypedDict):
    model: str
    field: str
    pk: int


class DroppedReference(TypedDict):
    model: str
    field: str
    row: dict[str, object]


class References(TypedDict):
    """Rows that pointed at a merged-away contact: moved to the kept one, or dropped."""

    moved: list[MovedReference]
    dropped: list[DroppedReference]


def _repoint(source: Contact, target: Contact) -> References:
    """Point other rows at `target` instead of `source`; rows that would clash with a row
    `target` already has (a unique pair) are deleted and kept in the returned snapshot."""
    moved: list[MovedReference] = []
    dropped: list[DroppedReference] = []
    for model, field_name in _relations_to_contact():
        rows = list(model._default_manager.filter(**{field_name: source}))
        for row in rows:
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=row.pk).update(**{field_name: target})
                moved.append({"model": model._meta.label, "field": field_name, "pk": row.pk})
            except IntegrityError:
                dropped.append(
                    {"model": model._meta.label, "field": field_name, "row": _row_values(row)}
                )
                row.delete()
    return {"moved": moved, "dropped": dropped}


@transaction.atomic
def do_merge_contacts(*, kept: Contact, merged: Contact, user: User) -> ContactMerge:
    """Merge `merged` into `kept`: empty fields are filled, notes appended, tags, addresses and
    references (activities, leads) move over, and `merged` is deleted. Undoable."""
    if kept.pk == merged.pk:
        raise ContactsError(_("A contact cannot be merged with itself."))
    if kept.collective_id != merged.collective_id:
        raise ContactsError(_("Only contacts of the same collective can be merged."))
    list(Contact.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk]))
    kept.refresh_from_db()
    merged.refresh_from_db()
    before = contact_state(kept)
    snapshot = contact_state(merged)
    references = _repoint(merged, kept)
    values = dict(snapshot["fields"])
    take_introduction = kept.introduction_id is None and merged.introduction_id is not None
    merged.delete()
    changed = _fill(kept, values)
    if take_introduction:
        kept.introduction_id = merged.introduction_id
        changed.append("introduction_id")
    added_emails, added_phones = _add_addresses(
        kept,
        [(e["email"], e["label"]) for e in snapshot["emails"]],
        [(p["raw"], p["label"]) for p in snapshot["phones"]],
    )
    kept.save()
    kept.refresh_search_document()
    return ContactMerge.objects.create(
        collective_id=kept.collective_id,
        kept=kept,
        merged_snapshot={"contact": snapshot, "references": references},
        kept_before={**before, "added_emails": added_emails, "added_phones": added_phones},
        changed_fields=changed,
        merged_by=user,
    )


@transaction.atomic
def do_undo_merge(*, merge: ContactMerge, user: User) -> Contact:
    """Restore the kept contact's changed fields and addresses, and bring the merged-away
    contact back with its original id, addresses and references."""
    merge = ContactMerge.objects.select_for_update().select_related("kept").get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ContactsError(_("This merge is already undone."))
    newer = (
        ContactMerge.objects.filter(
            kept_id=merge.kept_id, undone_at__isnull=True, merged_at__gt=merge.merged_at
        ).exists()
        or ContactMerge.objects.filter(
            kept_id=merge.kept_id,
            undone_at__isnull=True,
            merged_at=merge.merged_at,
            pk__gt=merge.pk,
        ).exists()
    )
    if newer:
        raise ContactsError(_("Undo the newer merges of this contact first."))
    kept = merge.kept
    before = merge.kept_before
    ContactEmail.objects.filter(contact=kept, pk__in=before.get("added_emails", [])).delete()
    ContactPhone.objects.filter(contact=kept, pk__in=before.get("added_phones", [])).delete()
    _set_fields(kept, before["fields"], merge.changed_fields)
    restored: Contact | None = None
    snapshot = merge.merged_snapshot.get("contact")
    if snapshot:
        if "introduction_id" in merge.changed_fields:
            kept.save(update_fields=["introduction"])
        restored = Contact()
        _set_fields(restored, snapshot["fields"], snapshot["fields"].keys())
        # Contact.save() would fill in an empty full name; restore exactly what was stored.
        models.Model.save(restored, force_insert=True)
        ContactEmail.objects.bulk_create(
            ContactEmail(contact=restored, **e) for e in snapshot["emails"]
        )
        ContactPhone.objects.bulk_create(
            ContactPhone(contact=restored, **p) for p in snapshot["phones"]
        )
        _restore_references(merge.merged_snapshot.get("references", {}), restored)
    models.Model.save(kept)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    kept.refresh_search_document()
    if restored is not None:
        restored.refresh_search_document()
    return restored or kept


def _restore_references(references: References, contact: Contact) -> None:
    from django.apps import apps

    for item in references.get("moved", []):
        model = apps.get_model(item["model"])
        model._default_manager.filter(pk=item["pk"]).update(**{item["field"]: contact})
    for dropped in references.get("dropped", []):
        model = apps.get_model(dropped["model"])
        row = model()
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        for name, value in dropped["row"].items():
            setattr(row, name, None if value is None else by_attname[name].to_python(value))
        row.save(force_insert=True)


def delete_expired_imports() -> int:
    """Forget uploads nobody confirmed within a day (the worker runs this hourly)."""
    deleted, _detail = ContactImport.objects.expired().delete()
    return deleted


# --- writes from the forms and the API ------------------------------------------------------


class ContactValues(TypedDict, total=False):
    """A contact's fields as checked plain values; a key left out keeps the field as it is.

    The contact form's fields are these keys, in this order (`organisation` for
    `organisation_id`): see `contact_form_fields()`.
    """

    given_name: str
    family_name: str
    full_name: str
    organisation_id: int | None
    role: str
    nickname: str
    birthday: date | None
    website: str
    street: str
    postal_code: str
    city: str
    country: str
    tags: list[str]
    notes: str
    source: str
    source_detail: str
    consent: str
    consent_on: date | None
    consent_note: str
    contact_preferences: str
    last_contacted_on: date | None


class OrganisationValues(TypedDict, total=False):
    """An organisation's fields as checked plain values; a key left out is kept.

    The organisation form's fields are these keys, in this order.
    """

    name: str
    website: str
    sector: str
    city: str
    country: str
    tags: list[str]
    notes: str


def contact_form_fields() -> list[str]:
    """The contact form's model fields: `ContactValues`' keys, with the organisation itself."""
    return [
        "organisation" if name == "organisation_id" else name
        for name in ContactValues.__annotations__
    ]


# The values written onto the row as they are; the others are checked or converted first.
CONTACT_PLAIN_FIELDS = tuple(
    name for name in ContactValues.__annotations__ if name not in {"organisation_id", "tags"}
)
ORGANISATION_PLAIN_FIELDS = tuple(
    name for name in OrganisationValues.__annotations__ if name != "tags"
)


@transaction.atomic
def do_write_contact(
    *,
    collective: Collective,
    user: User,
    contact: Contact | None,
    values: ContactValues,
    emails: Sequence[tuple[str, str]] | None = None,
    phones: Sequence[tuple[str, str]] | None = None,
) -> Contact:
    """Create (contact=None) or update a contact from checked plain values; emails and phones,
    when given, replace the contact's addresses. The one write path of a contact for the
    form and the API alike; the model's save() does the clean-up."""
    if contact is None:
        contact = Contact(
            collective=collective, created_by=user, source_by=user, source_at=timezone.now()
        )
    elif contact.collective_id != collective.pk:
        raise ContactsError(_("This contact belongs to another collective."))
    for name, value in values.items():
        if name in CONTACT_PLAIN_FIELDS:
            setattr(contact, name, value)
    if "organisation_id" in values:
        organisation_id = values["organisation_id"]
        if (
            organisation_id is not None
            and not Organisation.objects.filter(collective=collective, pk=organisation_id).exists()
        ):
            raise ContactsError(_("No such organisation in this collective."))
        contact.organisation_id = organisation_id
    if "tags" in values:
        contact.tags = join_tags(values["tags"])
    if emails is not None and len(emails) > limits.MAX_EMAILS:
        raise ContactsError(
            _("At most %(limit)s email addresses per contact.") % {"limit": limits.MAX_EMAILS}
        )
    if phones is not None and len(phones) > limits.MAX_PHONES:
        raise ContactsError(
            _("At most %(limit)s phone numbers per contact.") % {"limit": limits.MAX_PHONES}
        )
    contact.save()
    if emails is not None:
        contact.emails.all().delete()
        ContactEmail.objects.bulk_create(
            ContactEmail(contact=contact, email=ContactEmail.normalise(e), label=label, position=i)
            for i, (e, label) in enumerate(emails)
        )
    if phones is not None:
        contact.phones.all().delete()
        region = contact.phone_region
        ContactPhone.objects.bulk_create(
            ContactPhone(
                contact=contact,
                raw=raw,
                e164=normalise_phone(raw, region) or "",
                label=label,
                position=i,
            )
            for i, (raw, label) in enumerate(phones)
        )
    contact.refresh_search_document()
    return contact


@transaction.atomic
def do_write_organisation(
    *,
    collective: Collective,
    user: User,
    organisation: Organisation | None,
    values: OrganisationValues,
) -> Organisation:
    is_new = organisation is None
    if organisation is None:
        organisation = Organisation(collective=collective, created_by=user)
    elif organisation.collective_id != collective.pk:
        raise ContactsError(_("This organisation belongs to another collective."))
    for name, value in values.items():
        if name in ORGANISATION_PLAIN_FIELDS:
            setattr(organisation, name, value)
    if "tags" in values:
        organisation.tags = join_tags(values["tags"])
    organisation.save()
    organisation.refresh_search_document()
    if not is_new:
        refresh_contacts_search(
            organisation.contacts.select_related("organisation").prefetch_related("emails")
        )
    return organisation
