"""Contacts as the plain records the vCard and CSV writers take (`parsers.ExportContact`).

Used by the contacts export and by the workbench archive.
"""

from __future__ import annotations

from collections.abc import Iterable

from klinke.contacts.models import Contact
from klinke.contacts.parsers import ExportContact


def export_contacts(contacts: Iterable[Contact]) -> list[ExportContact]:
    return [
        ExportContact(
            uid=f"urn:klinke:contact:{c.pk}",
            full_name=c.display_name,
            given_name=c.given_name,
            family_name=c.family_name,
            organisation=c.organisation.name if c.organisation else "",
            role=c.role,
            emails=[(e.email, e.label) for e in c.emails.all()],
            phones=[(p.e164 or p.raw, p.label) for p in c.phones.all()],
            notes=c.notes,
            tags=c.tag_list,
            source=c.get_source_display(),
            consent=c.get_consent_display() if c.consent else "",
            last_contacted_on=c.last_contacted_on.isoformat() if c.last_contacted_on else "",
        )
        for c in contacts
    ]
