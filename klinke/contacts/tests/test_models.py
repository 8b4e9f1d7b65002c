"""Organisations and contacts: tags, phone numbers, names, last contact, scoping."""

from __future__ import annotations

from datetime import date

import pytest

from klinke.contacts.models import Contact, ContactPhone, Organisation, join_tags
from klinke.contacts.phones import normalise_phone
from klinke.contacts.tests.conftest import make_contact

pytestmark = pytest.mark.django_db


def test_it_stores_tags_so_that_one_cannot_match_inside_another(network):
    contact = make_contact(
        network.collective_a, "Anna Müller", tags=["Tenants", "board", "tenants"]
    )
    make_contact(network.collective_a, "Ben Okafor", tags=["tenants-assembly"])
    assert contact.tags == ",board,tenants,"
    assert contact.tag_list == ["board", "tenants"]
    assert list(Contact.objects.tagged("tenants")) == [contact]
    assert join_tags(["a, b", "  c  "]) == ",a b,c,"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0341 9876543", "+493419876543"),
        ("+49 (0)341 9876543", "+493419876543"),
        ("0049 30 1234567", "+49301234567"),
        ("030/1234567-0", "+493012345670"),
        ("tel:+1-418-656-9254;ext=102", "+14186569254"),
        ("+43 1 5550123", "+4315550123"),
        ("ask at the front desk", None),
        ("", None),
    ],
)
def test_it_normalises_phone_numbers_to_e164_in_the_given_country(raw, e164):
    assert normalise_phone(raw, "DE") == e164


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        # A North American number is not made German, with or without a known country.
        ("905-555-1234", None, None),
        ("905-555-1234", "DE", None),
        ("905-555-1234", "CA", "+19055551234"),
        ("0341 9876543", None, None),
        ("0341 9876543", "AT", None),
        ("+49 341 9876543", None, "+493419876543"),
        ("0049 341 9876543", "CA", "+493419876543"),
    ],
)
def test_it_gives_no_e164_form_without_a_country_it_can_trust(raw, region, e164):
    assert normalise_phone(raw, region) == e164


def test_it_keeps_unparsable_phone_numbers_as_entered_and_flags_them(network):
    contact = make_contact(
        network.collective_a, "Jan Kowalski", phones=["0341 5550100", "über die Zentrale"]
    )
    good, odd = contact.phones.all()
    assert (good.e164, good.is_unparsed, good.number) == ("+493415550100", False, "+493415550100")
    assert (odd.raw, odd.e164, odd.is_unparsed, odd.number) == (
        "über die Zentrale",
        "",
        True,
        "über die Zentrale",
    )
    odd.raw = "0341 5550199"
    odd.save()
    assert ContactPhone.objects.get(pk=odd.pk).e164 == "+493415550199"


def test_it_makes_the_full_name_from_given_and_family_name(network):
    contact = make_contact(network.collective_a, "Anna Müller")
    assert contact.full_name == "Anna Müller"
    assert str(contact) == "Anna Müller"
    nameless = Contact.objects.create(collective=network.collective_a)
    assert nameless.display_name == "(no name)"


def test_it_only_moves_the_last_contact_date_forward(network):
    contact = make_contact(network.collective_a, "Anna Müller")
    contact.record_contact(date(2026, 3, 10))
    contact.record_contact(date(2026, 1, 1))
    assert Contact.objects.get(pk=contact.pk).last_contacted_on == date(2026, 3, 10)
    assert contact.last_contacted_on == date(2026, 3, 10)
    contact.record_contact(date(2026, 4, 2))
    assert Contact.objects.get(pk=contact.pk).last_contacted_on == date(2026, 4, 2)


def test_it_scopes_everything_to_one_collective(network, address_book):
    a, b = network.collective_a, network.collective_b
    assert set(Contact.objects.for_collective(a)) == {address_book["anna"], address_book["ben"]}
    assert list(Contact.objects.for_collective(b)) == [address_book["other_collectives_contact"]]
    assert set(Organisation.objects.for_collective(a)) == {
        address_book["mieterverein"],
        address_book["werk2"],
    }
    assert not Organisation.objects.for_collective(b).exists()


def test_it_finds_contacts_by_bilingual_search_terms(network, address_book):
    from klinke.matching.analysis import query_terms

    def search(text: str) -> list[Contact]:
        return list(
            Contact.objects.for_collective(network.collective_a).matching_terms(query_terms(text))
        )

    assert search("Mueller") == [address_book["anna"]]
    assert search("mieterverein") == [address_book["anna"]]  # by organisation
    assert search("werk2.example") == [address_book["ben"]]  # by email
    assert search("Rotkehlchen") == []  # another collective's contact
