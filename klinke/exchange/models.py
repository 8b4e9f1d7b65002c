"""The support exchange: needs (Gesuche), offers (Angebote) and introductions (Vermittlungen)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import ClassVar, Self, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.base import ModelBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.core.models import Visibility, Visitor, is_network_member, split_languages
from klinke.supporters.models import Supporter

_Item = TypeVar("_Item", bound="ExchangeItem")

ITEM_LIFETIME_DAYS = 90
INTRODUCTION_ANSWER_DAYS = 14


class HelpKind(models.TextChoices):
    PROJECT_COOPERATION = "project-cooperation", _("project cooperation")
    CONTACT_BROKERING = "contact-brokering", _("contact brokering")
    EXPERIENCE_EXCHANGE = "experience-exchange", _("experience exchange / mentoring")
    WORKSHOP = "workshop", _("workshop")


class ItemState(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in-progress", _("in progress")
    CLOSED = "closed", _("closed")


class Outcome(models.TextChoices):
    NONE = "", _("none yet")
    FULFILLED = "fulfilled", _("found help through the network")
    ELSEWHERE = "elsewhere", _("solved elsewhere")
    DROPPED = "dropped", _("no longer needed")


def _new_ref(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def _default_expiry() -> date:
    return timezone.localdate() + timedelta(days=ITEM_LIFETIME_DAYS)


class ExchangeItemQuerySet(models.QuerySet[_Item]):
    def visible_to(self, user: Visitor) -> Self:
        if is_network_member(user):
            return self
        return self.filter(visibility=Visibility.PUBLIC)

    def current(self) -> Self:
        """Open or in progress, not past the expiry date, and not of an archived collective."""
        return (
            self.exclude(state=ItemState.CLOSED)
            .filter(expires_on__gte=timezone.localdate())
            .exclude(collective__archived_at__isnull=False)
        )

    def expired_unnotified(self) -> Self:
        return self.exclude(state=ItemState.CLOSED).filter(
            expires_on__lt=timezone.localdate(), expiry_notified_at__isnull=True
        )


class NeedQuerySet(ExchangeItemQuerySet["Need"]):
    pass


class OfferQuerySet(ExchangeItemQuerySet["Offer"]):
    def visible_to(self, user: Visitor) -> Self:
        """Like other items, and the owner's profile must be visible too: a public offer of a
        members-only supporter or collective would otherwise name them to everyone."""
        if is_network_member(user):
            return self
        return self.filter(visibility=Visibility.PUBLIC).filter(
            Q(supporter__visibility=Visibility.PUBLIC) | Q(collective__visibility=Visibility.PUBLIC)
        )


class ExchangeItem(models.Model):
    """What needs and offers share: text, kinds, topics, place, time and a life cycle."""

    ref = models.SlugField(
        _("reference"),
        max_length=80,
        unique=True,
        help_text=_("A stable short name, used in imports and by the match command."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    kinds = models.CharField(_("kinds of help"), max_length=200)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    nuts_code = models.CharField(_("NUTS code"), max_length=5, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    remote_ok = models.BooleanField(_("remote is fine"), default=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True, default="")
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    effort_hours = models.PositiveSmallIntegerField(
        _("expected effort in hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )
    expires_on = models.DateField(_("expires on"), default=_default_expiry)
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=ItemState.choices, default=ItemState.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    ref_prefix: ClassVar[str]
    """Starts each new reference ("need-…", "offer-…"), so a reference names its kind."""

    def save(
        self,
        *,
        force_insert: bool | tuple[ModelBase, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        if not self.ref:
            self.ref = _new_ref(self.ref_prefix)
        super().save(
            force_insert=force_insert,
            force_update=force_update,
            using=using,
            update_fields=update_fields,
        )

    @property
    def kind_codes(self) -> list[str]:
        return [code for code in self.kinds.split(",") if code]

    @kind_codes.setter
    def kind_codes(self, codes: list[str]) -> None:
        order = [code for code, _label in HelpKind.choices]
        self.kinds = ",".join(sorted(set(codes), key=order.index))

    @property
    def kind_labels(self) -> list[str]:
        labels = dict(HelpKind.choices)
        return [str(labels[code]) for code in self.kind_codes if code in labels]

    @property
    def language_codes(self) -> list[str]:
        return split_languages(self.languages)

    @language_codes.setter
    def language_codes(self, codes: list[str]) -> None:
        self.languages = f",{','.join(sorted(set(codes)))}," if codes else ""

    @property
    def is_expired(self) -> bool:
        return self.state != ItemState.CLOSED and self.expires_on < timezone.localdate()

    @property
    def region_label(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)

    def copy_region_from(self, profile: Supporter | Collective) -> None:
        for name in ("city", "country", "nuts_code", "latitude", "longitude"):
            setattr(self, name, getattr(profile, name))


class Need(ExchangeItem):
    """What a collective asks the network for."""

    ref_prefix = "need"
    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="needs")
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), blank=True, related_name="needs"
    )

    objects = NeedQuerySet.as_manager()

    class Meta(ExchangeItem.Meta):
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        # The exchange list's order (newest first).
        indexes = [models.Index(fields=["-created_at", "id"], name="need_newest")]

    def get_absolute_url(self) -> str:
        return reverse("exchange:need_detail", args=[self.ref])

    def is_owned_by(self, user: Visitor) -> bool:
        return self.collective.has_member(user)

    @property
    def owner(self) -> Collective:
        return self.collective

    @property
    def owner_name(self) -> str:
        return self.collective.name


class Offer(ExchangeItem):
    """What a supporter, or a collective helping others, offers the network."""

    ref_prefix = "offer"

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="offers"
    )
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, null=True, blank=True, related_name="offers"
    )
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), blank=True, related_name="offers"
    )

    objects = OfferQuerySet.as_manager()

    class Meta(ExchangeItem.Meta):
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["-created_at", "id"], name="offer_newest")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(supporter__isnull=False) & Q(collective__isnull=True))
                | (Q(supporter__isnull=True) & Q(collective__isnull=False)),
                name="offer_has_exactly_one_owner",
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("exchange:offer_detail", args=[self.ref])

    @property
    def owner(self) -> Supporter | Collective:
        owner = self.supporter or self.collective
        assert owner is not None
        return owner

    @property
    def owner_name(self) -> str:
        return self.owner.name

    def is_owned_by(self, user: Visitor) -> bool:
        if self.supporter is not None:
            return self.supporter.is_managed_by(user)
        return self.collective is not None and self.collective.has_member(user)


class IntroductionState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("expired")
    COMPLETED = "completed", _("completed")


OPEN_INTRODUCTION_STATES = (IntroductionState.REQUESTED, IntroductionState.ACCEPTED)
CONSENTED_STATES = (IntroductionState.ACCEPTED, IntroductionState.COMPLETED)


class IntroductionQuerySet(models.QuerySet["Introduction"]):
    def involving(self, user: Visitor) -> IntroductionQuerySet:
        """Introductions where `user` is on either side."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            Q(need__collective__memberships__user=user)
            | Q(supporter__user=user)
            | Q(collective__memberships__user=user)
        ).distinct()

    def awaiting_answer(self) -> IntroductionQuerySet:
        return self.filter(state=IntroductionState.REQUESTED)

    def overdue(self) -> IntroductionQuerySet:
        return self.filter(state=IntroductionState.REQUESTED, expires_at__lte=timezone.now())


def _answer_deadline() -> datetime:
    return timezone.now() + timedelta(days=INTRODUCTION_ANSWER_DAYS)


class Introduction(models.Model):
    """A consent-based introduction between a collective with a need and a helper.

    The helper is a supporter or another collective. Contact details are stored on both
    sides' consent and shown only once both have said yes.
    """

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="introductions")
    offer = models.ForeignKey(
        Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="introductions"
    )
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="introductions"
    )
    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="introductions_received",
    )
    # "supporter:<pk>" or "collective:<pk>": one non-null column for the uniqueness rule.
    counterpart_key = models.CharField(max_length=40, editable=False)
    state = models.CharField(
        max_length=16, choices=IntroductionState.choices, default=IntroductionState.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("message"), max_length=2000)
    requester_email = models.EmailField(_("email"))
    requester_phone = models.CharField(_("phone"), max_length=40, blank=True)
    requester_channel = models.CharField(_("preferred channel"), max_length=200, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    response_message = models.TextField(_("answer"), max_length=2000, blank=True)
    responder_email = models.EmailField(_("email"), blank=True)
    responder_phone = models.CharField(_("phone"), max_length=40, blank=True)
    responder_channel = models.CharField(_("preferred channel"), max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_answer_deadline)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    helpful = models.BooleanField(_("was it helpful?"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback_note = models.TextField(_("note"), max_length=2000, blank=True)

    objects = IntroductionQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "pk"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "counterpart_key"],
                condition=Q(state__in=["requested", "accepted"]),
                name="one_open_introduction_per_pair",
            ),
            models.CheckConstraint(
                condition=(Q(supporter__isnull=False) & Q(collective__isnull=True))
                | (Q(supporter__isnull=True) & Q(collective__isnull=False)),
                name="introduction_has_exactly_one_counterpart",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="introduction_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.counterpart_name}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:introduction_detail", args=[self.pk])

    @staticmethod
    def key_for(counterpart: Supporter | Collective) -> str:
        kind = "supporter" if isinstance(counterpart, Supporter) else "collective"
        return f"{kind}:{counterpart.pk}"

    @property
    def counterpart(self) -> Supporter | Collective:
        counterpart = self.supporter or self.collective
        assert counterpart is not None
        return counterpart

    @property
    def counterpart_name(self) -> str:
        return self.counterpart.name

    def is_requester(self, user: Visitor) -> bool:
        return self.need.collective.has_member(user)

    def is_counterpart(self, user: Visitor) -> bool:
        if self.supporter is not None:
            return self.supporter.is_managed_by(user)
        return self.collective is not None and self.collective.has_member(user)

    def involves(self, user: Visitor) -> bool:
        return self.is_requester(user) or self.is_counterpart(user)

    @property
    def contact_details_visible(self) -> bool:
        """Contact details flow only after both sides have consented."""
        return self.state in CONSENTED_STATES

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_INTRODUCTION_STATES


class MatchChangeQuerySet(models.QuerySet["MatchChange"]):
    def after(self, pool: str, number: int) -> Self:
        """The changes to `pool` a generation with this high-water mark does not include."""
        return self.filter(pool=pool, pk__gt=number)


class MatchChange(models.Model):
    """A candidate of a matching pool changed: the shared index is out of date for it.

    Web processes rank these from the database beside the shared index (the overlay); the
    worker folds them into the next index and then deletes them. A row names the document
    (e.g. "offer:<ref>"), not what changed, so it is written for any change at all.
    """

    pool = models.CharField(max_length=16)
    ref = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MatchChangeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["pool", "id"], name="exchange_matchchange_pool_id")]

    def __str__(self) -> str:
        return f"{self.pool} {self.ref}"

    @classmethod
    def record(cls, pool: str, refs: Iterable[str]) -> None:
        cls.objects.bulk_create([cls(pool=pool, ref=ref) for ref in dict.fromkeys(refs)])
