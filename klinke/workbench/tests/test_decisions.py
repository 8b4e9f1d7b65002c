"""Collective decisions: rules, quorum, responses until the deadline, reminders, and races."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klinke.collectives.models import Membership
from klinke.conftest import make_user
from klinke.testing import postgresql_only, run_at_once
from klinke.workbench import actions
from klinke.workbench.models import (
    Decision,
    DecisionOutcome,
    DecisionRule,
    Lead,
    Response,
    Tally,
    WorkbenchSettings,
)
from klinke.workbench.tests.conftest import make_decision, make_lead

CONSENT, MAJORITY = DecisionRule.CONSENT, DecisionRule.MAJORITY


def tally(choices: list[str], members: int, rule: str = CONSENT, quorum: int = 50) -> Tally:
    return Tally.of(choices, members=members, rule=rule, quorum_percent=quorum)


# --- the rules, without a database -------------------------------------------------------


def test_it_accepts_by_consent_without_a_block_once_the_quorum_responded():
    assert tally(["agree", "abstain"], 4).outcome == DecisionOutcome.ACCEPTED
    assert tally(["agree", "disagree", "disagree"], 4).outcome == DecisionOutcome.ACCEPTED


def test_it_stops_consent_with_a_single_block():
    assert tally(["agree", "agree", "agree", "block"], 4).outcome == DecisionOutcome.BLOCKED


def test_it_decides_nothing_below_the_quorum():
    assert tally(["agree"], 3).outcome == DecisionOutcome.NO_QUORUM  # 33 % < 50 %
    assert tally(["agree", "agree"], 3).outcome == DecisionOutcome.ACCEPTED  # 67 %
    assert tally(["agree", "agree"], 4, quorum=75).outcome == DecisionOutcome.NO_QUORUM
    assert tally(["agree", "agree", "agree"], 4, quorum=75).quorum_reached
    assert tally([], 0).outcome == DecisionOutcome.NO_QUORUM


def test_it_needs_more_agree_than_disagree_for_a_majority_and_a_tie_is_none():
    assert tally(["agree", "agree", "disagree"], 3, MAJORITY).outcome == DecisionOutcome.ACCEPTED
    assert tally(["agree", "disagree"], 2, MAJORITY).outcome == DecisionOutcome.REJECTED
    assert tally(["agree", "disagree", "abstain", "abstain"], 4, MAJORITY).outcome == (
        DecisionOutcome.REJECTED
    )
    # Under majority a block counts as a "no", not as a veto.
    assert tally(["agree", "agree", "block"], 3, MAJORITY).outcome == DecisionOutcome.ACCEPTED
    assert tally(["agree", "block"], 2, MAJORITY).outcome == DecisionOutcome.REJECTED
    assert tally(["agree"], 4, MAJORITY).outcome == DecisionOutcome.NO_QUORUM


# --- responses and outcomes ----------------------------------------------------------------


@pytest.fixture
def big_a(network):
    """Collective A with four members: alice, alina, and two more."""
    for email, name in (("mo@example.org", "Mo"), ("kim@example.org", "Kim")):
        Membership.objects.create(collective=network.collective_a, user=make_user(email, name))
    return network


@pytest.mark.django_db
def test_it_opens_a_decision_with_the_collectives_rule_and_tells_the_others(network, mailoutbox):
    WorkbenchSettings.objects.create(
        collective=network.collective_a, decision_rule=MAJORITY, quorum_percent=75
    )
    lead = make_lead(network.collective_a, "Website für die Tafel")
    client = network.client_for(network.alice)
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("workbench:decision_create", args=["quellcode"]),
        {"question": "Nehmen wir das?", "details": "", "deadline": deadline, "lead": str(lead.pk)},
    )
    decision = Decision.objects.get()
    assert response["Location"] == decision.get_absolute_url()
    assert (decision.rule, decision.quorum_percent, decision.lead) == (MAJORITY, 75, lead)
    assert [m.to for m in mailoutbox] == [["alina@example.org"]]
    assert "Nehmen wir das?" in mailoutbox[0].subject


@pytest.mark.django_db
def test_it_refuses_a_deadline_in_the_past(network):
    client = network.client_for(network.alice)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("workbench:decision_create", args=["quellcode"]),
        {"question": "Zu spät?", "deadline": past},
    )
    assert response.status_code == 200 and not Decision.objects.exists()


@pytest.mark.django_db
def test_it_lets_members_respond_and_change_their_response_until_the_deadline(big_a):
    network = big_a
    decision = make_decision(network.collective_a, network.alice)
    client = network.client_for(network.alice)
    url = reverse("workbench:decision_respond", args=["quellcode", decision.pk])
    response = client.post(url, {"choice": "agree", "reason": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"Your response is recorded." in response.content
    client.post(url, {"choice": "disagree", "reason": "Zu wenig Zeit."})
    response_row = Response.objects.get(decision=decision)
    assert (response_row.member, response_row.choice) == (network.alice, "disagree")
    assert Response.objects.filter(decision=decision).count() == 1


@pytest.mark.django_db
def test_it_requires_a_reason_for_a_block(big_a):
    network = big_a
    decision = make_decision(network.collective_a, network.alice)
    client = network.client_for(network.alice)
    url = reverse("workbench:decision_respond", args=["quellcode", decision.pk])
    response = client.post(url, {"choice": "block", "reason": " "})
    assert response.status_code == 422
    assert not Response.objects.exists()
    with pytest.raises(actions.WorkbenchError):
        actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="block")


@pytest.mark.django_db
def test_it_refuses_responses_after_the_deadline_even_before_the_job_ran(big_a):
    network = big_a
    decision = make_decision(
        network.collective_a, network.alice, deadline=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(actions.WorkbenchError, match="closed"):
        actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="agree")
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_it_refuses_responses_from_non_members(big_a):
    network = big_a
    decision = make_decision(network.collective_a, network.alice)
    with pytest.raises(actions.WorkbenchError):
        actions.do_respond_to_decision(
            decision_id=decision.pk, user=network.bob, choice="block", reason="x"
        )


@pytest.mark.django_db
def test_it_decides_at_once_when_everyone_responded_and_records_it_on_the_lead(network, mailoutbox):
    lead = make_lead(network.collective_a, "Website für die Tafel")
    decision = make_decision(network.collective_a, network.alice, lead=lead)
    actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="agree")
    decision.refresh_from_db()
    assert decision.is_open
    actions.do_respond_to_decision(
        decision_id=decision.pk, user=network.alice2, choice="block", reason="Kein Platz."
    )
    decision.refresh_from_db()
    lead.refresh_from_db()
    assert decision.outcome == DecisionOutcome.BLOCKED and not decision.is_open
    assert decision.tally == {
        "agree": 1,
        "abstain": 0,
        "disagree": 0,
        "block": 1,
        "members": 2,
        "quorum_reached": True,
    }
    assert lead.decision_outcome == DecisionOutcome.BLOCKED and lead.decided_at is not None
    decided_mails = [m for m in mailoutbox if "Decided" in m.subject or "Entschieden" in m.subject]
    assert len(decided_mails) == 2
    with pytest.raises(actions.WorkbenchError):
        actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="agree")
    page = network.client_for(network.alice).get(lead.get_absolute_url()).content.decode()
    assert 'id="lead-decision">Blocked' in page


@pytest.mark.django_db
def test_it_decides_at_the_deadline_with_the_responses_so_far(big_a):
    network = big_a
    decision = make_decision(network.collective_a, network.alice, rule=MAJORITY)
    for user, choice in ((network.alice, "agree"), (network.alice2, "agree")):
        actions.do_respond_to_decision(decision_id=decision.pk, user=user, choice=choice)
    assert actions.do_decide_due_decisions() == 0
    Decision.objects.filter(pk=decision.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert actions.do_decide_due_decisions() == 1
    assert actions.do_decide_due_decisions() == 0
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.ACCEPTED
    assert decision.tally["members"] == 4


@pytest.mark.django_db
def test_it_reminds_those_who_have_not_responded_exactly_once(big_a, mailoutbox):
    network = big_a
    decision = make_decision(
        network.collective_a, network.alice, deadline=timezone.now() + timedelta(days=3)
    )
    actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="agree")
    assert actions.do_remind_decisions() == 0  # more than a day left
    Decision.objects.filter(pk=decision.pk).update(deadline=timezone.now() + timedelta(hours=20))
    assert actions.do_remind_decisions() == 3
    assert actions.do_remind_decisions() == 0
    reminded = sorted(
        m.to[0] for m in mailoutbox if "Reminder" in m.subject or "Erinnerung" in m.subject
    )
    assert reminded == ["alina@example.org", "kim@example.org", "mo@example.org"]


@pytest.mark.django_db
def test_it_shows_on_the_decision_page_who_is_still_waiting(big_a):
    network = big_a
    decision = make_decision(network.collective_a, network.alice)
    actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice2, choice="abstain")
    page = network.client_for(network.alice).get(decision.get_absolute_url()).content.decode()
    assert "1 of 4 members have responded." in page
    assert "Waiting for:" in page and "Alice" in page and "Kim" in page


# --- races (real threads, PostgreSQL) ------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_response_when_a_member_responds_many_times_at_once(big_a):
    network = big_a
    decision = make_decision(network.collective_a, network.alice)
    choices = ["agree", "disagree", "abstain", "agree", "disagree", "abstain"]
    results = run_at_once(
        [
            lambda c=c: actions.do_respond_to_decision(
                decision_id=decision.pk, user=network.alice, choice=c
            )
            for c in choices
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Response.objects.filter(decision=decision, member=network.alice).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_it_decides_once_with_all_responses_when_the_last_arrive_together(big_a):
    network = big_a
    lead = make_lead(network.collective_a, "Tafel")
    decision = make_decision(network.collective_a, network.alice, lead=lead)
    members = [m.user for m in network.collective_a.memberships.select_related("user")]
    results = run_at_once(
        [
            lambda u=u: actions.do_respond_to_decision(
                decision_id=decision.pk, user=u, choice="agree"
            )
            for u in members
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.ACCEPTED
    assert decision.tally["agree"] == 4
    assert Lead.objects.get(pk=lead.pk).decision_outcome == DecisionOutcome.ACCEPTED


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_it_counts_or_refuses_a_response_racing_the_deadline_job(big_a):
    network = big_a
    for _round in range(5):
        decision = make_decision(
            network.collective_a, network.alice, deadline=timezone.now() + timedelta(seconds=2)
        )
        actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="agree")
        # The deadline has passed but the job has not run: the response and the job are
        # released together by a barrier, and whichever takes the row lock first wins.
        Decision.objects.filter(pk=decision.pk).update(
            deadline=timezone.now() - timedelta(milliseconds=1)
        )
        results = run_at_once(
            [
                lambda pk=decision.pk: actions.do_respond_to_decision(
                    decision_id=pk, user=network.alice2, choice="block", reason="Nein."
                ),
                actions.do_decide_due_decisions,
            ]
        )
        assert not isinstance(results[1], Exception), results
        decision.refresh_from_db()
        counted = decision.tally.get("block", 0) if decision.tally else None
        stored = Response.objects.filter(decision=decision, member=network.alice2).exists()
        if isinstance(results[0], actions.WorkbenchError):
            # Refused as late: it must not have been stored either.
            assert not stored
        else:
            assert stored
            if not decision.is_open:
                assert counted == 1, "a stored response must be in the recorded tally"


@pytest.mark.django_db
def test_it_forbids_a_second_response_row_in_the_database(network):
    from django.db import IntegrityError, transaction

    decision = make_decision(network.collective_a, network.alice)
    Response.objects.create(decision=decision, member=network.alice, choice="agree")
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(decision=decision, member=network.alice, choice="block", reason="x")
