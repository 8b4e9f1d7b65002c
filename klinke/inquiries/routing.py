"""Which collectives are asked about a client's inquiry, and which one gets it: the published rule.

Pure Python, no ORM: the Django side fills `InquiryFacts` and one `CandidateFacts` per collective
(with the matching engine's score and the workbench screener's red-line hits already in it), and
stores what comes back. Every parameter is a field of `RoutingRules`; the public page
"How inquiries are shared" renders the same object, so the page and the code cannot disagree.

The rule, step by step:

1. **Eligible** (`exclusion`): the collective works on one of the inquiry's topics (or a parent or
   child of one), works in the inquiry's region or the inquiry may be done remotely, speaks the
   inquiry's language, has not paused inquiries, has free capacity (fewer assignments in the
   rolling window than its capacity), its red lines are not hit, and the matching engine found
   some fit at all (`min_score`).
2. **Fit band** (`fit_band`): the eligible collectives whose score is within `band_epsilon` of the
   best score (relative), topped up to `band_minimum` with the next best where there are that
   many, and never more than `band_maximum`. All of them are asked at once.
3. **Assignment** (`assign`): among the collectives of the band that said "interested", those
   within `band_epsilon` of the band's best score are **in the running** (`in_the_running`);
   the ones asked only to top the band up to `band_minimum` are in the running only when none
   of those is interested. Each collective in the running earns a share of the inquiry in
   proportion to its capacity (its capacity over the sum of their capacities). Its **deficit**
   is what it has earned over the rolling window, this share included, minus the inquiries it
   received in the window; the one with the largest deficit gets the inquiry. So every
   collective receives, over time, its capacity's share of the inquiries it was in the running
   for, whether it fits often or rarely. Ties (within `tie_tolerance`) go to who has waited
   longest since its last assignment (never assigned counts as longest), then to a lottery
   seeded by a recorded seed, so anyone can replay the draw.
4. **Declines keep the place**: saying "not this time" earns nothing and costs nothing; the
   deficit and the waiting time stay as they were.

`bench/routing.py` measures the rule against "always the best fit" and a pure lottery.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

Exclusion = Literal["paused", "capacity", "topic", "region", "language", "red_line", "no_fit"]

EXCLUSIONS: Final[tuple[Exclusion, ...]] = (
    "paused",
    "capacity",
    "topic",
    "region",
    "language",
    "red_line",
    "no_fit",
)


@dataclass(frozen=True, slots=True)
class RoutingRules:
    """Every parameter of the routing rule, in one place (rendered on the public page)."""

    band_epsilon: float = 0.15
    """A collective is in the fit band when its score is at least (1 − ε) × the best score."""
    band_minimum: int = 3
    """The band is topped up with the next best eligible collectives to at least this many."""
    band_maximum: int = 6
    """Never more collectives asked at once than this."""
    min_score: float = 0.05
    """Below this score the matching engine found no real fit: not eligible."""
    window_days: int = 90
    """The rolling window over which assignments are counted against capacity, and shares
    earned and inquiries received are counted for the deficit."""
    default_capacity: int = 3
    """Inquiries per window a collective takes until it sets its own capacity."""
    round_hours: int = 72
    """How long collectives have to answer before the round closes."""
    reminder_hours: int = 24
    """Collectives that have not answered are reminded this long before the round closes."""
    tie_tolerance: float = 1e-9
    """Deficits closer than this are a tie."""


DEFAULT_RULES: Final = RoutingRules()


@dataclass(frozen=True, slots=True)
class InquiryFacts:
    """What routing needs to know about an inquiry."""

    topics: frozenset[str]
    language: str
    region: str = ""
    """A country ("DE") or NUTS code ("DED5"); empty when the work can be done remotely."""
    remote: bool = False


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """One collective as routing sees it."""

    ref: str
    score: float
    """The matching engine's score of this collective for the inquiry."""
    topics: frozenset[str] = frozenset()
    regions: tuple[str, ...] = ()
    """Countries or NUTS codes it works in; empty means anywhere."""
    remote_ok: bool = True
    languages: frozenset[str] = frozenset()
    """Languages it works in; empty means unknown, which does not exclude."""
    capacity: int = DEFAULT_RULES.default_capacity
    assigned_in_window: int = 0
    earned_in_window: float = 0.0
    """The shares of the inquiries it said "interested" in over the window (see `assign`)."""
    last_assigned_at: dt.datetime | None = None
    paused: bool = False
    red_line_hits: tuple[str, ...] = ()
    """The screener's evidence against the inquiry; any hit excludes."""

    @property
    def deficit(self) -> float:
        """What it earned in the window minus what it received there (before this inquiry)."""
        return self.earned_in_window - self.assigned_in_window


def related_topics(topics: Iterable[str], parents: Mapping[str, str | None]) -> frozenset[str]:
    """The topics with their ancestors, so "wordpress" meets a collective of "web-development"."""
    out: set[str] = set()
    for slug in topics:
        seen = 0
        current: str | None = slug
        while current is not None and current not in out and seen < 32:
            out.add(current)
            current = parents.get(current)
            seen += 1
    return frozenset(out)


def _region_fits(inquiry: InquiryFacts, candidate: CandidateFacts) -> bool:
    """In the inquiry's region (either code within the other), or remote work both accept."""
    if not candidate.regions:
        return True
    wanted = inquiry.region.upper()
    if wanted and any(
        wanted.startswith(region.upper()) or region.upper().startswith(wanted)
        for region in candidate.regions
    ):
        return True
    if inquiry.remote:
        return candidate.remote_ok
    return not wanted


def exclusion(
    inquiry: InquiryFacts,
    candidate: CandidateFacts,
    *,
    parents: Mapping[str, str | None] | None = None,
    rules: RoutingRules = DEFAULT_RULES,
) -> Exclusion | None:
    """Why a collective cannot be asked about the inquiry, or None when it is eligible."""
    if candidate.paused:
        return "paused"
    if candidate.assigned_in_window >= candidate.capacity:
        return "capacity"
    tree = parents or {}
    if inquiry.topics and not (
        related_topics(inquiry.topics, tree) & related_topics(candidate.topics, tree)
    ):
        return "topic"
    if not _region_fits(inquiry, candidate):
        return "region"
    if candidate.languages and inquiry.language not in candidate.languages:
        return "language"
    if candidate.red_line_hits:
        return "red_line"
    if candidate.score < rules.min_score:
        return "no_fit"
    return None


@dataclass(frozen=True, slots=True)
class Screened:
    """Every candidate with the reason it was left out (None: eligible)."""

    eligible: tuple[CandidateFacts, ...]
    excluded: tuple[tuple[CandidateFacts, Exclusion], ...] = field(default=())


def screen_candidates(
    inquiry: InquiryFacts,
    candidates: Iterable[CandidateFacts],
    *,
    parents: Mapping[str, str | None] | None = None,
    rules: RoutingRules = DEFAULT_RULES,
) -> Screened:
    eligible: list[CandidateFacts] = []
    excluded: list[tuple[CandidateFacts, Exclusion]] = []
    for candidate in candidates:
        why = exclusion(inquiry, candidate, parents=parents, rules=rules)
        if why is None:
            eligible.append(candidate)
        else:
            excluded.append((candidate, why))
    return Screened(tuple(eligible), tuple(excluded))


def _by_score(candidates: Iterable[CandidateFacts]) -> list[CandidateFacts]:
    return sorted(candidates, key=lambda c: (-c.score, c.ref))


def fit_band(
    eligible: Sequence[CandidateFacts], *, rules: RoutingRules = DEFAULT_RULES
) -> tuple[CandidateFacts, ...]:
    """The eligible collectives asked at once, best first."""
    ranked = _by_score(eligible)
    if not ranked:
        return ()
    floor = ranked[0].score * (1 - rules.band_epsilon)
    band = [c for c in ranked if c.score >= floor]
    if len(band) < rules.band_minimum:
        band = ranked[: rules.band_minimum]
    return tuple(band[: rules.band_maximum])


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who gets the inquiry and the figures that decided it, kept for transparency."""

    ref: str
    seed: int
    deficits: dict[str, float]
    """The deficit of every collective in the running at the moment of assignment, this share
    included."""
    shares: dict[str, float]
    """The share of this inquiry each collective in the running earns (kept on its offer)."""
    tied: tuple[str, ...]
    """The refs still tied after deficit and waiting time (the lottery's draw), one if none."""
    step: Literal["deficit", "waiting", "lottery"]
    """The step of the rule that decided."""


def _waiting_key(candidate: CandidateFacts) -> tuple[int, dt.datetime]:
    """Sorts who waited longest first: never assigned, then the oldest last assignment."""
    if candidate.last_assigned_at is None:
        return (0, dt.datetime.min.replace(tzinfo=dt.UTC))
    return (1, candidate.last_assigned_at)


def in_the_running(
    interested: Sequence[CandidateFacts],
    *,
    best_score: float | None = None,
    rules: RoutingRules = DEFAULT_RULES,
) -> list[CandidateFacts]:
    """The interested within ε of `best_score` (the band's best, by default the interested's);
    all the interested when none of them is (the band was topped up with lower scores)."""
    if not interested:
        return []
    best = max(c.score for c in interested) if best_score is None else best_score
    close = [c for c in interested if c.score >= best * (1 - rules.band_epsilon)]
    return close or list(interested)


def shares_of(running: Sequence[CandidateFacts]) -> dict[str, float]:
    """Each collective's share of one inquiry: its capacity over the sum of all their capacities."""
    total = sum(max(c.capacity, 0) for c in running)
    if total <= 0:
        return {c.ref: 1 / len(running) for c in running}
    return {c.ref: max(c.capacity, 0) / total for c in running}


def assign(
    interested: Sequence[CandidateFacts],
    *,
    seed: int,
    best_score: float | None = None,
    rules: RoutingRules = DEFAULT_RULES,
) -> Assignment | None:
    """The interested collective of the band that gets the inquiry; None when nobody is.

    `best_score` is the best score of everyone asked (the band), whether interested or not.
    """
    running = in_the_running(interested, best_score=best_score, rules=rules)
    if not running:
        return None
    shares = shares_of(running)
    deficits = {c.ref: c.deficit + shares[c.ref] for c in running}
    best = max(deficits.values())
    by_deficit = [c for c in running if best - deficits[c.ref] <= rules.tie_tolerance]
    if len(by_deficit) == 1:
        ref = by_deficit[0].ref
        return Assignment(ref, seed, deficits, shares, (ref,), "deficit")
    longest = min(_waiting_key(c) for c in by_deficit)
    by_waiting = sorted(c.ref for c in by_deficit if _waiting_key(c) == longest)
    if len(by_waiting) == 1:
        return Assignment(by_waiting[0], seed, deficits, shares, tuple(by_waiting), "waiting")
    drawn = random.Random(seed).choice(by_waiting)
    return Assignment(drawn, seed, deficits, shares, tuple(by_waiting), "lottery")


def new_seed() -> int:
    """A fresh lottery seed, recorded with the assignment."""
    return random.SystemRandom().randrange(2**31)
