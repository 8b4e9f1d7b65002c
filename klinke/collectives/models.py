"""Collectives, their members, references and invitations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.core.languages import interface_language
from klinke.core.models import (
    DirectoryProfile,
    DirectoryProfileQuerySet,
    Visitor,
    signed_in_pk,
)
from klinke.core.tokens import DIGEST_LENGTH, hash_token, issue_token, make_token

if TYPE_CHECKING:
    from klinke.accounts.models import User


class LegalForm(models.TextChoices):
    NONE = "", _("not stated")
    EG = "eg", _("cooperative (eG)")
    GMBH = "gmbh", _("limited company (GmbH)")
    UG = "ug", _("mini limited company (UG)")
    EV = "ev", _("registered association (e.V.)")
    GBR = "gbr", _("civil-law partnership (GbR)")
    AG = "ag", _("stock corporation (AG)")
    KG = "kg", _("limited partnership (KG)")
    SOLE = "sole", _("sole proprietorship")
    OTHER = "other", _("other")


class ClientType(models.TextChoices):
    PUBLIC_SECTOR = "public-sector", _("public sector")
    CIVIL_SOCIETY = "civil-society", _("civil society / NGO")
    COOPERATIVE = "cooperative", _("cooperative")
    SME = "sme", _("small or medium business")
    ENTERPRISE = "enterprise", _("large enterprise")
    EDUCATION = "education", _("education")
    RESEARCH = "research", _("research")
    CULTURE = "culture", _("culture")
    HEALTH = "health", _("health")
    OTHER = "other", _("other")


class CollectiveQuerySet(DirectoryProfileQuerySet["Collective"]):
    def active(self) -> CollectiveQuerySet:
        return self.filter(archived_at__isnull=True)

    def of_member(self, user: Visitor) -> CollectiveQuerySet:
        user_id = signed_in_pk(user)
        if user_id is None:
            return self.none()
        return self.filter(memberships__user_id=user_id)

    def with_profile_relations(self) -> CollectiveQuerySet:
        """Everything a collective's page or API record shows, fetched in a fixed number of
        queries: topics, references, and members with their users."""
        return self.prefetch_related(
            "topics",
            "references",
            models.Prefetch("memberships", Membership.objects.select_related("user")),
        )


class Collective(DirectoryProfile):
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    legal_form = models.CharField(
        _("legal form"), max_length=8, choices=LegalForm.choices, blank=True, default=""
    )
    founded_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    member_count = models.PositiveSmallIntegerField(
        _("number of members"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    remote_friendly = models.BooleanField(_("works remotely"), default=False)
    website = models.URLField(_("website"), blank=True)
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), blank=True, related_name="collectives"
    )
    technologies = models.CharField(
        _("technologies"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. Django, PostgreSQL, Ansible."),
    )
    values_statement = models.TextField(_("values statement"), blank=True)
    red_lines = models.TextField(
        _("red lines"), blank=True, help_text=_("Work this collective refuses to do.")
    )
    capacity_person_days_per_month = models.PositiveSmallIntegerField(
        _("free person-days per month"), null=True, blank=True
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    # Opt-out: a public collective's profile, and its public needs and offers, are published
    # as Murmurations profiles (klinke.network.murmurations) unless its members turn this off.
    publish_to_murmurations = models.BooleanField(
        _("show on Murmurations maps"),
        default=True,
        help_text=_(
            "Publish this public profile and its public needs and offers as Murmurations "
            "profiles, so maps of cooperatives outside this network can find you."
        ),
    )

    objects = CollectiveQuerySet.as_manager()

    directory_kind = _("Collective")
    SEARCH_PREFETCH = ("topics", "references")

    # Shown only to network members, in HTML and in the API.
    MEMBERS_ONLY_FIELDS = ("red_lines", "capacity_person_days_per_month", "members")

    class Meta:
        ordering = ["name"]
        verbose_name = _("collective")
        verbose_name_plural = _("collectives")
        # The directory's alphabetical order and the front page's newest collectives.
        indexes = [
            models.Index(Lower("name"), F("id"), name="collective_sort_name"),
            models.Index(
                F("search_length"), Lower("name"), F("id"), name="collective_search_order"
            ),
            models.Index(fields=["-created_at"], name="collective_newest"),
            models.Index(Upper("city"), name="collective_city"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("collectives:detail", args=[self.slug])

    @property
    def description(self) -> str:
        """The description in the reader's language, falling back to the other one."""
        if interface_language() == "de":
            return self.description_de or self.description_en
        return self.description_en or self.description_de

    @property
    def technology_list(self) -> list[str]:
        return [item.strip() for item in self.technologies.split(",") if item.strip()]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def member_users(self) -> list[User]:
        """The people in this collective, in the order they joined (whom its mail goes to)."""
        return [m.user for m in self.memberships.select_related("user").order_by("pk")]

    def has_member(self, user: Visitor | None) -> bool:
        user_id = signed_in_pk(user)
        return user_id is not None and self.memberships.filter(user_id=user_id).exists()

    def texts_for_search(self) -> list[str]:
        references = [ref.summary for ref in self.references.all()]
        return [
            *super().texts_for_search(),
            self.description_de,
            self.description_en,
            self.technologies,
            self.values_statement,
            *references,
        ]


class Reference(models.Model):
    """A case study: what the collective built, for whom, when."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="references")
    client_type = models.CharField(_("client type"), max_length=20, choices=ClientType.choices)
    summary = models.TextField(_("what was built"), max_length=2000)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1970), MaxValueValidator(2100)],
    )
    url = models.URLField(_("link"), blank=True)

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self) -> str:
        return self.summary[:60]


class Membership(models.Model):
    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collective", "user"], name="one_membership_per_person")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.collective}"


def _invitation_token() -> str:
    """The clear-text secret of migration 0001, which still refers to it; not used since."""
    return make_token()


def _invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.KLINKE_INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def with_secret(self, raw: str) -> InvitationQuerySet:
        """The invitation whose link carries `raw` (looked up by digest)."""
        return self.filter(digest=hash_token(raw))

    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A one-time link that lets the holder of an email address join a collective."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Only the digest of the secret in the link is stored; the link is in the email alone.
    digest = models.CharField(max_length=DIGEST_LENGTH, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.collective}"

    @classmethod
    def issue(
        cls, *, collective: Collective, email: str, invited_by: User
    ) -> tuple[Invitation, str]:
        """Create an invitation and return it with the secret for its link, shown only once."""
        raw, digest = issue_token()
        invitation = cls.objects.create(
            collective=collective, email=email, invited_by=invited_by, digest=digest
        )
        return invitation, raw

    @staticmethod
    def accept_path(raw: str) -> str:
        return reverse("collectives:accept_invitation", args=[raw])

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
