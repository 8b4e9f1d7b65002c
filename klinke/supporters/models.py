"""Supporters: experienced people and organisations who help collectives."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klinke.core.languages import interface_language
from klinke.core.models import (
    DirectoryProfile,
    DirectoryProfileQuerySet,
    Visitor,
    signed_in_pk,
)


class Sector(models.TextChoices):
    PUBLIC_ADMINISTRATION = "public-administration", _("public administration")
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health")
    CULTURE = "culture", _("culture")
    CIVIL_SOCIETY = "civil-society", _("civil society")
    COOPERATIVES = "cooperatives", _("cooperatives")
    SMES = "smes", _("small and medium businesses")
    MEDIA = "media", _("media")
    ENERGY = "energy", _("energy")
    MOBILITY = "mobility", _("mobility")
    RESEARCH = "research", _("research")
    SOCIAL_SERVICES = "social-services", _("social services")
    HOUSING = "housing", _("housing")
    AGRICULTURE = "agriculture", _("agriculture")


# Any rather than "Supporter" for now: typed rows make knowledge/candidates.py's reading of
# the optional `user_id` fail mypy, and that app is changed on another branch.
class SupporterQuerySet(DirectoryProfileQuerySet[Any]):
    pass


def is_supporter(user: Visitor) -> bool:
    """Whether `user` has a supporter profile (a network role)."""
    user_id = signed_in_pk(user)
    return user_id is not None and Supporter.objects.filter(user_id=user_id).exists()


class Supporter(DirectoryProfile):
    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("organisation")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporter",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    bio_de = models.TextField(_("about (German)"), blank=True)
    bio_en = models.TextField(_("about (English)"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    topics = models.ManyToManyField(
        "topics.Topic",
        verbose_name=_("topics they can help with"),
        blank=True,
        related_name="supporters",
    )
    brokering_sectors = models.CharField(
        _("sectors in which they can broker contacts"), max_length=400, blank=True, default=""
    )
    brokering_regions = models.CharField(
        _("regions in which they can broker contacts"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated country or NUTS codes, e.g. DE, DED, AT13."),
    )
    hours_per_month = models.PositiveSmallIntegerField(
        _("available hours per month"), null=True, blank=True
    )

    objects = SupporterQuerySet.as_manager()

    directory_kind = _("Supporter")
    SEARCH_PREFETCH = ("topics",)

    MEMBERS_ONLY_FIELDS = ("hours_per_month",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        # The directory's alphabetical order.
        indexes = [
            models.Index(Lower("name"), F("id"), name="supporter_sort_name"),
            models.Index(F("search_length"), Lower("name"), F("id"), name="supporter_search_order"),
            models.Index(Upper("city"), name="supporter_city"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("supporters:detail", args=[self.slug])

    @property
    def bio(self) -> str:
        if interface_language() == "de":
            return self.bio_de or self.bio_en
        return self.bio_en or self.bio_de

    @property
    def sector_codes(self) -> list[str]:
        return [code for code in self.brokering_sectors.split(",") if code]

    @sector_codes.setter
    def sector_codes(self, codes: list[str]) -> None:
        self.brokering_sectors = ",".join(sorted(set(codes)))

    @property
    def sector_labels(self) -> list[str]:
        labels = dict(Sector.choices)
        return [str(labels.get(code, code)) for code in self.sector_codes]

    @property
    def region_codes(self) -> list[str]:
        return [code.strip() for code in self.brokering_regions.split(",") if code.strip()]

    def is_managed_by(self, user: object) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and self.user_id == getattr(
            user, "pk", None
        )

    def texts_for_search(self) -> list[str]:
        return [
            *super().texts_for_search(),
            self.bio_de,
            self.bio_en,
            self.organisation,
            " ".join(self.sector_labels),
        ]
