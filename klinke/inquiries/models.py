"""Client inquiries: what a client asked through the public door, which collectives were asked,
what they answered, and who got it (with the figures of the rule that decided it).

A client is not a user: their name, email and phone live on the inquiry itself, and only the
digest of their private status link is stored (`core.tokens`). Unconfirmed inquiries are forgotten
after a day by a job; a closed inquiry's contact details are forgotten after `KEEP_CLOSED_DAYS`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.core.tokens import DIGEST_LENGTH
from klinke.inquiries.routing import DEFAULT_RULES
from klinke.topics.models import Topic

KEEP_UNCONFIRMED_HOURS = 24
KEEP_CLOSED_DAYS = 365


class OrganisationType(models.TextChoices):
    NON_PROFIT = "non-profit", _("non-profit organisation")
    COOPERATIVE = "cooperative", _("cooperative")
    PUBLIC_BODY = "public-body", _("public body")
    COMPANY = "company", _("company")
    PRIVATE = "private", _("private person")


class Budget(models.TextChoices):
    UNKNOWN = "unknown", _("don't know yet")
    UP_TO_5K = "up-to-5k", _("up to 5,000 €")
    UP_TO_20K = "5k-20k", _("5,000 to 20,000 €")
    UP_TO_50K = "20k-50k", _("20,000 to 50,000 €")
    ABOVE_50K = "above-50k", _("more than 50,000 €")


class TimeFrame(models.TextChoices):
    UNKNOWN = "unknown", _("don't know yet")
    SOON = "soon", _("within a month")
    QUARTER = "quarter", _("within three months")
    HALF_YEAR = "half-year", _("within six months")
    LATER = "later", _("later")


class InquiryLanguage(models.TextChoices):
    DE = "de", _("German")
    EN = "en", _("English")


class State(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("email not confirmed yet")
    OPEN = "open", _("collectives are being asked")
    ASSIGNED = "assigned", _("a collective is ready")
    HANDED_OVER = "handed-over", _("handed over")
    NO_TAKER = "no-taker", _("no collective could take it")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Answer(models.TextChoices):
    PENDING = "", _("not answered yet")
    INTERESTED = "interested", _("interested")
    DECLINED = "declined", _("not this time")


class InquirySettings(models.Model):
    """How many inquiries a collective takes per rolling window, and whether it pauses them."""

    collective = models.OneToOneField(
        Collective, on_delete=models.CASCADE, related_name="inquiry_settings"
    )
    capacity = models.PositiveSmallIntegerField(
        _("inquiries per window"),
        default=DEFAULT_RULES.default_capacity,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    paused = models.BooleanField(
        _("pause inquiries"),
        default=False,
        help_text=_("While paused, your collective is not asked about new inquiries."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inquiry settings")
        verbose_name_plural = _("inquiry settings")

    def __str__(self) -> str:
        return str(self.collective)


class InquiryQuerySet(models.QuerySet["Inquiry"]):
    def confirmed(self) -> Self:
        return self.exclude(state=State.UNCONFIRMED)

    def unmet(self) -> Self:
        return self.filter(state=State.NO_TAKER)


class Inquiry(models.Model):
    description = models.TextField(_("what is your project about?"), max_length=5000)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="+", verbose_name=_("kind of work")
    )
    organisation_type = models.CharField(
        _("your organisation"), max_length=16, choices=OrganisationType.choices
    )
    budget = models.CharField(
        _("budget"), max_length=16, choices=Budget.choices, default=Budget.UNKNOWN
    )
    time_frame = models.CharField(
        _("time frame"), max_length=16, choices=TimeFrame.choices, default=TimeFrame.UNKNOWN
    )
    region = models.CharField(
        _("region"),
        max_length=5,
        blank=True,
        help_text=_("A country code (DE) or EU region code (DED51 for Leipzig)."),
    )
    remote = models.BooleanField(_("the work can be done remotely"), default=False)
    language = models.CharField(
        _("language"), max_length=2, choices=InquiryLanguage.choices, default=InquiryLanguage.DE
    )
    contact_name = models.CharField(_("your name"), max_length=120)
    contact_email = models.EmailField(_("your email address"), max_length=254)
    contact_phone = models.CharField(_("phone (optional)"), max_length=40, blank=True)
    consent_at = models.DateTimeField(_("consent to pass on given"))
    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="direct_inquiries",
        verbose_name=_("asked directly"),
        help_text=_("Set when the client asked this collective only."),
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.UNCONFIRMED)
    status_digest = models.CharField(max_length=DIGEST_LENGTH, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    round_closes_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The assignment, with the figures of the rule that decided it.
    seed = models.BigIntegerField(null=True, blank=True)
    decided_by = models.CharField(max_length=16, blank=True)
    deficits = models.JSONField(default=dict, blank=True)
    """Each interested collective's deficit when the rule decided (earned minus received)."""
    exclusions = models.JSONField(default=dict, blank=True)
    """How many collectives were left out, by reason (no names: the client sees it)."""
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = InquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "round_closes_at"])]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        first = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first[:80] + ("…" if len(first) > 80 else "")

    def status_url(self, raw_token: str) -> str:
        return reverse("inquiries:status", args=[raw_token])

    @property
    def assigned_offer(self) -> InquiryOffer | None:
        return next((o for o in self.offers.all() if o.assigned), None)

    @property
    def chosen_offer(self) -> InquiryOffer | None:
        return next((o for o in self.offers.all() if o.chosen_at is not None), None)

    @property
    def interested_offers(self) -> list[InquiryOffer]:
        return [o for o in self.offers.all() if o.answer == Answer.INTERESTED]


class InquiryOfferQuerySet(models.QuerySet["InquiryOffer"]):
    def for_collective(self, collective: Collective) -> Self:
        return (
            self.filter(collective=collective)
            .exclude(inquiry__state=State.UNCONFIRMED)
            .select_related("inquiry", "decision")
            .prefetch_related("inquiry__topics")
            .order_by("-asked_at", "-pk")
        )

    def counted_since(self, since: datetime) -> Self:
        return self.filter(counted_at__gte=since)


class InquiryOffer(models.Model):
    """One collective asked about one inquiry, with why it fits and what it answered."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="offers")
    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    """The matching engine's reasons: [{"en": …, "de": …}]."""
    screening = models.JSONField(default=dict, blank=True)
    """The red-line screening: {"red_lines": n, "hits": []} (an offer is only made without hits)."""
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=16, choices=Answer.choices, blank=True, default="")
    note = models.TextField(_("note to the client"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        "workbench.Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned = models.BooleanField(default=False)
    """The rule's pick among the interested."""
    chosen_at = models.DateTimeField(null=True, blank=True)
    """When the client chose this collective (and it got the inquiry as a lead)."""
    counted_at = models.DateTimeField(null=True, blank=True)
    """When this offer started to count against the collective's capacity."""
    share = models.FloatField(null=True, blank=True)
    """The share of the inquiry this collective earned by saying "interested" (its capacity over
    that of all the interested) when the round closed; the rule's deficit adds these up."""
    lead = models.ForeignKey(
        "workbench.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InquiryOfferQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "collective"], name="one_offer_per_collective"
            )
        ]
        ordering = ["-score", "pk"]

    def __str__(self) -> str:
        return f"{self.collective} ← {self.inquiry}"

    def reason_texts(self, lang: str) -> list[str]:
        return [str(r.get(lang) or r.get("en") or "") for r in self.reasons if isinstance(r, dict)]


def counts_by_collective(since: datetime) -> dict[int, dict[str, int]]:
    """Offered, interested and assigned per collective since `since`: no client details."""
    rows = (
        InquiryOffer.objects.filter(asked_at__gte=since)
        .values("collective_id")
        .annotate(
            offered=Count("pk"),
            interested=Count("pk", filter=Q(answer=Answer.INTERESTED)),
            assigned=Count("pk", filter=Q(counted_at__isnull=False)),
        )
    )
    return {
        row["collective_id"]: {
            "offered": row["offered"],
            "interested": row["interested"],
            "assigned": row["assigned"],
        }
        for row in rows
    }


class LimitKind(models.TextChoices):
    ADDRESS = "address", _("network address")
    EMAIL = "email", _("email address")


class SubmissionMark(models.Model):
    """One inquiry sent from an address or for an email: the rows the public form's limits count.

    Only a keyed digest is stored, never the address or email itself; rows older than a day go.
    """

    kind = models.CharField(max_length=8, choices=LimitKind.choices)
    fingerprint = models.CharField(max_length=DIGEST_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "fingerprint", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def window_start(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=DEFAULT_RULES.window_days)


class SpentChallenge(models.Model):
    """A proof-of-work challenge whose solution the public form accepted (`proof_of_work.py`).

    Only a hash of the challenge's signature is kept, until the challenge expires, so the same
    solution cannot be sent twice; the worker deletes expired rows.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.fingerprint[:12]}… until {self.expires_at:%Y-%m-%d %H:%M}"
