"""JSON API of estimates, mounted at /api/v1/estimates, for the collective's members only.

The same permissions as the pages: every path starts with the collective's slug, membership
is checked before anything else (404 for everyone else, whatever the body; 401 for anonymous
callers), and estimates are looked up within the collective. The client's page has no API.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from klinke.accounts import request_user
from klinke.collectives.access import collective_member, request_collective
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, answers
from klinke.estimates import accuracy, actions, calibration
from klinke.estimates.actions import EstimateValues, PackageValues, VersionValues
from klinke.estimates.models import (
    ActualHours,
    Estimate,
    EstimateState,
    EstimateVersion,
    HoursSource,
    PackageKind,
    WorkPackage,
)
from klinke.estimates.starters import STARTERS
from klinke.workbench.models import Lead

router = Router(tags=["estimates"])


def _hours() -> Any:
    return Field(ge=0, le=99999, max_digits=7, decimal_places=1)


def _rate(default: Decimal | None = None) -> Any:
    if default is None:
        return Field(ge=0, le=9999999, max_digits=9, decimal_places=2)
    return Field(default, ge=0, le=9999999, max_digits=9, decimal_places=2)


# --- schemas ---------------------------------------------------------------------------


class EstimatePackageOut(Schema):
    name: str
    optimistic_hours: Decimal
    likely_hours: Decimal
    pessimistic_hours: Decimal
    expected_hours: Decimal
    sigma_hours: Decimal
    role: str
    kind: str
    hourly_rate: Decimal
    notes: str


class EstimateRangeOut(Schema):
    low: Decimal
    expected: Decimal
    high: Decimal


class EstimateVersionOut(Schema):
    number: int
    change_note: str
    shared_at: datetime | None
    frozen: bool
    packages: list[EstimatePackageOut]
    assumptions: list[str]
    exclusions: list[str]
    risk_buffer_percent: Decimal
    risk_buffer_reason: str
    method: str
    """The one method used: PERT with the normal approximation, P10–P90 = E ∓ 1.2816 σ."""
    hours: EstimateRangeOut
    amount: EstimateRangeOut
    """Net amounts before the risk buffer, rounded to whole units (half up)."""
    risk_buffer: Decimal
    calibration_factor: Decimal | None
    calibration_note: str
    calibration: Decimal
    """(factor − 1) × the expected amount, a line of its own the client sees; 0 without."""
    net_total: Decimal
    vat: Decimal
    gross_total: Decimal

    @staticmethod
    def of(version: EstimateVersion) -> EstimateVersionOut:
        packages = list(version.packages.all())
        result = version.result(packages)
        return EstimateVersionOut(
            number=version.number,
            change_note=version.change_note,
            shared_at=version.shared_at,
            frozen=version.is_frozen,
            packages=[
                EstimatePackageOut(
                    name=p.name,
                    optimistic_hours=p.optimistic_hours,
                    likely_hours=p.likely_hours,
                    pessimistic_hours=p.pessimistic_hours,
                    expected_hours=part.expected_hours.quantize(Decimal("0.001")),
                    sigma_hours=part.sigma_hours.quantize(Decimal("0.001")),
                    role=p.role,
                    kind=p.kind,
                    hourly_rate=p.hourly_rate,
                    notes=p.notes,
                )
                for p, part in zip(packages, result.packages, strict=True)
            ],
            assumptions=list(version.assumptions),
            exclusions=list(version.exclusions),
            risk_buffer_percent=version.risk_buffer_percent,
            risk_buffer_reason=version.risk_buffer_reason,
            method="pert-normal-p10-p90",
            hours=EstimateRangeOut(
                low=result.hours.low.quantize(Decimal("0.1")),
                expected=result.hours.expected.quantize(Decimal("0.1")),
                high=result.hours.high.quantize(Decimal("0.1")),
            ),
            amount=EstimateRangeOut(
                low=result.amount.low, expected=result.amount.expected, high=result.amount.high
            ),
            risk_buffer=result.risk_buffer,
            calibration_factor=version.calibration_factor,
            calibration_note=version.calibration_note,
            calibration=result.calibration,
            net_total=result.net_total,
            vat=result.vat,
            gross_total=result.gross_total,
        )


class EstimateOut(Schema):
    id: int
    title: str
    lead: int | None
    state: str
    client_name: str
    client_language: str
    currency: str
    vat_category: str
    vat_rate: Decimal
    hours_per_day: Decimal
    valid_until: date | None
    has_link: bool
    latest_version: int | None
    decided_version: int | None
    url: str
    en16931_seller_name: str
    en16931_seller_address: str
    en16931_seller_postcode: str
    en16931_seller_city: str
    en16931_seller_country: str
    en16931_seller_vat_id: str
    en16931_buyer_name: str
    en16931_buyer_address: str
    en16931_buyer_postcode: str
    en16931_buyer_city: str
    en16931_buyer_country: str
    en16931_buyer_vat_id: str

    @staticmethod
    def of(estimate: Estimate, latest: int | None = None) -> EstimateOut:
        if latest is None:
            version = estimate.latest_version()
            latest = version.number if version is not None else None
        return EstimateOut(
            id=estimate.pk,
            title=estimate.title,
            lead=estimate.lead_id,
            state=estimate.state,
            client_name=estimate.client_name,
            client_language=estimate.client_language,
            currency=estimate.currency,
            vat_category=estimate.vat_category,
            vat_rate=estimate.vat_rate,
            hours_per_day=estimate.hours_per_day,
            valid_until=estimate.valid_until,
            has_link=estimate.has_link,
            latest_version=latest,
            decided_version=estimate.decided_version.number
            if estimate.decided_version is not None
            else None,
            url=estimate.get_absolute_url(),
            **{
                name: getattr(estimate, name)
                for name in actions.ESTIMATE_FIELDS
                if name.startswith("en16931_")
            },
        )


class EstimateIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    client_name: str = Field("", max_length=200)
    client_language: str = Field("de", max_length=2)
    """"de" or "en": the language of the client's page and PDF."""
    currency: str = Field("EUR", max_length=3)
    """An ISO 4217 code such as EUR."""
    vat_category: str = Field("S", max_length=2)
    """EN 16931 VAT category: S standard, Z zero, E exempt, AE reverse charge, O not subject."""
    vat_rate: Decimal = Field(Decimal(19), ge=0, le=100, max_digits=5, decimal_places=2)
    hours_per_day: Decimal = Field(Decimal(8), ge=1, le=24, max_digits=4, decimal_places=2)
    valid_until: date | None = None
    en16931_seller_name: str = Field("", max_length=200)
    en16931_seller_address: str = Field("", max_length=200)
    en16931_seller_postcode: str = Field("", max_length=20)
    en16931_seller_city: str = Field("", max_length=100)
    en16931_seller_country: str = Field("DE", max_length=2)
    en16931_seller_vat_id: str = Field("", max_length=30)
    en16931_buyer_name: str = Field("", max_length=200)
    en16931_buyer_address: str = Field("", max_length=200)
    en16931_buyer_postcode: str = Field("", max_length=20)
    en16931_buyer_city: str = Field("", max_length=100)
    en16931_buyer_country: str = Field("DE", max_length=2)
    en16931_buyer_vat_id: str = Field("", max_length=30)

    def values(self) -> EstimateValues:
        return EstimateValues(**self.model_dump())


class EstimateNewIn(EstimateIn):
    lead: int | None = None
    template: str = Field("", max_length=100)
    """A shared template's slug (e.g. "website-relaunch-cms"), or empty."""
    from_estimate: int | None = None
    """Copy the latest version of an earlier estimate of the collective."""
    hourly_rate: Decimal = _rate(actions.DEFAULT_HOURLY_RATE)


class EstimatePackageIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    optimistic_hours: Decimal = _hours()
    likely_hours: Decimal = _hours()
    pessimistic_hours: Decimal = _hours()
    hourly_rate: Decimal = _rate()
    role: str = Field("", max_length=100)
    kind: str = Field(PackageKind.OTHER.value, max_length=16)
    """design, development, content, management, operations, training or other."""
    notes: str = Field("", max_length=4000)


class EstimateVersionIn(InputSchema):
    packages: list[EstimatePackageIn] = Field(max_length=60)
    assumptions: list[str] = Field(default_factory=list, max_length=60)
    exclusions: list[str] = Field(default_factory=list, max_length=60)
    risk_buffer_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    risk_buffer_reason: str = Field("", max_length=500)
    change_note: str = Field("", max_length=4000)
    calibration_factor: Decimal | None = Field(None, ge=0.5, le=3, max_digits=4, decimal_places=2)
    """A calibration line the client sees; usually set through `…/calibration`."""
    calibration_note: str = Field("", max_length=500)

    def values(self) -> VersionValues:
        return VersionValues(
            packages=tuple(PackageValues(**p.model_dump()) for p in self.packages),
            calibration_factor=self.calibration_factor,
            calibration_note=self.calibration_note,
            assumptions=tuple(a[:1000] for a in self.assumptions),
            exclusions=tuple(e[:1000] for e in self.exclusions),
            risk_buffer_percent=self.risk_buffer_percent,
            risk_buffer_reason=self.risk_buffer_reason,
            change_note=self.change_note,
        )


class EstimateShareOut(Schema):
    estimate: EstimateOut
    client_url: str | None
    """The client's link: given once, when it is made; klinke keeps only its digest."""


class EstimateDecisionOut(Schema):
    state: str
    decided_version: int | None
    decided_at: datetime | None
    message: str


# --- helpers ---------------------------------------------------------------------------


def _estimate(request: HttpRequest, estimate_id: int) -> Estimate:
    return get_object_or_404(
        Estimate.objects.filter(collective=request_collective(request)).select_related(
            "collective", "decided_version"
        ),
        pk=estimate_id,
    )


def _refused(exc: ValidationError | actions.EstimateError) -> HttpError:
    if isinstance(exc, actions.EstimateError):
        return HttpError(409, str(exc))
    field, messages = next(iter(exc.message_dict.items()))
    return HttpError(422, f"{field}: {messages[0]}")


def _client_url(request: HttpRequest, raw: str) -> str | None:
    if not raw:
        return None
    return request.build_absolute_uri(reverse("estimate_client:page", args=[raw]))


# --- actual hours and calibration: schemas, and the summary (before "/{estimate_id}") --


class ActualHoursIn(InputSchema):
    package: int
    """The id of a package of the accepted version (see `…/actuals`)."""
    hours: Decimal = Field(gt=0, le=99999, max_digits=7, decimal_places=2)
    worked_on: date | None = None
    person: str = Field("", max_length=100)
    note: str = Field("", max_length=500)


class ActualHoursBatchIn(InputSchema):
    rows: list[ActualHoursIn] = Field(max_length=5000)
    """At least one row (checked after the estimate is found, so outsiders get 404)."""


class ActualHoursRowOut(Schema):
    id: int
    package: int
    worked_on: date | None
    person: str
    hours: Decimal
    note: str
    source: str


class ComparisonOut(Schema):
    expected_hours: Decimal
    low_hours: Decimal
    high_hours: Decimal
    actual_hours: Decimal
    ratio: Decimal | None
    """Actual / expected hours; null without expected hours."""
    inside: bool
    """Whether the actual hours fell inside P10–P90."""

    @staticmethod
    def fields_of(c: calibration.Comparison) -> dict[str, Any]:
        tenth = Decimal("0.1")
        return {
            "expected_hours": c.expected.quantize(tenth),
            "low_hours": c.low.quantize(tenth),
            "high_hours": c.high.quantize(tenth),
            "actual_hours": c.actual.quantize(Decimal("0.01")),
            "ratio": c.ratio.quantize(Decimal("0.001")) if c.ratio is not None else None,
            "inside": c.inside,
        }


class PackageActualOut(ComparisonOut):
    id: int
    name: str
    kind: str


class ActualsOut(ComparisonOut):
    ended_at: datetime | None
    """When the project ended; from then on it counts for calibration."""
    packages: list[PackageActualOut]
    rows: list[ActualHoursRowOut]


class AccuracyOut(Schema):
    group: str
    count: int
    median_ratio: Decimal | None
    inside: int


class ProjectAccuracyOut(ComparisonOut):
    estimate: int
    title: str
    ended_on: date
    topics: list[str]


class HintOut(Schema):
    count: int
    factor: Decimal
    inside: int
    of_this_kind: bool
    sentence: str


class CalibrationOut(Schema):
    method: str
    """median of actual / expected hours; inside = P10 ≤ actual ≤ P90; last 8 projects."""
    projects: list[ProjectAccuracyOut]
    overall: AccuracyOut
    by_topic: list[AccuracyOut]
    by_kind: list[AccuracyOut]
    hint: HintOut | None
    """The factor a new estimate is offered (from 3 ended projects on)."""


def _accuracy(group: str, a: calibration.Accuracy) -> AccuracyOut:
    return AccuracyOut(group=group, count=a.count, median_ratio=a.ratio, inside=a.inside)


def _hint(hint: calibration.Hint | None) -> HintOut | None:
    if hint is None:
        return None
    return HintOut(
        count=hint.count,
        factor=hint.factor,
        inside=hint.inside,
        of_this_kind=hint.of_this_kind,
        sentence=accuracy.hint_sentence(hint),
    )


METHOD = "median-ratio-actual-expected-p10-p90-last-8"


def _accepted(request: HttpRequest, estimate_id: int) -> tuple[Estimate, EstimateVersion]:
    estimate = _estimate(request, estimate_id)
    if estimate.state != EstimateState.ACCEPTED or estimate.decided_version is None:
        raise HttpError(404, "No accepted estimate with this id.")
    return estimate, estimate.decided_version


def _actuals(estimate: Estimate, version: EstimateVersion) -> ActualsOut:
    packages = list(
        WorkPackage.objects.filter(version=version)
        .annotate(actual=Sum("actual_hours__hours"))
        .order_by("order", "pk")
    )
    outcome = calibration.project_outcome(
        key=estimate.pk,
        title=estimate.title,
        ended_on=date.today(),
        topics=(),
        packages=[
            calibration.PackageActual(
                package=p.as_input(), kind=p.kind, actual=getattr(p, "actual", None) or Decimal(0)
            )
            for p in packages
        ],
    )
    rows = ActualHours.objects.of_estimate(estimate).order_by("worked_on", "pk")
    return ActualsOut(
        **ComparisonOut.fields_of(outcome),
        ended_at=estimate.actuals_closed_at,
        packages=[
            PackageActualOut(id=p.pk, name=p.name, kind=p.kind, **ComparisonOut.fields_of(part))
            for p, part in zip(packages, outcome.packages, strict=True)
        ],
        rows=[
            ActualHoursRowOut(
                id=r.pk,
                package=r.package_id,
                worked_on=r.worked_on,
                person=r.person,
                hours=r.hours,
                note=r.note,
                source=r.source,
            )
            for r in rows
        ],
    )


@router.get(
    "/{collective}/calibration",
    response=answers(CalibrationOut, 401, 404, 422),
    auth=collective_member,
)
def get_calibration(request: HttpRequest, collective: str) -> CalibrationOut:
    """The collective's accuracy: every ended project, by topic, by package kind, and the
    factor a new estimate is offered."""
    projects = accuracy.outcomes(request_collective(request))
    return CalibrationOut(
        method=METHOD,
        projects=[
            ProjectAccuracyOut(
                estimate=p.key,
                title=p.title,
                ended_on=p.ended_on,
                topics=list(p.topics),
                **ComparisonOut.fields_of(p),
            )
            for p in projects
        ],
        overall=_accuracy("all", calibration.accuracy(projects)),
        by_topic=[_accuracy(t, a) for t, a in calibration.by_topic(projects).items()],
        by_kind=[_accuracy(k, a) for k, a in calibration.by_kind(projects).items()],
        hint=_hint(calibration.hint(projects)),
    )


# --- operations ------------------------------------------------------------------------


@router.get(
    "/{collective}/", response=answers(list[EstimateOut], 401, 404, 422), auth=collective_member
)
@paginate(Pagination)
def list_estimates(request: HttpRequest, collective: str, lead: int | None = None) -> Any:
    """The collective's estimates, newest first; `lead` narrows to one lead's."""
    estimates = Estimate.objects.of(request_collective(request)).for_list()
    if lead is not None:
        estimates = estimates.filter(lead_id=lead)
    estimates = estimates.select_related("decided_version", "collective")
    latest = dict(
        EstimateVersion.objects.filter(estimate__in=estimates)
        .order_by("estimate_id", "number")
        .values_list("estimate_id", "number")
    )
    return [EstimateOut.of(e, latest.get(e.pk)) for e in estimates]


@router.post(
    "/{collective}/",
    response=answers(EstimateOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def create_estimate(
    request: HttpRequest, collective: str, payload: EstimateNewIn
) -> Status[EstimateOut]:
    """A new estimate: empty, from a shared template (`template`) or an earlier estimate."""
    group = request_collective(request)
    lead = None
    if payload.lead is not None:
        lead = Lead.objects.filter(collective=group, pk=payload.lead).first()
        if lead is None:
            raise HttpError(422, "lead: no such lead in this collective")
    values = EstimateIn(
        **payload.model_dump(exclude={"lead", "template", "from_estimate", "hourly_rate"})
    ).values()
    content = None
    if payload.template:
        starter = STARTERS.get(payload.template)
        if starter is None:
            raise HttpError(422, f"template: known templates are {', '.join(STARTERS)}")
        content = actions.starter_values(
            starter, language=values.client_language, hourly_rate=payload.hourly_rate
        )
    elif payload.from_estimate is not None:
        source = Estimate.objects.filter(collective=group, pk=payload.from_estimate).first()
        version = source.latest_version() if source is not None else None
        if version is None:
            raise HttpError(422, "from_estimate: no such estimate in this collective")
        content = actions.version_values(version)
    try:
        estimate = actions.do_create_estimate(
            collective=group, user=request_user(request), values=values, lead=lead, content=content
        )
    except (ValidationError, actions.EstimateError) as exc:
        raise _refused(exc) from exc
    return Status(201, EstimateOut.of(estimate))


@router.get(
    "/{collective}/{estimate_id}",
    response=answers(EstimateOut, 401, 404, 422),
    auth=collective_member,
)
def get_estimate(request: HttpRequest, collective: str, estimate_id: int) -> EstimateOut:
    return EstimateOut.of(_estimate(request, estimate_id))


@router.put(
    "/{collective}/{estimate_id}",
    response=answers(EstimateOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def put_estimate(
    request: HttpRequest, collective: str, estimate_id: int, payload: EstimateIn
) -> EstimateOut:
    """Client, currency, VAT, validity and invoice data; 409 once decided or withdrawn."""
    estimate = _estimate(request, estimate_id)
    try:
        actions.do_update_estimate(
            estimate=estimate, user=request_user(request), values=payload.values()
        )
    except (ValidationError, actions.EstimateError) as exc:
        raise _refused(exc) from exc
    return EstimateOut.of(estimate)


@router.get(
    "/{collective}/{estimate_id}/versions",
    response=answers(list[EstimateVersionOut], 401, 404, 422),
    auth=collective_member,
)
def list_versions(
    request: HttpRequest, collective: str, estimate_id: int
) -> list[EstimateVersionOut]:
    """Every version, newest first, with its packages, change note and computed range."""
    estimate = _estimate(request, estimate_id)
    versions = estimate.versions.order_by("-number").prefetch_related("packages")
    for version in versions:
        version.estimate = estimate
    return [EstimateVersionOut.of(v) for v in versions]


@router.post(
    "/{collective}/{estimate_id}/versions",
    response=answers(EstimateVersionOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def save_version(
    request: HttpRequest, collective: str, estimate_id: int, payload: EstimateVersionIn
) -> Status[EstimateVersionOut]:
    """Save the content: the draft version is replaced, or, once the latest version was
    shared, the next version is made (then `change_note` is required)."""
    estimate = _estimate(request, estimate_id)
    try:
        version = actions.do_save_version(
            estimate=estimate, user=request_user(request), values=payload.values()
        )
    except (ValidationError, actions.EstimateError) as exc:
        raise _refused(exc) from exc
    return Status(201, EstimateVersionOut.of(version))


@router.post(
    "/{collective}/{estimate_id}/share",
    response=answers(EstimateShareOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def share_estimate(request: HttpRequest, collective: str, estimate_id: int) -> EstimateShareOut:
    """Freeze the latest version and show it on the client's link (made if there is none)."""
    estimate = _estimate(request, estimate_id)
    try:
        raw = actions.do_share_estimate(estimate=estimate, user=request_user(request))
    except actions.EstimateError as exc:
        raise _refused(exc) from exc
    estimate.refresh_from_db()
    return EstimateShareOut(estimate=EstimateOut.of(estimate), client_url=_client_url(request, raw))


@router.post(
    "/{collective}/{estimate_id}/link",
    response=answers(EstimateShareOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def renew_link(request: HttpRequest, collective: str, estimate_id: int) -> EstimateShareOut:
    """A new client link; the old one stops working."""
    estimate = _estimate(request, estimate_id)
    try:
        raw = actions.do_renew_link(estimate=estimate, user=request_user(request))
    except actions.EstimateError as exc:
        raise _refused(exc) from exc
    return EstimateShareOut(estimate=EstimateOut.of(estimate), client_url=_client_url(request, raw))


@router.delete(
    "/{collective}/{estimate_id}/link",
    response=answers(EstimateOut, 401, 403, 404, 422),
    auth=collective_member,
)
def revoke_link(request: HttpRequest, collective: str, estimate_id: int) -> EstimateOut:
    """The client's link stops working."""
    estimate = _estimate(request, estimate_id)
    actions.do_revoke_link(estimate=estimate, user=request_user(request))
    return EstimateOut.of(estimate)


@router.get(
    "/{collective}/{estimate_id}/decision",
    response=answers(EstimateDecisionOut, 401, 404, 422),
    auth=collective_member,
)
def get_decision(request: HttpRequest, collective: str, estimate_id: int) -> EstimateDecisionOut:
    """The client's answer, if any: accepted or declined, which version, their message."""
    estimate = _estimate(request, estimate_id)
    return EstimateDecisionOut(
        state=estimate.state,
        decided_version=estimate.decided_version.number
        if estimate.decided_version is not None
        else None,
        decided_at=estimate.decided_at,
        message=estimate.client_message,
    )


# --- actual hours and calibration --------------------------------------------------------


@router.get(
    "/{collective}/{estimate_id}/actuals",
    response=answers(ActualsOut, 401, 404, 422),
    auth=collective_member,
)
def get_actuals(request: HttpRequest, collective: str, estimate_id: int) -> ActualsOut:
    """The accepted version's packages, expected against actual hours, and every row."""
    return _actuals(*_accepted(request, estimate_id))


@router.post(
    "/{collective}/{estimate_id}/actuals",
    response=answers(ActualsOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def add_actuals(
    request: HttpRequest, collective: str, estimate_id: int, payload: ActualHoursBatchIn
) -> Status[ActualsOut]:
    """Add rows of actual hours (all or none); 409 once the project has ended."""
    estimate, version = _accepted(request, estimate_id)
    try:
        actions.do_record_actual_hours(
            estimate=estimate,
            user=request_user(request),
            rows=[
                actions.ActualValues(
                    package_id=r.package,
                    hours=r.hours,
                    worked_on=r.worked_on,
                    person=r.person,
                    note=r.note,
                )
                for r in payload.rows
            ],
            source=HoursSource.IMPORTED,
        )
    except (ValidationError, actions.EstimateError) as exc:
        raise _refused(exc) from exc
    return Status(201, _actuals(estimate, version))


@router.delete(
    "/{collective}/{estimate_id}/actuals/{row_id}",
    response=answers(ActualsOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def delete_actuals(
    request: HttpRequest, collective: str, estimate_id: int, row_id: int
) -> ActualsOut:
    estimate, version = _accepted(request, estimate_id)
    try:
        actions.do_delete_actual_hours(estimate=estimate, user=request_user(request), pk=row_id)
    except actions.EstimateError as exc:
        raise _refused(exc) from exc
    return _actuals(estimate, version)


@router.post(
    "/{collective}/{estimate_id}/ended",
    response=answers(ActualsOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def end_project(request: HttpRequest, collective: str, estimate_id: int) -> ActualsOut:
    """The project has ended: it counts for calibration from now on."""
    estimate, version = _accepted(request, estimate_id)
    try:
        actions.do_end_project(estimate=estimate, user=request_user(request))
    except actions.EstimateError as exc:
        raise _refused(exc) from exc
    return _actuals(estimate, version)


@router.delete(
    "/{collective}/{estimate_id}/ended",
    response=answers(ActualsOut, 401, 403, 404, 422),
    auth=collective_member,
)
def reopen_project(request: HttpRequest, collective: str, estimate_id: int) -> ActualsOut:
    """Reopen an ended project to change its hours; it stops counting until ended again."""
    estimate, version = _accepted(request, estimate_id)
    actions.do_reopen_project(estimate=estimate, user=request_user(request))
    return _actuals(estimate, version)


@router.get(
    "/{collective}/{estimate_id}/calibration",
    response=answers(HintOut | None, 401, 404, 422),
    auth=collective_member,
)
def get_estimate_hint(request: HttpRequest, collective: str, estimate_id: int) -> HintOut | None:
    """The factor from past projects this estimate is offered, or null with fewer than 3."""
    return _hint(accuracy.hint_for(_estimate(request, estimate_id)))


@router.post(
    "/{collective}/{estimate_id}/calibration",
    response=answers(EstimateVersionOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def apply_calibration(
    request: HttpRequest, collective: str, estimate_id: int
) -> EstimateVersionOut:
    """Put the offered factor on the draft version as a line the client sees, with the
    sentence in the client's language; 409 without enough projects or on a shared version."""
    estimate = _estimate(request, estimate_id)
    hint = accuracy.hint_for(estimate)
    if hint is None:
        raise HttpError(409, "There are not yet enough ended projects to calibrate.")
    with translation.override(estimate.client_language):
        note = accuracy.hint_sentence(hint, for_client=True)
    try:
        version = actions.do_apply_calibration(
            estimate=estimate, user=request_user(request), factor=hint.factor, note=note
        )
    except (ValidationError, actions.EstimateError) as exc:
        raise _refused(exc) from exc
    return EstimateVersionOut.of(version)


@router.delete(
    "/{collective}/{estimate_id}/calibration",
    response=answers(EstimateVersionOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def remove_calibration(
    request: HttpRequest, collective: str, estimate_id: int
) -> EstimateVersionOut:
    """Take the calibration line off the draft version."""
    estimate = _estimate(request, estimate_id)
    try:
        version = actions.do_apply_calibration(
            estimate=estimate, user=request_user(request), factor=None
        )
    except (ValidationError, actions.EstimateError) as exc:
        raise _refused(exc) from exc
    return EstimateVersionOut.of(version)
