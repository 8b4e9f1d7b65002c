"""The calculator's maths against a hand-computed example, its rounding and its refusals."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from klinke.rates.calculation import (
    Part,
    RateInputError,
    RateInputs,
    SolidarityMode,
    calculate,
    parse_amounts,
    whole_euros,
)
from klinke.rates.tests.conftest import HAND_EXAMPLE

D = Decimal


def test_it_computes_the_hand_example() -> None:
    """The example, by hand:

    Pay. 3 members need 2,640 € net each. Social contributions 40 % of gross (20 % the member's
    half), taxes 14 % of gross, so net = gross × (1 − 0.20 − 0.14) = gross × 0.66:
      gross = 2,640 / 0.66 = 4,000 €; the collective adds its half: 4,000 × 1.20 = 4,800 € a
      month per member; 57,600 € a year; 172,800 € for all three.
    Fixed costs 1,500 € a month = 18,000 € a year.
    Days. 250 working days − 30 holidays − 20 sick days = 200 days worked; 60 % billable = 120
      days per member, 360 for all three.
    Covering rate = (172,800 + 18,000) / 360 = 190,800 / 360 = 530 € a billable day.
    Solidarity, surplus: 25 % of days at a 40 % reduction → share 0.25 × 0.40 = 0.10;
      standard = 530 / 0.90 = 588.888… → 589 € (half up); reduced = 588.888… × 0.60 =
      353.333… → 353 €. Hourly: 589 / 8 = 73.625 → 73.63 €; 353 / 8 = 44.125 → 44.13 €.
    One day's money. A paid day of one member costs 57,600 / 250 = 230.40 €, split as the
      month's 4,800 € is: net 2,640 (55 %) → 126.72 €, social 1,600 (both halves, 33.3 %) →
      76.80 €, taxes 560 → 26.88 €. Unbillable time: 57,600 / 120 − 230.40 = 480 − 230.40 =
      249.60 €. Fixed costs: 18,000 / 360 = 50 €. Solidarity: 588.888… − 530 = 58.888… €.
      Sum 126.72 + 76.80 + 26.88 + 249.60 + 50 + 58.89 = 588.89 ✓.
    Whole euros: floors 126 + 76 + 26 + 249 + 50 + 58 = 585, 4 € missing to 589; the largest
      remainders are solidarity (.889), taxes (.88), social (.80), net (.72), so
      127 + 77 + 27 + 249 + 50 + 59 = 589.
    """
    result = calculate(HAND_EXAMPLE)

    assert result.gross_pay_per_month == D("12000")
    assert result.personnel_cost_per_year == D("172800")
    assert result.days_worked_per_member == 200
    assert result.billable_days == D("360")
    assert result.covering_day_rate == D("530")
    assert result.day_rate == D("589")
    assert result.hourly_rate == D("73.63")
    assert result.reduced_day_rate == D("353")
    assert result.reduced_hourly_rate == D("44.13")
    exact = result.exact_parts
    assert exact[Part.NET_PAY] == D("126.72")
    assert exact[Part.SOCIAL] == D("76.80")
    assert exact[Part.TAXES] == D("26.88")
    assert exact[Part.UNBILLABLE] == D("249.60")
    assert exact[Part.FIXED_COSTS] == D("50")
    assert exact[Part.SOLIDARITY].quantize(D("0.001")) == D("58.889")
    assert result.parts == {
        Part.NET_PAY: 127,
        Part.SOCIAL: 77,
        Part.TAXES: 27,
        Part.UNBILLABLE: 249,
        Part.FIXED_COSTS: 50,
        Part.SOLIDARITY: 59,
    }
    assert sum(result.parts.values()) == result.day_rate


def test_it_covers_the_year_exactly_with_the_client_mix() -> None:
    """75 % of the days at the standard rate and 25 % at the reduced one bring in what the
    covering rate would (before rounding)."""
    result = calculate(HAND_EXAMPLE)
    reduced = result.exact_day_rate * D("0.6")
    assert (result.exact_day_rate * D("0.75") + reduced * D("0.25")).quantize(D("0.0001")) == D(
        "530"
    )


def test_it_takes_a_fixed_share_for_solidarity() -> None:
    inputs = replace(
        HAND_EXAMPLE,
        solidarity=SolidarityMode.FIXED_SHARE,
        solidarity_share_percent=D("10"),
        reduction_percent=D("40"),
    )
    result = calculate(inputs)
    # The same share (10 %) as the example's client mix, so the same rates.
    assert (result.day_rate, result.reduced_day_rate) == (D("589"), D("353"))
    assert result.max_reduced_mix_percent == D("25.0")


def test_it_has_no_reduced_rate_without_solidarity() -> None:
    result = calculate(replace(HAND_EXAMPLE, solidarity=SolidarityMode.NONE))
    assert result.day_rate == D("530")
    assert result.hourly_rate == D("66.25")
    assert result.reduced_day_rate is None
    assert result.parts[Part.SOLIDARITY] == 0
    assert sum(result.parts.values()) == 530


def test_it_adds_up_members_who_need_different_pay() -> None:
    same = calculate(HAND_EXAMPLE)
    different = calculate(replace(HAND_EXAMPLE, net_pay=(D("2000"), D("2640"), D("3280"))))
    assert different.day_rate == same.day_rate


def test_it_uses_german_defaults() -> None:
    result = calculate(RateInputs.for_members(1, D("2500")))
    inputs = result.inputs
    assert inputs.social_contributions_percent == 42
    assert inputs.taxes_percent == 13
    assert inputs.billable_percent == 60
    assert (inputs.working_days_per_year, inputs.holidays, inputs.sick_days) == (250, 30, 15)
    # gross = 2500 / (1 − 0.21 − 0.13) = 3787.88; cost × 1.21 × 12 = 55,000 a year over
    # 205 × 0.6 = 123 billable days = 447.15 → 447 €.
    assert result.day_rate == D("447")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"net_pay": ()}, "net_pay"),
        ({"net_pay": (D("-100"),)}, "net_pay"),
        ({"net_pay": (D("0"),)}, "net_pay"),
        ({"net_pay": (D("1e30"),)}, "net_pay"),
        ({"net_pay": (D("NaN"),)}, "net_pay"),
        ({"net_pay": (D("0.01"),), "fixed_costs_per_month": D("0")}, "net_pay"),
        ({"net_pay": (D("1000"),) * 501}, "net_pay"),
        ({"billable_percent": D("0")}, "billable_percent"),
        ({"billable_percent": D("100.01")}, "billable_percent"),
        ({"billable_percent": D("-5")}, "billable_percent"),
        ({"social_contributions_percent": D("-1")}, "social_contributions_percent"),
        ({"taxes_percent": D("101")}, "taxes_percent"),
        ({"taxes_percent": D("80")}, "taxes_percent"),
        ({"fixed_costs_per_month": D("-1")}, "fixed_costs_per_month"),
        ({"fixed_costs_per_month": D("1e40")}, "fixed_costs_per_month"),
        ({"working_days_per_year": 0}, "working_days_per_year"),
        ({"working_days_per_year": 400}, "working_days_per_year"),
        ({"holidays": 200, "sick_days": 50}, "holidays"),
        ({"sick_days": -1}, "holidays"),
        ({"hours_per_day": D("0")}, "hours_per_day"),
        ({"hours_per_day": D("25")}, "hours_per_day"),
        ({"reduction_percent": D("120")}, "reduction_percent"),
        ({"reduced_mix_percent": D("-1")}, "reduced_mix_percent"),
        ({"reduced_mix_percent": D("100"), "reduction_percent": D("60")}, "reduced_mix_percent"),
    ],
)
def test_it_refuses_inputs_it_cannot_use(changes: dict[str, object], field: str) -> None:
    with pytest.raises(RateInputError) as refusal:
        calculate(replace(HAND_EXAMPLE, **changes))  # type: ignore[arg-type]
    assert refusal.value.field == field
    assert str(refusal.value.message)


def test_it_refuses_a_fixed_share_above_half_a_day() -> None:
    inputs = replace(
        HAND_EXAMPLE, solidarity=SolidarityMode.FIXED_SHARE, solidarity_share_percent=D("60")
    )
    with pytest.raises(RateInputError) as refusal:
        calculate(inputs)
    assert refusal.value.field == "solidarity_share_percent"


def test_it_gives_missing_euros_to_the_largest_remainders_but_never_to_zero_parts() -> None:
    exact = {Part.NET_PAY: D("10.4"), Part.SOCIAL: D("10.6"), Part.SOLIDARITY: D("0")}
    assert whole_euros(exact, D("21")) == {
        Part.NET_PAY: 10,
        Part.SOCIAL: 11,
        Part.SOLIDARITY: 0,
    }


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("2400\n2.600,50\n 3100.25 € ", (D("2400"), D("2600.50"), D("3100.25"))),
        ("2400; 2500", (D("2400"), D("2500"))),
        ("\n\n", ()),
    ],
)
def test_it_reads_amounts_in_german_and_english_notation(
    text: str, amounts: tuple[Decimal, ...]
) -> None:
    assert parse_amounts(text) == amounts


@pytest.mark.parametrize("text", ["zweitausend", "12abc", "Infinity"])
def test_it_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(RateInputError):
        parse_amounts(text)
