"""Writes of the day-rate calculator: saving a new version, for pages and API alike."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from klinke.collectives.models import Collective
from klinke.rates import calculation
from klinke.rates.calculation import RateInputError, RateInputs, RateResult, SolidarityMode
from klinke.rates.models import DayRate

if TYPE_CHECKING:
    from klinke.accounts.models import User

CENT = Decimal("0.01")


class RatesError(Exception):
    """A save the rules do not allow; the message says why."""


@dataclass(frozen=True, kw_only=True)
class RateValues:
    """The inputs of one version as typed into the form or sent to the API."""

    members: int = 1
    net_pay_per_member: Decimal
    net_pay_list: str = ""
    """One amount per line; when given, it replaces members × net pay."""
    social_contributions_percent: Decimal = calculation.DEFAULT_SOCIAL_CONTRIBUTIONS_PERCENT
    taxes_percent: Decimal = calculation.DEFAULT_TAXES_PERCENT
    fixed_costs_per_month: Decimal = Decimal("0")
    billable_percent: Decimal = calculation.DEFAULT_BILLABLE_PERCENT
    working_days_per_year: int = calculation.DEFAULT_WORKING_DAYS
    holidays: int = calculation.DEFAULT_HOLIDAYS
    sick_days: int = calculation.DEFAULT_SICK_DAYS
    hours_per_day: Decimal = calculation.DEFAULT_HOURS_PER_DAY
    solidarity: str = SolidarityMode.NONE.value
    reduction_percent: Decimal = calculation.DEFAULT_REDUCTION_PERCENT
    reduced_mix_percent: Decimal = calculation.DEFAULT_REDUCED_MIX_PERCENT
    solidarity_share_percent: Decimal = calculation.DEFAULT_SOLIDARITY_SHARE_PERCENT

    @classmethod
    def of(cls, day_rate: DayRate) -> RateValues:
        return cls(**{f.name: getattr(day_rate, f.name) for f in fields(cls)})

    def net_pay(self) -> tuple[Decimal, ...]:
        if self.net_pay_list.strip():
            return calculation.parse_amounts(self.net_pay_list)
        if not 1 <= self.members <= calculation.MAX_MEMBERS:
            raise RateInputError(
                "members",
                _("Enter from 1 to %(max)s members.") % {"max": calculation.MAX_MEMBERS},
            )
        return (self.net_pay_per_member,) * self.members

    def inputs(self) -> RateInputs:
        """The calculator's inputs; raises `RateInputError` for values it cannot use."""
        try:
            solidarity = SolidarityMode(self.solidarity)
        except ValueError:
            raise RateInputError("solidarity", _("Choose one of the offered options.")) from None
        return RateInputs(
            net_pay=self.net_pay(),
            social_contributions_percent=self.social_contributions_percent,
            taxes_percent=self.taxes_percent,
            fixed_costs_per_month=self.fixed_costs_per_month,
            billable_percent=self.billable_percent,
            working_days_per_year=self.working_days_per_year,
            holidays=self.holidays,
            sick_days=self.sick_days,
            hours_per_day=self.hours_per_day,
            solidarity=solidarity,
            reduction_percent=self.reduction_percent,
            reduced_mix_percent=self.reduced_mix_percent,
            solidarity_share_percent=self.solidarity_share_percent,
        )

    def stored(self) -> RateValues:
        """The values as the database keeps them: amounts and percentages in cents."""
        amounts = self.net_pay() if self.net_pay_list.strip() else ()
        rounded: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Decimal) and value.is_finite():
                value = value.quantize(CENT, ROUND_HALF_UP)
            rounded[f.name] = value
        if amounts:
            rounded["net_pay_list"] = calculation.format_amounts(
                [a.quantize(CENT, ROUND_HALF_UP) for a in amounts]
            )
            rounded["members"] = len(amounts)
        return RateValues(**rounded)  # type: ignore[arg-type]


def preview(values: RateValues) -> RateResult:
    """The result `values` would give once saved; raises ValidationError by field."""
    try:
        return calculation.calculate(values.stored().inputs())
    except RateInputError as exc:
        raise ValidationError({exc.field: str(exc.message)}) from exc
    except ArithmeticError as exc:  # a number beyond what Decimal's context can hold
        raise ValidationError({"net_pay_per_member": _("A number is too large.")}) from exc


@transaction.atomic
def do_save_day_rate(
    *, collective: Collective, user: User, values: RateValues, change_note: str = ""
) -> DayRate:
    """Add a new version of the collective's day rate; the older ones stay as they were.

    Raises RatesError for a non-member, ValidationError (by field) for inputs the calculator
    refuses; nothing is written then.
    """
    if not collective.has_member(user):
        raise RatesError(_("Only members of the collective can do this."))
    preview(values)
    stored = values.stored()
    # Lock the collective's row, so two saves at once get consecutive numbers.
    Collective.objects.select_for_update().filter(pk=collective.pk).first()
    latest = DayRate.objects.of(collective).aggregate(n=Max("number"))["n"] or 0
    day_rate = DayRate(
        collective=collective,
        number=latest + 1,
        created_by=user,
        change_note=change_note.strip(),
        **{f.name: getattr(stored, f.name) for f in fields(stored)},
    )
    day_rate.full_clean(exclude=["collective", "created_by"])
    day_rate.save()
    return day_rate
