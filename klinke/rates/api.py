"""JSON API of the day-rate calculator, for the collective's members only.

Mounted at /api/v1/rates; every path starts with the collective's slug. As in the workbench,
membership is checked before the body is read (404 for everyone else, 401 for anonymous
callers), and versions are looked up within the collective.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from klinke.accounts import request_user
from klinke.collectives.access import collective_member, request_collective
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, answers
from klinke.rates import actions, calculation
from klinke.rates.actions import RateValues
from klinke.rates.calculation import Part
from klinke.rates.explanation import explain
from klinke.rates.models import DayRate, Solidarity

router = Router(tags=["rates"], auth=collective_member)


class DayRateIn(InputSchema):
    """The calculator's inputs; leave out what should keep its German default."""

    members: int = Field(1, ge=1, le=calculation.MAX_MEMBERS)
    net_pay_per_member: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    net_pay_list: list[Decimal] = Field(default_factory=list, max_length=calculation.MAX_MEMBERS)
    """Each member's net pay; when given, it replaces members × net_pay_per_member."""
    social_contributions_percent: Decimal = Field(
        calculation.DEFAULT_SOCIAL_CONTRIBUTIONS_PERCENT, ge=0, le=100, decimal_places=2
    )
    taxes_percent: Decimal = Field(
        calculation.DEFAULT_TAXES_PERCENT, ge=0, le=100, decimal_places=2
    )
    fixed_costs_per_month: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    billable_percent: Decimal = Field(
        calculation.DEFAULT_BILLABLE_PERCENT, gt=0, le=100, decimal_places=2
    )
    working_days_per_year: int = Field(calculation.DEFAULT_WORKING_DAYS, ge=1, le=366)
    holidays: int = Field(calculation.DEFAULT_HOLIDAYS, ge=0, le=366)
    sick_days: int = Field(calculation.DEFAULT_SICK_DAYS, ge=0, le=366)
    hours_per_day: Decimal = Field(calculation.DEFAULT_HOURS_PER_DAY, gt=0, le=24, decimal_places=2)
    solidarity: str = Field(
        Solidarity.NONE.value,
        max_length=16,
        description="none, surplus (a reduced rate paid for by a surplus on the other clients) "
        "or fixed_share (paid for by a fixed share of every day)",
    )
    reduction_percent: Decimal = Field(
        calculation.DEFAULT_REDUCTION_PERCENT, ge=0, le=100, decimal_places=2
    )
    reduced_mix_percent: Decimal = Field(
        calculation.DEFAULT_REDUCED_MIX_PERCENT, ge=0, le=100, decimal_places=2
    )
    solidarity_share_percent: Decimal = Field(
        calculation.DEFAULT_SOLIDARITY_SHARE_PERCENT, ge=0, le=100, decimal_places=2
    )
    change_note: str = Field("", max_length=500)


class PartOut(Schema):
    part: Part
    amount: Decimal
    """Whole euros of one standard day; the parts add up to the day rate."""


class ExplanationOut(Schema):
    de: list[str]
    en: list[str]


class DayRateOut(Schema):
    id: int
    number: int
    created_at: datetime
    created_by: str | None
    """The member's name; null once they deleted their account."""
    change_note: str
    members: int
    net_pay: list[Decimal]
    social_contributions_percent: Decimal
    taxes_percent: Decimal
    fixed_costs_per_month: Decimal
    billable_percent: Decimal
    working_days_per_year: int
    holidays: int
    sick_days: int
    hours_per_day: Decimal
    solidarity: Solidarity
    reduction_percent: Decimal
    reduced_mix_percent: Decimal
    solidarity_share_percent: Decimal
    day_rate: Decimal
    hourly_rate: Decimal
    reduced_day_rate: Decimal | None
    reduced_hourly_rate: Decimal | None
    parts: list[PartOut]
    explanation: ExplanationOut

    @staticmethod
    def resolve_created_by(obj: DayRate) -> str | None:
        return obj.created_by.name if obj.created_by else None

    @staticmethod
    def resolve_net_pay(obj: DayRate) -> list[Decimal]:
        return list(obj.net_pay())

    @staticmethod
    def resolve_day_rate(obj: DayRate) -> Decimal:
        return obj.result().day_rate

    @staticmethod
    def resolve_hourly_rate(obj: DayRate) -> Decimal:
        return obj.result().hourly_rate

    @staticmethod
    def resolve_reduced_day_rate(obj: DayRate) -> Decimal | None:
        return obj.result().reduced_day_rate

    @staticmethod
    def resolve_reduced_hourly_rate(obj: DayRate) -> Decimal | None:
        return obj.result().reduced_hourly_rate

    @staticmethod
    def resolve_parts(obj: DayRate) -> list[PartOut]:
        return [PartOut(part=p, amount=a) for p, a in obj.result().parts.items()]

    @staticmethod
    def resolve_explanation(obj: DayRate) -> ExplanationOut:
        result = obj.result()
        return ExplanationOut(
            de=list(explain(result, "de").sentences), en=list(explain(result, "en").sentences)
        )


def _versions(request: HttpRequest) -> QuerySet[DayRate]:
    return DayRate.objects.of(request_collective(request)).select_related("created_by")


@router.get("/{collective}", response=answers(DayRateOut, 401, 404, 422))
def get_current(request: HttpRequest, collective: str) -> DayRate:
    """The current day rate (the latest version); 404 before the first save."""
    current = _versions(request).order_by("-number").first()
    if current is None:
        raise HttpError(404, "This collective has no day rate yet.")
    return current


@router.get("/{collective}/versions", response=answers(list[DayRateOut], 401, 404, 422))
@paginate(Pagination)
def list_versions(request: HttpRequest, collective: str) -> QuerySet[DayRate]:
    """Every version, newest first."""
    return _versions(request).order_by("-number")


@router.post("/{collective}/versions", response=answers(DayRateOut, 401, 403, 404, 422, status=201))
def create_version(request: HttpRequest, collective: str, payload: DayRateIn) -> Status[DayRate]:
    """Save a new version; the older ones stay. 422 names the input the calculator refuses."""
    values = RateValues(
        members=len(payload.net_pay_list) or payload.members,
        net_pay_per_member=payload.net_pay_per_member,
        net_pay_list=calculation.format_amounts(payload.net_pay_list),
        social_contributions_percent=payload.social_contributions_percent,
        taxes_percent=payload.taxes_percent,
        fixed_costs_per_month=payload.fixed_costs_per_month,
        billable_percent=payload.billable_percent,
        working_days_per_year=payload.working_days_per_year,
        holidays=payload.holidays,
        sick_days=payload.sick_days,
        hours_per_day=payload.hours_per_day,
        solidarity=payload.solidarity,
        reduction_percent=payload.reduction_percent,
        reduced_mix_percent=payload.reduced_mix_percent,
        solidarity_share_percent=payload.solidarity_share_percent,
    )
    try:
        day_rate = actions.do_save_day_rate(
            collective=request_collective(request),
            user=request_user(request),
            values=values,
            change_note=payload.change_note,
        )
    except actions.RatesError as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise HttpError(422, f"{field}: {messages[0]}") from exc
    return Status(201, day_rate)


@router.get("/{collective}/versions/{version_id}", response=answers(DayRateOut, 401, 404, 422))
def get_version(request: HttpRequest, collective: str, version_id: int) -> DayRate:
    return get_object_or_404(_versions(request), pk=version_id)
