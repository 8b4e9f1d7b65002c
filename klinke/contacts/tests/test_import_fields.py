"""Phone countries, per-record limits and what vCards carry besides names, for every way in:
vCard, CSV, the contact form, the API and merges."""

from __future__ import annotations

from typing import Any

import pytest

from klinke.contacts import actions, importing, limits, parsers
from klinke.contacts.duplicates import Reason
from klinke.contacts.models import Contact, ContactPhone
from klinke.contacts.tests.conftest import make_contact
from klinke.contacts.tests.test_api import API, JSON
from klinke.contacts.tests.test_import import BASE, start, upload
from klinke.testing import api_client

pytestmark = pytest.mark.django_db


def vcard(*lines: str) -> bytes:
    return ("\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""])).encode()


def preview(network: Any, name: str, data: bytes) -> list[importing.PreviewRow]:
    contact_import = start(network, name, data)
    if contact_import.state == "mapping":
        contact_import = actions.do_map_columns(
            contact_import=contact_import,
            mapping=parsers.guess_mapping(contact_import.table["header"]),
        )
    return importing.preview_rows(
        importing.import_records(contact_import),
        importing.existing_candidates(network.collective_a),
        collective_country=network.collective_a.country,
    )


# --- 1. phone countries ------------------------------------------------------------------------

NORTH_AMERICAN_CARD = vcard("FN:Dana Miller", "TEL;TYPE=work:905-555-1234")
CSV_NORTH_AMERICAN = b"Name,Phone\r\nDana Miller,905-555-1234\r\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [("dana.vcf", NORTH_AMERICAN_CARD), ("dana.csv", CSV_NORTH_AMERICAN)],
)
def test_it_does_not_make_a_north_american_number_german_nor_skip_the_contact(
    network: Any, name: str, data: bytes
) -> None:
    # The old default turned 905-555-1234 into +49 905 5551234, "the same phone" as this one.
    make_contact(network.collective_a, "Gerd Ostermann", phones=["+49 905 5551234"])
    (row,) = preview(network, name, data)
    assert row.phones_e164 == [None]
    assert row.matches == []
    assert row.default_action == importing.MergeChoice.CREATE


@pytest.mark.parametrize("file_name", ["dana.vcf", "dana.csv"])
def test_it_uses_the_contacts_own_country_for_numbers_without_a_country_code(
    network: Any, file_name: str
) -> None:
    data = (
        vcard(
            "FN:Dana Miller", "TEL:905-555-1234", "ADR;TYPE=work:;;1 King St;Toronto;ON;M5H;Canada"
        )
        if file_name.endswith(".vcf")
        else b"Name,Phone,Country\r\nDana Miller,905-555-1234,Kanada\r\n"
    )
    (row,) = preview(network, file_name, data)
    assert row.phones_e164 == ["+19055551234"]
    assert row.phone_pairs[0][1] == "+1 905-555-1234"


@pytest.mark.parametrize("file_name", ["anna.vcf", "anna.csv"])
def test_it_only_suggests_a_match_on_a_number_whose_country_was_inferred(
    network: Any, file_name: str
) -> None:
    existing = make_contact(network.collective_a, "Gerd Ostermann", phones=["0341 9876543"])
    data = (
        vcard("FN:Anna Weber", "TEL:0341 9876543")
        if file_name.endswith(".vcf")
        else b"Name,Phone\r\nAnna Weber,0341 9876543\r\n"
    )
    (row,) = preview(network, file_name, data)
    assert [(m.key, m.reason) for m in row.matches] == [(existing.pk, Reason.PHONE_GUESSED)]
    assert row.default_action == importing.MergeChoice.CREATE


def test_it_skips_by_default_when_both_numbers_carry_their_country_code(network: Any) -> None:
    existing = make_contact(network.collective_a, "Gerd Ostermann", phones=["+49 341 9876543"])
    (row,) = preview(network, "anna.vcf", vcard("FN:Anna Weber", "TEL:+49 341 9876543"))
    assert [(m.key, m.reason) for m in row.matches] == [(existing.pk, Reason.PHONE)]
    assert row.default_action == importing.MergeChoice.SKIP


def test_it_keeps_a_number_as_written_when_no_country_is_known(network: Any) -> None:
    network.collective_a.country = ""
    network.collective_a.save(update_fields=["country"])
    contact = make_contact(network.collective_a, "Anna Weber", phones=["0341 9876543"])
    phone = ContactPhone.objects.get(contact=contact)
    assert (phone.e164, phone.is_unparsed, phone.readable) == ("", True, "0341 9876543")


def test_it_uses_the_country_on_the_form_and_shows_the_number_for_reading(network: Any) -> None:
    client = network.client_for(network.alice)
    data = {
        "given_name": "Dana",
        "family_name": "Miller",
        "country": "ca",
        "source": "manual",
        "emails-TOTAL_FORMS": "0",
        "emails-INITIAL_FORMS": "0",
        "phones-TOTAL_FORMS": "2",
        "phones-INITIAL_FORMS": "0",
        "phones-0-raw": "905-555-1234",
        "phones-1-raw": "0341 9876543",
    }
    response = client.post(BASE + "new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(family_name="Miller")
    assert contact.country == "CA"
    assert [p.e164 for p in contact.phones.all()] == ["+19055551234", ""]
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "+1 905-555-1234" in page


def test_it_uses_the_collectives_country_in_the_api(network: Any) -> None:
    payload = {"full_name": "Anna Weber", "phones": [{"number": "0341 9876543"}]}
    client = api_client(network.alice)
    response = client.post(f"{API}/contacts", payload, content_type=JSON)
    assert response.status_code == 201, response.content
    phone = response.json()["phones"][0]
    assert phone["e164"] == "+493419876543"
    payload = {"full_name": "Dana Miller", "phones": [{"number": "905-555-1234"}]}
    response = client.post(f"{API}/contacts", payload, content_type=JSON)
    assert response.json()["phones"][0]["e164"] is None


# --- 3. one limit per record -------------------------------------------------------------------


def test_it_imports_at_most_the_limit_of_a_vcard_with_ten_thousand_emails(network: Any) -> None:
    emails = [f"EMAIL:person{i}@example.org" for i in range(10_000)]
    data = vcard("FN:Many Mails", *emails)
    contact_import = start(network, "many.vcf", data)
    client = network.client_for(network.alice)
    page = client.get(f"{BASE}import/{contact_import.pk}/preview/").content.decode()
    assert "9,980 further email addresses were not imported (at most 20 per contact)." in page
    actions.do_import_contacts(contact_import=contact_import, user=network.alice)
    assert Contact.objects.get(full_name="Many Mails").emails.count() == limits.MAX_EMAILS


def test_it_counts_left_out_phones_tags_and_urls(network: Any) -> None:
    data = vcard(
        "FN:Many Things",
        *[f"TEL:+49 341 {1000000 + i}" for i in range(25)],
        "CATEGORIES:" + ",".join(f"tag{i}" for i in range(60)),
        "URL:https://one.example",
        "URL:https://two.example",
    )
    (row,) = preview(network, "many.vcf", data)
    assert len(row.record.phones) == limits.MAX_PHONES
    assert len(row.record.tags) == limits.MAX_TAGS
    assert row.record.over_limit == {"phones": 5, "tags": 10, "urls": 1}


def test_it_applies_the_email_limit_to_a_csv_cell(network: Any) -> None:
    cell = ";".join(f"p{i}@example.org" for i in range(30))
    (row,) = preview(network, "many.csv", f"Name,Email\r\nMany,{cell}\r\n".encode())
    assert len(row.record.emails) == limits.MAX_EMAILS
    assert row.record.over_limit == {"emails": 10}


def test_it_refuses_more_emails_than_the_limit_in_the_form(network: Any) -> None:
    count = limits.MAX_EMAILS + 1
    data = {
        "full_name": "Many Mails",
        "source": "manual",
        "emails-TOTAL_FORMS": str(count),
        "emails-INITIAL_FORMS": "0",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        **{f"emails-{i}-email": f"p{i}@example.org" for i in range(count)},
    }
    response = network.client_for(network.alice).post(BASE + "new/", data)
    assert response.status_code == 200
    assert not Contact.objects.filter(full_name="Many Mails").exists()


def test_it_refuses_more_emails_than_the_limit_in_the_api(network: Any) -> None:
    emails = [{"email": f"p{i}@example.org"} for i in range(limits.MAX_EMAILS + 1)]
    response = api_client(network.alice).post(
        f"{API}/contacts", {"full_name": "Many", "emails": emails}, content_type=JSON
    )
    assert response.status_code == 422
    assert not Contact.objects.filter(full_name="Many").exists()


def test_it_refuses_a_merge_that_would_exceed_the_limit(network: Any) -> None:
    kept = make_contact(
        network.collective_a, "Anna Weber", emails=[f"a{i}@example.org" for i in range(15)]
    )
    merged = make_contact(
        network.collective_a, "Anna Weber", emails=[f"b{i}@example.org" for i in range(15)]
    )
    merged_pk = merged.pk
    with pytest.raises(actions.ContactsError, match="30 email addresses; at most 20"):
        actions.do_merge_contacts(kept=kept, merged=merged, user=network.alice)
    assert Contact.objects.filter(pk=merged_pk).exists()
    assert kept.emails.count() == 15


# --- 4. what vCards carry besides names --------------------------------------------------------


def test_it_keeps_address_website_birthday_and_nickname_of_a_real_export(network: Any) -> None:
    contact_import = start(network, "outlook-2007.vcf")
    actions.do_import_contacts(contact_import=contact_import, user=network.alice)
    contact = Contact.objects.get(full_name="Mr. Michael Angstadt Jr.")
    assert (contact.street, contact.postal_code, contact.city, contact.country) == (
        "222 Broadway, TheOffice",
        "99999",
        "New York",
        "US",
    )
    assert contact.website == "http://mikeangstadt.name"
    assert contact.birthday is not None and contact.birthday.isoformat() == "1922-03-10"
    assert contact.nickname == "Mike"


def test_it_tells_what_a_real_export_held_that_was_not_imported(network: Any) -> None:
    client = network.client_for(network.alice)
    response = upload(client, "rfc6350-example.vcf")
    page = client.get(response["Location"]).content.decode()
    assert "ANNIVERSARY: 1 value not imported" in page
    assert "LANG: 2 values not imported" in page
    response = upload(client, "thunderbird-MoreFunctionsForAddressBook-extension.vcf")
    page = client.get(response["Location"]).content.decode()
    assert "ADR: 1 value not imported" in page
    assert "1 further web address was not imported" in page


def test_it_reports_a_second_org_instead_of_hiding_it_in_the_notes(network: Any) -> None:
    (row,) = preview(network, "org.vcf", vcard("FN:Anna", "ORG:Erste GmbH", "ORG:Zweite eG"))
    assert row.record.organisation == "Erste GmbH"
    assert row.record.notes == ""
    assert row.left_out_texts == ["ORG: 1 value not imported"]


def test_it_fills_the_new_fields_when_merging_an_imported_record(network: Any) -> None:
    existing = make_contact(network.collective_a, "Anna Weber", emails=["anna@example.org"])
    data = vcard(
        "FN:Anna Weber",
        "EMAIL:anna@example.org",
        "NICKNAME:Anni",
        "BDAY:1980-04-12",
        "ADR:;;Karl-Liebknecht-Str. 1;Leipzig;;04107;Deutschland",
    )
    contact_import = start(network, "anna.vcf", data)
    actions.do_import_contacts(
        contact_import=contact_import,
        user=network.alice,
        choices={1: (importing.MergeChoice.MERGE, existing.pk)},
    )
    existing.refresh_from_db()
    assert (existing.nickname, existing.city, existing.country) == ("Anni", "Leipzig", "DE")
    assert existing.birthday is not None and existing.birthday.isoformat() == "1980-04-12"


# --- 6. one write path per noun ----------------------------------------------------------------


def _stored(contact: Contact) -> tuple[Any, ...]:
    return (
        contact.full_name,
        [(e.email, e.label, e.position) for e in contact.emails.all()],
        [(p.raw, p.e164, p.label, p.position) for p in contact.phones.all()],
        contact.tags,
        contact.search_document,
    )


def test_it_stores_the_same_contact_from_the_form_and_the_api(network: Any) -> None:
    client = network.client_for(network.alice)
    response = client.post(
        BASE + "new/",
        {
            "full_name": "Anna Weber",
            "source": "manual",
            "tags": "Mieterin, Rat",
            "emails-TOTAL_FORMS": "1",
            "emails-INITIAL_FORMS": "0",
            "emails-0-email": " Anna@Example.org ",
            "emails-0-label": "work",
            "phones-TOTAL_FORMS": "1",
            "phones-INITIAL_FORMS": "0",
            "phones-0-raw": "0341 9876543",
            "phones-0-label": "mobile",
        },
    )
    assert response.status_code == 302
    from_form = Contact.objects.get()
    response = api_client(network.alice).post(
        f"{API}/contacts",
        {
            "full_name": "Anna Weber",
            "tags": ["Mieterin", "Rat"],
            "emails": [{"email": " Anna@Example.org ", "label": "work"}],
            "phones": [{"number": "0341 9876543", "label": "mobile"}],
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    from_api = Contact.objects.exclude(pk=from_form.pk).get()
    assert _stored(from_form) == _stored(from_api)
    assert _stored(from_form)[2] == [("0341 9876543", "+493419876543", "mobile", 0)]
