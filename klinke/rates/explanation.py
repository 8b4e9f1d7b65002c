"""A day rate explained to clients in plain words, in German or English, and a chart of where a
day's money goes, both made from a `RateResult` alone (no ORM, no request).

`explain(result, language)` is what other apps show (an estimate's client page shows the rate
it was made with); `chart_svg(explanation)` draws one stacked bar as SVG on the server, with a
title and a description, and the page puts the same numbers beside it as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klinke.rates.calculation import HUNDRED, Part, RateResult, SolidarityMode

LANGUAGES = ("de", "en")


def money(amount: Decimal, language: str, *, cents: bool = False) -> str:
    """ "1.234 €" in German, "€1,234" in English; whole euros unless `cents`."""
    quantum = Decimal("0.01") if cents else Decimal("1")
    text = f"{amount.quantize(quantum, ROUND_HALF_UP):,}"
    if language == "de":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
        return f"{text} €"
    return f"€{text}"


def number(value: Decimal | int, language: str) -> str:
    """A plain number without trailing zeros, with the language's decimal mark."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",") if language == "de" else text


def percent(value: Decimal, language: str, *, fixed: bool = False) -> str:
    """ "60 %" in German, "60%" in English; with `fixed`, always one decimal ("6.0%")."""
    rounded = value.quantize(Decimal("0.1"), ROUND_HALF_UP)
    shown = f"{rounded:f}".replace(".", ",") if language == "de" else f"{rounded:f}"
    if not fixed:
        shown = number(rounded, language)
    return f"{shown} %" if language == "de" else f"{shown}%"


@dataclass(frozen=True)
class ExplainedPart:
    part: Part
    label: str
    description: str
    amount: Decimal
    """Whole euros of one standard day."""
    amount_text: str
    share_text: str
    """Its share of the day rate, "21,6 %"."""


@dataclass(frozen=True)
class Explanation:
    language: str
    day_rate_text: str
    hourly_rate_text: str
    reduced_day_rate_text: str
    """Empty without a reduced rate."""
    reduced_hourly_rate_text: str
    sentences: tuple[str, ...]
    """The explanation for clients, one sentence each; the first names the day rate."""
    parts: tuple[ExplainedPart, ...]
    chart_title: str
    chart_description: str

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _labels() -> dict[Part, tuple[str, str]]:
    return {
        Part.NET_PAY: (_("Net pay"), _("what the members take home")),
        Part.SOCIAL: (
            _("Social contributions"),
            _("pension, health, care and unemployment insurance, both halves"),
        ),
        Part.TAXES: (_("Taxes"), _("income tax and solidarity surcharge")),
        Part.UNBILLABLE: (
            _("Time nobody can bill"),
            _("pay for acquisition, meetings, learning, holidays and sick days"),
        ),
        Part.FIXED_COSTS: (_("Fixed costs"), _("rent, software, bookkeeping, insurance")),
        Part.SOLIDARITY: (_("Solidarity"), _("finances the reduced rate")),
    }


def explain(result: RateResult, language: str) -> Explanation:
    """The explanation of `result` in `language` ("de" or "en")."""
    language = language[:2] if language[:2] in LANGUAGES else "de"
    with translation.override(language):
        return _explain(result, language)


def _explain(result: RateResult, language: str) -> Explanation:
    inputs = result.inputs
    parts = result.parts

    def m(part: Part) -> str:
        return money(parts[part], language)

    day_rate = money(result.day_rate, language)
    hourly = money(result.hourly_rate, language, cents=True)
    reduced = (
        money(result.reduced_day_rate, language) if result.reduced_day_rate is not None else ""
    )
    reduced_hourly = (
        money(result.reduced_hourly_rate, language, cents=True)
        if result.reduced_hourly_rate is not None
        else ""
    )
    sentences = [
        _(
            "Of a day rate of %(rate)s, %(net)s goes to the members as net pay, %(social)s to "
            "social insurance and %(taxes)s to the tax office."
        )
        % {
            "rate": day_rate,
            "net": m(Part.NET_PAY),
            "social": m(Part.SOCIAL),
            "taxes": m(Part.TAXES),
        },
        _(
            "%(amount)s pays for the time nobody can bill: acquisition, meetings, learning, "
            "holidays and sick days."
        )
        % {"amount": m(Part.UNBILLABLE)},
    ]
    if parts[Part.FIXED_COSTS]:
        sentences.append(
            _("%(amount)s covers fixed costs such as rent, software and insurance.")
            % {"amount": m(Part.FIXED_COSTS)}
        )
    if inputs.solidarity == SolidarityMode.SURPLUS and reduced:
        sentences.append(
            _(
                "%(amount)s finances the reduced rate of %(reduced)s for non-profits and "
                "cooperatives, assuming %(mix)s of the days are billed at it."
            )
            % {
                "amount": m(Part.SOLIDARITY),
                "reduced": reduced,
                "mix": percent(inputs.reduced_mix_percent, language),
            }
        )
    elif inputs.solidarity == SolidarityMode.FIXED_SHARE and reduced:
        sentences.append(
            _(
                "%(amount)s is the %(share)s of every day set aside for the reduced rate of "
                "%(reduced)s for non-profits and cooperatives."
            )
            % {
                "amount": m(Part.SOLIDARITY),
                "share": percent(inputs.solidarity_share_percent, language),
                "reduced": reduced,
            }
        )
    sentences.append(
        ngettext(
            "The rate rests on %(members)s member with %(days)s working days a year (after "
            "%(holidays)s days of holidays and %(sick)s sick days), %(billable)s of them "
            "billable: %(billable_days)s days.",
            "The rate rests on %(members)s members with %(days)s working days each a year "
            "(after %(holidays)s days of holidays and %(sick)s sick days), %(billable)s of them "
            "billable: %(billable_days)s days per person.",
            result.members,
        )
        % {
            "members": result.members,
            "days": result.days_worked_per_member,
            "holidays": inputs.holidays,
            "sick": inputs.sick_days,
            "billable": percent(inputs.billable_percent, language),
            "billable_days": number(
                result.billable_days_per_member.quantize(Decimal("0.1"), ROUND_HALF_UP),
                language,
            ),
        }
    )
    sentences.append(
        _("An hour costs %(hourly)s (the day rate divided by %(hours)s hours).")
        % {"hourly": hourly, "hours": number(inputs.hours_per_day, language)}
    )
    labels = _labels()
    explained = tuple(
        ExplainedPart(
            part=part,
            label=labels[part][0],
            description=labels[part][1],
            amount=amount,
            amount_text=money(amount, language),
            share_text=percent(amount / (result.day_rate or 1) * HUNDRED, language, fixed=True),
        )
        for part, amount in parts.items()
        if amount or part in (Part.NET_PAY, Part.SOCIAL, Part.TAXES)
    )
    return Explanation(
        language=language,
        day_rate_text=day_rate,
        hourly_rate_text=hourly,
        reduced_day_rate_text=reduced,
        reduced_hourly_rate_text=reduced_hourly,
        sentences=tuple(sentences),
        parts=explained,
        chart_title=_("Where a day rate of %(rate)s goes") % {"rate": day_rate},
        chart_description=" ".join(
            f"{p.label}: {p.amount_text} ({p.share_text})." for p in explained
        ),
    )


# --- the chart -------------------------------------------------------------------------

WIDTH, HEIGHT = 720, 64
BAR_TOP, BAR_HEIGHT = 8, 48
# klinke.css gives the table rows the same colours (`.swatch-<part>`).
COLOURS = {
    Part.NET_PAY: "#1e5b2e",
    Part.SOCIAL: "#2f6f9f",
    Part.TAXES: "#6b4c9a",
    Part.UNBILLABLE: "#a4611c",
    Part.FIXED_COSTS: "#4a4a55",
    Part.SOLIDARITY: "#8a1c1c",
}


def chart_svg(explanation: Explanation, element_id: str = "day-rate-chart") -> SafeString:
    """One stacked bar, a segment per part with its amount inside where it fits and a
    `<title>` on each; colours come from attributes, not styles (strict CSP). The table beside
    it is the legend: each row carries its part's colour (`swatch-<part>` in klinke.css)."""
    total = sum((p.amount for p in explanation.parts), Decimal(0)) or Decimal(1)
    segments: list[SafeString] = []
    x = Decimal(0)
    for part in explanation.parts:
        width = Decimal(WIDTH) * part.amount / total
        colour = COLOURS[part.part]
        segments.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {} ({})</title></rect>",
                f"{x:.1f}",
                BAR_TOP,
                f"{width:.1f}",
                BAR_HEIGHT,
                colour,
                part.label,
                part.amount_text,
                part.share_text,
            )
        )
        if width >= 7 * len(part.amount_text) + 8:
            segments.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="#ffffff">'
                    "{}</text>",
                    f"{x + width / 2:.1f}",
                    BAR_TOP + BAR_HEIGHT / 2 + 5,
                    part.amount_text,
                )
            )
        x += width
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" class="day-rate-chart">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        element_id,
        element_id,
        element_id,
        explanation.chart_title,
        element_id,
        explanation.chart_description,
        format_html_join("", "{}", ((s,) for s in segments)),
    )
