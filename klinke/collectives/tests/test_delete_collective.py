"""A collective deletes itself: its members see what goes, type its short name, and its
private data is gone, while the other sides of its open introductions are told."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from klinke.accounts.models import User
from klinke.accounts.tests.test_deletion import find_everywhere
from klinke.collectives.actions import MembershipError, do_delete_collective
from klinke.collectives.models import Collective
from klinke.conftest import deliver_mail
from klinke.contacts.models import Contact, ContactEmail
from klinke.exchange.models import Introduction, Need, Offer
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.workbench.models import Lead

pytestmark = pytest.mark.django_db

CLIENT_EMAIL = "einkauf@kundschaft.example"


@pytest.fixture
def collective_data(network):
    """Collective A with private data and two open introductions, one each way."""
    a = network.collective_a
    contact = Contact.objects.create(collective=a, given_name="Kira", family_name="Kundschaft")
    ContactEmail.objects.create(contact=contact, email=CLIENT_EMAIL)
    Lead.objects.create(collective=a, title="Geheimer Auftrag Stadtwerke")
    need = make_need(a, "Hilfe bei Preisen", "Wir brauchen Rat.")
    make_offer(a, "Django-Schulung", "Wir bringen Django bei.")
    Introduction.objects.create(
        need=need,
        supporter=network.supporter,
        counterpart_key=Introduction.key_for(network.supporter),
        requested_by=network.alice,
        message="Kannst du helfen?",
        requester_email=network.alice.email,
    )
    bobs_need = make_need(network.collective_b, "Django-Hilfe", "Wer kann Django?")
    Introduction.objects.create(
        need=bobs_need,
        collective=a,
        counterpart_key=Introduction.key_for(a),
        requested_by=network.bob,
        message="Könnt ihr helfen?",
        requester_email=network.bob.email,
    )
    return a


def test_it_names_what_goes_before_deleting(network, collective_data) -> None:
    response = network.client_for(network.alice).get(
        reverse("collectives:delete", args=[collective_data.slug])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The address book: contacts: 1, organisations: 0." in page
    assert "In the exchange: needs: 1, offers: 1" in page
    assert "2 open introductions are withdrawn or declined first" in page
    assert "The workbench: leads: 1 (with their activities), decisions: 0" in page
    assert "(members: 2)" in page
    assert '<label for="id_confirmation">' in page


def test_it_refuses_without_the_typed_short_name_and_keeps_everything(
    network, collective_data
) -> None:
    response = network.client_for(network.alice).post(
        reverse("collectives:delete", args=[collective_data.slug]), {"confirmation": "nope"}
    )

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert Collective.objects.filter(pk=collective_data.pk).exists()
    assert Lead.objects.filter(collective=collective_data).exists()


def test_it_deletes_the_collective_and_its_private_data(
    network, collective_data, smtp_server
) -> None:
    response = network.client_for(network.alice).post(
        reverse("collectives:delete", args=[collective_data.slug]),
        {"confirmation": collective_data.slug},
    )
    deliver_mail()

    assert response.status_code == 302
    assert not Collective.objects.filter(pk=collective_data.pk).exists()
    assert not Need.objects.filter(title="Hilfe bei Preisen").exists()
    assert not Offer.objects.filter(title="Django-Schulung").exists()
    for trace in (CLIENT_EMAIL, "Geheimer Auftrag Stadtwerke", "Kundschaft"):
        assert find_everywhere(trace) == [], trace
    # The members keep their accounts; the other sides heard of it.
    assert User.objects.filter(pk=network.alice.pk, is_active=True).exists()
    assert smtp_server.to(network.sam.email), "the supporter asked was told of the withdrawal"
    assert smtp_server.to(network.bob.email), "the collective that asked was told of the decline"


def test_it_refuses_a_non_member_in_the_action(network, collective_data) -> None:
    with pytest.raises(MembershipError):
        do_delete_collective(
            collective=collective_data, user=network.bob, confirmation=collective_data.slug
        )
    assert Collective.objects.filter(pk=collective_data.pk).exists()


@pytest.mark.parametrize("who", ["bob", "sam", "stella", "outsider"])
def test_it_answers_404_to_everyone_but_members(network, collective_data, who) -> None:
    client = network.client_for(getattr(network, who))
    url = reverse("collectives:delete", args=[collective_data.slug])

    assert client.get(url).status_code == 404
    assert client.post(url, {"confirmation": collective_data.slug}).status_code == 404
    assert Collective.objects.filter(pk=collective_data.pk).exists()


def test_it_sends_anonymous_visitors_to_log_in(network, collective_data) -> None:
    response = Client().post(
        reverse("collectives:delete", args=[collective_data.slug]),
        {"confirmation": collective_data.slug},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Collective.objects.filter(pk=collective_data.pk).exists()
