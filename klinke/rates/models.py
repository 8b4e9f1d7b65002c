"""A collective's day rate, kept as versions: every save adds a version with who, when and an
optional change note; the latest is the current rate and the older ones stay readable.

Private to the collective's members. The inputs are stored, never the results: the result is
computed from them by `klinke.rates.calculation`, so a version always explains itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.rates import calculation
from klinke.rates.calculation import RateInputs, RateResult, SolidarityMode

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class Solidarity(models.TextChoices):
    NONE = SolidarityMode.NONE.value, _("no reduced rate")
    SURPLUS = (
        SolidarityMode.SURPLUS.value,
        _("a reduced rate, paid for by a surplus on the other clients"),
    )
    FIXED_SHARE = (
        SolidarityMode.FIXED_SHARE.value,
        _("a reduced rate, paid for by a fixed share of every day"),
    )


class DayRateQuerySet(models.QuerySet["DayRate"]):
    def of(self, collective: Collective) -> DayRateQuerySet:
        return self.filter(collective=collective)

    def current_for(self, collective: Collective) -> DayRate | None:
        """The collective's latest version, or None before the first save."""
        return self.of(collective).order_by("-number").first()


def _percent(verbose: _StrPromise, default: Decimal) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(verbose, max_digits=5, decimal_places=2, default=default)


class DayRate(models.Model):
    """One version of a collective's day-rate inputs."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="day_rates")
    number = models.PositiveIntegerField(_("version"))
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    net_pay_per_member = models.DecimalField(
        _("net pay each member needs per month (€)"), max_digits=12, decimal_places=2
    )
    net_pay_list = models.TextField(
        _("or: net pay per member, one amount per line (€)"),
        blank=True,
        max_length=6000,
        help_text=_("When members need different amounts; replaces members × amount."),
    )
    social_contributions_percent = _percent(
        _("social contributions (% of gross pay, both halves)"),
        calculation.DEFAULT_SOCIAL_CONTRIBUTIONS_PERCENT,
    )
    taxes_percent = _percent(_("taxes (% of gross pay)"), calculation.DEFAULT_TAXES_PERCENT)
    fixed_costs_per_month = models.DecimalField(
        _("fixed costs of the collective per month (€)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
    )
    billable_percent = _percent(
        _("billable share of the days worked (%)"), calculation.DEFAULT_BILLABLE_PERCENT
    )
    working_days_per_year = models.PositiveSmallIntegerField(
        _("working days per year"), default=calculation.DEFAULT_WORKING_DAYS
    )
    holidays = models.PositiveSmallIntegerField(
        _("holidays per year"), default=calculation.DEFAULT_HOLIDAYS
    )
    sick_days = models.PositiveSmallIntegerField(
        _("sick days per year"), default=calculation.DEFAULT_SICK_DAYS
    )
    hours_per_day = models.DecimalField(
        _("hours per day"),
        max_digits=4,
        decimal_places=2,
        default=calculation.DEFAULT_HOURS_PER_DAY,
    )
    solidarity = models.CharField(
        _("solidarity"), max_length=16, choices=Solidarity.choices, default=Solidarity.NONE
    )
    reduction_percent = _percent(
        _("reduction for non-profits and cooperatives (%)"),
        calculation.DEFAULT_REDUCTION_PERCENT,
    )
    reduced_mix_percent = _percent(
        _("share of days billed at the reduced rate (%)"),
        calculation.DEFAULT_REDUCED_MIX_PERCENT,
    )
    solidarity_share_percent = _percent(
        _("share of every day set aside for reductions (%)"),
        calculation.DEFAULT_SOLIDARITY_SHARE_PERCENT,
    )
    change_note = models.CharField(_("what changed and why"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = DayRateQuerySet.as_manager()

    class Meta:
        ordering = ["collective", "-number"]
        verbose_name = _("day rate")
        verbose_name_plural = _("day rates")
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "number"], name="rates_one_number_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collective} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("rates:version", args=[self.collective.slug, self.pk])

    def net_pay(self) -> tuple[Decimal, ...]:
        if self.net_pay_list.strip():
            return calculation.parse_amounts(self.net_pay_list)
        return (self.net_pay_per_member,) * self.members

    def inputs(self) -> RateInputs:
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
            solidarity=SolidarityMode(self.solidarity),
            reduction_percent=self.reduction_percent,
            reduced_mix_percent=self.reduced_mix_percent,
            solidarity_share_percent=self.solidarity_share_percent,
        )

    def result(self) -> RateResult:
        """The calculator's result for this version (computed once per object)."""
        cached: RateResult | None = self.__dict__.get("_result")
        if cached is None:
            cached = self.__dict__["_result"] = calculation.calculate(self.inputs())
        return cached
