"""Benchmark: is the published inquiry rule fair, and does it still pick good fits? (issue 11, §4)

Run ``.venv/bin/python bench/routing.py``. Pure Python against ``klinke.inquiries.routing``
(no database): ``--inquiries`` (default 1,000) client inquiries arrive over two years at
``--collectives`` (default 40) collectives, in ``--seeds`` (default 20) worlds drawn from
``--seed`` (default 11) on; every figure is printed as the mean and the worst over the worlds,
because one world can be lucky. Each world has a realistic spread:

- topics: 12 kinds of work, asked for with a long tail (web development far more than data
  protection); each collective works on 1 to 3 of them;
- capacity: 2 to 8 inquiries per 90-day window, most collectives 3 to 4;
- interest: each collective says "interested" with its own rate (30 % to 90 %, 60 % on
  average), drawn once per inquiry and collective, the same draw in every strategy. Small
  collectives that asked for inquiries and set their own capacity say yes more often than not;
  an inquiry that fits nobody's plans is what "not this time" is for;
- region: five regions; half the inquiries may be done remotely, 60 % of collectives work remotely.

**Scores are a stand-in for the matching engine**, not the engine itself: topic overlap times a
"reputation" (15 % of collectives fit best, score 1.0; the others 0.82 to 0.95, as the
best-known collectives do in practice) times 0.92 outside the inquiry's region, plus ±0.03 of
noise. The rule only ever sees scores through the fit band (who is within ε of the best), so
what matters is the spread of scores among collectives that fit; this spread (a few at the top,
most 5 to 18 % below) is an assumption, not a measurement of the engine, whose own ranking
quality is measured by ``bench/quality.py``. ``--interest LOW HIGH`` changes the range of
interest rates, to see the rule under other assumptions.

Three strategies see the same inquiries and the same answers, each with its own state
(capacity used, shares earned, last assignment), and each only ever gives an inquiry to an
eligible, interested collective:

- **rule**: the published rule (fit band, in the running, then deficit, waiting time, seeded
  lottery);
- **best fit**: always the best-scoring interested collective;
- **lottery**: any interested collective, uniformly.

Figures:

- **Gini** of what each collective received relative to its fair share: for every inquiry, the
  equally eligible are the interested collectives of its fit band within ε of the band's best
  score (or, when none of those is interested, the interested it was topped up with: the rule's
  "in the running", who fit equally well); each one's
  share of the inquiry is its capacity over the sum of their capacities, and a collective's fair
  share is the sum of those shares. The Gini coefficient of received / fair share over
  collectives with a fair share of at least 3 (below that, 0 or 2 inquiries is chance, not the
  rule; target for the rule: ≤ 0.15 in every world): "normalised by capacity, among collectives
  that were equally eligible", so a collective is only measured against the inquiries it fitted
  as well as the others.
- **fit**: per inquiry, the assigned collective's score over the best score among the interested
  eligible collectives at that moment, averaged (target for the rule: ≥ 0.95 in every world).
- **no taker**: the share of inquiries nobody took, split into those nobody eligible could take
  (topic, region, language or capacity) and those where nobody in the band was interested; of
  the latter, **second round** is the share where an eligible collective outside the band was
  interested, which a second interest round (asking the next band) would have reached.

What it found (20 worlds): the rule's Gini is about 0.04 (worst 0.05) against 0.20 for "always
the best fit" and 0.17 for a lottery, at 0.98 of the best fit; about a third of inquiries find
no taker, 18 % because nobody eligible exists (a network of 40 is thin per topic and region)
and 13 % because everyone asked declined. A second interest round would reach only about 1 %
(5 % at 10–50 % interest): the band already holds nearly every eligible collective, so it is
not built.

Options: ``--json``, ``--strict`` (exit 1 when a target is missed in any world).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from klinke.inquiries.routing import (  # noqa: E402
    DEFAULT_RULES,
    CandidateFacts,
    InquiryFacts,
    assign,
    exclusion,
    fit_band,
    in_the_running,
)

TOPICS = [f"t{i:02d}" for i in range(12)]
TOPIC_WEIGHTS = [1 / (i + 1) ** 0.8 for i in range(len(TOPICS))]
REGIONS = ["DED", "DE3", "DE2", "DEA", "AT1"]
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAYS = 730
TARGET_GINI = 0.15
TARGET_FIT = 0.95
MIN_FAIR_SHARE = 3.0
"""Collectives whose fair share is below this are left out of the Gini: with one or two
inquiries expected, getting 0 or 2 is chance, not the rule."""


@dataclass(frozen=True)
class Collective:
    ref: str
    topics: frozenset[str]
    region: str
    remote_ok: bool
    capacity: int
    interest: float
    reputation: float


@dataclass(frozen=True)
class Inquiry:
    at: dt.datetime
    topics: frozenset[str]
    region: str
    remote: bool
    noise: dict[str, float]
    interested: frozenset[str]


@dataclass
class State:
    assigned: dict[str, list[dt.datetime]] = field(default_factory=dict)
    earned: dict[str, list[tuple[dt.datetime, float]]] = field(default_factory=dict)

    def received_in_window(self, ref: str, now: dt.datetime) -> int:
        since = now - dt.timedelta(days=DEFAULT_RULES.window_days)
        return sum(1 for at in self.assigned.get(ref, []) if at >= since)

    def earned_in_window(self, ref: str, now: dt.datetime) -> float:
        since = now - dt.timedelta(days=DEFAULT_RULES.window_days)
        return sum(share for at, share in self.earned.get(ref, []) if at >= since)

    def last(self, ref: str) -> dt.datetime | None:
        times = self.assigned.get(ref)
        return times[-1] if times else None


def make_world(
    n_collectives: int,
    n_inquiries: int,
    rng: random.Random,
    interest: tuple[float, float] = (0.3, 0.9),
) -> tuple[list[Collective], list[Inquiry]]:
    collectives = []
    for i in range(n_collectives):
        topics = frozenset(rng.choices(TOPICS, weights=TOPIC_WEIGHTS, k=rng.randint(1, 3)))
        collectives.append(
            Collective(
                ref=f"c{i:02d}",
                topics=topics,
                region=rng.choice(REGIONS),
                remote_ok=rng.random() < 0.6,
                capacity=rng.choices([2, 3, 4, 6, 8], weights=[2, 4, 4, 2, 1])[0],
                interest=rng.uniform(*interest),
                reputation=1.0 if rng.random() < 0.15 else rng.uniform(0.82, 0.95),
            )
        )
    inquiries = []
    for _ in range(n_inquiries):
        at = START + dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        k = 1 if rng.random() < 0.7 else 2
        topics = frozenset(rng.choices(TOPICS, weights=TOPIC_WEIGHTS, k=k))
        inquiries.append(
            Inquiry(
                at=at,
                topics=topics,
                region=rng.choice(REGIONS),
                remote=rng.random() < 0.5,
                noise={c.ref: rng.uniform(-0.03, 0.03) for c in collectives},
                interested=frozenset(c.ref for c in collectives if rng.random() < c.interest),
            )
        )
    inquiries.sort(key=lambda q: q.at)
    return collectives, inquiries


def score(collective: Collective, inquiry: Inquiry) -> float:
    """A stand-in for the matching engine: topic overlap, reputation, a little noise."""
    overlap = len(collective.topics & inquiry.topics) / len(inquiry.topics)
    if not overlap:
        return 0.0
    local = 1.0 if collective.region == inquiry.region else 0.92
    return max(0.0, overlap * collective.reputation * local + inquiry.noise[collective.ref])


def candidates(
    collectives: list[Collective], inquiry: Inquiry, state: State
) -> list[CandidateFacts]:
    facts = InquiryFacts(
        topics=inquiry.topics, language="de", region=inquiry.region, remote=inquiry.remote
    )
    out = []
    for c in collectives:
        candidate = CandidateFacts(
            ref=c.ref,
            score=score(c, inquiry),
            topics=c.topics,
            regions=(c.region,),
            remote_ok=c.remote_ok,
            capacity=c.capacity,
            assigned_in_window=state.received_in_window(c.ref, inquiry.at),
            earned_in_window=state.earned_in_window(c.ref, inquiry.at),
            last_assigned_at=state.last(c.ref),
        )
        if exclusion(facts, candidate) is None:
            out.append(candidate)
    return out


def gini(values: list[float]) -> float:
    if not values or sum(values) == 0:
        return 0.0
    ordered = sorted(values)
    n = len(ordered)
    cumulative = sum((i + 1) * v for i, v in enumerate(ordered))
    return (2 * cumulative) / (n * sum(ordered)) - (n + 1) / n


@dataclass
class Result:
    name: str
    gini: float
    fit: float
    no_taker: float
    nobody_eligible: float
    nobody_interested: float
    second_round: float
    assigned: int


def run(name: str, collectives: list[Collective], inquiries: list[Inquiry], seed: int) -> Result:
    rng = random.Random(seed)
    state = State()
    capacity = {c.ref: c.capacity for c in collectives}
    fair: dict[str, float] = {c.ref: 0.0 for c in collectives}
    received: dict[str, int] = {c.ref: 0 for c in collectives}
    fits: list[float] = []
    no_taker = nobody_eligible = nobody_interested = second_round = 0
    for number, inquiry in enumerate(inquiries):
        eligible = candidates(collectives, inquiry, state)
        band = list(fit_band(eligible))
        asked = band if name == "rule" else eligible
        interested = [c for c in asked if c.ref in inquiry.interested]
        pool = [c for c in eligible if c.ref in inquiry.interested]
        if not interested:
            no_taker += 1
            if not eligible:
                nobody_eligible += 1
            else:
                nobody_interested += 1
                second_round += bool(pool)
            continue
        # The equally eligible: the interested of the band within ε of its best score (or, when
        # none of them is interested, those it was topped up with), as the rule has them.
        keen = [c for c in band if c.ref in inquiry.interested]
        peers = in_the_running(keen, best_score=band[0].score) if keen else pool
        total = sum(capacity[c.ref] for c in peers)
        for c in peers:
            fair[c.ref] += capacity[c.ref] / total
        if name == "rule":
            result = assign(interested, seed=seed * 100_003 + number, best_score=band[0].score)
            assert result is not None
            chosen = next(c for c in interested if c.ref == result.ref)
            for ref, share in result.shares.items():
                state.earned.setdefault(ref, []).append((inquiry.at, share))
        elif name == "best fit":
            chosen = min(interested, key=lambda c: (-c.score, c.ref))
        else:
            chosen = rng.choice(interested)
        best = max(c.score for c in pool)
        fits.append(chosen.score / best if best else 1.0)
        received[chosen.ref] += 1
        state.assigned.setdefault(chosen.ref, []).append(inquiry.at)
    ratios = [received[ref] / share for ref, share in fair.items() if share >= MIN_FAIR_SHARE]
    return Result(
        name=name,
        gini=gini(ratios),
        fit=sum(fits) / len(fits) if fits else 0.0,
        no_taker=no_taker / len(inquiries),
        nobody_eligible=nobody_eligible / len(inquiries),
        nobody_interested=nobody_interested / len(inquiries),
        second_round=second_round / len(inquiries),
        assigned=len(fits),
    )


STRATEGIES = ("rule", "best fit", "lottery")


def summarise(runs: list[Result]) -> dict[str, float | str]:
    """One strategy's figures over the worlds: mean, and worst (highest Gini, lowest fit)."""
    return {
        "name": runs[0].name,
        "gini_mean": statistics.mean(r.gini for r in runs),
        "gini_worst": max(r.gini for r in runs),
        "fit_mean": statistics.mean(r.fit for r in runs),
        "fit_worst": min(r.fit for r in runs),
        "no_taker": statistics.mean(r.no_taker for r in runs),
        "nobody_eligible": statistics.mean(r.nobody_eligible for r in runs),
        "nobody_interested": statistics.mean(r.nobody_interested for r in runs),
        "second_round": statistics.mean(r.second_round for r in runs),
        "assigned": statistics.mean(r.assigned for r in runs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inquiries", type=int, default=1000)
    parser.add_argument("--collectives", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11, help="the first world's seed")
    parser.add_argument("--seeds", type=int, default=20, help="how many worlds")
    parser.add_argument(
        "--interest", type=float, nargs=2, default=(0.3, 0.9), metavar=("LOW", "HIGH")
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    runs: dict[str, list[Result]] = {name: [] for name in STRATEGIES}
    for seed in range(args.seed, args.seed + args.seeds):
        collectives, inquiries = make_world(
            args.collectives, args.inquiries, random.Random(seed), tuple(args.interest)
        )
        for name in STRATEGIES:
            runs[name].append(run(name, collectives, inquiries, seed))
    summaries = [summarise(runs[name]) for name in STRATEGIES]
    rule = summaries[0]
    ok = float(rule["gini_worst"]) <= TARGET_GINI and float(rule["fit_worst"]) >= TARGET_FIT
    if args.json:
        print(json.dumps({"summaries": summaries, "meets_targets": ok}, indent=2))
        return 1 if args.strict and not ok else 0
    print(
        f"{args.inquiries} inquiries over {DAYS} days, {args.collectives} collectives, "
        f"{args.seeds} worlds (seeds {args.seed}–{args.seed + args.seeds - 1}), "
        f"rules: {replace(DEFAULT_RULES)}"
    )
    print(
        f"{'strategy':<10} {'Gini mean':>9} {'worst':>6} {'fit mean':>9} {'worst':>6} "
        f"{'no taker':>9} {'none fit':>9} {'none keen':>10} {'2nd round':>10}"
    )
    for r in summaries:
        print(
            f"{r['name']:<10} {r['gini_mean']:>9.3f} {r['gini_worst']:>6.3f} "
            f"{r['fit_mean']:>9.3f} {r['fit_worst']:>6.3f} {r['no_taker']:>9.1%} "
            f"{r['nobody_eligible']:>9.1%} {r['nobody_interested']:>10.1%} "
            f"{r['second_round']:>10.1%}"
        )
    verdict = "meets" if ok else "MISSES"
    print(
        f"rule {verdict} the targets in every world: Gini worst {rule['gini_worst']:.3f} "
        f"(≤ {TARGET_GINI}), fit worst {rule['fit_worst']:.3f} (≥ {TARGET_FIT})"
    )
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
