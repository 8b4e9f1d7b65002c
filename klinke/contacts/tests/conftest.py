"""Helpers for the contacts tests: fixture files and a quick way to make contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from klinke.collectives.models import Collective
from klinke.contacts.models import Contact, ContactEmail, ContactPhone, Organisation, join_tags

FIXTURES = Path(__file__).with_name("fixtures")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_organisation(collective: Collective, name: str, **fields: Any) -> Organisation:
    tags = fields.pop("tags", [])
    organisation = Organisation(collective=collective, name=name, **fields)
    organisation.tags = join_tags(tags)
    organisation.save()
    organisation.refresh_search_document()
    return organisation


def make_contact(
    collective: Collective,
    name: str,
    *,
    emails: tuple[str, ...] | list[str] = (),
    phones: tuple[str, ...] | list[str] = (),
    tags: tuple[str, ...] | list[str] = (),
    organisation: Organisation | None = None,
    **fields: Any,
) -> Contact:
    given, _space, family = name.partition(" ")
    contact = Contact(
        collective=collective,
        given_name=fields.pop("given_name", given),
        family_name=fields.pop("family_name", family),
        organisation=organisation,
        tags=join_tags(list(tags)),
        **fields,
    )
    contact.save()
    for position, email in enumerate(emails):
        ContactEmail.objects.create(contact=contact, email=email, position=position)
    for position, phone in enumerate(phones):
        ContactPhone.objects.create(contact=contact, raw=phone, position=position)
    contact.refresh_search_document()
    return contact


@pytest.fixture
def address_book(network: Any) -> dict[str, Any]:
    """Collective A's small address book, and one contact of collective B."""
    a = network.collective_a
    mieterverein = make_organisation(
        a, "Mieterverein Leipzig e.V.", city="Leipzig", tags=["tenants"]
    )
    werk2 = make_organisation(a, "Kulturzentrum Werk 2", sector="culture")
    anna = make_contact(
        a,
        "Anna Müller",
        emails=["anna.mueller@mieterverein.example"],
        phones=["0341 9876543"],
        tags=["tenants", "board"],
        organisation=mieterverein,
        role="Vorstand",
    )
    ben = make_contact(
        a, "Ben Okafor", emails=["ben@werk2.example"], tags=["culture"], organisation=werk2
    )
    bobs = make_contact(
        network.collective_b, "Rita Rotkehlchen", emails=["rita@rotkehlchen.example"]
    )
    return {
        "mieterverein": mieterverein,
        "werk2": werk2,
        "anna": anna,
        "ben": ben,
        "other_collectives_contact": bobs,
    }
