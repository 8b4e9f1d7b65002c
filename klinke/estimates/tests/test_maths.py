"""The estimate maths against values worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from klinke.estimates.maths import (
    EstimateMathsError,
    PackageInput,
    combine,
    day_rate,
    package_result,
    round_money,
)


def package(o: str, m: str, p: str, rate: str = "100", name: str = "p") -> PackageInput:
    return PackageInput(
        name=name,
        optimistic=Decimal(o),
        most_likely=Decimal(m),
        pessimistic=Decimal(p),
        hourly_rate=Decimal(rate),
    )


def test_it_computes_e_and_sigma_of_one_package():
    # E = (2 + 4·4 + 12) / 6 = 30 / 6 = 5; σ = (12 − 2) / 6 = 1.667
    result = package_result(package("2", "4", "12"))
    assert result.expected_hours == Decimal(5)
    assert result.sigma_hours.quantize(Decimal("0.001")) == Decimal("1.667")
    assert result.expected_amount == Decimal(500)


def test_it_sums_expected_values_and_adds_sigmas_in_quadrature():
    # E: 5 + 10 = 15; σ: (10/6)² + (12/6)² = 2.778 + 4 → √6.778 = 2.6034
    result = combine([package("2", "4", "12"), package("6", "9", "18")])
    assert result.expected_hours == Decimal(15)
    assert result.sigma_hours.quantize(Decimal("0.0001")) == Decimal("2.6034")


def test_it_gives_p10_and_p90_as_e_minus_and_plus_1_2816_sigma():
    # σ = 1.6667, 1.2816 σ = 2.136 → 5 ∓ 2.136 = 2.864 … 7.136 hours; at 100 €/h 286 … 714 €
    result = combine([package("2", "4", "12")])
    assert result.hours.low.quantize(Decimal("0.001")) == Decimal("2.864")
    assert result.hours.high.quantize(Decimal("0.001")) == Decimal("7.136")
    assert result.amount.low == Decimal(286)
    assert result.amount.expected == Decimal(500)
    assert result.amount.high == Decimal(714)


def test_it_never_shows_a_range_below_zero():
    result = combine([package("0", "1", "30")])
    assert result.hours.low == Decimal(0)
    assert result.amount.low == Decimal(0)


def test_it_rounds_money_once_to_whole_units_half_up():
    assert round_money(Decimal("10.5")) == Decimal(11)
    assert round_money(Decimal("10.49")) == Decimal(10)
    assert round_money(Decimal("-0.5")) == Decimal(-1)
    # 1 h at 0.5 €/h twice: rounded per package it would be 1 + 1 = 2; once, it is 1.
    result = combine([package("1", "1", "1", "0.5"), package("1", "1", "1", "0.5")])
    assert result.amount.expected == Decimal(1)


def test_it_adds_the_risk_buffer_and_vat_as_their_own_lines():
    # 10 h × 95 € = 950 €; buffer 10 % = 95 €; net 1045 €; VAT 19 % = 198.55 → 199 €
    result = combine(
        [package("10", "10", "10", "95")],
        risk_buffer_percent=Decimal(10),
        vat_rate=Decimal(19),
    )
    assert result.amount.expected == Decimal(950)
    assert result.risk_buffer == Decimal(95)
    assert result.net_total == Decimal(1045)
    assert result.vat == Decimal(199)
    assert result.gross_total == Decimal(1244)


def test_it_weights_the_rate_of_the_range_by_hours():
    # 10 h × 100 € + 10 h × 50 € = 1500 € for 20 h → 75 €/h
    result = combine([package("10", "10", "10", "100"), package("10", "10", "10", "50")])
    assert result.average_hourly_rate == Decimal(75)
    assert result.amount.low == result.amount.high == Decimal(1500)


def test_it_handles_an_estimate_without_packages():
    result = combine([])
    assert result.expected_hours == 0
    assert result.amount.expected == 0
    assert result.average_hourly_rate == 0


@pytest.mark.parametrize(("o", "m", "p"), [("5", "4", "12"), ("2", "13", "12"), ("-1", "2", "3")])
def test_it_refuses_hours_out_of_order_or_negative(o, m, p):
    with pytest.raises(EstimateMathsError):
        package(o, m, p)


def test_it_gives_the_day_rate_from_the_hourly_rate():
    assert day_rate(Decimal("95"), Decimal("8")) == Decimal(760)
    assert day_rate(Decimal("92.5"), Decimal("7.5")) == Decimal(694)
