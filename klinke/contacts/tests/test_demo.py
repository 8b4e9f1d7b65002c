"""The demo address book of the mission collective."""

from __future__ import annotations

import pytest

from klinke.conftest import make_collective
from klinke.contacts.demo import load_demo_content
from klinke.contacts.models import Contact, ContactEmail, Organisation, Source

pytestmark = pytest.mark.django_db


def test_it_loads_a_bilingual_demo_address_book_once(network):
    collective = make_collective(
        "kollektiv-quellcode", "Kollektiv Quellcode", members=[network.alice]
    )
    summary = load_demo_content()
    assert summary == "contacts: 15 demo contacts and 6 organisations for Kollektiv Quellcode"
    assert (
        load_demo_content()
        == "contacts: 0 demo contacts and 0 organisations for Kollektiv Quellcode"
    )
    contacts = Contact.objects.filter(collective=collective)
    assert contacts.count() == 15 and not contacts.filter(is_demo=False).exists()
    assert set(contacts.values_list("source", flat=True)) == {Source.DEMO_IMPORT}
    organisations = Organisation.objects.filter(collective=collective)
    assert organisations.count() == 6 and not organisations.filter(is_demo=False).exists()
    assert {o.sector for o in organisations} >= {"housing", "culture", "public-administration"}
    emails = ContactEmail.objects.filter(contact__collective=collective).values_list(
        "email", flat=True
    )
    assert emails and all(email.endswith(".example") for email in emails)
    assert all(o.website.split("/")[2].endswith(".example") for o in organisations)
    notes = " ".join(contacts.values_list("notes", flat=True))
    assert "Genossenschaften" in notes and "bilingual campaign site" in notes
    # The demo is searchable and shows on the members' page.
    page = network.client_for(network.alice).get(
        "/collectives/kollektiv-quellcode/contacts/?q=Mieterverein"
    )
    assert [c.display_name for c in page.context["page"].object_list] == [
        "Renate Großmann",
        "Tobias Wendt",
    ]
    # An unparsable demo number is kept and flagged, as a real one would be.
    assert Contact.objects.get(family_name="Kowalski").phones.get().is_unparsed


def test_it_adds_nothing_without_the_demo_collective(network):
    assert load_demo_content() == "contacts: no demo collective, nothing to add"
    assert not Contact.objects.exists()
