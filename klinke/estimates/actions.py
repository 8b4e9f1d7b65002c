"""Writes of estimates: creating (blank, from a shared template or an earlier estimate), saving
a version's content, sharing and revoking the client's link, and the client's decision.

A version is frozen once it is shared: saving then makes the next version (with a change note),
so what a client saw never changes. Pages and the API call these same functions with plain
values; views have already checked membership, these check it again where a mistake would
change another collective's data.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.core.mail import notify_users
from klinke.core.models import NotificationKind
from klinke.core.tokens import hash_token, issue_token
from klinke.estimates import maths
from klinke.estimates.models import (
    ActualHours,
    Estimate,
    EstimateState,
    EstimateVersion,
    HoursSource,
    LinkGuess,
    PackageKind,
    WorkPackage,
)
from klinke.estimates.starters import Starter
from klinke.workbench.actions import WorkbenchError, do_close_lead, do_log_activity
from klinke.workbench.models import OPEN_STAGES, ActivityKind, Lead, Stage

LINK_PREFIX = "est_"
GUESS_WINDOW = timedelta(hours=1)
GUESS_LIMIT = 20
"""Unknown client links one address may try per hour before every link answers 404 to it."""
DEFAULT_VALIDITY = timedelta(days=30)
DEFAULT_HOURLY_RATE = Decimal(90)


class EstimateError(Exception):
    """A move the estimate's rules do not allow; the message says why."""


def _require_member(collective: Collective, user: User) -> None:
    if not collective.has_member(user):
        raise EstimateError(_("Only members of the collective can do this."))


def _require_open(estimate: Estimate) -> None:
    if estimate.is_closed:
        raise EstimateError(
            _("This estimate is %(state)s and can no longer change.")
            % {"state": estimate.get_state_display()}
        )


# --- values --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EstimateValues:
    """What stays the same across versions, from the estimate form or the API alike."""

    title: str
    client_name: str = ""
    client_language: str = "de"
    currency: str = "EUR"
    vat_category: str = "S"
    vat_rate: Decimal = Decimal(19)
    hours_per_day: Decimal = Decimal(8)
    valid_until: date | None = None
    en16931_seller_name: str = ""
    en16931_seller_address: str = ""
    en16931_seller_postcode: str = ""
    en16931_seller_city: str = ""
    en16931_seller_country: str = "DE"
    en16931_seller_vat_id: str = ""
    en16931_buyer_name: str = ""
    en16931_buyer_address: str = ""
    en16931_buyer_postcode: str = ""
    en16931_buyer_city: str = ""
    en16931_buyer_country: str = "DE"
    en16931_buyer_vat_id: str = ""


ESTIMATE_FIELDS = tuple(f.name for f in fields(EstimateValues))


@dataclass(frozen=True, kw_only=True)
class PackageValues:
    name: str
    optimistic_hours: Decimal
    likely_hours: Decimal
    pessimistic_hours: Decimal
    hourly_rate: Decimal
    role: str = ""
    kind: str = PackageKind.OTHER
    notes: str = ""


PACKAGE_FIELDS = tuple(f.name for f in fields(PackageValues))


@dataclass(frozen=True, kw_only=True)
class VersionValues:
    packages: tuple[PackageValues, ...]
    assumptions: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    risk_buffer_percent: Decimal = Decimal(0)
    risk_buffer_reason: str = ""
    change_note: str = ""
    calibration_factor: Decimal | None = None
    calibration_note: str = ""


CALIBRATION_LIMITS = (Decimal("0.5"), Decimal(3))
"""A factor outside this is more likely a data mistake than a lesson."""


def _clean_lines(lines: tuple[str, ...]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def _check_version(values: VersionValues) -> None:
    errors: dict[str, list[str]] = {}
    for index, package in enumerate(values.packages, start=1):
        if not package.name.strip():
            errors.setdefault("packages", []).append(
                _("Work package %(n)d needs a name.") % {"n": index}
            )
        try:
            maths.PackageInput(
                name=package.name,
                optimistic=package.optimistic_hours,
                most_likely=package.likely_hours,
                pessimistic=package.pessimistic_hours,
                hourly_rate=package.hourly_rate,
            )
        except maths.EstimateMathsError:
            errors.setdefault("packages", []).append(
                _(
                    "Work package %(n)d: hours must be optimistic ≤ most likely ≤ "
                    "pessimistic, and nothing negative."
                )
                % {"n": index}
            )
        if package.kind not in PackageKind.values:
            errors.setdefault("packages", []).append(
                _("Work package %(n)d: choose one of the kinds offered.") % {"n": index}
            )
    if not Decimal(0) <= values.risk_buffer_percent <= Decimal(100):
        errors["risk_buffer_percent"] = [_("The risk buffer lies between 0 and 100 %.")]
    factor = values.calibration_factor
    if factor is not None and not CALIBRATION_LIMITS[0] <= factor <= CALIBRATION_LIMITS[1]:
        errors["calibration_factor"] = [_("A calibration factor lies between 0.5 and 3.")]
    if errors:
        raise ValidationError(errors)


def _write_estimate(estimate: Estimate, values: EstimateValues) -> Estimate:
    for name in ESTIMATE_FIELDS:
        value = getattr(values, name)
        setattr(estimate, name, value.strip() if isinstance(value, str) else value)
    estimate.currency = estimate.currency.upper()
    estimate.en16931_seller_country = estimate.en16931_seller_country.upper()
    estimate.en16931_buyer_country = estimate.en16931_buyer_country.upper()
    if not estimate.title:
        raise ValidationError({"title": [_("Give the estimate a title.")]})
    if not (
        len(estimate.currency) == 3 and estimate.currency.isascii() and estimate.currency.isalpha()
    ):
        raise ValidationError(
            {"currency": [_("Give the currency as its three-letter code, such as EUR.")]}
        )
    estimate.full_clean(exclude=["collective", "lead", "created_by", "decided_version"])
    estimate.save()
    return estimate


def _write_content(version: EstimateVersion, values: VersionValues) -> EstimateVersion:
    version.assumptions = _clean_lines(values.assumptions)
    version.exclusions = _clean_lines(values.exclusions)
    version.risk_buffer_percent = values.risk_buffer_percent
    version.risk_buffer_reason = values.risk_buffer_reason.strip()
    version.change_note = values.change_note.strip()
    version.calibration_factor = values.calibration_factor
    version.calibration_note = values.calibration_note.strip()[:500]
    version.save()
    version.packages.all().delete()
    WorkPackage.objects.bulk_create(
        WorkPackage(
            version=version,
            order=order,
            name=p.name.strip(),
            optimistic_hours=p.optimistic_hours,
            likely_hours=p.likely_hours,
            pessimistic_hours=p.pessimistic_hours,
            hourly_rate=p.hourly_rate,
            role=p.role.strip(),
            kind=p.kind,
            notes=p.notes.strip(),
        )
        for order, p in enumerate(values.packages)
    )
    return version


def version_values(version: EstimateVersion) -> VersionValues:
    """A version's content as values (to copy it into a new estimate or the next version)."""
    return VersionValues(
        packages=tuple(
            PackageValues(**{name: getattr(p, name) for name in PACKAGE_FIELDS})
            for p in version.packages.all()
        ),
        assumptions=tuple(version.assumptions),
        exclusions=tuple(version.exclusions),
        risk_buffer_percent=version.risk_buffer_percent,
        risk_buffer_reason=version.risk_buffer_reason,
        calibration_factor=version.calibration_factor,
        calibration_note=version.calibration_note,
    )


def starter_values(starter: Starter, *, language: str, hourly_rate: Decimal) -> VersionValues:
    """A shared template in the client's language, every package at `hourly_rate`."""
    en = language == "en"
    return VersionValues(
        packages=tuple(
            PackageValues(
                name=p.name_en if en else p.name_de,
                optimistic_hours=p.hours[0],
                likely_hours=p.hours[1],
                pessimistic_hours=p.hours[2],
                hourly_rate=hourly_rate,
                role=p.role_en if en else p.role_de,
                kind=p.kind,
                notes=p.notes_en if en else p.notes_de,
            )
            for p in starter.packages
        ),
        assumptions=starter.assumptions_en if en else starter.assumptions_de,
        exclusions=starter.exclusions_en if en else starter.exclusions_de,
        risk_buffer_percent=starter.risk_buffer_percent,
        risk_buffer_reason=starter.risk_buffer_reason_en if en else starter.risk_buffer_reason_de,
    )


# --- estimates -------------------------------------------------------------------------


@transaction.atomic
def do_create_estimate(
    *,
    collective: Collective,
    user: User,
    values: EstimateValues,
    lead: Lead | None = None,
    content: VersionValues | None = None,
    is_demo: bool = False,
) -> Estimate:
    """A new estimate with its first version (empty, or `content` from a template or an
    earlier estimate). Raises ValidationError for bad values; nothing is half-written."""
    _require_member(collective, user)
    if lead is not None and lead.collective_id != collective.pk:
        raise EstimateError(_("This lead belongs to another collective."))
    content = content or VersionValues(packages=())
    _check_version(content)
    if values.valid_until is None:
        values = EstimateValues(
            **{
                **{name: getattr(values, name) for name in ESTIMATE_FIELDS},
                "valid_until": timezone.localdate() + DEFAULT_VALIDITY,
            }
        )
    estimate = Estimate(collective=collective, lead=lead, created_by=user, is_demo=is_demo)
    _write_estimate(estimate, values)
    version = EstimateVersion(estimate=estimate, number=1, created_by=user)
    _write_content(version, VersionValues(**{**content.__dict__, "change_note": ""}))
    return estimate


def do_update_estimate(*, estimate: Estimate, user: User, values: EstimateValues) -> Estimate:
    """Client, currency, VAT, validity and invoice data; refused once decided or withdrawn."""
    _require_member(estimate.collective, user)
    _require_open(estimate)
    with transaction.atomic():
        return _write_estimate(estimate, values)


@transaction.atomic
def do_save_version(*, estimate: Estimate, user: User, values: VersionValues) -> EstimateVersion:
    """Save the content. A draft version is overwritten; a shared (frozen) one stays as it
    was and the content becomes the next version, which needs a change note for the client."""
    _require_member(estimate.collective, user)
    locked = Estimate.objects.select_for_update().get(pk=estimate.pk)
    _require_open(locked)
    _check_version(values)
    latest = locked.latest_version()
    if latest is not None and not latest.is_frozen:
        if latest.number > 1 and not values.change_note.strip():
            raise ValidationError({"change_note": [_("Say what changed and why.")]})
        version = latest
    else:
        if not values.change_note.strip():
            raise ValidationError(
                {"change_note": [_("The client saw the last version: say what changed and why.")]}
            )
        version = EstimateVersion(
            estimate=locked,
            number=(latest.number + 1) if latest is not None else 1,
            created_by=user,
        )
    _write_content(version, values)
    Estimate.objects.filter(pk=estimate.pk).update(updated_at=timezone.now())
    return version


@transaction.atomic
def do_share_estimate(*, estimate: Estimate, user: User) -> str:
    """Freeze the latest version and show it to the client. Returns the link's secret when a
    new link was made (it is shown once), or "" when the client's link already exists."""
    _require_member(estimate.collective, user)
    locked = Estimate.objects.select_for_update().get(pk=estimate.pk)
    _require_open(locked)
    latest = locked.latest_version()
    if latest is None or not latest.packages.exists():
        raise EstimateError(_("Add at least one work package before you share the estimate."))
    if not latest.is_frozen:
        latest.shared_at = timezone.now()
        latest.save(update_fields=["shared_at"])
    raw = ""
    changes: dict[str, object] = {"state": EstimateState.SHARED, "updated_at": timezone.now()}
    if not locked.link_digest:
        raw, digest = issue_token(LINK_PREFIX)
        changes.update(link_digest=digest, link_created_at=timezone.now())
    Estimate.objects.filter(pk=locked.pk).update(**changes)
    for name, value in changes.items():
        setattr(estimate, name, value)
    return raw


@transaction.atomic
def do_renew_link(*, estimate: Estimate, user: User) -> str:
    """A new secret for the client's link; the old link stops working at once."""
    _require_member(estimate.collective, user)
    _require_open(estimate)
    if estimate.state != EstimateState.SHARED:
        raise EstimateError(_("Share the estimate first."))
    raw, digest = issue_token(LINK_PREFIX)
    now = timezone.now()
    Estimate.objects.filter(pk=estimate.pk).update(link_digest=digest, link_created_at=now)
    estimate.link_digest, estimate.link_created_at = digest, now
    return raw


def do_revoke_link(*, estimate: Estimate, user: User) -> Estimate:
    """The client's link stops working; sharing again makes a new one."""
    _require_member(estimate.collective, user)
    Estimate.objects.filter(pk=estimate.pk).update(link_digest="", link_created_at=None)
    estimate.link_digest, estimate.link_created_at = "", None
    return estimate


def do_withdraw_estimate(*, estimate: Estimate, user: User) -> Estimate:
    """The collective takes the estimate back; the link stops working."""
    _require_member(estimate.collective, user)
    _require_open(estimate)
    changes = {"state": EstimateState.WITHDRAWN, "link_digest": "", "link_created_at": None}
    Estimate.objects.filter(pk=estimate.pk).update(**changes, updated_at=timezone.now())
    for name, value in changes.items():
        setattr(estimate, name, value)
    return estimate


# --- the client's link -----------------------------------------------------------------


def estimate_for_link(raw: str) -> Estimate | None:
    """The estimate behind a client link, or None (revoked, withdrawn or never issued)."""
    if not raw.startswith(LINK_PREFIX) or len(raw) > 100:
        return None
    estimate = (
        Estimate.objects.select_related("collective", "lead", "decided_version")
        .filter(link_digest=hash_token(raw))
        .exclude(state__in=(EstimateState.DRAFT, EstimateState.WITHDRAWN))
        .first()
    )
    return estimate


def is_guessing(address: str, now: datetime | None = None) -> bool:
    """Whether this address asked for too many unknown links in the last hour."""
    since = (now or timezone.now()) - GUESS_WINDOW
    return LinkGuess.objects.filter(address=address, at__gte=since).count() >= GUESS_LIMIT


def record_guess(address: str) -> None:
    """Count an unknown link; rows older than the window are dropped on the way."""
    now = timezone.now()
    LinkGuess.objects.filter(at__lt=now - GUESS_WINDOW).delete()
    LinkGuess.objects.create(address=address, at=now)


def _acting_member(estimate: Estimate) -> User | None:
    """Whom the workbench records the lead's move under: who wrote the estimate, if still a
    member, else the collective's longest-standing member."""
    creator = estimate.created_by
    if creator is not None and estimate.collective.has_member(creator):
        return creator
    members = estimate.collective.member_users()
    return members[0] if members else None


@transaction.atomic
def do_decide_estimate(
    *, estimate: Estimate, version_number: int, accept: bool, message: str = ""
) -> Estimate:
    """The client accepts or declines the version they saw, with an optional message.

    Accepting freezes that version as the agreed one and closes the lead as won; declining
    closes it as lost, with the client's message as the reason. Either way the decision is
    logged on the lead and the collective's members are told.
    """
    locked = Estimate.objects.select_for_update().get(pk=estimate.pk)
    if locked.state != EstimateState.SHARED or not locked.link_digest:
        raise EstimateError(_("This estimate can no longer be answered."))
    version = locked.shared_versions().first()
    if version is None or version.number != version_number:
        raise EstimateError(
            _("The estimate changed while you were reading it. Please look at it again.")
        )
    if locked.is_expired():
        raise EstimateError(_("This estimate is no longer valid. Please ask for a new one."))
    now = timezone.now()
    state = EstimateState.ACCEPTED if accept else EstimateState.DECLINED
    changes: dict[str, object] = {
        "state": state,
        "decided_version": version,
        "decided_at": now,
        "client_message": message.strip()[:4000],
        "updated_at": now,
    }
    Estimate.objects.filter(pk=locked.pk).update(**changes)
    for name, value in changes.items():
        setattr(estimate, name, value)
    _move_lead(estimate, version, accept=accept)
    members = estimate.collective.member_users()
    notify_users(
        members,
        template="estimates/email/decided",
        context={"estimate": estimate, "version": version, "accepted": accept},
        kind=NotificationKind.WORKBENCH,
    )
    return estimate


def _move_lead(estimate: Estimate, version: EstimateVersion, *, accept: bool) -> None:
    lead = estimate.lead
    actor = _acting_member(estimate)
    if lead is None or actor is None:
        return
    with override(
        estimate.collective.language_codes[0] if estimate.collective.language_codes else "de"
    ):
        values = {"title": estimate.title, "number": version.number}
        note = (
            _("The client accepted the estimate “%(title)s” (version %(number)d).") % values
            if accept
            else _("The client declined the estimate “%(title)s” (version %(number)d).") % values
        )
    if estimate.client_message:
        note = f"{note}\n\n{estimate.client_message}"
    try:
        if lead.stage in OPEN_STAGES:
            stage = Stage.WON if accept else Stage.LOST
            do_close_lead(lead=lead, user=actor, stage=stage, reason=note)
        do_log_activity(lead=lead, user=actor, kind=ActivityKind.NOTE, text=note)
    except WorkbenchError:
        # Someone closed the lead meanwhile; the estimate's decision stands on its own.
        pass


# --- actual hours and calibration --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ActualValues:
    """Hours worked on one package of the accepted version, typed or from a time tracker."""

    package_id: int
    hours: Decimal
    worked_on: date | None = None
    person: str = ""
    note: str = ""


MAX_ACTUAL_HOURS = Decimal(99999)


def _require_accepted(estimate: Estimate) -> EstimateVersion:
    if estimate.state != EstimateState.ACCEPTED or estimate.decided_version_id is None:
        raise EstimateError(_("Actual hours belong to an accepted estimate."))
    if estimate.actuals_closed_at is not None:
        raise EstimateError(_("The project has ended: reopen it to change its hours."))
    version = EstimateVersion.objects.get(pk=estimate.decided_version_id)
    return version


@transaction.atomic
def do_record_actual_hours(
    *,
    estimate: Estimate,
    user: User,
    rows: list[ActualValues],
    source: str = HoursSource.TYPED,
) -> list[ActualHours]:
    """Add hours to the accepted version's packages; the frozen estimate stays as it was.
    All rows or none: a bad row raises ValidationError naming it."""
    _require_member(estimate.collective, user)
    version = _require_accepted(estimate)
    packages = set(version.packages.values_list("pk", flat=True))
    if not rows:
        raise ValidationError({"hours": [_("Give at least one row of hours.")]})
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        if row.package_id not in packages:
            errors.append(_("Row %(n)d: choose a work package of this estimate.") % {"n": number})
        if not Decimal(0) < row.hours <= MAX_ACTUAL_HOURS:
            errors.append(
                _("Row %(n)d: hours must be more than 0 and at most 99999.") % {"n": number}
            )
        if len(row.person) > 100 or len(row.note) > 500:
            errors.append(_("Row %(n)d: the person or the note is too long.") % {"n": number})
    if errors:
        raise ValidationError({"hours": errors})
    return ActualHours.objects.bulk_create(
        ActualHours(
            package_id=row.package_id,
            hours=row.hours.quantize(Decimal("0.01")),
            worked_on=row.worked_on,
            person=row.person.strip(),
            note=row.note.strip(),
            source=source,
            created_by=user,
        )
        for row in rows
    )


def do_delete_actual_hours(*, estimate: Estimate, user: User, pk: int) -> None:
    _require_member(estimate.collective, user)
    _require_accepted(estimate)
    deleted, _details = ActualHours.objects.of_estimate(estimate).filter(pk=pk).delete()
    if not deleted:
        raise EstimateError(_("These hours are not part of this estimate."))


def do_end_project(*, estimate: Estimate, user: User) -> Estimate:
    """The project has ended and its hours are complete: it counts for calibration now."""
    _require_member(estimate.collective, user)
    _require_accepted(estimate)
    if not ActualHours.objects.of_estimate(estimate).exists():
        raise EstimateError(_("Enter the actual hours before you end the project."))
    now = timezone.now()
    Estimate.objects.filter(pk=estimate.pk).update(actuals_closed_at=now)
    estimate.actuals_closed_at = now
    return estimate


def do_reopen_project(*, estimate: Estimate, user: User) -> Estimate:
    """Hours turned up later: the project stops counting until it is ended again."""
    _require_member(estimate.collective, user)
    Estimate.objects.filter(pk=estimate.pk).update(actuals_closed_at=None)
    estimate.actuals_closed_at = None
    return estimate


@transaction.atomic
def do_apply_calibration(
    *, estimate: Estimate, user: User, factor: Decimal | None, note: str = ""
) -> EstimateVersion:
    """Put a calibration line on the draft version (or take it off with `factor=None`). The
    client sees the line and `note`; a shared version keeps whatever it had."""
    _require_member(estimate.collective, user)
    locked = Estimate.objects.select_for_update().get(pk=estimate.pk)
    _require_open(locked)
    version = locked.latest_version()
    if version is None or version.is_frozen:
        raise EstimateError(
            _("The client has seen the latest version: save the work packages first.")
        )
    values = version_values(version)
    values = VersionValues(
        **{
            **values.__dict__,
            "change_note": version.change_note,
            "calibration_factor": factor,
            "calibration_note": note if factor is not None else "",
        }
    )
    _check_version(values)
    version.calibration_factor = values.calibration_factor
    version.calibration_note = values.calibration_note.strip()[:500]
    version.save(update_fields=["calibration_factor", "calibration_note"])
    Estimate.objects.filter(pk=estimate.pk).update(updated_at=timezone.now())
    return version
