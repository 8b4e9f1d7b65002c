"""People who log in to klinke, and their personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.core.tokens import hash_token, issue_token

STEWARD_GROUP = "Network stewards"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="de",
        help_text=_("Emails from klinke are sent in this language."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_staff = models.BooleanField(_("can use the admin"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo account"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set when the person deleted their account: the row stays so that what they wrote for a
    # collective keeps its author, shown as "former member"; everything personal is gone.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.deleted_at is not None:
            return str(_("former member"))
        return self.name or self.email.split("@")[0]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_steward(self) -> bool:
        if self.is_superuser:
            return True
        cached: bool | None = getattr(self, "_is_steward", None)
        if cached is None:
            cached = self.groups.filter(name=STEWARD_GROUP).exists()
            self._is_steward = cached
        return cached


class APITokenQuerySet(models.QuerySet["APIToken"]):
    def active(self) -> APITokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, raw: str) -> APIToken | None:
        token = self.active().select_related("user").filter(digest=hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        return token


class APIToken(models.Model):
    """A personal token for the JSON API. Only its SHA-256 digest is stored."""

    PREFIX = "klk_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = APITokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[APIToken, str]:
        """Create a token and return it with its secret, which is shown to the user once."""
        raw, digest = issue_token(cls.PREFIX)
        token = cls.objects.create(user=user, name=name, digest=digest, hint=raw[:8])
        return token, raw

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class PersonalExportState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    BUILDING = "building", _("being built")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class PersonalExportQuerySet(models.QuerySet["PersonalExport"]):
    def of(self, user: User) -> PersonalExportQuerySet:
        return self.filter(user=user)

    def expired(self, now: datetime) -> PersonalExportQuerySet:
        return self.filter(expires_at__lte=now)


class PersonalExport(models.Model):
    """A person's request for everything klinke holds about them, and the archive built for it.

    The worker builds the archive into private storage (never under a served folder); the
    download link works for its owner only, until `expires_at`, when a job deletes the file.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_exports"
    )
    state = models.CharField(
        max_length=16, choices=PersonalExportState.choices, default=PersonalExportState.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)

    objects = PersonalExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.requested_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:export_download", args=[self.pk])

    @property
    def is_downloadable(self) -> bool:
        return (
            self.state == PersonalExportState.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )
