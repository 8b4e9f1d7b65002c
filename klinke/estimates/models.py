"""Estimates (Kostenschätzungen): a collective's priced offer for a lead, in versions.

An estimate holds what stays the same across versions (client, currency, VAT, validity, the
link for the client, the invoice data); each `EstimateVersion` holds the content (work
packages, assumptions, exclusions, risk buffer) and a change note. A version is frozen the
moment it is shared: editing then makes the next version, so what a client saw (and
accepted) never changes under them. The maths lives in `maths.py`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.estimates import maths


class EstimateState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SHARED = "shared", _("shared with the client")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


CLOSED_STATES: tuple[str, ...] = (
    EstimateState.ACCEPTED,
    EstimateState.DECLINED,
    EstimateState.WITHDRAWN,
)


class VatCategory(models.TextChoices):
    """EN 16931 VAT category codes (UNTDID 5305) a collective is likely to need."""

    STANDARD = "S", _("standard rate")
    ZERO = "Z", _("zero rate")
    EXEMPT = "E", _("exempt from VAT")
    REVERSE_CHARGE = "AE", _("reverse charge")
    SMALL_BUSINESS = "O", _("not subject to VAT (small business)")


class ClientLanguage(models.TextChoices):
    DE = "de", _("German")
    EN = "en", _("English")


NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


class PackageKind(models.TextChoices):
    """What a work package is about, so calibration can compare like with like."""

    DESIGN = "design", _("design")
    DEVELOPMENT = "development", _("development")
    CONTENT = "content", _("content")
    MANAGEMENT = "management", _("project management")
    OPERATIONS = "operations", _("hosting and operations")
    TRAINING = "training", _("training")
    OTHER = "other", _("other")


class HoursSource(models.TextChoices):
    TYPED = "typed", _("typed in")
    IMPORTED = "imported", _("imported")


class EstimateQuerySet(models.QuerySet["Estimate"]):
    def of(self, collective: Collective) -> EstimateQuerySet:
        return self.filter(collective=collective)

    def for_list(self) -> EstimateQuerySet:
        return self.select_related("lead").order_by("-updated_at", "-pk")

    def open(self) -> EstimateQuerySet:
        return self.exclude(state__in=CLOSED_STATES)

    def calibrated(self) -> EstimateQuerySet:
        """Accepted estimates whose project ended and whose actual hours are in."""
        return self.filter(state=EstimateState.ACCEPTED, actuals_closed_at__isnull=False)


class Estimate(models.Model):
    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="estimates")
    lead = models.ForeignKey(
        "workbench.Lead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estimates",
        verbose_name=_("lead"),
    )
    title = models.CharField(_("title"), max_length=200)
    client_name = models.CharField(_("client"), max_length=200, blank=True)
    client_language = models.CharField(
        _("client's language"),
        max_length=2,
        choices=ClientLanguage.choices,
        default=ClientLanguage.DE,
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(19),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    hours_per_day = models.DecimalField(
        _("hours per day"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(8),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(24))],
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=EstimateState.choices, default=EstimateState.DRAFT
    )
    # The client's link: only its digest (core.tokens); empty when there is none or revoked.
    link_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    link_created_at = models.DateTimeField(null=True, blank=True)
    decided_version = models.ForeignKey(
        "EstimateVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    client_message = models.TextField(_("client's message"), blank=True, max_length=4000)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set when the project ended and its actual hours are complete: from then on the
    # estimate counts for calibration.
    actuals_closed_at = models.DateTimeField(_("project ended"), null=True, blank=True)
    # EN 16931 invoice data (BT numbers of EN 16931, not of eForms: hence the prefix).
    en16931_seller_name = models.CharField(_("seller name"), max_length=200, blank=True)
    en16931_seller_address = models.CharField(_("seller street"), max_length=200, blank=True)
    en16931_seller_postcode = models.CharField(_("seller postcode"), max_length=20, blank=True)
    en16931_seller_city = models.CharField(_("seller city"), max_length=100, blank=True)
    en16931_seller_country = models.CharField(
        _("seller country (ISO code)"), max_length=2, blank=True, default="DE"
    )
    en16931_seller_vat_id = models.CharField(_("seller VAT id"), max_length=30, blank=True)
    en16931_buyer_name = models.CharField(_("buyer name"), max_length=200, blank=True)
    en16931_buyer_address = models.CharField(_("buyer street"), max_length=200, blank=True)
    en16931_buyer_postcode = models.CharField(_("buyer postcode"), max_length=20, blank=True)
    en16931_buyer_city = models.CharField(_("buyer city"), max_length=100, blank=True)
    en16931_buyer_country = models.CharField(
        _("buyer country (ISO code)"), max_length=2, blank=True, default="DE"
    )
    en16931_buyer_vat_id = models.CharField(_("buyer VAT id"), max_length=30, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EstimateQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        indexes = [models.Index(fields=["collective", "state"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("estimates:detail", args=[self.collective.slug, self.pk])

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def has_link(self) -> bool:
        return bool(self.link_digest)

    def latest_version(self) -> EstimateVersion | None:
        return self.versions.order_by("-number").first()

    def shared_versions(self) -> models.QuerySet[EstimateVersion]:
        return self.versions.filter(shared_at__isnull=False).order_by("-number")

    def client_version(self) -> EstimateVersion | None:
        """What the client sees: the accepted/declined version, else the latest shared one."""
        if self.decided_version_id is not None:
            return self.decided_version
        return self.shared_versions().first()

    def is_expired(self, today: date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or timezone.localdate())


class EstimateVersion(models.Model):
    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    change_note = models.TextField(_("what changed and why"), blank=True, max_length=4000)
    risk_buffer_percent = models.DecimalField(
        _("risk buffer (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    risk_buffer_reason = models.CharField(_("why the buffer"), max_length=500, blank=True)
    assumptions = models.JSONField(_("assumptions"), default=list, blank=True)
    exclusions = models.JSONField(_("exclusions"), default=list, blank=True)
    # An applied calibration: the factor from past projects and the sentence the client
    # reads beside its line (in the client's language, kept as written).
    calibration_factor = models.DecimalField(
        _("calibration factor"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(3))],
    )
    calibration_note = models.CharField(_("why the calibration"), max_length=500, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["estimate", "number"]
        verbose_name = _("estimate version")
        verbose_name_plural = _("estimate versions")
        constraints = [
            models.UniqueConstraint(
                fields=["estimate", "number"], name="estimate_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estimate} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        """Shared once, it never changes again; editing makes the next version."""
        return self.shared_at is not None

    def package_inputs(self) -> list[maths.PackageInput]:
        return [package.as_input() for package in self.packages.all()]

    def result(self, packages: list[WorkPackage] | None = None) -> maths.EstimateResult:
        rows = list(self.packages.all()) if packages is None else packages
        return maths.combine(
            [p.as_input() for p in rows],
            risk_buffer_percent=self.risk_buffer_percent,
            calibration_factor=self.calibration_factor,
            vat_rate=self.estimate.vat_rate,
        )


class WorkPackage(models.Model):
    version = models.ForeignKey(EstimateVersion, on_delete=models.CASCADE, related_name="packages")
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("work package"), max_length=200)
    optimistic_hours = models.DecimalField(
        _("optimistic hours (O)"), max_digits=7, decimal_places=1, validators=NOT_NEGATIVE
    )
    likely_hours = models.DecimalField(
        _("most likely hours (M)"), max_digits=7, decimal_places=1, validators=NOT_NEGATIVE
    )
    pessimistic_hours = models.DecimalField(
        _("pessimistic hours (P)"), max_digits=7, decimal_places=1, validators=NOT_NEGATIVE
    )
    role = models.CharField(_("role"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=PackageKind.choices, default=PackageKind.OTHER
    )
    hourly_rate = models.DecimalField(
        _("hourly rate"), max_digits=9, decimal_places=2, validators=NOT_NEGATIVE
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000)

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(optimistic_hours__lte=models.F("likely_hours"))
                & models.Q(likely_hours__lte=models.F("pessimistic_hours")),
                name="work_package_hours_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def as_input(self) -> maths.PackageInput:
        return maths.PackageInput(
            name=self.name,
            optimistic=self.optimistic_hours,
            most_likely=self.likely_hours,
            pessimistic=self.pessimistic_hours,
            hourly_rate=self.hourly_rate,
        )


class ActualHoursQuerySet(models.QuerySet["ActualHours"]):
    def of_estimate(self, estimate: Estimate) -> ActualHoursQuerySet:
        return self.filter(package__version__estimate=estimate)


class ActualHours(models.Model):
    """Hours actually worked on a package of the accepted version (typed or imported from a
    time tracker). They never change the frozen estimate; calibration compares the two."""

    package = models.ForeignKey(WorkPackage, on_delete=models.CASCADE, related_name="actual_hours")
    worked_on = models.DateField(_("date"), null=True, blank=True)
    person = models.CharField(_("person"), max_length=100, blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(99999))],
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=HoursSource.choices, default=HoursSource.TYPED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ActualHoursQuerySet.as_manager()

    class Meta:
        ordering = ["package", "worked_on", "pk"]
        verbose_name = _("actual hours")
        verbose_name_plural = _("actual hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="actual_hours_positive")
        ]

    def __str__(self) -> str:
        return f"{self.package}: {self.hours} h"


class LinkGuess(models.Model):
    """A request for a client link that does not exist, per client address (throttling)."""

    address = models.GenericIPAddressField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"
