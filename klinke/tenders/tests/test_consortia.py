"""Consortia: the rules, the shared page, who sees what, invitations and their mail."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from klinke.conftest import make_collective, make_user
from klinke.core.models import NotificationKind, NotificationMute
from klinke.tenders import consortia
from klinke.tenders.consortia import ConsortiumError, Part
from klinke.tenders.models import (
    Consortium,
    ConsortiumLot,
    ConsortiumMember,
    ConsortiumState,
    EntryState,
    InboxEntry,
    MemberState,
)
from klinke.tenders.suggestions import suggest_collectives
from klinke.testing import postgresql_only, run_at_once
from klinke.workbench.models import Decision, Lead
from klinke.workbench.tests.conftest import make_lead, make_red_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def carla_collective(network):
    carla = make_user("carla@example.org", "Carla")
    collective = make_collective(
        "drittes-kollektiv",
        "Drittes Kollektiv",
        members=[carla],
        description_de="Hosting und Betrieb von Webportalen, Schulungen in Dresden.",
        city="Dresden",
        country="DE",
        nuts_code="DED21",
        topics=["hosting", "web-development"],
    )
    return collective, carla


@pytest.fixture
def started(network, lot_tender):
    return consortia.do_start_consortium(
        tender=lot_tender, collective=network.collective_a, user=network.alice
    )


@pytest.fixture
def invited(network, started, carla_collective):
    collective, _carla = carla_collective
    member = consortia.do_invite_to_consortium(
        consortium=started,
        collective=network.collective_a,
        user=network.alice,
        invitee=collective,
        message="Wollt ihr das Hosting übernehmen?",
    )
    return member


def page(collective, consortium) -> str:
    return reverse("tenders:consortium_detail", args=[collective.slug, consortium.pk])


# --- starting ---------------------------------------------------------------------------


def test_it_makes_the_initiator_a_member_with_a_lead_and_a_decision(network, started):
    member = started.members.get()
    assert member.collective == network.collective_a
    assert member.state == MemberState.ACCEPTED
    assert member.contact == network.alice
    assert member.lead is not None and member.lead.collective == network.collective_a
    entry = InboxEntry.objects.get(collective=network.collective_a, tender=started.tender)
    assert entry.state == EntryState.LEAD and entry.lead == member.lead
    assert member.decision is not None
    assert member.decision.collective == network.collective_a
    assert member.decision.lead == member.lead


def test_it_keeps_a_collective_in_one_consortium_per_tender(network, started):
    with pytest.raises(ConsortiumError):
        consortia.do_start_consortium(
            tender=started.tender, collective=network.collective_a, user=network.alice
        )
    assert Consortium.objects.count() == 1


def test_it_holds_one_consortium_per_tender_in_the_database_too(network, started):
    other = Consortium.objects.create(tender=started.tender, initiator=network.collective_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsortiumMember.objects.create(
            consortium=other,
            collective=network.collective_a,
            tender=started.tender,
            state=MemberState.INVITED,
        )


def test_it_lets_only_members_start(network, lot_tender):
    with pytest.raises(ConsortiumError):
        consortia.do_start_consortium(
            tender=lot_tender, collective=network.collective_a, user=network.bob
        )


# --- inviting ---------------------------------------------------------------------------


def test_it_mails_the_invited_collective(network, invited):
    assert invited.state == MemberState.INVITED
    sent = [m for m in mail.outbox if "carla@example.org" in m.to]
    assert len(sent) == 1
    assert "Kollektiv Quellcode" in sent[0].subject
    assert "Wollt ihr das Hosting übernehmen?" in sent[0].body
    assert page(invited.collective, invited.consortium) in sent[0].body


def test_it_mails_no_invitation_to_a_muted_member(network, started, carla_collective):
    collective, carla = carla_collective
    NotificationMute.objects.create(user=carla, kind=NotificationKind.WORKBENCH)
    consortia.do_invite_to_consortium(
        consortium=started, collective=network.collective_a, user=network.alice, invitee=collective
    )
    assert not [m for m in mail.outbox if "carla@example.org" in m.to]


def test_it_lets_only_members_of_the_initiator_invite(network, invited, carla_collective):
    collective, carla = carla_collective
    consortia.do_answer_invitation(member=invited, user=carla, accept=True)
    with pytest.raises(ConsortiumError):
        consortia.do_invite_to_consortium(
            consortium=invited.consortium,
            collective=collective,
            user=carla,
            invitee=network.collective_b,
        )
    with pytest.raises(ConsortiumError):
        consortia.do_invite_to_consortium(
            consortium=invited.consortium,
            collective=network.collective_a,
            user=network.bob,
            invitee=network.collective_b,
        )


def test_it_invites_a_collective_once(network, invited):
    with pytest.raises(ConsortiumError):
        consortia.do_invite_to_consortium(
            consortium=invited.consortium,
            collective=network.collective_a,
            user=network.alice,
            invitee=invited.collective,
        )


# --- answering, lots and shares ----------------------------------------------------------


def test_it_takes_lots_and_a_share_on_accepting_and_makes_a_lead(
    network, invited, carla_collective
):
    collective, carla = carla_collective
    consortia.do_answer_invitation(
        member=invited,
        user=carla,
        accept=True,
        part=Part(lot_ids=["LOT-0002"], share=Decimal("35.5")),
    )
    invited.refresh_from_db()
    assert invited.state == MemberState.ACCEPTED
    assert invited.share == Decimal("35.50")
    assert [t.lot.lot_id for t in invited.taken_lots.all()] == ["LOT-0002"]
    assert invited.lead is not None and invited.lead.collective == collective
    assert invited.decision is not None and invited.decision.collective == collective
    assert invited.answered_by == carla and invited.contact == carla


def test_it_frees_a_declining_collective_and_writes_no_lead(network, invited, carla_collective):
    collective, carla = carla_collective
    consortia.do_answer_invitation(member=invited, user=carla, accept=False)
    invited.refresh_from_db()
    assert invited.state == MemberState.DECLINED
    assert not Lead.objects.filter(collective=collective).exists()


def test_it_keeps_the_shares_at_most_100(network, started, invited, carla_collective):
    collective, carla = carla_collective
    own = started.members.get(collective=network.collective_a)
    consortia.do_set_part(member=own, user=network.alice, part=Part(share=Decimal(70)))
    with pytest.raises(ConsortiumError, match="30"):
        consortia.do_answer_invitation(
            member=invited, user=carla, accept=True, part=Part(share=Decimal(31))
        )
    invited.refresh_from_db()
    assert invited.state == MemberState.INVITED  # nothing half-written
    assert not Lead.objects.filter(collective=collective).exists()
    consortia.do_answer_invitation(
        member=invited, user=carla, accept=True, part=Part(share=Decimal(30))
    )


def test_it_gives_a_lot_to_one_member(network, started, invited, carla_collective):
    _collective, carla = carla_collective
    own = started.members.get(collective=network.collective_a)
    consortia.do_set_part(member=own, user=network.alice, part=Part(lot_ids=["LOT-0001"]))
    with pytest.raises(ConsortiumError, match="Kollektiv Quellcode"):
        consortia.do_answer_invitation(
            member=invited, user=carla, accept=True, part=Part(lot_ids=["LOT-0001"])
        )
    assert ConsortiumLot.objects.count() == 1


def test_it_refuses_a_lot_of_another_tender(network, started, tender):
    own = started.members.get(collective=network.collective_a)
    with pytest.raises(ConsortiumError, match="LOT-0009"):
        consortia.do_set_part(member=own, user=network.alice, part=Part(lot_ids=["LOT-0009"]))


def test_it_takes_shares_as_percentages(network, started):
    own = started.members.get(collective=network.collective_a)
    with pytest.raises(ConsortiumError):
        consortia.do_set_part(member=own, user=network.alice, part=Part(share=Decimal(101)))
    with pytest.raises(ConsortiumError):
        consortia.parse_share("viel")
    assert consortia.parse_share("12,5") == Decimal("12.50")


def test_it_frees_lots_and_share_on_leaving(network, invited, carla_collective):
    _collective, carla = carla_collective
    consortia.do_answer_invitation(
        member=invited, user=carla, accept=True, part=Part(lot_ids=["LOT-0002"], share=10)
    )
    consortia.do_leave_consortium(member=invited, user=carla)
    invited.refresh_from_db()
    assert invited.state == MemberState.LEFT and invited.share is None
    assert not ConsortiumLot.objects.exists()


def test_it_lets_the_initiator_dissolve_rather_than_leave(network, started):
    own = started.members.get(collective=network.collective_a)
    with pytest.raises(ConsortiumError):
        consortia.do_leave_consortium(member=own, user=network.alice)
    consortia.do_set_consortium_state(
        consortium=started,
        collective=network.collective_a,
        user=network.alice,
        state=ConsortiumState.DISSOLVED,
    )
    with pytest.raises(ConsortiumError):
        consortia.do_set_consortium_state(
            consortium=started,
            collective=network.collective_a,
            user=network.alice,
            state=ConsortiumState.BIDDING,
        )


# --- suggestions -------------------------------------------------------------------------


def test_it_suggests_collectives_with_reasons(network, started, carla_collective):
    collective, _carla = carla_collective
    suggestions = suggest_collectives(started, user=network.alice)
    slugs = [s.obj.slug for s in suggestions]
    assert collective.slug in slugs
    assert network.collective_a.slug not in slugs
    found = next(s for s in suggestions if s.obj == collective)
    assert found.reason_texts


def test_it_leaves_out_collectives_already_asked(network, invited):
    slugs = [s.obj.slug for s in suggest_collectives(invited.consortium, user=network.alice)]
    assert invited.collective.slug not in slugs


# --- pages ------------------------------------------------------------------------------


def test_it_shows_lots_shares_and_contacts_on_the_shared_page(network, invited, carla_collective):
    collective, carla = carla_collective
    consortia.do_answer_invitation(
        member=invited, user=carla, accept=True, part=Part(lot_ids=["LOT-0002"], share=40)
    )
    for client, slug in (
        (network.client_for(network.alice), network.collective_a),
        (network.client_for(carla), collective),
    ):
        body = client.get(page(slug, invited.consortium)).content.decode()
        assert "Drittes Kollektiv" in body and "Kollektiv Quellcode" in body
        assert "LOT-0002" in body and "40" in body
        assert "carla@example.org" in body and "alice@example.org" in body


def test_it_shows_nobody_another_members_pipeline(network, invited, carla_collective):
    collective, carla = carla_collective
    make_lead(collective, "Geheimer Auftrag von Carla")
    make_red_line(collective, "Carlas rote Linie", keywords_de="Bürgerdienste")
    make_lead(network.collective_a, "Geheimer Auftrag von Alice")
    make_red_line(network.collective_a, "Alices rote Linie", keywords_de="Schulungen")
    consortia.do_answer_invitation(member=invited, user=carla, accept=True)
    alice_page = network.client_for(network.alice).get(
        page(network.collective_a, invited.consortium)
    )
    carla_page = network.client_for(carla).get(page(collective, invited.consortium))
    for text in ("Geheimer Auftrag von Carla", "Carlas rote Linie"):
        assert text not in alice_page.content.decode()
    for text in ("Geheimer Auftrag von Alice", "Alices rote Linie"):
        assert text not in carla_page.content.decode()
    # Nor their leads from the tender, nor the decision's details.
    invited.refresh_from_db()
    assert reverse("workbench:lead_detail", args=[collective.slug, invited.lead_id]) not in (
        alice_page.content.decode()
    )


def test_it_shows_the_invited_collective_its_own_red_lines(network, invited, carla_collective):
    collective, carla = carla_collective
    make_red_line(collective, "Keine Schulungen", sectors=[], keywords_de="Schulungen")
    body = network.client_for(carla).get(page(collective, invited.consortium)).content.decode()
    assert "Keine Schulungen" in body and "<mark>" in body
    alice = network.client_for(network.alice).get(page(network.collective_a, invited.consortium))
    assert "Keine Schulungen" not in alice.content.decode()


def test_it_answers_404_to_outsiders(network, invited):
    url_a = page(network.collective_a, invited.consortium)
    assert network.client_for(network.bob).get(url_a).status_code == 404
    url_b = page(network.collective_b, invited.consortium)
    assert network.client_for(network.bob).get(url_b).status_code == 404
    assert network.client_for(None).get(url_a).status_code == 302


def test_it_hides_the_page_from_a_collective_that_declined(network, invited, carla_collective):
    collective, carla = carla_collective
    consortia.do_answer_invitation(member=invited, user=carla, accept=False)
    assert network.client_for(carla).get(page(collective, invited.consortium)).status_code == 404


def test_it_runs_the_whole_flow_through_the_pages(network, lot_tender, carla_collective):
    from klinke.tenders.actions import do_refresh_inbox
    from klinke.tenders.tests.conftest import make_profile

    collective, carla = carla_collective
    make_profile(network.collective_a)
    do_refresh_inbox(collective=network.collective_a)
    entry = InboxEntry.objects.get(collective=network.collective_a, tender=lot_tender)
    alice = network.client_for(network.alice)
    response = alice.post(
        reverse("tenders:entry_consortium", args=[network.collective_a.slug, entry.pk])
    )
    consortium = Consortium.objects.get()
    assert response["Location"] == page(network.collective_a, consortium)
    body = alice.get(response["Location"]).content.decode()
    assert 'data-collective="drittes-kollektiv"' in body
    alice.post(
        reverse("tenders:consortium_invite", args=[network.collective_a.slug, consortium.pk]),
        {"collective": collective.slug, "message": "Hallo"},
    )
    carla_client = network.client_for(carla)
    carla_client.post(
        reverse("tenders:consortium_answer", args=[collective.slug, consortium.pk]),
        {"answer": "accept", "lots": ["LOT-0002", "LOT-0003"], "share": "45.5"},
    )
    member = consortium.members.get(collective=collective)
    assert member.state == MemberState.ACCEPTED
    assert member.share == Decimal("45.50")
    carla_client.post(
        reverse("tenders:consortium_part", args=[collective.slug, consortium.pk]),
        {"lots": ["LOT-0003"], "share": "120"},
    )
    member.refresh_from_db()
    assert member.share == Decimal("45.50")  # refused, nothing changed
    assert sorted(t.lot.lot_id for t in member.taken_lots.all()) == ["LOT-0002", "LOT-0003"]
    response = alice.post(
        reverse("tenders:consortium_invite", args=[network.collective_a.slug, consortium.pk]),
        {"collective": "gibt-es-nicht"},
    )
    assert response.status_code == 302
    assert consortium.members.count() == 2


PAGE_QUERIES = {"initiator": 12, "invited": 10}
"""Session, user, collective, the consortium with its tender, lots and members (with their
collectives, contacts, decisions, responses and lots); the initiator's suggestions add the
candidate collectives with their topics and references; the invited one's screening its own
red lines. Not per member."""


def _invite_more(started, network, numbers):
    for n in numbers:
        collective = make_collective(
            f"k{n}", f"Kollektiv {n}", members=[make_user(f"p{n}@example.org")]
        )
        consortia.do_invite_to_consortium(
            consortium=started,
            collective=network.collective_a,
            user=network.alice,
            invitee=collective,
        )


@pytest.mark.parametrize("viewer", ["initiator", "invited"])
def test_it_shows_the_shared_page_in_a_fixed_number_of_queries(
    network, started, viewer, django_assert_num_queries
):
    _invite_more(started, network, range(2))
    if viewer == "initiator":
        client, url = network.client_for(network.alice), page(network.collective_a, started)
    else:
        collective = ConsortiumMember.objects.get(collective__slug="k0").collective
        client = network.client_for(collective.memberships.get().user)
        url = page(collective, started)
    client.get(url)
    with django_assert_num_queries(PAGE_QUERIES[viewer]):
        assert client.get(url).status_code == 200
    _invite_more(started, network, range(2, 8))
    with django_assert_num_queries(PAGE_QUERIES[viewer]):
        client.get(url)


def test_it_decides_with_the_workbench_decisions(network, started):
    decision = started.members.get().decision
    assert Decision.objects.filter(pk=decision.pk, collective=network.collective_a).exists()
    response = network.client_for(network.alice).get(
        reverse("workbench:decision_detail", args=[network.collective_a.slug, decision.pk])
    )
    assert response.status_code == 200


# --- races (PostgreSQL: real row locks) ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_it_lets_one_of_two_members_win_a_lot_taken_at_once(network, lot_tender):
    third = make_collective("dritte", "Dritte", members=[make_user("dora@example.org")])
    dora = third.memberships.get().user
    consortium = consortia.do_start_consortium(
        tender=lot_tender, collective=network.collective_a, user=network.alice
    )
    invited = consortia.do_invite_to_consortium(
        consortium=consortium, collective=network.collective_a, user=network.alice, invitee=third
    )
    consortia.do_answer_invitation(member=invited, user=dora, accept=True)
    own = consortium.members.get(collective=network.collective_a)
    for _round in range(5):
        ConsortiumLot.objects.all().delete()
        ConsortiumMember.objects.update(share=None)
        results = run_at_once(
            [
                partial(
                    consortia.do_set_part,
                    member=member,
                    user=user,
                    part=Part(lot_ids=["LOT-0001"], share=Decimal(60)),
                )
                for member, user in ((own, network.alice), (invited, dora))
            ]
        )
        refused = [r for r in results if isinstance(r, ConsortiumError)]
        assert len(refused) == 1, results
        assert ConsortiumLot.objects.count() == 1
        assert sum(m.share or 0 for m in ConsortiumMember.objects.all()) == 60
