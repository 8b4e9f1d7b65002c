"""Calibration: how estimated hours compared with the hours a project actually took, without
the ORM.

One method everywhere (the accuracy page, the hint on a new estimate, the API):

- a comparison (a whole project, or one work package) has its expected hours E, its range
  P10–P90 from `maths` (E ∓ 1.2816 σ) and the actual hours A;
- its ratio is A / E (undefined when E is 0: such a comparison is left out);
- it was *inside* when P10 ≤ A ≤ P90;
- a group of comparisons is summed up by the **median** of their ratios (robust against one
  runaway project) and by how many were inside;
- the factor offered on a new estimate is that median over the collective's last 8 ended
  projects sharing a topic with the new one (all ended projects when fewer than 3 share one),
  rounded half up to one decimal; it is offered from 3 projects on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from klinke.estimates import maths

LAST_PROJECTS = 8
MIN_PROJECTS = 3
FACTOR_STEP = Decimal("0.1")
RATIO_SHOWN = Decimal("0.01")
TWO = Decimal(2)


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Expected against actual hours, for a project or one package."""

    expected: Decimal
    low: Decimal
    high: Decimal
    actual: Decimal

    @property
    def ratio(self) -> Decimal | None:
        return self.actual / self.expected if self.expected else None

    @property
    def inside(self) -> bool:
        return self.low <= self.actual <= self.high


@dataclass(frozen=True, kw_only=True)
class PackageOutcome(Comparison):
    name: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class ProjectOutcome(Comparison):
    key: int
    title: str
    ended_on: date
    topics: tuple[str, ...]
    packages: tuple[PackageOutcome, ...]


@dataclass(frozen=True, kw_only=True)
class PackageActual:
    """One package of an accepted version, its kind and the hours it actually took."""

    package: maths.PackageInput
    kind: str
    actual: Decimal


def project_outcome(
    *,
    key: int,
    title: str,
    ended_on: date,
    topics: Iterable[str],
    packages: Sequence[PackageActual],
) -> ProjectOutcome:
    """The project's and each package's comparison, ranges computed by `maths`."""
    result = maths.combine([p.package for p in packages])
    parts = []
    for item, part in zip(packages, result.packages, strict=True):
        spread = maths.Z_90 * part.sigma_hours
        parts.append(
            PackageOutcome(
                name=item.package.name,
                kind=item.kind,
                expected=part.expected_hours,
                low=max(maths.ZERO, part.expected_hours - spread),
                high=part.expected_hours + spread,
                actual=item.actual,
            )
        )
    return ProjectOutcome(
        key=key,
        title=title,
        ended_on=ended_on,
        topics=tuple(sorted(set(topics))),
        packages=tuple(parts),
        expected=result.hours.expected,
        low=result.hours.low,
        high=result.hours.high,
        actual=sum((p.actual for p in packages), maths.ZERO),
    )


def median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / TWO


@dataclass(frozen=True, kw_only=True)
class Accuracy:
    count: int
    ratio: Decimal | None
    """The median of A / E, to two decimals; None without comparisons."""
    inside: int


def accuracy(comparisons: Iterable[Comparison]) -> Accuracy:
    """Median ratio and how many fell inside P10–P90, over the comparisons with hours."""
    counted = [c for c in comparisons if c.ratio is not None]
    ratio = median([c.ratio for c in counted if c.ratio is not None])
    return Accuracy(
        count=len(counted),
        ratio=ratio.quantize(RATIO_SHOWN, ROUND_HALF_UP) if ratio is not None else None,
        inside=sum(1 for c in counted if c.inside),
    )


def by_topic(projects: Sequence[ProjectOutcome]) -> dict[str, Accuracy]:
    """Per topic (a project counts for each of its topics), sorted by topic."""
    topics = sorted({t for p in projects for t in p.topics})
    return {t: accuracy(p for p in projects if t in p.topics) for t in topics}


def by_kind(projects: Sequence[ProjectOutcome]) -> dict[str, Accuracy]:
    """Per package kind, over every package of every project."""
    kinds = sorted({k.kind for p in projects for k in p.packages})
    return {
        kind: accuracy(k for p in projects for k in p.packages if k.kind == kind) for kind in kinds
    }


@dataclass(frozen=True, kw_only=True)
class Hint:
    """What a new estimate is told: from how many projects, their factor, how many inside."""

    count: int
    factor: Decimal
    inside: int
    of_this_kind: bool
    """True when the projects share a topic with the new estimate."""


def hint(
    projects: Sequence[ProjectOutcome],
    topics: Iterable[str] = (),
    *,
    last: int = LAST_PROJECTS,
    least: int = MIN_PROJECTS,
) -> Hint | None:
    """The factor for a new estimate with these topics, or None with too few projects."""
    wanted = set(topics)
    newest = sorted(projects, key=lambda p: (p.ended_on, p.key), reverse=True)
    newest = [p for p in newest if p.ratio is not None]
    alike = [p for p in newest if wanted & set(p.topics)]
    of_this_kind = len(alike) >= least
    chosen = (alike if of_this_kind else newest)[:last]
    if len(chosen) < least:
        return None
    # Rounded once, from the unrounded median (not from the two-decimal one shown).
    ratio = median([p.ratio for p in chosen if p.ratio is not None]) or Decimal(1)
    return Hint(
        count=len(chosen),
        factor=ratio.quantize(FACTOR_STEP, ROUND_HALF_UP),
        inside=sum(1 for p in chosen if p.inside),
        of_this_kind=of_this_kind,
    )
