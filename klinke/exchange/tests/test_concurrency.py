"""Introductions under real concurrency: racing moves end in one consistent state.

Each race runs the moves in threads, each with its own database connection, lined up with a
barrier so they hit the database together. Only PostgreSQL has the row locks this is about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from klinke.collectives.models import Membership
from klinke.conftest import deliver_mail, make_user
from klinke.exchange import actions
from klinke.exchange.actions import ExchangeError
from klinke.exchange.models import Introduction, IntroductionState, Need
from klinke.exchange.tests.factories import make_need
from klinke.testing import postgresql_only, run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]

ROUNDS = 5


def race(*moves: Callable[[], Any]) -> list[tuple[str, str]]:
    """Run `moves` at the same moment in threads; ("ok" | "refused", detail) for each."""
    results: list[tuple[str, str]] = []
    for result in run_at_once(moves):
        if isinstance(result, ExchangeError):
            results.append(("refused", str(result)))
        elif isinstance(result, Exception):
            results.append(("error", repr(result)))
        else:
            results.append(("ok", ""))
    assert all(outcome in ("ok", "refused") for outcome, _detail in results), results
    return results


def fresh_need(network: Any, round_number: int) -> Need:
    return make_need(
        network.collective_a,
        f"Preise, Runde {round_number}",
        "Wie kalkulieren wir Tagessätze?",
        topics=["pricing"],
    )


def delivered(smtp_server: Any) -> list[tuple[str, str]]:
    """(recipient, subject) of everything sent since the last call."""
    deliver_mail()
    sent = sorted((str(m["To"]), str(m["Subject"])) for m in smtp_server.messages)
    smtp_server.messages.clear()
    return sent


@pytest.fixture
def readers(network: Any) -> Any:
    for user in (network.alice, network.alice2, network.sam, network.bob):
        user.language = "en"
        user.save()
    return network


def test_it_ends_a_race_of_accept_and_withdraw_in_exactly_one_state(readers, smtp_server):
    network = readers
    seen = set()
    for round_number in range(ROUNDS):
        introduction = actions.do_request_introduction(
            need=fresh_need(network, round_number),
            user=network.alice,
            counterpart=network.supporter,
            message="Hallo Sam",
        )
        delivered(smtp_server)

        accept, withdraw = race(
            lambda i=introduction: actions.do_answer_introduction(
                introduction_id=i.pk, user=network.sam, accept=True
            ),
            lambda i=introduction: actions.do_withdraw_introduction(
                introduction_id=i.pk, user=network.alice
            ),
        )

        introduction.refresh_from_db()
        mails = delivered(smtp_server)
        seen.add(introduction.state)
        if introduction.state == IntroductionState.ACCEPTED:
            assert accept == ("ok", "")
            assert withdraw == ("refused", "This introduction is already accepted.")
            assert introduction.closed_at is None
            assert introduction.responder_email == "sam@example.org"
            assert mails == [
                ("alice@example.org", "[klinke] Sam Beispiel accepted your introduction"),
                ("sam@example.org", "[klinke] How to reach Kollektiv Quellcode"),
            ]
        else:
            assert introduction.state == IntroductionState.WITHDRAWN, round_number
            assert withdraw == ("ok", "")
            assert accept == ("refused", "This introduction is already withdrawn.")
            assert introduction.answered_at is None
            assert introduction.responder_email == ""
            assert mails == [
                ("sam@example.org", "[klinke] Kollektiv Quellcode withdrew its request")
            ]
    assert seen <= {IntroductionState.ACCEPTED, IntroductionState.WITHDRAWN}


def test_it_creates_one_open_introduction_from_concurrent_duplicate_requests(readers, smtp_server):
    network = readers
    for round_number in range(ROUNDS):
        need = fresh_need(network, round_number)

        results = race(
            *(
                lambda user=user, pk=need.pk: actions.do_request_introduction(
                    need=Need.objects.get(pk=pk),
                    user=user,
                    counterpart=network.supporter,
                    message=f"Hallo von {user.name}",
                )
                for user in (network.alice, network.alice2, network.alice)
            )
        )

        assert sorted(outcome for outcome, _detail in results) == ["ok", "refused", "refused"]
        for outcome, detail in results:
            if outcome == "refused":
                assert detail == (
                    "There is already an open introduction between this need and Sam Beispiel."
                )
        introductions = Introduction.objects.filter(need=need)
        assert [i.state for i in introductions] == [IntroductionState.REQUESTED]
        assert delivered(smtp_server) == [
            ("sam@example.org", "[klinke] Kollektiv Quellcode asks for an introduction")
        ]
        need.refresh_from_db()
        assert need.state == "in-progress"


def test_it_lets_only_one_of_two_members_accept_at_the_same_time(readers, smtp_server):
    network = readers
    berta = make_user("berta@example.org", "Berta", language="en")
    Membership.objects.create(collective=network.collective_b, user=berta)
    for round_number in range(ROUNDS):
        introduction = actions.do_request_introduction(
            need=fresh_need(network, round_number),
            user=network.alice,
            counterpart=network.collective_b,
            message="Hallo Rotkehlchen",
        )
        delivered(smtp_server)

        results = race(
            *(
                lambda user=user, i=introduction: actions.do_answer_introduction(
                    introduction_id=i.pk, user=user, accept=True
                )
                for user in (network.bob, berta)
            )
        )

        assert sorted(outcome for outcome, _detail in results) == ["ok", "refused"]
        introduction.refresh_from_db()
        assert introduction.state == IntroductionState.ACCEPTED
        winner = introduction.answered_by
        assert winner in (network.bob, berta)
        assert introduction.responder_email == winner.email
        assert delivered(smtp_server) == sorted(
            [
                ("alice@example.org", "[klinke] Rotkehlchen Hosting accepted your introduction"),
                (winner.email, "[klinke] How to reach Kollektiv Quellcode"),
            ]
        )
