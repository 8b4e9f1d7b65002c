"""Vouching's rules: both sides consent, nobody vouches for their own collective, withdrawn
vouches are gone, one vouch per pair and project, and sources must be real."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from klinke.collectives.models import Membership
from klinke.conftest import make_user
from klinke.vouches import actions
from klinke.vouches.models import Vouch, VouchSource, VouchState
from klinke.vouches.presenting import counted, public_vouches
from klinke.vouches.tests.conftest import (
    accepted_referral,
    helpful_introduction,
    offered,
    public_vouch,
    values,
)

pytestmark = pytest.mark.django_db


def test_it_makes_an_offered_vouch_public_only_when_the_vouched_for_side_confirms(network):
    network.bob.language = "en"
    network.bob.save(update_fields=["language"])
    vouch = offered(network.collective_b, network.collective_a, network.bob)
    assert vouch.state == VouchState.PENDING
    assert public_vouches(network.collective_a, None) == []
    # Each mail in its recipient's language: Quellcode's members read German.
    assert "Rotkehlchen Hosting möchte für euch sprechen" in mail.outbox[-1].subject
    assert {m.to[0] for m in mail.outbox} == {"alice@example.org", "alina@example.org"}

    with pytest.raises(actions.VouchError, match="other side confirms"):
        actions.do_confirm_vouch(vouch_id=vouch.pk, user=network.bob)
    mail.outbox.clear()
    actions.do_confirm_vouch(vouch_id=vouch.pk, user=network.alice)
    vouch.refresh_from_db()
    assert vouch.state == VouchState.PUBLIC and vouch.accepted_by == network.alice
    assert public_vouches(network.collective_a, None) == [vouch]
    assert [m.to[0] for m in mail.outbox] == ["bob@example.org"]
    assert "confirmed" in mail.outbox[0].subject


def test_it_lets_a_collective_ask_a_partner_who_then_confirms(network):
    vouch = actions.do_ask_for_vouch(
        collective=network.collective_a,
        voucher=network.supporter,
        user=network.alice,
        values=values("Preisfindung"),
    )
    assert not vouch.offered_by_voucher and vouch.is_pending
    assert mail.outbox[-1].to == ["sam@example.org"]
    assert "Kollektiv Quellcode bittet dich um eine Fürsprache" in mail.outbox[-1].subject
    with pytest.raises(actions.VouchError):
        actions.do_confirm_vouch(vouch_id=vouch.pk, user=network.alice2)
    actions.do_confirm_vouch(vouch_id=vouch.pk, user=network.sam)
    assert public_vouches(network.collective_a, None)[0].voucher_supporter == network.supporter


def test_it_refuses_vouching_for_ones_own_collective(network):
    with pytest.raises(actions.VouchError, match="itself"):
        offered(network.collective_a, network.collective_a, network.alice)
    # A member of A cannot vouch for A as a supporter either.
    Membership.objects.create(collective=network.collective_a, user=network.sam)
    with pytest.raises(actions.VouchError, match="own collective"):
        offered(network.supporter, network.collective_a, network.sam)
    with pytest.raises(actions.VouchError, match="own collective"):
        actions.do_ask_for_vouch(
            collective=network.collective_a,
            voucher=network.supporter,
            user=network.alice,
            values=values(),
        )
    # Bob is in both B and "verborgen": he cannot vouch for one in the other's name.
    with pytest.raises(actions.VouchError, match="own collective"):
        offered(network.hidden, network.collective_b, network.bob)
    assert not Vouch.objects.exists()


def test_it_refuses_someone_speaking_for_a_side_they_do_not_belong_to(network):
    with pytest.raises(actions.VouchError):
        offered(network.collective_b, network.collective_a, network.outsider)
    with pytest.raises(actions.VouchError):
        offered(network.supporter, network.collective_a, network.bob)
    with pytest.raises(actions.VouchError):
        actions.do_ask_for_vouch(
            collective=network.collective_a,
            voucher=network.collective_b,
            user=network.bob,
            values=values(),
        )


def test_it_keeps_a_collective_from_vouching_for_itself_in_the_database(network):
    with pytest.raises(IntegrityError), transaction.atomic():
        Vouch.objects.create(
            collective=network.collective_a,
            voucher_collective=network.collective_a,
            project="Selbstlob",
        )


def test_it_refuses_a_second_vouch_for_the_same_project(network):
    offered(network.collective_b, network.collective_a, network.bob, "Portal")
    with pytest.raises(actions.VouchError, match="already"):
        offered(network.collective_b, network.collective_a, network.bob, " portal ")
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Vouch.objects.create(
            collective=network.collective_a,
            voucher_collective=network.collective_b,
            project="PORTAL",
        )
    # Another project is fine, and so is the same one once the first is withdrawn.
    offered(network.collective_b, network.collective_a, network.bob, "Hosting")
    first = Vouch.objects.get(project="Portal")
    actions.do_withdraw_vouch(vouch_id=first.pk, user=network.bob)
    offered(network.collective_b, network.collective_a, network.bob, "Portal")


def test_it_lets_either_side_withdraw_and_the_vouch_leaves_public_pages_at_once(network):
    vouch = public_vouch(network.collective_b, network.collective_a, network.bob, network.alice)
    actions.do_withdraw_vouch(vouch_id=vouch.pk, user=network.alice2)
    vouch.refresh_from_db()
    assert vouch.state == VouchState.WITHDRAWN and vouch.withdrawn_by == network.alice2
    assert public_vouches(network.collective_a, None) == []
    with pytest.raises(actions.VouchError):
        actions.do_withdraw_vouch(vouch_id=vouch.pk, user=network.bob)
    other = public_vouch(
        network.collective_b, network.collective_a, network.bob, network.alice, "Zweites"
    )
    with pytest.raises(actions.VouchError):
        actions.do_withdraw_vouch(vouch_id=other.pk, user=network.outsider)
    actions.do_withdraw_vouch(vouch_id=other.pk, user=network.bob)
    assert not Vouch.objects.public().exists()


def test_it_refuses_a_blank_project_and_an_unknown_vouch(network):
    with pytest.raises(actions.VouchError, match="Name the project"):
        offered(network.collective_b, network.collective_a, network.bob, "   ")
    with pytest.raises(actions.VouchError):
        actions.do_confirm_vouch(vouch_id=999999, user=network.alice)


def test_it_checks_that_both_sides_took_part_in_the_named_source(network):
    referral = accepted_referral(network.collective_a, network.collective_b)
    vouch = offered(
        network.collective_b,
        network.collective_a,
        network.bob,
        source=VouchSource.REFERRAL,
        source_id=referral.pk,
    )
    assert vouch.referral == referral
    third = make_user("tia@example.org", "Tia")
    from klinke.conftest import make_collective

    other = make_collective("dritte", "Drittes Kollektiv", members=[third])
    with pytest.raises(actions.VouchError, match="referral"):
        offered(
            other, network.collective_a, third, source=VouchSource.REFERRAL, source_id=referral.pk
        )
    with pytest.raises(actions.VouchError):
        offered(other, network.collective_a, third, source=VouchSource.CONSORTIUM, source_id=1)
    with pytest.raises(actions.VouchError, match="Say where"):
        offered(other, network.collective_a, third, source=VouchSource.REFERRAL)
    introduction = helpful_introduction(network.collective_a, network.supporter)
    vouch = offered(
        network.supporter,
        network.collective_a,
        network.sam,
        "Preise",
        source=VouchSource.INTRODUCTION,
        source_id=introduction.pk,
    )
    assert vouch.introduction == introduction
    with pytest.raises(actions.VouchError, match="introduced"):
        offered(
            network.collective_b,
            network.collective_a,
            network.bob,
            "Preise",
            source=VouchSource.INTRODUCTION,
            source_id=introduction.pk,
        )


def test_it_counts_distinct_vouchers_in_a_sentence_never_a_score(network):
    public_vouch(network.collective_b, network.collective_a, network.bob, network.alice, "Eins")
    public_vouch(network.collective_b, network.collective_a, network.bob, network.alice, "Zwei")
    vouch = offered(network.supporter, network.collective_a, network.sam, "Drei")
    actions.do_confirm_vouch(vouch_id=vouch.pk, user=network.alice)
    assert counted(public_vouches(network.collective_a, None)) == (
        "1 collective and 1 supporter have worked with us."
    )


def test_it_hides_members_only_vouchers_from_the_public(network):
    hidden_member = make_user("hanna@example.org", "Hanna")
    Membership.objects.create(collective=network.hidden, user=hidden_member)
    Membership.objects.filter(collective=network.hidden, user=network.bob).delete()
    public_vouch(network.hidden, network.collective_a, hidden_member, network.alice)
    assert public_vouches(network.collective_a, None) == []
    assert len(public_vouches(network.collective_a, network.bob)) == 1
