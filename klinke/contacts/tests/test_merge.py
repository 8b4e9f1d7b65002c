"""Merging duplicate contacts, and undoing merges exactly."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from klinke.contacts import actions
from klinke.contacts.models import Consent, Contact, ContactMerge
from klinke.contacts.tests.conftest import make_contact, make_organisation

pytestmark = pytest.mark.django_db

BASE = "/collectives/quellcode/contacts/"


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    state = {**state, "fields": dict(state["fields"])}
    state["fields"].pop("updated_at")
    state["fields"].pop("search_document")
    return state


@pytest.fixture
def pair(network):
    a = network.collective_a
    mieterverein = make_organisation(a, "Mieterverein Leipzig e.V.")
    kept = make_contact(
        a,
        "Anna Müller",
        emails=["anna@mieterverein.example"],
        phones=["0341 9876543"],
        tags=["tenants"],
        notes="Vorstand seit 2020.",
        last_contacted_on=date(2026, 1, 5),
    )
    duplicate = make_contact(
        a,
        "Anna Mueller",
        emails=["ANNA@mieterverein.example", "anna.privat@example.org"],
        phones=["+49 341 9876543", "0176 5551234"],
        tags=["board"],
        notes="Mag keine Anrufe vor 10.",
        organisation=mieterverein,
        role="Vorstand",
        consent=Consent.AGREED,
        consent_on=date(2025, 11, 2),
        last_contacted_on=date(2026, 2, 1),
    )
    return kept, duplicate


def test_it_merges_a_duplicate_into_the_kept_contact(network, pair):
    kept, duplicate = pair
    client = network.client_for(network.alice)
    response = client.post(f"{BASE}{kept.pk}/merge/", {"other": duplicate.pk})
    merge = ContactMerge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{kept.pk}/#merge-{merge.pk}"
    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    kept.refresh_from_db()
    assert kept.full_name == "Anna Müller"  # the kept contact's own values stay
    assert kept.organisation.name == "Mieterverein Leipzig e.V."  # gaps are filled
    assert kept.role == "Vorstand"
    assert kept.consent == Consent.AGREED and kept.consent_on == date(2025, 11, 2)
    assert kept.tag_list == ["board", "tenants"]
    assert kept.notes == "Vorstand seit 2020.\n\nMag keine Anrufe vor 10."
    assert kept.last_contacted_on == date(2026, 2, 1)
    assert [e.email for e in kept.emails.all()] == [
        "anna@mieterverein.example",
        "anna.privat@example.org",
    ]
    assert [p.e164 for p in kept.phones.all()] == ["+493419876543", "+491765551234"]
    assert sorted(merge.changed_fields) == sorted(
        ["organisation_id", "role", "consent", "consent_on", "notes", "tags", "last_contacted_on"]
    )
    page = client.get(kept.get_absolute_url()).content.decode()
    assert "Undo this merge" in page


def test_it_undoes_a_merge_and_restores_both_contacts_exactly(network, pair):
    kept, duplicate = pair
    kept_before = comparable(actions.contact_state(kept))
    duplicate_before = comparable(actions.contact_state(duplicate))
    duplicate_pk = duplicate.pk
    merge = actions.do_merge_contacts(kept=kept, merged=duplicate, user=network.alice)
    client = network.client_for(network.alice)
    response = client.post(f"{BASE}merges/{merge.pk}/undo/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{duplicate_pk}/"
    restored = Contact.objects.get(pk=duplicate_pk)
    assert comparable(actions.contact_state(restored)) == duplicate_before
    assert comparable(actions.contact_state(Contact.objects.get(pk=kept.pk))) == kept_before
    assert ContactMerge.objects.get().undone_at is not None
    # Both are findable again.
    assert list(Contact.objects.matching_terms(["privat"])) == [restored]
    # Undoing twice is refused.
    response = client.post(f"{BASE}merges/{merge.pk}/undo/", follow=True)
    assert "already undone" in response.content.decode()


def test_it_moves_references_to_the_merged_contact_and_back_on_undo(network, pair):
    kept, duplicate = pair
    other = make_contact(network.collective_a, "Anna M.", emails=["am@example.org"])
    duplicate_pk, other_pk = duplicate.pk, other.pk
    # An earlier merge into the duplicate is a row that points at it.
    earlier = actions.do_merge_contacts(kept=duplicate, merged=other, user=network.alice)
    merge = actions.do_merge_contacts(kept=kept, merged=duplicate, user=network.alice)
    earlier.refresh_from_db()
    assert earlier.kept_id == kept.pk
    assert {
        "model": "contacts.ContactMerge",
        "field": "kept",
        "pk": earlier.pk,
    } in merge.merged_snapshot["references"]["moved"]
    # The older merge cannot be undone before the newer one.
    with pytest.raises(actions.ContactsError, match="newer merges"):
        actions.do_undo_merge(merge=earlier, user=network.alice)
    actions.do_undo_merge(merge=merge, user=network.alice)
    earlier.refresh_from_db()
    assert earlier.kept_id == duplicate_pk
    actions.do_undo_merge(merge=earlier, user=network.alice)
    assert set(Contact.objects.values_list("pk", flat=True)) == {kept.pk, duplicate_pk, other_pk}


def test_it_suggests_likely_duplicates_and_searches_for_others(network, pair):
    kept, _duplicate = pair
    unrelated = make_contact(network.collective_a, "Ben Okafor", emails=["ben@werk2.example"])
    client = network.client_for(network.alice)
    page = client.get(f"{BASE}{kept.pk}/merge/").content.decode()
    assert "Anna Mueller" in page and "same email address" in page
    assert "Ben Okafor" not in page
    response = client.get(f"{BASE}{kept.pk}/merge/", {"q": "Okafor"}, HTTP_HX_REQUEST="true")
    partial = response.content.decode()
    assert "<html" not in partial
    assert "Ben Okafor" in partial and f'value="{unrelated.pk}"' in partial


def test_it_refuses_to_merge_across_collectives_or_with_itself(network, pair):
    kept, _duplicate = pair
    foreign = make_contact(
        network.collective_b, "Anna Müller", emails=["anna@mieterverein.example"]
    )
    client = network.client_for(network.alice)
    assert client.post(f"{BASE}{kept.pk}/merge/", {"other": foreign.pk}).status_code == 404
    assert client.post(f"{BASE}{kept.pk}/merge/", {"other": kept.pk}).status_code == 404
    with pytest.raises(actions.ContactsError):
        actions.do_merge_contacts(kept=kept, merged=foreign, user=network.alice)
    assert Contact.objects.filter(pk=foreign.pk).exists()
    assert not ContactMerge.objects.exists()
    # Bob cannot see or undo collective A's merges.
    merge = actions.do_merge_contacts(kept=kept, merged=_duplicate, user=network.alice)
    bob = network.client_for(network.bob)
    assert bob.post(f"{BASE}merges/{merge.pk}/undo/").status_code == 404
    assert bob.post(f"/collectives/rotkehlchen/contacts/merges/{merge.pk}/undo/").status_code == 404
    assert ContactMerge.objects.get().undone_at is None


def test_it_suggests_duplicates_with_a_fixed_number_of_queries(
    network, pair, django_assert_max_num_queries
):
    kept, _duplicate = pair
    client = network.client_for(network.alice)
    with django_assert_max_num_queries(12) as few:
        client.get(f"{BASE}{kept.pk}/merge/")
    for i in range(40):
        make_contact(network.collective_a, f"Anna Müller{i}", emails=[f"a{i}@example.org"])
        make_contact(network.collective_a, f"Someone Else{i}", phones=["0341 9876543"])
    with django_assert_max_num_queries(12) as many:
        page = client.get(f"{BASE}{kept.pk}/merge/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Anna Mueller" in page and "same phone number" in page


@pytest.mark.parametrize("other", ["abc", "", "9" * 30])
def test_it_finds_no_one_to_merge_for_a_tampered_id(network, pair, other):
    kept, _duplicate = pair
    client = network.client_for(network.alice)
    response = client.post(f"{BASE}{kept.pk}/merge/", {"other": other})
    assert response.status_code == 404 and not ContactMerge.objects.exists()
