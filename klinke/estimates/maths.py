"""The arithmetic of an estimate, in one place, without the ORM.

One method everywhere (page, PDF, API, invoice data): three-point estimates combined by PERT
with the normal approximation.

- per work package: E = (O + 4M + P) / 6 and σ = (P − O) / 6;
- the total: E = ΣE, σ = √(Σσ²) (the packages are taken as independent);
- the range shown: P10–P90 = E ∓ 1.2816 σ, never below zero hours;
- money = hours × the package's hourly rate; amounts are rounded once, at the end, to whole
  units of the currency, half up (ROUND_HALF_UP); hours are shown to one decimal.
- a risk buffer is a percentage of the expected amount, shown as its own line;
- an applied calibration factor f (from the collective's past projects, `calibration.py`)
  adds (f − 1) × the expected amount as its own line, visible to the client;
- VAT is added on the net amount at the estimate's rate.

Everything is `Decimal`; the square root uses `Decimal.sqrt` with the default context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Z_90 = Decimal("1.2816")
"""The standard normal's 90 % quantile: P10 = E − 1.2816 σ, P90 = E + 1.2816 σ."""

SIX = Decimal(6)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
WHOLE = Decimal(1)
CENT = Decimal("0.01")
HOURS_SHOWN = Decimal("0.1")


class EstimateMathsError(ValueError):
    """Numbers that do not make a three-point estimate (e.g. O > M)."""


def round_money(amount: Decimal) -> Decimal:
    """Whole units of the currency, half up: the rounding every estimate states."""
    return amount.quantize(WHOLE, rounding=ROUND_HALF_UP)


def round_hours(hours: Decimal) -> Decimal:
    return hours.quantize(HOURS_SHOWN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True)
class PackageInput:
    """One work package as the maths needs it: hours O ≤ M ≤ P and an hourly rate."""

    name: str
    optimistic: Decimal
    most_likely: Decimal
    pessimistic: Decimal
    hourly_rate: Decimal

    def __post_init__(self) -> None:
        if min(self.optimistic, self.most_likely, self.pessimistic, self.hourly_rate) < ZERO:
            raise EstimateMathsError("Hours and rates cannot be negative.")
        if not self.optimistic <= self.most_likely <= self.pessimistic:
            raise EstimateMathsError("Hours must be optimistic ≤ most likely ≤ pessimistic.")


@dataclass(frozen=True, kw_only=True)
class PackageResult:
    name: str
    expected_hours: Decimal
    sigma_hours: Decimal
    hourly_rate: Decimal
    expected_amount: Decimal
    """Unrounded: rounding happens once, on the totals."""


@dataclass(frozen=True, kw_only=True)
class Range:
    low: Decimal
    expected: Decimal
    high: Decimal


@dataclass(frozen=True, kw_only=True)
class EstimateResult:
    packages: tuple[PackageResult, ...]
    expected_hours: Decimal
    sigma_hours: Decimal
    hours: Range
    """P10, E, P90 in hours (unrounded)."""
    amount: Range
    """P10, E, P90 of the net amount before the risk buffer, rounded to whole units."""
    risk_buffer_percent: Decimal
    risk_buffer: Decimal
    calibration_factor: Decimal | None
    calibration: Decimal
    """(f − 1) × the expected amount, rounded; 0 without a factor."""
    net_total: Decimal
    """Expected net amount plus the risk buffer and the calibration line, rounded."""
    vat_rate: Decimal
    vat: Decimal
    gross_total: Decimal
    average_hourly_rate: Decimal
    """The hours-weighted rate that turns hours into money for the range (0 without hours)."""


def package_result(package: PackageInput) -> PackageResult:
    """E = (O + 4M + P) / 6, σ = (P − O) / 6, and the money of E hours."""
    expected = (package.optimistic + 4 * package.most_likely + package.pessimistic) / SIX
    sigma = (package.pessimistic - package.optimistic) / SIX
    return PackageResult(
        name=package.name,
        expected_hours=expected,
        sigma_hours=sigma,
        hourly_rate=package.hourly_rate,
        expected_amount=expected * package.hourly_rate,
    )


def combine(
    packages: Sequence[PackageInput],
    *,
    risk_buffer_percent: Decimal = ZERO,
    calibration_factor: Decimal | None = None,
    vat_rate: Decimal = ZERO,
) -> EstimateResult:
    """The totals: ΣE, √Σσ², the P10–P90 range in hours and money, buffer and VAT lines.

    The money range uses the hours-weighted average rate (Σ E·rate / Σ E), so a range in
    hours and its range in money say the same thing.
    """
    if risk_buffer_percent < ZERO or vat_rate < ZERO:
        raise EstimateMathsError("Buffer and VAT cannot be negative.")
    if calibration_factor is not None and calibration_factor <= ZERO:
        raise EstimateMathsError("A calibration factor is positive.")
    results = tuple(package_result(p) for p in packages)
    expected = sum((r.expected_hours for r in results), ZERO)
    sigma = sum((r.sigma_hours**2 for r in results), ZERO).sqrt()
    spread = Z_90 * sigma
    hours = Range(low=max(ZERO, expected - spread), expected=expected, high=expected + spread)
    money = sum((r.expected_amount for r in results), ZERO)
    rate = money / expected if expected else ZERO
    amount = Range(
        low=round_money(hours.low * rate),
        expected=round_money(money),
        high=round_money(hours.high * rate),
    )
    buffer = round_money(money * risk_buffer_percent / HUNDRED)
    calibration = (
        round_money(money * (calibration_factor - 1)) if calibration_factor is not None else ZERO
    )
    net_total = amount.expected + buffer + calibration
    vat = round_money(net_total * vat_rate / HUNDRED)
    return EstimateResult(
        packages=results,
        expected_hours=expected,
        sigma_hours=sigma,
        hours=hours,
        amount=amount,
        risk_buffer_percent=risk_buffer_percent,
        risk_buffer=buffer,
        calibration_factor=calibration_factor,
        calibration=calibration,
        net_total=net_total,
        vat_rate=vat_rate,
        vat=vat,
        gross_total=net_total + vat,
        average_hourly_rate=rate,
    )


def day_rate(hourly_rate: Decimal, hours_per_day: Decimal) -> Decimal:
    """The day rate shown beside an hourly rate, in whole units."""
    return round_money(hourly_rate * hours_per_day)
