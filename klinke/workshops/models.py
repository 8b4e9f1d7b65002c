"""Workshops: ideas that gather interest (Workshop-Ideen), events with registration, capacity
and an ordered waitlist (Veranstaltungen), materials after an event, and personal calendar feeds.

Times are stored as aware datetimes (UTC in the database) together with the IANA name of the
zone the hosts planned in, so an event keeps its local wall-clock time in calendars across
daylight-saving changes.
"""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import PurePosixPath
from typing import Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.core.languages import LANGUAGE_NAMES, WORKING_LANGUAGES
from klinke.core.models import TopicSet, Visibility, Visitor, is_network_member, topic_names
from klinke.core.tokens import hash_token, issue_token

DEFAULT_TIMEZONE = "Europe/Berlin"
DEFAULT_INTEREST_THRESHOLD = 5
MAX_CAPACITY = 10_000
REMINDER_BEFORE = timedelta(hours=24)


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_choices() -> list[tuple[str, str]]:
    """Zones a host can pick: regional IANA names, without the legacy aliases."""
    skip = tuple(
        f"{area}/"
        for area in [
            "Etc",
            "SystemV",
            "posix",
            "right",
            "US",
            "Canada",
            "Brazil",
            "Mexico",
            "Chile",
        ]
    )
    names = sorted(
        name
        for name in known_timezones()
        if "/" in name and not name.startswith(skip) and name[0].isupper()
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone; use a name like Europe/Berlin."),
            params={"value": value},
            code="unknown_timezone",
        )


class NonexistentLocalTime(ValueError):
    """A wall-clock time that a daylight-saving change skips in that zone."""


def local_to_aware(naive: datetime, zone_name: str) -> datetime:
    """The aware datetime for a wall-clock time in `zone_name`.

    Raises NonexistentLocalTime for times skipped when clocks go forward (02:30 on the last
    Sunday of March in Europe/Berlin). A time that occurs twice when clocks go back is taken
    at its first occurrence (still summer time), as most calendar programs do.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = naive.replace(tzinfo=zone, fold=0)
    # A skipped time does not survive the round trip through UTC.
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name}")
    return aware


class EventFormat(models.TextChoices):
    IN_PERSON = "in-person", _("in person")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("hybrid (in person and online)")


class PreferredFormat(models.TextChoices):
    ONLINE = "online", _("online")
    IN_PERSON = "in-person", _("in person")
    EITHER = "either", _("either is fine")


class IdeaState(models.TextChoices):
    OPEN = "open", _("gathering interest")
    SCHEDULED = "scheduled", _("scheduled")
    CLOSED = "closed", _("closed")


class EventState(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("registered")
    WAITLISTED = "waitlisted", _("on the waitlist")
    CANCELLED = "cancelled", _("cancelled")


ACTIVE_REGISTRATION = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


_Shown = TypeVar("_Shown", bound=models.Model)


class VisibleQuerySet(models.QuerySet[_Shown]):
    def visible_to(self, user: Visitor) -> Self:
        if is_network_member(user):
            return self
        return self.filter(visibility=Visibility.PUBLIC)

    def matching_terms(self, terms: list[str]) -> Self:
        """Rows whose search document holds every term, found through the search index
        (`core.search`: PostgreSQL full text, SQLite FTS5), as the directory searches."""
        from klinke.core import search

        return search.matching(self, search.TextQuery.all_of(terms))


class SearchableMixin:
    """Kept because migration 0001 names it as a base; the behaviour is on `WorkshopListing`."""


class WorkshopListing(SearchableMixin, models.Model):
    """What ideas and events share: a language, a visibility, the demo flag, timestamps, and a
    space-padded search document of title, description and topic names.

    A concrete model declares `title`, `description` and `topics` (each with its own limits and
    related name).
    """

    language = models.CharField(
        _("language"), max_length=8, choices=WORKING_LANGUAGES, default="de"
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    search_document = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    SEARCH_PREFETCH = ("topics",)

    title: str
    description: str
    topics: TopicSet
    card_url: str
    topic_names: list[str]
    """Only on rows a list shows as cards (`views._as_cards`): the address and topic names."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def language_name(self) -> str:
        return str(LANGUAGE_NAMES.get(self.language, self.language))

    def search_documents(self) -> dict[str, str]:
        """The search columns and what they should hold (see `core.search.rebuild`)."""
        from klinke.matching.analysis import search_document

        return {
            "search_document": search_document(
                self.title, self.description, *topic_names(self.topics)
            )
        }

    def refresh_search_document(self) -> None:
        """Rebuild and store the search document (call after the topics are set); the
        database's search index follows the column."""
        self.search_document = self.search_documents()["search_document"]
        type(self)._default_manager.filter(pk=self.pk).update(search_document=self.search_document)


# --- ideas ---------------------------------------------------------------------------


class WorkshopIdeaQuerySet(VisibleQuerySet["WorkshopIdea"]):
    def open(self) -> Self:
        return self.filter(state=IdeaState.OPEN)

    def with_interest_count(self) -> Self:
        """Annotate ``interest_count``: the proposers plus everyone else who is interested.

        The same number as :meth:`WorkshopIdea.interested_count`, for lists sorted by it.
        """
        others = (
            Interest.objects.filter(idea_id=OuterRef("pk"))
            .exclude(
                user_id__in=WorkshopIdea.proposers.through.objects.filter(
                    workshopidea_id=OuterRef(OuterRef("pk"))
                ).values("user_id")
            )
            .values("idea_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        zero = Value(0, output_field=IntegerField())
        return self.annotate(
            interest_count=Count("proposers", distinct=True)
            + Coalesce(Subquery(others, output_field=IntegerField()), zero)
        )


class WorkshopIdea(WorkshopListing):
    """A topic people can register interest in; with enough interest it becomes an event."""

    interest_count: int
    """Only on rows from `WorkshopIdeaQuerySet.with_interest_count()`."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), blank=True, related_name="workshop_ideas"
    )
    interest_threshold = models.PositiveSmallIntegerField(
        _("interest needed"),
        default=DEFAULT_INTEREST_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("When this many people are interested, you get an email and can plan it."),
    )
    proposers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        related_name="proposed_workshop_ideas",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=IdeaState.choices, default=IdeaState.OPEN
    )
    threshold_reached_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = WorkshopIdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("workshop idea")
        verbose_name_plural = _("workshop ideas")
        constraints = [
            models.CheckConstraint(
                condition=Q(interest_threshold__gte=1), name="idea_threshold_at_least_one"
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("workshops:idea_detail", args=[self.pk])

    def interested_count(self) -> int:
        """How many people are interested: whoever proposed the idea counts as interested."""
        # UNION drops a person who is both; one query either way.
        proposers = self.proposers.order_by().values_list("pk")
        people = proposers.union(self.interests.order_by().values_list("user_id"))
        return people.count()

    def is_proposer(self, user: Visitor) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        # Uses the prefetched proposers when the view prefetched them.
        return any(person.pk == user.pk for person in self.proposers.all())


class Interest(models.Model):
    """One person's interest in an idea, with the format, region and language they prefer."""

    idea = models.ForeignKey(WorkshopIdea, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_interests"
    )
    preferred_format = models.CharField(
        _("preferred format"),
        max_length=16,
        choices=PreferredFormat.choices,
        default=PreferredFormat.EITHER,
    )
    region = models.CharField(
        _("region"),
        max_length=120,
        blank=True,
        help_text=_("Where you could come to, e.g. Leipzig or Saxony. Leave empty if online."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=WORKING_LANGUAGES, default="de"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_interest_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea}"


# --- events --------------------------------------------------------------------------


def _this_minute() -> datetime:
    return timezone.now().replace(second=0, microsecond=0)


class EventQuerySet(VisibleQuerySet["Event"]):
    def upcoming(self) -> Self:
        """Events that have not ended by the start of this minute, soonest first (the same
        query all minute long, so the list's count can be cached: klinke.core.counts)."""
        return self.filter(ends_at__gt=_this_minute()).order_by("starts_at", "pk")

    def past(self) -> Self:
        return self.filter(ends_at__lte=_this_minute()).order_by("-starts_at", "-pk")

    def scheduled(self) -> Self:
        return self.filter(state=EventState.SCHEDULED)

    def with_counts(self) -> Self:
        return self.annotate(
            confirmed_count=Count(
                "registrations",
                filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
                distinct=True,
            ),
            waitlist_count=Count(
                "registrations",
                filter=Q(registrations__status=RegistrationStatus.WAITLISTED),
                distinct=True,
            ),
        )


class Event(WorkshopListing):
    """A workshop or meeting with registration, capacity and a waitlist."""

    confirmed_count: int
    waitlist_count: int
    """Only on rows from `EventQuerySet.with_counts()`."""
    my_status: str | None
    """Only on rows of the events list: the visitor's registration status, if any."""
    status_slot: str
    """Only on rows of a kept events list: where the visitor's status goes (core.fragments)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    idea = models.ForeignKey(
        WorkshopIdea,
        verbose_name=_("from the idea"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("hosts"), related_name="hosted_events"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIMEZONE, validators=[validate_timezone]
    )
    format = models.CharField(
        _("format"), max_length=16, choices=EventFormat.choices, default=EventFormat.IN_PERSON
    )
    venue = models.CharField(
        _("place"),
        max_length=300,
        blank=True,
        help_text=_("Venue and address, e.g. Werkstatt Süd, Karl-Liebknecht-Str. 12, Leipzig."),
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    online_url = models.URLField(
        _("online link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to hosts and registered participants."),
    )
    capacity = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), blank=True, related_name="workshop_events"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=EventState.choices, default=EventState.SCHEDULED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_note = models.TextField(_("why it is cancelled"), max_length=2000, blank=True)
    notes = models.TextField(
        _("notes after the event"),
        max_length=20000,
        blank=True,
        help_text=_("What you covered, links, next steps. Markdown."),
    )
    article = models.ForeignKey(
        "knowledge.Article",
        verbose_name=_("knowledge article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_events",
    )
    # iCalendar SEQUENCE: raised on every change of time or place so calendars update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
        ]
        indexes = [
            models.Index(fields=["state", "starts_at"]),
            # The upcoming list and its count filter on the end (an event runs until it ends).
            models.Index(fields=["ends_at"], name="workshops_event_ends_at"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("workshops:event_detail", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def is_cancelled(self) -> bool:
        return self.state == EventState.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def registration_open(self) -> bool:
        return self.state == EventState.SCHEDULED and not self.has_started

    @property
    def place_label(self) -> str:
        if self.format == EventFormat.ONLINE:
            return str(_("Online"))
        parts = [self.venue] if self.venue else []
        if self.city and self.city not in self.venue:
            parts.append(self.city)
        place = ", ".join(parts)
        if self.format == EventFormat.HYBRID:
            return f"{place} · {_('and online')}" if place else str(_("Online"))
        return place

    def is_host(self, user: Visitor) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return any(host.pk == user.pk for host in self.hosts.all())

    def confirmed(self) -> models.QuerySet[Registration]:
        return self.registrations.filter(status=RegistrationStatus.CONFIRMED)

    def waitlist(self) -> models.QuerySet[Registration]:
        return self.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "requested_at", "pk"
        )

    def places_left(self, confirmed_count: int | None = None) -> int:
        if confirmed_count is None:
            confirmed_count = getattr(self, "confirmed_count", None)
        if confirmed_count is None:
            confirmed_count = self.confirmed().count()
        return max(0, self.capacity - confirmed_count)


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def active(self) -> RegistrationQuerySet:
        return self.filter(status__in=ACTIVE_REGISTRATION)

    def due_for_reminder(self) -> RegistrationQuerySet:
        now = timezone.now()
        return self.filter(
            status=RegistrationStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            event__state=EventState.SCHEDULED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_BEFORE,
        )


class Registration(models.Model):
    """A person's place at an event, or their place in its waitlist.

    The waitlist is ordered by `requested_at`, then by id. A cancelled registration keeps its
    row, so registering again is an update that puts the person at the end of the waitlist.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_registrations"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
    )
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_person")
        ]
        indexes = [models.Index(fields=["event", "status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.event} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REGISTRATION

    def waitlist_position(self) -> int | None:
        """1 for the first person on the waitlist; None when not waitlisted."""
        if self.status != RegistrationStatus.WAITLISTED:
            return None
        ahead = Registration.objects.filter(
            event_id=self.event_id, status=RegistrationStatus.WAITLISTED
        ).filter(
            Q(requested_at__lt=self.requested_at)
            | Q(requested_at=self.requested_at, pk__lt=self.pk)
        )
        return ahead.count() + 1


class EventMessage(models.Model):
    """A message hosts sent to the participants, kept so hosts see what went out."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    include_waitlist = models.BooleanField(_("also to the waitlist"), default=False)
    recipient_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("message to participants")
        verbose_name_plural = _("messages to participants")

    def __str__(self) -> str:
        return self.subject


# --- materials -----------------------------------------------------------------------


def material_path(instance: Material, filename: str) -> str:
    # The stored name is random; the extension comes from the checked content, never from
    # the uploaded name.
    extension = PurePosixPath(filename).suffix.lower()
    return f"workshops/materials/{secrets.token_hex(16)}{extension}"


class Material(models.Model):
    """Slides, handouts or photos hosts attach after an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:material_download", args=[self.pk])

    @property
    def extension(self) -> str:
        return PurePosixPath(self.file.name).suffix.lstrip(".").upper()


@receiver(post_delete, sender=Material)
def remove_material_file(sender: type[Material], instance: Material, **kwargs: object) -> None:
    """Delete the stored file with its row (also when its event is deleted), after commit."""
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- calendar feeds ------------------------------------------------------------------


class CalendarTokenQuerySet(models.QuerySet["CalendarToken"]):
    def find(self, raw: str) -> CalendarToken | None:
        return self.select_related("user").filter(digest=hash_token(raw)).first()


class CalendarToken(models.Model):
    """The secret in a person's private calendar feed address. Only its digest is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_calendar"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"

    @staticmethod
    def new_secret() -> tuple[str, str]:
        return issue_token()
