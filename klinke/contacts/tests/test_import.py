"""Importing vCard and CSV files: upload, column mapping, duplicate preview, atomic write."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from klinke.contacts import actions, importing
from klinke.contacts.models import (
    Contact,
    ContactImport,
    ContactMerge,
    ImportState,
    Organisation,
    Source,
)
from klinke.contacts.phones import normalise_phone
from klinke.contacts.tests.conftest import fixture_bytes, make_contact
from klinke.matching.analysis import query_terms
from klinke.testing import postgresql_only, run_at_once

pytestmark = pytest.mark.django_db

BASE = "/collectives/quellcode/contacts/"


def upload(client: Any, name: str, data: bytes | None = None) -> Any:
    return client.post(
        BASE + "import/",
        {"file": SimpleUploadedFile(name, data if data is not None else fixture_bytes(name))},
    )


def start(network: Any, name: str, data: bytes | None = None) -> ContactImport:
    return actions.do_start_import(
        collective=network.collective_a,
        user=network.alice,
        file_name=name,
        data=data if data is not None else fixture_bytes(name),
    )


def test_it_previews_a_vcard_with_duplicates_and_skips_exact_ones_by_default(network):
    arnold = make_contact(network.collective_a, "Arnold Smith", emails=["asmithk@gmail.com"])
    client = network.client_for(network.alice)
    response = upload(client, "gmail-list.vcf")
    contact_import = ContactImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}import/{contact_import.pk}/preview/"
    assert contact_import.state == ImportState.PREVIEW
    assert contact_import.created_by == network.alice
    assert Contact.objects.count() == 1  # nothing written before the confirmation

    page = client.get(response["Location"]).content.decode()
    assert "gmail-list.vcf: 3 contacts" in page
    assert "1 possible duplicate" in page
    assert "same email address" in page
    assert f'<option value="{arnold.pk}">Arnold Smith</option>' in page
    assert 'name="action-1" value="skip" checked' in page
    assert 'name="action-2"' not in page  # no duplicate, no choice

    response = client.post(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == BASE
    names = sorted(Contact.objects.values_list("full_name", flat=True))
    assert names == ["Arnold Smith", "Chris Beatle", "Doug White"]
    contact_import.refresh_from_db()
    assert contact_import.state == ImportState.DONE
    assert contact_import.result == {"created": 2, "merged": 0, "skipped": 1}


def test_it_records_where_imported_contacts_come_from(network):
    contact_import = start(network, "umlaute-2.1.vcf")
    before = timezone.now()
    actions.do_import_contacts(contact_import=contact_import, user=network.alice)
    juergen = Contact.objects.get(family_name="Müller")
    assert juergen.source == Source.IMPORT
    assert juergen.source_detail == "umlaute-2.1.vcf"
    assert juergen.source_by == network.alice
    assert juergen.source_at >= before
    assert juergen.collective == network.collective_a
    assert juergen.organisation is not None
    assert juergen.organisation.name == "Mieterverein Süd e.V."
    assert [p.e164 for p in juergen.phones.all()] == ["+493411234567", "+4917612345678"]
    assert [e.email for e in juergen.emails.all()] == ["juergen.mueller@mieterverein-sued.example"]
    bjoern = Contact.objects.get(family_name="Schön")
    (phone,) = bjoern.phones.all()
    assert (phone.raw, phone.e164, phone.is_unparsed) == ("Zentrale fragen", "", True)
    # Imported contacts are searchable at once.
    assert list(Contact.objects.matching_terms(["mieterverein"])) == [juergen]


def test_it_imports_every_real_export(network):
    names = [
        "John_Doe_ANDROID.vcf", "John_Doe_EVOLUTION.vcf", "John_Doe_GMAIL.vcf",
        "John_Doe_MS_OUTLOOK.vcf", "gmail-list.vcf", "outlook-2007.vcf", "rfc6350-example.vcf",
        "thunderbird-MoreFunctionsForAddressBook-extension.vcf",
    ]  # fmt: skip
    created = 0
    for name in names:
        result = actions.do_import_contacts(
            contact_import=start(network, name),
            user=network.alice,
            choices=None,
        )
        created += result.created
    # John Doe comes four times (Gmail, Outlook, Evolution, Thunderbird); later copies with a
    # known email or phone are skipped by default.
    assert created == Contact.objects.count()
    assert Contact.objects.filter(emails__email="john.doe@ibm.com").count() == 1
    assert Contact.objects.filter(emails__email="simon.perreault@viagenie.ca").exists()


def test_it_creates_skips_and_merges_as_chosen(network):
    anna = make_contact(
        network.collective_a, "Anna Müller", emails=["anna.mueller@mieterverein.example"], role=""
    )
    ben = make_contact(network.collective_a, "Ben Okafor", emails=["ben@werk2.example"])
    client = network.client_for(network.alice)
    response = upload(client, "kontakte-excel.csv")
    contact_import = ContactImport.objects.get()
    assert response["Location"] == f"{BASE}import/{contact_import.pk}/columns/"
    response = client.post(
        response["Location"],
        {
            f"column_{i}": f
            for i, f in enumerate(
                [
                    "given_name",
                    "family_name",
                    "organisation",
                    "role",
                    "email",
                    "email",
                    "phone",
                    "phone",
                    "notes",
                    "tags",
                ]
            )
        },
    )
    assert response["Location"] == f"{BASE}import/{contact_import.pk}/preview/"
    response = client.post(
        response["Location"],
        {"action-1": "merge", "merge-1": str(anna.pk), "action-2": "create"},
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    # Merged: the empty role is filled, the new phone numbers, tags and notes are added.
    assert anna.role == "Vorstand"
    assert anna.organisation is not None
    assert anna.organisation.name == "Mieterverein Leipzig e.V."
    assert [p.e164 for p in anna.phones.all()] == ["+493419876543", "+491765551234"]
    assert anna.tag_list == ["beratung", "mieten"]
    assert anna.notes == "Kennt die Stadträte; mag keine Anrufe vor 10"
    # Created anyway although the email is known: two Bens now.
    assert Contact.objects.filter(emails__email="ben@werk2.example").count() == 2
    assert Contact.objects.filter(full_name="Carla Schmidt").exists()
    contact_import.refresh_from_db()
    assert contact_import.result == {"created": 2, "merged": 1, "skipped": 0}
    merge = ContactMerge.objects.get()
    assert merge.kept == anna and merge.contact_import == contact_import
    assert ben.pk in Contact.objects.values_list("pk", flat=True)


def test_it_undoes_a_merge_from_an_import_exactly(network):
    anna = make_contact(
        network.collective_a, "Anna Müller", emails=["anna.mueller@mieterverein.example"]
    )
    before = actions.contact_state(anna)
    contact_import = start(network, "kontakte-excel.csv")
    actions.do_map_columns(
        contact_import=contact_import,
        mapping=[
            "given_name",
            "family_name",
            "organisation",
            "role",
            "email",
            "email",
            "phone",
            "phone",
            "notes",
            "tags",
        ],
    )
    actions.do_import_contacts(
        contact_import=contact_import, user=network.alice, choices={1: ("merge", anna.pk)}
    )
    assert actions.contact_state(anna) != before
    actions.do_undo_merge(merge=ContactMerge.objects.get(), user=network.alice)
    after = actions.contact_state(Contact.objects.get(pk=anna.pk))
    for state in (before, after):
        state["fields"].pop("updated_at")
        state["fields"].pop("search_document")
    assert after == before
    assert ContactMerge.objects.get().undone_at is not None


def test_it_flags_a_record_that_repeats_an_earlier_one_in_the_same_file(network):
    data = (
        "Name;E-Mail\nAnna Müller;anna@example.org\nBen Okafor;ben@example.org\n"
        "A. Müller;ANNA@example.org\n"
    ).encode()
    contact_import = start(network, "doppelt.csv", data)
    actions.do_map_columns(contact_import=contact_import, mapping=["full_name", "email"])
    rows = importing.preview_rows(importing.import_records(contact_import), [])
    assert [r.default_action for r in rows] == ["create", "create", "skip"]
    assert rows[2].in_file_duplicate and rows[2].mergeable == []
    page = network.client_for(network.alice).get(f"{BASE}import/{contact_import.pk}/preview/")
    assert "an earlier record in this file" in page.content.decode()
    result = actions.do_import_contacts(contact_import=contact_import, user=network.alice)
    assert (result.created, result.skipped) == (2, 1)


def test_it_refuses_a_broken_file_naming_record_and_line_and_stores_nothing(network):
    client = network.client_for(network.alice)
    response = upload(client, "broken-unclosed.vcf")
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Record 2 (line 6): the vCard is never closed with END:VCARD. Nothing was imported." in page
    )
    assert not ContactImport.objects.exists()
    assert not Contact.objects.exists()


def test_it_refuses_a_csv_row_that_does_not_fit_at_the_mapping_step(network):
    data = "Name;E-Mail\nAnna;anna@example.org\n" + "x" * 300 + ";b@example.org\n"
    client = network.client_for(network.alice)
    response = upload(client, "lang.csv", data.encode())
    mapping_url = response["Location"]
    response = client.post(mapping_url, {"column_0": "full_name", "column_1": "email"})
    assert response.status_code == 400
    assert (
        "Record 2 (line 3): the full name is 300 characters long; at most 250 fit"
        in response.content.decode()
    )
    assert ContactImport.objects.get().state == ImportState.MAPPING


def test_it_writes_nothing_when_a_record_fails_halfway(network, monkeypatch):
    anna = make_contact(
        network.collective_a, "Anna Müller", emails=["anna.mueller@mieterverein.example"]
    )
    ben = make_contact(network.collective_a, "Ben Okafor", emails=["ben@werk2.example"])
    contact_import = start(network, "kontakte-excel.csv")
    actions.do_map_columns(
        contact_import=contact_import,
        mapping=[
            "given_name",
            "family_name",
            "organisation",
            "role",
            "email",
            "email",
            "phone",
            "phone",
            "notes",
            "tags",
        ],
    )
    real_merge = actions._merge_record

    def merge_that_breaks_on_ben(
        *, contact: Any, record: Any, user: Any, contact_import: Any
    ) -> Any:
        if contact == ben:
            raise IntegrityError("simulated failure")
        return real_merge(contact=contact, record=record, user=user, contact_import=contact_import)

    monkeypatch.setattr(actions, "_merge_record", merge_that_breaks_on_ben)
    client = network.client_for(network.alice)
    response = client.post(
        f"{BASE}import/{contact_import.pk}/preview/",
        {"action-1": "merge", "merge-1": anna.pk, "action-2": "merge", "merge-2": ben.pk},
    )
    assert response.status_code == 400
    assert "Record 2 (line 3): simulated failure Nothing was imported." in response.content.decode()
    # Anna's merge was written before Ben's failed; it is rolled back with everything else.
    anna.refresh_from_db()
    assert anna.role == "" and anna.phones.count() == 0
    assert not ContactMerge.objects.exists()
    assert Contact.objects.count() == 2
    assert not Organisation.objects.exists()
    assert ContactImport.objects.get().state == ImportState.PREVIEW


def test_it_refuses_files_over_two_megabytes(network):
    response = upload(network.client_for(network.alice), "big.vcf", b"x" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 400
    assert "The file is larger than 2 MB." in response.content.decode()
    assert not ContactImport.objects.exists()


def test_it_keeps_an_upload_private_to_the_person_who_uploaded_it(network):
    contact_import = start(network, "gmail-list.vcf")
    url = f"{BASE}import/{contact_import.pk}/preview/"
    assert network.client_for(network.alice).get(url).status_code == 200
    assert network.client_for(network.alice2).get(url).status_code == 404
    assert network.client_for(network.bob).get(url).status_code == 404
    assert network.client_for(network.alice2).post(url).status_code == 404
    assert not Contact.objects.exists()


def test_it_cannot_confirm_an_import_twice(network):
    contact_import = start(network, "gmail-list.vcf")
    client = network.client_for(network.alice)
    url = f"{BASE}import/{contact_import.pk}/preview/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404
    with pytest.raises(actions.ContactsError):
        actions.do_import_contacts(contact_import=contact_import, user=network.alice)
    assert Contact.objects.count() == 3


def test_it_forgets_uploads_nobody_confirmed(network):
    old = start(network, "gmail-list.vcf")
    fresh = start(network, "rfc6350-example.vcf")
    ContactImport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    from klinke.core.jobs import all_jobs

    (job,) = [j for j in all_jobs() if j.name == "forget unconfirmed contact imports"]
    assert job.run() == 1
    assert list(ContactImport.objects.all()) == [fresh]
    url = f"{BASE}import/{old.pk}/preview/"
    assert network.client_for(network.alice).get(url).status_code == 404


def test_it_guesses_the_mapping_and_shows_examples(network):
    client = network.client_for(network.alice)
    response = upload(client, "contacts-google.csv")
    page = client.get(response["Location"]).content.decode()
    assert '<option value="organisation" selected>' in page
    assert "Green Energy Coop" in page
    response = client.post(response["Location"], {f"column_{i}": "" for i in range(11)})
    assert "Map at least one column" in response.content.decode()


def test_it_writes_the_same_rows_and_search_documents_as_a_one_by_one_save(network):
    """Bulk writing skips save(); what it stores must equal what save() would."""
    from klinke.matching.analysis import search_document

    contact_import = start(network, "kontakte-excel.csv")
    actions.do_map_columns(
        contact_import=contact_import,
        mapping=["given_name", "family_name", "organisation", "role", "email", "email",
                 "phone", "phone", "notes", "tags"],
    )  # fmt: skip
    actions.do_import_contacts(contact_import=contact_import, user=network.alice)
    for name in ("umlaute-2.1.vcf", "thunderbird-MoreFunctionsForAddressBook-extension.vcf"):
        actions.do_import_contacts(contact_import=start(network, name), user=network.alice)
    contacts = Contact.objects.select_related("organisation").prefetch_related("emails", "phones")
    assert contacts.count() == 6
    for contact in contacts:
        expected = search_document(
            *actions.contact_search_texts(
                name=contact.display_name,
                given_name=contact.given_name,
                family_name=contact.family_name,
                role=contact.role,
                organisation=contact.organisation.name if contact.organisation else "",
                emails=[e.email for e in contact.emails.all()],
                notes=contact.notes,
                tags=contact.tag_list,
            )
        )
        assert contact.search_document == expected, contact
        assert contact.updated_at == contact.created_at == contact.source_at
        assert (contact.is_demo, contact.consent, contact.last_contacted_on) == (False, "", None)
        for phone in contact.phones.all():
            assert phone.e164 == (normalise_phone(phone.raw, contact.phone_region) or "")
    anna = Contact.objects.get(given_name="Anna")
    assert anna.tags == ",beratung,mieten,"
    assert list(Contact.objects.matching_terms(query_terms("Stadträte"))) == [anna]


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_it_imports_once_when_two_confirmations_race(network):
    for _round in range(3):
        Contact.objects.all().delete()
        contact_import = start(network, "gmail-list.vcf")
        confirm = partial(
            actions.do_import_contacts, contact_import=contact_import, user=network.alice
        )
        outcomes = [
            "refused"
            if isinstance(result, actions.ContactsError)
            else repr(result)
            if isinstance(result, Exception)
            else "imported"
            for result in run_at_once([confirm, confirm])
        ]
        assert sorted(outcomes) == ["imported", "refused"], outcomes
        assert Contact.objects.count() == 3
