"""The explanation for clients, in both languages, and the chart of a day's money."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import translation

from klinke.rates.calculation import SolidarityMode, calculate
from klinke.rates.explanation import chart_svg, explain, money
from klinke.rates.tests.conftest import HAND_EXAMPLE

# The German sentences are in the German catalogue, so these tests need the database-free
# translation machinery only.


def test_it_explains_the_hand_example_in_german() -> None:
    explanation = explain(calculate(HAND_EXAMPLE), "de")

    assert explanation.sentences == (
        "Von 589 € Tagessatz gehen 127 € als Nettolohn an die Mitglieder, 77 € an die "
        "Sozialversicherung und 27 € als Steuern an das Finanzamt.",
        "249 € bezahlen die Zeit, die niemand abrechnen kann: Akquise, Plena, Weiterbildung, "
        "Urlaub und Krankheitstage.",
        "50 € decken feste Kosten wie Miete, Software und Versicherungen.",
        "59 € finanzieren den ermäßigten Satz von 353 € für gemeinnützige Organisationen und "
        "Genossenschaften, unter der Annahme, dass 25 % der Tage zu diesem Satz abgerechnet "
        "werden.",
        "Der Satz beruht auf 3 Mitgliedern mit je 200 Arbeitstagen im Jahr (nach 30 "
        "Urlaubstagen und 20 Krankheitstagen), davon 60 % abrechenbar: 120 Tage pro Person.",
        "Eine Stunde kostet 73,63 € (der Tagessatz geteilt durch 8 Stunden).",
    )
    assert explanation.day_rate_text == "589 €"
    assert explanation.reduced_day_rate_text == "353 €"
    assert [p.label for p in explanation.parts][:3] == [
        "Nettolohn",
        "Sozialabgaben",
        "Steuern",
    ]


def test_it_explains_the_hand_example_in_english() -> None:
    explanation = explain(calculate(HAND_EXAMPLE), "en")

    assert explanation.sentences == (
        "Of a day rate of €589, €127 goes to the members as net pay, €77 to social insurance "
        "and €27 to the tax office.",
        "€249 pays for the time nobody can bill: acquisition, meetings, learning, holidays and "
        "sick days.",
        "€50 covers fixed costs such as rent, software and insurance.",
        "€59 finances the reduced rate of €353 for non-profits and cooperatives, assuming 25% "
        "of the days are billed at it.",
        "The rate rests on 3 members with 200 working days each a year (after 30 days of "
        "holidays and 20 sick days), 60% of them billable: 120 days per person.",
        "An hour costs €73.63 (the day rate divided by 8 hours).",
    )
    assert [p.share_text for p in explanation.parts] == [
        "21.6%",
        "13.1%",
        "4.6%",
        "42.3%",
        "8.5%",
        "10.0%",
    ]


def test_it_names_a_fixed_share_and_leaves_out_what_is_zero() -> None:
    inputs = replace(
        HAND_EXAMPLE,
        net_pay=(Decimal("2640"),),
        fixed_costs_per_month=Decimal("0"),
        solidarity=SolidarityMode.FIXED_SHARE,
        solidarity_share_percent=Decimal("10"),
    )
    sentences = explain(calculate(inputs), "en").sentences

    assert not any("fixed costs" in s for s in sentences)
    assert sentences[2] == (
        "€53 is the 10% of every day set aside for the reduced rate of €320 for non-profits "
        "and cooperatives."
    )
    assert sentences[3].startswith("The rate rests on 1 member with 200 working days a year")
    assert sentences[3].endswith("billable: 120 days.")


def test_it_does_not_change_the_active_language() -> None:
    with translation.override("en"):
        explain(calculate(HAND_EXAMPLE), "de")
        assert translation.get_language() == "en"


@pytest.mark.parametrize(
    ("amount", "language", "text"),
    [
        (Decimal("1234"), "de", "1.234 €"),
        (Decimal("1234"), "en", "€1,234"),
        (Decimal("73.625"), "de", "74 €"),
    ],
)
def test_it_writes_money_the_way_each_language_does(
    amount: Decimal, language: str, text: str
) -> None:
    assert money(amount, language) == text


def test_it_draws_an_accessible_chart_without_inline_styles() -> None:
    svg = str(chart_svg(explain(calculate(HAND_EXAMPLE), "en")))

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="day-rate-chart-title">Where a day rate of €589 goes</title>' in svg
    assert "Net pay: €127 (21.6%)." in svg
    assert svg.count("<rect") == 6
    assert "style" not in svg
    assert "<script" not in svg
