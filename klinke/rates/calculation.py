"""The day-rate calculator: from what a collective needs to live and run to its day rate.

Pure Python on `Decimal`: no ORM, no request, no rounding until the end. The model, in the
order the page explains it:

1. **Pay.** Each member names the net pay they need per month. Members are employed by their
   collective (GmbH, eG, association), so the gross pay is what is left after the member's half
   of the social contributions and the income tax:
   ``net = gross × (1 − social/2 − taxes)``; the collective pays the other half of the social
   contributions on top: ``cost = gross × (1 + social/2)``. Both percentages are of the gross
   pay. (A self-employed member who pays all contributions alone sees the same total.)
2. **Days.** A member is paid for every working day (weekdays minus public holidays) but works
   on ``working days − holidays − sick days`` of them, and bills only the billable share of
   those; acquisition, plenaries, learning and bookkeeping take the rest.
3. **Cost-covering rate.** The year's pay of all members plus twelve months of fixed costs,
   divided by all billable days.
4. **Solidarity.** A lower rate for non-profits and cooperatives, ``reduced = standard × (1 −
   reduction)``. It is paid for either by a surplus on the other clients at a stated client
   mix (the share of days billed at the reduced rate), or by a fixed share of every standard
   day set aside for it. Both keep the year covered: ``standard = covering / (1 − share)``,
   where the share is ``mix × reduction`` or the fixed share.

Rounding, stated on the page too: day rates are rounded to whole euros (half up); the hourly
rate is the rounded day rate divided by the hours of a day, rounded to cents (half up); the
parts of a day's money are rounded to whole euros so that they add up to the day rate (the
euros lost to rounding go to the parts with the largest remainders).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# --- German defaults -------------------------------------------------------------------
# Each is an assumption a collective should check against its own situation; the page shows
# them with these reasons.

DEFAULT_SOCIAL_CONTRIBUTIONS_PERCENT = Decimal("42")
"""Social insurance in Germany, employee and employer together, as a share of gross pay
(2025): pension 18.6 %, health 14.6 % plus an average additional contribution of about 2.5 %,
long-term care 3.6 %, unemployment 2.6 % ≈ 41.9 %; rounded up for the employer's small levies
(U1/U2, accident insurance). Sources: Deutsche Rentenversicherung, GKV-Spitzenverband."""

DEFAULT_TAXES_PERCENT = Decimal("13")
"""Income tax and solidarity surcharge as a share of gross pay: roughly what a single person
(tax class I, no church tax) pays on 3,000–4,500 € gross a month in 2025, after the BMF's wage
tax calculator. Members with children, a partner or church tax should change it."""

DEFAULT_BILLABLE_PERCENT = Decimal("60")
"""The share of the days worked that clients pay for. 60 % is a common rule of thumb for small
IT businesses; the knowledge base's pricing article says 100–130 billable days a year."""

DEFAULT_WORKING_DAYS = 250
"""Weekdays in a year (about 261) minus public holidays (9 to 13, by federal state)."""

DEFAULT_HOLIDAYS = 30
"""Paid holidays a year: 30 days is common in collectives; the legal minimum is 20 on a
five-day week (§ 3 BUrlG)."""

DEFAULT_SICK_DAYS = 15
"""Sick days a year: an assumption. Health insurers' reports show employees in Germany off
sick for roughly 15 to 20 working days a year in recent years."""

DEFAULT_HOURS_PER_DAY = Decimal("8")
DEFAULT_REDUCTION_PERCENT = Decimal("30")
DEFAULT_REDUCED_MIX_PERCENT = Decimal("20")
DEFAULT_SOLIDARITY_SHARE_PERCENT = Decimal("5")

# --- limits: beyond these the inputs are a typo, not a collective ------------------------

MAX_MEMBERS = 500
MAX_MONTHLY_AMOUNT = Decimal("1000000")
MAX_SOLIDARITY_SHARE = Decimal("50")
"""At most half of a standard day may finance reductions; beyond that the "standard" rate
would be mostly solidarity."""

HUNDRED = Decimal("100")
EURO = Decimal("1")
CENT = Decimal("0.01")


class SolidarityMode(enum.StrEnum):
    NONE = "none"
    SURPLUS = "surplus"
    """Reduced rate financed by a surplus on the others, at a stated client mix."""
    FIXED_SHARE = "fixed_share"
    """Reduced rate financed by a fixed share of every standard day."""


class RateInputError(ValueError):
    """Inputs the calculator cannot use; `field` names the input, `message` says why."""

    def __init__(self, field: str, message: str | Promise) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RateInputs:
    net_pay: tuple[Decimal, ...]
    """The net pay each member needs per month, one amount per member."""
    social_contributions_percent: Decimal = DEFAULT_SOCIAL_CONTRIBUTIONS_PERCENT
    taxes_percent: Decimal = DEFAULT_TAXES_PERCENT
    fixed_costs_per_month: Decimal = Decimal("0")
    billable_percent: Decimal = DEFAULT_BILLABLE_PERCENT
    working_days_per_year: int = DEFAULT_WORKING_DAYS
    holidays: int = DEFAULT_HOLIDAYS
    sick_days: int = DEFAULT_SICK_DAYS
    hours_per_day: Decimal = DEFAULT_HOURS_PER_DAY
    solidarity: SolidarityMode = SolidarityMode.NONE
    reduction_percent: Decimal = DEFAULT_REDUCTION_PERCENT
    """How much lower the reduced rate is than the standard rate."""
    reduced_mix_percent: Decimal = DEFAULT_REDUCED_MIX_PERCENT
    """For `SURPLUS`: the share of billable days expected at the reduced rate."""
    solidarity_share_percent: Decimal = DEFAULT_SOLIDARITY_SHARE_PERCENT
    """For `FIXED_SHARE`: the share of every standard day set aside for reductions."""

    @classmethod
    def for_members(cls, count: int, net_pay: Decimal, **rest: object) -> RateInputs:
        """`count` members who each need `net_pay` a month."""
        return cls(net_pay=(net_pay,) * count, **rest)  # type: ignore[arg-type]


class Part(enum.StrEnum):
    """Where a day's money goes, in the order the explanation names them."""

    NET_PAY = "net_pay"
    SOCIAL = "social_contributions"
    TAXES = "taxes"
    UNBILLABLE = "unbillable_time"
    FIXED_COSTS = "fixed_costs"
    SOLIDARITY = "solidarity"


@dataclass(frozen=True)
class RateResult:
    inputs: RateInputs
    members: int
    gross_pay_per_month: Decimal
    """All members together, exact."""
    personnel_cost_per_year: Decimal
    """Gross pay plus the employer's half of the social contributions, all members, exact."""
    fixed_costs_per_year: Decimal
    days_worked_per_member: int
    billable_days_per_member: Decimal
    billable_days: Decimal
    """All members together."""
    covering_day_rate: Decimal
    """What a billable day must bring in to cover the year, before solidarity; exact."""
    solidarity_share: Decimal
    """The share of a standard day that finances reductions (0 to 0.5)."""
    exact_day_rate: Decimal
    day_rate: Decimal
    """Standard day rate, whole euros."""
    hourly_rate: Decimal
    reduced_day_rate: Decimal | None
    reduced_hourly_rate: Decimal | None
    exact_parts: dict[Part, Decimal] = field(default_factory=dict)
    parts: dict[Part, Decimal] = field(default_factory=dict)
    """Whole euros of one standard day, adding up to `day_rate`."""

    @property
    def has_reduction(self) -> bool:
        return self.reduced_day_rate is not None

    @property
    def max_reduced_mix_percent(self) -> Decimal | None:
        """For a fixed share: the share of days the set-aside money can bill at the reduced
        rate (fixed share ÷ reduction), in percent."""
        inputs = self.inputs
        if inputs.solidarity != SolidarityMode.FIXED_SHARE or not inputs.reduction_percent:
            return None
        share = inputs.solidarity_share_percent / inputs.reduction_percent * HUNDRED
        return min(HUNDRED, share).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _check(inputs: RateInputs) -> None:
    def percent(name: str, value: Decimal, *, low: Decimal = Decimal(0)) -> None:
        if not value.is_finite() or value < low or value > HUNDRED:
            raise RateInputError(name, _("Enter a percentage from %(low)s to 100.") % {"low": low})

    if not inputs.net_pay:
        raise RateInputError("net_pay", _("Name the net pay of at least one member."))
    if len(inputs.net_pay) > MAX_MEMBERS:
        raise RateInputError("net_pay", _("At most %(n)s members, please.") % {"n": MAX_MEMBERS})
    for amount in inputs.net_pay:
        if not amount.is_finite() or amount <= 0 or amount > MAX_MONTHLY_AMOUNT:
            raise RateInputError(
                "net_pay",
                _("Each member's net pay must be more than 0 and at most %(max)s € a month.")
                % {"max": number_format(MAX_MONTHLY_AMOUNT, force_grouping=True)},
            )
    percent("social_contributions_percent", inputs.social_contributions_percent)
    percent("taxes_percent", inputs.taxes_percent)
    if inputs.social_contributions_percent / 2 + inputs.taxes_percent >= 90:
        raise RateInputError(
            "taxes_percent",
            _("Half the social contributions plus the taxes must leave some net pay."),
        )
    fixed = inputs.fixed_costs_per_month
    if not fixed.is_finite() or fixed < 0 or fixed > MAX_MONTHLY_AMOUNT * 10:
        raise RateInputError(
            "fixed_costs_per_month",
            _("Fixed costs must be from 0 to %(max)s € a month.")
            % {"max": number_format(MAX_MONTHLY_AMOUNT * 10, force_grouping=True)},
        )
    billable = inputs.billable_percent
    if not billable.is_finite() or billable <= 0 or billable > HUNDRED:
        raise RateInputError(
            "billable_percent", _("The billable share must be more than 0 and at most 100 %.")
        )
    if not 1 <= inputs.working_days_per_year <= 366:
        raise RateInputError("working_days_per_year", _("A year has from 1 to 366 working days."))
    if inputs.holidays < 0 or inputs.sick_days < 0:
        raise RateInputError("holidays", _("Holidays and sick days cannot be negative."))
    if inputs.holidays + inputs.sick_days >= inputs.working_days_per_year:
        raise RateInputError("holidays", _("Holidays and sick days must leave some working days."))
    hours = inputs.hours_per_day
    if not hours.is_finite() or hours <= 0 or hours > 24:
        raise RateInputError("hours_per_day", _("A day has more than 0 and at most 24 hours."))
    if inputs.solidarity == SolidarityMode.SURPLUS:
        percent("reduction_percent", inputs.reduction_percent)
        percent("reduced_mix_percent", inputs.reduced_mix_percent)
    elif inputs.solidarity == SolidarityMode.FIXED_SHARE:
        percent("reduction_percent", inputs.reduction_percent)
        percent("solidarity_share_percent", inputs.solidarity_share_percent)
    if _solidarity_share(inputs) * HUNDRED > MAX_SOLIDARITY_SHARE:
        raise RateInputError(
            "reduced_mix_percent"
            if inputs.solidarity == SolidarityMode.SURPLUS
            else "solidarity_share_percent",
            _("At most %(max)s %% of a standard day can finance reductions.")
            % {"max": MAX_SOLIDARITY_SHARE},
        )


def _solidarity_share(inputs: RateInputs) -> Decimal:
    if inputs.solidarity == SolidarityMode.SURPLUS:
        return inputs.reduced_mix_percent * inputs.reduction_percent / (HUNDRED * HUNDRED)
    if inputs.solidarity == SolidarityMode.FIXED_SHARE:
        return inputs.solidarity_share_percent / HUNDRED
    return Decimal(0)


def whole_euros(exact: dict[Part, Decimal], total: Decimal) -> dict[Part, Decimal]:
    """Round each part down to whole euros, then give the euros still missing to `total` to
    the parts with the largest remainders (largest remainder method); parts that are zero
    stay zero."""
    floors = {part: value.quantize(EURO, ROUND_DOWN) for part, value in exact.items()}
    missing = int(total - sum(floors.values(), Decimal(0)))
    order = sorted(
        (part for part in exact if exact[part] > 0),
        key=lambda part: (exact[part] - floors[part], exact[part]),
        reverse=True,
    )
    for i in range(max(0, missing)):
        floors[order[i % len(order)]] += 1
    return floors


def calculate(inputs: RateInputs) -> RateResult:
    """The day rates and where one standard day's money goes; raises `RateInputError`."""
    _check(inputs)
    members = len(inputs.net_pay)
    half_social = inputs.social_contributions_percent / HUNDRED / 2
    taxes = inputs.taxes_percent / HUNDRED
    net_per_month = sum(inputs.net_pay, Decimal(0))
    gross_per_month = net_per_month / (1 - half_social - taxes)
    cost_per_year = gross_per_month * (1 + half_social) * 12
    fixed_per_year = inputs.fixed_costs_per_month * 12

    days_worked = inputs.working_days_per_year - inputs.holidays - inputs.sick_days
    billable_per_member = days_worked * inputs.billable_percent / HUNDRED
    billable_days = billable_per_member * members
    covering = (cost_per_year + fixed_per_year) / billable_days

    share = _solidarity_share(inputs)
    exact_rate = covering / (1 - share)
    day_rate = exact_rate.quantize(EURO, ROUND_HALF_UP)
    if day_rate < 1:
        raise RateInputError(
            "net_pay", _("These amounts give a day rate below 1 €; check the net pay.")
        )
    hourly = (day_rate / inputs.hours_per_day).quantize(CENT, ROUND_HALF_UP)
    reduced = reduced_hourly = None
    if inputs.solidarity != SolidarityMode.NONE and inputs.reduction_percent > 0:
        exact_reduced = exact_rate * (1 - inputs.reduction_percent / HUNDRED)
        reduced = exact_reduced.quantize(EURO, ROUND_HALF_UP)
        reduced_hourly = (reduced / inputs.hours_per_day).quantize(CENT, ROUND_HALF_UP)

    # One paid day of all members (every working day is paid, holidays and sick days too),
    # split by what pay is made of; the rest of a billable day's pay is the unbillable time.
    paid_day = cost_per_year / (inputs.working_days_per_year * members)
    employer_cost_per_month = gross_per_month * (1 + half_social)
    exact_parts = {
        Part.NET_PAY: paid_day * net_per_month / employer_cost_per_month,
        Part.SOCIAL: paid_day * gross_per_month * 2 * half_social / employer_cost_per_month,
        Part.TAXES: paid_day * gross_per_month * taxes / employer_cost_per_month,
        Part.UNBILLABLE: cost_per_year / billable_days - paid_day,
        Part.FIXED_COSTS: fixed_per_year / billable_days,
        Part.SOLIDARITY: exact_rate - covering,
    }
    return RateResult(
        inputs=inputs,
        members=members,
        gross_pay_per_month=gross_per_month,
        personnel_cost_per_year=cost_per_year,
        fixed_costs_per_year=fixed_per_year,
        days_worked_per_member=days_worked,
        billable_days_per_member=billable_per_member,
        billable_days=billable_days,
        covering_day_rate=covering,
        solidarity_share=share,
        exact_day_rate=exact_rate,
        day_rate=day_rate,
        hourly_rate=hourly,
        reduced_day_rate=reduced,
        reduced_hourly_rate=reduced_hourly,
        exact_parts=exact_parts,
        parts=whole_euros(exact_parts, day_rate),
    )


def parse_amounts(text: str) -> tuple[Decimal, ...]:
    """Amounts one per line (or separated by ';'), German or English notation: "2.400,50",
    "2400.50", "2400" → Decimal. Raises `RateInputError` for anything else."""
    amounts = []
    for raw in text.replace(";", "\n").splitlines():
        value = raw.strip().removesuffix("€").strip().replace(" ", "")
        if not value:
            continue
        if "," in value:  # German: dots group thousands, the comma is the decimal mark
            value = value.replace(".", "").replace(",", ".")
        try:
            amount = Decimal(value)
        except ArithmeticError:
            raise RateInputError(
                "net_pay", _("“%(value)s” is not an amount.") % {"value": raw.strip()[:40]}
            ) from None
        if not amount.is_finite():
            raise RateInputError(
                "net_pay", _("“%(value)s” is not an amount.") % {"value": raw.strip()[:40]}
            )
        amounts.append(amount)
    return tuple(amounts)


def format_amounts(amounts: Sequence[Decimal]) -> str:
    return "\n".join(f"{amount.normalize():f}" for amount in amounts)
