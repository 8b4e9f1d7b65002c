"""Writes of the workshops app: ideas and interest, events, registration and the waitlist.

Every change to who holds a place at an event locks the event's row first (`SELECT … FOR
UPDATE` on PostgreSQL; SQLite takes its write lock at BEGIN), so concurrent registrations and
cancellations are applied one after another: capacity is never exceeded and nobody on the
waitlist is skipped or lost. Emails are queued in the same transaction through the outbox, so
a promotion and its email happen together or not at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.core.mail import notify_users
from klinke.core.models import NotificationKind, Visibility, Visitor, is_network_member
from klinke.topics.models import Topic
from klinke.workshops.models import (
    ACTIVE_REGISTRATION,
    DEFAULT_TIMEZONE,
    REMINDER_BEFORE,
    CalendarToken,
    Event,
    EventFormat,
    EventMessage,
    EventState,
    IdeaState,
    Interest,
    Material,
    NonexistentLocalTime,
    Registration,
    RegistrationStatus,
    WorkshopIdea,
    known_timezones,
    local_to_aware,
)
from klinke.workshops.uploads import check_material

MESSAGES_PER_DAY = 5
"""Messages hosts may send to an event's participants in 24 hours; more would be spam."""

if TYPE_CHECKING:
    from klinke.knowledge.models import Article


class WorkshopError(Exception):
    """A move the workshop rules do not allow; the message says why, for the person."""


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _notify(people: Iterable[User], template: str, context: dict[str, object]) -> int:
    return notify_users(
        people,
        template=f"workshops/email/{template}",
        context=context,
        kind=NotificationKind.EVENTS,
    )


def _can_see(item: WorkshopIdea | Event, user: Visitor) -> bool:
    return item.visibility == Visibility.PUBLIC or is_network_member(user)


# --- ideas ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaFields:
    """What a proposer writes into a workshop idea; the form and the API both build it."""

    title: str
    description: str
    topics: Sequence[Topic]
    language: str = "de"
    interest_threshold: int = 5
    visibility: str = "public"


def _apply_idea_fields(idea: WorkshopIdea, fields: IdeaFields) -> None:
    """Write `fields` onto `idea` and check them, raising a ValidationError keyed by field."""
    idea.title = fields.title
    idea.description = fields.description
    idea.language = fields.language
    idea.interest_threshold = fields.interest_threshold
    idea.visibility = fields.visibility
    errors: dict[str, list[str]] = {}
    try:
        idea.clean_fields(exclude=["search_document"])
    except ValidationError as exc:
        errors = dict(exc.message_dict)
    if not fields.topics:
        errors.setdefault("topics", [_("This field is required.")])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_propose_idea(*, user: User, fields: IdeaFields) -> WorkshopIdea:
    if not is_network_member(user):
        raise WorkshopError(_("Members of collectives and supporters can propose workshops."))
    idea = WorkshopIdea()
    _apply_idea_fields(idea, fields)
    idea.save()
    idea.topics.set(fields.topics)
    idea.proposers.add(user)
    if idea.interested_count() >= idea.interest_threshold:
        # A threshold of one is met by the proposer alone; nobody needs an email about that.
        idea.threshold_reached_at = timezone.now()
        idea.save(update_fields=["threshold_reached_at"])
    idea.refresh_search_document()
    return idea


def do_update_idea(*, idea: WorkshopIdea, user: User, fields: IdeaFields) -> WorkshopIdea:
    with transaction.atomic():
        locked = _locked_idea(idea.pk)
        if not locked.is_proposer(user):
            raise WorkshopError(_("Only the people who proposed this idea can change it."))
        _apply_idea_fields(idea, fields)
        idea.save(update_fields=[*IDEA_FIELDS, "updated_at"])
        idea.topics.set(fields.topics)
        idea.refresh_search_document()
        # A lower threshold can be reached by the interest already there.
        _notify_if_threshold_reached(_locked_idea(idea.pk))
    return idea


IDEA_FIELDS = ("title", "description", "language", "interest_threshold", "visibility")


def _locked_idea(idea_id: int) -> WorkshopIdea:
    idea: WorkshopIdea | None = WorkshopIdea.objects.select_for_update().filter(pk=idea_id).first()
    if idea is None:
        raise WorkshopError(_("This workshop idea does not exist."))
    return idea


def _notify_if_threshold_reached(idea: WorkshopIdea) -> bool:
    """Email the proposers the first time interest reaches the threshold; never again."""
    if idea.threshold_reached_at is not None or idea.state != IdeaState.OPEN:
        return False
    count = idea.interested_count()
    if count < idea.interest_threshold:
        return False
    claimed = WorkshopIdea.objects.filter(pk=idea.pk, threshold_reached_at__isnull=True).update(
        threshold_reached_at=timezone.now()
    )
    if not claimed:
        return False
    schedule_url = _site(reverse("workshops:idea_schedule", args=[idea.pk]))
    _notify(
        idea.proposers.all(),
        "idea_threshold_reached",
        {"idea": idea, "interest_count": count, "schedule_url": schedule_url},
    )
    return True


def do_register_interest(
    *,
    idea_id: int,
    user: User,
    preferred_format: str,
    region: str = "",
    language: str = "",
) -> Interest:
    """Register (or update) `user`'s interest; the proposers hear when the threshold is met."""
    language = language or user.language
    Interest(
        preferred_format=preferred_format, region=region.strip(), language=language
    ).clean_fields(exclude=["idea", "user"])
    with transaction.atomic():
        # The lock makes two people who tip the threshold together send one email, once.
        idea = _locked_idea(idea_id)
        if not _can_see(idea, user):
            raise WorkshopError(_("This workshop idea does not exist."))
        if idea.state != IdeaState.OPEN:
            raise WorkshopError(_("This idea is no longer gathering interest."))
        if idea.is_proposer(user):
            raise WorkshopError(_("You proposed this idea; your interest is counted already."))
        interest, _created = Interest.objects.update_or_create(
            idea=idea,
            user=user,
            defaults={
                "preferred_format": preferred_format,
                "region": region.strip(),
                "language": language,
            },
        )
        _notify_if_threshold_reached(idea)
    return interest


def do_withdraw_interest(*, idea_id: int, user: User) -> bool:
    with transaction.atomic():
        idea = _locked_idea(idea_id)
        deleted, _rows = Interest.objects.filter(idea=idea, user=user).delete()
    return deleted > 0


def do_close_idea(*, idea: WorkshopIdea, user: User) -> None:
    if not idea.is_proposer(user):
        raise WorkshopError(_("Only the people who proposed this idea can close it."))
    WorkshopIdea.objects.filter(pk=idea.pk).update(
        state=IdeaState.CLOSED, updated_at=timezone.now()
    )
    idea.state = IdeaState.CLOSED


def do_reopen_idea(*, idea: WorkshopIdea, user: User) -> None:
    if not idea.is_proposer(user):
        raise WorkshopError(_("Only the people who proposed this idea can reopen it."))
    WorkshopIdea.objects.filter(pk=idea.pk).update(state=IdeaState.OPEN, updated_at=timezone.now())
    idea.state = IdeaState.OPEN


# --- events --------------------------------------------------------------------------


def _locked_event(event_id: int) -> Event:
    event: Event | None = Event.objects.select_for_update().filter(pk=event_id).first()
    if event is None:
        raise WorkshopError(_("This event does not exist."))
    return event


@dataclass(frozen=True)
class EventFields:
    """What a host writes into an event; the form and the API both build it.

    `start` and `end` are wall-clock times in `time_zone`, without an offset.
    """

    title: str
    description: str
    start: datetime
    end: datetime
    capacity: int
    time_zone: str = DEFAULT_TIMEZONE
    format: str = EventFormat.IN_PERSON
    venue: str = ""
    city: str = ""
    online_url: str = ""
    language: str = "de"
    topics: Sequence[Topic] = ()
    visibility: str = "public"


@dataclass
class EventCheck:
    """The aware start and end of an event's input, and what is wrong with it, by form field."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def _aware(self, naive: datetime, zone: str, name: str) -> datetime | None:
        try:
            return local_to_aware(naive, zone)
        except NonexistentLocalTime:
            self.errors[name] = _(
                "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward "
                "then. Pick a time after the change."
            ) % {"time": naive.strftime("%H:%M"), "date": naive.date().isoformat(), "zone": zone}
            return None


def check_event(
    *,
    start: datetime | None,
    end: datetime | None,
    zone: str,
    event_format: str | None,
    venue: str,
    city: str,
    online_url: str,
    capacity: int | None,
    min_capacity: int,
    creating: bool,
) -> EventCheck:
    """The rules of an event's time, place and size, shared by the page's form and the actions."""
    check = EventCheck()
    if zone in known_timezones():
        if start is not None:
            check.starts_at = check._aware(start, zone, "start_time")
        if end is not None:
            check.ends_at = check._aware(end, zone, "end_time")
    starts, ends = check.starts_at, check.ends_at
    if starts and ends:
        if ends <= starts:
            check.errors["end_time"] = _("The end lies before the start.")
        elif (ends - starts).days > 14:
            check.errors["end_date"] = _("An event lasts at most two weeks.")
    if starts and creating and starts <= timezone.now():
        check.errors["start_date"] = _("The start lies in the past.")
    if event_format in (EventFormat.ONLINE, EventFormat.HYBRID) and not online_url:
        check.errors["online_url"] = _("An online event needs a link.")
    if event_format in (EventFormat.IN_PERSON, EventFormat.HYBRID) and not (venue or city):
        check.errors["venue"] = _("Say where it takes place.")
    if capacity is not None and capacity < min_capacity:
        check.errors["capacity"] = _(
            "%(count)s people are registered already; keep at least that many places."
        ) % {"count": min_capacity}
    return check


def _apply_event_fields(
    event: Event, fields: EventFields, *, creating: bool, min_capacity: int = 0
) -> None:
    """Write `fields` onto `event` and check them, raising a ValidationError keyed by field."""
    check = check_event(
        start=fields.start,
        end=fields.end,
        zone=fields.time_zone,
        event_format=fields.format,
        venue=fields.venue,
        city=fields.city,
        online_url=fields.online_url,
        capacity=fields.capacity,
        min_capacity=min_capacity,
        creating=creating,
    )
    for name in EVENT_FIELDS:
        setattr(event, name, getattr(fields, name))
    event.time_zone = fields.time_zone
    errors: dict[str, list[str]] = {}
    if check.starts_at and check.ends_at:
        event.starts_at, event.ends_at = check.starts_at, check.ends_at
    else:
        errors["start_time"] = []
    try:
        event.clean_fields(exclude=["search_document", "starts_at", "ends_at", "sequence"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name, message in check.errors.items():
        errors.setdefault(name, []).insert(0, message)
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


# The EventFields stored on the event as they are (the form's model fields, with its topics);
# the times are checked and converted, the zone and topics are set on their own.
EVENT_FIELDS = tuple(
    item.name
    for item in dataclasses.fields(EventFields)
    if item.name not in {"start", "end", "time_zone", "topics"}
)


def do_create_event(
    *,
    user: User,
    fields: EventFields,
    idea: WorkshopIdea | None = None,
    co_hosts: Iterable[User] = (),
) -> Event:
    """Create an event hosted by `user` (and `co_hosts`); from an idea, tell the interested."""
    if not is_network_member(user):
        raise WorkshopError(_("Members of collectives and supporters can create events."))
    if idea is not None and not idea.is_proposer(user):
        raise WorkshopError(_("Only the people who proposed this idea can plan it."))
    if idea is not None and idea.state == IdeaState.CLOSED:
        raise WorkshopError(_("Reopen the idea before you plan it."))
    event = Event(created_by=user, idea=idea)
    _apply_event_fields(event, fields, creating=True)
    with transaction.atomic():
        event.save()
        event.topics.set(fields.topics)
        event.hosts.add(user, *[host for host in co_hosts if is_network_member(host)])
        event.refresh_search_document()
        if idea is not None:
            locked = _locked_idea(idea.pk)
            locked.state = IdeaState.SCHEDULED
            locked.save(update_fields=["state", "updated_at"])
            interested = User.objects.filter(workshop_interests__idea=locked).exclude(
                hosted_events=event
            )
            _notify(interested, "registration_open", {"event": event, "idea": locked})
    return event


TIME_AND_PLACE = ("starts_at", "ends_at", "time_zone", "format", "venue", "city", "online_url")


def do_update_event(*, event: Event, user: User, fields: EventFields) -> Event:
    """Save the host's changes; participants hear about a new time or place."""
    with transaction.atomic():
        locked = _locked_event(event.pk)
        if not locked.is_host(user):
            raise WorkshopError(_("Only the hosts can change this event."))
        if locked.is_cancelled:
            raise WorkshopError(_("A cancelled event cannot be changed."))
        changed = event
        _apply_event_fields(
            changed, fields, creating=False, min_capacity=locked.confirmed().count()
        )
        moved = [name for name in TIME_AND_PLACE if getattr(locked, name) != getattr(changed, name)]
        changed.sequence = locked.sequence + (1 if moved else 0)
        changed.save(
            update_fields=[
                *EVENT_FIELDS,
                "starts_at",
                "ends_at",
                "time_zone",
                "sequence",
                "updated_at",
            ]
        )
        changed.topics.set(fields.topics)
        changed.refresh_search_document()
        if locked.starts_at != changed.starts_at:
            # A reminder sent for the old time says nothing about the new one.
            changed.registrations.filter(status__in=ACTIVE_REGISTRATION).update(
                reminder_sent_at=None
            )
        _fill_from_waitlist(changed)
        if moved:
            people = User.objects.filter(
                workshop_registrations__event=changed,
                workshop_registrations__status__in=ACTIVE_REGISTRATION,
            )
            _notify(people, "event_changed", {"event": changed})
    return changed


def do_cancel_event(*, event_id: int, user: User, note: str = "") -> Event:
    with transaction.atomic():
        event = _locked_event(event_id)
        if not event.is_host(user):
            raise WorkshopError(_("Only the hosts can cancel this event."))
        if event.is_cancelled:
            raise WorkshopError(_("This event is already cancelled."))
        if event.has_ended:
            raise WorkshopError(_("This event is over; there is nothing to cancel."))
        event.state = EventState.CANCELLED
        event.cancelled_at = timezone.now()
        event.cancellation_note = note.strip()
        event.sequence += 1
        event.save(
            update_fields=["state", "cancelled_at", "cancellation_note", "sequence", "updated_at"]
        )
        people = User.objects.filter(
            workshop_registrations__event=event,
            workshop_registrations__status__in=ACTIVE_REGISTRATION,
        )
        _notify(people, "event_cancelled", {"event": event})
    return event


def do_add_host(*, event: Event, user: User, email: str) -> User:
    if not event.is_host(user):
        raise WorkshopError(_("Only the hosts can add hosts."))
    new_host = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if new_host is None or not is_network_member(new_host):
        raise WorkshopError(
            _("Nobody in the network has this address. Hosts must be members or supporters.")
        )
    if event.is_host(new_host):
        raise WorkshopError(_("%(name)s hosts this event already.") % {"name": new_host})
    with transaction.atomic():
        locked = _locked_event(event.pk)
        locked.hosts.add(new_host)
        # A host does not hold a participant's place; it goes to the waitlist.
        Registration.objects.filter(
            event=locked, user=new_host, status__in=ACTIVE_REGISTRATION
        ).update(status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now())
        _fill_from_waitlist(locked)
        _notify([new_host], "host_added", {"event": locked, "added_by": user})
    return new_host


def do_remove_host(*, event: Event, user: User, host: User) -> None:
    if not event.is_host(user):
        raise WorkshopError(_("Only the hosts can change who hosts."))
    with transaction.atomic():
        locked = _locked_event(event.pk)
        if locked.hosts.count() <= 1:
            raise WorkshopError(_("An event needs at least one host."))
        locked.hosts.remove(host)


# --- registration --------------------------------------------------------------------


def _within_reminder_window(event: Event) -> bool:
    return event.starts_at - timezone.now() <= REMINDER_BEFORE


def _fill_from_waitlist(event: Event) -> list[Registration]:
    """Move the first people on the waitlist into free places. The caller holds the lock."""
    if event.is_cancelled or event.has_started:
        return []
    free = event.capacity - event.confirmed().count()
    if free <= 0:
        return []
    promoted = list(event.waitlist().select_related("user")[:free])
    now = timezone.now()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.promoted_at = now
        if _within_reminder_window(event):
            # The promotion email comes this close to the start; it is the reminder.
            registration.reminder_sent_at = now
        registration.save(
            update_fields=["status", "confirmed_at", "promoted_at", "reminder_sent_at"]
        )
        _notify([registration.user], "registration_promoted", {"event": event})
    return promoted


def do_register(*, event_id: int, user: User) -> Registration:
    """A place for `user` if one is free, otherwise the end of the waitlist."""
    with transaction.atomic():
        event = _locked_event(event_id)
        if not _can_see(event, user):
            raise WorkshopError(_("This event does not exist."))
        if event.is_cancelled:
            raise WorkshopError(_("This event is cancelled."))
        if event.has_started:
            raise WorkshopError(_("Registration has closed: the event has started."))
        if event.is_host(user):
            raise WorkshopError(_("You host this event; hosts need no registration."))
        registration = Registration.objects.filter(event=event, user=user).first()
        if registration is not None and registration.is_active:
            if registration.status == RegistrationStatus.CONFIRMED:
                raise WorkshopError(_("You are registered already."))
            raise WorkshopError(_("You are on the waitlist already."))
        # Places that became free go to the waitlist before any newcomer.
        _fill_from_waitlist(event)
        confirmed = event.confirmed().count()
        now = timezone.now()
        status = (
            RegistrationStatus.CONFIRMED
            if confirmed < event.capacity
            else RegistrationStatus.WAITLISTED
        )
        if registration is None:
            registration = Registration(event=event, user=user)
        registration.status = status
        registration.requested_at = now
        registration.cancelled_at = None
        registration.promoted_at = None
        registration.confirmed_at = now if status == RegistrationStatus.CONFIRMED else None
        registration.reminder_sent_at = (
            now
            if status == RegistrationStatus.CONFIRMED and _within_reminder_window(event)
            else None
        )
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            raise WorkshopError(_("You are registered already.")) from None
        if status == RegistrationStatus.CONFIRMED:
            _notify([user], "registration_confirmed", {"event": event})
        else:
            _notify(
                [user],
                "registration_waitlisted",
                {"event": event, "position": registration.waitlist_position()},
            )
    return registration


def _cancel_registration(*, event_id: int, user: User) -> Registration:
    event = _locked_event(event_id)
    registration = Registration.objects.filter(
        event=event, user=user, status__in=ACTIVE_REGISTRATION
    ).first()
    if registration is None:
        raise WorkshopError(_("You are not registered for this event."))
    if event.has_started and not event.is_cancelled:
        raise WorkshopError(_("The event has started; you can no longer cancel."))
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        _fill_from_waitlist(event)
    return registration


def do_cancel_registration(*, event_id: int, user: User) -> Registration:
    """Give up a place (the first on the waitlist moves up) or leave the waitlist."""
    with transaction.atomic():
        return _cancel_registration(event_id=event_id, user=user)


def do_message_participants(
    *, event: Event, user: User, subject: str, body: str, include_waitlist: bool = False
) -> EventMessage:
    if not event.is_host(user):
        raise WorkshopError(_("Only the hosts can write to the participants."))
    since = timezone.now() - timedelta(days=1)
    if event.messages.filter(sent_at__gte=since).count() >= MESSAGES_PER_DAY:
        raise WorkshopError(
            _("You have sent %(count)s messages in the last 24 hours; please wait a little.")
            % {"count": MESSAGES_PER_DAY}
        )
    statuses = list(ACTIVE_REGISTRATION) if include_waitlist else [RegistrationStatus.CONFIRMED]
    people = list(
        User.objects.filter(
            workshop_registrations__event=event, workshop_registrations__status__in=statuses
        ).distinct()
    )
    with transaction.atomic():
        message = EventMessage.objects.create(
            event=event,
            sender=user,
            subject=subject.strip(),
            body=body.strip(),
            include_waitlist=include_waitlist,
        )
        message.recipient_count = _notify(
            people, "host_message", {"event": event, "message": message, "sender": user}
        )
        message.save(update_fields=["recipient_count"])
    return message


def do_send_reminders() -> int:
    """Email each confirmed participant once, within 24 hours before the start.

    A registration is claimed by setting `reminder_sent_at` where it is still empty, so two
    workers running at once send each reminder once.
    """
    sent = 0
    for pk in Registration.objects.due_for_reminder().values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=pk, reminder_sent_at__isnull=True, status=RegistrationStatus.CONFIRMED
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            registration = Registration.objects.select_related("event", "user").get(pk=pk)
            sent += _notify([registration.user], "event_reminder", {"event": registration.event})
    return sent


# --- after the event -----------------------------------------------------------------


def do_attach_material(*, event: Event, user: User, title: str, upload: UploadedFile) -> Material:
    """Check the upload by its content, then store it under a random name."""
    if not event.is_host(user):
        raise WorkshopError(_("Only the hosts can add materials."))
    checked = check_material(upload)
    material = Material(
        event=event,
        title=title.strip() or str(upload.name)[:200],
        original_name=str(upload.name)[:255],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=user,
    )
    material.file.save(f"material.{checked.extension}", upload, save=False)
    try:
        material.save()
    except Exception:
        material.file.delete(save=False)
        raise
    return material


def do_delete_material(*, material: Material, user: User) -> None:
    if not material.event.is_host(user):
        raise WorkshopError(_("Only the hosts can remove materials."))
    material.delete()  # the file goes with it, once the transaction commits


def do_update_follow_up(
    *, event: Event, user: User, notes: str, article: Article | None = None
) -> Event:
    if not event.is_host(user):
        raise WorkshopError(_("Only the hosts can add notes."))
    event.notes = notes.strip()
    event.article = article
    event.save(update_fields=["notes", "article", "updated_at"])
    return event


# --- calendar feeds ------------------------------------------------------------------


def do_regenerate_calendar_token(*, user: User) -> str:
    """A new secret for `user`'s feed address; the old address stops working at once."""
    raw, digest = CalendarToken.new_secret()
    CalendarToken.objects.update_or_create(
        user=user, defaults={"digest": digest, "created_at": timezone.now(), "last_used_at": None}
    )
    return raw


def do_revoke_calendar_token(*, user: User) -> bool:
    deleted, _rows = CalendarToken.objects.filter(user=user).delete()
    return deleted > 0
