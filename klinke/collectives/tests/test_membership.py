import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from klinke.collectives import actions
from klinke.collectives.models import Invitation, Membership
from klinke.conftest import deliver_mail, text_body

pytestmark = pytest.mark.django_db


def test_it_emails_an_invitation_through_smtp_and_the_link_works_once(network, smtp_server):
    client = network.client_for(network.alice)
    response = client.post(
        reverse("collectives:members", args=["quellcode"]), {"email": "olga@example.org"}
    )
    assert response.status_code == 302
    assert deliver_mail() == 1
    [message] = smtp_server.to("olga@example.org")
    [link] = re.findall(r"https?://\S+/collectives/invitations/\S+/", text_body(message))
    path = urlsplit(link).path
    invitation = Invitation.objects.get(email="olga@example.org")
    assert invitation.digest not in link
    assert "Kollektiv Quellcode" in str(message["Subject"])

    olga = network.client_for(network.outsider)
    assert olga.get(path).status_code == 200
    assert olga.post(path).status_code == 302
    assert network.collective_a.has_member(network.outsider)
    # A second use of the same link does nothing.
    Membership.objects.filter(user=network.outsider).delete()
    assert olga.post(path).status_code == 302
    assert not network.collective_a.has_member(network.outsider)


def test_it_refuses_expired_invitations(network):
    invitation, secret = Invitation.issue(
        collective=network.collective_a, email="olga@example.org", invited_by=network.alice
    )
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    with pytest.raises(actions.InvitationError):
        actions.do_accept_invitation(token=secret, user=network.outsider)
    assert not network.collective_a.has_member(network.outsider)


def test_it_refuses_to_invite_an_existing_member(network):
    with pytest.raises(actions.InvitationError):
        actions.do_invite_member(
            collective=network.collective_a, inviter=network.alice, email="ALINA@example.org"
        )
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_replaces_an_older_pending_invitation(network):
    first, _first_secret = actions.do_invite_member(
        collective=network.collective_a, inviter=network.alice, email="olga@example.org"
    )
    second, _second_secret = actions.do_invite_member(
        collective=network.collective_a, inviter=network.alice2, email="olga@example.org"
    )
    first.refresh_from_db()
    assert not first.is_usable and second.is_usable


def test_it_forbids_inviting_into_another_collective(network):
    client = network.client_for(network.bob)
    response = client.post(
        reverse("collectives:members", args=["quellcode"]), {"email": "x@example.org"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_it_refuses_a_malformed_email_with_a_clear_error(network):
    client = network.client_for(network.alice)
    response = client.post(
        reverse("collectives:members", args=["quellcode"]), {"email": "not-an-address"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()


def test_it_keeps_the_last_member(network):
    client = network.client_for(network.bob)
    response = client.post(reverse("collectives:leave", args=["rotkehlchen"]))
    assert response.status_code == 302
    assert network.collective_b.has_member(network.bob)


def test_it_lets_a_member_leave_when_others_remain(network):
    client = network.client_for(network.alice2)
    client.post(reverse("collectives:leave", args=["quellcode"]))
    assert not network.collective_a.has_member(network.alice2)
    assert network.collective_a.has_member(network.alice)


def test_it_lets_the_last_member_leave_after_archiving(network):
    client = network.client_for(network.bob)
    client.post(reverse("collectives:archive", args=["rotkehlchen"]))
    network.collective_b.refresh_from_db()
    assert network.collective_b.is_archived
    client.post(reverse("collectives:leave", args=["rotkehlchen"]))
    assert not network.collective_b.has_member(network.bob)


def test_it_forbids_archiving_another_collective(network):
    response = network.client_for(network.bob).post(
        reverse("collectives:archive", args=["quellcode"])
    )
    assert response.status_code == 404
    network.collective_a.refresh_from_db()
    assert not network.collective_a.is_archived
