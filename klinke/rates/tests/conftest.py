"""Day-rate fixtures: the hand-computed example of test_calculation and a saved version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.rates.actions import RateValues, do_save_day_rate
from klinke.rates.calculation import RateInputs, SolidarityMode
from klinke.rates.models import DayRate

HAND_EXAMPLE = RateInputs.for_members(
    3,
    Decimal("2640"),
    social_contributions_percent=Decimal("40"),
    taxes_percent=Decimal("14"),
    fixed_costs_per_month=Decimal("1500"),
    billable_percent=Decimal("60"),
    working_days_per_year=250,
    holidays=30,
    sick_days=20,
    hours_per_day=Decimal("8"),
    solidarity=SolidarityMode.SURPLUS,
    reduction_percent=Decimal("40"),
    reduced_mix_percent=Decimal("25"),
)

HAND_VALUES = RateValues(
    members=3,
    net_pay_per_member=Decimal("2640"),
    social_contributions_percent=Decimal("40"),
    taxes_percent=Decimal("14"),
    fixed_costs_per_month=Decimal("1500"),
    billable_percent=Decimal("60"),
    working_days_per_year=250,
    holidays=30,
    sick_days=20,
    hours_per_day=Decimal("8"),
    solidarity="surplus",
    reduction_percent=Decimal("40"),
    reduced_mix_percent=Decimal("25"),
)

HAND_FORM = {
    "members": "3",
    "net_pay_per_member": "2640",
    "net_pay_list": "",
    "social_contributions_percent": "40",
    "taxes_percent": "14",
    "fixed_costs_per_month": "1500",
    "billable_percent": "60",
    "working_days_per_year": "250",
    "holidays": "30",
    "sick_days": "20",
    "hours_per_day": "8",
    "solidarity": "surplus",
    "reduction_percent": "40",
    "reduced_mix_percent": "25",
    "solidarity_share_percent": "5",
    "change_note": "",
}


def save_rate(collective: Collective, user: User, change_note: str = "", **changes: Any) -> DayRate:
    values = RateValues(**{**HAND_VALUES.__dict__, **changes})
    return do_save_day_rate(
        collective=collective, user=user, values=values, change_note=change_note
    )
