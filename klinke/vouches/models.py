"""Vouches (Fürsprachen): a collective's or supporter's public word for another collective,
naming the project they did together.

A vouch is public only once both sides have said yes: the voucher offers it and a member of
the vouched-for collective accepts, or the collective asks a past partner and the partner
accepts. Either side can withdraw it at any time; a withdrawn vouch leaves public pages at once.
Nobody vouches for their own collective: a check constraint keeps a collective from vouching for
itself, the actions keep its members from doing so as supporters or for another collective.
"""

from __future__ import annotations

from typing import Unpack

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.core.models import Visibility, Visitor, is_network_member
from klinke.core.signatures import SaveOptions
from klinke.supporters.models import Supporter


class VouchState(models.TextChoices):
    PENDING = "pending", _("waiting for the other side")
    PUBLIC = "public", _("public")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATES = (VouchState.PENDING, VouchState.PUBLIC)
"""A vouch in these states counts for the rule "one vouch per pair and project"."""


class VouchSource(models.TextChoices):
    REFERRAL = "referral", _("a referral")
    CONSORTIUM = "consortium", _("a consortium")
    INTRODUCTION = "introduction", _("an introduction")
    HAND = "hand", _("entered by hand")


class VouchQuerySet(models.QuerySet["Vouch"]):
    def public(self) -> VouchQuerySet:
        return self.filter(state=VouchState.PUBLIC)

    def seen_by(self, user: Visitor) -> VouchQuerySet:
        """Public vouches whose voucher `user` may see: a members-only profile's name is not
        shown to the public, not even as a voucher."""
        vouches = self.public().filter(
            Q(voucher_collective__archived_at__isnull=True) | Q(voucher_collective__isnull=True)
        )
        if not is_network_member(user):
            vouches = vouches.filter(
                Q(voucher_collective__visibility=Visibility.PUBLIC)
                | Q(voucher_supporter__visibility=Visibility.PUBLIC)
            )
        return vouches.select_related("voucher_collective", "voucher_supporter").order_by(
            "-accepted_at", "-pk"
        )

    def involving(self, collective: Collective) -> VouchQuerySet:
        return self.filter(Q(collective=collective) | Q(voucher_collective=collective))

    def of_supporter(self, supporter: Supporter) -> VouchQuerySet:
        return self.filter(voucher_supporter=supporter)

    def for_lists(self) -> VouchQuerySet:
        return self.select_related("collective", "voucher_collective", "voucher_supporter")


class Vouch(models.Model):
    """One side's public word for a collective, naming the project they did together."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="vouches_received",
        verbose_name=_("vouched-for collective"),
    )
    voucher_collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="vouches_given",
    )
    voucher_supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="vouches_given"
    )
    # "collective:<pk>" or "supporter:<pk>": one non-null column for the uniqueness rule.
    voucher_key = models.CharField(max_length=40, editable=False)
    project = models.CharField(_("the project you did together"), max_length=200)
    statement = models.TextField(_("what you would like to say"), max_length=1000, blank=True)
    source = models.CharField(
        _("where you worked together"),
        max_length=16,
        choices=VouchSource.choices,
        default=VouchSource.HAND,
    )
    referral = models.ForeignKey(
        "workbench.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consortium = models.ForeignKey(
        "tenders.Consortium", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    introduction = models.ForeignKey(
        "exchange.Introduction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    offered_by_voucher = models.BooleanField(
        default=True,
        help_text="True: the voucher offered it; False: the collective asked for it.",
    )
    state = models.CharField(max_length=16, choices=VouchState.choices, default=VouchState.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    objects = VouchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("vouch")
        verbose_name_plural = _("vouches")
        constraints = [
            models.CheckConstraint(
                condition=Q(voucher_collective__isnull=False, voucher_supporter__isnull=True)
                | Q(voucher_collective__isnull=True, voucher_supporter__isnull=False),
                name="vouch_has_one_voucher",
            ),
            models.CheckConstraint(
                condition=~Q(voucher_collective=F("collective")),
                name="vouch_not_for_own_collective",
            ),
            models.UniqueConstraint(
                "collective",
                "voucher_key",
                Lower("project"),
                condition=Q(state__in=["pending", "public"]),
                name="one_vouch_per_pair_and_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_name} → {self.collective.name}: {self.project}"

    def save(self, **options: Unpack[SaveOptions]) -> None:
        self.voucher_key = self.key_for(self.voucher)
        super().save(**options)

    @staticmethod
    def key_for(voucher: Collective | Supporter) -> str:
        kind = "supporter" if isinstance(voucher, Supporter) else "collective"
        return f"{kind}:{voucher.pk}"

    @property
    def voucher(self) -> Collective | Supporter:
        voucher = self.voucher_collective or self.voucher_supporter
        assert voucher is not None
        return voucher

    @property
    def voucher_name(self) -> str:
        return self.voucher.name

    @property
    def is_public(self) -> bool:
        return self.state == VouchState.PUBLIC

    @property
    def is_pending(self) -> bool:
        return self.state == VouchState.PENDING
