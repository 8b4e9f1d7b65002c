"""The published routing rule, on plain data (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from klinke.inquiries.routing import (
    CandidateFacts,
    InquiryFacts,
    RoutingRules,
    assign,
    exclusion,
    fit_band,
    in_the_running,
    screen_candidates,
    shares_of,
)

INQUIRY = InquiryFacts(topics=frozenset({"web"}), language="de", region="DED5")
PARENTS = {"web": None, "wordpress": "web", "print": None}


def cand(ref: str, score: float = 1.0, **kw: object) -> CandidateFacts:
    values: dict[str, object] = {"topics": frozenset({"web"}), "languages": frozenset({"de"})}
    values.update(kw)
    return CandidateFacts(ref=ref, score=score, **values)  # type: ignore[arg-type]


def test_it_keeps_a_fitting_collective() -> None:
    assert exclusion(INQUIRY, cand("a"), parents=PARENTS) is None


def test_it_excludes_a_paused_collective() -> None:
    assert exclusion(INQUIRY, cand("a", paused=True)) == "paused"


def test_it_excludes_a_collective_without_free_capacity() -> None:
    assert exclusion(INQUIRY, cand("a", capacity=2, assigned_in_window=2)) == "capacity"
    assert exclusion(INQUIRY, cand("a", capacity=2, assigned_in_window=1)) is None


def test_it_excludes_other_topics_but_accepts_a_parent_topic() -> None:
    assert exclusion(INQUIRY, cand("a", topics=frozenset({"print"})), parents=PARENTS) == "topic"
    wp = InquiryFacts(topics=frozenset({"wordpress"}), language="de")
    assert exclusion(wp, cand("a"), parents=PARENTS) is None


def test_it_excludes_another_region_unless_the_work_is_remote() -> None:
    far = cand("a", regions=("AT",), remote_ok=True)
    assert exclusion(INQUIRY, far) == "region"
    assert exclusion(InquiryFacts(frozenset({"web"}), "de", remote=True), far) is None
    assert exclusion(INQUIRY, cand("a", regions=("DE",))) is None
    local_only = cand("a", regions=("DED",), remote_ok=False)
    assert exclusion(InquiryFacts(frozenset({"web"}), "de", remote=True), local_only) == "region"
    here = InquiryFacts(frozenset({"web"}), "de", region="DE", remote=True)
    assert exclusion(here, local_only) is None


def test_it_excludes_another_language() -> None:
    assert exclusion(INQUIRY, cand("a", languages=frozenset({"en"}))) == "language"
    assert exclusion(INQUIRY, cand("a", languages=frozenset())) is None


def test_it_excludes_a_red_line_hit() -> None:
    assert exclusion(INQUIRY, cand("a", red_line_hits=("arms: Rüstung",))) == "red_line"


def test_it_excludes_no_fit_at_all() -> None:
    assert exclusion(INQUIRY, cand("a", score=0.0)) == "no_fit"


def test_it_splits_eligible_and_excluded_with_reasons() -> None:
    result = screen_candidates(INQUIRY, [cand("a"), cand("b", paused=True)])
    assert [c.ref for c in result.eligible] == ["a"]
    assert [(c.ref, why) for c, why in result.excluded] == [("b", "paused")]


def test_it_bands_everyone_within_everyone_within_epsilon_of_the_best() -> None:
    rules = RoutingRules(band_epsilon=0.1, band_minimum=1)
    band = fit_band([cand("a", 1.0), cand("b", 0.95), cand("c", 0.85)], rules=rules)
    assert [c.ref for c in band] == ["a", "b"]


def test_it_tops_the_band_up_to_the_minimum_where_possible() -> None:
    rules = RoutingRules(band_epsilon=0.1, band_minimum=3)
    band = fit_band([cand("a", 1.0), cand("b", 0.5), cand("c", 0.4), cand("d", 0.3)], rules=rules)
    assert [c.ref for c in band] == ["a", "b", "c"]
    assert [c.ref for c in fit_band([cand("a", 1.0)], rules=rules)] == ["a"]
    assert fit_band([], rules=rules) == ()


def test_it_caps_the_band() -> None:
    rules = RoutingRules(band_maximum=2)
    assert len(fit_band([cand(str(i), 1.0) for i in range(5)], rules=rules)) == 2


def test_it_puts_the_interested_within_epsilon_of_the_bands_best_in_the_running() -> None:
    rules = RoutingRules(band_epsilon=0.1)
    close, topped_up = cand("close", 0.92), cand("topped-up", 0.5)
    running = in_the_running([topped_up, close], best_score=1.0, rules=rules)
    assert [c.ref for c in running] == ["close"]
    # When nobody within ε is interested, those the band was topped up with are in the running.
    alone = in_the_running([topped_up, cand("lower", 0.4)], best_score=1.0, rules=rules)
    assert [c.ref for c in alone] == ["topped-up", "lower"]
    assert in_the_running([], best_score=1.0) == []


def test_it_gives_a_topped_up_collective_nothing_while_a_closer_fit_is_interested() -> None:
    rules = RoutingRules(band_epsilon=0.1)
    close = cand("close", 0.95, earned_in_window=0.0, assigned_in_window=2)
    topped_up = cand("topped-up", 0.5, earned_in_window=3.0)
    result = assign([topped_up, close], seed=1, best_score=1.0, rules=rules)
    assert result is not None
    assert result.ref == "close"
    assert set(result.shares) == set(result.deficits) == {"close"}  # earns nothing either


def test_it_shares_an_inquiry_among_the_interested_by_capacity() -> None:
    shares = shares_of([cand("small", capacity=1), cand("big", capacity=3)])
    assert shares == {"small": 0.25, "big": 0.75}
    assert shares_of([cand("a", capacity=0), cand("b", capacity=0)]) == {"a": 0.5, "b": 0.5}


def test_it_counts_the_deficit_as_earned_minus_received() -> None:
    assert cand("a", earned_in_window=2.5, assigned_in_window=2).deficit == 0.5
    assert cand("b", earned_in_window=0.5, assigned_in_window=2).deficit == -1.5
    assert cand("c").deficit == 0.0


def test_it_gives_it_to_the_largest_deficit_this_share_included() -> None:
    # Equal histories: this inquiry's share decides, so the larger capacity gets it.
    small = cand("small", capacity=1)
    big = cand("big", capacity=3)
    result = assign([small, big], seed=1)
    assert result is not None
    assert (result.ref, result.step) == ("big", "deficit")
    assert result.deficits == {"small": 0.25, "big": 0.75}
    assert result.shares == {"small": 0.25, "big": 0.75}
    # A collective that earned more than it received over the window is next, whatever its size.
    owed = cand("owed", capacity=1, earned_in_window=1.8, assigned_in_window=1)
    served = cand("served", capacity=3, earned_in_window=2.0, assigned_in_window=2)
    result = assign([owed, served], seed=1)
    assert result is not None
    assert result.ref == "owed"
    assert result.deficits == {"owed": pytest.approx(1.05), "served": pytest.approx(0.75)}


def test_it_serves_each_in_proportion_to_capacity_over_many_inquiries() -> None:
    # Three collectives interested in every inquiry: each gets its capacity's share, in turn.
    capacity = {"a": 1, "b": 2, "c": 3}
    earned = dict.fromkeys(capacity, 0.0)
    received = dict.fromkeys(capacity, 0)
    for number in range(60):
        interested = [
            cand(ref, capacity=cap, earned_in_window=earned[ref], assigned_in_window=received[ref])
            for ref, cap in capacity.items()
        ]
        result = assign(interested, seed=number)
        assert result is not None
        for ref, share in result.shares.items():
            earned[ref] += share
        received[result.ref] += 1
    assert received == {"a": 10, "b": 20, "c": 30}


def test_it_breaks_a_tie_by_who_waited_longest() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    recent = cand("recent", last_assigned_at=now)
    older = cand("older", last_assigned_at=now - dt.timedelta(days=30))
    result = assign([recent, older], seed=1)
    assert result is not None
    assert (result.ref, result.step) == ("older", "waiting")
    never = cand("never")
    assert assign([older, never], seed=1).ref == "never"  # type: ignore[union-attr]


def test_it_draws_a_full_tie_by_a_lottery_replayable_from_its_seed() -> None:
    tied = [cand("a"), cand("b"), cand("c")]
    first = assign(tied, seed=42)
    assert first is not None
    assert first.step == "lottery"
    assert first.tied == ("a", "b", "c")
    for _ in range(5):
        assert assign(list(reversed(tied)), seed=42).ref == first.ref  # type: ignore[union-attr]
    winners = {assign(tied, seed=s).ref for s in range(50)}  # type: ignore[union-attr]
    assert winners == {"a", "b", "c"}


def test_it_keeps_the_place_of_who_declined() -> None:
    # Declines neither earn nor cost: a collective that said "not this time" five times keeps
    # what it earned before, and wins against one that was served in between.
    patient = cand("patient", capacity=3, earned_in_window=1.0, assigned_in_window=0)
    served = cand("served", capacity=3, earned_in_window=2.0, assigned_in_window=2)
    result = assign([served, patient], seed=7)
    assert result is not None
    assert result.ref == "patient"


def test_it_assigns_nobody_when_nobody_is_interested() -> None:
    assert assign([], seed=1) is None
