"""Races on PostgreSQL's row locks: answers arriving as the round closes, a client choosing
while an answer arrives, and one proof of work sent twice at once. Every action locks the
inquiry row first, so each race has one clear order and nothing is half-applied; a proof of
work is spent through a unique row, so only one of two sends can spend it."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from klinke.inquiries import actions, proof_of_work
from klinke.inquiries.models import Answer, Inquiry, InquiryOffer, SpentChallenge, State
from klinke.inquiries.tests.conftest import Web, routed, submitted
from klinke.testing import postgresql_only, run_at_once
from klinke.workbench.models import Lead

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_it_settles_two_answers_arriving_as_the_round_closes(web: Web) -> None:
    for _round in range(3):
        inquiry, _raw = routed(contact_email=f"race{_round}@example.org")
        offers = {o.collective.slug: o for o in InquiryOffer.objects.filter(inquiry=inquiry)}
        results: list[Any] = run_at_once(
            [
                partial(
                    actions.do_answer_offer,
                    offer=offers["webwerk"],
                    user=web.carol,
                    interested=True,
                ),
                partial(
                    actions.do_answer_offer,
                    offer=offers["portalbau"],
                    user=web.dave,
                    interested=True,
                ),
                partial(actions.do_close_round, inquiry=inquiry),
            ]
        )
        inquiry.refresh_from_db()
        answered = {
            o.collective.slug
            for o in InquiryOffer.objects.filter(inquiry=inquiry, answer=Answer.INTERESTED)
        }
        refused = [r for r in results[:2] if isinstance(r, actions.InquiryError)]
        assert not [r for r in results if isinstance(r, Exception) and r not in refused]
        # Every answer either counted before the close or was refused after it.
        assert len(answered) + len(refused) == 2
        if answered:
            assert inquiry.state == State.ASSIGNED
            (assigned,) = InquiryOffer.objects.filter(inquiry=inquiry, assigned=True)
            assert assigned.collective.slug in answered
        else:
            assert inquiry.state == State.NO_TAKER


def test_it_settles_a_choice_while_an_answer_arrives(web: Web) -> None:
    inquiry, _raw = routed()
    offers = {o.collective.slug: o for o in InquiryOffer.objects.filter(inquiry=inquiry)}
    actions.do_answer_offer(offer=offers["quellcode"], user=web.network.alice, interested=True)
    actions.do_close_round(inquiry=inquiry)
    results: list[Any] = run_at_once(
        [
            partial(actions.do_choose_collective, inquiry=inquiry, offer_id=offers["quellcode"].pk),
            partial(actions.do_choose_collective, inquiry=inquiry, offer_id=offers["quellcode"].pk),
            partial(
                actions.do_answer_offer, offer=offers["webwerk"], user=web.carol, interested=True
            ),
        ]
    )
    assert sum(isinstance(r, InquiryOffer) for r in results[:2]) == 1, results
    assert isinstance(results[2], actions.InquiryError)  # the round had closed
    assert Lead.objects.filter(collective=web.network.collective_a).count() == 1
    inquiry.refresh_from_db()
    assert inquiry.state == State.HANDED_OVER


def test_it_spends_a_proof_of_work_sent_twice_at_once_only_once(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(proof_of_work, "COUNTER_TO", proof_of_work.COUNTER_FROM + 10)
    proof = proof_of_work.solve(proof_of_work.new_challenge())
    results: list[Any] = run_at_once(
        [
            partial(submitted, address="192.0.2.31", contact_email="a@example.org", proof=proof),
            partial(submitted, address="192.0.2.32", contact_email="b@example.org", proof=proof),
        ]
    )
    refused = [r for r in results if isinstance(r, actions.ProofRefused)]
    assert len(refused) == 1, results
    assert Inquiry.objects.count() == 1
    assert SpentChallenge.objects.count() == 1
