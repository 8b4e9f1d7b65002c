"""Saving the counterpart of an accepted introduction as a contact, in one click."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from klinke.contacts import actions
from klinke.contacts.models import Consent, Contact, Organisation, Source
from klinke.exchange.models import Introduction, IntroductionState
from klinke.exchange.tests.factories import make_need
from klinke.testing import postgresql_only, run_at_once

BASE = "/collectives/quellcode/contacts/"


def make_introduction(
    network: Any,
    *,
    counterpart: Any = None,
    state: str = IntroductionState.ACCEPTED,
    need: Any = None,
) -> Introduction:
    counterpart = counterpart or network.supporter
    need = need or make_need(network.collective_a, "Preise kalkulieren", "Wie?", topics=["pricing"])
    is_collective = counterpart.__class__.__name__ == "Collective"
    return Introduction.objects.create(
        need=need,
        supporter=None if is_collective else counterpart,
        collective=counterpart if is_collective else None,
        counterpart_key=Introduction.key_for(counterpart),
        state=state,
        requested_by=network.alice,
        message="Hallo!",
        requester_email="alice@example.org",
        responder_email="sam@example.org" if not is_collective else "bob@example.org",
        responder_phone="030 1234567",
        responder_channel="Signal, vormittags",
        answered_at=timezone.now() if state != IntroductionState.REQUESTED else None,
    )


@pytest.mark.django_db
def test_it_saves_a_supporter_from_an_accepted_introduction_once(network):
    introduction = make_introduction(network)
    client = network.client_for(network.alice)
    page = client.get(introduction.get_absolute_url()).content.decode()
    assert "Save as contact" in page
    url = f"{BASE}from-introduction/{introduction.pk}/"
    assert f'action="{url}"' in page

    response = client.post(url)
    contact = Contact.objects.get()
    assert response.status_code == 302 and response["Location"] == contact.get_absolute_url()
    assert contact.collective == network.collective_a
    assert contact.full_name == "Sam Beispiel"
    assert (contact.given_name, contact.family_name) == ("Sam", "Beispiel")
    assert contact.source == Source.INTRODUCTION
    assert contact.source_detail == "Introduction for “Preise kalkulieren”"
    assert contact.source_by == network.alice
    assert contact.introduction == introduction
    assert contact.consent == Consent.AGREED
    assert contact.consent_on == timezone.localdate(introduction.answered_at)
    assert contact.contact_preferences == "Signal, vormittags"
    assert [e.email for e in contact.emails.all()] == ["sam@example.org"]
    assert [p.e164 for p in contact.phones.all()] == ["+49301234567"]

    # The second click finds the same contact.
    response = client.post(url, follow=True)
    assert Contact.objects.count() == 1
    assert "already in your address book" in response.content.decode()
    # alice2, another member, finds it too.
    assert network.client_for(network.alice2).post(url)["Location"] == contact.get_absolute_url()
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_it_saves_a_helping_collective_with_its_organisation(network):
    introduction = make_introduction(network, counterpart=network.collective_b)
    network.client_for(network.alice).post(f"{BASE}from-introduction/{introduction.pk}/")
    contact = Contact.objects.get()
    assert contact.full_name == "Rotkehlchen Hosting"
    assert contact.organisation == Organisation.objects.get(name="Rotkehlchen Hosting")
    assert contact.organisation.city == "Wien" and contact.organisation.country == "AT"
    assert contact.organisation.collective == network.collective_a


@pytest.mark.django_db
def test_it_refuses_before_consent_and_to_everyone_but_the_requesters(network):
    requested = make_introduction(network, state=IntroductionState.REQUESTED)
    client = network.client_for(network.alice)
    assert "Save as contact" not in client.get(requested.get_absolute_url()).content.decode()
    assert client.post(f"{BASE}from-introduction/{requested.pk}/").status_code == 404
    declined = make_introduction(network, state=IntroductionState.DECLINED, need=requested.need)
    assert client.post(f"{BASE}from-introduction/{declined.pk}/").status_code == 404
    accepted = make_introduction(network, state=IntroductionState.COMPLETED, need=requested.need)
    # Sam is the counterpart: he sees the details but gets no button and no contact.
    sam = network.client_for(network.sam)
    assert "Save as contact" not in sam.get(accepted.get_absolute_url()).content.decode()
    assert sam.post(f"{BASE}from-introduction/{accepted.pk}/").status_code == 404
    # Bob cannot save it into his own collective's address book either.
    bob = network.client_for(network.bob)
    assert (
        bob.post(f"/collectives/rotkehlchen/contacts/from-introduction/{accepted.pk}/").status_code
        == 404
    )
    assert (
        network.client_for(network.alice).get(f"{BASE}from-introduction/{accepted.pk}/").status_code
        == 405
    )
    assert not Contact.objects.exists()
    with pytest.raises(actions.ContactsError):
        actions.do_save_contact_from_introduction(
            collective=network.collective_a, user=network.alice, introduction=requested
        )


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_it_saves_one_contact_when_two_members_click_at_once(network):
    introduction = make_introduction(network)
    for _round in range(5):
        Contact.objects.all().delete()
        results: list[Any] = run_at_once(
            [
                partial(
                    actions.do_save_contact_from_introduction,
                    collective=network.collective_a,
                    user=user,
                    introduction=introduction,
                )
                for user in (network.alice, network.alice2)
            ]
        )
        assert all(isinstance(r, tuple) for r in results), results
        assert Contact.objects.count() == 1
        assert sorted(created for _contact, created in results) == [False, True]
        assert results[0][0].pk == results[1][0].pk
