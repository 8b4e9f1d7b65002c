"""The address book's pages: list with filters (and htmx), detail, forms, organisations, export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from klinke.contacts import parsers
from klinke.contacts.models import Contact, Organisation, Source
from klinke.contacts.tests.conftest import make_contact, make_organisation

pytestmark = pytest.mark.django_db

BASE = "/collectives/quellcode/contacts/"


def names(response: Any) -> list[str]:
    assert response.status_code == 200
    return [c.display_name for c in response.context["page"].object_list]


def test_it_lists_the_collectives_contacts_and_filters_them(network, address_book):
    client = network.client_for(network.alice)
    assert names(client.get(BASE)) == ["Anna Müller", "Ben Okafor"]
    assert names(client.get(BASE, {"tag": "board"})) == ["Anna Müller"]
    assert names(client.get(BASE, {"organisation": address_book["werk2"].pk})) == ["Ben Okafor"]
    assert names(client.get(BASE, {"q": "Mueller"})) == ["Anna Müller"]
    assert names(client.get(BASE, {"q": "kulturzentrum"})) == ["Ben Okafor"]
    assert names(client.get(BASE, {"q": "Rotkehlchen"})) == []
    page = client.get(BASE).content.decode()
    assert "Rita Rotkehlchen" not in page
    assert '<option value="board" >board</option>' in page


def test_it_answers_htmx_with_the_list_only(network, address_book):
    client = network.client_for(network.alice)
    response = client.get(BASE, {"tag": "culture"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "<form" not in body
    assert "Ben Okafor" in body and "Anna Müller" not in body
    assert 'id="contact-count"' in body


def test_it_lists_with_a_fixed_number_of_queries(network, django_assert_max_num_queries):
    a = network.collective_a
    organisation = make_organisation(a, "Kulturzentrum Werk 2")
    client = network.client_for(network.alice)

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            make_contact(
                a, f"Person{i} Family{i}", emails=[f"p{i}@example.org"], phones=["0341 5550100"],
                tags=["culture", f"t{i}"], organisation=organisation,
            )  # fmt: skip

    add(3, 0)
    client.get(BASE)
    with django_assert_max_num_queries(12) as few:
        assert len(names(client.get(BASE, {"tag": "culture"}))) == 3
    add(30, 3)
    with django_assert_max_num_queries(12) as many:
        assert len(names(client.get(BASE, {"tag": "culture"}))) == 33
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_shows_a_contact_with_provenance_and_flags_odd_numbers(network, address_book):
    anna = address_book["anna"]
    anna.source = Source.EVENT
    anna.source_detail = "Leipziger Kulturnacht"
    anna.source_by = network.alice2
    anna.save()
    make_contact(network.collective_a, "Jan Kowalski", phones=["über die Zentrale"])
    client = network.client_for(network.alice)
    page = client.get(anna.get_absolute_url()).content.decode()
    assert "anna.mueller@mieterverein.example" in page
    assert 'href="tel:+493419876543"' in page
    assert "event: Leipziger Kulturnacht" in page
    assert "added by Alina" in page
    jan = Contact.objects.get(family_name="Kowalski")
    assert (
        "not a recognisable number, kept as entered"
        in client.get(jan.get_absolute_url()).content.decode()
    )


def test_it_creates_and_edits_a_contact_with_several_addresses(network, address_book):
    client = network.client_for(network.alice)
    form = client.get(BASE + "new/").content.decode()
    assert 'name="emails-TOTAL_FORMS"' in form
    assert 'value="import"' not in form  # people cannot claim an import by hand
    data = {
        "given_name": "Carla",
        "family_name": "Schmidt",
        "organisation": address_book["mieterverein"].pk,
        "role": "Kassiererin",
        "tags": "Tenants, Finance",
        "source": "event",
        "source_detail": "Mieterversammlung",
        "consent": "agreed",
        "consent_on": "2026-03-01",
        "emails-TOTAL_FORMS": "2", "emails-INITIAL_FORMS": "0",
        "emails-0-email": "Carla@Example.org", "emails-0-label": "work",
        "emails-1-email": "carla.privat@example.org", "emails-1-label": "home",
        "phones-TOTAL_FORMS": "1", "phones-INITIAL_FORMS": "0",
        "phones-0-raw": "0176 5551234", "phones-0-label": "mobile",
    }  # fmt: skip
    response = client.post(BASE + "new/", data)
    carla = Contact.objects.get(family_name="Schmidt")
    assert response["Location"] == carla.get_absolute_url()
    assert carla.collective == network.collective_a
    assert carla.full_name == "Carla Schmidt"
    assert carla.tag_list == ["finance", "tenants"]
    assert carla.source == Source.EVENT and carla.source_by == network.alice
    assert [(e.email, e.label) for e in carla.emails.all()] == [
        ("carla@example.org", "work"), ("carla.privat@example.org", "home"),
    ]  # fmt: skip
    assert [p.e164 for p in carla.phones.all()] == ["+491765551234"]
    assert list(Contact.objects.matching_terms(["kassiererin"])) == [carla]

    email = carla.emails.get(label="home")
    edit = {
        **data,
        "role": "Kassenwartin",
        "emails-TOTAL_FORMS": "2", "emails-INITIAL_FORMS": "2",
        "emails-0-id": carla.emails.get(label="work").pk, "emails-0-email": "carla@example.org",
        "emails-1-id": email.pk, "emails-1-email": email.email, "emails-1-DELETE": "on",
        "phones-TOTAL_FORMS": "1", "phones-INITIAL_FORMS": "1",
        "phones-0-id": carla.phones.get().pk, "phones-0-raw": "0341 5550100",
    }  # fmt: skip
    response = client.post(f"{BASE}{carla.pk}/edit/", edit)
    assert response.status_code == 302
    carla.refresh_from_db()
    assert carla.role == "Kassenwartin"
    assert [e.email for e in carla.emails.all()] == ["carla@example.org"]
    assert [p.e164 for p in carla.phones.all()] == ["+493415550100"]


def test_it_needs_a_name_and_refuses_another_collectives_organisation(network, address_book):
    client = network.client_for(network.alice)
    foreign = make_organisation(network.collective_b, "Fremde Organisation")
    base = {"source": "manual", "emails-TOTAL_FORMS": "0", "emails-INITIAL_FORMS": "0",
            "phones-TOTAL_FORMS": "0", "phones-INITIAL_FORMS": "0"}  # fmt: skip
    response = client.post(BASE + "new/", base)
    assert "Give at least a name." in response.content.decode()
    response = client.post(BASE + "new/", {**base, "full_name": "X", "organisation": foreign.pk})
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert Contact.objects.count() == 3


def test_it_deletes_a_contact_after_confirmation(network, address_book):
    client = network.client_for(network.alice)
    ben = address_book["ben"]
    assert "Delete “Ben Okafor”?" in client.get(f"{BASE}{ben.pk}/delete/").content.decode()
    assert Contact.objects.filter(pk=ben.pk).exists()
    response = client.post(f"{BASE}{ben.pk}/delete/")
    assert response["Location"] == BASE
    assert not Contact.objects.filter(pk=ben.pk).exists()


def test_it_manages_organisations(network, address_book, django_assert_max_num_queries):
    client = network.client_for(network.alice)
    response = client.post(
        BASE + "organisations/new/",
        {"name": "Stadt Leipzig – Amt für Digitalisierung", "sector": "public-administration",
         "city": "Leipzig", "country": "de", "tags": "public sector", "website": "https://leipzig.example"},
    )  # fmt: skip
    amt = Organisation.objects.get(name__startswith="Stadt Leipzig")
    assert response["Location"] == amt.get_absolute_url()
    assert amt.country == "DE" and amt.collective == network.collective_a
    for i in range(20):
        make_organisation(network.collective_a, f"Verein {i}")
    with django_assert_max_num_queries(8):
        listing = client.get(BASE + "organisations/")
    page = listing.content.decode()
    assert (
        page.index("Kulturzentrum Werk 2")
        < page.index("Mieterverein Leipzig e.V.")
        < page.index("Stadt Leipzig")
    )
    assert "1 contact" in page
    partial = client.get(BASE + "organisations/", {"q": "Digitalisierung"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Stadt Leipzig" in partial.content.decode()
    assert "Mieterverein" not in partial.content.decode()
    detail = client.get(address_book["mieterverein"].get_absolute_url()).content.decode()
    assert "Anna Müller" in detail

    # Renaming an organisation makes its contacts findable by the new name.
    response = client.post(
        f"{BASE}organisations/{address_book['mieterverein'].pk}/edit/",
        {"name": "Mieterbund Ost", "sector": "housing"},
    )
    assert response.status_code == 302
    assert list(Contact.objects.matching_terms(["mieterbund"])) == [address_book["anna"]]
    # Deleting it keeps the contacts.
    client.post(f"{BASE}organisations/{address_book['mieterverein'].pk}/delete/")
    anna = Contact.objects.get(pk=address_book["anna"].pk)
    assert anna.organisation is None
    assert not Contact.objects.matching_terms(["mieterbund"]).exists()


def test_it_exports_the_filtered_contacts_as_vcard_and_csv(network, address_book):
    make_contact(network.collective_a, "=cmd|calc", emails=["evil@example.org"], tags=["board"])
    client = network.client_for(network.alice)
    response = client.get(BASE + "export.vcf", {"tag": "board"})
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="quellcode-contacts-')
    records = parsers.parse_vcards(response.content)
    assert sorted(r.full_name for r in records) == ["=cmd|calc", "Anna Müller"]
    anna = next(r for r in records if r.full_name == "Anna Müller")
    assert anna.phones == [("+493419876543", "")]
    assert anna.organisation == "Mieterverein Leipzig e.V."
    response = client.get(BASE + "export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'=cmd|calc", "Anna Müller", "Ben Okafor"]
    assert "Rita" not in response.content.decode()
    assert client.get(BASE + "export.xlsx").status_code == 404
