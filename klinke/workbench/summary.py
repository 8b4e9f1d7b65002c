"""The pipeline in figures: leads and value ranges per stage, won and lost per month, and the
month chart as inline SVG drawn on the server (no JavaScript, no third-party host).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from klinke.collectives.models import Collective
from klinke.workbench.models import Lead, Stage

MONTHS = 12


@dataclass(frozen=True)
class StageFigures:
    stage: str
    label: str
    count: int
    value_low: int
    value_high: int
    without_value: int


@dataclass(frozen=True)
class MonthFigures:
    month: date
    won: int
    lost: int

    @property
    def label(self) -> str:
        return date_format(self.month, "M Y")


def stage_figures(collective: Collective) -> list[StageFigures]:
    """Per stage: how many leads, and the sum of their value ranges in euros.

    A lead with only a lower value counts it as its upper value too; leads without any value
    are counted apart, so the range does not pretend to know them.
    """
    rows = {
        row["stage"]: row
        for row in Lead.objects.filter(collective=collective)
        .values("stage")
        .annotate(
            n=Count("pk"),
            low=Sum(Coalesce("value_min", Value(0))),
            high=Sum(Coalesce("value_max", "value_min", Value(0))),
            unknown=Count("pk", filter=Q(value_min__isnull=True, value_max__isnull=True)),
        )
        .order_by()
    }
    figures = []
    for stage in Stage:
        row = rows.get(stage.value, {})
        figures.append(
            StageFigures(
                stage=stage.value,
                label=str(stage.label),
                count=row.get("n", 0),
                value_low=row.get("low") or 0,
                value_high=row.get("high") or 0,
                without_value=row.get("unknown", 0),
            )
        )
    return figures


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def month_figures(collective: Collective, today: date | None = None) -> list[MonthFigures]:
    """Won and lost leads per month over the last twelve months, oldest first."""
    today = today or timezone.localdate()
    months = [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    rows = (
        Lead.objects.filter(
            collective=collective,
            stage__in=[Stage.WON, Stage.LOST],
            closed_at__date__gte=months[0],
        )
        .annotate(month=TruncMonth("closed_at"))
        .values("month", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[date, str], int] = {}
    for row in rows:
        month = row["month"]
        key_month = month.date() if hasattr(month, "date") else month
        counts[(key_month, row["stage"])] = row["n"]
    return [
        MonthFigures(
            month=month,
            won=counts.get((month, Stage.WON), 0),
            lost=counts.get((month, Stage.LOST), 0),
        )
        for month in months
    ]


# --- the chart -------------------------------------------------------------------------

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 36, 40
WON_COLOUR, LOST_COLOUR = "#1e5b2e", "#8a1c1c"


def month_chart_svg(months: list[MonthFigures]) -> SafeString:
    """Grouped bars of won and lost leads per month, with a title, a description, a legend
    and a `<title>` on every bar, so screen readers and hover both get the numbers."""
    top = max([1, *(m.won for m in months), *(m.lost for m in months)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(months))
    bar = slot * 0.36

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    parts: list[SafeString] = []
    ticks = sorted({0, top, (top + 1) // 2})
    for tick in ticks:
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c9c6bd"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#4a4a55">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y(tick):.1f}",
                f"{y(tick):.1f}",
                LEFT - 6,
                f"{y(tick) + 4:.1f}",
                tick,
            )
        )
    for i, month in enumerate(months):
        x = LEFT + i * slot + slot * 0.12
        for offset, value, colour, text in (
            (0.0, month.won, WON_COLOUR, _("%(month)s: %(n)s won")),
            (bar, month.lost, LOST_COLOUR, _("%(month)s: %(n)s lost")),
        ):
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                    f"{x + offset:.1f}",
                    f"{y(value):.1f}",
                    f"{bar:.1f}",
                    f"{TOP + plot_h - y(value):.1f}",
                    colour,
                    text % {"month": month.label, "n": value},
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#4a4a55">{}</text>',
                f"{x + bar:.1f}",
                HEIGHT - BOTTOM + 16,
                date_format(month.month, "M"),
            )
        )
    legend = format_html(
        '<rect x="{}" y="10" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="20" font-size="12" fill="#1b1b1f">{}</text>'
        '<rect x="{}" y="10" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="20" font-size="12" fill="#1b1b1f">{}</text>',
        LEFT,
        WON_COLOUR,
        LEFT + 16,
        _("won"),
        LEFT + 96,
        LOST_COLOUR,
        LEFT + 112,
        _("lost"),
    )
    total_won = sum(m.won for m in months)
    total_lost = sum(m.lost for m in months)
    description = _(
        "Bars per month from %(first)s to %(last)s: %(won)s won and %(lost)s lost in total. "
        "The table below lists every month."
    ) % {
        "first": months[0].label if months else "",
        "last": months[-1].label if months else "",
        "won": total_won,
        "lost": total_lost,
    }
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="month-chart-title month-chart-desc" class="month-chart">'
        '<title id="month-chart-title">{}</title><desc id="month-chart-desc">{}</desc>'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        _("Won and lost leads per month, last 12 months"),
        description,
        legend,
        format_html_join("", "{}", ((part,) for part in parts)),
    )
