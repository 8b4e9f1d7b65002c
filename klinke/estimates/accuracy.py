"""A collective's estimating accuracy read from the database: its ended projects as
`calibration.ProjectOutcome`s, the hint for a new estimate in words, and the chart of
actual / expected over time (SVG drawn on the server, the page puts a table beside it).

The maths is in `calibration.py`; this module only gathers the numbers and words them.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from klinke.collectives.models import Collective
from klinke.estimates import calibration
from klinke.estimates.calibration import PackageActual, ProjectOutcome
from klinke.estimates.models import Estimate, PackageKind, WorkPackage
from klinke.topics.models import Topic


def outcomes(collective: Collective) -> list[ProjectOutcome]:
    """Every ended project of the collective with its actual hours, oldest first."""
    estimates = list(
        Estimate.objects.of(collective)
        .calibrated()
        .select_related("lead")
        .prefetch_related(Prefetch("lead__topics", queryset=Topic.objects.order_by("pk")))
        .order_by("actuals_closed_at", "pk")
    )
    # One query for every package of every accepted version, not one per project.
    by_version: dict[int, list[WorkPackage]] = {}
    for package in (
        WorkPackage.objects.filter(version_id__in=[e.decided_version_id for e in estimates])
        .annotate(actual=Sum("actual_hours__hours"))
        .order_by("version_id", "order", "pk")
    ):
        by_version.setdefault(package.version_id, []).append(package)
    found = []
    for estimate in estimates:
        packages = by_version.get(estimate.decided_version_id or 0, [])
        if not packages:
            continue
        topics = [t.name for t in estimate.lead.topics.all()] if estimate.lead else []
        closed = estimate.actuals_closed_at or timezone.now()
        found.append(
            calibration.project_outcome(
                key=estimate.pk,
                title=estimate.title,
                ended_on=timezone.localdate(closed),
                topics=topics,
                packages=[
                    PackageActual(
                        package=p.as_input(),
                        kind=p.kind,
                        actual=getattr(p, "actual", None) or Decimal(0),
                    )
                    for p in packages
                ],
            )
        )
    return found


def estimate_topics(estimate: Estimate) -> list[str]:
    return [t.name for t in estimate.lead.topics.all()] if estimate.lead else []


def hint_for(estimate: Estimate) -> calibration.Hint | None:
    return calibration.hint(outcomes(estimate.collective), estimate_topics(estimate))


def factor_text(factor: Decimal) -> str:
    return f"{number_format(factor, decimal_pos=1)}×"


def hint_sentence(hint: calibration.Hint, *, for_client: bool = False) -> str:
    """The sentence in the active language: "your last 8 projects of this kind took 1.3× …"
    for members, "our last 8 projects …" for the client's line."""
    values = {"count": hint.count, "factor": factor_text(hint.factor), "inside": hint.inside}
    if for_client and hint.of_this_kind:
        text = _(
            "Our last %(count)s projects of this kind took %(factor)s the expected hours; "
            "%(inside)s of %(count)s were inside the range."
        )
    elif for_client:
        text = _(
            "Our last %(count)s projects took %(factor)s the expected hours; %(inside)s of "
            "%(count)s were inside the range."
        )
    elif hint.of_this_kind:
        text = _(
            "Your last %(count)s projects of this kind took %(factor)s the expected hours; "
            "%(inside)s of %(count)s were inside the range."
        )
    else:
        text = _(
            "Your last %(count)s projects took %(factor)s the expected hours; %(inside)s of "
            "%(count)s were inside the range."
        )
    return text % values


def kind_label(kind: str) -> str:
    return str(PackageKind(kind).label) if kind in PackageKind.values else kind


# --- the chart -------------------------------------------------------------------------

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 36, 40
INSIDE_COLOUR, OUTSIDE_COLOUR, GRID, MUTED = "#1e5b2e", "#8a1c1c", "#c9c6bd", "#4a4a55"
SHOWN_PROJECTS = 24


def ratio_chart_svg(projects: list[ProjectOutcome]) -> SafeString:
    """One bar per ended project (newest 24, oldest left): its actual / expected hours, a
    line at 1.0 (as expected); green when the actual fell inside P10–P90, red when not.
    Title, description and a `<title>` per bar carry the numbers; the table repeats them."""
    shown = [p for p in projects if p.ratio is not None][-SHOWN_PROJECTS:]
    ratios = [p.ratio for p in shown if p.ratio is not None]
    top = (max([Decimal(2), *ratios]) * 2).to_integral_value(rounding=ROUND_CEILING) / 2
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(shown))
    bar = min(slot * 0.6, 40.0)

    def y(value: Decimal) -> float:
        return TOP + plot_h - plot_h * float(value / top)

    ticks = [Decimal(0), Decimal(1), top]
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                f"{y(t):.1f}",
                f"{y(t):.1f}",
                INSIDE_COLOUR if t == 1 else GRID,
                LEFT - 6,
                f"{y(t) + 4:.1f}",
                MUTED,
                factor_text(t),
            )
            for t in ticks
        ),
    )
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{}">{}</text>',
        (
            (
                f"{LEFT + i * slot + (slot - bar) / 2:.1f}",
                f"{y(p.ratio or Decimal(0)):.1f}",
                f"{bar:.1f}",
                f"{TOP + plot_h - y(p.ratio or Decimal(0)):.1f}",
                INSIDE_COLOUR if p.inside else OUTSIDE_COLOUR,
                _("%(title)s: %(factor)s the expected hours, %(where)s")
                % {
                    "title": p.title,
                    "factor": factor_text(p.ratio or Decimal(0)),
                    "where": _("inside the range") if p.inside else _("outside the range"),
                },
                f"{LEFT + i * slot + slot / 2:.1f}",
                HEIGHT - BOTTOM + 16,
                MUTED,
                date_format(p.ended_on, "m/y"),
            )
            for i, p in enumerate(shown)
        ),
    )
    legend = format_html(
        '<rect x="{}" y="10" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="20" font-size="12" fill="#1b1b1f">{}</text>'
        '<rect x="{}" y="10" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="20" font-size="12" fill="#1b1b1f">{}</text>',
        LEFT,
        INSIDE_COLOUR,
        LEFT + 16,
        _("inside P10–P90"),
        LEFT + 150,
        OUTSIDE_COLOUR,
        LEFT + 166,
        _("outside"),
    )
    summary = calibration.accuracy(shown)
    description = _(
        "Actual hours divided by expected hours for %(count)s ended projects, oldest first: "
        "median %(ratio)s, %(inside)s of %(count)s inside the range. The table lists every "
        "project."
    ) % {
        "count": summary.count,
        "ratio": factor_text(summary.ratio) if summary.ratio is not None else "–",
        "inside": summary.inside,
    }
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="accuracy-chart-title accuracy-chart-desc" class="month-chart">'
        '<title id="accuracy-chart-title">{}</title><desc id="accuracy-chart-desc">{}</desc>'
        "{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        _("Actual against expected hours, per project"),
        description,
        grid,
        bars,
        legend,
    )
