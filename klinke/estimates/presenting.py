"""What the member page, the client page and the PDF show of a version: the numbers from
`maths`, the range as a server-side SVG, the rate lines and what changed since the last
version the client saw. Templates receive these plain values; user text stays data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from klinke.core.languages import interface_language
from klinke.estimates import maths
from klinke.estimates.models import Estimate, EstimateVersion, WorkPackage
from klinke.rates.explanation import explain
from klinke.rates.models import DayRate

CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def money(amount: Decimal, currency: str) -> str:
    """A whole amount with grouping in the active language and the currency's sign."""
    sign = CURRENCY_SIGNS.get(currency, currency)
    return f"{number_format(amount, decimal_pos=0, force_grouping=True)} {sign}"


def hours(value: Decimal) -> str:
    return number_format(maths.round_hours(value), decimal_pos=1)


@dataclass(frozen=True)
class PackageRow:
    package: WorkPackage
    expected: str
    sigma: str
    amount: str


@dataclass(frozen=True)
class RateLine:
    role: str
    text: str


@dataclass(frozen=True)
class Presented:
    """Everything a page or the PDF shows of one version, formatted once."""

    estimate: Estimate
    version: EstimateVersion
    result: maths.EstimateResult
    rows: list[PackageRow]
    rates: list[RateLine]
    rate_explanation: tuple[str, ...]
    """The collective's day rate explained once, in the active (the client's) language."""
    low: str
    expected: str
    high: str
    hours_low: str
    hours_expected: str
    hours_high: str
    sigma: str
    risk_buffer: str
    calibration: str
    calibration_factor: str
    net_total: str
    vat: str
    gross_total: str
    picture: SafeString
    changes: list[str]


def rate_lines(estimate: Estimate, packages: list[WorkPackage]) -> list[RateLine]:
    """One short line per role and rate, built from the estimate's own numbers; what the
    rate pays for is said once, by `rate_explanation`."""
    seen: dict[tuple[str, Decimal], None] = {}
    for package in packages:
        seen.setdefault((package.role, package.hourly_rate), None)
    lines = []
    sign = CURRENCY_SIGNS.get(estimate.currency, estimate.currency)
    for role, rate in seen:
        day = maths.day_rate(rate, estimate.hours_per_day)
        text = _("%(day)s per day: %(hour)s per hour × %(hours)s working hours a day.") % {
            "day": money(day, estimate.currency),
            "hour": f"{number_format(rate, decimal_pos=2)} {sign}",
            "hours": number_format(estimate.hours_per_day.normalize(), decimal_pos=None),
        }
        lines.append(RateLine(role=role or _("All work"), text=text))
    return lines


def rate_explanation(estimate: Estimate) -> tuple[str, ...]:
    """The collective's current day rate explained in the active language (rates.explanation),
    or one general sentence while the collective has not worked out its day rate here."""
    current = DayRate.objects.current_for(estimate.collective)
    if current is None:
        return (
            _(
                "The rate pays the people who do the work, their social insurance and taxes, "
                "and the time no client pays for (learning, acquisition, administration)."
            ),
        )
    return explain(current.result(), interface_language()).sentences


def _three(package: WorkPackage) -> str:
    return "/".join(
        hours(h)
        for h in (package.optimistic_hours, package.likely_hours, package.pessimistic_hours)
    )


def changes_between(previous: EstimateVersion | None, current: EstimateVersion) -> list[str]:
    """Plain sentences about what changed from the version the client saw before."""
    if previous is None:
        return []
    before = {p.name: p for p in previous.packages.all()}
    after = {p.name: p for p in current.packages.all()}
    lines: list[str] = []
    for name, package in after.items():
        old = before.get(name)
        if old is None:
            lines.append(_("New work package: %(name)s.") % {"name": name})
        elif (old.optimistic_hours, old.likely_hours, old.pessimistic_hours) != (
            package.optimistic_hours,
            package.likely_hours,
            package.pessimistic_hours,
        ):
            lines.append(
                _("%(name)s: hours (O/M/P) %(old)s → %(new)s.")
                % {
                    "name": name,
                    "old": _three(old),
                    "new": _three(package),
                }
            )
        if old is not None and old.hourly_rate != package.hourly_rate:
            lines.append(
                _("%(name)s: hourly rate %(old)s → %(new)s.")
                % {
                    "name": name,
                    "old": number_format(old.hourly_rate, decimal_pos=2),
                    "new": number_format(package.hourly_rate, decimal_pos=2),
                }
            )
    lines += [_("Work package dropped: %(name)s.") % {"name": n} for n in before if n not in after]
    lines += [
        _("New assumption: %(text)s") % {"text": t}
        for t in current.assumptions
        if t not in previous.assumptions
    ]
    lines += [
        _("Assumption dropped: %(text)s") % {"text": t}
        for t in previous.assumptions
        if t not in current.assumptions
    ]
    lines += [
        _("New exclusion: %(text)s") % {"text": t}
        for t in current.exclusions
        if t not in previous.exclusions
    ]
    lines += [
        _("Exclusion dropped: %(text)s") % {"text": t}
        for t in previous.exclusions
        if t not in current.exclusions
    ]
    if previous.risk_buffer_percent != current.risk_buffer_percent:
        lines.append(
            _("Risk buffer %(old)s %% → %(new)s %%.")
            % {
                "old": number_format(previous.risk_buffer_percent.normalize()),
                "new": number_format(current.risk_buffer_percent.normalize()),
            }
        )
    return lines


WIDTH, HEIGHT = 640, 120
LEFT, RIGHT = 20, 20
BAND, LINE, INK, MUTED = "#d9e8dc", "#1e5b2e", "#1b1b1f", "#4a4a55"


def range_svg(
    result: maths.EstimateResult, currency: str, *, element_id: str = "range"
) -> SafeString:
    """A bar from 0 to P90 (plus a margin) with the P10–P90 band and a mark at E, labelled
    with the amounts; title and description carry the same numbers for screen readers."""
    top = result.amount.high * Decimal("1.15") or Decimal(1)
    plot = WIDTH - LEFT - RIGHT

    def x(amount: Decimal) -> str:
        return f"{LEFT + float(amount / top) * plot:.1f}"

    low, expected, high = result.amount.low, result.amount.expected, result.amount.high
    description = _(
        "80 of 100 outcomes fall between %(low)s and %(high)s; the expected cost is %(expected)s."
    ) % {
        "low": money(low, currency),
        "high": money(high, currency),
        "expected": money(expected, currency),
    }
    body = format_html(
        '<line x1="{}" x2="{}" y1="60" y2="60" stroke="{}" stroke-width="2"/>'
        '<rect x="{}" y="40" width="{}" height="40" fill="{}" stroke="{}"/>'
        '<line x1="{}" x2="{}" y1="30" y2="90" stroke="{}" stroke-width="3"/>'
        '<text x="{}" y="22" text-anchor="middle" font-size="13" fill="{}">{}</text>'
        '<text x="{}" y="106" text-anchor="end" font-size="12" fill="{}">{}</text>'
        '<text x="{}" y="106" text-anchor="start" font-size="12" fill="{}">{}</text>',
        x(Decimal(0)),
        x(top),
        MUTED,
        x(low),
        f"{max(1.0, float((high - low) / top) * plot):.1f}",
        BAND,
        LINE,
        x(expected),
        x(expected),
        LINE,
        x(expected),
        INK,
        _("expected %(amount)s") % {"amount": money(expected, currency)},
        f"{max(float(x(low)) + 2, 120.0):.1f}",
        MUTED,
        _("P10 %(amount)s") % {"amount": money(low, currency)},
        f"{min(float(x(high)) - 2, WIDTH - 110.0):.1f}",
        MUTED,
        _("P90 %(amount)s") % {"amount": money(high, currency)},
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" class="estimate-range">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        element_id,
        element_id,
        element_id,
        _("The range of this estimate"),
        element_id,
        description,
        body,
    )


def present(
    estimate: Estimate, version: EstimateVersion, previous: EstimateVersion | None = None
) -> Presented:
    packages = list(version.packages.all())
    result = version.result(packages)
    currency = estimate.currency
    rows = [
        PackageRow(
            package=package,
            expected=hours(part.expected_hours),
            sigma=hours(part.sigma_hours),
            amount=money(maths.round_money(part.expected_amount), currency),
        )
        for package, part in zip(packages, result.packages, strict=True)
    ]
    return Presented(
        estimate=estimate,
        version=version,
        result=result,
        rows=rows,
        rates=rate_lines(estimate, packages),
        rate_explanation=rate_explanation(estimate),
        low=money(result.amount.low, currency),
        expected=money(result.amount.expected, currency),
        high=money(result.amount.high, currency),
        hours_low=hours(result.hours.low),
        hours_expected=hours(result.hours.expected),
        hours_high=hours(result.hours.high),
        sigma=hours(result.sigma_hours),
        risk_buffer=money(result.risk_buffer, currency),
        calibration=money(result.calibration, currency),
        calibration_factor=(
            f"{number_format(version.calibration_factor, decimal_pos=1)}×"
            if version.calibration_factor is not None
            else ""
        ),
        net_total=money(result.net_total, currency),
        vat=money(result.vat, currency),
        gross_total=money(result.gross_total, currency),
        picture=range_svg(result, currency),
        changes=changes_between(previous, version),
    )


def previous_shared(version: EstimateVersion) -> EstimateVersion | None:
    """The version the client saw before this one."""
    return (
        EstimateVersion.objects.filter(
            estimate_id=version.estimate_id, number__lt=version.number, shared_at__isnull=False
        )
        .order_by("-number")
        .prefetch_related("packages")
        .first()
    )
